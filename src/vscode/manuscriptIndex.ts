/**
 * The citations of the workspace's Markdown files, for "find all references", the "cited N×"
 * counts of the tree and the CodeLens. Cheap by construction: nothing is read until someone asks;
 * each file's citations are cached by document version (open documents) or mtime and size
 * (files on disk); resolution against the corpus is cached per corpus version; a change
 * invalidates one file and recounts after a pause.
 */
import * as vscode from 'vscode';
import { type ManuscriptCitation, findManuscriptCitations, resolveManuscriptCitation } from '../core/manuscript/manuscript';
import { countCitations } from '../core/manuscript/navigation';
import type { CorpusService } from './corpusService';
import { findWorkspaceFiles } from './workspaceFiles';

const MARKDOWN_GLOB = '**/*.md';
/** Markdown files scanned at most (a workspace with more is not one manuscript project). */
const MAX_FILES = 5000;
/** Recount this long after the last edit or file change. */
const RECOUNT_MS = 400;

/** A citation of a manuscript with the works it names. */
export interface CitationUse {
  uri: vscode.Uri;
  citation: ManuscriptCitation;
  works: string[];
}

interface FileEntry {
  /** `v<version>` for an open document, `<mtime>:<size>` for a file read from disk. */
  stamp: string;
  citations: ManuscriptCitation[];
  /** Resolved works per citation, for corpus version `resolvedAt`. */
  works?: string[][];
  resolvedAt?: number;
}

export class ManuscriptIndex implements vscode.Disposable {
  private readonly _onDidChangeCounts = new vscode.EventEmitter<ReadonlySet<string>>();
  /** Fires with the ids of the works whose count changed after a recount. */
  readonly onDidChangeCounts = this._onDidChangeCounts.event;

  private readonly entries = new Map<string, FileEntry>();
  private fileList: Promise<vscode.Uri[]> | undefined;
  private usesCache: { generation: number; version: number; uses: Promise<CitationUse[]> } | undefined;
  private countsSnapshot: Map<string, number> | undefined;
  /** generation:version the snapshot was counted at. */
  private snapshotAt = '';
  private generation = 0;
  /** Counts were asked for at least once: keep them fresh from then on. */
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: CorpusService) {
    const watcher = vscode.workspace.createFileSystemWatcher(MARKDOWN_GLOB);
    const changed = (uri: vscode.Uri) => this.invalidate(uri, false);
    const listChanged = (uri: vscode.Uri) => this.invalidate(uri, true);
    // A folder deleted, moved away or moved in is reported once, for the folder.
    const folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      this._onDidChangeCounts,
      watcher,
      folders,
      folders.onDidDelete((uri) => {
        const prefix = uri.toString().replace(/\/?$/, '/');
        const gone = [...this.entries.keys()].filter((k) => k.startsWith(prefix));
        if (!gone.length) return;
        for (const k of gone) this.entries.delete(k);
        this.invalidate(undefined, true);
      }),
      folders.onDidCreate((uri) => {
        // No extension: most likely a folder, which may bring Markdown files with it.
        if (!/\.[^/.]+$/.test(uri.path)) this.invalidate(undefined, true);
      }),
      watcher.onDidChange(changed),
      watcher.onDidCreate(listChanged),
      watcher.onDidDelete(listChanged),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.languageId === 'markdown' && e.contentChanges.length) this.invalidate(e.document.uri, false);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.languageId === 'markdown') this.invalidate(d.uri, d.uri.scheme !== 'file');
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.languageId === 'markdown') this.invalidate(d.uri, d.uri.scheme !== 'file');
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.invalidate(undefined, true)),
      service.onDidChange(() => this.invalidate(undefined, false)),
    );
  }

  /** The last counts computed (undefined before the first); asks for a recount when stale. */
  peekCounts(): ReadonlyMap<string, number> | undefined {
    this.wanted = true;
    if (!this.isFresh()) this.scheduleRecount(0);
    return this.countsSnapshot;
  }

  /** Citations per work id across the workspace's Markdown files. */
  async counts(): Promise<ReadonlyMap<string, number>> {
    this.wanted = true;
    // A `nocite` key puts a work in the bibliography; it is not a use in the text.
    return countCitations((await this.uses()).filter((u) => !u.citation.nocite));
  }

  /** Every citation in the workspace's Markdown files (and open Markdown documents). */
  uses(): Promise<CitationUse[]> {
    const version = this.service.version;
    if (this.usesCache && this.usesCache.generation === this.generation && this.usesCache.version === version) return this.usesCache.uses;
    const generation = this.generation;
    const uses = this.collect(version);
    this.usesCache = { generation, version, uses };
    // A failed scan must not stick.
    uses.catch(() => {
      if (this.usesCache?.uses === uses) this.usesCache = undefined;
    });
    return uses;
  }

  /** The citations of one work across the workspace. */
  async usesOf(workId: string): Promise<CitationUse[]> {
    return (await this.uses()).filter((u) => u.works.includes(workId));
  }

  private isFresh(): boolean {
    return this.countsSnapshot !== undefined && this.snapshotAt === `${this.generation}:${this.service.version}`;
  }

  private invalidate(uri: vscode.Uri | undefined, listChanged: boolean): void {
    if (uri) this.entries.delete(uri.toString());
    if (listChanged) this.fileList = undefined;
    this.generation++;
    if (this.wanted) this.scheduleRecount(RECOUNT_MS);
  }

  private scheduleRecount(delay: number): void {
    if (this.timer) {
      if (delay > 0) clearTimeout(this.timer);
      else return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.recount();
    }, delay);
  }

  private async recount(): Promise<void> {
    const at = `${this.generation}:${this.service.version}`;
    let counts: Map<string, number>;
    try {
      counts = new Map(await this.counts());
    } catch {
      return; // the next change or request tries again
    }
    const before = this.countsSnapshot ?? new Map<string, number>();
    this.countsSnapshot = counts;
    this.snapshotAt = at;
    const changed = new Set<string>();
    for (const [id, n] of counts) if (before.get(id) !== n) changed.add(id);
    for (const id of before.keys()) if (!counts.has(id)) changed.add(id);
    if (changed.size) this._onDidChangeCounts.fire(changed);
  }

  private files(): Promise<vscode.Uri[]> {
    if (!this.fileList) {
      const list = findWorkspaceFiles([MARKDOWN_GLOB], { maxFiles: MAX_FILES }).then(
        (found) => found,
        () => [] as vscode.Uri[],
      );
      this.fileList = list;
    }
    return this.fileList;
  }

  private async collect(version: number): Promise<CitationUse[]> {
    const lookup = this.service.lookup;
    const uris = new Map<string, vscode.Uri>();
    for (const u of await this.files()) uris.set(u.toString(), u);
    // Open Markdown documents of the workspace too (unsaved drafts and files outside it are not
    // "the workspace's Markdown files").
    for (const d of vscode.workspace.textDocuments) {
      if (d.languageId === 'markdown' && d.uri.scheme !== 'untitled' && vscode.workspace.getWorkspaceFolder(d.uri)) uris.set(d.uri.toString(), d.uri);
    }
    const out: CitationUse[] = [];
    for (const [key, uri] of [...uris].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const entry = await this.entry(key, uri);
      if (!entry) continue;
      if (entry.resolvedAt !== version || !entry.works) {
        entry.works = entry.citations.map((c) => resolveManuscriptCitation(c, lookup).map((w) => w.id));
        entry.resolvedAt = version;
      }
      entry.citations.forEach((citation, i) => out.push({ uri, citation, works: entry.works![i] }));
    }
    return out;
  }

  private async entry(key: string, uri: vscode.Uri): Promise<FileEntry | undefined> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (doc) {
      const stamp = `v${doc.version}`;
      const have = this.entries.get(key);
      if (have && have.stamp === stamp) return have;
      const e: FileEntry = { stamp, citations: findManuscriptCitations(doc.getText()) };
      this.entries.set(key, e);
      return e;
    }
    try {
      const st = await vscode.workspace.fs.stat(uri);
      const stamp = `${st.mtime}:${st.size}`;
      const have = this.entries.get(key);
      if (have && have.stamp === stamp) return have;
      // A 20 MB "Markdown" file is not a manuscript: skip what is far too big to be one.
      if (st.size > 20 * 1048576) return undefined;
      const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      const e: FileEntry = { stamp, citations: findManuscriptCitations(text) };
      this.entries.set(key, e);
      return e;
    } catch {
      return undefined; // deleted meanwhile, or unreadable: not a manuscript
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
