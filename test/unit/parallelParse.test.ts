/**
 * Parsing on the parse pool's threads gives what parsing in one thread gives (issue 15): one big
 * .bib cut into slices and joined (records, problems, every field's line), many files spread over
 * the threads, on the fixtures, the real libraries of ../shared/bench-data and generated
 * libraries; and a thread that fails loses no file's records.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandPaths, parseBytes, parseFile } from '../../src/core/build/loadFiles';
import { joinSlices, planSlices } from '../../src/core/build/bibtexSlices';
import { parseBytesPooled, parseFilesPooled } from '../../src/core/build/parallelParse';
import { ParsePool, parseThreads } from '../../src/core/build/parsePool';
import { decodeBytes, normaliseNewlines } from '../../src/core/io/decode';
import type { ParsedFile } from '../../src/core/model/model';
import { type BibSlice, parseBibtexSlice, parseCleanBibtex } from '../../src/core/parsers/bibtex';
import { ROOT, SEEDS, VARIED } from './helpers/corpus';

const BENCH_DATA = process.env.CORPUS_CITE_BENCH_DATA || path.resolve(ROOT, '..', 'shared', 'bench-data');
/** Compared as the plain data they are (what crosses between threads). */
const plain = (p: unknown) => JSON.parse(JSON.stringify(p)) as unknown;

/** The slices' parses joined, in this thread; `joined` false when the join gave up (the whole is parsed then). */
function sliced(text: string, file: string, pieces: number, minChars: number): { parsed: ParsedFile; joined: boolean; slices: number } | undefined {
  const plan = planSlices(text, pieces, minChars);
  if (!plan) return undefined;
  const parts: BibSlice[] = [];
  if (plan.head) parts.push(parseBibtexSlice(plan.head.text, file, 1));
  const macros = parts[0]?.macros;
  for (const s of plan.slices) parts.push(parseBibtexSlice(s.text, file, s.firstLine, macros));
  const joined = joinSlices(file, parts);
  return { parsed: joined ?? parseCleanBibtex(text, file), joined: joined !== undefined, slices: parts.length };
}

const cleanText = (f: string) => normaliseNewlines(decodeBytes(fs.readFileSync(f)).text);

function bibFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...bibFiles(p));
    else if (/\.(bib|biblatex)$/i.test(d.name)) out.push(p);
  }
  return out;
}

/** A generated library: @strings early and late, duplicate keys far apart, a missing comma, non-ASCII text. */
function generated(n: number, late = true): string {
  const parts = ['@string{jn = "Journal of Tests"}\n', '@comment{made for the slices}\n'];
  for (let i = 0; i < n; i++) {
    if (late && i === Math.floor(n / 2)) parts.push('@string{late = "Late " # jn}\n');
    const key = i % 97 === 5 ? 'dup' : i % 89 === 3 ? `Key${i % 7}` : `key${i}`;
    const journal = late && i > n / 2 ? 'late' : 'jn';
    const comma = i % 53 === 0 ? '' : ',';
    parts.push(`@article{${key},\n  author = {Müller, Jörg and Smith, Ann},\n  title = {Title ${i} — on “things”}${comma}\n  journal = ${journal},\n  year = ${1990 + (i % 30)},\n  month = jan,\n  abstract = {As shown (Smith, ${2000 + (i % 20)}) and more.}\n}\n\n`);
  }
  return parts.join('');
}

describe('a big .bib parsed in slices and joined', function () {
  this.timeout(300000);

  it('gives the whole-file parse on every .bib of the fixtures, cut at every possible size', () => {
    let joined = 0;
    for (const f of bibFiles(path.join(ROOT, 'fixtures'))) {
      const text = cleanText(f);
      const whole = plain(parseCleanBibtex(text, f));
      for (const pieces of [2, 3, 7, 1000]) {
        const r = sliced(text, f, pieces, 1);
        if (!r) continue;
        assert.deepStrictEqual(plain(r.parsed), whole, `${f} in ${pieces}`);
        if (r.joined) joined++;
      }
    }
    assert.ok(joined > 0, 'no fixture cut was joined');
  });

  it('gives the whole-file parse on the real libraries and the bench’s generated one, joined (no fallback)', function () {
    const files = ['bbt-1436-3.bib', 'bbt-1296.bib'].map((f) => path.join(BENCH_DATA, f)).filter((f) => fs.existsSync(f));
    const bench = path.join(ROOT, 'bench', 'data', 'bib-10000.bib');
    if (fs.existsSync(bench)) files.push(bench);
    if (!files.length) this.skip();
    for (const f of files) {
      const text = cleanText(f);
      const whole = plain(parseCleanBibtex(text, f));
      for (const pieces of [2, 4]) {
        const r = sliced(text, f, pieces, 1 << 16)!;
        assert.ok(r.joined && r.slices >= 2, `${f}: not joined`);
        assert.deepStrictEqual(plain(r.parsed), whole, `${f} in ${pieces}`);
      }
    }
  });

  it('keeps @string macros, duplicate-key warnings (with their place among the problems) and lines across slices', () => {
    const text = generated(600);
    const whole = parseCleanBibtex(text, 'g.bib');
    assert.ok(whole.problems.some((p) => /Duplicate key 'dup'/.test(p.message)));
    assert.ok(whole.records.some((r) => r.csl['container-title'] === 'Late Journal of Tests'));
    for (const pieces of [2, 5, 17]) {
      const r = sliced(text, 'g.bib', pieces, 1)!;
      // The @string half-way puts the head past the middle: no cut then; from the start it is cut.
      if (!r) continue;
      assert.deepStrictEqual(plain(r.parsed), plain(whole));
    }
    const early = generated(600, false);
    const r = sliced(early, 'e.bib', 5, 1)!;
    assert.ok(r.joined && r.slices === 6, 'cut into a head and five slices');
    assert.deepStrictEqual(plain(r.parsed), plain(parseCleanBibtex(early, 'e.bib')));
    // A macro defined late is not seen before its definition, in slices as in the whole.
    const late = `@article{a, journal = jn2, title = {A}}\n@string{jn2 = "J2"}\n${generated(50, false)}@article{b, journal = jn2, title = {B}}\n`;
    const rl = sliced(late, 'l.bib', 3, 1)!;
    assert.ok(rl.joined);
    assert.deepStrictEqual(plain(rl.parsed), plain(parseCleanBibtex(late, 'l.bib')));
    assert.strictEqual(rl.parsed.records[0].csl['container-title'], 'jn2');
  });

  it('gives up the join (and so gives the whole-file parse) where the whole-file scan would read across a cut', () => {
    const body = generated(40, false);
    const rest = body.replace(/^@string.*\n/, '');
    const cases = [
      // An entry opened with nothing after it: the whole-file scan reads the next line's '@article' as its key.
      `${body}@misc{\n@article{z1, title = {Z}}\n${rest}`,
      // A value left open runs into the next entry.
      `${body}@misc{m, title = {open\n@article{z2, title = {Z}}\n${rest}`,
      // An e-mail address between entries.
      `${body}mail me@example.org\n@article{z3, title = {Z}}\n${rest}`,
    ];
    for (const text of cases) {
      const whole = plain(parseCleanBibtex(text, 'x.bib'));
      let gaveUp = 0;
      for (let pieces = 2; pieces < 90; pieces += 3) {
        const r = sliced(text, 'x.bib', pieces, 1)!;
        assert.deepStrictEqual(plain(r.parsed), whole);
        if (!r.joined) gaveUp++;
      }
      assert.ok(gaveUp > 0, 'some cut lands at the bad spot');
    }
  });

  it('does not cut a file with crossref or xdata, nor one whose @strings reach past the middle', () => {
    assert.strictEqual(planSlices(`${generated(100)}@book{b, title = {B}}\n@incollection{c, crossref = {b}}\n`, 4, 1), undefined);
    assert.strictEqual(planSlices(`${generated(100)}@string{x = "y"}\n${generated(10)}`, 4, 1), undefined);
    assert.strictEqual(planSlices(generated(100), 1, 1), undefined);
  });

  it('gives up the join when @string expansion meets its limit', () => {
    const big = 'x'.repeat(40000);
    let text = `@string{b = "${big}"}\n`;
    for (let i = 0; i < 3000; i++) text += `@article{k${i}, title = b # b, note = b}\n`;
    const r = sliced(text, 's.bib', 4, 1)!;
    assert.strictEqual(r.joined, false);
    assert.deepStrictEqual(plain(r.parsed), plain(parseCleanBibtex(text, 's.bib')));
  });
});

describe('the parse pool', function () {
  this.timeout(300000);
  let pool: ParsePool;
  before(() => (pool = new ParsePool({ size: 2, slices: true })));
  after(() => pool.close());

  it('parses many files as one thread does (fixtures), in their order', () => {
    for (const dir of [SEEDS, VARIED, path.join(ROOT, 'fixtures')]) {
      const { files, raw } = expandPaths([dir]);
      const one = files.map((f) => parseFile(f, {}, raw.get(f)));
      const sent = pool.sent;
      assert.deepStrictEqual(parseFilesPooled(files, {}, raw, pool, 4096), one);
      assert.ok(pool.sent - sent >= 2, `${dir}: spread over the threads`);
    }
    assert.strictEqual(pool.failures, 0);
  });

  it('parses one big .bib in slices on its threads as one thread does', () => {
    const bytes = Buffer.from(generated(3000, false));
    const one = parseBytes(bytes, 'big.bib');
    const sent = pool.sent;
    assert.deepStrictEqual(plain(parseBytesPooled(bytes, 'big.bib', pool, 64 * 1024)), plain(one));
    assert.ok(pool.sent - sent >= 2, 'sliced over the threads');
    const real = path.join(BENCH_DATA, 'bbt-1436-3.bib');
    if (fs.existsSync(real)) {
      const b = fs.readFileSync(real);
      assert.deepStrictEqual(plain(parseBytesPooled(b, real, pool, 1 << 18)), plain(parseBytes(b, real)));
    }
    assert.strictEqual(pool.failures, 0);
  });

  it('parses a folder with one big .bib (cut into slices here) and small files (on the threads) as one thread does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-pool-'));
    try {
      fs.writeFileSync(path.join(dir, 'big.bib'), generated(12000, false));
      for (const f of fs.readdirSync(SEEDS)) fs.copyFileSync(path.join(SEEDS, f), path.join(dir, f));
      const { files, raw } = expandPaths([dir]);
      assert.ok(fs.statSync(path.join(dir, 'big.bib')).size > 2 * 1024 * 1024);
      const one = files.map((f) => parseFile(f, {}, raw.get(f)));
      const sent = pool.sent;
      assert.deepStrictEqual(plain(parseFilesPooled(files, {}, raw, pool, 4096)), plain(one));
      assert.ok(pool.sent - sent >= 4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loses no file when a thread fails: a job that throws, a thread that never starts, a thread that dies mid-job', () => {
    const { files, raw } = expandPaths([SEEDS]);
    const one = files.map((f) => parseFile(f, {}, raw.get(f)));
    const answerWith = (body: string) => `const { workerData } = require('worker_threads'); const { port, signal } = workerData;
      const answer = (m) => { port.postMessage(m); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
      ${body}`;
    const entries = [
      answerWith(`port.on('message', (m) => answer({ id: m.id, ok: false, message: 'boom' })); answer({ ready: true });`),
      `process.exit(3);`,
      answerWith(`port.on('message', () => process.exit(4)); answer({ ready: true });`),
    ];
    for (const code of entries) {
      const bad = new ParsePool({ size: 2, entry: { file: code, eval: true }, startMs: 2000, jobMs: 2000 });
      try {
        assert.deepStrictEqual(parseFilesPooled(files, {}, raw, bad, 4096), one);
        assert.ok(bad.failures > 0);
      } finally {
        bad.close();
      }
    }
  });

  it('is as big as the free cores, at most four; none on one core, when two are not free, or when turned off', () => {
    assert.strictEqual(parseThreads({}, 1, 0), 0);
    assert.strictEqual(parseThreads({}, 2, 0), 2);
    assert.strictEqual(parseThreads({}, 2, 0.5), 0);
    assert.strictEqual(parseThreads({}, 16, 1), 4);
    assert.strictEqual(parseThreads({ CORPUS_CITE_PARSE_THREADS: '1' }, 16, 0), 0);
    assert.strictEqual(parseThreads({ CORPUS_CITE_PARSE_THREADS: '0' }, 16, 0), 0);
    assert.strictEqual(parseThreads({ CORPUS_CITE_PARSE_THREADS: '3' }, 1, 9), 3);
    assert.strictEqual(parseThreads({ CORPUS_CITE_PARSE_THREADS: 'x' }, 2, 0), 2);
    assert.strictEqual(new ParsePool({ size: 0 }).parallel, false);
  });
});
