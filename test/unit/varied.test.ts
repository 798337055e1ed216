/**
 * The four page layouts as other exports of them vary: BOM, CRLF, several records in one dump,
 * other journals and counts, missing fields, extra whitespace. Written by hand for this project.
 */
import * as assert from 'assert';
import { corpusOf, families, VARIED, work, year } from './helpers/corpus';

const c = () => corpusOf(VARIED);

describe('varied fixtures in the four layouts', () => {
  it('index without problems', () => {
    assert.deepStrictEqual(c().problems.filter((p) => p.severity !== 'info'), []);
  });

  describe('Semantic Scholar JSON lines with BOM and CRLF', () => {
    it('two records; translated title only where the dump has one', () => {
      const a = work(c(), 'okafor2021');
      assert.strictEqual(a.title, 'Recovery colleges and the co-production of mental health education');
      assert.strictEqual(a['x-corpus'].translatedTitle, '康复学院与心理健康教育的共同生产');
      assert.deepStrictEqual(families(a), ['Okafor', 'van der Berg', 'Li']);
      assert.deepStrictEqual([a['container-title'], a.volume, a.issue, a.page], ['Journal of Mental Health', '31', '4', '455-462']);
      assert.deepStrictEqual(a.issued, { 'date-parts': [[2021, 6, 1]] });
      const b = work(c(), 'muller2023');
      assert.strictEqual(b['citation-label'], 'Müller 2023');
      assert.strictEqual(b['x-corpus'].translatedTitle, undefined);
      assert.deepStrictEqual(b.author, [{ given: 'Hannah', family: 'Müller' }, { given: 'Ravi', family: 'Patel' }]);
      assert.deepStrictEqual([b['container-title'], b.volume, year(b), b.DOI], ['BMC Psychiatry', '23', 2023, undefined]);
      assert.strictEqual(b['x-corpus'].sources[0].line, 4);
    });
    it('citations with et al., accents and locators; no year range or n = 42', () => {
      assert.deepStrictEqual(work(c(), 'okafor2021')['x-corpus'].cites, ['perkins2012', 'theriault2020', 'toney2018']);
      assert.strictEqual(work(c(), 'theriault2020')['x-corpus'].contexts[0].locator, 'p. 12');
      assert.deepStrictEqual(work(c(), 'muller2023')['x-corpus'].cites, ['muller2019']);
    });
  });

  describe('Chinese-interface WoS record with journal, year, volume and issue stated', () => {
    const w = () => work(c(), 'nguyen2021');
    it('fields', () => {
      assert.strictEqual(w().title, 'Peer support for carers of people with dementia: a realist review');
      assert.strictEqual(w()['x-corpus'].groupAuthors, undefined);
      assert.deepStrictEqual(w().author, [{ family: 'Nguyen', given: 'Thi Lan' }, { family: "O'Brien", given: 'Sean' }, { family: 'Kowalski', given: 'Anna' }]);
      assert.deepStrictEqual([w()['container-title'], year(w()), w().volume, w().issue, w().page, w()['number-of-pages']], ['Aging & Mental Health', 2021, '25', '9', '1632-1640', '9']);
      assert.ok(!w()['x-corpus'].inferred.includes('issued'), 'the year is stated, not inferred');
      assert.strictEqual(w().keyword, 'dementia, carers, peer support');
    });
    it('a related paper that the abstract also cites is one work, related and cited', () => {
      const s = work(c(), 'smith2018');
      assert.deepStrictEqual(s['x-corpus'].related, ['nguyen2021']);
      assert.deepStrictEqual(s['x-corpus'].citedBy, ['nguyen2021']);
      assert.strictEqual(s['container-title'], 'International Journal of Geriatric Psychiatry');
      assert.deepStrictEqual(w()['x-corpus'].related, ['smith2018', 'wei2019']);
      assert.strictEqual(w()['x-corpus'].extra?.relatedTotal, '3');
    });
  });

  describe('Emerald page in another journal, running head run together', () => {
    const w = () => work(c(), 'okoro2020');
    it('fields', () => {
      assert.deepStrictEqual(families(w()), ['Okoro', 'Shah', 'Byrne']);
      assert.deepStrictEqual([w()['container-title'], w().volume, w().issue, w().page, w().ISSN, w().genre], ['Journal of Forensic Practice', '22', '1', '1-9', '2050-8794', 'Research paper']);
      assert.match(w().abstract!, /^Forensic services have been slow/);
      assert.doesNotMatch(w().abstract!, /continue reading|cookies|PAG E/);
    });
    it('citations: a group author broken across lines, narrative pairs, a page range locator', () => {
      assert.deepStrictEqual(w()['x-corpus'].cites, ['byrne2019', 'departmentofhealth2011', 'nhsengland2019', 'okoro2018', 'walker2016']);
      assert.strictEqual(work(c(), 'nhsengland2019')['x-corpus'].contexts[0].locator, 'pp. 4-5');
      assert.deepStrictEqual(work(c(), 'departmentofhealth2011').author, [{ literal: 'Department of Health' }]);
      assert.strictEqual(work(c(), 'okoro2018')['x-corpus'].kind, 'cited', 'Okoro & Shah 2018 is not the 2020 record');
    });
  });

  describe('ScienceOpen page with CRLF, no PMCID, one reference', () => {
    const w = () => work(c(), 'ellis2022');
    it('fields', () => {
      assert.strictEqual(w().title, 'Peer support in eating disorder services: a qualitative study');
      assert.deepStrictEqual(w().author, [{ given: 'Jo', family: 'Ellis' }]);
      assert.deepStrictEqual([w()['container-title'], w().volume, w().issue, w().page, w().DOI, w().PMID, w().PMCID], ['International Journal of Eating Disorders', '55', '3', '310-318', '10.1002/eat.23650', '33401234', undefined]);
      assert.strictEqual(w().keyword, 'peer support, eating disorders, qualitative research, lived experience');
      assert.strictEqual(w().abstract, 'Aims: To understand how peer support is delivered in eating disorder services.\nMethods: Twelve peer workers were interviewed (Lee & Park, 2017).');
    });
    it('reference with two authors and in-text citation', () => {
      assert.deepStrictEqual(w()['x-corpus'].cites, ['braun2006', 'lee2017']);
      assert.deepStrictEqual(families(work(c(), 'braun2006')), ['Braun', 'Clarke']);
    });
  });
});
