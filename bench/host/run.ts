/**
 * `npm run bench:host` (also the last step of `npm run bench`): completion, hover and event-loop
 * blocking measured inside the real VS Code extension host (code-server, see scripts/host/) on a
 * generated 50k-work library. Makes the workspace bench/data/host-<n>/ (library.bib, a
 * manuscript, the expected work count), compiles bench/host/suite.ts, runs it through
 * scripts/host/run-integration.js and writes its table into bench/RESULTS.md between the
 * bench:host markers. Needs `npm run build` and `npm run test:setup` (code-server, chromium).
 *
 * Then the warm-restart phase (bench/host/warm.ts): one launch that indexes the library and writes
 * the warm-start cache, then BENCH_HOST_WARM_RUNS restarts on the same user data (the same
 * workspace storage), each timed from activation to the first completion answered with works from
 * the cache and to "ready"; its table goes between the bench:host-warm markers.
 *
 * Environment: BENCH_HOST_SIZE (default 50000), BENCH_NO_WRITE=1 (print only),
 * BENCH_HOST_WARM_RUNS (restarts, default 5; 0: no warm phase), BENCH_HOST_ONLY=warm (the warm
 * phase alone).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { indexPaths } from '../../src/core/build/loadFiles';
import { generate, OUT } from '../generate';
import type { BlockStats, HostBenchResult } from './suite';
import type { WarmLaunchResult } from './warm';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');
const SIZE = Number(process.env.BENCH_HOST_SIZE ?? 50000);
const log = (m: string) => process.stderr.write(`[bench:host] ${m}\n`);

function workspace(n: number): string {
  const set = generate([n], log)[n];
  const dir = path.join(OUT, `host-${n}`);
  // The suite copies library.bib.source to library.bib once the extension has started.
  const bib = path.join(dir, 'library.bib.source');
  const expected = path.join(dir, 'expected-works.txt');
  if (!fs.existsSync(expected) || !fs.existsSync(bib) || fs.statSync(bib).mtimeMs < fs.statSync(set.bib).mtimeMs) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(set.bib, bib);
    const works = indexPaths([set.bib]).works;
    const cites = works.slice(0, 40).map((w) => `[@${w.id}]`);
    fs.writeFileSync(path.join(dir, 'review.md'), `# Review\n\n${cites.map((c, i) => `Sentence ${i} of the review ${c}.`).join('\n')}\n`);
    fs.writeFileSync(expected, String(works.length));
    log(`workspace ${path.relative(ROOT, dir)}: ${works.length} works`);
  }
  return dir;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');

function render(r: HostBenchResult, started: Date, load: number[]): string {
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  // What the kernel says the main thread did in the longest blocks: ran on a CPU, or waited for one.
  const sched = (b: BlockStats): string =>
    b.sched
      ? `| · the five longest blocks as wall = ran + waited for a CPU (kernel schedstat of the host's main thread); longest time it ran in one block | ${b.sched.top.map(([w, ran, wait]) => `${w} = ${ran} + ${wait}`).join('; ')} ms; ran at most ${f0(b.sched.maxRanMs)} ms (${b.sched.ranOver50} over 50) | ran ≤ 50 ms: ${verdict(b.sched.maxRanMs <= 50)} |`
      : '| · (no kernel schedstat here: ran / waited not measured) | | |';
  const rows = [
    `Host benchmark: ${r.works} works (one generated .bib), VS Code ${r.vscode} extension host (code-server), ${os.cpus().length} cores, load average ${load.map((x) => x.toFixed(1)).join(' ')}, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| activation (open manuscript → activate() resolves, empty corpus) | ${f0(r.activateMs)} ms | |`,
    `| index of the library written into the open workspace, wall time | ${f1(r.index.ms / 1000)} s | |`,
    `| that index: longest event-loop block | ${f0(r.index.maxBlockMs)} ms (${r.index.over50} blocks over 50 ms; top ${r.index.top.join(', ')}) | ≤ 50 ms: ${verdict(r.index.maxBlockMs <= 50)} |`,
    sched(r.index),
    `| · garbage-collection pauses in it | ${r.index.gc.count}, ${f0(r.index.gc.totalMs)} ms in all; longest ${r.index.gc.top.join(', ')} ms | |`,
    `| extension host memory after that index (heap / RSS, whole process) | ${f0(r.memory.heapMB)} / ${f0(r.memory.rssMB)} MB | |`,
    `| full re-index, wall time | ${f1(r.reindex.ms / 1000)} s | |`,
    `| full re-index: longest event-loop block | ${f0(r.reindex.maxBlockMs)} ms (${r.reindex.over50} over 50 ms; top ${r.reindex.top.join(', ')}) | ≤ 50 ms: ${verdict(r.reindex.maxBlockMs <= 50)} |`,
    sched(r.reindex),
    `| completion while re-indexing (a request every 100 ms), p50 / p99 / max | ${f1(r.duringReindex.p50)} / ${f1(r.duringReindex.p99)} / ${f0(r.duringReindex.max)} ms (n = ${r.duringReindex.n}; ${r.duringReindex.misses} answered without the work) | |`,
    `| · garbage-collection pauses in it | ${r.reindex.gc.count}, ${f0(r.reindex.gc.totalMs)} ms in all; longest ${r.reindex.gc.top.join(', ')} ms | |`,
    `| round trip through the workbench that no provider of ours serves, p50 / p99 | ${f1(r.floor.p50)} / ${f1(r.floor.p99)} ms | (the floor) |`,
    `| completion end to end, p50 / p99 | ${f1(r.completion.p50)} / ${f1(r.completion.p99)} ms (n = ${r.completion.n}) | p99 ≤ 20 ms: ${verdict(r.completion.p99 <= 20)} |`,
    ...Object.entries(r.perQuery).map(([q, d]) => `| · \`${q}\` | ${f1(d.p50)} / ${f1(d.p99)} ms, ${d.items} items | |`),
    `| · of which inside our completion provider, p50 / p99 / max | ${f2(r.inside.completion?.p50 ?? NaN)} / ${f2(r.inside.completion?.p99 ?? NaN)} / ${f1(r.inside.completion?.max ?? NaN)} ms (n = ${r.inside.completion?.n ?? 0}, all requests of the run) | ≤ 5 ms: ${verdict((r.inside.completion?.p99 ?? Infinity) <= 5)} |`,
    ...(r.inside.completion?.onCpu ? [`| · · the same less the time the thread waited for a CPU in them, p50 / p99 / max | ${f2(r.inside.completion.onCpu.p50)} / ${f2(r.inside.completion.onCpu.p99)} / ${f1(r.inside.completion.onCpu.max)} ms | |`] : []),
    ...(r.slowCompletions ? [`| · · requests over ${r.slowCompletions.overMs} ms inside it since the re-index: with a GC pause inside / waiting for a CPU over half of it / neither | ${r.slowCompletions.slow} of ${r.slowCompletions.n}: ${r.slowCompletions.withGc} (${f0(r.slowCompletions.gcMs)} ms of GC) / ${r.slowCompletions.waiting ?? '?'} / ${r.slowCompletions.own ?? '?'}; slowest wall/waited/GC ms (where) ${r.slowCompletions.top.map((x, i) => `${x.map((v) => (v === null ? '?' : f1(v))).join('/')} (${r.slowCompletions.where?.[i] ?? '?'})`).join(', ')} | |`] : []),
    `| hover end to end, p50 / p99 | ${f1(r.hover.p50)} / ${f1(r.hover.p99)} ms (n = ${r.hover.n}) | |`,
    `| · of which inside our hover provider, p50 / p99 / max | ${f2(r.inside.hover?.p50 ?? NaN)} / ${f2(r.inside.hover?.p99 ?? NaN)} / ${f1(r.inside.hover?.max ?? NaN)} ms (n = ${r.inside.hover?.n ?? 0}) | ≤ 2 ms: ${verdict((r.inside.hover?.p99 ?? Infinity) <= 2)} |`,
    `| tree top level by ${Object.keys(r.tree).join(' / ')}: rows | ${Object.values(r.tree).map((t) => t.rows).join(' / ')} | |`,
    `| · built in (wall time, in slices) | ${Object.values(r.tree).map((t) => f0(t.ms)).join(' / ')} ms | |`,
    `| · longest block while building | ${Object.values(r.tree).map((t) => f0(t.longestSliceMs)).join(' / ')} ms | ≤ 50 ms each: ${verdict(Object.values(r.tree).every((t) => t.longestSliceMs <= 50))} |`,
  ];
  return rows.join('\n');
}

const BEGIN = '<!-- bench:host:begin (written by npm run bench:host) -->';
const END = '<!-- bench:host:end -->';

function writeResults(table: string): void {
  const block = `${BEGIN}\n${table}\n${END}`;
  let text = fs.readFileSync(RESULTS, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + END.length);
  else {
    const tableEnd = text.indexOf('<!-- bench:table:end -->');
    const at = tableEnd >= 0 ? tableEnd + '<!-- bench:table:end -->'.length : text.length;
    text = `${text.slice(0, at)}\n\n## In the real extension host\n\n${block}\n${text.slice(at)}`;
  }
  fs.writeFileSync(RESULTS, text);
}

const WARM_BEGIN = '<!-- bench:host-warm:begin (written by npm run bench:host) -->';
const WARM_END = '<!-- bench:host-warm:end -->';

/** The newest log of the extension in a run dir's server logs (one dated folder per launch). */
function extensionLog(base: string): string[] {
  const logs = path.join(base, 's', 'logs');
  if (!fs.existsSync(logs)) return [];
  const found: { file: string; mtime: number }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Corpus Cite\.log$/.test(e.name)) found.push({ file: p, mtime: fs.statSync(p).mtimeMs });
    }
  };
  walk(logs);
  const newest = found.sort((a, b) => b.mtime - a.mtime)[0];
  const lines = newest ? fs.readFileSync(newest.file, 'utf8').split('\n').filter((l) => /\[(index|activate)\]/.test(l)) : [];
  // The file may hold earlier launches too: this launch's lines start at its activation.
  let from = 0;
  lines.forEach((l, i) => {
    if (/\[activate\] activated in/.test(l)) from = i;
  });
  return lines.slice(from);
}

/** One launch of the warm suite on the kept run dir `base`; its result and the extension's log lines. */
function warmLaunch(dir: string, base: string, phase: 'prime' | 'warm', n: number): { r: WarmLaunchResult; log: string[] } {
  const out = path.join(base, `${phase}-${n}.json`);
  const suite = path.join(ROOT, 'out', 'bench', 'host', 'warm');
  const env = { ...process.env, CORPUS_CITE_BENCH_WARM: phase, CORPUS_CITE_BENCH_OUT: out };
  log(`warm phase: ${phase} launch ${n}`);
  const host = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'host', 'run-integration.js'), `--extensionTestsPath=${suite}`, `--folder=${dir}`, `--run-dir=${base}`, '--timeout=900'], { cwd: ROOT, stdio: 'inherit', env });
  if (host.status !== 0 || !fs.existsSync(out)) throw new Error(`the warm-phase ${phase} launch failed (exit ${host.status})`);
  return { r: JSON.parse(fs.readFileSync(out, 'utf8')) as WarmLaunchResult, log: extensionLog(base) };
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** What the launch's indexing pass says it took from the cache (from its log line). */
function fromCache(log: string[]): string {
  const pass = log.find((l) => /\[index\] \d+ files/.test(l)) ?? '';
  const parsed = /parsed (\d+) file\(s\)/.exec(pass)?.[1] ?? '?';
  return `${/took the corpus from the cache/.test(pass) ? 'corpus from the cache' : 'corpus built'}, ${parsed} parsed`;
}

/** The extension's own account (its log): activation → first index ready, and the fetch of the works. */
function fromLog(log: string[]): { readyMs: number; fetchMs: number; chunks: number; waitMs: number } {
  const pass = log.find((l) => /\[index\] \d+ files/.test(l)) ?? '';
  const ready = /first index ready (\d+) ms/.exec(log.join('\n'));
  const fetch = /taken in in (\d+) slices in (\d+) ms/.exec(pass);
  const wait = /in a worker in (\d+) ms/.exec(pass);
  return { readyMs: ready ? Number(ready[1]) : NaN, chunks: fetch ? Number(fetch[1]) : NaN, fetchMs: fetch ? Number(fetch[2]) : NaN, waitMs: wait ? Number(wait[1]) : NaN };
}

function renderWarm(prime: WarmLaunchResult, runs: WarmLaunchResult[], primeLog: string[], warmLog: string[], logs: string[][], started: Date): string {
  const load = (r: WarmLaunchResult) => r.load.map((x) => x.toFixed(1)).join(' ');
  const row = (label: string, r: WarmLaunchResult, l: string[]) => {
    const x = fromLog(l);
    const boot = /bundle loaded in ([\d.]+) ms, code cache: (\w+)/.exec(l.join('\n'));
    const body = /activated in ([\d.]+) ms/.exec(l.join('\n'));
    return `| ${label} | ${load(r)} | ${f0(r.activateMs)} | ${boot ? `${boot[1]} (${boot[2]})` : '–'} / ${body ? body[1] : '–'} | ${f0(r.firstCompletionMs)} | ${f0(r.floorMs)} | ${f0(r.worksMs)} | ${f0(r.readyMs)} | ${f0(x.readyMs)} = ${f0(x.waitMs)} + … + ${f0(x.fetchMs)} (${x.chunks} slices) | ${f0(r.cpuAtCompletion.processMs)} / ${f0(r.cpuAtCompletion.mainMs ?? NaN)} | ${f0(r.cpuAtReady.processMs)} / ${f0(r.cpuAtReady.mainMs ?? NaN)} | ${f0(r.blocks.maxBlockMs)} | ${fromCache(l)} |`;
  };
  const med = (f: (r: WarmLaunchResult) => number) => f0(median(runs.map(f)));
  const lines = [
    `Warm restart: ${prime.works} works (one generated .bib), cache file ${(prime.cacheBytes / 1048576).toFixed(0)} MB, VS Code extension host (code-server), ${os.cpus().length} cores, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Times in ms from \`activate()\` resolving (the manuscript opened → activated is its own column); CPU = whole extension host process (index worker included) / its main thread.`,
    '',
    '| launch | load average (1, 5, 15 min) | open → activated | bundle loaded (code cache) / `activate()` body, ms | → first completion with works, end to end | → Markdown\'s own first completion (the workbench\'s floor: ours not asked) | → all works in the editor (our provider answers with them) | → ready | the extension\'s log: activation → ready = until the files are checked + … + fetching the works | CPU to first completion | CPU to ready | longest event-loop block | indexing pass |',
    '|---|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---|',
    row('first launch (cold index, writes the cache)', prime, primeLog),
    ...runs.map((r, i) => row(`restart ${i + 1}`, r, logs[i])),
    `| **median of ${runs.length} restarts** | | ${med((r) => r.activateMs)} | | **${med((r) => r.firstCompletionMs)}** (range ${f0(Math.min(...runs.map((r) => r.firstCompletionMs)))}–${f0(Math.max(...runs.map((r) => r.firstCompletionMs)))}) | ${med((r) => r.floorMs)} | ${med((r) => r.worksMs)} | ${med((r) => r.readyMs)} | ${f0(median(logs.map((l) => fromLog(l).readyMs)))} |  ${med((r) => r.cpuAtCompletion.processMs)} / ${med((r) => r.cpuAtCompletion.mainMs ?? NaN)} | ${med((r) => r.cpuAtReady.processMs)} / ${med((r) => r.cpuAtReady.mainMs ?? NaN)} | ${med((r) => r.blocks.maxBlockMs)} | |`,
    '',
    `Target (issue 15): activation → first completion from a warm cache ≤ 1 s: ${median(runs.map((r) => r.firstCompletionMs)) <= 1000 ? 'met' : '**missed**'} (median); our provider answering with the works ≤ 1 s: ${median(runs.map((r) => r.worksMs)) <= 1000 ? 'met' : '**missed**'} (median); the workbench's floor (Markdown's own first completion, asked at the same moment) ${med((r) => r.floorMs)} ms.`,
    '',
    'The extension\'s log, first launch then the last restart:',
    '',
    '```',
    ...primeLog.map((l) => l.replace(/^\S+ \S+ /, '')),
    '…',
    ...warmLog.map((l) => l.replace(/^\S+ \S+ /, '')),
    '```',
  ];
  return lines.join('\n');
}

function warmPhase(dir: string, runs: number): string {
  const started = new Date();
  const base = fs.mkdtempSync(path.join(fs.existsSync('/tmp') ? '/tmp' : os.tmpdir(), 'ccw-'));
  try {
    const prime = warmLaunch(dir, base, 'prime', 0);
    const results: WarmLaunchResult[] = [];
    const logs: string[][] = [];
    for (let i = 1; i <= runs; i++) {
      const { r, log: l } = warmLaunch(dir, base, 'warm', i);
      results.push(r);
      logs.push(l);
    }
    const table = renderWarm(prime.r, results, prime.log, logs[logs.length - 1] ?? [], logs, started);
    fs.rmSync(base, { recursive: true, force: true });
    return table;
  } catch (e) {
    log(`warm phase failed; its run dir is kept: ${base}`);
    throw e;
  }
}

function writeBetween(begin: string, end: string, table: string): boolean {
  const text = fs.readFileSync(RESULTS, 'utf8');
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return false;
  fs.writeFileSync(RESULTS, text.slice(0, a) + `${begin}\n${table}\n${end}` + text.slice(b + end.length));
  return true;
}

function main(): void {
  const started = new Date();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const dir = workspace(SIZE);
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.integration.json')], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc -p tsconfig.integration.json failed');
  const warmRuns = Number(process.env.BENCH_HOST_WARM_RUNS ?? 5);
  if (process.env.BENCH_HOST_ONLY !== 'warm') mainPhase(dir, started);
  if (warmRuns > 0) {
    const table = warmPhase(dir, warmRuns);
    process.stdout.write(`${table}\n`);
    if (process.env.BENCH_NO_WRITE !== '1') {
      if (writeBetween(WARM_BEGIN, WARM_END, table)) log(`wrote the warm phase into ${path.relative(ROOT, RESULTS)}`);
      else log(`no ${WARM_BEGIN} marker in ${path.relative(ROOT, RESULTS)}: printed only`);
    }
  }
}

function mainPhase(dir: string, started: Date): void {
  const result = path.join(dir, 'host-bench-result.json');
  fs.rmSync(result, { force: true });
  const suite = path.join(ROOT, 'out', 'bench', 'host', 'suite');
  const host = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'host', 'run-integration.js'), `--extensionTestsPath=${suite}`, `--folder=${dir}`, '--no-copy', '--timeout=1200'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CORPUS_CITE_THREAD_WAIT: '1' } });
  if (host.status !== 0 || !fs.existsSync(result)) throw new Error(`the host benchmark failed (exit ${host.status})`);
  const r = JSON.parse(fs.readFileSync(result, 'utf8')) as HostBenchResult;
  const table = render(r, started, os.loadavg());
  process.stdout.write(`${table}\n`);
  if (process.env.BENCH_NO_WRITE !== '1') {
    writeResults(table);
    log(`wrote ${path.relative(ROOT, RESULTS)}`);
  }
}

main();
