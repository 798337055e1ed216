/**
 * Keeps the index session in step with the corpus files: collects the files that may have
 * changed (from the corpus files part), and runs one indexing pass at a time, debounced: stat
 * each file, take it from the warm-start cache or read it and send it to be parsed, then receive
 * the rebuilt corpus into the current corpus and publish its problems. It owns the queue, the
 * state (indexing, empty, ready) and what it knows of each indexed file (size and time).
 */
import * as vscode from 'vscode';
import type { Problem } from '../core/model/model';
import { type ReceivedBuild, receiveBuild } from '../core/index/receiveBuild';
import { yieldToEventLoop } from '../core/tree/slices';
import type { CorpusFiles, FilesChange } from './corpusFiles';
import { DEBOUNCE_MS, isExcludedPath } from './corpusFiles';
import type { CorpusProblems } from './corpusProblems';
import type { CorpusSettings } from './corpusSettings';
import type { CurrentCorpus } from './currentCorpus';
import { fileName, readCorpusFile, statFile, tooBigProblem } from './fileAccess';
import { type HostTiming, passSummary } from './hostTiming';
import { type IndexClient, IndexerLostState } from './indexClient';
import type { WarmCache } from './warmCache';
import { promiseSignal, type Subscribe, whenSettled } from '../core/index/settle';

export type IndexState = 'indexing' | 'empty' | 'ready';

/**
 * How far an indexing run is, in what it can count truthfully: the corpus files looked at
 * (read and parsed, or found unchanged), then the works taken in from the built corpus. While
 * the files are searched for and while the worker builds the corpus there is nothing to count.
 */
export type IndexProgress =
  | { readonly phase: 'searching' | 'building' }
  | { readonly phase: 'files' | 'works'; readonly done: number; readonly total: number };

/** What the run remembers of an indexed file (the parsed records live in the worker). */
interface IndexedFile {
  uri: vscode.Uri;
  mtime: number;
  size: number;
  file: string;
}

export interface IndexingParts {
  files: CorpusFiles;
  client: IndexClient;
  warmCache: WarmCache;
  current: CurrentCorpus;
  problems: CorpusProblems;
  settings: CorpusSettings;
  timing: HostTiming;
  log: vscode.LogOutputChannel;
}

export class CorpusIndexing implements vscode.Disposable {
  private readonly _onDidChangeState = new vscode.EventEmitter<IndexState>();
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidProgress = new vscode.EventEmitter<IndexProgress>();
  /** Fires as an indexing run goes on (often: listeners throttle what they show). */
  readonly onDidProgress = this._onDidProgress.event;
  private _progress: IndexProgress | undefined;
  private _state: IndexState = 'indexing';
  private readonly indexed = new Map<string, IndexedFile>();
  private readonly dirty = new Set<string>();
  private fullScan = false;
  private forceAll = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly idleWaiters: (() => void)[] = [];
  private walkProblemsKey = '[]';
  private walkProblemsChanged = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [this._onDidChangeState, this._onDidProgress];
  /**
   * From activation until the first pass ends or has to read a file: the works are expected
   * from the warm-start cache, in well under a second (see `whenCachedWorks`).
   */
  private worksFromCache = true;

  constructor(private readonly p: IndexingParts) {
    this.disposables.push(
      p.files.onDidChange((c) => this.onFilesChange(c)),
      p.settings.onDidChange(({ before, after }) => {
        if (JSON.stringify(before.corpus) !== JSON.stringify(after.corpus) || before.maxFileSizeMB !== after.maxFileSizeMB) {
          this.p.log.info('[index] corpus settings changed; re-indexing');
          this.requestFullScan(before.maxFileSizeMB !== after.maxFileSizeMB);
        }
      }),
    );
  }

  get state(): IndexState {
    return this._state;
  }
  /** Number of corpus files currently indexed. */
  get fileCount(): number {
    return this.indexed.size;
  }
  /** Whether a file is indexed as part of the corpus now. */
  isIndexed(uri: vscode.Uri): boolean {
    return this.indexed.has(uri.toString());
  }

  /** Resolves once no indexing is running or pending. */
  whenIndexed(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Whether the editor has no works yet and expects them from the warm-start cache shortly. */
  get expectingCachedWorks(): boolean {
    return this._state === 'indexing' && this.worksFromCache && this.p.warmCache.mayHoldCorpus && this.p.current.works.length === 0;
  }

  /**
   * Resolves when the works the editor expects from the warm-start cache are in, or as soon as
   * it is clear they will not come from it (a file has to be read and parsed: a cold index, which
   * takes seconds), or after `maxMs`, or on `token`'s cancellation; at once if none are expected.
   */
  whenCachedWorks(maxMs: number, token?: vscode.CancellationToken): Promise<void> {
    const signals: Subscribe[] = [this.p.current.onDidChange, this._onDidChangeState.event, this._onDidProgress.event, promiseSignal(this.p.warmCache.opened)];
    if (token) signals.push(token.onCancellationRequested);
    return whenSettled(() => this.expectingCachedWorks && !token?.isCancellationRequested, signals, maxMs);
  }

  /** A file has to be read this pass: the first corpus does not come from the cache alone. */
  private goneCold(): void {
    if (!this.worksFromCache) return;
    this.worksFromCache = false;
    if (this._progress) this._onDidProgress.fire(this._progress);
  }

  /** Searches the globs again and checks every file (`force`: re-reads every file). */
  requestFullScan(force: boolean): void {
    this.fullScan = true;
    if (force) this.forceAll = true;
    this.schedule(0);
  }

  private onFilesChange(c: FilesChange): void {
    if (c.kind === 'rescan') return this.requestFullScan(c.force);
    for (const k of c.keys) this.dirty.add(k);
    if (c.kind === 'files') {
      if (c.delay !== undefined) this.schedule(c.delay);
      return;
    }
    // A folder deleted: the indexed files under it too (a file that left the corpus meanwhile).
    let any = c.keys.length > 0;
    for (const [key, f] of this.indexed) {
      if (!key.startsWith(c.prefix) || isExcludedPath(f.uri.path)) continue;
      this.dirty.add(key);
      any = true;
    }
    if (any) this.schedule(DEBOUNCE_MS);
  }

  private busy(): boolean {
    return this.running || this.timer !== undefined || this.fullScan || this.dirty.size > 0;
  }

  private schedule(delay: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delay);
  }

  /** Where the running indexing pass is; undefined when none runs. */
  get progress(): IndexProgress | undefined {
    return this._state === 'indexing' ? this._progress : undefined;
  }

  private setProgress(p: IndexProgress): void {
    this._progress = p;
    this._onDidProgress.fire(p);
  }

  private setState(s: IndexState): void {
    if (s !== 'indexing') this._progress = undefined;
    if (s === this._state) return;
    this._state = s;
    this._onDidChangeState.fire(s);
  }

  /** Searches the globs; what the walk passed over goes to the index session when it changed. */
  private async searchGlobs(): Promise<void> {
    const { walkProblems } = await this.p.files.searchGlobs();
    // Listed with the corpus problems (built in the index session).
    const walkKey = JSON.stringify(walkProblems);
    if (walkKey === this.walkProblemsKey) return;
    this.walkProblemsKey = walkKey;
    this.walkProblemsChanged = true;
    await this.p.client.request({ kind: 'walk-problems', problems: walkProblems });
  }

  /** One indexing pass; loops while more work arrived meanwhile. Never runs twice at once. */
  private async run(): Promise<void> {
    if (this.running || this.disposed) return;
    this.running = true;
    this.setState('indexing');
    const { log, client, current } = this.p;
    try {
      while ((this.fullScan || this.dirty.size > 0) && !this.disposed) {
        const t0 = Date.now();
        let toCheck: string[];
        let findMs = 0;
        const force = new Set<string>(this.dirty);
        this.dirty.clear();
        if (this.fullScan) {
          const forceAll = this.forceAll;
          this.fullScan = false;
          this.forceAll = false;
          const tFind = Date.now();
          this.setProgress({ phase: 'searching' });
          await this.searchGlobs();
          findMs = Date.now() - tFind;
          if (forceAll) for (const k of this.indexed.keys()) force.add(k);
          const all = this.p.files.named();
          for (const k of force) all.add(k);
          for (const k of this.indexed.keys()) all.add(k);
          toCheck = [...all];
        } else toCheck = [...force];

        try {
          let parsedCount = 0;
          let cachedCount = 0;
          let changed = current.version === 0 || this.walkProblemsChanged;
          this.walkProblemsChanged = false;
          const tRead = Date.now();
          toCheck.sort();
          for (let i = 0; i < toCheck.length; i++) {
            if (this.disposed) return;
            const key = toCheck[i];
            this.setProgress({ phase: 'files', done: i, total: toCheck.length });
            const tFile = Date.now();
            const r = await this.refreshFile(key, force.has(key));
            if (r !== 'unchanged') changed = true;
            if (r === 'cached') cachedCount++;
            if (r === 'parsed') {
              parsedCount++;
              log.debug(`[index] parsed ${this.p.files.uriOfKey(key)?.path} in ${Date.now() - tFile} ms`);
            }
          }
          if (!changed) continue;
          this.setProgress({ phase: 'building' });
          const tParse = Date.now();
          const built = await this.rebuild();
          const figures = { files: this.indexed.size, works: current.works.length, problems: current.corpus.problems.length, findMs, parsed: parsedCount, cached: cachedCount };
          log.info(passSummary({ ...figures, inWorker: client.mode === 'worker', parseMs: tParse - tRead, built, totalMs: Date.now() - t0 }));
        } catch (e) {
          if (!(e instanceof IndexerLostState)) throw e;
          // Everything the worker held is gone: read every file again, in-process now.
          this.walkProblemsKey = '';
          this.fullScan = true;
          this.forceAll = true;
        }
      }
    } catch (e) {
      log.error(`[index] indexing failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      this.running = false;
      this.worksFromCache = false;
      if (!this.disposed) {
        if (this.dirty.size || this.fullScan) this.schedule(0);
        this.setState(this.indexed.size === 0 ? 'empty' : 'ready');
        if (!this.busy()) for (const r of this.idleWaiters.splice(0)) r();
      }
    }
  }

  /** Brings one file up to date in the index session. */
  private async refreshFile(key: string, force: boolean): Promise<'parsed' | 'cached' | 'set' | 'dropped' | 'unchanged'> {
    const { files, client } = this.p;
    const uri = files.uriOfKey(key);
    if (!uri) return 'unchanged';
    const have = this.indexed.get(key);
    const file = fileName(uri);
    const drop = async (): Promise<'dropped' | 'unchanged'> => {
      if (!have) return 'unchanged';
      this.indexed.delete(key);
      await client.request({ kind: 'drop', file });
      return 'dropped';
    };
    const set = async (stat: { mtime: number; size: number }, problem: Problem): Promise<'set'> => {
      this.indexed.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
      await client.request({ kind: 'set', parsed: { file, records: [], problems: [problem] } });
      return 'set';
    };
    if (!files.has(key)) return drop();
    let stat: { type: vscode.FileType; mtime: number; size: number };
    try {
      stat = await statFile(uri);
    } catch {
      // Gone (deleted, or renamed away): a glob file leaves the corpus; a named bibliography
      // stays listed so that it comes back when the file does.
      files.forgetMissing(key);
      if (!files.has(key)) return drop();
      if (have && have.mtime === -1) return 'unchanged';
      return set({ mtime: -1, size: -1 }, { file, line: 1, severity: 'error', message: vscode.l10n.t('The bibliography named in the front matter does not exist.') });
    }
    if (stat.type & vscode.FileType.Directory) return drop();
    if (!force && have && have.mtime === stat.mtime && have.size === stat.size) return 'unchanged';
    const maxMB = this.p.settings.current.maxFileSizeMB;
    if (stat.size > maxMB * 1048576) return set(stat, { file, ...tooBigProblem(stat.size, maxMB) });
    // First sight of the file this session: the last session's parse, when it is unchanged.
    if (!force && !have && this.p.warmCache.enabled) {
      const hit = await client.request({ kind: 'cached', file, size: stat.size, mtimeMs: stat.mtime });
      if (hit.kind === 'parsed') {
        this.indexed.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
        return 'cached';
      }
    }
    this.goneCold();
    const read = await readCorpusFile(uri, maxMB);
    if ('problem' in read) return set(stat, { file, ...read.problem });
    const bytes = read.bytes;
    this.indexed.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
    await client.request({ kind: 'parse', file, bytes, mtimeMs: stat.mtime });
    return 'parsed';
  }

  /**
   * The corpus and its search index are built in the index session (the worker); the works come
   * across a chunk at a time with a yield between chunks, so that completion and hover keep
   * running meanwhile (on the previous corpus until the new one is complete).
   */
  private async rebuild(): Promise<ReceivedBuild> {
    const { client, current, timing, problems } = this.p;
    const r = await receiveBuild((req) => client.request(req), { pause: yieldToEventLoop, onProgress: (done, total) => this.setProgress({ phase: 'works', done, total }) });
    timing.noteStep(`taking in the longest of ${r.chunks} chunks of works`, r.longestChunkMs);
    current.replace(r);
    timing.timed(`publishing ${r.problems.length} problems`, () => problems.publish(current.corpus.problems));
    await yieldToEventLoop();
    timing.timed('the views and diagnostics updating to the new corpus', () => current.announce());
    this.p.warmCache.scheduleSave(() => this.busy());
    return r;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    for (const r of this.idleWaiters.splice(0)) r();
  }
}
