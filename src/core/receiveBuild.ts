/**
 * The editor's side of a build in the index worker: asks for the build, then fetches its works a
 * chunk at a time, pausing between chunks so that the editor's event loop runs (completion,
 * hover, typing) while 50,000 works come across. Each chunk is bytes plus the works' heads
 * (workStore.ts): the works are parsed only when read. The search index arrives packed with the
 * build answer (built in the worker) and is unpacked last, in milliseconds.
 *
 * Pure: the request and pause functions come from the caller (the worker or the in-process
 * session; setImmediate in the editor).
 */
import type { IndexResponse } from './indexWorker';
import { WorkLookup } from './lookup';
import type { Problem, Work } from './model';
import { SearchIndex } from './search';
import { WorkStore } from './workStore';

type Request = (req: { kind: 'build' } | { kind: 'works'; from: number; to: number }) => Promise<IndexResponse>;

export interface ReceivedBuild {
  /** The works (read-only views parsed on demand: see workStore.ts). */
  works: readonly Work[];
  problems: Problem[];
  byId: Map<string, Work>;
  lookup: WorkLookup;
  search: SearchIndex;
  /** Building the corpus and building the search index in the worker, ms. */
  corpusMs: number;
  searchMs: number;
  /** Fetching the works, wall time, and how many chunks it took. */
  fetchMs: number;
  chunks: number;
  /**
   * The longest synchronous step here, ms: taking in one chunk (restoring and indexing its
   * works) or unpacking the search index. Deserializing a message happens before and is not
   * in it (the host benchmark sees it as a stall); the round trips, which are, steer the chunk size.
   */
  longestChunkMs: number;
  /** The longest round trip for one chunk, ms (mostly waiting for the worker). */
  longestRoundTripMs: number;
  /** The corpus came from the warm-start cache (no merge run). */
  corpusFromCache: boolean;
}

export interface ReceiveOptions {
  /** Lets the event loop run; called before each chunk. */
  pause: () => Promise<void>;
  /** Works in the first chunk (later ones adapt to `targetMs`). Default 250. */
  firstChunk?: number;
  /** What one chunk's round trip should take, ms. Default 8. */
  targetMs?: number;
  /** Clock, ms. */
  now?: () => number;
  /** Told how many of the works have come across so far (before the first chunk, and after each). */
  onProgress?: (received: number, total: number) => void;
}

const MIN_CHUNK = 50;
const MAX_CHUNK = 10_000;

export async function receiveBuild(request: Request, opts: ReceiveOptions): Promise<ReceivedBuild> {
  const now = opts.now ?? (() => performance.now());
  const target = opts.targetMs ?? 8;
  const res = await request({ kind: 'build' });
  if (res.kind !== 'built') throw new Error(res.kind === 'error' ? res.message : `unexpected answer ${res.kind} to a build`);
  const t0 = now();
  const store = new WorkStore();
  const lookup = new WorkLookup();
  let chunk = opts.firstChunk ?? 250;
  let chunks = 0;
  let longest = 0;
  let longestTrip = 0;
  for (let from = 0; from < res.count; ) {
    opts.onProgress?.(from, res.count);
    await opts.pause();
    const to = Math.min(res.count, from + chunk);
    // The round trip bounds what the editor spends (deserializing the answer is in it, and so
    // is the worker's own part, which runs on its thread): the chunk size follows it.
    const t = now();
    const r = await request({ kind: 'works', from, to });
    const tIn = now();
    if (r.kind !== 'works') throw new Error(r.kind === 'error' ? r.message : `unexpected answer ${r.kind} to a works request`);
    if (r.chunk.ids.length !== to - from) throw new Error(`asked for ${to - from} works, got ${r.chunk.ids.length}`);
    lookup.add(store.add(r.chunk));
    const ms = now() - t;
    longest = Math.max(longest, now() - tIn);
    longestTrip = Math.max(longestTrip, ms);
    chunks++;
    from = to;
    // Aim the next chunk at the target, changing by at most 2× per step.
    chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * Math.min(2, Math.max(0.5, target / Math.max(ms, 0.1))))));
  }
  opts.onProgress?.(res.count, res.count);
  await opts.pause();
  const t1 = now();
  const search = SearchIndex.unpack(store.works, res.search);
  longest = Math.max(longest, now() - t1);
  return { works: store.works, problems: res.problems, byId: lookup.byId, lookup, search, corpusMs: res.ms, searchMs: res.searchMs, fetchMs: now() - t0, chunks, longestChunkMs: longest, longestRoundTripMs: longestTrip, corpusFromCache: res.corpusFromCache === true };
}
