/**
 * The index worker's entry (dist/indexWorkerLoader.js): loads the worker's bundle
 * (dist/indexWorker.js, 800 KB: ~48 ms to compile, ~6 ms from a code cache) through the same V8
 * code cache as the extension's bundle (codeCache.ts), in the folder the editor passes. A worker
 * that had no usable cache writes one a few seconds after it started (the timer never keeps the
 * thread alive), when its first requests have compiled the functions they need. Anything wrong
 * with the cache path itself falls back to `require`.
 */
import { workerData } from 'worker_threads';
import { loadBundle } from './codeCache';

/** What the editor passes to the worker (`workerData`). */
export interface WorkerLoaderData {
  bundle: string;
  codeCacheDir?: string;
  /** How long after the start the cache is written (tests shorten it). */
  writeDelayMs?: number;
}

const data = workerData as WorkerLoaderData;

const loaded = loadBundle(data.bundle, data.codeCacheDir);
if (loaded.needsWrite) setTimeout(() => loaded.write(), data.writeDelayMs ?? 5000).unref();
