// Where the memory of a cold index goes (issue 15): heap, external, RSS and peak RSS after each
// stage, in the core (this thread) or in an index worker (IndexSession in a worker_thread, as the
// extension runs it). Bundled with esbuild like bench/task.ts, run in a fresh process:
//   npx esbuild bench/memoryStages.ts --bundle --platform=node --outfile=bench/.cache/memoryStages.js
//   node --expose-gc bench/.cache/memoryStages.js core bench/data/bib-50000.bib
//   node --expose-gc bench/.cache/memoryStages.js worker bench/data/bib-50000.bib [cacheDir]
// Prints one JSON line per stage: heap used / total, external, array buffers, RSS, peak RSS (the
// process's, so for `worker` the main thread's few MB are in it), and /proc/self/smaps_rollup's
// anonymous and file-backed parts of RSS. Every figure after a full GC (run twice).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { buildCorpus } from '../src/core/build/corpus';
import { expandPaths, parseBytes } from '../src/core/build/loadFiles';
import { indexWithCache } from '../src/core/index/indexCache';
import { type IndexRequest, type IndexResponse, IndexSession } from '../src/core/index/indexWorker';
import type { ParsedFile } from '../src/core/model/model';
import { packedTransfer, SearchIndex } from '../src/core/search/search';
import { type PackedWorks, packWorks, WorkStore } from '../src/core/model/workStore';
import { encodeSection } from '../src/core/index/cacheSections';

/** MEMORY_STAGES_GC=0: no GC between stages (the peak as an index without them has it; heap figures then include garbage). */
const GC_BETWEEN = process.env.MEMORY_STAGES_GC !== '0';
const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  g?.();
  g?.();
};
const MB = (n: number) => Math.round(n / 104857.6) / 10;

function rollup(): Record<string, number> {
  try {
    const t = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(t)?.[1] ?? NaN) / 1024;
    return { anon: Math.round(kb('Anonymous')), file: Math.round(kb('Rss') - kb('Anonymous')) };
  } catch {
    return {};
  }
}

/** One stage's figures (after a GC); `spaces`: V8's committed size per heap space. */
export function stage(name: string, extra: Record<string, unknown> = {}, last = false): Record<string, unknown> {
  if (GC_BETWEEN || last) gc();
  const m = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_size > 1 << 20) spaces[s.space_name.replace(/_space$/, '')] = MB(s.space_size);
  return { stage: name, heapUsed: MB(m.heapUsed), heapTotal: MB(m.heapTotal), external: MB(m.external), arrayBuffers: MB(m.arrayBuffers), rss: MB(m.rss), peak: MB(process.resourceUsage().maxRSS * 1024), ...rollup(), spaces, ...extra };
}

const out = (r: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(r)}\n`);
const cpu = () => {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
};

/** The core's cold index, stage by stage (as bench/task.ts `memory`), then with the parses dropped. */
function core(target: string): void {
  out(stage('start'));
  const files = expandPaths([target]).files;
  const t0 = performance.now();
  const c0 = cpu();
  let datas: Buffer[] | undefined = files.map((f) => fs.readFileSync(f));
  out(stage('read'));
  let parsed: ParsedFile[] | undefined = files.map((f, i) => parseBytes(datas![i], f));
  datas = undefined;
  out(stage('parsed'));
  const corpus = buildCorpus(parsed);
  out(stage('corpus'));
  const search = SearchIndex.build(corpus.works);
  const wall = Math.round(performance.now() - t0);
  const c1 = cpu() - c0;
  out(stage('search', { works: corpus.works.length, wall, cpu: c1 }, true));
  if (process.env.MEMORY_STAGES_PACK === '1') {
    const p0 = cpu();
    const packed = packWorks(corpus.works);
    out(stage('packed', { packCpu: cpu() - p0, packedMB: MB(packed.bytes.byteLength) }, true));
  }
  parsed = undefined;
  out(stage('parses dropped', { searchSize: search.size }, true));
  settled(corpus);
}

/** The core's cold index through indexWithCache writing its cache: what it keeps, and where the RSS is (the largest mappings). */
function cached(target: string): void {
  out(stage('start'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-memory-stages-'));
  const c0 = cpu();
  const t0 = performance.now();
  const r = indexWithCache([target], dir, { maxFileBytes: 2 ** 31 });
  out(stage('indexWithCache (cold, cache written)', { works: r.works.length, wall: Math.round(performance.now() - t0), cpu: cpu() - c0, ms: r.stats.ms }, true));
  fs.rmSync(dir, { recursive: true, force: true });
  settled(r);
}

/** RSS read again while V8's unmapper and the allocator let freed pages go after the last GC (live: what the stage keeps alive). */
function settled(live: unknown): void {
  const t0 = Date.now();
  const rss: Record<string, number> = {};
  for (const at of [0, 100, 500, 2000]) {
    while (Date.now() - t0 < at);
    rss[`${at}ms`] = MB(process.memoryUsage.rss());
  }
  out({ stage: 'RSS after the last GC, by time', ...rss, works: (live as { works: unknown[] }).works.length });
  out({ stage: 'largest mappings (MB)', ...mappings() });
}

/** /proc/self/smaps: RSS by mapping, the largest, and anonymous ones together by size class. */
function mappings(): Record<string, unknown> {
  const t = fs.readFileSync('/proc/self/smaps', 'utf8');
  if (process.env.MEMORY_STAGES_SMAPS) fs.writeFileSync(process.env.MEMORY_STAGES_SMAPS, t);
  const maps: { name: string; size: number; rss: number }[] = [];
  let cur: { name: string; size: number; rss: number } | undefined;
  for (const l of t.split('\n')) {
    const h = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
    if (h) {
      cur = { name: h[3] || 'anon', size: (parseInt(h[2], 16) - parseInt(h[1], 16)) / 1048576, rss: 0 };
      maps.push(cur);
    } else {
      const m = /^Rss:\s+(\d+)/.exec(l);
      if (m && cur) cur.rss = Number(m[1]) / 1024;
    }
  }
  maps.sort((a, b) => b.rss - a.rss);
  const top = maps.filter((m) => m.rss >= 1).map((m) => `${m.name.replace(/.*\//, '')} ${m.rss.toFixed(1)} of ${m.size.toFixed(1)}`);
  const anon = maps.filter((m) => m.name === 'anon' || m.name === '[heap]');
  const bySize = (lo: number, hi: number) => Math.round(anon.filter((m) => m.size >= lo && m.size < hi).reduce((n, m) => n + m.rss, 0));
  const byName: Record<string, number> = {};
  for (const m of maps) byName[m.name.replace(/.*\//, '')] = Math.round((byName[m.name.replace(/.*\//, '')] ?? 0) + m.rss);
  return { top, byName, heapBrk: Math.round(maps.filter((m) => m.name === '[heap]').reduce((n, m) => n + m.rss, 0)), anonUnder1MB: bySize(0, 1), anon1to64MB: bySize(1, 64), anonOver64MB: bySize(64, 1e9) };
}

/** An IndexSession in a worker thread: parse → build → all works fetched → cache-save; the thread's heap and the process's RSS. */
async function worker(target: string, cacheDir: string | undefined, mode: string): Promise<void> {
  out(stage('main start'));
  // MEMORY_STAGES_YOUNG / MEMORY_STAGES_OLD: the worker's resourceLimits (MB), to measure them.
  const limits = { maxYoungGenerationSizeMb: Number(process.env.MEMORY_STAGES_YOUNG) || undefined, maxOldGenerationSizeMb: Number(process.env.MEMORY_STAGES_OLD) || undefined };
  const w = new Worker(__filename, { workerData: { role: 'session', steps: mode === 'steps' }, resourceLimits: limits });
  let next = 1;
  const pending = new Map<number, (r: IndexResponse | Record<string, unknown>) => void>();
  // RSS sampled every 10 ms while the worker runs: the highest per phase the worker marks.
  let phase = 'start';
  const highest: Record<string, number> = {};
  const sampler = setInterval(() => {
    const r = MB(process.memoryUsage.rss());
    if (!(r <= highest[phase])) highest[phase] = r;
  }, 10);
  w.on('message', (m: { id: number; mark?: string }) => {
    if (m.mark) {
      phase = m.mark;
      return;
    }
    pending.get(m.id)?.(m as IndexResponse);
    pending.delete(m.id);
  });
  const ask = <T = IndexResponse>(req: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> =>
    new Promise((res) => {
      const id = next++;
      pending.set(id, res as (r: unknown) => void);
      w.postMessage({ ...req, id }, transfer);
    });
  const probe = async (name: string, extra: Record<string, unknown> = {}, last = false) => {
    const r = await ask<Record<string, unknown>>({ kind: 'probe', name, last });
    // After a GC, V8 unmaps the freed pages on a background thread: read RSS once that is done.
    if (last) await new Promise((res) => setTimeout(res, 1000));
    // Process-wide figures (RSS, peak) as seen now; the thread's own heap from the worker.
    out({ ...stage(name, {}, last), worker: r.thread, ...extra });
  };
  await probe('worker started');
  if (cacheDir) await ask({ kind: 'cache-open', dir: cacheDir, salt: 'bench' });
  const files = expandPaths([target]).files;
  const t0 = performance.now();
  for (const f of files) {
    const b = fs.readFileSync(f);
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    await ask({ kind: 'parse', file: f, bytes, mtimeMs: fs.statSync(f).mtimeMs }, [b.buffer as ArrayBuffer]);
  }
  await probe('parsed', { wall: Math.round(performance.now() - t0) });
  const built = await ask<{ works: PackedWorks; ms: number; searchMs: number; corpusFromCache?: boolean }>({ kind: 'build' });
  await probe('built', { works: built.works.ends.length, ms: built.ms, searchMs: built.searchMs, fromCache: built.corpusFromCache, wall: Math.round(performance.now() - t0) });
  // Kept, as the editor keeps them (WorkStore over the worker's shared bytes, receiveBuild.ts).
  const held = new WorkStore().add(built.works);
  await probe('works taken in', {}, true);
  if (cacheDir) {
    await ask({ kind: 'cache-save' });
    await probe('cache saved', {}, true);
  }
  clearInterval(sampler);
  out({ stage: 'works held by this thread', works: held.length });
  out({ stage: 'highest RSS sampled per phase', ...highest });
  out({ stage: 'largest mappings (MB)', ...mappings() });
  await w.terminate();
}

if (!isMainThread && (workerData as { role?: string })?.role === 'session') {
  const session = new IndexSession();
  const mark = (name: string) => parentPort!.postMessage({ mark: name });
  if ((workerData as { steps?: boolean }).steps) {
    // The steps of IndexSession's cold build, one by one, with a mark before each.
    const files: ParsedFile[] = [];
    let packed: PackedWorks | undefined;
    const steps = (req: { id: number; kind: string; file?: string; bytes?: Uint8Array }): unknown => {
      if (req.kind === 'parse') {
        mark('parse');
        files.push(parseBytes(req.bytes!, req.file!));
        return { id: req.id, kind: 'parsed' };
      }
      if (req.kind === 'build') {
        const t0 = Date.now();
        mark('buildCorpus');
        const corpus = buildCorpus(files);
        mark('packWorks');
        packed = packWorks(corpus.works);
        const t1 = Date.now();
        mark('SearchIndex.build');
        const search = SearchIndex.build(corpus.works).pack().packed;
        mark('encodeSection(search)');
        encodeSection(search);
        mark('WorkStore.add');
        new WorkStore().add(packed);
        mark('built');
        return { id: req.id, kind: 'built', works: packed, ms: t1 - t0, searchMs: Date.now() - t1, search };
      }
      return { id: req.id, kind: 'done' };
    };
    (session as unknown as { handle: unknown }).handle = steps;
  }
  // indexWorker.ts, bundled in, answers on parentPort itself: this loop replaces it (same answers, plus probes).
  parentPort!.removeAllListeners('message');
  parentPort!.on('message', (req: IndexRequest | { id: number; kind: 'probe'; name: string; last: boolean }) => {
    if (req.kind !== 'probe') mark(req.kind);
    if (req.kind === 'probe') {
      const t = stage(req.name, {}, req.last);
      parentPort!.postMessage({ id: req.id, thread: { heapUsed: t.heapUsed, heapTotal: t.heapTotal, external: t.external, arrayBuffers: t.arrayBuffers, spaces: t.spaces } });
      return;
    }
    const res = session.handle(req);
    mark('idle');
    // Transferred as the real worker does (indexWorker.ts).
    parentPort!.postMessage(res, res.kind === 'built' ? packedTransfer(res.search) : []);
  });
} else if (isMainThread) {
  const [mode, target, cacheDir] = process.argv.slice(2);
  out({ load: os.loadavg()[0] });
  if (mode === 'core') core(target);
  else if (mode === 'cached') cached(target);
  else
    void worker(target, cacheDir, mode).then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
}
