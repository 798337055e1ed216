/**
 * A bounded pool of worker threads that parse (parseWorker.ts, inside the bundle
 * dist/indexWorker.js), used synchronously: the caller submits jobs (files to read
 * and parse, slices of a big .bib: parallelParse.ts) and then blocks
 * (`Atomics.wait`) until their answers are in, taken off each thread's port with
 * `receiveMessageOnPort`. So the CLI's `indexPaths` and the index worker's `handle` stay
 * synchronous, and the threads run while the caller waits.
 *
 * Its size is `parseThreads()`: one thread a core, at most MAX_PARSE_THREADS, when at least two
 * cores are free (cores less the load average), else none (the caller parses in its own thread
 * then); `CORPUS_CITE_PARSE_THREADS=1` (or 0) turns it off, another number sets it. One big
 * BibTeX file is cut into slices for the threads only when that variable asks for threads
 * (`slices`): taking a slice's parse back costs about as much as parsing it (structured clone:
 * ~1.0 s of the 1.3 s at 50,000 entries; bench/RESULTS.md, eighth session, parallel).
 *
 * A job that fails in its thread (the parser threw) runs again in the caller's thread; a thread
 * that does not answer (it could not start within `startMs`, or a job took longer than `jobMs`:
 * a crash is seen so, the caller cannot hear a thread's exit while it blocks) is ended, and its
 * job runs in the caller's thread. No file loses its records; with no thread left every job runs
 * in the caller's thread.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { type JobValue, type PoolJob, runJob } from './parseJobs';

export const MAX_PARSE_THREADS = 4;

/** How many pool threads to parse on (0: parse in the caller's thread). */
export function parseThreads(env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism?.() ?? os.cpus().length, load = os.loadavg()[0]): number {
  const set = threadsAsked(env);
  if (set !== undefined) return set;
  return cores < 2 || cores - load < 2 ? 0 : Math.min(cores, MAX_PARSE_THREADS);
}

/** The number of threads `CORPUS_CITE_PARSE_THREADS` asks for (0: off), if it is set. */
function threadsAsked(env: NodeJS.ProcessEnv): number | undefined {
  const set = env.CORPUS_CITE_PARSE_THREADS;
  if (set === undefined || set.trim() === '' || !Number.isFinite(Number(set))) return undefined;
  const n = Math.floor(Number(set));
  return n <= 1 ? 0 : Math.min(n, 16);
}

export interface PoolEntry {
  /** A script file, or (`eval`) the code of one. */
  file: string;
  eval: boolean;
}

/**
 * How a pool thread is started: dist/indexWorker.js beside this bundle (the extension's, the index
 * worker's or the CLI's; it holds parseWorker.ts and serves as a pool thread when its workerData
 * says so), or (run from the TypeScript sources, as the tests do) parseWorker.ts through tsx.
 */
export function defaultEntry(): PoolEntry | undefined {
  if (__filename.endsWith('.ts')) return { file: `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'parseWorker.ts'))});`, eval: true };
  const file = path.join(__dirname, 'indexWorker.js');
  return fs.existsSync(file) ? { file, eval: false } : undefined;
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  ready: boolean;
  startedAt: number;
  /** The ticket it works on, and since when. */
  busy: number | undefined;
  since: number;
}

interface Ticket {
  job: PoolJob;
  done: boolean;
  value: unknown;
}

export interface PoolOptions {
  size?: number;
  /** Whether one big BibTeX file is parsed in slices (by default: when CORPUS_CITE_PARSE_THREADS asks for threads). */
  slices?: boolean;
  entry?: PoolEntry | undefined;
  /** How long a thread may take to start (ms). */
  startMs?: number;
  /** How long one job may take in a thread (ms) before it is taken for lost. */
  jobMs?: number;
}

export class ParsePool {
  readonly size: number;
  readonly slices: boolean;
  private readonly entry: PoolEntry | undefined;
  private readonly startMs: number;
  private readonly jobMs: number;
  private threads: Thread[] | undefined;
  /** Bumped by a thread after each answer (Atomics.notify): what the caller waits on. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly tickets: Ticket[] = [];
  private readonly queue: number[] = [];
  /** Jobs that ran in the caller's thread after their thread failed (for the log and the tests). */
  failures = 0;
  /** Jobs handed to threads. */
  sent = 0;

  constructor(opts: PoolOptions = {}) {
    this.size = opts.size ?? parseThreads();
    this.slices = opts.slices ?? (threadsAsked(process.env) ?? 0) >= 2;
    this.entry = 'entry' in opts ? opts.entry : defaultEntry();
    this.startMs = opts.startMs ?? 15_000;
    this.jobMs = opts.jobMs ?? 120_000;
  }

  /** Whether jobs go to threads (else they run in the caller's thread, at `collect`). */
  get parallel(): boolean {
    return this.size >= 2 && this.entry !== undefined && (this.threads === undefined || this.threads.length > 0);
  }

  private start(): Thread[] {
    if (this.threads) return this.threads;
    const threads: Thread[] = [];
    for (let i = 0; i < this.size; i++) {
      try {
        const { port1, port2 } = new MessageChannel();
        const worker = new Worker(this.entry!.file, { eval: this.entry!.eval, workerData: { parsePool: true, port: port2, signal: this.signal }, transferList: [port2] });
        // Its exit or errors are not waited for (the caller blocks): a lost thread is one that stops answering.
        worker.on('error', () => undefined);
        worker.unref();
        threads.push({ worker, port: port1, ready: false, startedAt: Date.now(), busy: undefined, since: 0 });
      } catch {
        // A thread that cannot start: the others take its share.
      }
    }
    return (this.threads = threads);
  }

  /** Hands a job to the pool (a thread starts on it at once when one is free); its answer comes with `collect`. */
  submit(job: PoolJob): number {
    const id = this.tickets.length;
    this.tickets.push({ job, done: false, value: undefined });
    if (!this.parallel) return id;
    this.queue.push(id);
    this.dispatch();
    return id;
  }

  private dispatch(): void {
    for (const t of this.start()) {
      if (t.busy !== undefined) continue;
      const id = this.queue.shift();
      if (id === undefined) return;
      t.busy = id;
      t.since = Date.now();
      this.sent++;
      t.port.postMessage({ id, job: this.tickets[id].job });
    }
  }

  private here(id: number): void {
    const t = this.tickets[id];
    t.value = runJob(t.job);
    t.done = true;
  }

  private lose(t: Thread): void {
    this.threads = this.threads!.filter((x) => x !== t);
    void t.worker.terminate();
    t.port.close();
    if (t.busy !== undefined) {
      this.failures++;
      this.here(t.busy);
    }
  }

  /** The answers of these jobs, in their order: waits for the threads, runs here what they could not. */
  collect<J extends PoolJob>(ids: readonly number[]): JobValue<J>[] {
    for (;;) {
      if (ids.every((id) => this.tickets[id].done)) break;
      if (!this.parallel || !this.threads!.length) {
        for (const id of ids) if (!this.tickets[id].done) this.here(id);
        this.queue.length = 0;
        break;
      }
      const seen = Atomics.load(this.signal, 0);
      let got = false;
      for (const t of [...this.threads!]) {
        for (let m = receiveMessageOnPort(t.port); m; m = receiveMessageOnPort(t.port)) {
          got = true;
          const msg = m.message as { ready?: true; id?: number; ok?: boolean; value?: unknown };
          if (msg.ready) {
            t.ready = true;
            continue;
          }
          t.busy = undefined;
          const ticket = this.tickets[msg.id!];
          if (msg.ok) {
            ticket.value = msg.value;
            ticket.done = true;
          } else {
            this.failures++;
            this.here(msg.id!);
          }
        }
      }
      const now = Date.now();
      for (const t of [...this.threads!]) {
        if (!t.ready && now - t.startedAt > this.startMs) this.lose(t);
        else if (t.busy !== undefined && now - t.since > this.jobMs) this.lose(t);
      }
      this.dispatch();
      if (!got) Atomics.wait(this.signal, 0, seen, 50);
    }
    const out = ids.map((id) => this.tickets[id].value as JobValue<J>);
    for (const id of ids) this.tickets[id].value = undefined;
    return out;
  }

  /** Ends the threads (idle ones do not keep a process alive, but hold memory). */
  close(): void {
    for (const t of this.threads ?? []) {
      void t.worker.terminate();
      t.port.close();
    }
    this.threads = [];
  }
}
