/**
 * `npm run bench`: generates the data (bench/data/, git-ignored), measures every figure of
 * issue 5 in child processes (one clean heap per measurement, one at a time), prints one table
 * and writes it into bench/RESULTS.md between the bench:table markers (the analysis below the
 * markers is kept). Timings never gate tests.
 *
 * Environment: BENCH_SIZES=1000,10000 (default 1000,10000,50000,100000), BENCH_QUICK=1 (1k and
 * 10k, fewer repetitions), BENCH_NO_WRITE=1 (print only), CORPUS_CITE_BENCH_DATA=<dir of the
 * real libraries> (default ../shared/bench-data).
 */
import { spawn } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type DataSet, generate, REAL } from './generate';
import type { ColdRun, Latency } from './task';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(__dirname, '.cache');
const TASK_JS = path.join(CACHE, 'task.js');
const RESULTS = path.join(__dirname, 'RESULTS.md');

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = (process.env.BENCH_SIZES ?? (QUICK ? '1000,10000' : '1000,10000,50000,100000')).split(',').map(Number).filter((n) => n > 0);
const COLD_REPS: Record<number, number> = QUICK ? { 1000: 3, 10000: 1 } : { 1000: 5, 10000: 3, 50000: 3, 100000: 2 };
const WARM_REPS = QUICK ? 2 : 3;
/** Peers run at these sizes at most; larger sizes are extrapolated (linear per entry). */
const PEER_MAX = Number(process.env.BENCH_PEER_MAX ?? 50000);
const PEER_TIMEOUT_MS = Number(process.env.BENCH_PEER_TIMEOUT_MS ?? 240_000);
const KEY_SIZE = SIZES.includes(50000) ? 50000 : SIZES[SIZES.length - 1];

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

// ---------------------------------------------------------------------------------------------
// Child processes

interface TaskOutcome<T> {
  result?: T;
  error?: string;
  timedOut?: boolean;
  ms: number;
}

function runTask<T>(name: string, args: object, opts: { timeoutMs?: number; heapMB?: number } = {}): Promise<TaskOutcome<T>> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${opts.heapMB ?? 6144}`, TASK_JS, name, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      const ms = Date.now() - t0;
      if (timedOut) return resolve({ timedOut: true, error: `timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`, ms });
      if (!line) return resolve({ error: `exit ${code ?? signal}: ${(err || out).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`, ms });
      const parsed = JSON.parse(line.slice(7)) as T & { fatal?: string };
      if (parsed.fatal) return resolve({ error: parsed.fatal.split('\n')[0], ms });
      resolve({ result: parsed, ms });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface ColdResult {
  runs: ColdRun[];
  latency?: Latency;
  clone?: { serialize: number; deserialize: number; mb: number };
}
interface MemoryResult {
  works: number;
  heapUsed: number;
  rss: number;
  peakRss: number;
}
interface WarmResult {
  works: number;
  warm: number;
  warmCpu: number;
  search: number;
  searchCpu: number;
  stats: { corpusFromCache: boolean; fromCache: number; parsed: number; files: number; ms: Record<string, number> };
}
interface PrepareResult {
  works: number;
  cacheMB: number;
}
interface PeerResult {
  runs: { total: number; cpu: number }[];
  entries: number;
  error?: string;
  peakRss: number;
}
interface ActivationResult {
  require: number;
  activate: number;
  total: number;
  error?: string;
  modules: string[];
  citationAtActivation: string[];
  citationAfter500ms: string[];
  codeCache?: string;
  compileMs?: number;
}

type Format = 'bib' | 'csl' | 'layouts';
const FORMATS: Format[] = ['bib', 'csl', 'layouts'];
const FORMAT_NAME: Record<Format, string> = { bib: 'BibTeX', csl: 'CSL-JSON', layouts: 'Four seed layouts (one record per file)' };
const PEERS = ['citation-js', 'citation-js-entries', 'latex-utensils', 'retorquere'] as const;
type Peer = (typeof PEERS)[number] | 'json' | 'bib-floor';
const PEER_NAME: Record<(typeof PEERS)[number], string> = {
  'citation-js': '`@citation-js/plugin-bibtex` 0.8, whole file',
  'citation-js-entries': '`@citation-js/plugin-bibtex` 0.8, one entry at a time',
  'latex-utensils': '`latex-utensils` 7',
  retorquere: '`@retorquere/bibtex-parser` 9',
};

interface Agg {
  total: number;
  cpu: number;
  read: number;
  parse: number;
  maxParse: number;
  corpus: number;
  search: number;
  /** CPU per stage (medians), ms. */
  readCpu: number;
  parseCpu: number;
  corpusCpu: number;
  searchCpu: number;
  bytes: number;
  works: number;
  records: number;
  files: number;
}
const agg = (runs: ColdRun[]): Agg => ({
  total: median(runs.map((r) => r.total)),
  cpu: median(runs.map((r) => r.cpu)),
  read: median(runs.map((r) => r.read)),
  parse: median(runs.map((r) => r.parse)),
  maxParse: median(runs.map((r) => r.maxParse)),
  corpus: median(runs.map((r) => r.corpus)),
  search: median(runs.map((r) => r.search)),
  readCpu: median(runs.map((r) => r.readCpu)),
  parseCpu: median(runs.map((r) => r.parseCpu)),
  corpusCpu: median(runs.map((r) => r.corpusCpu)),
  searchCpu: median(runs.map((r) => r.searchCpu)),
  bytes: runs[0].bytes,
  works: runs[0].works,
  records: runs[0].records,
  files: runs[0].files,
});

interface PeerAgg {
  ms: number;
  cpu: number;
  entries: number;
  error?: string;
  extrapolatedFrom?: number;
  peakRss?: number;
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg();
  log(`sizes ${SIZES.join(', ')}; load average ${load0.map((x) => x.toFixed(1)).join(' ')}`);

  // 1. The measured code: task.ts bundled with the core, as esbuild bundles the extension.
  fs.mkdirSync(CACHE, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'task.ts')],
    outfile: TASK_JS,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['@citation-js/*', 'latex-utensils', '@retorquere/bibtex-parser', 'vscode'],
  });

  // 2. Data.
  const t0 = Date.now();
  const sets = generate(SIZES, log);
  for (const n of SIZES) {
    const out = bibCsl(sets[n]);
    if (!fs.existsSync(out)) await must(runTask('bibAsCsl', { target: sets[n].bib, out }), `bib as CSL ${n}`);
  }
  log(`data ready (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const realBib = ['bbt-1436-3.bib', 'bbt-1296.bib'].map((f) => path.join(REAL, f)).filter((f) => fs.existsSync(f));
  const realCsl = path.join(REAL, 'muccigrosso-zotero.csl.json');
  const warmupOf = (f: Format) => sets[SIZES[0]][f];

  // 3. Cold index, latency, clone cost: per format and size.
  const cold: Record<Format, Record<number, { agg: Agg; latency?: Latency; clone?: ColdResult['clone'] }>> = { bib: {}, csl: {}, layouts: {} };
  for (const f of FORMATS) {
    for (const n of SIZES) {
      log(`cold ${f} ${n}`);
      const r = await runTask<ColdResult>('cold', { target: sets[n][f], warmup: warmupOf(f), reps: COLD_REPS[n] ?? 1, latency: true, cloneCost: n === KEY_SIZE });
      if (r.result) cold[f][n] = { agg: agg(r.result.runs), latency: r.result.latency, clone: r.result.clone };
      else log(`  failed: ${r.error}`);
    }
  }
  const realCold: Record<string, Agg | undefined> = {};
  for (const file of [...realBib, realCsl, path.join(ROOT, 'fixtures', 'seeds')]) {
    log(`cold ${path.basename(file)}`);
    const r = await runTask<ColdResult>('cold', { target: file, warmup: sets[SIZES[0]].bib, reps: 3 });
    realCold[path.basename(file)] = r.result ? agg(r.result.runs) : undefined;
  }

  // 4. Memory after indexing: BibTeX at every size; the other formats at the key size.
  const memory: Record<Format, Record<number, MemoryResult | undefined>> = { bib: {}, csl: {}, layouts: {} };
  let memoryCached: MemoryResult | undefined;
  for (const f of FORMATS) {
    for (const n of SIZES) {
      if (f !== 'bib' && n !== KEY_SIZE) continue;
      log(`memory ${f} ${n}`);
      memory[f][n] = (await runTask<MemoryResult>('memory', { target: sets[n][f] }, { heapMB: 8192 })).result;
      if (f === 'bib' && n === KEY_SIZE) memoryCached = (await runTask<MemoryResult>('memory', { target: sets[n][f], cached: true }, { heapMB: 8192 })).result;
    }
  }

  // 5. Warm start: write the cache once, then start fresh processes against it.
  const warm: Record<Format, Record<number, { ms: number; cpu: number; search: number; mb: number; fromCache: boolean } | undefined>> = { bib: {}, csl: {}, layouts: {} };
  for (const f of FORMATS) {
    for (const n of SIZES) {
      log(`warm ${f} ${n}`);
      const cacheDir = path.join(CACHE, `cache-${f}-${n}`);
      const prep = await runTask<PrepareResult>('prepareCache', { target: sets[n][f], cacheDir });
      if (!prep.result) {
        log(`  prepare failed: ${prep.error}`);
        continue;
      }
      const runs: WarmResult[] = [];
      for (let r = 0; r < WARM_REPS; r++) {
        const w = await runTask<WarmResult>('warm', { target: sets[n][f], cacheDir });
        if (w.result) runs.push(w.result);
      }
      if (runs.length) {
        warm[f][n] = {
          ms: median(runs.map((r) => r.warm)),
          cpu: median(runs.map((r) => r.warmCpu)),
          search: median(runs.map((r) => r.search)),
          mb: prep.result.cacheMB,
          fromCache: runs.every((r) => r.stats.corpusFromCache),
        };
      }
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }

  // 6. Peers on the same BibTeX files (read + decode + parse), and the JSON.parse floors.
  const peers: Record<Peer, Record<number, PeerAgg | undefined>> = { 'citation-js': {}, 'citation-js-entries': {}, 'latex-utensils': {}, retorquere: {}, json: {}, 'bib-floor': {} };
  const jsonBib: Record<number, PeerAgg | undefined> = {};
  const peerRun = async (peer: Peer, target: string, warmup: string, reps: number): Promise<PeerAgg> => {
    const r = await runTask<PeerResult>('peer', { peer, target, warmup, reps }, { timeoutMs: PEER_TIMEOUT_MS, heapMB: 8192 });
    const oneLine = (e: string | undefined) => e?.replace(/\s+/g, ' ').trim();
    if (!r.result) return { ms: NaN, cpu: NaN, entries: 0, error: oneLine(r.error) };
    const error = oneLine(r.result.error);
    return { ms: error ? NaN : median(r.result.runs.map((x) => x.total)), cpu: error ? NaN : median(r.result.runs.map((x) => x.cpu)), entries: r.result.entries, error, peakRss: r.result.peakRss };
  };
  for (const n of SIZES) {
    const reps = n <= 1000 ? 3 : 1;
    for (const p of PEERS) {
      const earlier = SIZES.filter((m) => m < n && peers[p][m]);
      const failedAt = earlier.find((m) => peers[p][m]!.error && !peers[p][m]!.extrapolatedFrom && !peers[p][m]!.error!.startsWith('timed out'));
      if (failedAt !== undefined) {
        peers[p][n] = { ms: NaN, cpu: NaN, entries: 0, error: `not run: fails on the same records as at ${kLabel(failedAt)}` };
        continue;
      }
      const prev = earlier.filter((m) => Number.isFinite(peers[p][m]!.ms) && !peers[p][m]!.extrapolatedFrom).pop();
      const extrapolate = (note?: string): PeerAgg | undefined =>
        prev === undefined ? undefined : { ms: (peers[p][prev]!.ms * n) / prev, cpu: (peers[p][prev]!.cpu * n) / prev, entries: n, extrapolatedFrom: prev, error: note };
      const timedOutBefore = earlier.some((m) => peers[p][m]!.error?.startsWith('timed out') || peers[p][m]!.extrapolatedFrom);
      if (n > PEER_MAX || timedOutBefore) {
        peers[p][n] = extrapolate();
        continue;
      }
      log(`peer ${p} ${n}`);
      const r = await peerRun(p, sets[n].bib, sets[SIZES[0]].bib, reps);
      peers[p][n] = r.error?.startsWith('timed out') ? (extrapolate(r.error) ?? r) : r;
    }
    log(`JSON.parse floors ${n}`);
    peers.json[n] = await peerRun('json', sets[n].csl, sets[SIZES[0]].csl, n <= 10000 ? 5 : 3);
    peers['bib-floor'][n] = await peerRun('bib-floor', sets[n].bib, sets[SIZES[0]].bib, n <= 10000 ? 5 : 3);
    jsonBib[n] = await peerRun('json', bibCsl(sets[n]), bibCsl(sets[SIZES[0]]), n <= 10000 ? 5 : 3);
  }
  const realPeers: Record<string, Partial<Record<Peer, PeerAgg>>> = {};
  for (const file of realBib) {
    realPeers[path.basename(file)] = {};
    for (const p of PEERS) {
      log(`peer ${p} ${path.basename(file)}`);
      realPeers[path.basename(file)][p] = await peerRun(p, file, sets[SIZES[0]].bib, 1);
    }
  }
  const realJson = fs.existsSync(realCsl) ? await peerRun('json', realCsl, sets[SIZES[0]].csl, 5) : undefined;

  // 7. Bundle and activation.
  // What a start loads: the loader (dist/extension.js) and the bundle it compiles (dist/main.js).
  const bundle = ['extension.js', 'main.js'].reduce((n, f) => n + fs.statSync(path.join(ROOT, 'dist', f)).size, 0);
  // A first start (no code cache: each run its own new storage), then the usual start: one run
  // that writes the code cache (waiting past the loader's 2 s delay), and runs that use it.
  const actsFirst: ActivationResult[] = [];
  const acts: ActivationResult[] = [];
  const activation = async (into: ActivationResult[], args: object) => {
    const a = await runTask<ActivationResult>('activation', args);
    if (a.result) into.push(a.result);
    else log(`activation failed: ${a.error}`);
  };
  for (let r = 0; r < 5; r++) await activation(actsFirst, {});
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-activation-'));
  await activation([], { storage, waitMs: 3000 });
  for (let r = 0; r < 7; r++) await activation(acts, { storage });
  fs.rmSync(storage, { recursive: true, force: true });

  const load1 = os.loadavg();
  const table = render({ started, load0, load1, sets, cold, realCold, memory, memoryCached, warm, peers, jsonBib, realPeers, realJson, bundle, acts, actsFirst });
  process.stdout.write(`${table}\n`);
  if (process.env.BENCH_NO_WRITE !== '1') {
    writeResults(table);
    log(`wrote ${path.relative(ROOT, RESULTS)}`);
  }
}

const bibCsl = (s: DataSet) => s.bib.replace(/\.bib$/, '.as-csl.json');

async function must<T>(p: Promise<TaskOutcome<T>>, what: string): Promise<T> {
  const r = await p;
  if (!r.result) throw new Error(`${what}: ${r.error}`);
  return r.result;
}

// ---------------------------------------------------------------------------------------------
// The table

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const ms = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? int(x) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const kLabel = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

interface RenderInput {
  started: Date;
  load0: number[];
  load1: number[];
  sets: Record<number, DataSet>;
  cold: Record<Format, Record<number, { agg: Agg; latency?: Latency; clone?: ColdResult['clone'] }>>;
  realCold: Record<string, Agg | undefined>;
  memory: Record<Format, Record<number, MemoryResult | undefined>>;
  /** BibTeX at the key size, indexed through indexWithCache writing its cache (works kept packed). */
  memoryCached?: MemoryResult;
  warm: Record<Format, Record<number, { ms: number; cpu: number; search: number; mb: number; fromCache: boolean } | undefined>>;
  peers: Record<Peer, Record<number, PeerAgg | undefined>>;
  jsonBib: Record<number, PeerAgg | undefined>;
  realPeers: Record<string, Partial<Record<Peer, PeerAgg>>>;
  realJson?: PeerAgg;
  bundle: number;
  acts: ActivationResult[];
  actsFirst: ActivationResult[];
}

/** ✓ or ✗ with how far over; `value` and `limit` in the same unit, lower is better. */
function verdict(value: number, limit: number): string {
  if (!Number.isFinite(value)) return 'not measured';
  return value <= limit ? '✓' : `✗ ${(value / limit).toFixed(1)}× over`;
}

function render(x: RenderInput): string {
  const rows: string[][] = [];
  const K = KEY_SIZE;
  const cells = (f: (n: number) => string) => SIZES.map((n) => f(n));
  const row = (figure: string, perSize: string[], real: string, target: string, result: string) => rows.push([figure, ...perSize, real, target, result]);
  const section = (title: string) => rows.push([`**${title}**`, ...SIZES.map(() => ''), '', '', '']);
  const cpuNote = (wall: number, cpu: number) => `${int(wall)} / ${int(cpu)}`;

  const realAgg = (name: string) => x.realCold[name];
  const realText = (names: string[], f: (a: Agg) => string) =>
    names
      .map((n) => [n, realAgg(n)] as const)
      .filter(([, a]) => a)
      .map(([n, a]) => `${n.replace(/\.(bib|csl\.json)$/, '')}: ${f(a!)}`)
      .join('; ');
  const realOf: Record<Format, string[]> = { bib: ['bbt-1436-3.bib', 'bbt-1296.bib'], csl: ['muccigrosso-zotero.csl.json'], layouts: ['seeds'] };

  for (const f of FORMATS) {
    section(`Cold index, ${FORMAT_NAME[f]}: read → parse → extract, merge, key → search index`);
    const c = (n: number) => x.cold[f][n]?.agg;
    row('works indexed (files)', cells((n) => (c(n) ? `${int(c(n)!.works)} (${int(c(n)!.files)})` : '—')), realText(realOf[f], (a) => `${int(a.works)} works`), '', '');
    const target = f === 'bib' ? '≤ 1,000 ms' : '';
    const targetVerdict = f === 'bib' && c(K) ? verdict(c(K)!.total, 1000) + ` (CPU ${verdict(c(K)!.cpu, 1000)})` : '';
    row('cold index, ms (wall / CPU)', cells((n) => (c(n) ? cpuNote(c(n)!.total, c(n)!.cpu) : '—')), realText(realOf[f], (a) => cpuNote(a.total, a.cpu)), target, targetVerdict);
    row('MB/s', cells((n) => (c(n) ? (c(n)!.bytes / 1048576 / (c(n)!.total / 1000)).toFixed(1) : '—')), realText(realOf[f], (a) => (a.bytes / 1048576 / (a.total / 1000)).toFixed(1)), '', '');
    const per = (n: number) => (c(n) ? c(n)!.total / (c(n)!.works / 1000) : NaN);
    const perCpu = (n: number) => (c(n) ? c(n)!.cpu / (c(n)!.works / 1000) : NaN);
    const perSizes = SIZES.filter((n) => n >= 10000 && Number.isFinite(perCpu(n)));
    const spread = (g: (n: number) => number) => (perSizes.length >= 2 ? Math.max(...perSizes.map(g)) / Math.min(...perSizes.map(g)) : NaN);
    row(
      'ms per 1k works (wall / CPU)',
      cells((n) => `${ms(per(n))} / ${ms(perCpu(n))}`),
      realText(realOf[f], (a) => `${ms(a.total / (a.works / 1000))} / ${ms(a.cpu / (a.works / 1000))}`),
      'about flat 1k → 100k',
      Number.isFinite(spread(perCpu)) ? `max/min from 10k up: CPU ${spread(perCpu).toFixed(2)}×, wall ${spread(per).toFixed(2)}×` : '',
    );
    row('stages: read / parse / corpus / search index, ms', cells((n) => (c(n) ? [c(n)!.read, c(n)!.parse, c(n)!.corpus, c(n)!.search].map(int).join(' / ') : '—')), realText(realOf[f], (a) => [a.read, a.parse, a.corpus, a.search].map(int).join(' / ')), '', '');
    row('stages, CPU of the process: read / parse / corpus / search index, ms', cells((n) => (c(n) ? [c(n)!.readCpu, c(n)!.parseCpu, c(n)!.corpusCpu, c(n)!.searchCpu].map(int).join(' / ') : '—')), realText(realOf[f], (a) => [a.readCpu, a.parseCpu, a.corpusCpu, a.searchCpu].map(int).join(' / ')), '', '');
    // The parse against the floor of its format, both from the file's bytes (issue 15).
    const fl = f === 'bib' ? x.peers['bib-floor'] : f === 'csl' ? x.peers.json : undefined;
    if (fl) {
      const limit = f === 'bib' ? 3 : 2;
      const pr = (n: number) => (c(n) && fl[n] ? (c(n)!.read + c(n)!.parse) / fl[n]!.ms : NaN);
      const prCpu = (n: number) => (c(n) && fl[n] ? (c(n)!.readCpu + c(n)!.parseCpu) / fl[n]!.cpu : NaN);
      if (f === 'bib') row('floor: read + decode + find entries and fields, slice each value, one object per entry, ms (wall / CPU)', cells((n) => `${ms(fl[n]?.ms ?? NaN)} / ${ms(fl[n]?.cpu ?? NaN)}`), '', '', '');
      row(`read + parse ÷ ${f === 'bib' ? 'that floor' : 'the `JSON.parse` floor (below)'} (wall / CPU)`, cells((n) => (Number.isFinite(pr(n)) ? `${pr(n).toFixed(1)}× / ${prCpu(n).toFixed(1)}×` : '—')), '', `≤ ${limit}×`, Number.isFinite(pr(K)) ? `${verdict(pr(K), limit)} (CPU ${verdict(prCpu(K), limit)})` : '');
    }
    if (f === 'csl') {
      const floor = (n: number) => x.peers.json[n]?.ms ?? NaN;
      row('floor: read + `JSON.parse` of the same file, ms (wall / CPU)', cells((n) => `${ms(floor(n))} / ${ms(x.peers.json[n]?.cpu ?? NaN)}`), x.realJson ? `muccigrosso: ${ms(x.realJson.ms)} / ${ms(x.realJson.cpu)}` : '', '', '');
      const ratio = (n: number) => (c(n) ? c(n)!.total / floor(n) : NaN);
      const ratioCpu = (n: number) => (c(n) && x.peers.json[n] ? c(n)!.cpu / x.peers.json[n]!.cpu : NaN);
      const mucc = realAgg('muccigrosso-zotero.csl.json');
      const realRatio = x.realJson && mucc ? `${(mucc.total / x.realJson.ms).toFixed(1)}× / ${(mucc.cpu / x.realJson.cpu).toFixed(1)}×` : '';
      row('cold index ÷ JSON.parse floor (wall / CPU)', cells((n) => (Number.isFinite(ratio(n)) ? `${ratio(n).toFixed(1)}× / ${ratioCpu(n).toFixed(1)}×` : '—')), realRatio, '≤ 3×', `${verdict(ratio(K), 3)} (CPU ${verdict(ratioCpu(K), 3)})`);
    }
  }

  section('Side by side: peers on the same BibTeX files (read + decode + parse only; ours above also merges and builds the search index)');
  for (const p of PEERS) {
    const v = (n: number) => x.peers[p][n];
    const text = (n: number) => {
      const a = v(n);
      if (!a) return '—';
      if (a.extrapolatedFrom) return `~${int(a.ms)} (extrapolated from ${kLabel(a.extrapolatedFrom)})${a.error ? `; ${kLabel(n)} run: ${a.error}` : ''}`;
      if (a.error) return a.error.startsWith('not run') ? a.error : `fails: ${a.error.slice(0, 80)}`;
      const ours = x.cold.bib[n]?.agg;
      return `${int(a.ms)} / ${int(a.cpu)} (ours ${ours ? `${(a.ms / ours.total).toFixed(1)}× / ${(a.cpu / ours.cpu).toFixed(1)}×` : '—'} faster)`;
    };
    const real = Object.entries(x.realPeers)
      .map(([file, r]) => {
        const a = r[p];
        const ours = realAgg(file)?.total;
        return `${file.replace(/\.bib$/, '')}: ${!a ? '—' : a.error ? `fails (${a.error.slice(0, 60)})` : `${int(a.ms)} (${ours ? (a.ms / ours).toFixed(1) : '—'}×)`}`;
      })
      .join('; ');
    row(`${PEER_NAME[p]}, ms (wall / CPU)`, cells(text), real, '', '');
  }
  const best = (n: number, key: 'ms' | 'cpu') => Math.min(...PEERS.map((p) => x.peers[p][n]?.[key] ?? Infinity).filter((m) => Number.isFinite(m)));
  const speedup = (n: number) => (x.cold.bib[n] ? best(n, 'ms') / x.cold.bib[n].agg.total : NaN);
  const speedupCpu = (n: number) => (x.cold.bib[n] ? best(n, 'cpu') / x.cold.bib[n].agg.cpu : NaN);
  const parseSpeedup = (n: number) => (x.cold.bib[n] ? best(n, 'ms') / (x.cold.bib[n].agg.read + x.cold.bib[n].agg.parse) : NaN);
  const short = (v: number) => (v >= 5 ? '✓' : `✗ ${v.toFixed(1)}×, ${(5 / v).toFixed(1)}× short`);
  row(
    'fastest peer ÷ our cold index: wall / CPU (wall, our read + parse only)',
    cells((n) => (Number.isFinite(speedup(n)) ? `${speedup(n).toFixed(1)}× / ${speedupCpu(n).toFixed(1)}× (${parseSpeedup(n).toFixed(1)}×)` : '—')),
    '',
    '≥ 5×',
    Number.isFinite(speedup(K)) ? `${short(speedup(K))} (CPU ${short(speedupCpu(K))})` : '',
  );
  row('floor: read + `JSON.parse` of the same records as CSL-JSON, ms', cells((n) => ms(x.jsonBib[n]?.ms ?? NaN)), '', '', '');

  section('Warm start from the cache on disk (indexWithCache in a fresh process, no file changed: corpus and search index ready)');
  for (const f of FORMATS) {
    const w = (n: number) => x.warm[f][n];
    row(`${FORMAT_NAME[f]}: warm start, ms (wall / CPU)`, cells((n) => (w(n) ? `${cpuNote(w(n)!.ms, w(n)!.cpu)}${w(n)!.fromCache ? '' : ' (not from cache!)'}` : '—')), '', f === 'bib' ? '≤ 150 ms' : '', w(K) ? `${verdict(w(K)!.ms, 150)} (CPU ${verdict(w(K)!.cpu, 150)})` : '');
    row(`${FORMAT_NAME[f]}: (the search index comes with it; SearchIndex.build over those works instead, ms); cache file, MB`, cells((n) => (w(n) ? `${int(w(n)!.search)}; ${w(n)!.mb.toFixed(1)} MB` : '—')), '', '', '');
  }

  section('Latency in the core (300 runs per query; hover = WorkLookup by label, author + year, id, then renderCard; 2,000 random works)');
  for (const f of FORMATS) {
    const l = (n: number) => x.cold[f][n]?.latency;
    row(`${FORMAT_NAME[f]}: completion p50 / p99, ms`, cells((n) => (l(n) ? `${ms(l(n)!.completion.p50)} / ${ms(l(n)!.completion.p99)}` : '—')), '', '≤ 5 ms (p99)', l(K) ? verdict(l(K)!.completion.p99, 5) : '');
    row(`${FORMAT_NAME[f]}: while typing (every prefix) p50 / p99, ms`, cells((n) => (l(n) ? `${ms(l(n)!.typing.p50)} / ${ms(l(n)!.typing.p99)}` : '—')), '', '', '');
    row(`${FORMAT_NAME[f]}: hover p50 / p99, ms`, cells((n) => (l(n) ? `${ms(l(n)!.hover.p50)} / ${ms(l(n)!.hover.p99)}` : '—')), '', '≤ 2 ms (p99)', l(K) ? verdict(l(K)!.hover.p99, 2) : '');
  }
  const lk = x.cold.bib[K]?.latency;
  if (lk) {
    const q = lk.queries.map((qq) => `\`${qq}\` ${ms(lk.perQuery[qq].p50)}/${ms(lk.perQuery[qq].p99)} (${lk.hits[qq]} hits)`).join(', ');
    row(`BibTeX ${kLabel(K)}: per query p50/p99, ms`, SIZES.map((n) => (n === K ? q : '')), '', '', '');
  }

  section('Memory after indexing (fresh process, corpus + search index live, after GC)');
  for (const f of FORMATS) {
    const m = (n: number) => x.memory[f][n];
    row(`${FORMAT_NAME[f]}: heap / RSS (peak RSS), MB`, cells((n) => (m(n) ? `${int(m(n)!.heapUsed)} / ${int(m(n)!.rss)} (${int(m(n)!.peakRss)})` : '—')), '', '≤ 250 MB RSS', m(K) ? verdict(m(K)!.rss, 250) : '');
  }
  const mc = x.memoryCached;
  if (mc) row(`${FORMAT_NAME.bib}, cold index writing the cache (works kept packed): heap / RSS (peak RSS), MB`, SIZES.map((n) => (n === K ? `${int(mc.heapUsed)} / ${int(mc.rss)} (${int(mc.peakRss)})` : '')), '', '≤ 250 MB RSS, peak ≤ 400', `${verdict(mc.rss, 250)}; peak ${verdict(mc.peakRss, 400)}`);

  section('Longest synchronous slice while indexing (each is one call that cannot yield)');
  const cb = (n: number) => x.cold.bib[n]?.agg;
  const cl = (n: number) => x.cold.layouts[n]?.agg;
  row('parseBytes, longest single file: BibTeX (the whole file) / layouts (one record file), ms', cells((n) => `${ms(cb(n)?.maxParse ?? NaN)} / ${ms(cl(n)?.maxParse ?? NaN)}`), '', '≤ 50 ms on the host', 'runs in the index worker');
  row('buildCorpus (one call): BibTeX / CSL-JSON / layouts, ms', cells((n) => FORMATS.map((f) => int(x.cold[f][n]?.agg.corpus ?? NaN)).join(' / ')), '', '≤ 50 ms on the host', cb(K) ? `${verdict(cb(K)!.corpus, 50)}: runs in the index worker` : '');
  row('SearchIndex.build (one call): BibTeX / CSL-JSON / layouts, ms', cells((n) => FORMATS.map((f) => int(x.cold[f][n]?.agg.search ?? NaN)).join(' / ')), '', '≤ 50 ms on the host', cb(K) ? `${verdict(cb(K)!.search, 50)}: runs in the index worker (the host unpacks it)` : '');
  const clone = x.cold.bib[K]?.clone;
  row('all works from a worker in one message: structured clone serialize / deserialize, ms (size)', SIZES.map((n) => (n === K && clone ? `${int(clone.serialize)} / ${int(clone.deserialize)} (${clone.mb.toFixed(0)} MB)` : '')), '', '≤ 50 ms on the host', clone ? `${verdict(clone.deserialize, 50)} in one message: so they come in chunks (see the host table)` : '');

  section('Bundle and activation');
  const act = x.acts;
  const citation = [...act, ...x.actsFirst].flatMap((a) => [...a.citationAtActivation, ...a.citationAfter500ms]);
  row('`dist/extension.js` + `dist/main.js`, KB', SIZES.map(() => ''), '', '≤ 300 KB', `${(x.bundle / 1024).toFixed(0)} KB ${verdict(x.bundle / 1024, 300)}`);
  const actRow = (what: string, runs: ActivationResult[], target: string, limit: number | undefined) => {
    const med = median(runs.map((a) => a.total));
    const caches = [...new Set(runs.map((a) => a.codeCache ?? '?'))].join('/');
    row(
      `activation${what}: require + activate (stub vscode + context), median (best) of ${runs.length} fresh processes, ms`,
      SIZES.map(() => ''),
      '',
      target,
      runs.length
        ? `${ms(med)} (${ms(Math.min(...runs.map((a) => a.total)))}); require ${ms(median(runs.map((a) => a.require)))}, activate ${ms(median(runs.map((a) => a.activate)))} (bundle compiled in ${ms(median(runs.map((a) => a.compileMs ?? NaN)))}, code cache: ${caches})${limit === undefined ? '' : `: ${verdict(med, limit)}`}${runs[0]?.error ? `; error: ${runs[0].error.split('\n')[0]}` : ''}`
        : 'failed',
    );
  };
  actRow('', act, '≤ 30 ms', 30);
  actRow(', first start (no code cache yet: after an install or update)', x.actsFirst, 'as before the code cache', undefined);
  row('citation-js loaded at activation (require.cache, at once and 500 ms later)', SIZES.map(() => ''), '', 'no', act.length ? (citation.length ? `✗ yes: ${[...new Set(citation)].join(', ')}` : '✓ no') : '');

  const head = ['figure', ...SIZES.map(kLabel), 'real libraries', `target (at ${kLabel(K)})`, 'result'];
  const cpu = os.cpus();
  const lines = [
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}. ` +
      `Date: ${x.started.toISOString().replace('T', ' ').slice(0, 16)} UTC. Load average at start ${x.load0.map((v) => v.toFixed(1)).join(' ')}, at end ${x.load1.map((v) => v.toFixed(1)).join(' ')}.`,
    '',
    'Medians. Wall = elapsed time as measured; CPU = process CPU time (all threads, GC helpers included). On a machine shared with other jobs the wall figures include waiting for a core. Generated data from the real libraries (suffixed keys, other first authors, years, DOIs, titles; a third of the entries carry author–date citations, so merging runs); real libraries separately.',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const BEGIN = '<!-- bench:table:begin (written by npm run bench) -->';
const END = '<!-- bench:table:end -->';

function writeResults(table: string): void {
  const block = `${BEGIN}\n${table}\n${END}`;
  let text = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '# Benchmarks\n\n`npm run bench` writes the table below; the notes after it are by hand.\n\n';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + END.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(RESULTS, text);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
