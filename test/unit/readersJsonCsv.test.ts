/**
 * The CSV, DataCite and OpenAlex readers, the stricter CSL-JSON sniffing, RIS's author order /
 * DOI / date rules and BibTeX's fjournal: on fixtures written for this project
 * (fixtures/formats/) and on the real samples in ../shared/format-samples (Zotero's readings).
 */
import * as assert from 'assert';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { buildCorpus } from '../../src/core/build/corpus';
import { ParsedFileSchema, type ParsedFile } from '../../src/core/model/model';
import { parseBibtex } from '../../src/core/parsers/bibtex';
import { parseCsv, parseScopusReference, splitAuthors } from '../../src/core/parsers/csv';
import { parseDataCite } from '../../src/core/parsers/datacite';
import { parseText, sniffFormat } from '../../src/core/parsers/index';
import { abstractFromInvertedIndex, parseOpenAlex } from '../../src/core/parsers/openalex';
import { parseRis } from '../../src/core/parsers/ris';
import { parseEmerald } from '../../src/core/parsers/emerald';
import { parseScienceOpen } from '../../src/core/parsers/scienceOpen';
import { compareFormat, formatReport, listSamples } from './helpers/formatSamples';
import { ROOT } from './helpers/corpus';

const FORMATS = path.join(ROOT, 'fixtures', 'formats');
/**
 * The CSV/TSV fixtures sit in fixtures/csv/ for now: the folder walk does not take `.csv`/`.tsv`
 * yet (another change of issue 10), and tests that index all of fixtures/formats count its files.
 */
const CSV = path.join(ROOT, 'fixtures', 'csv');
const read = (name: string) => fs.readFileSync(path.join(/\.(?:csv|tsv)$/.test(name) ? CSV : FORMATS, name), 'utf8');
const parse = (name: string): ParsedFile => ParsedFileSchema.parse(parseText(read(name), name));

describe('readers: CSV, DataCite, OpenAlex, CSL-JSON sniffing, RIS rules', () => {
  describe('sniffing by content', () => {
    it('each fixture goes to its reader; JSON that is none of them is one problem, no work', () => {
      const expect: Record<string, string | undefined> = {
        'scopus-export.csv': 'csv',
        'semicolon-export.csv': 'csv',
        'lens-export.tsv': 'csv',
        'datacite-single.json': 'datacite-json',
        'datacite-list.json': 'datacite-json',
        'datacite-api.json': 'datacite-json',
        'openalex-results.json': 'openalex-json',
        'openalex-single.json': 'openalex-json',
        'items.csl.json': 'csl-json',
      };
      for (const [name, format] of Object.entries(expect)) assert.strictEqual(parse(name).format, format, name);
      const neither = parse('neither.json');
      assert.strictEqual(neither.format, undefined);
      assert.strictEqual(neither.records.length, 0);
      assert.strictEqual(neither.problems.length, 1);
      assert.match(neither.problems[0].message, /^Not a recognised corpus format/);
    });
    it('an id alone or a title alone is not CSL-JSON; a CSL type or variable is', () => {
      for (const text of ['[{"id": "a"}]', '[{"title": "T"}]', '{"id": 1, "title": "T", "version": "2", "license": "MIT"}', '{"type": "FeatureCollection", "title": "Map", "features": []}']) {
        const out = parseText(text, 'x.json');
        assert.strictEqual(out.records.length, 0, text);
        assert.match(out.problems[0]?.message ?? '', /^Not a recognised corpus format/, text);
      }
      for (const text of ['[{"id": "a", "type": "book"}]', '[{"title": "T", "DOI": "10.1/x"}]', '[{"id": "a", "author": [{"family": "X"}]}]']) {
        assert.strictEqual(parseText(text, 'x.json').records.length, 1, text);
      }
    });
    it('a plain CSV without bibliographic columns is not read as a corpus', () => {
      assert.strictEqual(sniffFormat('id,name,score\n1,a,2\n'), undefined);
      assert.strictEqual(sniffFormat('Title,Comment\nx,y\n'), undefined);
    });
  });

  describe('CSV', () => {
    it('Scopus: BOM, quoted fields with embedded newlines and quotes, full names with ids, pages, keywords', () => {
      const out = parse('scopus-export.csv');
      assert.deepStrictEqual(out.records.map((r) => r.line), [2, 4, 7]);
      const [a, b, c] = out.records;
      assert.deepStrictEqual(a.csl.author, [{ family: 'Voronka', given: 'Jijian' }, { family: 'Grant', given: 'Jill' }]);
      assert.deepStrictEqual([a.csl['container-title'], a.csl['container-title-short'], a.csl.volume, a.csl.issue, a.csl.page], ['Social Work Education', 'Soc. Work Educ.', '41', '5', '977-992']);
      assert.deepStrictEqual([a.csl.DOI, a.csl.PMID, a.csl.ISSN, a.csl.issued], ['10.1080/02615479.2021.1908251', '33987654', '0261-5479', { 'date-parts': [[2022]] }]);
      assert.match(a.csl.abstract ?? '', /\(Beresford, 2013\)\. This paper asks what it does, "and for whom"/);
      assert.strictEqual(a.csl.keyword, 'storytelling, service users, social work education, Education, Social Work');
      assert.strictEqual(a.sourceKey, '2-s2.0-85104');
      // Old and new Scopus reference styles both become reference children.
      assert.deepStrictEqual(
        a.children?.map((ch) => [ch.relation, ch.record.csl.title, ch.record.csl.author?.map((n) => n.family), ch.record.csl.issued, ch.record.csl['container-title']]),
        [
          ['reference', 'Service user involvement in social work education', ['Beresford'], { 'date-parts': [[2013]] }, 'Social Work Education'],
          ['reference', 'Recovering our stories: A small act of resistance', ['Costa', 'Voronka', 'Landry'], { 'date-parts': [[2012]] }, 'Studies in Social Justice'],
        ],
      );
      // "Smith J., Doe A.-B." (comma-separated, pre-2023 Scopus); doi: prefix cleaned; article number as page.
      assert.deepStrictEqual(b.csl.author, [{ family: 'Smith', given: 'J.' }, { family: 'Doe', given: 'A.-B.' }]);
      assert.deepStrictEqual([b.csl.DOI, b.csl.page, b.csl.abstract, b.csl.type], ['10.1000/xyz.2019.1', 'e1234', undefined, 'article-journal']);
      assert.deepStrictEqual([c.csl.type, c.csl.page, c.csl.author?.map((n) => n.family)], ['paper-conference', '10', ['Müller', 'Østergaard']]);
      assert.deepStrictEqual(out.problems.map((p) => [p.line, p.severity]), [[6, 'warning']]);
      assert.match(out.problems[0].message, /no title/);
    });
    it('semicolon delimiter sniffed; a quoted semicolon stays in its field', () => {
      const out = parse('semicolon-export.csv');
      assert.deepStrictEqual(out.records.map((r) => r.csl.title), ['Peer support in mental health: a review; with a semicolon', 'Recovery narratives']);
      assert.deepStrictEqual(out.records[0].csl.author, [{ family: 'Adams', given: 'R.' }, { family: 'Brown', given: 'S.' }]);
      assert.deepStrictEqual([out.records[1].csl.page, out.records[1].csl.DOI], ['300-310', undefined]);
    });
    it('Lens TSV: full date, "Given Family" authors; reference ids are not made into works', () => {
      const r = parse('lens-export.tsv').records[0];
      assert.deepStrictEqual(r.csl.issued, { 'date-parts': [[2021, 3, 15]] });
      assert.deepStrictEqual(r.csl.author, [{ given: 'Anna', family: 'Lee' }, { given: 'Mark', family: "O'Brien" }]);
      assert.strictEqual(r.children, undefined);
      assert.strictEqual(r.extra?.referenceCount, '2');
    });
    it('author lists in their export styles', () => {
      const fam = (s: string) => splitAuthors(s).map((n) => `${n.family}/${n.given ?? ''}`);
      assert.deepStrictEqual(fam('Smith J.; Doe A.'), ['Smith/J.', 'Doe/A.']);
      assert.deepStrictEqual(fam('Smith, J.; Doe, A.'), ['Smith/J.', 'Doe/A.']);
      assert.deepStrictEqual(fam('Smith J., Doe A.B.'), ['Smith/J.', 'Doe/A.B.']);
      assert.deepStrictEqual(fam('Smith, J., Doe, A.'), ['Smith/J.', 'Doe/A.']);
      assert.deepStrictEqual(fam('Smith, John'), ['Smith/John']);
      assert.deepStrictEqual(fam('[No author name available]'), []);
    });
    it('a reference without a year, or with neither author nor title, is not a work', () => {
      assert.strictEqual(parseScopusReference('Some unnumbered note, Journal', 1), undefined);
      assert.strictEqual(parseScopusReference('(2019)', 1), undefined);
    });
    it('an unclosed quote: one problem with its line, the rows before it kept', () => {
      const out = ParsedFileSchema.parse(parseCsv('Title,Authors,Year,DOI\nGood one,"Smith, J.",2020,\nBad "one,"Doe, A.,2021,\nNever seen,X,2022,\n', 'q.csv'));
      assert.deepStrictEqual(out.records.map((r) => r.csl.title), ['Good one']);
      assert.strictEqual(out.problems[0].severity, 'error');
      assert.ok(out.problems[0].line >= 3, String(out.problems[0].line));
    });
    it('CRLF line ends count lines like LF', () => {
      const out = parseCsv('Title,Authors,Year\r\n"A\r\nB",X,2020\r\nC,Y,2021\r\n', 'crlf.csv');
      assert.deepStrictEqual(out.records.map((r) => [r.line, r.csl.title]), [[2, 'A B'], [4, 'C']]);
    });
  });

  describe('DataCite', () => {
    it('one record: title with subtitle, translated title, personal/organisational/untyped creators, Issued date', () => {
      const out = parse('datacite-single.json');
      const [r] = out.records;
      assert.strictEqual(r.csl.title, "Peer workers' accounts of recovery: Interview data, 2019-2021");
      assert.strictEqual(r.translatedTitle, 'Berättelser om återhämtning');
      assert.deepStrictEqual(r.csl.author, [{ family: 'Okafor', given: 'Chiamaka' }, { literal: 'Mad Studies Network' }, { family: 'Lindqvist', given: 'Erik' }]);
      assert.deepStrictEqual([r.csl.type, r.csl.issued, r.csl.publisher, r.csl.DOI, r.csl.keyword], ['dataset', { 'date-parts': [[2022, 4, 1]] }, 'Zenodo', '10.5281/ZENODO.1234567', 'peer support, recovery']);
      assert.strictEqual(r.extra?.relatedIdentifiers, 'IsSupplementTo 10.1000/paper.1');
      assert.strictEqual(r.children, undefined);
      // The abstract's citation is extracted as for the seeds.
      const corpus = buildCorpus([out]);
      assert.ok(corpus.works.some((w) => w['x-corpus'].kind === 'cited' && w.author?.[0]?.family === 'Okafor' && w.issued?.['date-parts']?.[0]?.[0] === 2020));
    });
    it('a list: a non-DataCite item is one problem with its line; a chapter takes its book from relatedItems', () => {
      const out = parse('datacite-list.json');
      assert.deepStrictEqual(out.records.map((r) => [r.line, r.csl.type]), [[2, 'software'], [11, 'chapter']]);
      assert.deepStrictEqual(out.problems.map((p) => p.line), [10]);
      const ch = out.records[1].csl;
      assert.deepStrictEqual([ch['container-title'], ch.page, ch.publisher, ch.issued], ['Handbook of Mad Studies', '45-60', 'Routledge', { 'date-parts': [[2021]] }]);
    });
    it("the REST API's {data: [...]} envelope", () => {
      const out = parse('datacite-api.json');
      assert.deepStrictEqual(out.records.map((r) => [r.line, r.csl.title, r.csl.type]), [[3, 'A preprint about peer support', 'article'], [15, 'Survey responses of carers', 'dataset']]);
      const one = parseDataCite(JSON.stringify({ data: { id: 'x', attributes: { titles: [{ title: 'One' }], creators: [], publicationYear: 2000 } } }), 'one.json');
      assert.deepStrictEqual(one.records.map((r) => r.csl.title), ['One']);
    });
    it('broken JSON: one error with its line', () => {
      const out = parseDataCite('{\n "titles": [\n {"title": "x"\n', 'b.json');
      assert.deepStrictEqual([out.records.length, out.problems.length, out.problems[0].severity], [0, 1, 'error']);
    });
  });

  describe('OpenAlex', () => {
    it('results page: authors, date, journal, biblio, ids, abstract from the inverted index, concepts', () => {
      const out = parse('openalex-results.json');
      assert.deepStrictEqual(out.records.map((r) => r.line), [4, 24]);
      const r = out.records[0];
      assert.deepStrictEqual(r.csl.author, [{ given: 'Hannah', family: 'Wright' }, { given: 'Tomás', family: 'de la Cruz' }]);
      assert.deepStrictEqual([r.csl.issued, r.csl['container-title'], r.csl.volume, r.csl.issue, r.csl.page], [{ 'date-parts': [[2020, 6, 2]] }, 'Journal of Recovery Studies', '8', '2', '101-119']);
      assert.deepStrictEqual([r.csl.DOI, r.csl.PMID, r.csl.PMCID, r.csl.ISSN], ['10.1000/peer.2020.5', '32111222', 'PMC7000001', '1234-5678']);
      assert.strictEqual(r.csl.abstract, 'Peer work is political (Beresford, 2013).');
      assert.strictEqual(r.csl.keyword, 'Peer support'); // the 0.2 concept is left out
      assert.deepStrictEqual(r.extra, { openalex: 'W3001', citationCount: '14', referencedWorks: 'W11 W12', referenceCount: '2' });
      assert.strictEqual(r.children, undefined); // bare ids would be nameless works
      const t = out.records[1];
      assert.deepStrictEqual([t.csl.title, t.csl.type, t.csl.DOI], ['Untitled but displayed', 'thesis', undefined]);
    });
    it('one work: chapter type, equal first/last page is one page, keywords', () => {
      const r = parse('openalex-single.json').records[0];
      assert.deepStrictEqual([r.csl.type, r.csl.page, r.csl.keyword, r.csl.publisher], ['chapter', '33', 'Co-production', 'Routledge']);
    });
    it('the inverted index: words in position order; absurd positions ignored', () => {
      assert.strictEqual(abstractFromInvertedIndex({ b: [1, 3], a: [0, 2] }), 'a b a b');
      assert.strictEqual(abstractFromInvertedIndex({ x: [1e12, -1, 0.5] }), undefined);
      assert.strictEqual(abstractFromInvertedIndex(null), undefined);
    });
    it('an item of a list that is not a work is one problem; the others kept', () => {
      const out = parseOpenAlex('[\n{"id": "https://openalex.org/W1", "title": "A", "authorships": []},\n{"foo": 1}\n]', 'l.json');
      assert.deepStrictEqual([out.records.map((r) => r.line), out.problems.map((p) => p.line)], [[2], [3]]);
    });
  });

  describe('RIS rules', () => {
    it('authors in file order across A1 and AU; A2 editors, A3 series editors, A4 translators', () => {
      const r = parseRis('TY  - CHAP\nAU  - Zed, A.\nA1  - Young, B.\nAU  - Xu, C.\nA2  - Editor, E.\nA3  - Series, S.\nA4  - Trans, T.\nTI  - T\nER  - \n', 'a.ris').records[0];
      assert.deepStrictEqual(r.csl.author?.map((n) => n.family), ['Zed', 'Young', 'Xu']);
      assert.deepStrictEqual([r.csl.editor, r.csl['collection-editor'], r.csl.translator], [[{ family: 'Editor', given: 'E.' }], [{ family: 'Series', given: 'S.' }], [{ family: 'Trans', given: 'T.' }]]);
      const letter = parseRis('TY  - PCOMM\nA1  - Writer, W.\nA2  - Reader, R.\nTI  - L\nER  - \n', 'l.ris').records[0];
      assert.deepStrictEqual([letter.csl.editor, letter.csl.recipient], [undefined, [{ family: 'Reader', given: 'R.' }]]);
    });
    it('a DOI only with DOI syntax: placeholders dropped, prefixes and URLs cleaned; placeholders do not merge records', () => {
      const doi = (v: string) => parseRis(`TY  - JOUR\nTI  - T\nDO  - ${v}\nER  - \n`, 'd.ris').records[0].csl.DOI;
      assert.strictEqual(doi('DOI'), undefined);
      assert.strictEqual(doi('n/a'), undefined);
      assert.strictEqual(doi('doi:10.1000/abc'), '10.1000/abc');
      assert.strictEqual(doi('https://doi.org/10.1000/abc.'), '10.1000/abc');
      assert.strictEqual(doi('DOI 10.1000/xyz'), '10.1000/xyz');
      const two = parseRis('TY  - JOUR\nTI  - One\nAU  - A, B.\nDO  - DOI\nER  - \nTY  - JOUR\nTI  - Two\nAU  - C, D.\nDO  - DOI\nER  - \n', 'p.ris');
      assert.strictEqual(buildCorpus([two]).works.filter((w) => w['x-corpus'].kind === 'record').length, 2);
    });
    it('PY 0000 and year 0 are no date; DA only beside an agreeing PY, or alone; a web page\'s lone DA is its access date', () => {
      const rec = (body: string) => parseRis(`TY  - JOUR\nTI  - T\n${body}ER  - \n`, 'y.ris').records[0].csl;
      assert.strictEqual(rec('PY  - 0000\n').issued, undefined);
      assert.strictEqual(rec('PY  - 0000///\n').issued, undefined);
      assert.deepStrictEqual(rec('PY  - 2019\nDA  - 2019/05/15\n').issued, { 'date-parts': [[2019, 5, 15]] });
      assert.deepStrictEqual(rec('PY  - 2019\nDA  - 2021/01/02\n').issued, { 'date-parts': [[2019]] });
      assert.deepStrictEqual(rec('DA  - 2018/03\n').issued, { 'date-parts': [[2018, 3]] });
      const web = parseRis('TY  - ELEC\nTI  - W\nDA  - 2024/02/01\nER  - \n', 'w.ris').records[0].csl;
      assert.deepStrictEqual([web.issued, web.accessed], [undefined, { 'date-parts': [[2024, 2, 1]] }]);
    });
  });

  it('BibTeX fjournal (MathSciNet) is the journal, journal its short form', () => {
    const out = parseBibtex('@article{k,\n  author = {Doe, Jane},\n  title = {On things},\n  journal = {Ann. of Math. (2)},\n  fjournal = {Annals of Mathematics. Second Series},\n  year = {1999}\n}\n', 'm.bib');
    const csl = out.records[0].csl;
    assert.deepStrictEqual([csl['container-title'], csl['container-title-short']], ['Annals of Mathematics. Second Series', 'Ann. of Math. (2)']);
    assert.strictEqual(out.records[0].fieldLines['container-title'], 5);
    const plain = parseBibtex('@article{k, title = {T}, journal = {J. Things}, year = 2000}', 'p.bib').records[0].csl;
    assert.deepStrictEqual([plain['container-title'], plain['container-title-short']], ['J. Things', undefined]);
  });

  it('a ScienceOpen page without funding, page count, custom metadata or references keeps its keywords', () => {
    const text = fs.readFileSync(path.join(ROOT, 'fixtures', 'varied', 'scienceopen-no-custom-metadata.txt'), 'utf8');
    const out = ParsedFileSchema.parse(parseScienceOpen(text, 'so.txt'));
    const r = out.records[0];
    assert.strictEqual(r.csl.keyword, 'crisis care, peer support, mental health services, qualitative research');
    assert.strictEqual(r.fieldLines.keyword, text.split('\n').findIndex((l) => l.includes('crisis care,')) + 1);
    assert.strictEqual(r.extra?.categories, 'Original Article');
    assert.deepStrictEqual([r.csl.volume, r.csl.issue, r.csl.page, r.csl.DOI, r.csl.PMID, r.children], ['25', '3', '1010-1019', '10.1111/hex.13460', '35238123', undefined]);
    assert.deepStrictEqual(r.csl.author, [{ given: 'Aisha', family: 'Rahman' }]);
    // Without a keyword line at all, the licence sentence or a category is never taken for one.
    const none = parseScienceOpen(text.replace(/^.*crisis care,.*$/m, ''), 'so.txt').records[0];
    assert.strictEqual(none.csl.keyword, undefined);
  });

  it('an Emerald page without Author/Subject Matter/Date headers takes its authors from the byline', () => {
    const text = fs.readFileSync(path.join(ROOT, 'fixtures', 'varied', 'emerald-no-author-header.txt'), 'utf8');
    const r = ParsedFileSchema.parse(parseEmerald(text, 'em.txt')).records[0];
    assert.deepStrictEqual(r.csl.author, [{ given: 'Lucía', family: 'Fernández' }, { given: 'Owen', family: 'Pryce' }, { given: 'Grace', family: 'Adeyemi' }]);
    assert.strictEqual(r.fieldLines.author, 6);
    assert.deepStrictEqual([r.csl.keyword, r.csl.page, r.csl.volume, r.csl.issue, r.csl['container-title']], [undefined, '14-20', '23', '1', 'Journal of Forensic Practice']);
    assert.match(r.csl.abstract ?? '', /^Peer workers are now employed/); // byline and repeated title are not body text
    // A first body line that is a sentence is not a byline.
    const noByline = parseEmerald(text.replace(/^Lucía.*\n/m, 'Peer work is growing in secure care.\n'), 'em.txt').records[0];
    assert.strictEqual(noByline.csl.author, undefined);
  });

  describe('real samples compared with Zotero', function () {
    this.timeout(60_000);
    /**
     * Differences where Zotero guesses and our reading is better, left out of the figures:
     * - datacite 05: Zotero keeps `sizes: "42-79 Seiten"` as the pages; we read the range 42-79.
     * - datacite 07: Zotero takes container.firstPage, which holds the journal's name again, as pages.
     * - ris 03 #8 (CHAP): Zotero's publicationTitle is J2 (the abbreviation); our container is T2, the book title.
     * - ris 05 #7, #8, #27: placeholder `A1  - Monographic Author` without a comma: Zotero keeps the
     *   whole as a last name; we read "Given Family", as for real `AU  - John Smith` lines.
     */
    const GUESSES = new Set(['datacite-json/05.json#1 pages', 'datacite-json/07.json#1 pages', 'ris/03.ris#8 journal', 'ris/05.ris#7 authors', 'ris/05.ris#8 authors', 'ris/05.ris#27 authors']);
    for (const format of ['datacite-json', 'openalex-json', 'ris']) {
      it(`${format}: every file recognised, none lost or merged, ≥ 97 % of fields agree`, function () {
        if (!listSamples(format).length) this.skip();
        const r = compareFormat(format);
        console.log(formatReport(format, r));
        let excluded = 0;
        for (const rep of r.reports) {
          for (const d of rep.differences) if (GUESSES.has(`${d.item.split(' ')[0]} ${d.field}`)) excluded++;
        }
        assert.deepStrictEqual([r.unrecognised, r.lost, r.merged], [[], [], []]);
        const pct = (100 * r.agreed) / (r.compared - excluded);
        assert.ok(pct >= 97, `${format}: ${pct.toFixed(1)} % of ${r.compared - excluded} fields (after ${excluded} Zotero guesses)`);
        for (const rep of r.reports) assert.strictEqual(rep.format, format, rep.input);
      });
    }
  });

  describe('fuzz', function () {
    this.timeout(120_000);
    const texts = [...fs.readdirSync(FORMATS), ...fs.readdirSync(CSV)].filter((f) => /\.(csv|tsv|json)$/.test(f)).map(read);
    const noise = fc.array(fc.oneof(fc.constantFrom('"', ',', ';', '\t', '\n', '\r\n', '{', '}', '[', ']', ':', '\\', '\uFEFF', '10.1000/x', '(2019)', '; ', 'null', '"titles":', '"results":'), fc.string({ maxLength: 10 })), { maxLength: 80 }).map((a) => a.join(''));
    const mutated = fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.nat(), noise).map(([s, a, b, n]) => {
      const i = a % (s.length + 1);
      return s.slice(0, i) + n + s.slice(Math.min(s.length, i + (b % 300)));
    });
    for (const [name, parseFn] of Object.entries({ parseCsv, parseDataCite, parseOpenAlex })) {
      it(`${name} never throws and always validates`, () => {
        fc.assert(
          fc.property(fc.oneof(mutated, noise), (text) => {
            const out = ParsedFileSchema.parse(parseFn(text, 'fuzz.txt'));
            for (const r of out.records) assert.ok(r.line >= 1);
          }),
          { seed: 20261202, numRuns: 200 },
        );
      });
    }
  });
});
