import * as assert from 'assert';
import { bibliographyFromFrontMatter } from '../../src/vscode/frontMatter';

describe('bibliographyFromFrontMatter', () => {
  it('reads a single path', () => {
    assert.deepStrictEqual(bibliographyFromFrontMatter('---\ntitle: x\nbibliography: refs.bib\n---\n# Body\n'), ['refs.bib']);
  });
  it('reads a quoted path with a comment after it', () => {
    assert.deepStrictEqual(bibliographyFromFrontMatter('---\nbibliography: "my refs.json" # Zotero\n---\n'), ['my refs.json']);
  });
  it('reads a flow list', () => {
    assert.deepStrictEqual(bibliographyFromFrontMatter('---\nbibliography: [a.bib, "b.json"]\n---\n'), ['a.bib', 'b.json']);
  });
  it('reads a block list up to the next field', () => {
    const text = '---\nbibliography:\n  - a.bib\n  - ../shared/b.ris\nlink-citations: true\n---\n';
    assert.deepStrictEqual(bibliographyFromFrontMatter(text), ['a.bib', '../shared/b.ris']);
  });
  it('ignores documents without front matter and front matter without the field', () => {
    assert.deepStrictEqual(bibliographyFromFrontMatter('# Title\nbibliography: refs.bib\n'), []);
    assert.deepStrictEqual(bibliographyFromFrontMatter('---\ntitle: x\n...\n'), []);
  });
  it('accepts CRLF line ends', () => {
    assert.deepStrictEqual(bibliographyFromFrontMatter('---\r\nbibliography: refs.bib\r\n---\r\n'), ['refs.bib']);
  });
});
