/**
 * The corpus service as providers and commands see it: one object with the names they have
 * always called, over the parts that do the work, each the one owner of its state:
 * - corpusSettings.ts — the settings now in force (zod), warnings logged once;
 * - corpusFiles.ts — finds and watches the corpus files (globs, front matter, sample, outputs);
 * - indexClient.ts + warmCache.ts — the index worker (restart in-process after a crash), and when
 *   the warm-start cache is opened and written;
 * - corpusIndexing.ts — the indexing passes: which files changed, stat/read/parse, rebuild;
 * - currentCorpus.ts — the works, search, lookup, version and `onDidChange`;
 * - corpusProblems.ts — the Problems panel and the log, capped;
 * - hostTiming.ts — slow steps and request durations.
 * The parts are made and wired in extension.ts (the composition root); this facade only forwards,
 * so that providers keep one dependency and their names stay stable. New code may take the part
 * it needs instead.
 */
import type * as vscode from 'vscode';
import type { CitationMap } from '../core/format/citationGraph';
import type { ExportFormat, IndexResponse } from '../core/index/indexWorker';
import type { WorkLookup } from '../core/search/lookup';
import type { Work } from '../core/model/model';
import type { WorkEntry } from '../core/manuscript/navigation';
import type { RenderRequest, RenderResult } from '../core/format/citationJsImpl';
import type { SearchIndex } from '../core/search/search';
import type { Settings } from '../core/model/settings';
import type { StyleOptions } from '../core/format/styles';
import { plainWork } from '../core/model/workStore';
import type { CorpusFiles } from './corpusFiles';
import type { CorpusIndexing, IndexProgress, IndexState } from './corpusIndexing';
import type { CorpusSettings } from './corpusSettings';
import type { CurrentCorpus, EditorCorpus } from './currentCorpus';
import type { HostTiming, LatencyFigures } from './hostTiming';
import { type IndexClient, IndexerLostState } from './indexClient';
import type { WarmCache } from './warmCache';

export type { IndexProgress, IndexState } from './corpusIndexing';
export type { EditorCorpus } from './currentCorpus';
export { readSettings } from './corpusSettings';
export { fileName } from './fileAccess';

export interface CorpusParts {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  settings: CorpusSettings;
  files: CorpusFiles;
  client: IndexClient;
  warmCache: WarmCache;
  indexing: CorpusIndexing;
  current: CurrentCorpus;
  timing: HostTiming;
}

export class CorpusService {
  /** Fires after each rebuild of the corpus. */
  readonly onDidChange: vscode.Event<void>;
  readonly onDidChangeState: vscode.Event<IndexState>;
  /** Fires as an indexing run goes on (files looked at, then works taken in). */
  readonly onDidProgress: vscode.Event<IndexProgress>;
  private disposed = false;

  constructor(private readonly parts: CorpusParts) {
    this.onDidChange = parts.current.onDidChange;
    this.onDidChangeState = parts.indexing.onDidChangeState;
    this.onDidProgress = parts.indexing.onDidProgress;
  }

  get state(): IndexState {
    return this.parts.indexing.state;
  }
  /** Where the running indexing pass is; undefined when none runs. */
  get progress(): IndexProgress | undefined {
    return this.parts.indexing.progress;
  }
  get works(): readonly Work[] {
    return this.parts.current.works;
  }
  /** No works yet, and they are expected from the warm-start cache shortly (see `whenCachedWorks`). */
  get expectingCachedWorks(): boolean {
    return this.parts.indexing.expectingCachedWorks;
  }
  /** Resolves when the works expected from the warm-start cache are in, or will not come from it, or after `maxMs`. */
  whenCachedWorks(maxMs: number, token?: vscode.CancellationToken): Promise<void> {
    return this.parts.indexing.whenCachedWorks(maxMs, token);
  }
  get corpus(): EditorCorpus {
    return this.parts.current.corpus;
  }
  get search(): SearchIndex {
    return this.parts.current.search;
  }
  get lookup(): WorkLookup {
    return this.parts.current.lookup;
  }
  get settings(): Settings {
    return this.parts.settings.current;
  }
  /** Bumped on every rebuild; views use it to drop caches. */
  get version(): number {
    return this.parts.current.version;
  }
  /** How many files were parsed in the worker thread and in the extension host (fallback). */
  get parseStats(): { readonly worker: number; readonly inProcess: number } {
    return { ...this.parts.client.stats };
  }
  /** The warnings about bad setting values now in force (each is logged once). */
  get settingWarnings(): readonly string[] {
    return this.parts.settings.warnings;
  }
  /** How many setting warnings were logged since activation. */
  get settingWarningLines(): number {
    return this.parts.settings.warningLines;
  }
  /** Number of corpus files currently indexed. */
  get fileCount(): number {
    return this.parts.indexing.fileCount;
  }
  /** The warm-start cache file, when there is one. */
  get cacheFile(): string | undefined {
    return this.parts.warmCache.file;
  }

  /** The lines of a corpus file that name works (records, related-paper and reference entries). */
  workEntries(uri: vscode.Uri): Promise<readonly WorkEntry[]> {
    return this.parts.current.workEntries(uri);
  }
  /** Whether a file is indexed as part of the corpus now (the extension never writes those). */
  isCorpusFile(uri: vscode.Uri): boolean {
    return this.parts.indexing.isIndexed(uri);
  }
  /** Marks a file the extension is about to write (an export) as an output: never indexed. */
  markAsOutput(uri: vscode.Uri): Promise<void> {
    return this.parts.files.markAsOutput(uri);
  }
  /** The URI of a corpus file as named in `SourceRef.file` / `Problem.file`. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.parts.files.uriOf(file);
  }
  /** Which copy of a record to lead to: workspace corpus files 0, front matter 1, sample 2. */
  fileRank(file: string): number {
    return this.parts.files.fileRank(file);
  }
  /** A corpus file's path for display: relative to its workspace folder when inside one. */
  displayPath(file: string): string {
    return this.parts.files.displayPath(file);
  }

  /** Runs a step of the extension host's own work, noting it when it held the event loop over 50 ms. */
  timed<T>(what: string, fn: () => T, done?: (ms: number) => void): T {
    return this.parts.timing.timed(what, fn, done);
  }
  /** Runs a provider request (completion, hover) and keeps its duration. */
  timedRequest<T>(kind: string, fn: () => T): T {
    return this.parts.timing.timedRequest(kind, fn);
  }
  /** p50 / p99 / max of the last requests of each kind, ms (see `timedRequest`). */
  requestLatency(): Record<string, LatencyFigures> {
    return this.parts.timing.requestLatency();
  }
  /** Notes a step measured elsewhere (see `timed`). */
  noteStep(what: string, ms: number): void {
    this.parts.timing.noteStep(what, ms);
  }
  /** Steps over 50 ms since the last call (for the host benchmark and tests). */
  takeSlowSteps(): { what: string; ms: number }[] {
    return this.parts.timing.takeSlowSteps();
  }
  /** Logs an error of a view or provider, with its stack. */
  logError(what: string, e: unknown): void {
    this.parts.log.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  /** Starts following settings, watching files and indexing. */
  start(): void {
    const { settings, files, client, warmCache, indexing, context } = this.parts;
    settings.start();
    files.start();
    // Spawning the worker holds the thread ~6 ms: just after activation, not inside it. It still
    // starts while the globs are searched, and the cache is open before any file is asked for
    // (a file asked for earlier would only be parsed instead of taken from the cache).
    setImmediate(() => {
      if (this.disposed) return;
      client.warm();
      warmCache.open(context, settings.current.indexCache);
    });
    indexing.requestFullScan(false);
  }

  /** Resolves once no indexing is running or pending. */
  whenIndexed(): Promise<void> {
    return this.parts.indexing.whenIndexed();
  }
  /** Re-reads every corpus file (command "Re-index"). */
  reindex(): void {
    this.parts.indexing.requestFullScan(true);
  }
  /** Adds the sample records bundled with the extension (fixtures/seeds) to the corpus. */
  openSampleCorpus(): Promise<void> {
    return this.parts.files.openSampleCorpus();
  }
  /** Takes the bundled sample records out of the corpus again (files the workspace also lists stay). */
  closeSampleCorpus(): Promise<void> {
    return this.parts.files.closeSampleCorpus();
  }

  /**
   * CSL-JSON, BibTeX, RIS or a formatted bibliography (`output`: text, the default, or Markdown)
   * of works, made in the worker: citation-js never loads in the extension host.
   */
  async exportText(works: readonly Work[], format: ExportFormat, style?: Settings['bibliographyStyle'], output?: 'text' | 'markdown'): Promise<string> {
    const styleOptions = this.styleOptions();
    const req = () => this.parts.client.request({ kind: 'export', works: works.map(plainWork), format, style, styleOptions, output });
    let res: IndexResponse;
    try {
      res = await req();
    } catch (e) {
      if (!(e instanceof IndexerLostState)) throw e;
      // The worker died and took the parsed files with it: re-index, and export in-process.
      this.parts.indexing.requestFullScan(true);
      res = await req();
    }
    if (res.kind === 'text') return res.text;
    throw new Error(res.kind === 'error' ? res.message.split('\n')[0] : `unexpected answer ${res.kind}`);
  }

  /** Where the user's CSL styles are: `corpusCite.styleFolders`, relative ones against the first workspace folder. */
  styleOptions(baseDir?: string): StyleOptions {
    return this.parts.settings.styleOptions(baseDir);
  }

  /** A manuscript's citations formatted by citeproc in the worker (the Markdown preview). */
  async renderCitations(render: RenderRequest): Promise<RenderResult> {
    const res = await this.parts.client.request({ kind: 'render', render });
    if (res.kind === 'rendered') return res.result;
    throw new Error(res.kind === 'error' ? res.message.split('\n')[0] : `unexpected answer ${res.kind}`);
  }

  /** The citation map of the corpus (core/citationGraph.ts), built and laid out in the worker. */
  async citationMap(maxNodes?: number): Promise<CitationMap> {
    const res = await this.parts.client.request({ kind: 'graph', maxNodes });
    if (res.kind === 'graph') return res.map;
    throw new Error(res.kind === 'error' ? res.message.split('\n')[0] : `unexpected answer ${res.kind}`);
  }

  /** The parts are disposed by their owner (extension.ts); this only stops a pending start. */
  dispose(): void {
    this.disposed = true;
  }
}
