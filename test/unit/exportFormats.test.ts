/**
 * The ordinary export formats — BibTeX/BibLaTeX, RIS, CSL-JSON — field by field, plus the ways
 * real files break: unbalanced braces, missing keys and ER lines, cut-off JSON.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { ParsedFileSchema, type ParsedFile, type ParsedRecord } from '../../src/core/model/model';
import { problemMessage } from '../../src/core/model/problemText';
import { englishText } from '../../src/core/format/render';
import { parseBibDate, parseBibtex, parseNames } from '../../src/core/parsers/bibtex';
import { parseCslJson } from '../../src/core/parsers/cslJson';
import { latexToUnicode } from '../../src/core/parsers/latex';
import { parseRis, parseRisDate } from '../../src/core/parsers/ris';

const ROOT = path.resolve(__dirname, '..', '..');
const FORMATS = path.join(ROOT, 'fixtures', 'formats');
const read = (name: string): string => fs.readFileSync(path.join(FORMATS, name), 'utf8');
const BENCH = '/work/shared/bench-data';

/** Every parser result must satisfy the contract. */
/**
 * The file checked against its schema, its problems as the English fields these tests compare
 * (each problem's l10n template and arguments, checked here to give back its message, are left out).
 */
function valid(r: ParsedFile): ParsedFile {
  ParsedFileSchema.parse(r);
  for (const p of r.problems) if (p.template !== undefined) assert.strictEqual(problemMessage(p, englishText), p.message, `template of ${p.message}`);
  return { ...r, problems: r.problems.map(({ template: _t, args: _a, ...p }) => p) };
}

function byKey(r: ParsedFile, key: string): ParsedRecord {
  const rec = r.records.find((x) => x.sourceKey === key);
  assert.ok(rec, `no record ${key} among ${r.records.map((x) => x.sourceKey).join(', ')}`);
  return rec;
}

describe('latexToUnicode', () => {
  const cases: [string, string][] = [
    ['{\\"u}ber', 'über'],
    ['\\"{u}', 'ü'],
    ["\\'e {\\'e}", 'é é'],
    ['\\c{c} \\v{s} \\~n \\^o', 'ç š ñ ô'],
    ['{\\aa} {\\o} {\\ss} {\\ae} \\AA{}', 'å ø ß æ Å'],
    ['\\aa rhus', 'århus'],
    ["Garc\\'{\\i}a", 'García'],
    ['Nguy{\\~{\\^e}}n', 'Nguyễn'],
    ['Fran\\c cois', 'François'],
    ['1990--2000, yes---no', '1990–2000, yes—no'],
    ['Donald~E. Knuth', 'Donald E. Knuth'],
    ['\\& \\% \\$ \\_ \\#', '& % $ _ #'],
    ['\\textit{in vitro} and \\emph{in vivo}, \\textbf{bold}', 'in vitro and in vivo, bold'],
    ['{{Optical Tracking}} with {ARToolKit}', 'Optical Tracking with ARToolKit'],
    ['Taylor {{\\&} Francis', 'Taylor & Francis'],
    ['Ga\\textendash{}Al', 'Ga–Al'],
    ['$\\mu$m and $10^{-3}$ and $\\alpha$-helix', 'μm and 10⁻³ and α-helix'],
    ["``quoted''", '“quoted”'],
    ['\\href{https://x.org}{the text}', 'the text'],
    ['\\url{https://a.org/~c_d}', 'https://a.org/~c_d'],
    ['{\\it Italic} and {\\bf bold}', 'Italic and bold'],
    ['  spaced \n\t out  ', 'spaced out'],
    ['Abu \\\\ Dhabi', 'Abu Dhabi'],
    ['The \\LaTeX{} Companion', 'The LaTeX Companion'],
    ['plain text, no markup', 'plain text, no markup'],
    ['\\unknowncommand{kept} text', 'kept text'],
    ['x\\', 'x'],
    ['{\\"{}}a', '¨a'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.strictEqual(latexToUnicode(input), expected);
    });
  }

  it('never throws and stays linear on arbitrary and pathological input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('\\', '{', '}', '"', "'", '~', '$', '-', 'a', 'i', ' ', '\n', 'c', '^', '_') }), (s) => {
        assert.strictEqual(typeof latexToUnicode(s), 'string');
      }),
      { numRuns: 500 },
    );
    const deep = '{'.repeat(200_000) + 'x' + '}'.repeat(200_000);
    const t0 = Date.now();
    assert.strictEqual(latexToUnicode(deep), 'x');
    assert.strictEqual(latexToUnicode('\\"'.repeat(100_000) + 'u').normalize('NFD').charAt(0), 'u');
    assert.ok(Date.now() - t0 < 2000, 'deep nesting took too long');
  });
});

describe('BibTeX names', () => {
  const cases: [string, object[], boolean][] = [
    ['Abawi, Daniel F and D{\\"o}rner, Ralf', [{ family: 'Abawi', given: 'Daniel F' }, { family: 'Dörner', given: 'Ralf' }], false],
    ['Ludwig van Beethoven', [{ given: 'Ludwig', 'non-dropping-particle': 'van', family: 'Beethoven' }], false],
    ['van der Berg, Anna', [{ 'non-dropping-particle': 'van der', family: 'Berg', given: 'Anna' }], false],
    ['Jean de La Fontaine', [{ given: 'Jean', 'non-dropping-particle': 'de', family: 'La Fontaine' }], false],
    ['Ford, Jr., Henry', [{ family: 'Ford', suffix: 'Jr.', given: 'Henry' }], false],
    ['{World Health Organization} and others', [{ literal: 'World Health Organization' }], true],
    ['{V{\\\'a}squez-Sancho}, Fabi{\\\'a}n', [{ family: 'Vásquez-Sancho', given: 'Fabián' }], false],
    ['D.~E. Knuth AND Aristotle', [{ given: 'D. E.', family: 'Knuth' }, { family: 'Aristotle' }], false],
    ['Fred {\\O}sterberg', [{ given: 'Fred', family: 'Østerberg' }], false],
    ['Foo {and} Bar', [{ given: 'Foo and', family: 'Bar' }], false],
    ['Smith, , John,', [{ family: 'Smith', given: 'John' }], false],
    [' and Smith and ', [{ family: 'Smith' }], false],
  ];
  for (const [input, names, etAl] of cases) {
    it(JSON.stringify(input), () => {
      assert.deepStrictEqual(parseNames(input), { names, etAl });
    });
  }
});

describe('BibTeX dates', () => {
  it('parses BibLaTeX dates, ranges and literals', () => {
    assert.deepStrictEqual(parseBibDate('2019-05-15'), { 'date-parts': [[2019, 5, 15]] });
    assert.deepStrictEqual(parseBibDate('{2019-05}'), { 'date-parts': [[2019, 5]] });
    assert.deepStrictEqual(parseBibDate('2019/2020'), { 'date-parts': [[2019], [2020]] });
    assert.deepStrictEqual(parseBibDate('2019-05-15T10:00:00'), { 'date-parts': [[2019, 5, 15]] });
    assert.deepStrictEqual(parseBibDate('forthcoming'), { literal: 'forthcoming' });
    assert.strictEqual(parseBibDate(' '), undefined);
  });
});

describe('parseBibtex: Zotero-style BibLaTeX file (BOM, CRLF, @string, accents)', () => {
  const r = valid(parseBibtex(read('zotero-biblatex.bib'), 'zotero-biblatex.bib'));

  it('indexes every entry and skips @string, @preamble and @comment without problems', () => {
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.format, 'bibtex');
    assert.deepStrictEqual(
      r.records.map((x) => [x.sourceKey, x.line, x.csl.type]),
      [
        ['mueller_2019_rhythms', 9, 'article-journal'],
        ['garcia_1967', 34, 'book'],
        ['Smith2015', 44, 'paper-conference'],
        ['nguyen_2021', 53, 'thesis'],
        ['who_2020', 61, 'webpage'],
      ],
    );
  });

  it('article: every BibLaTeX field', () => {
    const a = byKey(r, 'mueller_2019_rhythms');
    assert.deepStrictEqual(a.csl, {
      type: 'article-journal',
      title: 'Circadian Rhythms in Müller Cells: A étude',
      'title-short': 'Circadian Rhythms',
      author: [
        { family: 'Müller', given: 'Jörg' },
        { family: 'García Márquez', given: 'Gabriel' },
        { 'non-dropping-particle': 'van der', family: 'Berg', given: 'Anna' },
        { literal: 'World Health Organization' },
      ],
      'container-title': 'Journal of Biological Rhythms',
      'container-title-short': 'J. Biol. Rhythms',
      'publisher-place': 'Thousand Oaks, CA',
      volume: '34',
      issue: '3',
      page: '215-229',
      DOI: '10.1177/0748730419845432',
      URL: 'https://example.org/m_uller?x=1',
      PMID: '31084267',
      PMCID: 'PMC6537066',
      language: 'en',
      issued: { 'date-parts': [[2019, 5, 15]] },
      accessed: { 'date-parts': [[2020, 1, 31]] },
      keyword: 'circadian, retina, glia',
      abstract: 'Retinal glia keep time in vitro (Smith et al., 2015) and in vivo — a “clock”.',
    });
    assert.deepStrictEqual(a.textBlocks, [{ text: a.csl.abstract, line: 29 }]);
    assert.deepStrictEqual(a.extra, { eprint: 'arXiv:1905.01234', etAl: 'true' });
    // Lines of the BibTeX fields and of the CSL fields they became.
    assert.strictEqual(a.fieldLines.title, 10);
    assert.strictEqual(a.fieldLines.author, 13);
    assert.strictEqual(a.fieldLines.date, 14);
    assert.strictEqual(a.fieldLines.issued, 14);
    assert.strictEqual(a.fieldLines.journaltitle, 15);
    assert.strictEqual(a.fieldLines['container-title'], 15);
    assert.strictEqual(a.fieldLines.pages, 19);
    assert.strictEqual(a.fieldLines.page, 19);
    assert.strictEqual(a.fieldLines.doi, 20);
    assert.strictEqual(a.fieldLines.DOI, 20);
    assert.strictEqual(a.fieldLines.keyword, 27);
    assert.strictEqual(a.fieldLines.abstract, 29);
    assert.strictEqual(a.fieldLines.location, 31);
  });

  it('book: @string concatenation, month macro, year as a bare number', () => {
    const b = byKey(r, 'garcia_1967');
    assert.deepStrictEqual(b.csl, {
      type: 'book',
      title: 'Cien años de soledad',
      author: [{ family: 'García Márquez', given: 'Gabriel' }],
      publisher: 'Springer Editorial',
      'publisher-place': 'Buenos Aires',
      ISBN: '978-0-06-088328-7',
      issued: { 'date-parts': [[1967, 5]] },
    });
    assert.deepStrictEqual(b.fieldLines, {
      title: 35, author: 36, year: 37, month: 38, publisher: 39, address: 40, isbn: 41,
      'publisher-place': 40, ISBN: 41, issued: 37,
    });
  });

  it('inproceedings: upper-case type and field names, quoted values, Jr names', () => {
    const p = byKey(r, 'Smith2015');
    assert.deepStrictEqual(p.csl, {
      type: 'paper-conference',
      title: 'The ångström & the μm: a Çomparison',
      author: [{ family: 'Smith', given: 'John', suffix: 'Jr.' }, { family: 'Doe', given: 'Jane' }],
      'container-title': 'Proceedings of the 3rd Workshop on Naïve Physics',
      publisher: 'ACM',
      page: '1-10',
      issued: { 'date-parts': [[2015]] },
    });
  });

  it('thesis and online', () => {
    assert.deepStrictEqual(byKey(r, 'nguyen_2021').csl, {
      type: 'thesis',
      title: 'Phøtons and ß',
      author: [{ family: 'Nguyễn', given: 'Văn' }],
      publisher: 'Université de Montréal',
      genre: 'PhD thesis',
      issued: { 'date-parts': [[2021]] },
    });
    assert.deepStrictEqual(byKey(r, 'who_2020').csl, {
      type: 'webpage',
      title: 'Coronavirus Disease (COVID-19) Pandemic',
      author: [{ literal: 'World Health Organization' }],
      URL: 'https://www.who.int/emergencies/diseases/novel-coronavirus-2019',
      issued: { 'date-parts': [[2020]] },
      accessed: { 'date-parts': [[2020, 5, 1]] },
    });
  });

  it('gives the same lines with LF, CRLF and bare CR line ends', () => {
    const lf = read('zotero-biblatex.bib').replace(/\r\n/g, '\n');
    const cr = lf.replace(/\n/g, '\r');
    const strip = (x: ParsedFile) => x.records.map((rec) => [rec.line, rec.fieldLines, rec.csl.title]);
    assert.deepStrictEqual(strip(parseBibtex(lf, 'a')), strip(r));
    assert.deepStrictEqual(strip(parseBibtex(cr, 'a')), strip(r));
  });
});

describe('parseBibtex: malformed entries', () => {
  it('one broken entry among good ones: all good ones plus exactly one problem at its line', () => {
    const r = valid(parseBibtex(read('broken.bib'), 'broken.bib'));
    assert.deepStrictEqual(r.records.map((x) => x.sourceKey), ['good1', 'good2', 'good3']);
    assert.deepStrictEqual(r.problems, [
      { file: 'broken.bib', line: 7, severity: 'error', message: 'Unbalanced braces in entry starting here; skipped it' },
    ]);
    const good3 = byKey(r, 'good3');
    assert.deepStrictEqual(good3.csl, { type: 'webpage', title: 'Third Good', URL: 'https://example.org/third', issued: { 'date-parts': [[2004]] } });
    assert.strictEqual(good3.line, 18);
  });

  const good = '@article{ok1,\n  title = {OK one},\n  year = 2001\n}\n';
  const good2 = '@article{ok2,\n  title = {OK two},\n  year = 2002\n}\n';
  const parse = (middle: string) => valid(parseBibtex(good + '\n' + middle + '\n' + good2, 'm.bib'));
  const brokenCases: [string, string, RegExp][] = [
    ['an entry that never closes', '@article{open,\n  title = {Open},\n  year = 2000\n', /Unbalanced braces/],
    ['a value that never closes', '@article{open,\n  title = {Open,\n  year = 2000\n}', /Unbalanced braces/],
    ['a quoted value that never closes', '@article{open,\n  title = "Open,\n  year = 2000\n}', /Unbalanced braces/],
    ['a stray closing brace that ends the entry early', '@article{early,\n  title = {Early}},\n  year = 2000\n}', /extra closing brace/],
    ['a missing key', '@article{\n  title = {No key},\n  year = 2000\n}', /no citation key/],
    ['an empty key', '@article{,\n  title = {No key},\n  year = 2000\n}', /no citation key/],
    ['garbage between fields', '@article{junk,\n  title = {Junk} ; year = 2000\n}', /Unexpected ';'/],
    ['a field without a value', '@article{novalue,\n  title = ,\n}', /Unexpected ','/],
    ['@type without a brace', '@article no brace here', /no opening brace/],
  ];
  for (const [what, middle, message] of brokenCases) {
    it(`${what}: one error at the entry's line, the entries around it survive`, () => {
      const r = parse(middle);
      assert.deepStrictEqual(r.records.map((x) => x.sourceKey), ['ok1', 'ok2']);
      assert.strictEqual(r.problems.length, 1, JSON.stringify(r.problems));
      assert.strictEqual(r.problems[0].line, 6);
      assert.strictEqual(r.problems[0].severity, 'error');
      assert.match(r.problems[0].message, message);
      assert.strictEqual(byKey(r, 'ok2').line, 6 + middle.split('\n').length);
    });
  }

  it('duplicate keys: both kept, a warning on the second', () => {
    const r = valid(parseBibtex('@book{a, title={One}}\n@book{b, title={Two}}\n@book{a, title={Three}}\n', 'd.bib'));
    assert.deepStrictEqual(r.records.map((x) => x.csl.title), ['One', 'Two', 'Three']);
    assert.deepStrictEqual(r.problems, [{ file: 'd.bib', line: 3, severity: 'warning', message: "Duplicate key 'a' (also at line 1); kept both" }]);
  });

  it('a missing comma between fields is forgiven with a warning', () => {
    const r = valid(parseBibtex('@book{a,\n  title = {One}\n  year = {1999}\n}\n', 'c.bib'));
    assert.deepStrictEqual(r.records[0].csl, { type: 'book', title: 'One', issued: { 'date-parts': [[1999]] } });
    assert.deepStrictEqual(r.problems.map((p) => [p.line, p.severity, p.message]), [[1, 'warning', "Missing comma before field 'year' in entry 'a'"]]);
  });

  it('parenthesised entries, @comment with braces, unknown macros, trailing commas, text between entries', () => {
    const text = [
      'Anything outside an entry is a comment, even user@example.org.',
      '@comment{ a {nested} comment }',
      '@Article(paren,',
      '  title = {In (parens)},',
      '  journal = unknownmacro,',
      '  month = {5},',
      '  year = "1999",,',
      ')',
      '@misc{empty}',
    ].join('\n');
    const r = valid(parseBibtex(text, 'p.bib'));
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.records.map((x) => [x.sourceKey, x.line]), [['paren', 3], ['empty', 9]]);
    assert.deepStrictEqual(r.records[0].csl, {
      type: 'article-journal',
      title: 'In (parens)',
      'container-title': 'unknownmacro',
      issued: { 'date-parts': [[1999, 5]] },
    });
    assert.deepStrictEqual(r.records[1].csl, { type: 'document' });
  });

  it('maps entry types to CSL types', () => {
    const types = ['article', 'book', 'inbook', 'incollection', 'inproceedings', 'conference', 'phdthesis', 'mastersthesis', 'techreport', 'report', 'misc', 'online', 'unpublished', 'patent', 'dataset', 'software', 'whatever'];
    const text = types.map((t, i) => `@${t}{k${i}, title = {T}}`).join('\n');
    const got = parseBibtex(text, 't.bib').records.map((x) => x.csl.type);
    assert.deepStrictEqual(got, ['article-journal', 'book', 'chapter', 'chapter', 'paper-conference', 'paper-conference', 'thesis', 'thesis', 'report', 'report', 'document', 'webpage', 'manuscript', 'patent', 'dataset', 'software', 'document']);
    const web = parseBibtex('@misc{w, title = {T}, url = {https://x.org}}', 'w.bib').records[0];
    assert.strictEqual(web.csl.type, 'webpage');
    assert.strictEqual(web.csl.URL, 'https://x.org');
  });

  it('strips a BOM and NULs; never throws on arbitrary input', () => {
    const r = parseBibtex('\uFEFF@book{a,\u0000 title = {T\u0000wo}}', 'n.bib');
    assert.deepStrictEqual(r.records.map((x) => [x.sourceKey, x.csl.title]), [['a', 'Two']]);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('@', '{', '}', '(', ')', '"', ',', '=', '#', '\\', ' ', '\n', 'a', 'b', '1') }), (s) => {
        const out = parseBibtex(s, 'f.bib');
        ParsedFileSchema.parse(out);
      }),
      { numRuns: 300 },
    );
  });

  it('real export with 23 unbalanced entries (bbt-1296.bib): recovers every other entry', function () {
    const file = path.join(BENCH, 'bbt-1296.bib');
    if (!fs.existsSync(file)) this.skip();
    const text = fs.readFileSync(file, 'utf8');
    const r = parseBibtex(text, file);
    // 3,725 entries; 23 have `{{\&}` in a field (one more `{` than `}`), checked by hand: each is
    // reported once at its `@` line and the other 3,702 parse.
    assert.strictEqual(r.records.length, 3702);
    assert.strictEqual(r.problems.length, 23);
    const lines = text.split('\n');
    for (const p of r.problems) {
      assert.strictEqual(p.severity, 'error');
      assert.match(lines[p.line - 1], /^@\w+\{/);
      assert.match(p.message, /Unbalanced braces/);
    }
    assert.ok(r.problems.some((p) => lines[p.line - 1] === '@article{Barniskis:2013hs,'));
    assert.ok(!r.records.some((x) => x.sourceKey === 'Barniskis:2013hs'));
    // The entry after a broken one is intact.
    const after = byKey(r, 'Agrawal:2004p1349');
    assert.strictEqual(after.csl.title, 'Multimodal Interface Platform for Geographical Information Systems (GeoMIP) in Crisis Management');
    assert.strictEqual(after.csl.author?.length, 9);
    assert.ok(r.records.every((x) => x.csl.title));
  });

  it('real export bbt-1436-3.bib: all 7,166 entries, no problems', function () {
    const file = path.join(BENCH, 'bbt-1436-3.bib');
    if (!fs.existsSync(file)) this.skip();
    const r = parseBibtex(fs.readFileSync(file, 'utf8'), file);
    assert.strictEqual(r.records.length, 7166);
    assert.deepStrictEqual(r.problems, []);
    const a = byKey(r, 'abdollahi_2018');
    assert.deepStrictEqual(a.csl.author, [
      { family: 'Abdollahi', given: 'Amir' },
      { family: 'Vásquez-Sancho', given: 'Fabián' },
      { family: 'Catalan', given: 'Gustau' },
    ]);
    assert.strictEqual(a.extra?.eprint, 'arXiv:1807.00144');
  });
});

describe('parseRis', () => {
  const r = valid(parseRis(read('two-records.ris'), 'two-records.ris'));

  it('two records, the second without ER: both indexed, one warning', () => {
    assert.strictEqual(r.format, 'ris');
    assert.deepStrictEqual(r.records.map((x) => [x.sourceKey, x.line, x.csl.type]), [['mackay2022', 1, 'article-journal'], ['000123', 26, 'chapter']]);
    assert.deepStrictEqual(r.problems, [{ file: 'two-records.ris', line: 26, severity: 'warning', message: 'Record has no ER line at the end of the file; ended it there' }]);
  });

  it('journal article: field by field', () => {
    const a = r.records[0];
    assert.deepStrictEqual(a.csl, {
      type: 'article-journal',
      title: 'Peer support in mental health: a review',
      author: [{ family: 'Mackay', given: 'Tanya' }, { family: 'Ahmed', given: 'Nisba' }, { family: 'Pinfold', given: 'V.' }],
      'container-title': 'Advances in Mental Health',
      'container-title-short': 'Adv. Ment. Health',
      publisher: 'Taylor & Francis',
      'publisher-place': 'London',
      volume: '20',
      issue: '2',
      page: '110-125',
      DOI: '10.1080/18387357.2022.2033128',
      URL: 'https://doi.org/10.1080/18387357.2022.2033128',
      ISSN: '1838-7357',
      abstract: 'Peer support is growing (Smith, 2019). It works across settings.',
      keyword: 'peer support, mental health, lived experience',
      PMCID: 'PMC1234567',
      issued: { 'date-parts': [[2022, 5, 15]] },
    });
    assert.deepStrictEqual(a.textBlocks, [{ text: a.csl.abstract, line: 16 }]);
    assert.strictEqual(a.fieldLines.TI, 2);
    assert.strictEqual(a.fieldLines.title, 2);
    assert.strictEqual(a.fieldLines.AU, 3);
    assert.strictEqual(a.fieldLines.A1, 5);
    assert.strictEqual(a.fieldLines.PY, 6);
    assert.strictEqual(a.fieldLines.issued, 6);
    assert.strictEqual(a.fieldLines.SP, 11);
    assert.strictEqual(a.fieldLines.page, 11);
    assert.strictEqual(a.fieldLines.KW, 18);
    assert.strictEqual(a.fieldLines.C2, 23);
  });

  it('chapter: A2 editor, T2 book title, DA more precise than Y1, ISBN from SN, AN as key', () => {
    assert.deepStrictEqual(r.records[1].csl, {
      type: 'chapter',
      title: 'A Chapter',
      author: [{ family: 'Doe', given: 'Jane' }],
      editor: [{ family: 'Editor', given: 'Ed' }],
      'container-title': 'The Book Title',
      publisher: 'Publisher',
      page: '5-20',
      ISBN: '978-3-16-148410-0',
      issued: { 'date-parts': [[2019, 3, 1]] },
    });
    assert.strictEqual(r.records[1].fieldLines.issued, 32);
  });

  it('missing ER before the next TY; lenient spacing; CRLF; TY codes', () => {
    const text = [
      'TY  - CONF',
      'TI - Lenient spacing',
      'AU  -Spacey, Sam',
      'PY  - 2001',
      'TY  - THES',
      'T1  - A thesis',
      'ER  -',
      'TY  - RPRT',
      'TI  - A report',
      'ER  - ',
      'TY  - ELEC',
      'TI  - A page',
      'ER  - ',
      'TY  - XYZ',
      'TI  - Something else',
      'ER  - ',
    ].join('\r\n');
    const out = valid(parseRis(text, 'x.ris'));
    assert.deepStrictEqual(out.records.map((x) => [x.line, x.csl.type, x.csl.title]), [
      [1, 'paper-conference', 'Lenient spacing'],
      [5, 'thesis', 'A thesis'],
      [8, 'report', 'A report'],
      [11, 'webpage', 'A page'],
      [14, 'article', 'Something else'],
    ]);
    assert.deepStrictEqual(out.records[0].csl.author, [{ family: 'Spacey', given: 'Sam' }]);
    assert.deepStrictEqual(out.problems, [{ file: 'x.ris', line: 1, severity: 'warning', message: 'Record has no ER line before the next TY; ended it there' }]);
  });

  it('dates', () => {
    assert.deepStrictEqual(parseRisDate('2019/05/15/'), { 'date-parts': [[2019, 5, 15]] });
    assert.deepStrictEqual(parseRisDate('2019///Spring'), { 'date-parts': [[2019]] });
    assert.deepStrictEqual(parseRisDate('2019-05'), { 'date-parts': [[2019, 5]] });
    assert.deepStrictEqual(parseRisDate('May 2019'), { 'date-parts': [[2019]] });
    assert.deepStrictEqual(parseRisDate('n.d.'), { literal: 'n.d.' });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('T', 'Y', 'E', 'R', 'A', 'U', ' ', '-', '\n', '\r', '/', '1') }), (s) => {
        ParsedFileSchema.parse(parseRis(s, 'f.ris'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCslJson', () => {
  const text = read('items.csl.json');
  const r = valid(parseCslJson(text, 'items.csl.json'));

  it('indexes every item, the one without an id with a warning', () => {
    assert.strictEqual(r.format, 'csl-json');
    assert.deepStrictEqual(r.records.map((x) => [x.sourceKey, x.line]), [['voronka2019', 2], [undefined, 15], ['42', 21]]);
    assert.deepStrictEqual(r.problems, [{ file: 'items.csl.json', line: 15, severity: 'warning', message: 'Item 2 has no id; indexed it without a key' }]);
  });

  it('keeps CSL fields, repairs numbers, keyword arrays, string names and string dates', () => {
    const [a, b, c] = r.records;
    assert.deepStrictEqual(a.csl, {
      type: 'article-journal',
      title: 'Storytelling beyond the psychiatric gaze',
      author: [{ family: 'Voronka', given: 'Jijian' }],
      issued: { 'date-parts': [[2019, 3]] },
      'container-title': 'Canadian Journal of Disability Studies',
      volume: '8',
      page: '8-30',
      DOI: '10.15353/cjds.v8i4.522',
      keyword: 'peer support, storytelling',
      abstract: 'As argued by Beresford (2013), lived experience matters.',
    });
    assert.deepStrictEqual(a.textBlocks, [{ text: 'As argued by Beresford (2013), lived experience matters.', line: 13 }]);
    assert.deepStrictEqual(a.fieldLines, { type: 4, title: 5, author: 6, issued: 7, 'container-title': 8, volume: 9, page: 10, DOI: 11, keyword: 12, abstract: 13 });
    assert.deepStrictEqual(b.csl, { type: 'book', title: 'An item without an id', author: [{ literal: 'World Health Organization' }], issued: { 'date-parts': [[2020]] } });
    assert.deepStrictEqual(c.csl, { type: 'chapter', title: 'Numeric id and a name as a string', editor: [{ literal: 'Jane Doe' }] });
  });

  it('cut off mid-string: an error at the cut, every complete item before it', () => {
    const cut = text.slice(0, text.indexOf('Numeric id'));
    const out = valid(parseCslJson(cut, 'cut.json'));
    assert.deepStrictEqual(out.records.map((x) => x.csl.title), ['Storytelling beyond the psychiatric gaze', 'An item without an id']);
    assert.deepStrictEqual(out.problems[0], {
      file: 'cut.json',
      line: 24,
      severity: 'error',
      message: 'Not valid JSON at line 24 (Unterminated string); indexed the 2 complete items around it',
    });
    assert.strictEqual(out.problems.length, 2); // plus the missing-id warning
  });

  it('a syntax error inside one item costs only that item', () => {
    const broken = text.replace('"type": "book",', '"type": "book",,');
    const out = valid(parseCslJson(broken, 'b.json'));
    assert.deepStrictEqual(out.records.map((x) => x.sourceKey), ['voronka2019', '42']);
    assert.deepStrictEqual(out.problems.map((p) => [p.line, p.severity]), [[16, 'error']]);
    assert.match(out.problems[0].message, /^Not valid JSON at line 16 \(Expected double-quoted property name\); indexed the 2 complete items around it$/);
  });

  it('items that are not objects, fields of the wrong type, { items } and single-object files', () => {
    const out = valid(
      parseCslJson('[\n{"id": "a", "title": "A", "author": "not a list", "volume": {"x": 1}},\n"just a string",\n null,\n{"id": "b", "issued": {"date-parts": "2020"}}\n]', 'w.json'),
    );
    assert.deepStrictEqual(out.records.map((x) => [x.sourceKey, x.line, x.csl]), [
      ['a', 2, { title: 'A', author: [{ literal: 'not a list' }] }],
      ['b', 5, {}],
    ]);
    assert.deepStrictEqual(out.problems.map((p) => [p.line, p.severity, p.message]), [
      [2, 'warning', "Item 1: field 'volume' is not valid CSL (an object); dropped it"],
      [3, 'error', 'Item 2 is a string, not a CSL item; skipped it'],
      [4, 'error', 'Item 3 is null, not a CSL item; skipped it'],
      [5, 'warning', "Item 4: field 'issued' is not valid CSL (an object); dropped it"],
    ]);
    const wrapped = valid(parseCslJson('{"items": [\n {"id": "x", "title": "X", "type": "book"},\n {"id": "y", "title": "Y", "DOI": "10.1/y"}\n]}', 'i.json'));
    assert.deepStrictEqual(wrapped.records.map((x) => [x.sourceKey, x.line, x.fieldLines]), [['x', 2, { title: 2, type: 2 }], ['y', 3, { title: 3, DOI: 3 }]]);
    // An id and a title alone do not make CSL-JSON (issue 10): the file is not a corpus format.
    const bare = valid(parseCslJson('{"items": [\n {"id": "x", "title": "X"},\n {"id": "y", "title": "Y"}\n]}', 'i.json'));
    assert.deepStrictEqual([bare.format, bare.records.length, bare.problems.length], [undefined, 0, 1]);
    assert.match(bare.problems[0].message, /^Not a recognised corpus format/);
    const single = valid(parseCslJson('\uFEFF\n{"id": "s",\r\n "type": "book", "title": "S"}', 's.json'));
    assert.deepStrictEqual(single.records.map((x) => [x.sourceKey, x.line, x.csl, x.fieldLines]), [['s', 2, { type: 'book', title: 'S' }, { type: 3, title: 3 }]]);
    const scalar = valid(parseCslJson('42', 'n.json'));
    assert.deepStrictEqual(scalar.problems.map((p) => p.severity), ['error']);
  });

  it('real Zotero library (muccigrosso): every item, lines in step with the file', function () {
    const file = path.join(BENCH, 'muccigrosso-zotero.csl.json');
    if (!fs.existsSync(file)) this.skip();
    const big = fs.readFileSync(file, 'utf8');
    const out = parseCslJson(big, file);
    assert.strictEqual(out.records.length, 6417);
    assert.deepStrictEqual(out.problems, []);
    // One item per line after the opening bracket.
    assert.deepStrictEqual(out.records.slice(0, 3).map((x) => x.line), [2, 3, 4]);
    assert.strictEqual(out.records[6416].line, 6418);
    assert.strictEqual(out.records[6416].sourceKey, 'Zupko1985');
  });
});
