import * as assert from 'assert';
import { buildCorpus } from '../../src/core/corpus';
import { isCitekey } from '../../src/core/keys';
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
  it('merges the same DOI, and the same title with compatible years, but not different DOIs', () => {
    const c = buildCorpus([
      file('a.json', [rec(1, 'Lee', 2021, 'A long enough title for merging works', { DOI: '10.1/ABC' }), rec(2, 'Lee', 2021, 'Something else entirely different', { DOI: '10.1/abc' })]),
      file('b.json', [rec(1, 'Lee', undefined, 'A LONG enough title, for merging works!'), rec(2, 'Kim', 2019, 'A long enough title for merging works', { DOI: '10.1/other' })]),
    ]);
    assert.strictEqual(c.works.length, 2);
    const merged = c.works.find((w) => w['x-corpus'].sources.length === 3)!;
    assert.strictEqual(merged.id, 'lee2021');
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

    it('a key two different works claim goes to neither; a made-up id a key holds moves to the next letter', () => {
      const page = { line: 1, csl: { type: 'article-journal', title: 'Page record', author: [{ family: 'Voronka', given: 'J.' }], issued: { 'date-parts': [[2019]] } }, fieldLines: {} } satisfies ParsedRecord;
      const c = buildCorpus([
        parseText(bib('voronka2019', 'Other', 2001, 'Keyed elsewhere') + bib('dup', 'Alpha', 2010, 'First'), '/lib/a.bib'),
        parseText(bib('dup', 'Beta', 2011, 'Second'), '/lib/b.bib'),
        { file: '/pages/p.txt', format: 'scienceopen', records: [page], problems: [] },
      ]);
      assert.deepStrictEqual(labels2(c), { 'Keyed elsewhere': 'voronka2019', First: 'alpha2010', Second: 'beta2011', 'Page record': 'voronka2019a' });
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

