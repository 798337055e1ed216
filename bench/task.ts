/**
 * One benchmark measurement, run by bench/run.ts in its own Node process (a clean heap each
 * time): `node bench/.cache/task.js <task> '<json args>'`. Prints one line `RESULT <json>`.
 * run.ts bundles this file with esbuild, so the core measured here is the same compiled
 * bundle code the extension ships (not tsx-transpiled source).
 */
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import type { Corpus } from '../src/core/build/corpus';
import { buildCorpus } from '../src/core/build/corpus';
import { CACHE_FILE, indexWithCache } from '../src/core/index/indexCache';
import { expandPaths, parseBytes } from '../src/core/build/loadFiles';
import { WorkLookup } from '../src/core/search/lookup';
import type { ParsedFile, Work } from '../src/core/model/model';
import { renderCard } from '../src/core/format/render';
import { SearchIndex } from '../src/core/search/search';
import { QUERIES, queryTerms } from './queries';
import { stubContext, vscode } from './vscode-stub';

/** Project root: the bundle lives in bench/.cache/. */
const ROOT = path.resolve(__dirname, '..', '..');

const now = () => performance.now();
/** CPU time of the whole process (all threads, so GC helper threads count too), ms. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

export interface ColdRun {
  bytes: number;
  files: number;
  records: number;
  works: number;
  problems: number;
  read: number;
  parse: number;
  /** Longest single parseBytes call (one file). */
  maxParse: number;
  corpus: number;
  search: number;
  total: number;
  cpu: number;
  /** CPU of the process per stage (GC and compiler threads included), ms. */
  readCpu: number;
  parseCpu: number;
  corpusCpu: number;
  searchCpu: number;
}

/** read → parse (per file) → buildCorpus (extract, merge, key) → SearchIndex.build, timed. */
function coldOnce(files: string[]): { run: ColdRun; corpus: Corpus; search: SearchIndex } {
  const w0 = now();
  const c0 = cpuNow();
  let bytes = 0;
  const datas: Buffer[] = [];
  for (const f of files) {
    const b = fs.readFileSync(f);
    bytes += b.length;
    datas.push(b);
  }
  const w1 = now();
  const c1 = cpuNow();
  const parsed: ParsedFile[] = [];
  let maxParse = 0;
  for (let i = 0; i < files.length; i++) {
    const t = now();
    parsed.push(parseBytes(datas[i], files[i]));
    maxParse = Math.max(maxParse, now() - t);
  }
  datas.length = 0;
  const w2 = now();
  const c2 = cpuNow();
  const corpus = buildCorpus(parsed);
  const w3 = now();
  const c3 = cpuNow();
  const search = SearchIndex.build(corpus.works);
  const w4 = now();
  const c4 = cpuNow();
  const run: ColdRun = {
    bytes,
    files: files.length,
    records: parsed.reduce((n, p) => n + p.records.length, 0),
    works: corpus.works.length,
    problems: corpus.problems.length,
    read: w1 - w0,
    parse: w2 - w1,
    maxParse,
    corpus: w3 - w2,
    search: w4 - w3,
    total: w4 - w0,
    cpu: c4 - c0,
    readCpu: c1 - c0,
    parseCpu: c2 - c1,
    corpusCpu: c3 - c2,
    searchCpu: c4 - c3,
  };
  return { run, corpus, search };
}

export interface Dist {
  p50: number;
  p99: number;
  max: number;
  n: number;
}
const dist = (xs: number[]): Dist => ({ p50: median(xs), p99: pct(xs, 99), max: Math.max(...xs), n: xs.length });

export interface Latency {
  queries: string[];
  hits: Record<string, number>;
  perQuery: Record<string, Dist>;
  completion: Dist;
  typing: Dist;
  hover: Dist;
  lookupBuild: number;
}


function latency(corpus: Corpus, search: SearchIndex, opts: { reps: number; hovers: number; titleWord: string; doiPrefix: string }): Latency {
  const queries = QUERIES.map((q) => (q === 'TITLE_WORD' ? opts.titleWord : q === 'DOI_PREFIX' ? opts.doiPrefix : q));
  // Every prefix of each query too, as typed (v, vo, vor, ...).
  const typed: string[] = [];
  for (const q of queries) for (let k = 1; k <= q.length; k++) typed.push(q.slice(0, k));
  const hits: Record<string, number> = {};
  for (const q of queries) hits[q] = search.search(q, 50).results.length;
  for (let r = 0; r < 20; r++) for (const q of typed) search.search(q, 50); // warm-up
  const fixed: number[] = [];
  const perQuery: Record<string, Dist> = {};
  for (const q of queries) {
    const ts: number[] = [];
    for (let r = 0; r < opts.reps; r++) {
      const t = now();
      search.search(q, 50);
      ts.push(now() - t);
    }
    perQuery[q] = dist(ts);
    fixed.push(...ts);
  }
  const typing: number[] = [];
  for (let r = 0; r < Math.ceil(opts.reps / 10); r++) {
    for (const q of typed) {
      const t = now();
      search.search(q, 50);
      typing.push(now() - t);
    }
  }
  // Hover: resolve what a manuscript says (label, author + year, id), render the card.
  const tl = now();
  const lookup = new WorkLookup(corpus.works);
  const lookupBuild = now() - tl;
  const labelOf = (id: string) => lookup.id(id)?.['citation-label'];
  const works = corpus.works;
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const sample: Work[] = [];
  for (let k = 0; k < opts.hovers; k++) sample.push(works[Math.floor(rnd() * works.length)]);
  const hoverOnce = (w: Work): number => {
    const byLabel = lookup.label(w['citation-label']);
    const fam = w.author?.[0]?.family ?? w.author?.[0]?.literal;
    const y = w.issued?.['date-parts']?.[0]?.[0];
    const byAy = fam ? lookup.authorYear(fam, typeof y === 'number' ? y : undefined) : [];
    const target = byLabel ?? byAy[0] ?? lookup.id(w.id) ?? w;
    return renderCard(target, { citedByLabels: labelOf }).length;
  };
  for (let k = 0; k < 200; k++) hoverOnce(sample[k % sample.length]);
  const hover: number[] = [];
  for (const w of sample) {
    const t = now();
    hoverOnce(w);
    hover.push(now() - t);
  }
  return { queries, hits, perQuery, completion: dist(fixed), typing: dist(typing), hover: dist(hover), lookupBuild };
}


/**
 * The floor a BibTeX parse is measured against (issue 15): entries and fields found, each value
 * sliced, one object per entry; no LaTeX, names, dates, checks or line numbers. Assumes the
 * generated files' well-formed layout (`name = {…}` or a bare word per field).
 */
function bibFloor(text: string): unknown[] {
  const out: unknown[] = [];
  const n = text.length;
  let p = 0;
  for (;;) {
    const at = text.indexOf('\n@', p);
    if (at < 0) break;
    const ob = text.indexOf('{', at);
    const comma = text.indexOf(',', ob);
    if (ob < 0 || comma < 0) break;
    const e: Record<string, string> = { type: text.slice(at + 2, ob), key: text.slice(ob + 1, comma) };
    p = comma + 1;
    for (;;) {
      while (p < n && text.charCodeAt(p) <= 32) p++;
      if (p >= n || text.charCodeAt(p) === 125) {
        p++;
        break;
      }
      const eq = text.indexOf('=', p);
      if (eq < 0) return out;
      const name = text.slice(p, eq).trim();
      p = eq + 1;
      while (p < n && text.charCodeAt(p) <= 32) p++;
      let from = p;
      let to: number;
      if (text.charCodeAt(p) === 123) {
        for (let d = 0; p < n; p++) {
          const c = text.charCodeAt(p);
          if (c === 123) d++;
          else if (c === 125 && --d === 0) break;
        }
        from++;
        to = p++;
      } else {
        while (p < n && text.charCodeAt(p) !== 44 && text.charCodeAt(p) !== 10) p++;
        to = p;
      }
      e[name] = text.slice(from, to);
      while (p < n && text.charCodeAt(p) <= 32) p++;
      if (text.charCodeAt(p) === 44) p++;
    }
    out.push(e);
  }
  return out;
}

/** The 100k CSL-JSON file (72 MB) is over the default 64 MB per-file limit; measure it anyway. */
const NO_LIMIT = 2 ** 31;

type Args = Record<string, unknown> & { target?: string; warmup?: string; reps?: number };

const tasks: Record<string, (a: Args) => unknown> = {
  /** Cold index `reps` times (after one warm-up run); latency on the last index. */
  cold(a) {
    if (a.warmup) coldOnce(expandPaths([a.warmup]).files);
    const files = expandPaths([a.target!]).files;
    const runs: ColdRun[] = [];
    let last: ReturnType<typeof coldOnce> | undefined;
    for (let r = 0; r < (a.reps ?? 1); r++) {
      last = undefined;
      gc();
      last = coldOnce(files);
      runs.push(last.run);
    }
    const out: Record<string, unknown> = { runs };
    if (a.latency && last) out.latency = latency(last.corpus, last.search, { reps: 300, hovers: 2000, ...queryTerms(last.corpus.works) });
    if (a.cloneCost && last) {
      // What receiving the works from a worker costs the extension host: postMessage uses the
      // structured-clone serializer, the same as v8.serialize / v8.deserialize.
      const t0 = now();
      const buf = v8.serialize(last.corpus.works);
      const t1 = now();
      v8.deserialize(buf);
      const t2 = now();
      out.clone = { serialize: t1 - t0, deserialize: t2 - t1, mb: buf.length / 1048576 };
    }
    return out;
  },

  /**
   * Heap and RSS after one cold index, with the corpus and search index still live. `cached`:
   * the cold index through indexWithCache writing its cache (in a temporary folder), which keeps
   * the works packed as a warm start does; otherwise the plain `buildCorpus` output (the CLI's).
   */
  async memory(a) {
    const baseRss = process.memoryUsage().rss / 1048576;
    let live: { works: readonly Work[]; search: SearchIndex };
    let cacheDir: string | undefined;
    if (a.cached) {
      cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-memory-'));
      live = indexWithCache([a.target!], cacheDir, { maxFileBytes: NO_LIMIT });
    } else {
      const r = coldOnce(expandPaths([a.target!]).files);
      live = { works: r.corpus.works, search: r.search };
    }
    gc();
    gc();
    // RSS read at once after the GC still counts the pages V8 frees on a background thread just
    // after it (~100 MB at 50k, measured): read it again once that is done, as a user's process is.
    const rssAtGc = process.memoryUsage.rss() / 1048576;
    await new Promise((r) => setTimeout(r, 1000));
    const m = process.memoryUsage();
    const out = { works: live.works.length, heapUsed: m.heapUsed / 1048576, heapTotal: m.heapTotal / 1048576, rss: m.rss / 1048576, rssAtGc, external: m.external / 1048576, arrayBuffers: m.arrayBuffers / 1048576, peakRss: process.resourceUsage().maxRSS / 1024, baseRss, searchSize: live.search.size, cached: !!a.cached };
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
    return out;
  },

  /** Writes the cache for a target (a cold index through indexWithCache). */
  prepareCache(a) {
    const dir = a.cacheDir as string;
    fs.rmSync(dir, { recursive: true, force: true });
    const r = indexWithCache([a.target!], dir, { maxFileBytes: NO_LIMIT });
    // Freshly generated files are "racy" (changed in the second they were cached): let them
    // age past that window and index again, so the next start trusts size + mtime, as it
    // would for any corpus not edited in the last second.
    const until = Date.now() + 1100;
    while (Date.now() < until);
    const again = indexWithCache([a.target!], dir, { maxFileBytes: NO_LIMIT });
    return { works: r.works.length, cold: r.stats, again: again.stats, cacheMB: fs.statSync(path.join(dir, CACHE_FILE)).size / 1048576 };
  },

  /** A warm start in a fresh process: indexWithCache with a valid cache (corpus + search index ready); then, for comparison, SearchIndex.build. */
  warm(a) {
    const c0 = cpuNow();
    const t0 = now();
    const r = indexWithCache([a.target!], a.cacheDir as string, { readOnly: true, maxFileBytes: NO_LIMIT });
    const t1 = now();
    const c1 = cpuNow();
    // The search index comes with the corpus (mapped back from the cache); building it is
    // what a warm start without it would cost on top, measured beside it.
    const s = SearchIndex.build(r.works);
    const t2 = now();
    return { works: r.works.length, size: r.search.size, rebuilt: s.size, stats: r.stats, warm: t1 - t0, warmCpu: c1 - c0, search: t2 - t1, searchCpu: cpuNow() - c1 };
  },

  /** A peer parser on one file (read + decode + parse), after a warm-up on a small file. */
  async peer(a) {
    const text = (f: string) => fs.readFileSync(f, 'utf8');
    let parse: (s: string) => unknown;
    let count: (r: unknown) => number;
    const req = Module.createRequire(path.join(ROOT, 'package.json'));
    if (a.peer === 'citation-js') {
      req('@citation-js/plugin-bibtex');
      const { plugins } = req('@citation-js/core') as { plugins: { input: { chain: (s: string, o: object) => unknown[] } } };
      parse = (s) => plugins.input.chain(s, { generateGraph: false });
      count = (r) => (r as unknown[]).length;
    } else if (a.peer === 'citation-js-entries') {
      // One entry at a time, so one bad entry costs only itself (how an editor would have to
      // call it on real exports, which have such entries).
      req('@citation-js/plugin-bibtex');
      const { plugins } = req('@citation-js/core') as { plugins: { input: { chain: (s: string, o: object) => unknown[] } } };
      parse = (s) => {
        let ok = 0;
        let failed = 0;
        for (const entry of s.split(/\n(?=@)/)) {
          if (!entry.trimStart().startsWith('@')) continue;
          try {
            ok += plugins.input.chain(entry, { generateGraph: false }).length;
          } catch {
            failed++;
          }
        }
        return { ok, failed };
      };
      count = (r) => (r as { ok: number }).ok;
    } else if (a.peer === 'latex-utensils') {
      const { bibtexParser } = req('latex-utensils') as { bibtexParser: { parse: (s: string) => { content: { entryType?: string }[] } } };
      parse = (s) => bibtexParser.parse(s);
      count = (r) => (r as { content: { entryType?: string }[] }).content.filter((e) => typeof e.entryType === 'string').length;
    } else if (a.peer === 'retorquere') {
      // ESM only: a dynamic import (kept external by the bundler, resolved from node_modules).
      const name = '@retorquere/bibtex-parser'; // (its typings do not resolve under moduleResolution node)
      const bp = (await import(name)) as { parse: (s: string) => { entries: unknown[] } };
      parse = (s) => bp.parse(s);
      count = (r) => (r as { entries: unknown[] }).entries.length;
    } else if (a.peer === 'bib-floor') {
      parse = bibFloor;
      count = (r) => (r as unknown[]).length;
    } else if (a.peer === 'json') {
      parse = (s) => JSON.parse(s);
      count = (r) => (r as unknown[]).length;
    } else throw new Error(`unknown peer ${String(a.peer)}`);
    if (a.warmup) {
      try {
        parse(text(a.warmup));
      } catch {
        // a failure shows in the measured runs
      }
    }
    const runs: { total: number; cpu: number }[] = [];
    let entries = 0;
    let error: string | undefined;
    for (let r = 0; r < (a.reps ?? 1); r++) {
      gc();
      const c0 = cpuNow();
      const t0 = now();
      try {
        entries = count(parse(text(a.target!)));
      } catch (e) {
        error = String(e instanceof Error ? e.message : e).slice(0, 200);
      }
      runs.push({ total: now() - t0, cpu: cpuNow() - c0 });
      if (error) break;
    }
    return { runs, entries, error, rss: process.memoryUsage().rss / 1048576, peakRss: process.resourceUsage().maxRSS / 1024 };
  },

  /**
   * Activation: require dist/extension.js + activate() with a stub vscode and context. `storage`
   * keeps the context's storage (and so the bundle's code cache) across runs; `waitMs` is how
   * long to let the start-up work run afterwards (long enough for the code cache's write).
   */
  async activation(a) {
    const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const load = M._load;
    M._load = function (this: unknown, request: string, ...rest: unknown[]) {
      if (request === 'vscode') return vscode;
      return load.call(this, request, ...rest);
    };
    const storage = (a.storage as string | undefined) ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cc-activate-'));
    const ctx = stubContext(ROOT, storage);
    const ext = path.join(ROOT, 'dist', 'extension.js');
    const req = Module.createRequire(ext);
    const before = new Set(Object.keys(req.cache));
    const t0 = now();
    const mod = req(ext) as { activate: (c: unknown) => unknown };
    const t1 = now();
    let error: string | undefined;
    try {
      mod.activate(ctx);
    } catch (e) {
      error = String(e instanceof Error ? e.stack : e).slice(0, 500);
    }
    const t2 = now();
    const loadedNow = Object.keys(req.cache).filter((k) => !before.has(k));
    // Let the start-up work that activation schedules run, then look again.
    await new Promise((r) => setTimeout(r, (a.waitMs as number | undefined) ?? 500));
    const loadedLater = Object.keys(req.cache).filter((k) => !before.has(k));
    const citation = (list: string[]) => list.filter((k) => /(?:^|[\\/])citation\.js$|@citation-js/.test(k)).map((k) => path.relative(ROOT, k));
    const boot = (mod as { codeCacheInfo?: () => { codeCache: string; compileMs: number } | undefined }).codeCacheInfo?.();
    if (!a.storage) fs.rmSync(storage, { recursive: true, force: true });
    return {
      require: t1 - t0,
      activate: t2 - t1,
      total: t2 - t0,
      error,
      modules: loadedNow.map((k) => path.relative(ROOT, k)),
      citationAtActivation: citation(loadedNow),
      citationAfter500ms: citation(loadedLater),
      subscriptions: ctx.subscriptions.length,
      codeCache: boot?.codeCache,
      compileMs: boot?.compileMs,
    };
  },

  /** The BibTeX data as CSL-JSON (the core's own reading of it), for the JSON.parse floor. */
  bibAsCsl(a) {
    const p = parseBytes(fs.readFileSync(a.target!), a.target!);
    fs.writeFileSync(a.out as string, `[\n${p.records.map((r) => JSON.stringify(r.csl)).join(',\n')}\n]\n`);
    return { records: p.records.length };
  },
};

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const fn = tasks[name];
  if (!fn) throw new Error(`unknown task ${name}`);
  const result = await fn(JSON.parse(json || '{}') as Args);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // Worker threads or timers the extension started must not keep the process alive.
  process.exit(0);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stdout.write(`RESULT ${JSON.stringify({ fatal: String(e instanceof Error ? e.stack : e) })}\n`);
    process.exit(1);
  });
}
