/**
 * Finds and watches the corpus files: the setting globs (searched and watched), the
 * `bibliography:` files named in the front matter of open Markdown documents, the bundled sample
 * corpus on request, minus the files the extension writes. It owns which files are in the corpus
 * (core/corpusMembership.ts) and the URIs of the files it has seen, and tells its listener which
 * files may have changed; it reads and parses nothing.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { CorpusMembership } from '../core/corpusMembership';
import type { Problem } from '../core/model';
import type { CorpusSettings } from './corpusSettings';
import { fileName, statFile } from './fileAccess';
import { bibliographyFromFrontMatter } from './frontMatter';
import { ContextKeys } from './ids';
import { KeyedDebouncer } from './keyedDebouncer';
import { findWorkspaceFiles } from './workspaceFiles';

/** Folders never searched for corpus files. */
const EXCLUDED_SEGMENT = /[\\/](?:node_modules|\.git)[\\/]/;
/** Bursts of file events (an export rewriting many files, atomic rename) settle into one run. */
export const DEBOUNCE_MS = 300;
const FRONT_MATTER_DEBOUNCE_MS = 500;
const SAMPLE_STATE_KEY = 'corpusCite.sampleCorpus';
/** Files the extension wrote (exports): outputs, never read back as corpus files. */
const OUTPUTS_STATE_KEY = 'corpusCite.exportTargets';

/** Whether a path lies in a folder never searched (node_modules, .git). */
export const isExcludedPath = (p: string): boolean => EXCLUDED_SEGMENT.test(p);

/**
 * What changed: files (keys) to bring up to date, after `delay` ms (none: with the next run);
 * everything to search again (`force`: and re-read); or a folder deleted (`prefix`, ending in
 * `/`), with the corpus files known under it.
 */
export type FilesChange = { kind: 'files'; keys: readonly string[]; delay?: number } | { kind: 'rescan'; force: boolean } | { kind: 'folder-deleted'; prefix: string; keys: readonly string[] };

export class CorpusFiles implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<FilesChange>();
  readonly onDidChange = this._onDidChange.event;
  private readonly membership: CorpusMembership;
  private readonly uris = new Map<string, vscode.Uri>();
  /** File key (fsPath or URI string, as ParsedFile.file) → URI. */
  private readonly uriByFile = new Map<string, vscode.Uri>();
  private globWatchers: vscode.Disposable[] = [];
  private readonly frontMatterWatchers = new Map<string, vscode.Disposable>();
  private readonly frontMatterTimers = new KeyedDebouncer();
  private readonly disposables: vscode.Disposable[] = [this._onDidChange];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: CorpusSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.membership = new CorpusMembership(context.workspaceState.get<string[]>(OUTPUTS_STATE_KEY, []));
  }

  /** Starts watching; the open documents' front matter is read now, the sample reopened if it was open. */
  start(): void {
    this.disposables.push(
      this.settings.onDidChange(({ before, after }) => {
        if (JSON.stringify(before.corpus) !== JSON.stringify(after.corpus) || before.maxFileSizeMB !== after.maxFileSizeMB) this.watchGlobs();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchGlobs();
        this._onDidChange.fire({ kind: 'rescan', force: false });
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
  }

  /** Whether the file belongs in the corpus now. */
  has(key: string): boolean {
    return this.membership.has(key);
  }

  /** Every file named in the corpus now (to check in a full pass). */
  named(): Set<string> {
    return this.membership.named();
  }

  /** The file is gone: a glob or sample file leaves the corpus; a named bibliography stays named. */
  forgetMissing(key: string): void {
    this.membership.forgetMissing(key);
  }

  /** The URI of a file key (URI string) seen here. */
  uriOfKey(key: string): vscode.Uri | undefined {
    return this.uris.get(key);
  }

  /** The URI of a corpus file as named in `SourceRef.file` / `Problem.file`. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.uriByFile.get(file) ?? (path.isAbsolute(file) ? vscode.Uri.file(file) : undefined);
  }

  /** A corpus file's path for display: relative to its workspace folder when inside one. */
  displayPath(file: string): string {
    const uri = this.uriOf(file);
    return uri ? vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1) : file;
  }

  /**
   * Which copy of a record to lead to when the same record is in several files: the workspace's
   * own corpus files first, then bibliographies named in front matter, then the bundled sample.
   */
  fileRank(file: string): number {
    const uri = this.uriOf(file);
    return uri ? this.membership.rank(uri.toString()) : 4;
  }

  /** Marks a file the extension is about to write (an export) as an output: never indexed. */
  async markAsOutput(uri: vscode.Uri): Promise<void> {
    if (!this.membership.addOutput(this.remember(uri))) return;
    await this.context.workspaceState.update(OUTPUTS_STATE_KEY, this.membership.outputList().slice(-200));
  }

  /** Searches the corpus globs in the workspace folders; the files found are the glob files from now on. */
  async searchGlobs(): Promise<{ walkProblems: Problem[] }> {
    const walkProblems: Problem[] = [];
    const files = await findWorkspaceFiles(this.settings.current.corpus, {
      onError: (what, e) => this.log.warn(`[index] ${what} failed: ${e instanceof Error ? e.message : String(e)}`),
      onProblem: (p) => walkProblems.push(p),
    });
    this.membership.setGlobFiles(files.filter((u) => !EXCLUDED_SEGMENT.test(u.path)).map((u) => this.remember(u)));
    return { walkProblems };
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
    const keys = files.map((u) => this.remember(u));
    this.membership.setSample(keys);
    this.fireFiles(keys, undefined);
    await this.context.workspaceState.update(SAMPLE_STATE_KEY, true);
    void vscode.commands.executeCommand('setContext', ContextKeys.sampleOpen, true);
    this.log.info(`[index] sample corpus: ${files.length} files from ${dir.fsPath}`);
    this._onDidChange.fire({ kind: 'files', keys: [], delay: 0 });
  }

  /** Takes the bundled sample records out of the corpus again (files the workspace also lists stay). */
  async closeSampleCorpus(): Promise<void> {
    const files = this.membership.setSample([]);
    this.fireFiles(files, undefined);
    await this.context.workspaceState.update(SAMPLE_STATE_KEY, false);
    void vscode.commands.executeCommand('setContext', ContextKeys.sampleOpen, false);
    this.log.info(`[index] sample corpus closed: ${files.length} files`);
    this._onDidChange.fire({ kind: 'files', keys: [], delay: 0 });
  }

  private fireFiles(keys: readonly string[], delay: number | undefined): void {
    this._onDidChange.fire({ kind: 'files', keys, delay });
  }

  private remember(uri: vscode.Uri): string {
    const key = uri.toString();
    this.uris.set(key, uri);
    this.uriByFile.set(fileName(uri), uri);
    return key;
  }

  private markDirty(uri: vscode.Uri): void {
    if (EXCLUDED_SEGMENT.test(uri.path)) return;
    this.fireFiles([this.remember(uri)], DEBOUNCE_MS);
  }

  private watchGlobs(): void {
    for (const d of this.globWatchers) d.dispose();
    this.globWatchers = [];
    for (const glob of this.settings.current.corpus) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      const onUpsert = (uri: vscode.Uri) => {
        if (EXCLUDED_SEGMENT.test(uri.path)) return;
        this.membership.addGlobFile(this.remember(uri));
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
          if ((await statFile(uri)).type & vscode.FileType.Directory) return this._onDidChange.fire({ kind: 'rescan', force: false });
        } catch {
          // gone again
        }
      }
    };
    const createdOrChanged = (uri: vscode.Uri) => {
      if (EXCLUDED_SEGMENT.test(uri.path) || this.uris.has(uri.toString())) return;
      // Corpus files have an extension; a folder usually has none (a cheap filter before a stat).
      if (/\.[^/.]+$/.test(uri.path) && !this.membership.frontMatterUnder(uri.toString().replace(/\/?$/, '/'))) return;
      created.add(uri.toString());
      timer ??= setTimeout(() => void checkCreated(), DEBOUNCE_MS);
    };
    this.disposables.push(
      w,
      w.onDidDelete((uri) => {
        if (EXCLUDED_SEGMENT.test(uri.path)) return;
        const prefix = uri.toString().replace(/\/?$/, '/');
        const keys = [...this.uris].filter(([key, u]) => key.startsWith(prefix) && this.membership.has(key) && !EXCLUDED_SEGMENT.test(u.path)).map(([key]) => key);
        this._onDidChange.fire({ kind: 'folder-deleted', prefix, keys });
      }),
      w.onDidCreate(createdOrChanged),
      w.onDidChange(createdOrChanged),
      { dispose: () => timer && clearTimeout(timer) },
    );
  }

  private scheduleFrontMatter(doc: vscode.TextDocument, delay: number): void {
    if (doc.languageId !== 'markdown') return;
    this.frontMatterTimers.schedule(doc.uri.toString(), delay, () => this.updateFrontMatter(doc, true));
  }

  /** Re-reads a document's `bibliography:`; new files are indexed, dropped ones removed. */
  private updateFrontMatter(doc: vscode.TextDocument, run: boolean): void {
    if (doc.languageId !== 'markdown' || doc.isClosed) return;
    const names = bibliographyFromFrontMatter(doc.getText(new vscode.Range(0, 0, 200, 0)));
    const base = vscode.Uri.joinPath(doc.uri, '..');
    const next = names.map((name) => this.remember(path.isAbsolute(name) ? doc.uri.with({ path: vscode.Uri.file(name).path }) : vscode.Uri.joinPath(base, name)));
    const change = this.membership.setFrontMatter(doc.uri.toString(), next);
    if (!change) return;
    for (const k of change.added) this.log.info(`[index] ${vscode.workspace.asRelativePath(doc.uri)} names bibliography ${vscode.workspace.asRelativePath(this.uris.get(k)!)}`);
    this.syncFrontMatterWatchers();
    this.fireFiles([...change.added, ...change.removed], run ? 0 : undefined);
  }

  private forgetFrontMatter(docKey: string): void {
    const prev = this.membership.forgetFrontMatter(docKey);
    if (!prev.length) return;
    this.syncFrontMatterWatchers();
    this.fireFiles(prev, DEBOUNCE_MS);
  }

  private syncFrontMatterWatchers(): void {
    const wanted = this.membership.frontMatterFiles();
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

  dispose(): void {
    this.frontMatterTimers.dispose();
    for (const d of this.globWatchers) d.dispose();
    for (const d of this.frontMatterWatchers.values()) d.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
