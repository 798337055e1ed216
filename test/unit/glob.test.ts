import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findMatchingFiles, globToRegExp } from '../../src/core/io/glob';
import { DEFAULT_CORPUS_GLOBS } from '../../src/core/model/settings';

const matches = (glob: string, p: string, ignoreCase = false) => globToRegExp(glob, ignoreCase).test(p);

describe('globs as the corpus setting writes them', () => {
  it('`**` is any number of folders (none included), `*` and `?` stay within a name', () => {
    assert.ok(matches('**/*.bib', 'a.bib'));
    assert.ok(matches('**/*.bib', 'x/y/a.bib'));
    assert.ok(!matches('**/*.bib', 'a.bibx'));
    assert.ok(!matches('*.bib', 'x/a.bib'), '`*` does not cross a folder');
    assert.ok(matches('*.bib', 'a.bib'));
    assert.ok(matches('refs/?.ris', 'refs/a.ris') && !matches('refs/?.ris', 'refs/ab.ris'));
    assert.ok(matches('corpus/**', 'corpus/a/b.txt') && !matches('corpus/**', 'other/a.txt'));
    assert.ok(matches('**/corpus/**/*.txt', 'corpus/a.txt'));
    assert.ok(matches('**/corpus/**/*.txt', 'p/q/corpus/r/s/a.txt'));
    assert.ok(!matches('**/corpus/**/*.txt', 'p/mycorpus/a.txt'), '`**/corpus` is a whole folder name');
    assert.ok(matches('**/.hidden/*.bib', '.hidden/a.bib'), 'dot files and folders are not special');
  });

  it('alternatives, nested too; classes; the characters a regular expression would read', () => {
    assert.ok(matches('**/*.{bib,ris}', 'a/b.ris') && !matches('**/*.{bib,ris}', 'a/b.txt'));
    assert.ok(matches('{refs/*.bib,**/*.csl.{json,jsonl}}', 'x/y.csl.jsonl'));
    assert.ok(matches('{refs/*.bib,**/*.csl.{json,jsonl}}', 'refs/a.bib') && !matches('{refs/*.bib,**/*.csl.{json,jsonl}}', 'x/refs/a.bib'));
    assert.ok(matches('data[0-9].bib', 'data7.bib') && !matches('data[0-9].bib', 'datax.bib'));
    assert.ok(matches('data[!0-9].bib', 'datax.bib') && !matches('data[!0-9].bib', 'data7.bib'));
    assert.ok(matches('a+b (1).bib', 'a+b (1).bib') && !matches('a+b (1).bib', 'aab 1.bib'));
    assert.ok(matches('$^|.bib', '$^|.bib'));
    assert.ok(matches('./refs\\*.bib', 'refs/a.bib'), 'a leading ./ and backslashes as separators');
    assert.ok(matches('**/*.BIB', 'a/b.bib', true) && !matches('**/*.BIB', 'a/b.bib'));
  });
});

describe('finding corpus files on disk (instead of findFiles, which starts a process per glob)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-glob-'));
    const files = ['library.bib', 'notes.md', 'papers/corpus/s2.json', 'papers/corpus/deep/wos.txt', 'papers/other.txt', 'exports/z.ris', 'exports/my.csl.json', 'node_modules/pkg/x.bib', '.git/x.bib', 'sub/.hidden/h.bib'];
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    // A link to a folder (followed), a link back up (a cycle, walked once), a dangling link.
    fs.symlinkSync(path.join(dir, 'exports'), path.join(dir, 'linked'));
    fs.symlinkSync(dir, path.join(dir, 'sub', 'loop'));
    fs.symlinkSync(path.join(dir, 'gone.bib'), path.join(dir, 'dangling.bib'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds what the default globs name, not inside node_modules or .git, each file once', async () => {
    const found = (await findMatchingFiles(dir, DEFAULT_CORPUS_GLOBS, { ignoreCase: false })).map((f) => path.relative(dir, f).split(path.sep).join('/'));
    // exports/ is also reached through the link `linked`: its files are found once, under their own path.
    assert.deepStrictEqual(found, ['exports/my.csl.json', 'exports/z.ris', 'library.bib', 'papers/corpus/deep/wos.txt', 'papers/corpus/s2.json', 'sub/.hidden/h.bib']);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-glob-out-'));
    fs.writeFileSync(path.join(outside, 'far.ris'), 'x');
    fs.symlinkSync(outside, path.join(dir, 'far'));
    try {
      const again = (await findMatchingFiles(dir, DEFAULT_CORPUS_GLOBS, { ignoreCase: false })).map((f) => path.relative(dir, f).split(path.sep).join('/'));
      assert.ok(again.includes('far/far.ris'), 'a folder reached only through a link is walked');
    } finally {
      fs.rmSync(path.join(dir, 'far'));
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('lets the event loop run while it walks, and stops at a bound (entries looked at, files found) with what it has', async () => {
    let pauses = 0;
    const all = await findMatchingFiles(dir, ['**/*'], { batch: 2, pause: async () => void pauses++ });
    assert.ok(pauses >= 5, `paused ${pauses} times`);
    const some = await findMatchingFiles(dir, ['**/*'], { maxEntries: 3 });
    assert.ok(some.length < all.length);
    assert.strictEqual((await findMatchingFiles(dir, ['**/*'], { maxFiles: 2 })).length, 2);
    assert.deepStrictEqual(await findMatchingFiles(path.join(dir, 'no-such-folder'), ['**/*']), []);
  });
});
