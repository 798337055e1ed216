/**
 * The client of the index session (src/core/index/indexWorker.ts: parsing, building the corpus, the
 * warm-start cache, exports and citeproc): it owns the worker thread, dist/indexWorker.js, sends
 * it requests and matches the answers, and when the worker cannot start or dies, runs the same
 * session in the extension host from then on.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as vscode from 'vscode';
import { Worker } from 'worker_threads';
import type { IndexRequest, IndexResponse, IndexSession } from '../core/index/indexWorker';
import { yieldToEventLoop } from '../core/tree/slices';
import type { WorkerLoaderData } from '../workerLoader';

/** The worker died: the parsed files it held are gone and must be sent again. */
export class IndexerLostState extends Error {}

/**
 * Runs the index session (parsing and corpus building, src/core/index/indexWorker.ts) in a worker
 * thread, dist/indexWorker.js. If the worker cannot start or dies, the same session runs in the
 * extension host instead, yielding to the event loop before each file.
 */
export class IndexClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: IndexResponse) => void; reject: (e: Error) => void }>();
  private session: IndexSession | undefined;
  /** Files parsed so far in the worker and in the extension host. */
  readonly stats = { worker: 0, inProcess: 0 };

  /**
   * `codeCacheDir`: where the worker's bundle keeps its V8 code cache (the loader's folder,
   * src/workerLoader.ts); undefined starts the bundle directly, compiling it every time.
   */
  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly codeCacheDir?: string,
  ) {}

  get mode(): 'worker' | 'in-process' {
    return this.broken ? 'in-process' : 'worker';
  }

  /** Starts the worker now, so that its start-up overlaps the search for corpus files. */
  warm(): void {
    if (this.broken) return;
    try {
      this.startWorker();
    } catch {
      // The first request reports the failure and falls back.
    }
  }

  /** Sends one request; throws IndexerLostState when the worker died (switching to in-process). */
  async request(req: DistributiveOmit<IndexRequest, 'id'>): Promise<IndexResponse> {
    if (!this.broken) {
      const sentBytes = req.kind === 'parse' ? req.bytes.byteLength : 0;
      try {
        const res = await this.viaWorker(req);
        if (res.kind === 'parsed') this.stats.worker++;
        return res;
      } catch (e) {
        const hadState = this.nextId > 2; // earlier requests left files in the worker
        // Bytes transferred to the worker are gone from here: the file must be read again.
        const lostBytes = req.kind === 'parse' && req.bytes.byteLength !== sentBytes;
        this.broken = true;
        this.stopWorker();
        this.log.warn(`[index] the indexing worker failed (${e instanceof Error ? e.message : String(e)}); indexing in the extension host from now on`);
        if (hadState || lostBytes) throw new IndexerLostState('the indexing worker stopped');
      }
    }
    if (req.kind === 'parse') {
      await yieldToEventLoop();
      this.stats.inProcess++;
    }
    return this.inProcess().handle({ ...req, id: 0 } as IndexRequest);
  }

  /**
   * The worker's own module loaded into the extension host: the parsers (and zod) live only in
   * dist/indexWorker.js, which keeps them out of the extension bundle and out of activation.
   */
  private inProcess(): IndexSession {
    if (!this.session) {
      const req = require; // a computed path keeps esbuild from bundling the parsers in here
      const mod = req(this.workerPath) as typeof import('../core/index/indexWorker');
      this.session = new mod.IndexSession();
    }
    return this.session;
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    if (!fs.existsSync(this.workerPath)) throw new Error(`${this.workerPath} is missing`);
    const loader = path.join(path.dirname(this.workerPath), 'indexWorkerLoader.js');
    const w =
      this.codeCacheDir && fs.existsSync(loader)
        ? new Worker(loader, { workerData: { bundle: this.workerPath, codeCacheDir: this.codeCacheDir } satisfies WorkerLoaderData })
        : new Worker(this.workerPath);
    w.unref();
    const failAll = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('message', (res: IndexResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      p.resolve(res);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private viaWorker(req: DistributiveOmit<IndexRequest, 'id'>): Promise<IndexResponse> {
    const w = this.startWorker();
    const id = this.nextId++;
    const message = { ...req, id } as IndexRequest;
    // File bytes move to the worker without a copy when they own their whole buffer.
    const transfer = message.kind === 'parse' && message.bytes.byteOffset === 0 && message.bytes.byteLength === message.bytes.buffer.byteLength && message.bytes.buffer instanceof ArrayBuffer ? [message.bytes.buffer] : [];
    return new Promise<IndexResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage(message, transfer);
    });
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }

  dispose(): void {
    this.stopWorker();
  }
}

export type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
