/**
 * The "Corpus" tree: works grouped by source file, year, author, journal, keyword, or the cited
 * works (known only from citations). A work expands to its details, the works it cites and the
 * works citing it. The rows are built by core/tree/treeGroups.ts, lazily, one builder per corpus
 * version, grouping and filter, so `getParent` and `reveal` work on stable objects with stable
 * ids; corpusTreeItems.ts maps them to TreeItems. This provider owns the grouping, the filter,
 * the cache of rows, and building the top level in slices.
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model/model';
import { runToEnd, yieldToEventLoop } from '../core/tree/slices';
import { TreeBuilder } from '../core/tree/treeGroups';
import { type Grouping, type TreeNode, type WorkNode, findWorkRow } from '../core/tree/treeNodes';
import type { CorpusService } from './corpusService';
import { GROUPINGS, citedByNote, treeItem, workDetails } from './corpusTreeItems';
import type { ManuscriptIndex } from './manuscriptIndex';
import { workCard } from './workCard';

export type { DetailNode, GroupNode, Grouping, RelationNode, ShelfNode, TreeNode, WorkNode } from '../core/tree/treeNodes';
export { SHELF_MAX } from '../core/tree/treeGroups';
export { GROUPINGS } from './corpusTreeItems';

const GROUPING_STATE_KEY = 'corpusCite.grouping';
/** A slice of the sliced top-level build, ms. */
const SLICE_MS = 8;
/** Works shown when filtering; a filter that matches more is narrowed by typing more. */
const FILTER_LIMIT = 5000;
/** A filter with at most this many hits opens every group and shelf, so that the hits show. */
const EXPAND_HITS = 60;

export class CorpusTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly _onDidChangeView = new vscode.EventEmitter<void>();
  /** Grouping, filter or message changed. */
  readonly onDidChangeView = this._onDidChangeView.event;

  private _grouping: Grouping;
  private _filter: string | undefined;
  private filtered: readonly Work[] | undefined;
  private filterIncomplete = false;
  /** Bumped per filter set: opened groups get new ids, so the view does not keep them folded. */
  private filterGen = 0;
  private children = new Map<string, TreeNode[]>();
  /** Builds the rows of the current grouping and corpus; a new one on every refresh. */
  private builder: TreeBuilder;
  /** Rows whose count changed during a reveal, refreshed after it. */
  private held: Set<TreeNode> | undefined;
  private roots: TreeNode[] | undefined;
  /** Bumped on every refresh; a sliced build of the top level for an older one is dropped. */
  private rootsGen = 0;
  private rootsPending: Promise<unknown> | undefined;
  private visible = true;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: CorpusService,
    private readonly memento: vscode.Memento,
    /** Where "cited N×" comes from (citations in the workspace's Markdown files). */
    private readonly manuscripts?: ManuscriptIndex,
  ) {
    const saved = memento.get<string>(GROUPING_STATE_KEY);
    this._grouping = GROUPINGS.some((g) => g.id === saved) ? (saved as Grouping) : 'file';
    this.builder = this.newBuilder();
    // Only the rows of works whose count changed are refreshed: a refresh of the whole tree
    // while the user (or a reveal) works in it would lose the selection.
    if (manuscripts) {
      this.disposables.push(
        manuscripts.onDidChangeCounts((ids) => {
          const nodes = [...ids].flatMap((id) => this.builder.workNodes.get(id) ?? []);
          if (!nodes.length) return;
          if (this.held) for (const n of nodes) this.held.add(n);
          else this._onDidChangeTreeData.fire(nodes);
        }),
      );
    }
    this.disposables.push(
      this._onDidChangeTreeData,
      this._onDidChangeView,
      service.onDidChange(() => {
        if (this._filter !== undefined) this.applyFilter(this._filter);
        this.refresh();
      }),
      service.onDidChangeState(() => this._onDidChangeView.fire()),
    );
  }

  get grouping(): Grouping {
    return this._grouping;
  }
  get filter(): string | undefined {
    return this._filter;
  }

  setGrouping(g: Grouping): void {
    if (g === this._grouping) return;
    this._grouping = g;
    void this.memento.update(GROUPING_STATE_KEY, g);
    this.refresh();
  }

  /** Shows only the works the search index finds for `text`; empty or undefined clears. */
  setFilter(text: string | undefined): void {
    const t = text?.trim();
    this._filter = t ? t : undefined;
    this.filterGen++;
    if (this._filter) this.applyFilter(this._filter);
    else this.filtered = undefined;
    this.refresh();
  }

  private applyFilter(text: string): void {
    const r = this.service.search.search(text, FILTER_LIMIT);
    this.filtered = r.results.map((h) => h.work);
    this.filterIncomplete = r.incomplete;
  }

  /** The message above the tree: indexing, filter, empty corpus. */
  message(): string | undefined {
    const parts: string[] = [];
    if (this.service.state === 'indexing') parts.push(vscode.l10n.t('Indexing…'));
    // The view's description does not show while the view fills its container alone (the header
    // is then "CORPUS CITE: CORPUS"): a grouping other than the default is said here too.
    const g = GROUPINGS.find((x) => x.id === this._grouping);
    if (g && g.id !== 'file' && this.service.works.length > 0) parts.push(vscode.l10n.t('Grouped {0}.', g.by));
    if (this._filter !== undefined && this.filtered) {
      const n = this.filtered.length;
      parts.push(n === 0 ? vscode.l10n.t('No work matches “{0}”.', this._filter) : vscode.l10n.t('Filter “{0}”: {1} of {2} works.', this._filter, `${n}${this.filterIncomplete ? '+' : ''}`, this.service.works.length));
    } else if (this.service.state === 'ready' && this.service.works.length === 0) {
      parts.push(vscode.l10n.t('No works found in {0} corpus file(s); see the Problems panel.', this.service.fileCount));
    }
    return parts.length ? parts.join(' ') : undefined;
  }

  /**
   * Drops every node; the new top level is built in slices, and the view is told to ask again
   * once it is ready (until then it shows the previous tree).
   */
  private refresh(): void {
    this.children = new Map();
    this.builder = this.newBuilder();
    this.roots = undefined;
    this.rootsPending = undefined;
    ++this.rootsGen;
    // A hidden view builds nothing (grouping 50k works by file reads every work: ~0.7 s of this
    // thread on a warm start); it starts when the view shows, or at once when someone asks.
    if (this.visible) this.startRoots();
    this._onDidChangeView.fire();
  }

  /** Whether the view is on screen (told by corpusView.ts); becoming visible starts a pending build. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && !this.roots && !this.rootsPending) this.startRoots();
  }

  private startRoots(): void {
    const gen = this.rootsGen;
    this.rootsPending = this.buildRootsSliced(gen).then(
      (roots) => {
        if (gen !== this.rootsGen) return;
        this.roots ??= roots;
        this.rootsPending = undefined;
        this._onDidChangeTreeData.fire(undefined);
      },
      (e: unknown) => {
        this.service.logError(`[tree] grouping by ${this._grouping} failed`, e);
        if (gen === this.rootsGen) this.rootsPending = undefined;
      },
    );
  }

  /** Resolves when the top level of the current grouping and corpus is built. */
  async whenReady(): Promise<void> {
    await this.readyRoots();
  }

  /** The top level once built; a refresh while waiting means waiting for the newer build. */
  private async readyRoots(): Promise<TreeNode[]> {
    for (;;) {
      if (this.roots) return this.roots;
      const pending = this.rootsPending;
      if (!pending) return this.getChildren();
      await pending;
    }
  }

  /**
   * What the view itself uses: the top level waits for the sliced build instead of building it
   * in one go (`getChildren`, synchronous, builds it at once when it is not ready yet).
   */
  viewProvider(): vscode.TreeDataProvider<TreeNode> {
    return {
      onDidChangeTreeData: this.onDidChangeTreeData,
      getChildren: (element?: TreeNode) => (element || this.roots || !this.rootsPending ? this.getChildren(element) : this.readyRoots()),
      getTreeItem: (node: TreeNode) => this.getTreeItem(node),
      getParent: (node: TreeNode) => this.getParent(node),
      resolveTreeItem: (item: vscode.TreeItem, node: TreeNode) => this.resolveTreeItem(item, node),
    };
  }

  private visibleWorks(): readonly Work[] {
    return this.filtered ?? this.service.works;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) {
      this.roots ??= this.buildRoots();
      return this.roots;
    }
    let list = this.children.get(element.id);
    if (!list) {
      list = element.type === 'work' ? workDetails(element, this.service) : element.type === 'detail' ? [] : this.builder.children(element);
      this.children.set(element.id, list);
    }
    return list;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = treeItem(node, this.service, this.manuscripts);
    // A filter with few hits opens the groups and shelves holding them, under ids of their own
    // (the view would otherwise keep a row folded that the user folded before).
    if ((node.type === 'group' || node.type === 'shelf') && this._filter !== undefined && (this.filtered?.length ?? 0) <= EXPAND_HITS) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
      item.id = `${node.id}\u0000f${this.filterGen}`;
    }
    return item;
  }

  /** The hover card as tooltip, rendered only when the user hovers (untrusted: no links run). */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.type === 'work') item.tooltip = this.card(node.work);
    return item;
  }

  /** A work's hover card as an untrusted MarkdownString. */
  card(work: Work): vscode.MarkdownString {
    return workCard(work, this.service.corpus.byId);
  }

  /**
   * Runs a reveal without count updates refreshing rows meanwhile (a row refreshed while the
   * workbench reveals it can lose the selection); the held rows are refreshed just after.
   */
  async whileRevealing<T>(reveal: () => Thenable<T>): Promise<T> {
    const outer = this.held === undefined;
    this.held ??= new Set();
    try {
      return await reveal();
    } finally {
      if (outer) {
        const nodes = [...this.held];
        this.held = undefined;
        if (nodes.length) setTimeout(() => this._onDidChangeTreeData.fire(nodes), 500);
      }
    }
  }

  /** The node of a work in the current grouping (the first group holding it), for reveal. */
  findWorkNode(workId: string): WorkNode | undefined {
    return findWorkRow(this.getChildren(), workId, (n) => this.getChildren(n));
  }

  private newBuilder(): TreeBuilder {
    return new TreeBuilder(this._grouping, {
      displayPath: (file) => this.service.displayPath(file),
      byId: this.service.corpus.byId,
      citedNote: (w) => citedByNote(w, this.service.corpus.byId),
      texts: { noYear: vscode.l10n.t('No year'), noJournal: vscode.l10n.t('No journal'), noKeywords: vscode.l10n.t('No keywords'), noAuthor: vscode.l10n.t('No author') },
    });
  }

  /** The top level, computed in one go (when asked for before the sliced build is done). */
  private buildRoots(): TreeNode[] {
    const works = this.visibleWorks();
    return this.service.timed(`grouping ${works.length} works by ${this._grouping} for the tree`, () => runToEnd(this.builder.roots(works)));
  }

  /**
   * The top level, computed a slice at a time (about 8 ms each) with the event loop running in
   * between: grouping 50,000 works walks memory that is long out of the CPU's caches, ≈ 0.1 s
   * for the plainest grouping and over a second by author. Resolves to undefined when a newer
   * refresh made the result stale.
   */
  private async buildRootsSliced(gen: number): Promise<TreeNode[] | undefined> {
    const works = this.visibleWorks();
    const steps = this.builder.roots(works);
    let longest = 0;
    for (;;) {
      const t0 = performance.now();
      let r = steps.next();
      while (!r.done && performance.now() - t0 < SLICE_MS) r = steps.next();
      longest = Math.max(longest, performance.now() - t0);
      if (r.done) {
        this.service.noteStep(`the longest slice of grouping ${works.length} works by ${this._grouping} for the tree`, longest);
        return gen === this.rootsGen ? r.value : undefined;
      }
      await yieldToEventLoop();
      if (gen !== this.rootsGen) return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
