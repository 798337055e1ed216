/**
 * Keeps the corpus of the open workspace up to date: finds corpus files (setting globs, the
 * `bibliography:` of open Markdown documents, the bundled sample on request), parses each file
 * off the main thread, caches the result per file, rebuilds the corpus, search index and lookup,
 * and re-indexes on file changes (debounced). Parse problems become diagnostics on the corpus
 * file plus one log line each; nothing here ever shows a popup.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Worker } from 'worker_threads';
import type { Corpus } from '../core/corpus';
import { plainWork } from '../core/workStore';
import type { ExportFormat, IndexRequest, IndexResponse, IndexSession } from '../core/indexWorker';
import { WorkLookup } from '../core/lookup';
import { CACHE_FILE } from '../core/cacheFile';
import { type ReceivedBuild, receiveBuild } from '../core/receiveBuild';
import type { WorkEntry } from '../core/navigation';
import type { Problem, Work } from '../core/model';
import { readRegularFile } from '../core/readFile';
import type { RenderRequest, RenderResult } from '../core/citationJsImpl';
import type { StyleOptions } from '../core/styles';
import { SearchIndex } from '../core/search';
import { yieldToEventLoop } from '../core/slices';
import { type Settings, SETTINGS_SECTION, SETTING_KEYS, parseSettings } from '../core/settings';
import { bibliographyFromFrontMatter } from './frontMatter';
import { ContextKeys, DIAGNOSTIC_SOURCE } from './ids';
import { KeyedDebouncer } from './keyedDebouncer';
import { findWorkspaceFiles } from './workspaceFiles';

export type IndexState = 'indexing' | 'empty' | 'ready';

/** The corpus as the editor holds it: the works are read-only views (core/workStore.ts). */
export type EditorCorpus = Omit<Corpus, 'works'> & { works: readonly Work[] };

/** Folders never searched for corpus files. */
const EXCLUDED_SEGMENT = /[\\/](?:node_modules|\.git)[\\/]/;
/** Bursts of file events (an export rewriting many files, atomic rename) settle into one run. */
const DEBOUNCE_MS = 300;
const FRONT_MATTER_DEBOUNCE_MS = 500;
const SAMPLE_STATE_KEY = 'corpusCite.sampleCorpus';
/** Files the extension wrote (exports): outputs, never read back as corpus files. */
const OUTPUTS_STATE_KEY = 'corpusCite.exportTargets';

/** What the service remembers of an indexed file (the parsed records live in the worker). */
interface CacheEntry {
  uri: vscode.Uri;
  mtime: number;
  size: number;
  file: string;
}

/** Host-side steps longer than this are logged as slow. */
const SLOW_STEP_MS = 50;
/** Quiet time after indexing before the warm-start cache is written. */
const CACHE_SAVE_DELAY_MS = 3000;
/** New problems named one by one in the log per rebuild; the rest are counted. */
const MAX_LOGGED_PROBLEMS = 50;
/** Problems shown per corpus file in the Problems panel; the rest are counted in one more. */
const MAX_DIAGNOSTICS_PER_FILE = 500;
const problemKey = (p: Problem) => `${p.file}\u0000${p.line}\u0000${p.severity}\u0000${p.message}`;

/** Reads settings through zod; bad values fall back to defaults with a warning. */
export function readSettings(): { settings: Settings; warnings: string[] } {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) raw[key] = cfg.get(key);
  return parseSettings(raw);
}

/** The worker died: the parsed files it held are gone and must be sent again. */
class IndexerLostState extends Error {}

/**
 * Runs the index session (parsing and corpus building, src/core/indexWorker.ts) in a worker
 * thread, dist/indexWorker.js. If the worker cannot start or dies, the same session runs in the
 * extension host instead, yielding to the event loop before each file.
 */
class Indexer implements vscode.Disposable {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: IndexResponse) => void; reject: (e: Error) => void }>();
  private session: IndexSession | undefined;
  /** Files parsed so far in the worker and in the extension host. */
  readonly stats = { worker: 0, inProcess: 0 };

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
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
      const mod = req(this.workerPath) as typeof import('../core/indexWorker');
      this.session = new mod.IndexSession();
    }
    return this.session;
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    if (!fs.existsSync(this.workerPath)) throw new Error(`${this.workerPath} is missing`);
    const w = new Worker(this.workerPath);
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

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class CorpusService implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  /** Fires after each rebuild of the corpus. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidChangeState = new vscode.EventEmitter<IndexState>();
  readonly onDidChangeState = this._onDidChangeState.event;

  private _state: IndexState = 'indexing';
  private warmCache = false;
  private _cacheFile: string | undefined;
  private cacheSaveTimer: NodeJS.Timeout | undefined;
  private readonly slow: { what: string; ms: number }[] = [];
  private readonly latencies = new Map<string, number[]>();
  private _corpus: EditorCorpus = { works: [], problems: [], byId: new Map() };
  private _search = SearchIndex.build([]);
  private _lookup = new WorkLookup([]);
  private _settings: Settings;
  /** Bumped on every rebuild; views use it to drop caches. */
  private _version = 0;

  private readonly indexer: Indexer;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly disposables: vscode.Disposable[] = [];
  private globWatchers: vscode.Disposable[] = [];
  private readonly frontMatterWatchers = new Map<string, vscode.Disposable>();

  private readonly cache = new Map<string, CacheEntry>();
  private readonly uris = new Map<string, vscode.Uri>();
  /** File key (fsPath or URI string, as ParsedFile.file) → URI. */
  private readonly uriByFile = new Map<string, vscode.Uri>();
  private readonly globFiles = new Set<string>();
  private readonly frontMatterFiles = new Map<string, Set<string>>();
  private sampleFiles = new Set<string>();
  private readonly outputs: Set<string>;

  private readonly dirty = new Set<string>();
  private fullScan = false;
  private forceAll = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly frontMatterTimers = new KeyedDebouncer();
  private loggedProblems = new Set<string>();
  private walkProblemsKey = '[]';
  private walkProblemsChanged = false;
  private settingWarningsLogged = new Set<string>();
  private _settingWarningLines = 0;
  private entriesCache: { version: number; byFile: Map<string, Promise<readonly WorkEntry[]>> } | undefined;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const { settings, warnings } = readSettings();
    this._settings = settings;
    this.logSettingWarnings(warnings);
    this.outputs = new Set(context.workspaceState.get<string[]>(OUTPUTS_STATE_KEY, []));
    this.indexer = new Indexer(path.join(context.extensionUri.fsPath, 'dist', 'indexWorker.js'), log);
    this.diagnostics = vscode.languages.createDiagnosticCollection('corpusCite');
    this.disposables.push(this.indexer, this.diagnostics, this._onDidChange, this._onDidChangeState);
  }

  get state(): IndexState {
    return this._state;
  }
  get works(): readonly Work[] {
    return this._corpus.works;
  }
  get corpus(): EditorCorpus {
    return this._corpus;
  }
  get search(): SearchIndex {
    return this._search;
  }
  get lookup(): WorkLookup {
    return this._lookup;
  }
  get settings(): Settings {
    return this._settings;
  }
  get version(): number {
    return this._version;
  }
  /** How many files were parsed in the worker thread and in the extension host (fallback). */
  get parseStats(): { readonly worker: number; readonly inProcess: number } {
    return { ...this.indexer.stats };
  }
  /** The warnings about bad setting values now in force (each is logged once). */
  get settingWarnings(): readonly string[] {
    return [...this.settingWarningsLogged];
  }

  /** The lines of a corpus file that name works (records, related-paper and reference entries). */
  workEntries(uri: vscode.Uri): Promise<readonly WorkEntry[]> {
    // Asked of the worker, which holds the works whole: here finding them would parse every work.
    if (!this._corpus.works.length) return Promise.resolve([]);
    if (this.entriesCache?.version !== this._version) this.entriesCache = { version: this._version, byFile: new Map() };
    const file = fileName(uri);
    let entries = this.entriesCache.byFile.get(file);
    if (!entries) {
      entries = this.indexer.request({ kind: 'entries', file }).then(
        (r) => (r.kind === 'entries' ? r.entries : []),
        () => [],
      );
      this.entriesCache.byFile.set(file, entries);
    }
    return entries;
  }

  /** How many setting warnings were logged since activation. */
  get settingWarningLines(): number {
    return this._settingWarningLines;
  }

  /** Whether a file is indexed as part of the corpus now (the extension never writes those). */
  isCorpusFile(uri: vscode.Uri): boolean {
    return this.cache.has(uri.toString());
  }

  /**
   * Marks a file the extension is about to write (an export) as an output: it is never indexed,
   * even where a corpus glob matches it (`refs.bib`), so exporting never feeds the corpus.
   */
  async markAsOutput(uri: vscode.Uri): Promise<void> {
    const key = this.remember(uri);
    if (this.outputs.has(key)) return;
    this.outputs.add(key);
    await this.context.workspaceState.update(OUTPUTS_STATE_KEY, [...this.outputs].slice(-200));
  }

  /** Logs each setting warning once, however often the configuration changes while it stands. */
  private logSettingWarnings(warnings: readonly string[]): void {
    for (const w of warnings) {
      if (this.settingWarningsLogged.has(w)) continue;
      this.log.warn(`[settings] ${w}`);
      this._settingWarningLines++;
    }
    this.settingWarningsLogged = new Set(warnings);
  }

  /** Number of corpus files currently indexed. */
  get fileCount(): number {
    return this.cache.size;
  }

  /** The URI of a corpus file as named in `SourceRef.file` / `Problem.file`. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.uriByFile.get(file) ?? (path.isAbsolute(file) ? vscode.Uri.file(file) : undefined);
  }

  /**
   * Which copy of a record to lead to when the same record is in several files: the workspace's
   * own corpus files first, then bibliographies named in front matter, then the bundled sample.
   */
  fileRank(file: string): number {
    const uri = this.uriOf(file);
    if (!uri) return 4;
    const key = uri.toString();
    if (this.globFiles.has(key)) return 0;
    for (const set of this.frontMatterFiles.values()) if (set.has(key)) return 1;
    if (this.sampleFiles.has(key)) return 2;
    return 3;
  }

  /**
   * Runs a step of the extension host's own work, and notes it (in the log and in `slowSteps`)
   * when it held the event loop for longer than 50 ms: nothing else, typing included, runs
   * meanwhile.
   */
  timed<T>(what: string, fn: () => T, done?: (ms: number) => void): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - t0;
      this.noteStep(what, ms);
      done?.(ms);
    }
  }

  /**
   * Runs a provider request (completion, hover) and keeps its duration: the host benchmark
   * reads them beside the end-to-end figures, which also count the workbench's round trip.
   */
  timedRequest<T>(kind: string, fn: () => T): T {
    return this.timed(`a ${kind} request`, fn, (ms) => {
      let list = this.latencies.get(kind);
      if (!list) this.latencies.set(kind, (list = []));
      list.push(ms);
      if (list.length > 2000) list.splice(0, list.length - 2000);
    });
  }

  /** p50 / p99 / max of the last requests of each kind, ms (see `timedRequest`). */
  requestLatency(): Record<string, { p50: number; p99: number; max: number; n: number }> {
    const out: Record<string, { p50: number; p99: number; max: number; n: number }> = {};
    for (const [kind, list] of this.latencies) {
      const s = [...list].sort((a, b) => a - b);
      const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
      out[kind] = { p50: at(50), p99: at(99), max: s[s.length - 1], n: s.length };
    }
    return out;
  }

  /** Logs an error of a view or provider, with its stack. */
  logError(what: string, e: unknown): void {
    this.log.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  /** Notes a step measured elsewhere (see `timed`). */
  noteStep(what: string, ms: number): void {
    if (ms <= SLOW_STEP_MS) return;
    this.slow.push({ what, ms });
    if (this.slow.length > 100) this.slow.shift();
    this.log.info(`[perf] ${what} held the extension host for ${Math.round(ms)} ms`);
  }

  /** The warm-start cache file, when there is one (see openWarmCache). */
  get cacheFile(): string | undefined {
    return this._cacheFile;
  }

  /** Steps over 50 ms since the last call (for the host benchmark and tests). */
  takeSlowSteps(): { what: string; ms: number }[] {
    return this.slow.splice(0);
  }

  /** A corpus file's path for display: relative to its workspace folder when inside one. */
  displayPath(file: string): string {
    const uri = this.uriOf(file);
    return uri ? vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1) : file;
  }

  /** Starts watching and indexing. */
  start(): void {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
        const before = this._settings;
        const { settings, warnings } = readSettings();
        this._settings = settings;
        this.logSettingWarnings(warnings);
        if (JSON.stringify(before.corpus) !== JSON.stringify(settings.corpus) || before.maxFileSizeMB !== settings.maxFileSizeMB) {
          this.log.info('[index] corpus settings changed; re-indexing');
          this.watchGlobs();
          this.requestFullScan(before.maxFileSizeMB !== settings.maxFileSizeMB);
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchGlobs();
        this.requestFullScan(false);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.scheduleFrontMatter(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Only the first lines can hold front matter; edits further down never change it.
        if (e.contentChanges.some((c) => c.range.start.line < 200)) this.scheduleFrontMatter(e.document, FRONT_MATTER_DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forgetFrontMatter(d.uri.toString())),
    );
    this.watchFolders();
    const sample = this.context.workspaceState.get<boolean>(SAMPLE_STATE_KEY, false);
    this.watchGlobs();
    for (const d of vscode.workspace.textDocuments) this.updateFrontMatter(d, false);
    if (sample) void this.openSampleCorpus();
    // Spawning the worker holds the thread ~6 ms: just after activation, not inside it. It still
    // starts while the globs are searched, and the cache is open before any file is asked for
    // (a file asked for earlier would only be parsed instead of taken from the cache).
    setImmediate(() => {
      if (this.disposed) return;
      this.indexer.warm();
      this.openWarmCache();
    });
    this.requestFullScan(false);
  }

  /**
   * CSL-JSON, BibTeX, RIS or a formatted bibliography (`output`: text, the default, or Markdown)
   * of works, made in the worker: citation-js never loads in the extension host.
   */
  async exportText(works: readonly Work[], format: ExportFormat, style?: Settings['bibliographyStyle'], output?: 'text' | 'markdown'): Promise<string> {
    const styleOptions = this.styleOptions();
    let res: IndexResponse;
    try {
      res = await this.indexer.request({ kind: 'export', works: works.map(plainWork), format, style, styleOptions, output });
    } catch (e) {
      if (!(e instanceof IndexerLostState)) throw e;
      // The worker died and took the parsed files with it: re-index, and export in-process.
      this.requestFullScan(true);
      res = await this.indexer.request({ kind: 'export', works: works.map(plainWork), format, style, styleOptions, output });
    }
    if (res.kind === 'text') return res.text;
    throw new Error(res.kind === 'error' ? res.message.split('\n')[0] : `unexpected answer ${res.kind}`);
  }

  /** Where the user's CSL styles are: `corpusCite.styleFolders`, relative ones against the first workspace folder. */
  styleOptions(baseDir?: string): StyleOptions {
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const folders = this.settings.styleFolders.map((f) => (root && !path.isAbsolute(f) ? path.join(root, f) : f));
    return { folders, baseDir: baseDir ?? root };
  }

  /** A manuscript's citations formatted by citeproc in the worker (the Markdown preview). */
  async renderCitations(render: RenderRequest): Promise<RenderResult> {
    const res = await this.indexer.request({ kind: 'render', render });
    if (res.kind === 'rendered') return res.result;
    throw new Error(res.kind === 'error' ? res.message.split('\n')[0] : `unexpected answer ${res.kind}`);
  }

  /**
   * The warm-start cache lives in the workspace's storage (one file, `index-cache.v1`), written by
   * the worker a few seconds after indexing settles; salted with the extension's version so that
   * an update indexes afresh. No workspace storage (no folder open, or a virtual one): no cache.
   */
  private openWarmCache(): void {
    const dir = this.context.storageUri;
    if (!dir || dir.scheme !== 'file' || !this._settings.indexCache) return;
    const salt = String((this.context.extension.packageJSON as { version?: unknown }).version ?? '');
    this.warmCache = true;
    this._cacheFile = path.join(dir.fsPath, CACHE_FILE);
    this.indexer.request({ kind: 'cache-open', dir: dir.fsPath, salt }).then(
      (r) => {
        if (r.kind === 'cache-opened' && r.note) this.log.warn(`[index] ${r.note}`);
        else this.log.info(`[index] warm-start cache ${r.kind === 'cache-opened' && r.valid ? 'found' : 'not found (or from another version)'} in ${dir.fsPath}`);
      },
      (e: unknown) => {
        this.warmCache = false;
        this.log.warn(`[index] warm-start cache not used: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /** After indexing settles, the worker writes the cache for the next session (off this thread). */
  private scheduleCacheSave(): void {
    if (!this.warmCache) return;
    if (this.cacheSaveTimer) clearTimeout(this.cacheSaveTimer);
    this.cacheSaveTimer = setTimeout(() => {
      this.cacheSaveTimer = undefined;
      if (this.busy() || this.disposed) return this.scheduleCacheSave();
      const t0 = Date.now();
      this.indexer.request({ kind: 'cache-save' }).then(
        (r) => {
          if (r.kind === 'error') this.log.warn(`[index] could not write the warm-start cache: ${r.message.split('\n')[0]}`);
          else this.log.debug(`[index] warm-start cache written in ${Date.now() - t0} ms`);
        },
        (e: unknown) => this.log.warn(`[index] could not write the warm-start cache: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, CACHE_SAVE_DELAY_MS);
  }

  /** Resolves once no indexing is running or pending. */
  whenIndexed(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Re-reads every corpus file (command "Re-index"). */
  reindex(): void {
    this.requestFullScan(true);
  }

  /** Adds the sample records bundled with the extension (fixtures/seeds) to the corpus. */
  async openSampleCorpus(): Promise<void> {
    const dir = vscode.Uri.joinPath(this.context.extensionUri, 'fixtures', 'seeds');
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(dir);
    } catch (e) {
      this.log.error(`[index] the sample corpus ${dir.fsPath} cannot be read (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    const files = entries.filter(([, t]) => t === vscode.FileType.File).map(([name]) => vscode.Uri.joinPath(dir, name));
    this.sampleFiles = new Set(files.map((u) => this.remember(u)));
    for (const k of this.sampleFiles) this.dirty.add(k);
    await this.context.workspaceState.update(SAMPLE_STATE_KEY, true);
    void vscode.commands.executeCommand('setContext', ContextKeys.sampleOpen, true);
    this.log.info(`[index] sample corpus: ${files.length} files from ${dir.fsPath}`);
    this.schedule(0);
  }

  /** Takes the bundled sample records out of the corpus again (files the workspace also lists stay). */
  async closeSampleCorpus(): Promise<void> {
    const files = [...this.sampleFiles];
    this.sampleFiles = new Set();
    for (const k of files) this.dirty.add(k);
    await this.context.workspaceState.update(SAMPLE_STATE_KEY, false);
    void vscode.commands.executeCommand('setContext', ContextKeys.sampleOpen, false);
    this.log.info(`[index] sample corpus closed: ${files.length} files`);
    this.schedule(0);
  }

  private busy(): boolean {
    return this.running || this.timer !== undefined || this.fullScan || this.dirty.size > 0;
  }

  private remember(uri: vscode.Uri): string {
    const key = uri.toString();
    this.uris.set(key, uri);
    this.uriByFile.set(fileName(uri), uri);
    return key;
  }

  private inCorpus(key: string): boolean {
    if (this.outputs.has(key)) return false;
    if (this.globFiles.has(key) || this.sampleFiles.has(key)) return true;
    for (const set of this.frontMatterFiles.values()) if (set.has(key)) return true;
    return false;
  }

  private requestFullScan(force: boolean): void {
    this.fullScan = true;
    if (force) this.forceAll = true;
    this.schedule(0);
  }

  private markDirty(uri: vscode.Uri): void {
    if (EXCLUDED_SEGMENT.test(uri.path)) return;
    this.dirty.add(this.remember(uri));
    this.schedule(DEBOUNCE_MS);
  }

  private schedule(delay: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delay);
  }

  private setState(s: IndexState): void {
    if (s === this._state) return;
    this._state = s;
    this._onDidChangeState.fire(s);
  }

  private watchGlobs(): void {
    for (const d of this.globWatchers) d.dispose();
    this.globWatchers = [];
    for (const glob of this._settings.corpus) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      const onUpsert = (uri: vscode.Uri) => {
        if (EXCLUDED_SEGMENT.test(uri.path)) return;
        this.globFiles.add(this.remember(uri));
        this.markDirty(uri);
      };
      this.globWatchers.push(
        w,
        w.onDidCreate(onUpsert),
        w.onDidChange(onUpsert),
        // Membership is settled when the run stats the file: a file deleted and re-created by
        // an atomic rename still exists then and stays in the corpus.
        w.onDidDelete((uri) => this.markDirty(uri)),
      );
    }
  }

  /**
   * VS Code reports a folder deleted or moved away once, for the folder: the glob watchers never
   * hear of the corpus files in it, and a folder moved in arrives as one creation. So every
   * deletion in the workspace marks the known files under it, and a created folder triggers a
   * search for corpus files. A folder moved away and straight back can arrive as one *change*
   * of the folder (the watcher folds a deletion and a creation of the same path in one batch
   * into a change), so a change of a folder is taken as a creation too.
   */
  private watchFolders(): void {
    const w = vscode.workspace.createFileSystemWatcher('**/*', false, false, false);
    const created = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const checkCreated = async () => {
      timer = undefined;
      const uris = [...created].map((k) => vscode.Uri.parse(k));
      created.clear();
      for (const uri of uris) {
        try {
          if ((await statFile(uri)).type & vscode.FileType.Directory) return this.requestFullScan(false);
        } catch {
          // gone again
        }
      }
    };
    const createdOrChanged = (uri: vscode.Uri) => {
      if (EXCLUDED_SEGMENT.test(uri.path) || this.uris.has(uri.toString())) return;
      // Corpus files have an extension; a folder usually has none (a cheap filter before a stat).
      if (/\.[^/.]+$/.test(uri.path) && !this.frontMatterUnder(uri)) return;
      created.add(uri.toString());
      timer ??= setTimeout(() => void checkCreated(), DEBOUNCE_MS);
    };
    this.disposables.push(
      w,
      w.onDidDelete((uri) => {
        if (EXCLUDED_SEGMENT.test(uri.path)) return;
        const prefix = uri.toString().replace(/\/?$/, '/');
        for (const [key, u] of this.uris) if (key.startsWith(prefix) && (this.cache.has(key) || this.inCorpus(key))) this.markDirty(u);
      }),
      w.onDidCreate(createdOrChanged),
      w.onDidChange(createdOrChanged),
      { dispose: () => timer && clearTimeout(timer) },
    );
  }

  /** Whether a bibliography named in front matter lies under `uri` (a folder coming back). */
  private frontMatterUnder(uri: vscode.Uri): boolean {
    const prefix = uri.toString().replace(/\/?$/, '/');
    for (const set of this.frontMatterFiles.values()) for (const k of set) if (k.startsWith(prefix)) return true;
    return false;
  }

  private scheduleFrontMatter(doc: vscode.TextDocument, delay: number): void {
    if (doc.languageId !== 'markdown') return;
    this.frontMatterTimers.schedule(doc.uri.toString(), delay, () => this.updateFrontMatter(doc, true));
  }

  /** Re-reads a document's `bibliography:`; new files are indexed, dropped ones removed. */
  private updateFrontMatter(doc: vscode.TextDocument, run: boolean): void {
    if (doc.languageId !== 'markdown' || doc.isClosed) return;
    const docKey = doc.uri.toString();
    const names = bibliographyFromFrontMatter(doc.getText(new vscode.Range(0, 0, 200, 0)));
    const base = vscode.Uri.joinPath(doc.uri, '..');
    const next = new Set<string>();
    for (const name of names) {
      const uri = path.isAbsolute(name) ? doc.uri.with({ path: vscode.Uri.file(name).path }) : vscode.Uri.joinPath(base, name);
      next.add(this.remember(uri));
    }
    const prev = this.frontMatterFiles.get(docKey) ?? new Set<string>();
    if (next.size === prev.size && [...next].every((k) => prev.has(k))) return;
    if (next.size) this.frontMatterFiles.set(docKey, next);
    else this.frontMatterFiles.delete(docKey);
    for (const k of next) {
      if (!prev.has(k)) {
        this.dirty.add(k);
        this.log.info(`[index] ${vscode.workspace.asRelativePath(doc.uri)} names bibliography ${vscode.workspace.asRelativePath(this.uris.get(k)!)}`);
      }
    }
    for (const k of prev) if (!next.has(k)) this.dirty.add(k);
    this.syncFrontMatterWatchers();
    if (run) this.schedule(0);
  }

  private forgetFrontMatter(docKey: string): void {
    const prev = this.frontMatterFiles.get(docKey);
    if (!prev) return;
    this.frontMatterFiles.delete(docKey);
    for (const k of prev) this.dirty.add(k);
    this.syncFrontMatterWatchers();
    this.schedule(DEBOUNCE_MS);
  }

  private syncFrontMatterWatchers(): void {
    const wanted = new Set<string>();
    for (const set of this.frontMatterFiles.values()) for (const k of set) wanted.add(k);
    for (const [k, d] of this.frontMatterWatchers) {
      if (!wanted.has(k)) {
        d.dispose();
        this.frontMatterWatchers.delete(k);
      }
    }
    for (const k of wanted) {
      if (this.frontMatterWatchers.has(k)) continue;
      const uri = this.uris.get(k)!;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), path.posix.basename(uri.path)));
      const dirty = () => this.markDirty(uri);
      this.frontMatterWatchers.set(k, vscode.Disposable.from(w, w.onDidCreate(dirty), w.onDidChange(dirty), w.onDidDelete(dirty)));
    }
  }

  /** The files the corpus globs name in the workspace folders. */
  private async findGlobFiles(): Promise<Set<string>> {
    const found = new Set<string>();
    const walkProblems: Problem[] = [];
    const files = await findWorkspaceFiles(this._settings.corpus, {
      onError: (what, e) => this.log.warn(`[index] ${what} failed: ${e instanceof Error ? e.message : String(e)}`),
      onProblem: (p) => walkProblems.push(p),
    });
    // What the walk passed over is listed with the corpus problems (built in the index session).
    const walkKey = JSON.stringify(walkProblems);
    if (walkKey !== this.walkProblemsKey) {
      this.walkProblemsKey = walkKey;
      this.walkProblemsChanged = true;
      await this.indexer.request({ kind: 'walk-problems', problems: walkProblems });
    }
    for (const u of files) if (!EXCLUDED_SEGMENT.test(u.path)) found.add(this.remember(u));
    return found;
  }

  /** One indexing pass; loops while more work arrived meanwhile. Never runs twice at once. */
  private async run(): Promise<void> {
    if (this.running || this.disposed) return;
    this.running = true;
    this.setState('indexing');
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
          const found = await this.findGlobFiles();
          findMs = Date.now() - tFind;
          this.globFiles.clear();
          for (const k of found) this.globFiles.add(k);
          if (forceAll) for (const k of this.cache.keys()) force.add(k);
          const all = new Set<string>([...this.globFiles, ...this.sampleFiles, ...force]);
          for (const set of this.frontMatterFiles.values()) for (const k of set) all.add(k);
          for (const k of this.cache.keys()) all.add(k);
          toCheck = [...all];
        } else toCheck = [...force];

        try {
          let parsedCount = 0;
          let cachedCount = 0;
          let changed = this._version === 0 || this.walkProblemsChanged;
          this.walkProblemsChanged = false;
          const tRead = Date.now();
          for (const key of toCheck.sort()) {
            if (this.disposed) return;
            const tFile = Date.now();
            const r = await this.refreshFile(key, force.has(key));
            if (r !== 'unchanged') changed = true;
            if (r === 'cached') cachedCount++;
            if (r === 'parsed') {
              parsedCount++;
              this.log.debug(`[index] parsed ${this.uris.get(key)?.path} in ${Date.now() - tFile} ms`);
            }
          }
          if (!changed) continue;
          const tParse = Date.now();
          const built = await this.rebuild();
          this.log.info(
            `[index] ${this.cache.size} files, ${this._corpus.works.length} works, ${this._corpus.problems.length} problems; ` +
              `${findMs ? `searched the globs in ${findMs} ms, ` : ''}parsed ${parsedCount} file(s) ${this.indexer.mode === 'worker' ? 'in a worker' : 'in-process'} in ${tParse - tRead} ms` +
              `${cachedCount ? ` (${cachedCount} more unchanged since the last session, from the cache)` : ''}, ` +
              `${built.corpusFromCache ? 'took the corpus from the cache' : 'built the corpus'} in ${built.corpusMs} ms and its search index in ${built.searchMs} ms, ` +
              `received it in ${built.chunks} chunks in ${Math.round(built.fetchMs)} ms (longest round trip ${Math.round(built.longestRoundTripMs)} ms, longest step here ${Math.round(built.longestChunkMs)} ms) (${Date.now() - t0} ms in all)`,
          );
        } catch (e) {
          if (!(e instanceof IndexerLostState)) throw e;
          // Everything the worker held is gone: read every file again, in-process now.
          this.walkProblemsKey = '';
          this.fullScan = true;
          this.forceAll = true;
        }
      }
    } catch (e) {
      this.log.error(`[index] indexing failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      this.running = false;
      if (!this.disposed) {
        if (this.dirty.size || this.fullScan) this.schedule(0);
        this.setState(this.cache.size === 0 ? 'empty' : 'ready');
        if (!this.busy()) for (const r of this.idleWaiters.splice(0)) r();
      }
    }
  }

  /** Brings one file up to date in the index session. */
  private async refreshFile(key: string, force: boolean): Promise<'parsed' | 'cached' | 'set' | 'dropped' | 'unchanged'> {
    const uri = this.uris.get(key);
    if (!uri) return 'unchanged';
    const have = this.cache.get(key);
    const file = fileName(uri);
    const drop = async (): Promise<'dropped' | 'unchanged'> => {
      if (!have) return 'unchanged';
      this.cache.delete(key);
      await this.indexer.request({ kind: 'drop', file });
      return 'dropped';
    };
    const set = async (stat: { mtime: number; size: number }, problem: Problem): Promise<'set'> => {
      this.cache.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
      await this.indexer.request({ kind: 'set', parsed: { file, records: [], problems: [problem] } });
      return 'set';
    };
    if (!this.inCorpus(key)) return drop();
    let stat: { type: vscode.FileType; mtime: number; size: number };
    try {
      stat = await statFile(uri);
    } catch {
      // Gone (deleted, or renamed away): a glob file leaves the corpus; a named bibliography
      // stays listed so that it comes back when the file does.
      this.globFiles.delete(key);
      this.sampleFiles.delete(key);
      if (!this.inCorpus(key)) return drop();
      if (have && have.mtime === -1) return 'unchanged';
      return set({ mtime: -1, size: -1 }, { file, line: 1, severity: 'error', message: vscode.l10n.t('The bibliography named in the front matter does not exist.') });
    }
    if (stat.type & vscode.FileType.Directory) return drop();
    if (!force && have && have.mtime === stat.mtime && have.size === stat.size) return 'unchanged';
    const max = this._settings.maxFileSizeMB * 1048576;
    if (stat.size > max) {
      return set(stat, { file, line: 1, severity: 'warning', message: vscode.l10n.t('File is {0} MB, over the {1} MB limit (setting corpusCite.maxFileSizeMB); skipped it.', (stat.size / 1048576).toFixed(1), this._settings.maxFileSizeMB) });
    }
    // First sight of the file this session: the last session's parse, when it is unchanged.
    if (!force && !have && this.warmCache) {
      const hit = await this.indexer.request({ kind: 'cached', file, size: stat.size, mtimeMs: stat.mtime });
      if (hit.kind === 'parsed') {
        this.cache.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
        return 'cached';
      }
    }
    let bytes: Uint8Array;
    try {
      // Files on disk: regular files only (a FIFO or device is never opened), at most the cap whatever stat said.
      const read = uri.scheme === 'file' ? await readRegularFile(uri.fsPath, max) : { bytes: await readBytes(uri) };
      if ('problem' in read) return set(stat, { file, ...read.problem });
      bytes = read.bytes;
      // workspace.fs has no bounded read: a provider whose stat under-reports the size is held
      // to the cap once the bytes are here (they are dropped, not parsed).
      if (bytes.byteLength > max) {
        return set(stat, { file, line: 1, severity: 'warning', message: vscode.l10n.t('File is {0} MB, over the {1} MB limit (setting corpusCite.maxFileSizeMB); skipped it.', (bytes.byteLength / 1048576).toFixed(1), this._settings.maxFileSizeMB) });
      }
    } catch (e) {
      return set(stat, { file, line: 1, severity: 'error', message: vscode.l10n.t('Could not read the file ({0}).', e instanceof Error ? e.message : String(e)) });
    }
    this.cache.set(key, { uri, mtime: stat.mtime, size: stat.size, file });
    await this.indexer.request({ kind: 'parse', file, bytes, mtimeMs: stat.mtime });
    return 'parsed';
  }

  /**
   * The corpus and its search index are built in the index session (the worker); the works come
   * across a chunk at a time with a yield between chunks, so that completion and hover keep
   * running meanwhile (on the previous corpus until the new one is complete).
   */
  private async rebuild(): Promise<ReceivedBuild> {
    const r = await receiveBuild((req) => this.indexer.request(req), { pause: yieldToEventLoop });
    this.noteStep(`taking in the longest of ${r.chunks} chunks of works`, r.longestChunkMs);
    this._corpus = { works: r.works, problems: r.problems, byId: r.byId };
    this._search = r.search;
    this._lookup = r.lookup;
    this._version++;
    this.timed(`publishing ${r.problems.length} problems`, () => this.publishProblems(this._corpus.problems));
    await yieldToEventLoop();
    this.timed('the views and diagnostics updating to the new corpus', () => this._onDidChange.fire());
    this.scheduleCacheSave();
    return r;
  }

  private publishProblems(problems: readonly Problem[]): void {
    // Unchanged since the last rebuild (the usual case): nothing to log or to send.
    if (problems.length === this.loggedProblems.size && problems.every((p) => this.loggedProblems.has(problemKey(p)))) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const logged = new Set<string>();
    const shown = new Map<string, string>();
    let unlogged = 0;
    for (const p of problems) {
      const uri = this.uriOf(p.file);
      const key = problemKey(p);
      logged.add(key);
      // The log names each new problem, up to a point: a library with thousands of broken
      // entries must not hold the editor while it writes them all (they are all in Problems).
      if (!this.loggedProblems.has(key) && ++unlogged <= MAX_LOGGED_PROBLEMS) {
        let display = shown.get(p.file);
        if (display === undefined) shown.set(p.file, (display = this.displayPath(p.file)));
        const where = `${display}:${p.line}`;
        const line = `[problem] ${where} ${p.message}`;
        if (p.severity === 'error') this.log.error(line);
        else if (p.severity === 'warning') this.log.warn(line);
        else this.log.info(line);
      }
      if (!uri) continue;
      const k = uri.toString();
      let list = byFile.get(k);
      if (!list) byFile.set(k, (list = []));
      // A file with thousands of problems shows the first MAX_DIAGNOSTICS_PER_FILE and a count
      // (VS Code itself drops everything past 1,000 per file, after the cost of sending it).
      if (list.length === MAX_DIAGNOSTICS_PER_FILE) {
        const rest = problems.filter((q) => q.file === p.file).length - MAX_DIAGNOSTICS_PER_FILE;
        const more = new vscode.Diagnostic(new vscode.Range(0, 0, 0, Number.MAX_SAFE_INTEGER), vscode.l10n.t('{0} more problems in this file are not listed.', rest), vscode.DiagnosticSeverity.Information);
        more.source = DIAGNOSTIC_SOURCE;
        list.push(more);
      }
      if (list.length > MAX_DIAGNOSTICS_PER_FILE) continue;
      const line = Math.max(0, p.line - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), p.message, SEVERITY[p.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      list.push(d);
    }
    if (unlogged > MAX_LOGGED_PROBLEMS) this.log.warn(`[problem] … and ${unlogged - MAX_LOGGED_PROBLEMS} more new problems: see the Problems panel`);
    this.loggedProblems = logged;
    this.diagnostics.clear();
    for (const [k, list] of byFile) this.diagnostics.set(this.uris.get(k) ?? vscode.Uri.parse(k), list);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.cacheSaveTimer) clearTimeout(this.cacheSaveTimer);
    this.frontMatterTimers.dispose();
    for (const d of this.globWatchers) d.dispose();
    for (const d of this.frontMatterWatchers.values()) d.dispose();
    for (const d of this.disposables) d.dispose();
    for (const r of this.idleWaiters.splice(0)) r();
  }
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The name a file goes by in the core (`ParsedFile.file`, `SourceRef.file`). */
export function fileName(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/**
 * Local files are read with Node's fs (no round trip through the workbench); other schemes
 * (virtual workspaces) through `workspace.fs`.
 */
async function statFile(uri: vscode.Uri): Promise<{ type: vscode.FileType; mtime: number; size: number }> {
  if (uri.scheme !== 'file') return vscode.workspace.fs.stat(uri);
  const st = await fs.promises.stat(uri.fsPath);
  return { type: st.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File, mtime: st.mtimeMs, size: st.size };
}

async function readBytes(uri: vscode.Uri): Promise<Uint8Array> {
  return uri.scheme === 'file' ? fs.promises.readFile(uri.fsPath) : vscode.workspace.fs.readFile(uri);
}
