/**
 * A work merged from records with different citekeys keeps every key (`x-corpus.aliases`), and
 * every consumer takes each of them: the lookup (diagnostics, hover, `check`), completion, the
 * editor's packed works, go to definition, the cache, and exports that Pandoc reads.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportBibtex, exportCslJson, exportRis } from '../../src/core/format/bibliography';
import { buildCorpus } from '../../src/core/build/corpus';
import { indexWithCache } from '../../src/core/index/indexCache';
import { WorkLookup } from '../../src/core/search/lookup';
import { checkManuscript } from '../../src/core/manuscript/manuscript';
import type { Work } from '../../src/core/model/model';
import { WorkSchema } from '../../src/core/model/model';
import { definitionTarget } from '../../src/core/manuscript/navigation';
import { parseText } from '../../src/core/parsers';
import { formatCitation } from '../../src/core/format/render';
import { SearchIndex } from '../../src/core/search/search';
import { fromWire, toWire } from '../../src/core/model/wire';
import { keysOf, packWorks, WorkStore } from '../../src/core/model/workStore';
import { worksAtCursor } from '../../src/vscode/citationText';
import { pastMtime } from './helpers/corpus';

const BIB = [
  '@article{smith:values,',
  '  title = {Shared values in peer support},',
  '  author = {Smith, Ann and Jones, Bo},',
  '  journal = {Journal of Mental Health},',
  '  year = {2020},',
  '  doi = {10.1080/09638237.2020.1}',
  '}',
  '',
  '@article{other2019,',
  '  title = {Another paper},',
  '  author = {Other, Olga},',
  '  year = {2019}',
  '}',
  '',
].join('\n');
const CSL = JSON.stringify([
  { id: 'SmithSharedValues2020', type: 'article-journal', title: 'Shared Values in Peer Support', DOI: 'https://doi.org/10.1080/09638237.2020.1', author: [{ family: 'Smith', given: 'Ann' }, { family: 'Jones', given: 'Bo' }], issued: { 'date-parts': [[2020]] } },
]);
const FILES = { bib: '/lib/mine.bib', csl: '/lib/zotero.json' };
const corpus = () => buildCorpus([parseText(BIB, FILES.bib), parseText(CSL, FILES.csl)]);
const merged = (works: readonly Work[]) => works.find((w) => w.author?.[0]?.family === 'Smith')!;
const MD = 'Peers share values [@smith:values], as others say [@SmithSharedValues2020, p. 3]; see also @other2019.\n';

describe('a merged work keeps every key', () => {
  it('id is the first record’s key, aliases the others; the corpus resolves both', () => {
    const c = corpus();
    const w = merged(c.works);
    WorkSchema.parse(w);
    assert.strictEqual(w.id, 'smith:values');
    assert.deepStrictEqual(w['x-corpus'].aliases, ['SmithSharedValues2020']);
    assert.deepStrictEqual(keysOf(w), ['smith:values', 'SmithSharedValues2020']);
    assert.strictEqual(c.byId.get('SmithSharedValues2020'), w);
    assert.strictEqual(c.works.length, 2);
    // Whatever order the files come in.
    const reversed = buildCorpus([parseText(CSL, FILES.csl), parseText(BIB, FILES.bib)]);
    assert.deepStrictEqual(keysOf(merged(reversed.works)), ['smith:values', 'SmithSharedValues2020']);
  });

  it('check: neither key is unknown, and the work counts as cited', () => {
    const r = checkManuscript(MD, new WorkLookup(corpus().works));
    assert.deepStrictEqual(r.unknown, []);
    assert.deepStrictEqual(r.citations.map((c) => [c.key, c.works]), [['smith:values', ['smith:values']], ['SmithSharedValues2020', ['smith:values']], ['other2019', ['other2019']]]);
    assert.deepStrictEqual(r.uncited, []);
  });

  it('hover and go to definition: the citation under the cursor resolves, and leads to the entry with that key', () => {
    const c = corpus();
    const lookup = new WorkLookup(c.works);
    const at = MD.indexOf('SmithShared');
    const hit = worksAtCursor([MD], 0, 0, at + 2, lookup)!;
    assert.deepStrictEqual(hit.works.map((w) => w.id), ['smith:values']);
    assert.strictEqual(hit.key, 'SmithSharedValues2020');
    const w = merged(c.works);
    assert.deepStrictEqual(definitionTarget(w, () => 0, hit.key), { file: FILES.csl, line: 1 });
    assert.deepStrictEqual(definitionTarget(w, () => 0, 'smith:values'), { file: FILES.bib, line: 1 });
    assert.deepStrictEqual(definitionTarget(w), { file: FILES.bib, line: 1 }, 'without a key: the first record');
  });

  it('completion: typing an alias finds the work and inserts the alias; typing the id inserts the id', () => {
    const works = corpus().works;
    for (const index of [SearchIndex.build(works), SearchIndex.unpack(works, SearchIndex.build(works).pack().packed)]) {
      const byAlias = index.search('SmithSharedV', 5).results[0];
      assert.strictEqual(byAlias.work.id, 'smith:values');
      assert.strictEqual(byAlias.key, 'SmithSharedValues2020');
      assert.strictEqual(formatCitation(byAlias.work, 'pandoc', { insideBrackets: false, key: byAlias.key }), '[@SmithSharedValues2020]');
      const exact = index.search('@smithsharedvalues2020', 5).results[0];
      assert.strictEqual(exact.key, 'SmithSharedValues2020');
      assert.ok(exact.score >= 1100, `an exact alias is an exact tier-1 hit (${exact.score})`);
      const byId = index.search('smith:val', 5).results[0];
      assert.strictEqual(byId.work.id, 'smith:values');
      assert.strictEqual(byId.key, undefined);
      // An alias with other words narrows like an id does.
      assert.deepStrictEqual(index.search('SmithSharedValues2020 peer', 5).results.map((h) => h.work.id), ['smith:values']);
      assert.deepStrictEqual(index.search('SmithSharedValues2020 other', 5).results, []);
    }
  });

  it('the editor’s packed works carry the aliases in their heads: the lookup resolves them without a parse', () => {
    const works = corpus().works;
    const store = new WorkStore();
    const lookup = new WorkLookup(store.add(structuredClone(packWorks(works))));
    assert.strictEqual(store.parses, 0);
    assert.strictEqual(lookup.id('SmithSharedValues2020')?.id, 'smith:values');
    assert.deepStrictEqual(keysOf(lookup.id('smith:values')!), ['smith:values', 'SmithSharedValues2020']);
    assert.strictEqual(store.parses, 0);
    // The sources keep their keys across the wire (go to definition reads them).
    const w = fromWire(structuredClone(toWire([merged(works)]))).map((x) => x)[0];
    assert.deepStrictEqual(w['x-corpus'].sources.map((s) => s.key), ['smith:values', 'SmithSharedValues2020']);
  });

  it('the warm-start cache gives the same keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-aliases-'));
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'mine.bib'), BIB);
    fs.writeFileSync(path.join(dir, 'lib', 'zotero.json'), CSL);
    const past = pastMtime(60_000);
    for (const f of ['mine.bib', 'zotero.json']) fs.utimesSync(path.join(dir, 'lib', f), past, past);
    const cold = indexWithCache([path.join(dir, 'lib')], path.join(dir, 'cache'));
    const warm = indexWithCache([path.join(dir, 'lib')], path.join(dir, 'cache'));
    assert.strictEqual(warm.stats.corpusFromCache, true);
    for (const c of [cold, warm]) assert.strictEqual(c.byId.get('SmithSharedValues2020')?.id, 'smith:values');
  });

  it('exports write an item under each key, and pandoc --citeproc resolves both', function () {
    this.timeout(30_000);
    const works = corpus().works;
    const items = JSON.parse(exportCslJson(works)) as { id: string; title: string }[];
    assert.deepStrictEqual(items.map((i) => i.id).sort(), ['SmithSharedValues2020', 'other2019', 'smith:values']);
    assert.strictEqual(items.find((i) => i.id === 'SmithSharedValues2020')!.title, 'Shared values in peer support');
    assert.match(exportBibtex(works), /@article\{SmithSharedValues2020,[\s\S]*@article\{smith:values,|@article\{smith:values,[\s\S]*@article\{SmithSharedValues2020,/);
    assert.strictEqual(exportRis(works).match(/^TY {2}- /gm)?.length, 3);
    if (spawnSync('pandoc', ['--version']).error) assert.fail('pandoc is not installed (apt-get install -y pandoc; .ci/run does this)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-aliases-pandoc-'));
    fs.writeFileSync(path.join(dir, 'review.md'), MD);
    for (const [name, text] of [['refs.json', exportCslJson(works)], ['refs.bib', exportBibtex(works)]]) {
      fs.writeFileSync(path.join(dir, name), text);
      const r = spawnSync('pandoc', ['--citeproc', '--bibliography', name, '-t', 'plain', 'review.md'], { cwd: dir, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /not found/i, `${name}: ${r.stderr}`);
      // Both resolve (to two like entries: CSL has no aliases, so Pandoc sees two items).
      const plain = r.stdout.replace(/\s+/g, ' ');
      assert.strictEqual(plain.match(/\(Smith and Jones 2020[ab]?[,)]/g)?.length, 2, `${name}: both citations of the one work are resolved:\n${r.stdout}`);
      assert.doesNotMatch(plain, /\?\?|smith:values|SmithSharedValues2020/, `${name}: no unresolved key is printed`);
    }
  });
});
