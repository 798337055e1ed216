import * as assert from 'assert';
import { buildCorpus } from '../../src/core/corpus';
import { isCitekey, shortTitle } from '../../src/core/keys';
import { WorkLookup } from '../../src/core/lookup';
import { resolveManuscript } from '../../src/core/manuscript';
import type { ParsedFile, ParsedRecord } from '../../src/core/model';
import { WorkSchema } from '../../src/core/model';
import { parseText } from '../../src/core/parsers';
import { formatCitation } from '../../src/core/render';
import { SearchIndex } from '../../src/core/search';

const rec = (line: number, family: string, year: number | undefined, title: string, extra: Partial<ParsedRecord['csl']> = {}): ParsedRecord => ({
  line,
  csl: { type: 'article-journal', title, author: [{ family, given: 'A.' }], ...(year ? { issued: { 'date-parts': [[year]] } } : {}), ...extra },
  fieldLines: {},
});
const file = (name: string, records: ParsedRecord[]): ParsedFile => ({ file: name, format: 'csl-json', records, problems: [] });
const labels = (files: ParsedFile[]) => Object.fromEntries(buildCorpus(files).works.map((w) => [w.title, `${w['citation-label']}|${w.id}`]));

describe('keys', () => {
  it('label and Pandoc id: family and year; n.d. without a year; group authors as written', () => {
    const c = buildCorpus([file('a.json', [rec(1, "O'Hagan", 2014, 'One'), rec(2, 'Müller', undefined, 'Two'), { line: 3, csl: { type: 'report', title: 'Three', author: [{ literal: 'Mental Health Task Force' }], issued: { 'date-parts': [[2016]] } }, fieldLines: {} }])]);
    assert.deepStrictEqual(c.works.map((w) => `${w['citation-label']}|${w.id}`).sort(), ['Mental Health Task Force 2016|mentalhealthtaskforce2016', 'Müller n.d.|mullernd', "O'Hagan 2014|ohagan2014"]);
  });
  it('a work with no author goes by its short title in quotes, as author–date styles cite it; its id stays the title word', () => {
    const anon = (line: number, title: string, year?: number): ParsedRecord => ({ line, csl: { type: 'article-journal', title, ...(year ? { issued: { 'date-parts': [[year]] } } : {}) }, fieldLines: {} });
    const c = labels([
      file('refs.json', [
        anon(1, 'A review of the literature on peer support in mental health services.'),
        anon(2, 'Review of recovery: what it means'),
        anon(3, 'The update', 2019),
        anon(4, '同伴支持在精神卫生服务中的作用研究综述与展望'),
        anon(5, '2019'),
      ]),
    ]);
    assert.deepStrictEqual(c, {
      // Chicago: no initial article, at most four words, not ending on "of"/"on"; APA: the title's first words.
      'A review of the literature on peer support in mental health services.': '“Review of the literature” n.d.|reviewnda',
      // The labels differ, so they carry no letter; the ids, which share the stem, do (and stay as before).
      'Review of recovery: what it means': '“Review of recovery” n.d.|reviewndb',
      'The update': '“Update” 2019|update2019',
      '同伴支持在精神卫生服务中的作用研究综述与展望': '“同伴支持在精神卫生服务中” n.d.|anonndb',
      // No letter in the title: nothing to quote.
      '2019': 'Anonymous n.d.|anonnda',
    });
    // Inserted as author–date text, the short title stands where the author would.
    const review = buildCorpus([file('refs.json', [anon(1, 'A review of the literature on peer support')])]).works[0];
    assert.strictEqual(formatCitation(review, 'authorDate', { insideBrackets: false }), '(“Review of the literature”, n.d.)');
    assert.strictEqual(formatCitation(review, 'narrative', { insideBrackets: false }), '“Review of the literature” (n.d.)');
    // Two anonymous works with the same short title and year: letters, as APA's “…” n.d.-a.
    const twins = labels([file('t.json', [anon(1, 'Annual report of the board', 2020), anon(2, 'Annual report of the board of trustees', 2020)])]);
    assert.deepStrictEqual(twins, { 'Annual report of the board': '“Annual report” 2020a|annual2020a', 'Annual report of the board of trustees': '“Annual report” 2020b|annual2020b' });
  });

  it('shortTitle: the main title, no initial article, four words at most, no dangling preposition, no markup', () => {
    assert.strictEqual(shortTitle('An update on the growing evidence base for peer support'), 'Update on the growing');
    assert.strictEqual(shortTitle('Peer support: a systematic review'), 'Peer support');
    assert.strictEqual(shortTitle('What is peer support? A primer'), 'What is peer support');
    assert.strictEqual(shortTitle('The <i>Lancet</i> editorial on “recovery”'), 'Lancet editorial on recovery');
    assert.strictEqual(shortTitle('Mental health in the workplace'), 'Mental health');
    assert.strictEqual(shortTitle('Editorial'), 'Editorial');
    assert.strictEqual(shortTitle('The'), 'The');
    assert.strictEqual(shortTitle('  '), undefined);
    assert.strictEqual(shortTitle('1999'), undefined);
    assert.strictEqual(shortTitle(undefined), undefined);
  });

  it('letters Unicode does not decompose are spelt in ASCII, not dropped (Łukasiewicz → lukasiewicz)', () => {
    const c = buildCorpus([file('a.json', [rec(1, 'Łukasiewicz', 2021, 'One'), rec(2, 'Øvergaard', 2019, 'Two'), rec(3, 'Straßburger', 2018, 'Three'), rec(4, 'Þórsdóttir', 2017, 'Four')])]);
    assert.deepStrictEqual(c.works.map((w) => w.id).sort(), ['lukasiewicz2021', 'overgaard2019', 'strassburger2018', 'thorsdottir2017']);
  });
  it('collisions get a, b in an order that depends only on the works', () => {
    const a = rec(1, 'Smith', 2020, 'Beta study');
    const b = rec(2, 'Smith', 2020, 'Alpha study');
    assert.deepStrictEqual(labels([file('x.json', [a, b])]), { 'Alpha study': 'Smith 2020a|smith2020a', 'Beta study': 'Smith 2020b|smith2020b' });
    // Same keys when the files come in another order and an unrelated file is added.
    assert.deepStrictEqual(labels([file('z.json', [rec(1, 'Jones', 2020, 'Unrelated')]), file('y.json', [b]), file('x.json', [a])]), {
      'Alpha study': 'Smith 2020a|smith2020a',
      'Beta study': 'Smith 2020b|smith2020b',
      Unrelated: 'Jones 2020|jones2020',
    });
  });
  describe('merging records', () => {
    const T = 'A long enough title for merging works';
    const two = (a: ParsedRecord, b: ParsedRecord, sameFile = false) => buildCorpus(sameFile ? [file('a.json', [a, b])] : [file('a.json', [a]), file('b.json', [b])]);

    it('never merges two records of one file, not even with the same DOI and title', () => {
      const c = two(rec(1, 'Lee', 2021, T, { DOI: '10.1/abc', 'container-title': 'J' }), rec(2, 'Lee', 2021, T, { DOI: '10.1/ABC', 'container-title': 'J' }), true);
      assert.strictEqual(c.works.length, 2);
      assert.deepStrictEqual(c.problems, []);
    });

    it('across files: the same valid DOI and compatible titles (case, punctuation, a subtitle dropped)', () => {
      const c = two(rec(1, 'Lee', 2021, T, { DOI: 'https://doi.org/10.1/ABC' }), rec(5, 'Lee', 2022, 'A LONG enough title, for merging works: the sequel', { DOI: '10.1/abc' }));
      assert.strictEqual(c.works.length, 1);
      assert.deepStrictEqual(c.works[0]['x-corpus'].sources.map((s) => `${s.file}:${s.line}`), ['a.json:1', 'b.json:5']);
    });

    it('the same DOI on different titles is kept apart, with a warning on each line', () => {
      const c = two(rec(1, 'Lee', 2021, T, { DOI: '10.1/abc' }), rec(2, 'Lee', 2021, 'Something else entirely different', { DOI: '10.1/ABC' }));
      assert.strictEqual(c.works.length, 2);
      assert.deepStrictEqual(
        c.problems.map((p) => `${p.file}:${p.line}:${p.severity}`),
        ['a.json:1:warning', 'b.json:2:warning'],
      );
      assert.match(c.problems[0].message, /Same DOI 10\.1\/abc as the record at b\.json:2, but a different title; kept them apart/);
    });

    it('without a DOI, across files: title, year, first author and venue all agreeing, and nothing against it', () => {
      const base = { 'container-title': 'Journal of Things', volume: '2', issue: '3', page: '10-20' };
      assert.strictEqual(two(rec(1, 'Lee', 2021, T, base), rec(1, 'Lee', 2021, T.toUpperCase(), { ...base, page: '10–20' })).works.length, 1);
      assert.strictEqual(two(rec(1, 'Lee', 2021, T, base), rec(1, 'Lee', 2021, T, { 'container-title': 'Journal of Things' })).works.length, 1, 'missing details say nothing against it');
      for (const [what, other] of [
        ['no year', rec(1, 'Lee', undefined, T, base)],
        ['another year', rec(1, 'Lee', 2020, T, base)],
        ['another first author', rec(1, 'Kim', 2021, T, base)],
        ['no venue', rec(1, 'Lee', 2021, T, {})],
        ['another venue', rec(1, 'Lee', 2021, T, { ...base, 'container-title': 'Other Journal' })],
        ['another issue', rec(1, 'Lee', 2021, T, { ...base, issue: '2' })],
        ['another volume', rec(1, 'Lee', 2021, T, { ...base, volume: '3' })],
        ['other pages', rec(1, 'Lee', 2021, T, { ...base, page: '30-40' })],
        ['another type', { ...rec(1, 'Lee', 2021, T, base), csl: { ...rec(1, 'Lee', 2021, T, base).csl, type: 'chapter' } }],
        ['different DOIs', rec(1, 'Lee', 2021, T, { ...base, DOI: '10.1/other' })],
      ] as [string, ParsedRecord][]) {
        const c = two(rec(1, 'Lee', 2021, T, { ...base, ...(what === 'different DOIs' ? { DOI: '10.1/abc' } : {}) }), other);
        assert.strictEqual(c.works.length, 2, what);
      }
    });

    it('a chain of matches never puts two records of one file in one work', () => {
      // b.json's record matches both of a.json's (same DOI and title): it joins one of them only.
      const c = buildCorpus([file('a.json', [rec(1, 'Lee', 2021, T, { DOI: '10.1/abc' }), rec(2, 'Lee', 2021, T, { DOI: '10.1/abc' })]), file('b.json', [rec(1, 'Lee', 2021, T, { DOI: '10.1/abc' })])]);
      assert.strictEqual(c.works.length, 2);
      for (const w of c.works) {
        const files = w['x-corpus'].sources.map((s) => s.file);
        assert.strictEqual(new Set(files).size, files.length, JSON.stringify(files));
      }
    });
  });

  it('a cited stub joins the one record with the same first author, year and compatible co-authors', () => {
    const citing: ParsedRecord = { ...rec(1, 'Citer', 2024, 'Citing paper'), textBlocks: [{ text: 'As shown (Lee & Park, 2021). Others differ (Lee & Cho, 2021).', line: 5 }] };
    const target: ParsedRecord = { line: 1, csl: { type: 'article-journal', title: 'Target', author: [{ family: 'Lee', given: 'J.' }, { family: 'Park', given: 'S.' }], issued: { 'date-parts': [[2021]] } }, fieldLines: {} };
    const c = buildCorpus([file('a.json', [citing]), file('b.json', [target])]);
    const t = c.works.find((w) => w.title === 'Target')!;
    assert.strictEqual(t['x-corpus'].kind, 'record');
    assert.deepStrictEqual(t['x-corpus'].citedBy, ['citer2024']);
    assert.strictEqual(t['x-corpus'].contexts[0].text, '(Lee & Park, 2021)');
    const other = c.works.filter((w) => w['x-corpus'].kind === 'cited');
    assert.deepStrictEqual(other.map((w) => w.author!.map((a) => a.family)), [['Lee', 'Cho']], 'Lee & Cho is another team');
    assert.deepStrictEqual(c.works.map((w) => w['citation-label']).sort(), ['Citer 2024', 'Lee 2021a', 'Lee 2021b']);
  });

  describe('the citekeys of the user’s own exports', () => {
    const bib = (key: string, family: string, year: number, title: string) => `@article{${key},\n  title = {${title}},\n  author = {${family}, Ann},\n  year = {${year}}\n}\n`;

    it('a BibTeX key or CSL-JSON id is the work’s id (Pandoc resolves the same .bib so); the label stays author and year', () => {
      const c = buildCorpus([
        parseText(bib('smithSharedValues2020', 'Smith', 2020, 'Shared values') + bib('jones_2019_care', 'Jones', 2019, 'Care'), '/lib/zotero.bib'),
        parseText(JSON.stringify([{ id: 'Müller:2018', type: 'book', title: 'Genesung', author: [{ family: 'Müller' }], issued: { 'date-parts': [[2018]] } }]), '/lib/items.csl.json'),
      ]);
      assert.deepStrictEqual(c.works.map((w) => `${w['citation-label']}|${w.id}`).sort(), ['Jones 2019|jones_2019_care', 'Müller 2018|Müller:2018', 'Smith 2020|smithSharedValues2020']);
      for (const w of c.works) WorkSchema.parse(w);
      // Written in a manuscript, the key resolves; typed in completion, its prefix finds it.
      const lookup = new WorkLookup(c.works);
      assert.deepStrictEqual(resolveManuscript('As shown [@smithSharedValues2020; @jones_2019_care, p. 4].', lookup).flatMap((r) => r.works), ['smithSharedValues2020', 'jones_2019_care']);
      assert.strictEqual(SearchIndex.build(c.works).search('smithshared', 5).results[0]?.work.id, 'smithSharedValues2020');
    });

    it('a key two different works claim goes, as in Pandoc, to the later entry, with a warning; a made-up id a key holds moves to the next letter', () => {
      const page = { line: 1, csl: { type: 'article-journal', title: 'Page record', author: [{ family: 'Voronka', given: 'J.' }], issued: { 'date-parts': [[2019]] } }, fieldLines: {} } satisfies ParsedRecord;
      const files = [
        parseText(bib('voronka2019', 'Other', 2001, 'Keyed elsewhere') + bib('dup', 'Alpha', 2010, 'First'), '/lib/a.bib'),
        parseText(bib('dup', 'Beta', 2011, 'Second'), '/lib/b.bib'),
        { file: '/pages/p.txt', format: 'scienceopen', records: [page], problems: [] } satisfies ParsedFile,
      ];
      for (const order of [files, files.slice().reverse()]) {
        const c = buildCorpus(order);
        assert.deepStrictEqual(labels2(c), { 'Keyed elsewhere': 'voronka2019', First: 'alpha2010', Second: 'dup', 'Page record': 'voronka2019a' });
        assert.deepStrictEqual(
          c.problems.map((p) => `${p.file}:${p.line}: ${p.message}`),
          ['/lib/a.bib:6: The key dup is also the key of a different entry (/lib/b.bib:1); @dup refers to that one.'],
        );
      }
      // In one file, too, the later entry has the key (the parser warns about the repetition).
      const one = buildCorpus([parseText(bib('dup', 'Alpha', 2010, 'First') + bib('dup', 'Beta', 2011, 'Second'), '/lib/c.bib')]);
      assert.deepStrictEqual(labels2(one), { First: 'alpha2010', Second: 'dup' });
    });

    it('a work merged from records with different keys keeps every key: the first as id, the others as aliases', () => {
      const a = `@article{smith:values,\n  title = {Shared values},\n  author = {Smith, Ann},\n  year = {2020},\n  doi = {10.1/x}\n}\n`;
      const b = JSON.stringify([{ id: 'SmithSharedValues2020', type: 'article-journal', title: 'Shared Values', DOI: '10.1/X', author: [{ family: 'Smith', given: 'Ann' }], issued: { 'date-parts': [[2020]] } }]);
      const c = buildCorpus([parseText(a, '/lib/a.bib'), parseText(b, '/lib/b.json')]);
      assert.strictEqual(c.works.length, 1);
      const w = c.works[0];
      assert.strictEqual(w.id, 'smith:values');
      assert.deepStrictEqual(w['x-corpus'].aliases, ['SmithSharedValues2020']);
      assert.deepStrictEqual(w['x-corpus'].sources.map((s) => s.key), ['smith:values', 'SmithSharedValues2020']);
      WorkSchema.parse(w);
      assert.strictEqual(c.byId.get('SmithSharedValues2020'), w);
      const lookup = new WorkLookup(c.works);
      assert.deepStrictEqual(resolveManuscript('As shown [@smith:values; @SmithSharedValues2020].', lookup).map((r) => r.works), [['smith:values'], ['smith:values']]);
    });

    it('the same work in a .bib and a page record merges under the .bib key', () => {
      const page = { line: 1, csl: { type: 'article-journal', title: 'Shared values', DOI: '10.1/x', author: [{ family: 'Smith', given: 'A.' }], issued: { 'date-parts': [[2020]] } }, fieldLines: {} } satisfies ParsedRecord;
      const keyed = `@article{sv2020,\n  title = {Shared values},\n  author = {Smith, Ann},\n  year = {2020},\n  doi = {10.1/x}\n}\n`;
      const c = buildCorpus([{ file: '/pages/p.txt', format: 'scienceopen', records: [page], problems: [] }, parseText(keyed, '/lib/a.bib')]);
      assert.deepStrictEqual(c.works.map((w) => w.id), ['sv2020']);
    });

    it('an author list ending in "and others" marks the work et al.', () => {
      const c = buildCorpus([parseText('@article{big2019,\n  title = {Many hands},\n  author = {Ahmed, Ann and Berg, Bo and others},\n  year = {2019}\n}\n', '/lib/a.bib')]);
      const w = c.works[0];
      assert.strictEqual(w['x-corpus'].etAl, true);
      assert.strictEqual(formatCitation(w, 'authorDate', { insideBrackets: false }), '(Ahmed et al., 2019)');
      const two = buildCorpus([parseText('@article{two2019,\n  title = {Two hands},\n  author = {Ahmed, Ann and Berg, Bo},\n  year = {2019}\n}\n', '/lib/b.bib')]).works[0];
      assert.strictEqual(two['x-corpus'].etAl, undefined);
      assert.strictEqual(formatCitation(two, 'authorDate', { insideBrackets: false }), '(Ahmed & Berg, 2019)');
    });

    it('reference-manager numbers, URLs and keys with spaces are not citekeys', () => {
      for (const k of ['42', 'http://zotero.org/users/1/items/AB12', 'has space', 'a{b}', '']) assert.strictEqual(isCitekey(k), false, k);
      for (const k of ['smith2020', 'Smith2020a', 'doe:2019:x', 'müller_2018', '_x1', 'a/b', 'zhang_', 'ANSI:phigs+', 'trailing.', '[x]']) assert.strictEqual(isCitekey(k), true, k);
      // Pandoc resolves any key of a .bib, numbers and URLs too.
      for (const k of ['42', 'http://example.org/x']) assert.strictEqual(isCitekey(k, 'bibtex'), true, k);
      assert.strictEqual(isCitekey('has space', 'bibtex'), false);
    });
  });
});

function labels2(c: ReturnType<typeof buildCorpus>): Record<string, string> {
  return Object.fromEntries(c.works.filter((w) => w['x-corpus'].kind === 'record').map((w) => [w.title, w.id]));
}

