/**
 * BibTeX/BibLaTeX as BibTeX and Biber read them (issue 11): crossref and xdata inheritance,
 * containers and numbers by entry type, TeX as TeX prints it, keys Pandoc resolves.
 */
import * as assert from 'assert';
import { buildCorpus } from '../../src/core/build/corpus';
import { WorkSchema } from '../../src/core/model/model';
import { parseBibtex } from '../../src/core/parsers/bibtex';
import { latexToUnicode } from '../../src/core/parsers/latex';
import { formatCitation } from '../../src/core/format/render';

const byKey = (text: string) => {
  const f = parseBibtex(text, 'x.bib');
  return { f, rec: (k: string) => f.records.find((r) => r.sourceKey === k)! };
};

describe('BibTeX crossref and xdata', () => {
  const bib = [
    '@string{ap = "Academic Press"}', // 1
    '@incollection{westfahl:space,', // 2
    '  author = {Westfahl, Gary},', // 3
    '  title = {The True Frontier},', // 4
    '  pages = {55--65},', // 5
    '  crossref = {westfahl:frontier}}', // 6
    '@collection{westfahl:frontier,', // 7
    '  editor = {Westfahl, Gary},', // 8
    '  title = {Space and Beyond},', // 9
    '  subtitle = {The Frontier Theme},', // 10
    '  shorttitle = {Space},', // 11
    '  publisher = ap,', // 12
    '  location = {Westport},', // 13
    '  year = 2000}', // 14
  ].join('\n');

  it('a child gets the fields it lacks from a parent defined after it, with BibLaTeX\'s title mapping and the parent\'s lines', () => {
    const { f, rec } = byKey(bib);
    const c = rec('westfahl:space');
    assert.strictEqual(c.csl.title, 'The True Frontier', 'the child\'s own title wins');
    assert.strictEqual(c.csl['container-title'], 'Space and Beyond: The Frontier Theme', 'the parent\'s title and subtitle are the booktitle');
    assert.strictEqual(c.csl['title-short'], undefined, 'the parent\'s short title is not the chapter\'s');
    assert.deepStrictEqual(c.csl.issued, { 'date-parts': [[2000]] });
    assert.strictEqual(c.csl.publisher, 'Academic Press', '@string expanded in the parent');
    assert.strictEqual(c.csl['publisher-place'], 'Westport');
    assert.deepStrictEqual(c.csl.editor, [{ family: 'Westfahl', given: 'Gary' }]);
    assert.strictEqual(c.fieldLines.title, 4);
    assert.strictEqual(c.fieldLines['container-title'], 9);
    assert.strictEqual(c.fieldLines.issued, 14);
    assert.strictEqual(c.fieldLines.publisher, 12);
    assert.strictEqual(c.fieldLines.page, 5);
    const p = rec('westfahl:frontier');
    assert.strictEqual(p.csl['container-title'], undefined, 'a collection is no container of itself');
    assert.deepStrictEqual(f.problems, []);
    const w = buildCorpus([f]).works.find((x) => x.id === 'westfahl:space')!;
    assert.match(w['citation-label'], /^Westfahl 2000[ab]$/, 'no more "Westfahl n.d."');
  });

  it('a classic BibTeX parent\'s own booktitle goes to the child; grandparents and xdata too; the nearest wins', () => {
    const { f, rec } = byKey(`
@inproceedings{p1, title = {Paper}, crossref = {proc}}
@proceedings{proc, title = {Proceedings of X}, booktitle = {Proc. X}, crossref = {mv}, xdata = {pub}, year = 1999}
@mvproceedings{mv, title = {X Conferences}, year = 1990, volumes = 3, address = {Here}}
@xdata{pub, publisher = {Pub}, year = 1900}
`);
    const c = rec('p1');
    assert.strictEqual(c.csl['container-title'], 'X Conferences', 'maintitle from the mvproceedings through the proceedings');
    assert.strictEqual(c.csl['volume-title'], 'Proc. X');
    assert.deepStrictEqual(c.csl.issued, { 'date-parts': [[1999]] }, 'the parent\'s year, not the grandparent\'s or the xdata\'s');
    assert.strictEqual(c.csl.publisher, 'Pub');
    assert.strictEqual(c.csl['publisher-place'], 'Here');
    assert.strictEqual(f.records.length, 3, '@xdata is no work of its own');
    assert.deepStrictEqual(f.problems, []);
  });

  it('cycles, self-references and missing parents are one warning each; the entries keep their own fields', () => {
    const { f, rec } = byKey(`
@book{a, title = {A}, crossref = {b}, year = 2001}
@book{b, title = {B}, crossref = {a}, publisher = {PB}}
@book{c, title = {C}, crossref = {c}}
@book{d, title = {D}, crossref = {nowhere}}
`);
    assert.strictEqual(rec('a').csl.title, 'A');
    assert.strictEqual(rec('a').csl.publisher, 'PB');
    assert.deepStrictEqual(rec('b').csl.issued, { 'date-parts': [[2001]] });
    assert.strictEqual(rec('d').csl.title, 'D');
    const msgs = f.problems.map((p) => `${p.line} ${p.severity} ${p.message}`);
    assert.strictEqual(msgs.length, 3, msgs.join('\n'));
    assert.ok(msgs.some((m) => /^5 warning .*'nowhere' names no entry/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^4 warning Entry 'c' inherits from itself/.test(m)), msgs.join('\n'));
  });

  it('a long crossref chain stays linear and never throws', () => {
    const n = 5000;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(`@book{k${i}, title = {T${i}}, crossref = {k${i + 1}}}`);
    parts.push(`@book{k${n}, title = {Last}, year = 1950, publisher = {P}}`);
    const t0 = Date.now();
    const f = parseBibtex(parts.join('\n'), 'chain.bib');
    assert.ok(Date.now() - t0 < 3000);
    assert.strictEqual(f.records.length, n + 1);
    assert.deepStrictEqual(f.records[n - 1].csl.issued, { 'date-parts': [[1950]] });
    assert.ok(f.problems.every((p) => /more than 32 crossref\/xdata steps/.test(p.message)), f.problems[0]?.message);
  });
});

describe('BibTeX fields by entry type, as Pandoc files them', () => {
  it('a report\'s number is its number; a book\'s is its number in the series; an article\'s is the issue', () => {
    const { rec } = byKey(`
@techreport{r, title = {R}, number = {TR-12}, institution = {MIT}, year = 1990}
@book{b, title = {B}, number = {7}, series = {Lecture Notes}, year = 1990}
@article{a, title = {A}, journal = {J}, number = {3}, issue = {Spring}, year = 1990}
@proceedings{p, title = {P}, booktitle = {P}, year = 1990}
@periodical{j, title = {TUGboat}, issuetitle = {Special issue}, year = 1990}
@book{v, title = {V}, volume = 7, part = 2}
`);
    assert.strictEqual(rec('r').csl.number, 'TR-12');
    assert.strictEqual(rec('r').csl.issue, undefined);
    assert.strictEqual(rec('b').csl['collection-number'], '7');
    assert.strictEqual(rec('b').csl.issue, undefined);
    assert.strictEqual(rec('a').csl.issue, '3, Spring');
    assert.strictEqual(rec('p').csl['container-title'], undefined, 'a @proceedings is not its own container');
    assert.strictEqual(rec('j').csl.title, 'Special issue');
    assert.strictEqual(rec('j').csl['container-title'], 'TUGboat');
    assert.strictEqual(rec('v').csl.volume, '7.2');
  });

  it('a BibLaTeX date that is not ISO 8601 leaves the year to `year`', () => {
    const { rec } = byKey('@article{k, title = {T}, year = 1975, date = {15/05/84}}');
    assert.deepStrictEqual(rec('k').csl.issued, { 'date-parts': [[1975]] });
  });

  it('titles are CSL rich text; names and other fields stay plain', () => {
    const { rec } = byKey('@article{k, title = {On \\emph{Drosophila} and {\\sc Unix}}, author = {\\emph{Smith}, J.}, journal = {J. {\\it Biol.}}, year = {\\noopsort{1986a}1986}}');
    const c = rec('k').csl;
    assert.strictEqual(c.title, 'On <i>Drosophila</i> and <span style="font-variant:small-caps;">Unix</span>');
    assert.strictEqual(c['container-title'], 'J. <i>Biol.</i>');
    assert.deepStrictEqual(c.author, [{ family: 'Smith', given: 'J.' }]);
    assert.deepStrictEqual(c.issued, { 'date-parts': [[1986]] }, '\\noopsort prints nothing and the year is kept');
  });
});

describe('TeX as TeX prints it', () => {
  const cases: [string, string, boolean?][] = [
    ['The \\TeX book', 'The TeXbook'],
    ['8700\\slash 9700', '8700/9700'],
    ['\\~{} and \\^{}', '~ and ^'],
    ['$x^2$, $x_{10}$, $H_2O$', 'x², x₁₀, H₂O'],
    ['$x^{\\alpha}$ and $x^q$', 'x^{\\alpha} and x^q'],
    ["`universal' and ``double''", '‘universal’ and “double”'],
    ["O'Hagan's", "O'Hagan's"],
    ['{\\noopsort{a}}Zebra', 'Zebra'],
    ['\\emph{in vitro}, {\\em in vivo}, {\\it x}, \\textit{y}', '<i>in vitro</i>, <i>in vivo</i>, <i>x</i>, <i>y</i>', true],
    ['\\textbf{B} {\\bf\\em both} \\textsc{Sc}', '<b>B</b> <b><i>both</i></b> <span style="font-variant:small-caps;">Sc</span>', true],
    ['\\emph{}x and \\emph{ y }', 'x and <i>y</i>', true],
    ['\\emph{in vitro}', 'in vitro'],
  ];
  for (const [input, expected, rich] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}${rich ? ' (rich)' : ''}`, () => {
      assert.strictEqual(latexToUnicode(input, rich ?? false), expected);
    });
  }
});

describe('keys Pandoc resolves from a .bib', () => {
  it('a key ending in _, - or + is the work\'s id and is written so Pandoc reads it back', () => {
    const f = parseBibtex('@article{zhang_, title = {Z one}, year = 2000}\n@article{ANSI:phigs+, title = {P two}, year = 1988}', 'k.bib');
    const c = buildCorpus([f]);
    const ids = c.works.map((w) => w.id).sort();
    assert.deepStrictEqual(ids, ['ANSI:phigs+', 'zhang_']);
    for (const w of c.works) WorkSchema.parse(w);
    const cite = (id: string) => formatCitation(c.works.find((w) => w.id === id)!, 'pandoc', { insideBrackets: false });
    assert.strictEqual(cite('zhang_'), '[@zhang_]');
    assert.strictEqual(cite('ANSI:phigs+'), '[@{ANSI:phigs+}]');
  });
});
