import * as assert from 'assert';
import { WorkLookup } from '../../src/core/lookup';
import { citationAt, completionQueryAt, continuesCitation, insideCitationGroup, workRole } from '../../src/vscode/citationText';
import { SEEDS, corpusOf, work } from './helpers/corpus';

describe('a space inside an open citation (the space trigger of completion)', () => {
  const continues = (before: string) => {
    const q = completionQueryAt(before, '', 'pandoc', false);
    return !!q && continuesCitation(before, q.trigger, q.query);
  };
  it('continues `[@peer `, `[see @mead `, `[@a; @peer support `', () => {
    for (const t of ['See [@peer ', 'See [see @mead ', 'See [@a; @peer support ', 'See [-@peer ']) assert.ok(continues(t), t);
  });
  it('does not open a list after a narrative `@mead `, a closed bracket, a plain `[see ` or a bare space', () => {
    for (const t of ['As @mead ', 'See [@mead] and ', 'See [see ', 'Peer support ', 'See [@', 'See [@peer  ']) assert.ok(!continues(t), t);
  });
});

describe('completionQueryAt', () => {
  it('takes the words after @ (Pandoc) and replaces from the @', () => {
    assert.deepStrictEqual(completionQueryAt('Peer support is @mead 2017', '', 'pandoc', false), { query: 'mead 2017', replaceStart: 16, replaceEnd: 26, insideBrackets: false, trigger: 'at' });
  });
  it('knows it is inside brackets after [@ or ;', () => {
    assert.strictEqual(completionQueryAt('See [@voron', ']', 'pandoc', false)?.insideBrackets, true);
    assert.strictEqual(completionQueryAt('See [@a; @voron', ']', 'pandoc', false)?.insideBrackets, true);
    assert.strictEqual(completionQueryAt('See [@a]; then @voron', '', 'pandoc', false)?.insideBrackets, false);
  });
  it('replaces the whole [@query] in the author–date styles', () => {
    const q = completionQueryAt('See [@voron', '] more', 'authorDate', false)!;
    assert.deepStrictEqual([q.replaceStart, q.replaceEnd, q.query], [4, 12, 'voron']);
  });
  it('takes the text after [ as a query', () => {
    assert.deepStrictEqual(completionQueryAt('See [voron', ']', 'pandoc', false), { query: 'voron', replaceStart: 5, replaceEnd: 10, insideBrackets: true, trigger: 'bracket' });
    assert.deepStrictEqual(completionQueryAt('See [', ']', 'pandoc', false)?.query, '');
  });
  it('ignores e-mail addresses and link targets unless invoked', () => {
    assert.strictEqual(completionQueryAt('mail me@exam', '', 'pandoc', false), undefined);
    assert.strictEqual(completionQueryAt('[text](http', '', 'pandoc', false), undefined);
  });
  it('takes the word before the cursor when invoked explicitly', () => {
    assert.deepStrictEqual(completionQueryAt('Peer support is voron', '', 'pandoc', true), { query: 'voron', replaceStart: 16, replaceEnd: 21, insideBrackets: false, trigger: 'word' });
  });
  it('stops treating an old @ as the start after four words', () => {
    assert.strictEqual(completionQueryAt('@voronka2019 says that peers are', '', 'pandoc', false), undefined);
  });
  it('insideCitationGroup follows the style’s bracket', () => {
    assert.strictEqual(insideCitationGroup('as (see ', 'authorDate'), true);
    assert.strictEqual(insideCitationGroup('as (see ', 'pandoc'), false);
  });
});

describe('citationAt', () => {
  const corpus = corpusOf(SEEDS);
  const lookup = new WorkLookup(corpus.works);
  const at = (text: string, needle: string, delta = 1) => {
    const lines = text.split('\n');
    const i = text.indexOf(needle) + delta;
    const before = text.slice(0, i);
    const line = before.split('\n').length - 1;
    const ch = i - before.lastIndexOf('\n') - 1;
    return citationAt(lines, 0, line, ch, lookup);
  };

  it('finds a Pandoc citation', () => {
    const hit = at('Critics [@gillard2022] argue', '@gillard', 3)!;
    assert.deepStrictEqual(hit.works.map((w) => w.id), ['gillard2022']);
    assert.deepStrictEqual([hit.start.character, hit.end.character], [9, 21]);
  });
  it('finds all works of a bracket of several', () => {
    const hit = at('Both [@gillard2022; @perkins2019] agree', '[', 0)!;
    assert.deepStrictEqual(hit.works.map((w) => w.id), ['gillard2022', 'perkins2019']);
  });
  it('finds parenthetical and narrative author–date citations', () => {
    assert.deepStrictEqual(at('authentic (Voronka, 2019). More', 'Voronka')!.works.map((w) => w.id), ['voronka2019']);
    assert.deepStrictEqual(at('authentic (Voronka, 2019). More', '2019')!.works.map((w) => w.id), ['voronka2019']);
    assert.deepStrictEqual(at('and Slade et al. (2017) describe', '2017')!.works.map((w) => w.id), ['slade2017']);
    assert.deepStrictEqual(at('(Perkins & Repper, 2019).', 'Repper')!.works.map((w) => w.id), ['perkins2019']);
  });
  it('finds an author–date citation broken across lines', () => {
    const text = 'Values (Mackay et al.,\n2022) too.';
    assert.deepStrictEqual(at(text, '2022')!.works.map((w) => w.id), ['mackay2022']);
    assert.deepStrictEqual(at(text, 'Mackay')!.works.map((w) => w.id), ['mackay2022']);
  });
  it('finds a bare label, dropping the words before the name', () => {
    const hit = at('As argued by Voronka 2019, peers', 'Voronka', 2)!;
    assert.deepStrictEqual(hit.works.map((w) => w.id), ['voronka2019']);
    assert.strictEqual(hit.start.character, 'As argued by '.length);
    assert.strictEqual(at('As argued by Voronka 2019, peers', 'argued'), undefined);
  });
  it('finds nothing in plain prose', () => {
    assert.strictEqual(at('Peer support is not new.', 'support'), undefined);
  });
});

describe('workRole', () => {
  const corpus = corpusOf(SEEDS);
  it('tells records, related and cited-only works apart', () => {
    assert.strictEqual(workRole(work(corpus, 'gillard2022')), 'record');
    assert.strictEqual(workRole(work(corpus, 'kaggwa2023')), 'related');
    assert.strictEqual(workRole(work(corpus, 'voronka2019')), 'cited');
  });
});
