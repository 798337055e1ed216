/**
 * A thread of the parse pool (parsePool.ts): reads and parses what it is sent on its port,
 * answers on it, and bumps the shared signal the caller waits on. Plain data both ways
 * (structured clone). Bundled inside dist/indexWorker.js (which starts it when its `workerData`
 * says `parsePool`), so that no bundle of its own ships; run from the sources through tsx.
 */
import { type MessagePort, workerData } from 'worker_threads';
import { runJob, type PoolJob } from './parseJobs';

export interface ParseThreadData {
  parsePool: true;
  port: MessagePort;
  signal: Int32Array;
}

/** Whether this thread was started as a parse-pool thread. */
export function isParseThread(data: unknown = workerData): data is ParseThreadData {
  return typeof data === 'object' && data !== null && (data as ParseThreadData).parsePool === true;
}

function serve({ port, signal }: ParseThreadData): void {
  const answer = (m: unknown) => {
    port.postMessage(m);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  port.on('message', (m: { id: number; job: PoolJob }) => {
    let value: unknown;
    try {
      value = runJob(m.job);
    } catch (e) {
      answer({ id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) });
      return;
    }
    answer({ id: m.id, ok: true, value });
  });
  answer({ ready: true });
}

if (isParseThread()) serve(workerData as ParseThreadData);
