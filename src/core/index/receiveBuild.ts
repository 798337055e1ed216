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
import { WorkLookup } from '../search/lookup';
import type { Problem, Work } from '../model/model';
import { SearchIndex } from '../search/search';
import { WorkStore } from '../model/workStore';

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
   * works) or unpacking the search index; the time to take in a chunk steers the chunk size.
   * Deserializing a message happens before and is not in it (the host benchmark sees it as a
   * stall: it grows with the chunk, like taking it in, and is smaller).
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
  /** What taking in one chunk here should take, ms (the chunk size follows it). Default 8. */
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
  // One request always in flight ahead of the chunk being taken in: the worker slices the next
  // chunk (and waits for a CPU: it runs at a lower priority) while this thread takes in the last
  // one and yields. Asked one at a time, a restart at 50k spent most of its 0.8–1.5 s of fetching
  // waiting for the worker between chunks (measured in the host at load 7–8).
  const ask = (from: number, to: number) => {
    const sent = now();
    const answer = request({ kind: 'works', from, to }).then((r) => ({ r, trip: now() - sent }));
    answer.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    return { from, to, answer };
  };
  opts.onProgress?.(0, res.count);
  await opts.pause();
  let next = res.count > 0 ? ask(0, Math.min(res.count, chunk)) : undefined;
  while (next) {
    const { from, to } = next;
    const { r, trip } = await next.answer;
    const tIn = now();
    if (r.kind !== 'works') throw new Error(r.kind === 'error' ? r.message : `unexpected answer ${r.kind} to a works request`);
    if (r.chunk.ids.length !== to - from) throw new Error(`asked for ${to - from} works, got ${r.chunk.ids.length}`);
    next = to < res.count ? ask(to, Math.min(res.count, to + chunk)) : undefined;
    lookup.add(store.add(r.chunk));
    const ms = now() - tIn;
    longest = Math.max(longest, ms);
    longestTrip = Math.max(longestTrip, trip);
    chunks++;
    // Aim the chunk after next at the target, changing by at most 2× per step. What is steered
    // is this thread's own cost of a chunk (taking it in; deserializing it, which is not
    // measurable here, grows with it alike), not the round trip: most of a round trip is the
    // worker's part and waiting for it, which holds nothing here, and steering on it shrank the
    // chunks exactly when the machine was busy, multiplying the round trips.
    chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * Math.min(2, Math.max(0.5, target / Math.max(ms, 0.1))))));
    opts.onProgress?.(to, res.count);
    await opts.pause();
  }
  const t1 = now();
  const search = SearchIndex.unpack(store.works, res.search);
  longest = Math.max(longest, now() - t1);
  return { works: store.works, problems: res.problems, byId: lookup.byId, lookup, search, corpusMs: res.ms, searchMs: res.searchMs, fetchMs: now() - t0, chunks, longestChunkMs: longest, longestRoundTripMs: longestTrip, corpusFromCache: res.corpusFromCache === true };
}
