/**
 * Writes never replace what they must not, survive a crash, and read back as written (issue 12):
 * the atomic write helper, the CLI's `--out`, the export formats' escaping, and the CLI's
 * behaviour on a closed or full standard output and on hostile text.
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WriteRefused, removeStaleTemps, writeFileAtomicAsync, writeFileAtomicSync } from '../../src/core/io/atomic';
import { exportBibtex, exportCslJson, exportRis } from '../../src/core/format/bibliography';
import type { Work } from '../../src/core/model/model';
import { parseText } from '../../src/core/parsers';
import { ROOT } from './helpers/corpus';

// The module object itself (not the import's read-only view) so a test can stand in for a call.
 
const nodeFs = require('fs') as Record<string, unknown>;
const CLI = path.join(ROOT, 'dist', 'cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const BIG_BIB = path.join(ROOT, '..', 'shared', 'bench-data', 'bbt-1296.bib');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cc-writes-'));
}
const temps = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('atomic writes', function () {
  this.timeout(60_000);

  it('replaces a file in one step, keeping its mode, and flushes the file and its folder', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'refs.json');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o640);
    const real = fs.fsyncSync;
    let syncs = 0;
    nodeFs.fsyncSync = (fd: number) => {
      syncs++;
      real(fd);
    };
    try {
      writeFileAtomicSync(f, 'new');
    } finally {
      nodeFs.fsyncSync = real;
    }
    assert.strictEqual(fs.readFileSync(f, 'utf8'), 'new');
    assert.strictEqual(fs.statSync(f).mode & 0o777, 0o640);
    assert.ok(syncs >= 2, `the temporary file and the folder are flushed (fsync called ${syncs}×)`);
    assert.deepStrictEqual(temps(dir), []);
  });

  it('refuses a read-only file (even as root) and a folder, writing nothing', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'locked.bib');
    fs.writeFileSync(f, '@misc{a, title={Kept}}');
    fs.chmodSync(f, 0o444);
    assert.throws(() => writeFileAtomicSync(f, 'x'), (e: Error) => e instanceof WriteRefused && /read-only/.test(e.message));
    await assert.rejects(writeFileAtomicAsync(f, 'x'), WriteRefused);
    assert.strictEqual(fs.readFileSync(f, 'utf8'), '@misc{a, title={Kept}}');
    assert.throws(() => writeFileAtomicSync(dir, 'x'), WriteRefused);
    assert.deepStrictEqual(temps(dir), []);
  });

  it('writes through a symbolic link to its target, keeping the link', () => {
    const dir = tmpDir();
    const target = path.join(dir, 'real.json');
    fs.writeFileSync(target, 'old');
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(target, link);
    writeFileAtomicSync(link, 'new');
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.strictEqual(fs.readFileSync(target, 'utf8'), 'new');
  });

  it('a failed write (disk full) removes its temporary file and leaves the old file', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'refs.json');
    fs.writeFileSync(f, 'old');
    const real = fs.writeSync;
    nodeFs.writeSync = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    try {
      assert.throws(() => writeFileAtomicSync(f, 'new'), /ENOSPC/);
    } finally {
      nodeFs.writeSync = real;
    }
    assert.strictEqual(fs.readFileSync(f, 'utf8'), 'old');
    assert.deepStrictEqual(temps(dir), []);
  });

  it('removes the temporary files a killed earlier run left, not those of a live process', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'refs.json');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    fs.writeFileSync(path.join(dir, `.refs.json.${deadPid}.k9x.corpus-cite.tmp`), 'orphan');
    fs.writeFileSync(path.join(dir, `.refs.json.${deadPid}.1764000000000.tmp`), 'orphan of an older version');
    fs.writeFileSync(path.join(dir, `.refs.json.${process.pid}.live.corpus-cite.tmp`), 'a live writer');
    fs.writeFileSync(path.join(dir, `.other.json.${deadPid}.k9x.corpus-cite.tmp`), 'another target');
    writeFileAtomicSync(f, 'new');
    assert.deepStrictEqual(temps(dir).sort(), [`.other.json.${deadPid}.k9x.corpus-cite.tmp`, `.refs.json.${process.pid}.live.corpus-cite.tmp`]);
    assert.strictEqual(removeStaleTemps(f), 0);
  });
});

describe('corpus-cite --out', function () {
  this.timeout(120_000);
  before(function () {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` (npm test does)');
  });

  it('never replaces a corpus input: named, inside a given folder, or through a link', () => {
    const dir = tmpDir();
    const lib = path.join(dir, 'library.bib');
    const original = '@string{j = {Journal}}\n@comment{keep me}\n@article{a, title={A}, journal=j, year=2020, file={a.pdf}}\n';
    fs.writeFileSync(lib, original);
    fs.symlinkSync(lib, path.join(dir, 'alias.bib'));
    for (const [out, input] of [
      [lib, lib],
      [lib, dir],
      [path.join(dir, 'alias.bib'), lib],
    ]) {
      const r = cli('export', '--format', 'bibtex', '--out', out, input);
      assert.strictEqual(r.status, 2, `${out} ← ${input}: ${r.stderr}`);
      assert.match(r.stderr, /never replaces its input/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.strictEqual(fs.readFileSync(lib, 'utf8'), original);
    const ok2 = cli('export', '--format', 'bibtex', '--out', path.join(dir, 'export.bib'), lib);
    assert.strictEqual(ok2.status, 0, ok2.stderr);
  });

  it('refuses a write-protected target with one line', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'refs.json');
    fs.writeFileSync(out, 'protected');
    fs.chmodSync(out, 0o444);
    const r = cli('export', '--quiet', '--out', out, 'fixtures/seeds');
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr.trim(), /^corpus-cite: .*read-only; it was not replaced/);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), 'protected');
  });

  it('SIGTERM or SIGINT during an export leaves no temporary file, and the target old or complete', async function () {
    if (!fs.existsSync(BIG_BIB)) this.skip();
    const dir = tmpDir();
    const out = path.join(dir, 'refs.json');
    for (const [i, delay] of [150, 300, 450, 600, 800, 1000].entries()) {
      const sig = i % 2 ? 'SIGINT' : 'SIGTERM';
      const child = spawn(process.execPath, [CLI, 'export', '--quiet', '--out', out, BIG_BIB], { cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill(sig);
      await exited;
      assert.deepStrictEqual(temps(dir), [], `after ${sig} at ${delay} ms`);
      if (fs.existsSync(out)) assert.ok(Array.isArray(JSON.parse(fs.readFileSync(out, 'utf8'))), 'a complete export');
    }
  });
});

describe('corpus-cite on a closed or full standard output, and on hostile text', function () {
  this.timeout(60_000);

  it('`index | head` ends quietly with success', function () {
    if (!fs.existsSync(BIG_BIB)) this.skip();
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} index --json --quiet ${JSON.stringify(BIG_BIB)} | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: 'utf8' });
    assert.match(r.stdout, /status=0/);
    assert.strictEqual(r.stderr, '');
  });

  it('a full device prints one line and fails, without a stack trace', () => {
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} index --json --quiet fixtures/seeds > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /no space left/);
  });

  it('control characters from a corpus file or a manuscript are never echoed raw', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'evil.bib'), '@article{evil, title={Clear \u001b[2J\u001b]0;owned\u0007 screen \u202eright-to-left}, author={Smith, J}, year=2020}\n');
    const md = path.join(dir, 'review.md');
    fs.writeFileSync(md, 'See [@nobody\u001b[31m] here.\n');
    const table = cli('index', dir);
    assert.strictEqual(table.status, 0, table.stderr);
    assert.doesNotMatch(table.stdout + table.stderr, /[\u001b\u0007\u202e]/);
    assert.match(table.stdout, /\\x1b\[2J/);
    const json = cli('index', '--json', dir);
    assert.doesNotMatch(json.stdout, /[\u001b\u0007\u202e]/);
    assert.ok(JSON.parse(json.stdout).works.some((w: Work) => w.title?.includes('\u001b[2J')), 'the data itself is kept');
    const check = cli('check', md, '--corpus', dir);
    assert.doesNotMatch(check.stdout + check.stderr, /[\u001b\u0007\u202e]/);
    const bin = path.join(dir, 'manuscript.md');
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0, 0, 0, 0, 0, 0x1b, 0x5b, 0x32, 0x4a, 0, 0, 0, 0]));
    const b = cli('check', bin, '--corpus', dir);
    assert.strictEqual(b.status, 2);
    assert.match(b.stderr, /binary file, not a Markdown manuscript/);
    assert.doesNotMatch(b.stdout + b.stderr, /[\u0000\u001b]/);
  });
});

describe('exports read back exactly what was written (hostile titles)', function () {
  this.timeout(60_000);
  const TITLES = [
    'Line one\nER  - \nTY  - JOUR',
    'Braces } unbalanced { here',
    'Back\\slash and 100% & $5 #1 _x ~y ^z',
    '@article{evil, title={x}}',
    'Quotes "double" and \'single\'',
    'Tab\there\u0007bell\r\nand a CR',
    'Über die Straße nach München — “curly” 中文标题',
    '{Protected} Title',
    'AB  - not an abstract',
  ];
  const works: Work[] = TITLES.map((title, i) => ({
    id: `k${i}`,
    type: 'article-journal',
    title,
    'citation-label': `Smith 2020${'abcdefghi'[i]}`,
    author: [{ family: i % 2 ? 'Smith}' : 'Müller', given: 'J{' }],
    'container-title': 'Journal of 100% & more',
    issued: { 'date-parts': [[2020]] },
    'x-corpus': { kind: 'record', citedBy: [], cites: [], related: [], referencedBy: [], contexts: [], sources: [], inferred: [] },
  }));
  // RIS and BibTeX have no line breaks or control characters inside a value: white space is written as one space.
   
  const folded = (s: string) => s.replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g, '').replace(/\s+/g, ' ').trim();

  for (const [name, write, fold] of [
    ['CSL-JSON', (w: Work[]) => exportCslJson(w), (s: string) => s],
    ['BibTeX', exportBibtex, folded],
    ['RIS', exportRis, folded],
  ] as const) {
    it(`${name}: as many records as were written, each title and author as written`, () => {
      const back = parseText(write(works), `back.${name}`);
      assert.deepStrictEqual(back.problems.filter((p) => p.severity !== 'info'), []);
      assert.strictEqual(back.records.length, works.length);
      back.records.forEach((r, i) => {
        assert.strictEqual(r.csl.title, fold(TITLES[i]), `title ${i}`);
        assert.strictEqual(r.csl.author?.[0]?.family, works[i].author![0].family, `author ${i}`);
        assert.strictEqual(r.csl['container-title'], 'Journal of 100% & more');
      });
    });
  }
});
