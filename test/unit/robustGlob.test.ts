/**
 * The extension's folder walk (core/glob.ts findMatchingFiles, with the default corpus globs)
 * holds the same guarantees as the CLI's (issue 12): FIFOs and dangling links reported and not
 * returned, each real file once, loops ended, the new readers' files found, other files in a
 * corpus folder counted in one problem per folder; the index session lists those problems.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { corpusFolderPatterns, findMatchingFiles } from '../../src/core/glob';
import { type IndexRequest, IndexSession } from '../../src/core/indexWorker';
import type { Problem } from '../../src/core/model';
import { DEFAULT_CORPUS_GLOBS } from '../../src/core/settings';

describe('the extension’s folder walk with the default globs', function () {
  this.timeout(30000);
  let tmp: string;
  beforeEach(() => (tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-glob-')))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const walk = async () => {
    const problems: Problem[] = [];
    const found = await findMatchingFiles(tmp, DEFAULT_CORPUS_GLOBS, { report: (p) => problems.push(p), ignoreCase: false });
    return { found: found.map((f) => path.relative(tmp, f)), problems: problems.map((p) => ({ ...p, file: path.relative(tmp, p.file) })) };
  };

  it('finds every format the readers know in corpus folders, and PubMed/EndNote files anywhere', async () => {
    fs.mkdirSync(path.join(tmp, 'corpus', 'pubmed'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'notes'));
    const inCorpus = ['a.nbib', 'b.xml', 'c.rdf', 'd.enw', 'e.ovd', 'f.csv', 'g.mrc', 'h.txt', 'i.json', 'j.bib', 'k.ris'];
    for (const n of inCorpus) fs.writeFileSync(path.join(tmp, 'corpus', 'pubmed', n), 'x');
    for (const n of ['x.nbib', 'y.enw', 'package.json', 'data.csv', 'layout.xml']) fs.writeFileSync(path.join(tmp, 'notes', n), 'x');
    const { found, problems } = await walk();
    assert.deepStrictEqual(found, [...inCorpus.map((n) => `corpus/pubmed/${n}`), 'notes/x.nbib', 'notes/y.enw'].sort());
    assert.deepStrictEqual(problems, [], 'files outside corpus folders are nobody’s business');
  });

  it('other files in a corpus folder: one information problem per folder, counted', async () => {
    const c = path.join(tmp, 'corpus');
    fs.mkdirSync(path.join(c, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(c, 'r.ris'), 'x');
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(c, `p${i}.pdf`), 'x');
    for (const n of ['a.key.txt.bak', 'scan.tiff', 'notes.docx']) fs.writeFileSync(path.join(c, n), 'x');
    fs.writeFileSync(path.join(c, 'sub', 'draft.odt'), 'x');
    fs.writeFileSync(path.join(c, '.DS_Store'), 'x');
    const { problems } = await walk();
    assert.deepStrictEqual(
      problems.map((p) => [p.file, p.severity, p.message]),
      [
        ['corpus', 'info', '12 PDF files, 1 image, 1 office document and 1 other file here are not corpus formats; not read (e.g. a.key.txt.bak).'],
        ['corpus/sub', 'info', 'Not a corpus format, not read: draft.odt.'],
      ],
    );
  });

  it('a FIFO and a dangling link are reported, not returned; a linked file and a loop are taken once', async function () {
    if (process.platform === 'win32') this.skip();
    const c = path.join(tmp, 'corpus');
    fs.mkdirSync(path.join(c, 'a'), { recursive: true });
    fs.mkdirSync(path.join(c, 'b'));
    assert.strictEqual(spawnSync('mkfifo', [path.join(c, 'x.bib')]).status, 0);
    fs.symlinkSync(path.join(c, 'gone.bib'), path.join(c, 'dangling.bib'));
    fs.writeFileSync(path.join(c, 'a', 'a.bib'), 'x');
    fs.writeFileSync(path.join(c, 'b', 'b.bib'), 'x');
    fs.symlinkSync(path.join(c, 'a', 'a.bib'), path.join(c, 'b', 'same.bib'));
    fs.symlinkSync(path.join(c, 'b'), path.join(c, 'a', 'to-b'));
    fs.symlinkSync(path.join(c, 'a'), path.join(c, 'b', 'to-a'));
    const t0 = Date.now();
    const { found, problems } = await walk();
    assert.ok(Date.now() - t0 < 5000);
    assert.deepStrictEqual(found, ['corpus/a/a.bib', 'corpus/b/b.bib']);
    const by = (f: string) => problems.filter((p) => p.file === f).map((p) => p.message);
    assert.deepStrictEqual(by('corpus/x.bib'), ['This is a named pipe (FIFO), not a regular file; skipped it without reading.']);
    assert.deepStrictEqual(by('corpus/dangling.bib'), ['A symbolic link to nothing (ENOENT); skipped it.']);
    assert.strictEqual(problems.length, 2, JSON.stringify(problems));
  });

  it('a file name that is not valid UTF-8 in a corpus folder is one problem, not a silent loss', async function () {
    if (process.platform !== 'linux') this.skip();
    fs.mkdirSync(path.join(tmp, 'corpus'));
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(tmp, 'corpus', 'M')), Buffer.from([0xfc]), Buffer.from('ller.bib')]), 'x');
    const { found, problems } = await walk();
    assert.deepStrictEqual(found, []);
    assert.strictEqual(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0].message, /not valid UTF-8/);
  });

  it('an unreadable sub-folder of a corpus folder is one problem; the walk goes on past it', function () {
    if (process.platform === 'win32') this.skip();
    // The editor runs the walk in its own process; root reads everything, so walk as nobody then.
    const asRoot = process.getuid?.() === 0;
    const c = path.join(tmp, 'corpus');
    fs.mkdirSync(path.join(c, 'locked'), { recursive: true });
    fs.writeFileSync(path.join(c, 'good.bib'), 'x');
    fs.writeFileSync(path.join(c, 'locked', 'hidden.bib'), 'x');
    fs.mkdirSync(path.join(c, 'open'));
    fs.writeFileSync(path.join(c, 'open', 'later.ris'), 'x');
    for (const d of [tmp, c, path.join(c, 'open')]) fs.chmodSync(d, 0o755);
    fs.chmodSync(path.join(c, 'locked'), 0o000);
    const glob = JSON.stringify(require.resolve('../../src/core/glob'));
    const code = `const problems = [];
      require(${glob}).findMatchingFiles(${JSON.stringify(tmp)}, ${JSON.stringify(DEFAULT_CORPUS_GLOBS)}, { ignoreCase: false, report: (p) => problems.push(p) })
        .then((found) => process.stdout.write(JSON.stringify({ found, problems })));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 20000,
      ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: os.tmpdir() } } : {}),
    });
    fs.chmodSync(path.join(c, 'locked'), 0o755);
    assert.strictEqual(r.status, 0, String(r.stderr).slice(0, 800));
    const out = JSON.parse(r.stdout) as { found: string[]; problems: Problem[] };
    assert.deepStrictEqual(out.found.map((f) => path.relative(tmp, f)), ['corpus/good.bib', 'corpus/open/later.ris']);
    const locked = out.problems.filter((p) => p.file === path.join(c, 'locked'));
    assert.strictEqual(locked.length, 1, JSON.stringify(out.problems));
    assert.match(locked[0].message, /Could not read the folder \(EACCES: permission denied\)/);
    assert.strictEqual(out.problems.length, 1, JSON.stringify(out.problems));
  });

  it('corpus folder patterns come only from globs that name a folder', () => {
    const ps = corpusFolderPatterns(DEFAULT_CORPUS_GLOBS, false);
    assert.strictEqual(ps.length, 2);
    assert.ok(ps.some((p) => p.test('x/corpus/y/paper.pdf')));
    assert.ok(!ps.some((p) => p.test('src/paper.pdf')));
  });

  it('the index session lists the walk’s problems with every build, from the cache too', async () => {
    let id = 1;
    const s = new IndexSession();
    const ask = (r: Record<string, unknown>) => s.handle({ ...r, id: id++ } as IndexRequest);
    const walkProblem: Problem = { file: '/w/corpus', line: 1, severity: 'info', message: 'Not a corpus format, not read: a.pdf.' };
    ask({ kind: 'walk-problems', problems: [walkProblem] });
    ask({ kind: 'parse', file: '/w/corpus/a.bib', bytes: Buffer.from('@article{a2020, title = {A}, year = 2020}\n') });
    const b = ask({ kind: 'build' });
    assert.ok(b.kind === 'built' && b.problems.some((p) => p.message === walkProblem.message));
    ask({ kind: 'walk-problems', problems: [] });
    const c = ask({ kind: 'build' });
    assert.ok(c.kind === 'built' && !c.problems.some((p) => p.message === walkProblem.message));
  });
});
