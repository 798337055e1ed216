import * as assert from 'assert';
import { applyEdit, bibliographyEdit, BIB_END, BIB_START } from '../../src/core/format/bibliographyBlock';
import { editDistance, nearestWorks } from '../../src/core/search/nearest';
import { corpusOf, SEEDS } from './helpers/corpus';

describe('bibliography block', () => {
  it('appends under a new heading, then updates in place', () => {
    const doc = '# Review\n\nText [@gillard2022].\n';
    const once = applyEdit(doc, bibliographyEdit(doc, 'Gillard, S. (2022).'));
    assert.strictEqual(once, `# Review\n\nText [@gillard2022].\n\n## References\n\n${BIB_START}\nGillard, S. (2022).\n${BIB_END}\n`);
    const twice = applyEdit(once, bibliographyEdit(once, 'Gillard, S. (2022).\n\nVoronka, J. (2019).'));
    assert.strictEqual(twice, `# Review\n\nText [@gillard2022].\n\n## References\n\n${BIB_START}\nGillard, S. (2022).\n\nVoronka, J. (2019).\n${BIB_END}\n`);
    assert.strictEqual(applyEdit(twice, bibliographyEdit(twice, 'Gillard, S. (2022).\n\nVoronka, J. (2019).')), twice, 'idempotent');
  });
  it('goes under an existing References heading and keeps CRLF', () => {
    const doc = '# Review\r\n\r\n## References\r\n\r\n## Appendix\r\n';
    const out = applyEdit(doc, bibliographyEdit(doc, 'A.\nB.'));
    assert.strictEqual(out, `# Review\r\n\r\n## References\r\n\r\n${BIB_START}\r\nA.\r\nB.\r\n${BIB_END}\r\n\r\n## Appendix\r\n`);
  });
});

describe('nearest labels', () => {
  it('edit distance with transpositions', () => {
    assert.strictEqual(editDistance('voronka', 'voronka'), 0);
    assert.strictEqual(editDistance('vornoka', 'voronka'), 1);
    assert.strictEqual(editDistance('abc', 'xyz', 1), 2);
  });
  it('suggests the closest works for a mistyped citation', () => {
    const works = corpusOf(SEEDS).works;
    assert.strictEqual(nearestWorks(works, 'Voronka 2018')[0].id, 'voronka2019');
    assert.strictEqual(nearestWorks(works, 'voronk2019')[0].id, 'voronka2019');
    assert.deepStrictEqual(nearestWorks(works, 'mead2007').map((w) => w.id).slice(0, 2).sort(), ['mead2001', 'mead2017']);
    assert.deepStrictEqual(nearestWorks(works, 'zzzzzz'), []);
  });
});
