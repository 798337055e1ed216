import * as assert from 'assert';
import { extractCitations } from '../../src/core/build/citations';

const cite = (text: string) => extractCitations({ text, line: 1 }).map((c) => `${c.authors.join('|')}${c.etAl ? '+' : ''} ${c.year ?? 'n.d.'}${c.yearSuffix ?? ''}${c.locator ? ` [${c.locator}]` : ''}`);

describe('author–date citation extractor', () => {
  it('parenthetical forms: &, and, et al., several in one, prefixes, locators', () => {
    assert.deepStrictEqual(cite('as shown (Voronka, 2019).'), ['Voronka 2019']);
    assert.deepStrictEqual(cite('(Mead & Filson, 2017; Oborn, Barrett, Gibson, & Gillard, 2019)'), ['Mead|Filson 2017', 'Oborn|Barrett|Gibson|Gillard 2019']);
    assert.deepStrictEqual(cite('(see Repper and Carter, 2011; Repper et al., 2013)'), ['Repper|Carter 2011', 'Repper+ 2013']);
    assert.deepStrictEqual(cite('(see, e.g. Chamberlin, 1978; cf. Smith 2001)'), ['Chamberlin 1978', 'Smith 2001']);
    assert.deepStrictEqual(cite('(Mind, 2013, p. 1) and (Brown, 2010: 45)'), ['Mind 2013 [p. 1]', 'Brown 2010 [45]']);
    assert.deepStrictEqual(cite('(Gillard, Edwards, Gibson, Owen, &Wright, 2013)'), ['Gillard|Edwards|Gibson|Owen|Wright 2013']);
    assert.deepStrictEqual(cite('(Smith, 2019a, 2019b) (Jones, n.d.)'), ['Smith 2019a', 'Smith 2019b', 'Jones n.d.']);
  });
  it('group authors as written', () => {
    assert.deepStrictEqual(cite('(NHSE, 2019) (see, e.g. Mental Health Task Force, 2016) (Department of Health and Social Care, 2020)'), ['NHSE 2019', 'Mental Health Task Force 2016', 'Department of Health and Social Care 2020'.replace(' and ', '|')]);
  });
  it('narrative forms', () => {
    assert.deepStrictEqual(cite('Indeed, Slade et al. (2017) claim'), ['Slade+ 2017']);
    assert.deepStrictEqual(cite('Byrne and Shah (2019) describe; Walker (2016) reports; van Dijk (2020) too'), ['Byrne|Shah 2019', 'Walker 2016', 'van Dijk 2020']);
  });
  it('a line break inside a citation', () => {
    const out = extractCitations({ text: 'world (see, e.g. Chamberlin,\n1978; OHagan, 2014). Next', line: 10 });
    assert.deepStrictEqual(out.map((c) => [c.authors[0], c.year, c.line]), [['Chamberlin', 1978, 10], ['OHagan', 2014, 11]]);
    assert.strictEqual(out[0].text, '(see, e.g. Chamberlin, 1978; OHagan, 2014)');
  });
  it('never: year ranges, run-together numbers, counts, months, proper-noun tails', () => {
    for (const t of ['Minds 20122016 strategy', 'programme 20182021 aims', 'from (2018–2021)', 'in (2005-2019)', '(n = 42)', '(N = 1,204, 2019 cohort)', '(May 2019)', '(Table 2019)', 'the National Health Service (2019)', 'In (2019) we', '(p < .05)', '(1999 to 2004)', '(age 2015)']) {
      assert.deepStrictEqual(cite(t), [], t);
    }
  });
  it('gives the citing sentence, skipping abbreviations', () => {
    const [c] = extractCitations({ text: 'First sentence here. As Smith et al. (2019) note, e.g. in trials, it works. Last one.', line: 1 });
    assert.strictEqual(c.sentence, 'As Smith et al. (2019) note, e.g. in trials, it works.');
  });
  it('stays linear on hostile text', () => {
    const hostile = '('.repeat(200_000) + 'Smith, 2019' + ')'.repeat(200_000) + ' A, '.repeat(100_000) + '(2019)' + ' et al.'.repeat(50_000);
    const t0 = process.hrtime.bigint();
    extractCitations({ text: hostile, line: 1 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // Not a timing test: a quadratic scan would take minutes here and hit mocha's timeout.
    assert.ok(ms >= 0);
  });
});
