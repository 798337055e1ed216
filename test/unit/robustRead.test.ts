/**
 * Whatever a corpus folder holds, the walk and the reads end, in bounded time and memory, and
 * every file is either read or reported (issue 12). Cases that would hang or exhaust memory
 * before the fix run in a child process with a time and heap limit (helpers/robustChild.ts).
 */
import * as assert from 'assert';
import { spawnSync, type SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandPaths, indexPaths, parseFile } from '../../src/core/build/loadFiles';
import { readRegularFile, readRegularFileSync } from '../../src/core/io/readFile';
import type { Problem } from '../../src/core/model/model';
import { ROOT } from './helpers/corpus';

const CHILD = path.join(ROOT, 'test', 'unit', 'helpers', 'robustChild.ts');

interface ChildResult {
  works: { id: string; kind: string; title: string; titleLength: number; file: string }[];
  problems: Problem[];
  missing: string[];
  ms: number;
  rssMB: number;
}

/** Indexes `paths` in a child process (time and heap bounded); fails the test if it does not end well. */
function indexInChild(paths: string[], opts: { timeoutMs?: number; heapMB?: number; uid?: number } = {}): ChildResult {
  const spawnOpts: SpawnSyncOptions = { cwd: ROOT, timeout: opts.timeoutMs ?? 15000, encoding: 'utf8', maxBuffer: 64 << 20 };
  if (opts.uid !== undefined) Object.assign(spawnOpts, { uid: opts.uid, gid: opts.uid, env: { ...process.env, HOME: os.tmpdir() } });
  const r = spawnSync(process.execPath, [`--max-old-space-size=${opts.heapMB ?? 256}`, '--import', 'tsx', CHILD, ...paths], spawnOpts);
  assert.strictEqual(r.signal, null, `the child was killed (${r.signal}): it hung or ran out of time; stderr: ${String(r.stderr).slice(0, 500)}`);
  assert.strictEqual(r.status, 0, `the child failed: ${String(r.stderr).slice(0, 1000)}`);
  return JSON.parse(String(r.stdout)) as ChildResult;
}

const BIB = (key: string, title: string) => `@article{${key},\n  author = {Smith, Jane},\n  title = {${title}},\n  journal = {J},\n  year = {2020}\n}\n`;

describe('reading a corpus folder: only regular files, each real file once, every skip reported', function () {
  this.timeout(60000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-robust-'));
    fs.chmodSync(tmp, 0o755);
  });
  afterEach(() => {
    // An unreadable folder left by a test must not stop the clean-up.
    for (const d of walkDirs(tmp)) fs.chmodSync(d, 0o755);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a FIFO named x.bib is reported without being opened, the rest is indexed', function () {
    if (process.platform === 'win32') this.skip();
    fs.writeFileSync(path.join(tmp, 'good.bib'), BIB('good2020', 'A good title'));
    const r = spawnSync('mkfifo', [path.join(tmp, 'x.bib')]);
    assert.strictEqual(r.status, 0, 'mkfifo failed');
    const c = indexInChild([tmp]);
    assert.deepStrictEqual(c.works.map((w) => w.title), ['A good title']);
    const fifo = c.problems.filter((p) => p.file.endsWith('x.bib'));
    assert.strictEqual(fifo.length, 1, JSON.stringify(c.problems));
    assert.match(fifo[0].message, /named pipe \(FIFO\), not a regular file/);
    // Named explicitly, the same.
    const d = indexInChild([path.join(tmp, 'x.bib')]);
    assert.strictEqual(d.problems.length, 1);
    assert.match(d.problems[0].message, /FIFO/);
  });

  it('a symbolic link to /dev/zero named x.bib is one problem, read in bounded memory', function () {
    if (!fs.existsSync('/dev/zero')) this.skip();
    fs.writeFileSync(path.join(tmp, 'good.bib'), BIB('good2020', 'A good title'));
    fs.symlinkSync('/dev/zero', path.join(tmp, 'x.bib'));
    const c = indexInChild([tmp], { heapMB: 128 });
    assert.deepStrictEqual(c.works.map((w) => w.title), ['A good title']);
    const z = c.problems.filter((p) => p.file.endsWith('x.bib'));
    assert.strictEqual(z.length, 1, JSON.stringify(c.problems));
    assert.match(z[0].message, /character device/);
    assert.ok(c.rssMB < 400, `${c.rssMB} MB`);
  });

  it('reads stop at the size cap whatever stat said (a /proc file says it is empty)', async function () {
    if (!fs.existsSync('/proc/self/maps')) this.skip();
    assert.strictEqual(fs.statSync('/proc/self/maps').size, 0);
    const r = readRegularFileSync('/proc/self/maps', 16);
    assert.ok('problem' in r && /over the 0 MB limit/.test(r.problem.message), JSON.stringify(r));
    const a = await readRegularFile('/proc/self/maps', 16);
    assert.ok('problem' in a, JSON.stringify(a));
    const whole = readRegularFileSync('/proc/self/maps', 1 << 20);
    assert.ok('bytes' in whole && whole.bytes.length > 16);
  });

  it('the async reader refuses FIFOs and devices too, without opening them', async function () {
    if (process.platform === 'win32') this.skip();
    spawnSync('mkfifo', [path.join(tmp, 'p.ris')]);
    const t0 = Date.now();
    const fifo = await readRegularFile(path.join(tmp, 'p.ris'), 1 << 20);
    assert.ok('problem' in fifo && /FIFO/.test(fifo.problem.message));
    if (fs.existsSync('/dev/zero')) {
      const zero = await readRegularFile('/dev/zero', 1 << 20);
      assert.ok('problem' in zero && /character device/.test(zero.problem.message));
    }
    assert.ok(Date.now() - t0 < 2000);
  });

  it('the same folder given twice, or reached through a link, is indexed once: keys not renamed', () => {
    const corpus = path.join(tmp, 'corpus');
    fs.mkdirSync(corpus);
    fs.writeFileSync(path.join(corpus, 'a.bib'), BIB('smith2020', 'Only once'));
    fs.symlinkSync(corpus, path.join(tmp, 'again'));
    const once = indexPaths([corpus]);
    assert.deepStrictEqual(once.works.map((w) => w.id), ['smith2020']);
    for (const paths of [[corpus, corpus], [corpus, path.join(tmp, 'again')], [tmp], [path.join(tmp, 'again'), `${corpus}/`]]) {
      const c = indexPaths(paths);
      assert.deepStrictEqual(c.works.map((w) => w.id), ['smith2020'], JSON.stringify(paths));
      assert.strictEqual(c.works[0]['x-corpus'].sources.length, 1);
    }
    // A file linked beside itself: once.
    fs.symlinkSync(path.join(corpus, 'a.bib'), path.join(corpus, 'b.bib'));
    assert.deepStrictEqual(expandPaths([corpus]).files, [path.join(corpus, 'a.bib')]);
  });

  it('two symbolic links pointing at each other’s parents: the walk ends, each file once', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'a.bib'), BIB('a2020', 'In a'));
    fs.writeFileSync(path.join(b, 'b.bib'), BIB('b2020', 'In b'));
    fs.symlinkSync(b, path.join(a, 'to-b'));
    fs.symlinkSync(a, path.join(b, 'to-a'));
    fs.symlinkSync(tmp, path.join(a, 'up'));
    const t0 = Date.now();
    const c = indexInChild([tmp, a, path.join(b, 'to-a')]);
    assert.ok(Date.now() - t0 < 15000);
    assert.deepStrictEqual(c.works.map((w) => w.id).sort(), ['a2020', 'b2020']);
    assert.deepStrictEqual(c.works.map((w) => path.relative(tmp, w.file)).sort(), ['a/a.bib', 'b/b.bib'], 'found under their own paths');
    // A link to itself is one problem.
    fs.symlinkSync(path.join(tmp, 'self.bib'), path.join(tmp, 'self.bib'));
    const d = indexPaths([tmp]);
    assert.strictEqual(d.problems.filter((p) => p.file.endsWith('self.bib')).length, 1);
    assert.match(d.problems.find((p) => p.file.endsWith('self.bib'))!.message, /loop of symbolic links/);
  });

  it('a dangling link is one problem; the rest indexed', () => {
    fs.writeFileSync(path.join(tmp, 'good.bib'), BIB('good2020', 'A good title'));
    fs.symlinkSync(path.join(tmp, 'gone.bib'), path.join(tmp, 'dangling.bib'));
    const c = indexPaths([tmp]);
    assert.deepStrictEqual(c.works.map((w) => w.id), ['good2020']);
    const d = c.problems.filter((p) => p.file.endsWith('dangling.bib'));
    assert.strictEqual(d.length, 1, JSON.stringify(c.problems));
    assert.match(d[0].message, /symbolic link to nothing/);
    // Given by name: a problem, not "no such file" for a link that is there.
    const e = indexPaths([path.join(tmp, 'dangling.bib')]);
    assert.deepStrictEqual(e.missing, []);
    assert.strictEqual(e.problems.length, 1);
  });

  it('an unreadable sub-folder or file is one problem each; the rest is indexed (not an abort)', function () {
    if (process.platform === 'win32') this.skip();
    // Root reads everything: run the index as nobody then.
    const asRoot = process.getuid?.() === 0;
    fs.writeFileSync(path.join(tmp, 'good.bib'), BIB('good2020', 'A good title'));
    const locked = path.join(tmp, 'locked');
    fs.mkdirSync(locked);
    fs.writeFileSync(path.join(locked, 'hidden.bib'), BIB('hidden2020', 'Hidden'));
    fs.writeFileSync(path.join(tmp, 'secret.ris'), 'TY  - JOUR\nTI  - Secret\nER  - \n');
    for (const f of [tmp, path.join(tmp, 'good.bib'), path.join(locked, 'hidden.bib')]) fs.chmodSync(f, fs.statSync(f).isDirectory() ? 0o755 : 0o644);
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(path.join(tmp, 'secret.ris'), 0o000);
    const c = indexInChild([tmp], asRoot ? { uid: 65534 } : {});
    assert.deepStrictEqual(c.works.map((w) => w.id), ['good2020']);
    const lockedP = c.problems.filter((p) => p.file === locked);
    assert.strictEqual(lockedP.length, 1, JSON.stringify(c.problems));
    assert.match(lockedP[0].message, /Could not read the folder \(EACCES: permission denied\)/);
    const secret = c.problems.filter((p) => p.file.endsWith('secret.ris'));
    assert.strictEqual(secret.length, 1);
    assert.match(secret[0].message, /Could not read the file \(EACCES/);
  });

  it('a file whose name is not valid UTF-8 is indexed, with one problem naming it', function () {
    if (process.platform !== 'linux') this.skip(); // macOS and Windows keep names in Unicode
    const name = Buffer.concat([Buffer.from(tmp + '/M'), Buffer.from([0xfc]), Buffer.from('ller.bib')]); // Latin-1 "Müller.bib"
    fs.writeFileSync(name, BIB('mueller2020', 'Read despite its name'));
    const c = indexPaths([tmp]);
    assert.deepStrictEqual(c.works.map((w) => w.title), ['Read despite its name']);
    assert.strictEqual(c.works[0]['x-corpus'].sources[0].file, path.join(tmp, 'M\\xfcller.bib'));
    const p = c.problems.filter((q) => q.file === path.join(tmp, 'M\\xfcller.bib'));
    assert.strictEqual(p.length, 1, JSON.stringify(c.problems));
    assert.match(p[0].message, /not valid UTF-8/);
  });

  it('every format the readers know is found by the walk; other files are counted, one line per folder', () => {
    const names = ['a.nbib', 'b.xml', 'c.rdf', 'd.enw', 'e.ovd', 'f.csv', 'g.mrc', 'h.txt', 'i.json', 'j.bib', 'k.ris', 'l.csl.json'];
    for (const n of names) fs.writeFileSync(path.join(tmp, n), 'x');
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(tmp, `paper${i}.pdf`), '%PDF');
    for (const n of ['notes.docx', 'fig.png', 'README']) fs.writeFileSync(path.join(tmp, n), 'x');
    fs.writeFileSync(path.join(tmp, '.DS_Store'), 'x');
    const e = expandPaths([tmp]);
    assert.deepStrictEqual(e.files.map((f) => path.basename(f)), [...names].sort());
    assert.strictEqual(e.problems.length, 1, JSON.stringify(e.problems));
    assert.strictEqual(e.problems[0].severity, 'info');
    assert.strictEqual(e.problems[0].file, tmp);
    assert.strictEqual(e.problems[0].message, '12 PDF files, 1 image, 1 office document and 1 other file here are not corpus formats; not read (e.g. README).');
    // Few: named.
    const sub = path.join(tmp, 'sub');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'draft.odt'), 'x');
    const f = expandPaths([sub]);
    assert.deepStrictEqual(f.problems.map((p) => p.message), ['Not a corpus format, not read: draft.odt.']);
  });

  it('parseFile on a folder or a missing file is a problem, not a throw', () => {
    assert.match(parseFile(tmp).problems[0].message, /a folder, not a regular file/);
    assert.match(parseFile(path.join(tmp, 'nope.bib')).problems[0].message, /ENOENT/);
  });
});

function walkDirs(dir: string): string[] {
  const out = [dir];
  try {
    fs.chmodSync(dir, 0o755);
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) out.push(...walkDirs(path.join(dir, d.name)));
  } catch {
    // gone
  }
  return out;
}
