/** The CLI as a user runs it: the bundled dist/cli.js (npm test builds it first). */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, SEEDS } from './helpers/corpus';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('corpus-cite CLI', function () {
  this.timeout(60_000);
  before(function () {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` (npm test does)');
  });

  it('index --json prints exactly {works, problems}', () => {
    const r = cli('index', '--json', 'fixtures/seeds');
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(Object.keys(out), ['works', 'problems']);
    assert.ok(out.works.some((w: { id: string }) => w.id === 'voronka2019'));
    assert.match(r.stderr, /Indexed \d+ works/);
  });

  it('index prints a table with label, kind, title and source', () => {
    const r = cli('index', 'fixtures/seeds');
    assert.strictEqual(r.status, 0);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^LABEL\s+KIND\s+TITLE\s+SOURCE$/);
    assert.ok(lines.some((l) => /^Gillard 2022\s+record\s+Guest editorial.*000_6ad9d3d0f971004f\.txt:1$/.test(l)), lines.join('\n'));
  });

  it('a missing path or a bad flag: one clear line, non-zero exit, no stack trace', () => {
    const missing = cli('index', 'no/such/folder');
    assert.strictEqual(missing.status, 2);
    assert.match(missing.stderr.split('\n')[0], /^corpus-cite: No such file or folder: no\/such\/folder$/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
    const bad = cli('export', '--format', 'docx', 'fixtures/seeds');
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /--format must be csl-json, bibtex or ris/);
    assert.strictEqual(cli('frobnicate').status, 2);
    assert.strictEqual(cli('index', '--nope', 'x').status, 2);
  });

  it('export --format csl-json feeds pandoc --citeproc with no citation not found', function () {
    if (spawnSync('pandoc', ['--version']).error) assert.fail('pandoc is not installed (apt-get install -y pandoc; .ci/run does this)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-pandoc-'));
    const exp = cli('export', '--format', 'csl-json', '--out', path.join(dir, 'refs.json'), 'fixtures/seeds');
    assert.strictEqual(exp.status, 0, exp.stderr);
    const md = ['# Review', '', 'Peer support [@gillard2022; @mackay2022] is contested [@perkins2019, p. 62].', 'See @moore2021 and the cited works [@voronka2019; @mentalhealthtaskforce2016].', '', '# References', ''].join('\n');
    fs.writeFileSync(path.join(dir, 'review.md'), md);
    const r = spawnSync('pandoc', ['--citeproc', '--bibliography', 'refs.json', '-t', 'plain', 'review.md'], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /not found/i, r.stderr);
    for (const s of ['Gillard, S. 2022', 'Mackay, Tanya', 'Perkins, Rachel', 'Moore, Timothy', 'Voronka', 'Mental Health Task Force']) assert.ok(r.stdout.includes(s), `${s} missing from:\n${r.stdout}`);
  });

  it('export --format bibtex and ris keep our ids', () => {
    const bib = cli('export', '--format', 'bibtex', 'fixtures/seeds');
    assert.strictEqual(bib.status, 0, bib.stderr);
    assert.match(bib.stdout, /@article\{gillard2022,/);
    assert.match(bib.stdout, /@article\{mackay2022,/);
    const ris = cli('export', '--format', 'ris', 'fixtures/seeds');
    assert.match(ris.stdout, /^ID {2}- moore2021$/m);
    assert.match(ris.stdout, /^DO {2}- 10\.1111\/hex\.13151$/m);
  });

  it('bib formats a bibliography through citation-js', () => {
    const r = cli('bib', '--style', 'apa', '--format', 'markdown', 'fixtures/seeds');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /Gillard, S\. \(2022\)\. Guest editorial: re-balancing the discourse.*\*Advances in Mental Health\*, \*20\*\(1\), 87–90/);
    const v = cli('bib', '--style', 'vancouver', 'fixtures/seeds');
    assert.match(v.stdout, /Gillard S\. Guest editorial/);
    assert.strictEqual(cli('bib', '--style', 'chicago', 'fixtures/seeds').status, 2);
  });

  it('check reports unknown citations (exit 1) and works never cited', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-check-'));
    const ms = path.join(dir, 'ms.md');
    fs.writeFileSync(ms, 'Known [@gillard2022] and (Voronka, 2019) and Slade et al. (2017).\nUnknown [@nobody1999] and (Nobody, 2001).\n`@incode2000` and mail me@example.org are not citations.\n');
    const r = cli('check', ms, '--corpus', SEEDS);
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stdout, /ms\.md:2:10: unknown citation @nobody1999/);
    assert.match(r.stdout, /ms\.md:2:\d+: unknown citation \(Nobody, 2001\)/);
    assert.doesNotMatch(r.stdout, /incode|example/);
    assert.match(r.stdout, /never cited: Mackay 2022/);
    assert.doesNotMatch(r.stdout, /never cited: Gillard 2022/);
    fs.writeFileSync(ms, 'All known: [@gillard2022].\n');
    assert.strictEqual(cli('check', ms, '--corpus', SEEDS).status, 0);
  });
});
