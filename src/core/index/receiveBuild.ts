/**
 * The editor's side of a build in the index worker: asks for the build and takes its works in.
 * They arrive in the one answer, packed (workStore.ts: each work's JSON as UTF-8 in a buffer
 * shared with the worker, the heads as a few joined strings): deserializing it copies no work
 * and makes no string per work. Taking them in (a read-only view per work) is done in slices
 * with a pause between them, so that the editor's event loop runs (completion, hover, typing)
 * while 50,000 works are taken in. The works are parsed only when read. The lookup reads its
 * keys from the packed heads (lookup.ts: no Map entry per work), and the search index arrives
 * packed with them (built in the worker); both are set up last, in milliseconds.
 *
 * Pure: the request and pause functions come from the caller (the worker or the in-process
 * session; setImmediate in the editor).
 */
import type { IndexResponse } from './indexWorker';
import { WorkLookup } from '../search/lookup';
import type { Problem, Work } from '../model/model';
import { SearchIndex } from '../search/search';
import { WorkStore } from '../model/workStore';

type Request = (req: { kind: 'build' }) => Promise<IndexResponse>;

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
  /** Taking the works in, wall time from the answer to the last slice, and in how many slices. */
  fetchMs: number;
  chunks: number;
  /**
   * The longest synchronous step here, ms: taking in one slice (a view per work) or setting up
   * the lookup and unpacking the search index; the time a slice takes steers the next one's size.
   * Deserializing the answer happens before and is not in it (a few milliseconds at 50,000
   * works: the works' bytes are shared, the heads a few strings).
   */
  longestChunkMs: number;
  /** The corpus came from the warm-start cache (no merge run). */
  corpusFromCache: boolean;
}

export interface ReceiveOptions {
  /** Lets the event loop run; called before each slice. */
  pause: () => Promise<void>;
  /** Works in the first slice (later ones adapt to `targetMs`). Default 2,000. */
  firstChunk?: number;
  /** What taking in one slice should take, ms (the slice size follows it). Default 8. */
  targetMs?: number;
  /** Clock, ms. */
  now?: () => number;
  /** Told how many of the works are taken in so far (before the first slice, and after each). */
  onProgress?: (received: number, total: number) => void;
}

const MIN_CHUNK = 50;
const MAX_CHUNK = 20_000;

export async function receiveBuild(request: Request, opts: ReceiveOptions): Promise<ReceivedBuild> {
  const now = opts.now ?? (() => performance.now());
  const target = opts.targetMs ?? 8;
  const res = await request({ kind: 'build' });
  if (res.kind !== 'built') throw new Error(res.kind === 'error' ? res.message : `unexpected answer ${res.kind} to a build`);
  const t0 = now();
  const packed = res.works;
  const count = packed.ends.length;
  const store = new WorkStore();
  let chunk = opts.firstChunk ?? 2000;
  let chunks = 0;
  let longest = 0;
  opts.onProgress?.(0, count);
  for (let from = 0; from < count; ) {
    await opts.pause();
    const to = Math.min(count, from + chunk);
    const tIn = now();
    store.add(packed, from, to);
    const ms = now() - tIn;
    longest = Math.max(longest, ms);
    chunks++;
    // Aim the next slice at the target, changing by at most 2× per step: the cost per work
    // moves with the machine's load and with what the heads hold.
    chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * Math.min(2, Math.max(0.5, target / Math.max(ms, 0.1))))));
    from = to;
    opts.onProgress?.(to, count);
  }
  await opts.pause();
  const t1 = now();
  // Keys read from the packed heads' hash tables: no string or Map entry per work made here.
  const lookup = new WorkLookup(store.works, packed);
  const search = SearchIndex.unpack(store.works, res.search);
  longest = Math.max(longest, now() - t1);
  return { works: store.works, problems: res.problems, byId: lookup.byId, lookup, search, corpusMs: res.ms, searchMs: res.searchMs, fetchMs: now() - t0, chunks, longestChunkMs: longest, corpusFromCache: res.corpusFromCache === true };
}
