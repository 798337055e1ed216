/**
 * The corpus the editor works with now: its works, search index and lookup, a version bumped on
 * every rebuild, and `onDidChange`. Providers read it; only the indexing run replaces it (with
 * what it received from the index session).
 */
import * as vscode from 'vscode';
import type { Corpus } from '../core/corpus';
import { WorkLookup } from '../core/lookup';
import type { Work } from '../core/model';
import type { WorkEntry } from '../core/navigation';
import type { ReceivedBuild } from '../core/receiveBuild';
import { SearchIndex } from '../core/search';
import { fileName } from './fileAccess';
import type { IndexClient } from './indexClient';

/** The corpus as the editor holds it: the works are read-only views (core/workStore.ts). */
export type EditorCorpus = Omit<Corpus, 'works'> & { works: readonly Work[] };

export class CurrentCorpus implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  /** Fires after each rebuild of the corpus. */
  readonly onDidChange = this._onDidChange.event;
  private _corpus: EditorCorpus = { works: [], problems: [], byId: new Map() };
  private _search = SearchIndex.build([]);
  private _lookup = new WorkLookup([]);
  private _version = 0;
  private entriesCache: { version: number; byFile: Map<string, Promise<readonly WorkEntry[]>> } | undefined;

  constructor(private readonly client: IndexClient) {}

  get corpus(): EditorCorpus {
    return this._corpus;
  }
  get works(): readonly Work[] {
    return this._corpus.works;
  }
  get search(): SearchIndex {
    return this._search;
  }
  get lookup(): WorkLookup {
    return this._lookup;
  }
  /** Bumped on every rebuild; views use it to drop caches. */
  get version(): number {
    return this._version;
  }

  /** Takes a new build as the current corpus (listeners hear of it through `announce`). */
  replace(build: ReceivedBuild): void {
    this._corpus = { works: build.works, problems: build.problems, byId: build.byId };
    this._search = build.search;
    this._lookup = build.lookup;
    this._version++;
  }

  /** Tells the views and providers that the corpus changed. */
  announce(): void {
    this._onDidChange.fire();
  }

  /** The lines of a corpus file that name works (records, related-paper and reference entries). */
  workEntries(uri: vscode.Uri): Promise<readonly WorkEntry[]> {
    // Asked of the worker, which holds the works whole: here finding them would parse every work.
    if (!this._corpus.works.length) return Promise.resolve([]);
    if (this.entriesCache?.version !== this._version) this.entriesCache = { version: this._version, byFile: new Map() };
    const file = fileName(uri);
    let entries = this.entriesCache.byFile.get(file);
    if (!entries) {
      entries = this.client.request({ kind: 'entries', file }).then(
        (r) => (r.kind === 'entries' ? r.entries : []),
        () => [],
      );
      this.entriesCache.byFile.set(file, entries);
    }
    return entries;
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
