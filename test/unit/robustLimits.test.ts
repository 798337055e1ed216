/**
 * Every limit is explicit and reported when hit, the entry kept (issue 12): citations per block
 * and citation text per block, JSON nesting depth, BibTeX @string expansion. The hostile inputs
 * run in a child process with a heap and time limit (helpers/robustChild.ts).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractCitations, MAX_CITATIONS_PER_BLOCK } from '../../src/core/build/citations';
import { deeperThan, jsonTextDepth, MAX_JSON_DEPTH } from '../../src/core/io/jsonDepth';
import { MAX_CITATION_TEXT_CHARS, parseBytes } from '../../src/core/build/loadFiles';
import type { Problem } from '../../src/core/model/model';
import { MAX_EXPANDED_VALUE } from '../../src/core/parsers/bibtex';
import { ROOT } from './helpers/corpus';

const CHILD = path.join(ROOT, 'test', 'unit', 'helpers', 'robustChild.ts');

interface ChildResult {
  works: { id: string; kind: string; title: string; titleLength: number; file: string }[];
  problems: Problem[];
  ms: number;
  rssMB: number;
}

function indexInChild(paths: string[], heapMB = 256, timeoutMs = 20000): ChildResult {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--stack-size=984', '--import', 'tsx', CHILD, ...paths], { cwd: ROOT, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.strictEqual(r.signal, null, `the child was killed (${r.signal}); stderr: ${String(r.stderr).slice(0, 500)}`);
  assert.strictEqual(r.status, 0, `the child failed: ${String(r.stderr).slice(-1500)}`);
  return JSON.parse(String(r.stdout)) as ChildResult;
}

describe('limits: explicit, reported when hit, the entry kept', function () {
  this.timeout(60000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-limits-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an abstract of run-on citation-like text: bounded time and memory, the record kept, the cut reported', () => {
    // 8 MB in one sentence: a citation every 14 characters, no full stop.
    const abstract = '(Smith, 2020) '.repeat(600_000);
    const f = path.join(tmp, 'runon.bib');
    fs.writeFileSync(f, `@article{runon2021,\n  author = {Doe, John},\n  title = {Run on},\n  year = {2021},\n  abstract = {${abstract}}\n}\n`);
    const c = indexInChild([f], 384, 30000);
    const rec = c.works.filter((w) => w.kind === 'record');
    assert.deepStrictEqual(rec.map((w) => w.id), ['runon2021']);
    const info = c.problems.filter((p) => p.file === f && p.severity === 'info');
    assert.ok(info.some((p) => /looked for in the first 256K/.test(p.message)), JSON.stringify(c.problems));
    assert.ok(info.some((p) => new RegExp(`More than ${MAX_CITATIONS_PER_BLOCK} citations in one block`).test(p.message)), JSON.stringify(c.problems));
    assert.ok(c.ms < 20000, `${c.ms} ms`);
  });

  it('the extractor alone: linear in a long sentence, at most MAX_CITATIONS_PER_BLOCK kept', () => {
    const text = '(Smith, 2020) '.repeat(MAX_CITATION_TEXT_CHARS / 14);
    const t0 = Date.now();
    const out = extractCitations({ text, line: 1 });
    assert.strictEqual(out.length, MAX_CITATIONS_PER_BLOCK);
    assert.strictEqual(out.truncated, true);
    for (const c of out) assert.ok(c.sentence.length <= 1002, String(c.sentence.length));
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
    // Below the limit nothing is said.
    assert.strictEqual(extractCitations({ text: 'As shown (Smith, 2020).', line: 1 }).truncated, undefined);
  });

  it('JSON nested 100,000 deep in a .csl.json: the item kept without that field, one warning; nothing overflows', () => {
    const n = 100_000;
    const deepObj = '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const deepArr = '['.repeat(n) + ']'.repeat(n);
    const f = path.join(tmp, 'deep.csl.json');
    fs.writeFileSync(f, `[\n{"id":"ok","type":"book","title":"Kept","custom":${deepObj}},\n{"id":"ok2","type":"book","title":"Also kept","author":${deepArr}}\n]\n`);
    const g = path.join(tmp, 'deep-items.csl.json');
    fs.writeFileSync(g, `{"items":[{"id":"x","type":"book","title":"Dated","issued":${deepObj}}]}`);
    const h = path.join(tmp, 'deep-all.csl.json');
    fs.writeFileSync(h, deepArr);
    const c = indexInChild([f, g, h]);
    assert.deepStrictEqual(c.works.map((w) => w.title).sort(), ['Also kept', 'Dated', 'Kept']);
    const warn = c.problems.filter((p) => /nested more than 32 levels deep/.test(p.message));
    assert.deepStrictEqual(warn.map((p) => `${path.basename(p.file)}:${p.message.split("'")[1]}`).sort(), ['deep-items.csl.json:issued', 'deep.csl.json:custom']);
    // (An author list of nested arrays is not CSL names: the CSL reader's own repair drops those.)
    assert.ok(c.problems.some((p) => p.file === h), 'the file of bare arrays is reported');
  });

  it('depth helpers: linear, strings skipped, iterative', () => {
    assert.strictEqual(jsonTextDepth('[{"a":"[[[["}]'), 2);
    assert.strictEqual(jsonTextDepth('['.repeat(1e6), 40), 40);
    // Escaped quotes stay inside their string; an even run of backslashes before a quote closes it.
    assert.strictEqual(jsonTextDepth(String.raw`["a\"[[", "b\\\\", [[1]], "\\\"{{{"]`), 3);
    assert.strictEqual(jsonTextDepth(String.raw`["\\"[[[`), 4);
    assert.strictEqual(jsonTextDepth('["never closed [[[['), 1);
    assert.strictEqual(deeperThan({ a: [{ b: 1 }] }, 3), false);
    assert.strictEqual(deeperThan({ a: [{ b: {} }] }, 3), true);
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = [v];
    assert.strictEqual(deeperThan(v, MAX_JSON_DEPTH), true);
  });

  it('BibTeX @string expansion: a 793-byte file cannot make a 201 MB title; the entry kept, one warning', () => {
    let src = '@string{a0 = "abcdefghijkl"}\n';
    for (let i = 1; i <= 24; i++) src += `@string{a${i} = a${i - 1} # a${i - 1}}\n`;
    src += '@article{bomb2020,\n  author = {Doe, Jane},\n  title = a24,\n  year = 2020\n}\n@article{after2020, title = {After the bomb}, year = 2020}\n';
    assert.ok(src.length < 900, String(src.length));
    const f = path.join(tmp, 'bomb.bib');
    fs.writeFileSync(f, src);
    const c = indexInChild([f], 256);
    assert.deepStrictEqual(c.works.map((w) => w.id).sort(), ['after2020', 'bomb2020']);
    const bomb = c.works.find((w) => w.id === 'bomb2020')!;
    assert.ok(bomb.titleLength <= MAX_EXPANDED_VALUE, String(bomb.titleLength));
    assert.ok(bomb.title.startsWith('abcdefghijklabcdefghijkl'));
    const w = c.problems.filter((p) => /@string expansion past the limit/.test(p.message));
    assert.strictEqual(w.length, 1, JSON.stringify(c.problems));
    assert.strictEqual(w[0].severity, 'warning');
    // Ordinary macros are untouched.
    const ok = parseBytes(Buffer.from('@string{j = "Journal of Tests"}\n@article{k, title = {T}, journal = j # " B", year = 2020}\n'), 'ok.bib');
    assert.strictEqual(ok.records[0].csl['container-title'], 'Journal of Tests B');
    assert.deepStrictEqual(ok.problems, []);
  });
});
