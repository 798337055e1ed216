/**
 * The "Corpus" tree: works grouped by source file, year, author, journal, keyword, or the cited
 * works (known only from citations). A work expands to its details, the works it cites and the
 * works citing it. Nodes are built lazily and cached per corpus version, grouping and filter, so
 * `getParent` and `reveal` work on stable objects with stable ids.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { fold } from '../core/names';
import { shelve } from '../core/shelves';
import { headOf } from '../core/workStore';
import { runToEnd, sortInSlices, yieldToEventLoop } from '../core/slices';
import { cleanText, displayName, renderPlain, yearOf } from '../core/render';
import { type WorkRole, workRole } from './citationText';
import type { CorpusService } from './corpusService';
import { CommandIds, ContextKeys, ViewIds, WorkContext } from './ids';
import type { ManuscriptIndex } from './manuscriptIndex';
import { workCard } from './workCard';

export type Grouping = 'file' | 'year' | 'author' | 'journal' | 'keyword' | 'cited';

/** A grouping with its texts, translated when read (not when the module loads). */
function grouping(id: Grouping, label: () => string, detail: () => string, by: () => string) {
  return {
    id,
    get label() {
      return label();
    },
    get detail() {
      return detail();
    },
    /** The view's description: "by year". */
    get by() {
      return by();
    },
  };
}

export const GROUPINGS: readonly ReturnType<typeof grouping>[] = [
  grouping('file', () => vscode.l10n.t('Source file'), () => vscode.l10n.t('The corpus file each work comes from'), () => vscode.l10n.t('by source file')),
  grouping('year', () => vscode.l10n.t('Year'), () => vscode.l10n.t('Newest first'), () => vscode.l10n.t('by year')),
  grouping('author', () => vscode.l10n.t('Author'), () => vscode.l10n.t('Every author of a work'), () => vscode.l10n.t('by author')),
  grouping('journal', () => vscode.l10n.t('Journal'), () => vscode.l10n.t('Journal or other venue'), () => vscode.l10n.t('by journal')),
  grouping('keyword', () => vscode.l10n.t('Keyword'), () => vscode.l10n.t('Keywords of the records'), () => vscode.l10n.t('by keyword')),
  grouping('cited', () => vscode.l10n.t('Cited works'), () => vscode.l10n.t('Works known only from citations, with who cites them'), () => vscode.l10n.t('by cited works')),
];

const GROUPING_STATE_KEY = 'corpusCite.grouping';
/** A slice of the sliced top-level build, ms. */
const SLICE_MS = 8;
/**
 * Works a grouping walks between two looks at the clock (a power of two, minus one). Reading a
 * work's fields parses it (core/workStore.ts, ≈ 10–20 µs here): 128 of them stay near 2 ms.
 */
const STEP_MASK = 127;
/** Works shown when filtering; a filter that matches more is narrowed by typing more. */
const FILTER_LIMIT = 5000;
/** A filter with at most this many hits opens every group and shelf, so that the hits show. */
const EXPAND_HITS = 60;

interface NodeBase {
  readonly id: string;
  readonly parent: TreeNode | undefined;
}
export interface GroupNode extends NodeBase {
  readonly type: 'group';
  readonly label: string;
  /** Unsorted: sorted when the group is expanded (at 50,000 works, sorting every group up front blocked the editor). */
  readonly works: readonly Work[];
  readonly icon: string;
  readonly file?: string;
  /** How the works are listed: by label, or records first and then by label (file groups). */
  readonly order: 'label' | 'role';
  /** Folded label, when the grouping has it at hand (for shelving). */
  readonly sortKey?: string;
}
export interface WorkNode extends NodeBase {
  readonly type: 'work';
  readonly work: Work;
  /** Shown instead of the title (the "cited" grouping: who cites it). */
  readonly note?: string;
}
export interface DetailNode extends NodeBase {
  readonly type: 'detail';
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: string;
  readonly command?: vscode.Command;
}
export interface RelationNode extends NodeBase {
  readonly type: 'relation';
  readonly label: string;
  readonly icon: string;
  readonly ids: readonly string[];
}
/** An alphabetical shelf of a long list (see core/shelves): groups, or the works of a group. */
export interface ShelfNode extends NodeBase {
  readonly type: 'shelf';
  /** "A", "MA", "#". */
  readonly label: string;
  /** Letters in the label: a shelf still too long is cut by one more when opened. */
  readonly depth: number;
  readonly items: { kind: 'groups'; groups: GroupNode[] } | { kind: 'works'; works: Work[]; note?: (w: Work) => string | undefined };
  readonly count: number;
}
export type TreeNode = GroupNode | WorkNode | DetailNode | RelationNode | ShelfNode;

/** Rows one tree level lists before it is cut into alphabetical shelves. */
export const SHELF_MAX = 500;

const ROLE_ICON: Record<WorkRole, vscode.ThemeIcon> = {
  record: new vscode.ThemeIcon('book'),
  related: new vscode.ThemeIcon('link', new vscode.ThemeColor('charts.blue')),
  cited: new vscode.ThemeIcon('quote', new vscode.ThemeColor('descriptionForeground')),
};
const ROLE_RANK: Record<WorkRole, number> = { record: 0, related: 1, cited: 2 };

function byLabel(a: Work, b: Work): number {
  const la = a['citation-label'];
  const lb = b['citation-label'];
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function memo(fn: (s: string) => string): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) seen.set(s, (v = fn(s)));
    return v;
  };
}

/** A group's works in display order (a sorted copy). */
function sortWorks(works: readonly Work[], order: 'label' | 'role'): Work[] {
  if (order === 'label') return [...works].sort(byLabel);
  // Decorated: the role is worked out once per work, not twice per comparison.
  const keyed = works.map((w) => ({ w, r: ROLE_RANK[workRole(w)] }));
  keyed.sort((a, b) => a.r - b.r || byLabel(a.w, b.w));
  return keyed.map((k) => k.w);
}

/**
 * Sorts entries by a folded key (case and accents already folded, so plain `<` orders them as a
 * case- and accent-insensitive comparison would, at a fraction of localeCompare's cost), ties by
 * their label.
 */
/** Folded key (`k`) with plain `<`, ties by label (`l`). */
function byKeyThenLabel(a: { k: string; l: string }, b: { k: string; l: string }): number {
  return a.k !== b.k ? (a.k < b.k ? -1 : 1) : a.l < b.l ? -1 : a.l > b.l ? 1 : 0;
}

function sortByFoldedKey<T>(list: T[], key: (t: T) => string, label: (t: T) => string): void {
  // Decorated: each key and label is worked out once, not twice per comparison.
  const keyed = list.map((t) => ({ t, k: key(t), l: label(t) }));
  keyed.sort(byKeyThenLabel);
  for (let i = 0; i < keyed.length; i++) list[i] = keyed[i].t;
}

function countText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 work') : vscode.l10n.t('{0} works', n);
}

function keywordsOf(work: Work): string[] {
  return (work.keyword ?? '')
    .split(/[;,]/)
    .map((k) => cleanText(k, 80))
    .filter(Boolean);
}

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
  /** The work nodes built since the last refresh, by work id. */
  private workNodes = new Map<string, WorkNode[]>();
  /** Rows whose count changed during a reveal, refreshed after it. */
  private held: Set<TreeNode> | undefined;
  private roots: TreeNode[] | undefined;
  /** Bumped on every refresh; a sliced build of the top level for an older one is dropped. */
  private rootsGen = 0;
  private rootsPending: Promise<unknown> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: CorpusService,
    private readonly memento: vscode.Memento,
    /** Where "cited N×" comes from (citations in the workspace's Markdown files). */
    private readonly manuscripts?: ManuscriptIndex,
  ) {
    const saved = memento.get<string>(GROUPING_STATE_KEY);
    this._grouping = GROUPINGS.some((g) => g.id === saved) ? (saved as Grouping) : 'file';
    // Only the rows of works whose count changed are refreshed: a refresh of the whole tree
    // while the user (or a reveal) works in it would lose the selection.
    if (manuscripts) {
      this.disposables.push(
        manuscripts.onDidChangeCounts((ids) => {
          const nodes = [...ids].flatMap((id) => this.workNodes.get(id) ?? []);
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
    this.workNodes = new Map();
    this.roots = undefined;
    const gen = ++this.rootsGen;
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
    this._onDidChangeView.fire();
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
      list = this.buildChildren(element);
      this.children.set(element.id, list);
    }
    return list;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  /** Whether groups and shelves open by themselves: a filter with few hits shows them all. */
  private expandHits(): boolean {
    return this._filter !== undefined && (this.filtered?.length ?? 0) <= EXPAND_HITS;
  }

  /** A group's or shelf's row, open when the filter's hits are few (under an id of its own then). */
  private containerItem(node: GroupNode | ShelfNode): vscode.TreeItem {
    const open = this.expandHits();
    const item = new vscode.TreeItem(node.label, open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = open ? `${node.id}\u0000f${this.filterGen}` : node.id;
    return item;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'group': {
        const item = this.containerItem(node);
        item.description = String(node.works.length);
        item.contextValue = 'corpusCite.group';
        if (node.file) {
          const uri = this.service.uriOf(node.file);
          if (uri) item.resourceUri = uri;
          item.iconPath = vscode.ThemeIcon.File;
          item.tooltip = `${this.service.displayPath(node.file)} — ${countText(node.works.length)}`;
        } else {
          item.iconPath = new vscode.ThemeIcon(node.icon);
          item.tooltip = `${node.label} — ${countText(node.works.length)}`;
        }
        return item;
      }
      case 'work': {
        const w = node.work;
        const role = workRole(w);
        const item = new vscode.TreeItem(w['citation-label'], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        const rest = node.note ?? cleanText(w.title ?? w['x-corpus'].translatedTitle, 200);
        // Counted on demand across the workspace's Markdown; shown once known.
        const cited = this.manuscripts?.peekCounts()?.get(w.id) ?? 0;
        item.description = cited ? `${vscode.l10n.t('cited {0}×', cited)} · ${rest}` : rest;
        item.iconPath = ROLE_ICON[role];
        item.contextValue = WorkContext[role] + (w.DOI ? WorkContext.doiSuffix : '');
        item.accessibilityInformation = { label: cited ? `${renderPlain(w)} ${vscode.l10n.t('Cited {0} times in this workspace’s Markdown files.', cited)}` : renderPlain(w) };
        return item;
      }
      case 'shelf': {
        const item = this.containerItem(node);
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon('list-tree');
        item.contextValue = 'corpusCite.shelf';
        item.tooltip =
          node.label === '#'
            ? vscode.l10n.t('Names that start with neither a letter nor a digit ({0})', node.count)
            : vscode.l10n.t('Names that start with “{0}” ({1})', node.label, node.count);
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        item.contextValue = 'corpusCite.detail';
        return item;
      }
      case 'relation': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = String(node.ids.length);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'corpusCite.relation';
        return item;
      }
    }
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
    const holds = (n: TreeNode): boolean => {
      switch (n.type) {
        case 'group':
          return n.works.some((w) => w.id === workId);
        case 'shelf':
          return n.items.kind === 'works' ? n.items.works.some((w) => w.id === workId) : n.items.groups.some(holds);
        default:
          return false;
      }
    };
    const find = (nodes: TreeNode[]): WorkNode | undefined => {
      for (const n of nodes) {
        if (n.type === 'work') {
          if (n.work.id === workId) return n;
        } else if (holds(n)) {
          const hit = find(this.getChildren(n));
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return find(this.getChildren());
  }

  // -------------------------------------------------------------------------------------------

  private workNode(work: Work, parent: TreeNode | undefined, note?: string): WorkNode {
    const node: WorkNode = { type: 'work', id: `${parent?.id ?? this._grouping}/w:${work.id}`, parent, work, note };
    const list = this.workNodes.get(work.id);
    if (list) list.push(node);
    else this.workNodes.set(work.id, [node]);
    return node;
  }

  private group(key: string, label: string, works: Work[], icon: string, file?: string, sortKey?: string): GroupNode {
    return { type: 'group', id: `${this._grouping}:${key}`, parent: undefined, label, works, icon, file, order: file ? 'role' : 'label', sortKey };
  }

  /** The top level, computed in one go (when asked for before the sliced build is done). */
  private buildRoots(): TreeNode[] {
    const works = this.visibleWorks();
    return this.service.timed(`grouping ${works.length} works by ${this._grouping} for the tree`, () => runToEnd(this.rootsSteps(works)));
  }

  /**
   * The top level, computed a slice at a time (about 8 ms each) with the event loop running in
   * between: grouping 50,000 works walks memory that is long out of the CPU's caches, ≈ 0.1 s
   * for the plainest grouping and over a second by author. Resolves to undefined when a newer
   * refresh made the result stale.
   */
  private async buildRootsSliced(gen: number): Promise<TreeNode[] | undefined> {
    const works = this.visibleWorks();
    const steps = this.rootsSteps(works);
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

  private *rootsSteps(works: readonly Work[]): Generator<void, TreeNode[]> {
    const roots = yield* this.groupRoots(works);
    yield;
    if (this._grouping === 'cited') {
      const note = (w: Work) => this.citedByNote(w);
      return this.workList((roots as WorkNode[]).map((n) => n.work), undefined, 1, note);
    }
    return this.groupList(roots as GroupNode[], undefined, 1);
  }

  /** Groups as rows of `parent`, on shelves when there are too many. */
  private groupList(groups: GroupNode[], parent: ShelfNode | undefined, depth: number): TreeNode[] {
    const shelves = shelve(groups, (g) => (g.id.endsWith(':\u0000none') ? '' : (g.sortKey ?? fold(g.label))), SHELF_MAX, depth);
    if (!shelves) {
      for (const g of groups) (g as { parent: TreeNode | undefined }).parent = parent;
      return groups;
    }
    return shelves.map((sh) => this.shelf(parent, sh.label, depth, { kind: 'groups', groups: sh.items }, sh.items.length));
  }

  /** Works (in display order) as rows of `parent`, on shelves when there are too many. */
  private workList(works: Work[], parent: GroupNode | ShelfNode | undefined, depth: number, note?: (w: Work) => string | undefined): TreeNode[] {
    const shelves = shelve(works, (w) => fold(w['citation-label']), SHELF_MAX, depth);
    if (!shelves) return works.map((w) => this.workNode(w, parent, note?.(w)));
    return shelves.map((sh) => this.shelf(parent, sh.label, depth, { kind: 'works', works: sh.items, note }, sh.items.length));
  }

  private shelf(parent: TreeNode | undefined, label: string, depth: number, items: ShelfNode['items'], count: number): ShelfNode {
    return { type: 'shelf', id: `${parent?.id ?? this._grouping}/s:${label}`, parent, label, depth, items, count };
  }

  private *groupRoots(works: readonly Work[]): Generator<void, TreeNode[]> {
    switch (this._grouping) {
      case 'file':
        return yield* this.groupByFile(works);
      case 'year':
        return yield* this.groupByKey(works, 'calendar', (w) => [String(headOf(w).year ?? yearOf(w) ?? '')], vscode.l10n.t('No year'), (a, b) => (a < b ? 1 : a > b ? -1 : 0));
      case 'author':
        return yield* this.groupByAuthor(works);
      case 'journal': {
        // 50,000 works share a few hundred journal names: clean each name once.
        const clean = memo((t: string) => cleanText(t, 300));
        return yield* this.groupByKey(works, 'library', (w) => [w['container-title'] ? clean(w['container-title']) : ''], vscode.l10n.t('No journal'));
      }
      case 'keyword':
        return yield* this.groupByKey(works, 'tag', keywordsOf, vscode.l10n.t('No keywords'));
      case 'cited': {
        // How often each is cited, read once per work (a sort would read it at every comparison).
        const cited: { w: Work; n: number }[] = [];
        for (let i = 0; i < works.length; i++) {
          if ((i & STEP_MASK) === STEP_MASK) yield;
          const w = works[i];
          if (headOf(w).role === 'cited') cited.push({ w, n: w['x-corpus'].citedBy.length });
        }
        cited.sort((a, b) => b.n - a.n || byLabel(a.w, b.w));
        // Work nodes are made by the caller (on shelves when there are many).
        return cited.map(({ w }) => ({ type: 'work', id: '', parent: undefined, work: w }) as WorkNode);
      }
    }
  }

  private citedByNote(w: Work): string {
    const by = w['x-corpus'].citedBy;
    if (by.length === 0) return vscode.l10n.t('cited');
    if (by.length > 2) return vscode.l10n.t('cited by {0} works', by.length);
    return vscode.l10n.t('cited by {0}', by.map((id) => this.service.corpus.byId.get(id)?.['citation-label'] ?? id).join(', '));
  }

  private *groupByFile(works: readonly Work[]): Generator<void, GroupNode[]> {
    const byFile = new Map<string, Work[]>();
    const add = (file: string, w: Work) => {
      const list = byFile.get(file);
      if (!list) byFile.set(file, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    };
    for (let i = 0; i < works.length; i++) {
      if ((i & STEP_MASK) === STEP_MASK) yield;
      const w = works[i];
      const sources = w['x-corpus'].sources;
      if (sources.length === 1) add(sources[0].file, w);
      else for (const file of new Set(sources.map((s) => s.file))) add(file, w);
    }
    const files = [...byFile.keys()].sort((a, b) => {
      const da = this.service.displayPath(a);
      const db = this.service.displayPath(b);
      return da < db ? -1 : da > db ? 1 : 0;
    });
    // The file name alone, unless two corpus files share it: then the workspace-relative path.
    const names = new Map<string, number>();
    for (const f of files) names.set(path.basename(f), (names.get(path.basename(f)) ?? 0) + 1);
    return files.map((file) => {
      const list = byFile.get(file)!;
      const label = names.get(path.basename(file))! > 1 ? this.service.displayPath(file) : path.basename(file);
      return this.group(file, label, list, 'file', file);
    });
  }

  /** Groups by string keys (case- and accent-insensitive); works without a key go last. */
  private *groupByKey(works: readonly Work[], icon: string, keys: (w: Work) => string[], none: string, order?: (a: string, b: string) => number): Generator<void, GroupNode[]> {
    const groups = new Map<string, { label: string; works: Work[] }>();
    const missing: Work[] = [];
    for (let i = 0; i < works.length; i++) {
      if ((i & STEP_MASK) === STEP_MASK) yield;
      const w = works[i];
      const ks = keys(w).filter(Boolean);
      if (!ks.length) missing.push(w);
      for (const k of new Set(ks)) {
        const f = fold(k) || k;
        const g = groups.get(f);
        if (g) {
          if (g.works[g.works.length - 1] !== w) g.works.push(w);
        } else groups.set(f, { label: k, works: [w] });
      }
    }
    const entries = [...groups.entries()];
    if (order) entries.sort((a, b) => order(a[1].label, b[1].label));
    else sortByFoldedKey(entries, ([k]) => k, (e) => e[1].label);
    const out = entries.map(([k, g]) => this.group(k, g.label, g.works, icon, undefined, k));
    if (missing.length) out.push(this.group('\u0000none', none, missing, 'circle-slash'));
    return out;
  }

  /**
   * One group per author: family name plus first initial, so "Repper, Julie" and "Repper, J."
   * meet; a name known only by its family (from a citation) joins the one person of that family.
   */
  private *groupByAuthor(works: readonly Work[]): Generator<void, GroupNode[]> {
    interface Person {
      label: string;
      works: Work[];
    }
    const people = new Map<string, Person>();
    const byFamily = new Map<string, Set<string>>();
    const bare: { family: string; label: string; work: Work }[] = [];
    const add = (key: string, label: string, w: Work, anywhere = false) => {
      const p = people.get(key);
      if (!p) people.set(key, { label, works: [w] });
      else {
        // Works arrive one after the other, so a repeat is the last one (but for `bare` names).
        if (anywhere ? !p.works.includes(w) : p.works[p.works.length - 1] !== w) p.works.push(w);
        if (label.length > p.label.length) p.label = label;
      }
    };
    const missing: Work[] = [];
    for (let i = 0; i < works.length; i++) {
      if ((i & STEP_MASK) === STEP_MASK) yield;
      const w = works[i];
      const authors = w.author ?? [];
      const groups = w['x-corpus'].groupAuthors ?? [];
      if (!authors.length && !groups.length) missing.push(w);
      for (const a of authors) {
        if (a.family) {
          const fam = fold(a.family);
          const initial = fold(a.given ?? '').charAt(0);
          const label = a.given ? `${a.family}, ${a.given}` : a.family;
          if (!initial) {
            bare.push({ family: fam, label, work: w });
            continue;
          }
          const key = `${fam}|${initial}`;
          add(key, label, w);
          const set = byFamily.get(fam) ?? new Set<string>();
          set.add(key);
          byFamily.set(fam, set);
        } else {
          const name = displayName(a);
          if (name) add(`=${fold(name)}`, name, w);
        }
      }
      for (const g of groups) add(`=${fold(g)}`, g, w);
    }
    for (let i = 0; i < bare.length; i++) {
      if ((i & STEP_MASK) === STEP_MASK) yield;
      const b = bare[i];
      const keys = byFamily.get(b.family);
      if (keys && keys.size === 1) add([...keys][0], b.label, b.work, true);
      else add(`${b.family}|`, b.label, b.work, true);
    }
    // Tens of thousands of people: sort keys made, and groups made, in slices.
    const keyed: { k: string; l: string; key: string; p: Person }[] = [];
    let i = 0;
    for (const [key, p] of people) {
      if ((++i & 511) === 0) yield;
      keyed.push({ k: key.replace(/^=/, '').replace('|', ' '), l: p.label, key, p });
    }
    yield;
    yield* sortInSlices(keyed, byKeyThenLabel);
    const out: GroupNode[] = [];
    for (let j = 0; j < keyed.length; j++) {
      if ((j & 511) === 511) yield;
      out.push(this.group(keyed[j].key, cleanText(keyed[j].p.label, 120), keyed[j].p.works, 'person', undefined, keyed[j].k));
    }
    if (missing.length) out.push(this.group('\u0000none', vscode.l10n.t('No author'), missing, 'circle-slash'));
    return out;
  }

  private buildChildren(node: TreeNode): TreeNode[] {
    switch (node.type) {
      case 'group':
        return this.workList(sortWorks(node.works, node.order), node, 1);
      case 'shelf': {
        const it = node.items;
        if (it.kind === 'groups') return this.groupList(it.groups, node, node.depth + 1);
        return this.workList(it.works, node, node.depth + 1, it.note);
      }
      case 'relation': {
        const out: TreeNode[] = [];
        for (const id of node.ids) {
          const w = this.service.corpus.byId.get(id);
          if (w) out.push(this.workNode(w, node));
        }
        return out.sort((a, b) => byLabel((a as WorkNode).work, (b as WorkNode).work));
      }
      case 'work':
        return this.workDetails(node);
      case 'detail':
        return [];
    }
  }

  private workDetails(node: WorkNode): TreeNode[] {
    const w = node.work;
    const x = w['x-corpus'];
    const out: TreeNode[] = [];
    const detail = (key: string, label: string, icon: string, extra: Partial<DetailNode> = {}) =>
      out.push({ type: 'detail', id: `${node.id}/d:${key}`, parent: node, label, icon, ...extra });

    const names = [...(w.author ?? []).map(displayName), ...(x.groupAuthors ?? []).map((g) => cleanText(g, 200))].filter(Boolean);
    if (names.length) {
      const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} et al. (${names.length})` : names.join(', ') + (x.etAl ? ' et al.' : '');
      detail('authors', shown, 'person', { tooltip: names.join('\n') });
    }
    if (x.translatedTitle && w.title) detail('translated', cleanText(x.translatedTitle, 300), 'globe', { tooltip: cleanText(x.translatedTitle, 2000) });
    const venue = cleanText(w['container-title'], 300);
    const vol = [w.volume ? cleanText(w.volume, 40) : '', w.issue ? `(${cleanText(w.issue, 40)})` : ''].join('');
    const where = [vol, w.page ? cleanText(w.page, 60) : ''].filter(Boolean).join(': ');
    if (venue || where) detail('venue', venue || where, 'library', { description: venue ? where || undefined : undefined, tooltip: [venue, where].filter(Boolean).join(', ') });
    const year = yearOf(w);
    if (year) detail('year', year, 'calendar');
    if (w.DOI) {
      const doi = cleanText(w.DOI, 300);
      detail('doi', doi, 'link-external', { tooltip: vscode.l10n.t('Open {0}', `https://doi.org/${doi}`), command: { command: CommandIds.openDoi, title: vscode.l10n.t('Open DOI'), arguments: [w.id] } });
    }
    const kws = keywordsOf(w);
    if (kws.length) detail('keywords', kws.join(', '), 'tag', { tooltip: kws.join('\n') });
    const seen = new Set<string>();
    for (const s of x.sources) {
      const key = `${s.file}:${s.line}`;
      if (seen.has(key) || seen.size >= 5) continue;
      seen.add(key);
      const label = `${path.basename(this.service.displayPath(s.file))}:${s.line}`;
      const what = s.relation === 'record' ? vscode.l10n.t('record') : s.relation === 'related' ? vscode.l10n.t('listed as related') : s.relation === 'reference' ? vscode.l10n.t('in a reference list') : vscode.l10n.t('cited');
      const uri = this.service.uriOf(s.file);
      detail(`src:${key}`, label, 'go-to-file', {
        description: what,
        tooltip: vscode.l10n.t('{0}, line {1}', this.service.displayPath(s.file), s.line),
        command: uri ? { command: 'vscode.open', title: vscode.l10n.t('Open Source Record'), arguments: [uri, { selection: new vscode.Range(s.line - 1, 0, s.line - 1, 0), preview: true }] } : undefined,
      });
    }
    const rel = (key: string, label: string, icon: string, ids: readonly string[]) => {
      if (ids.length) out.push({ type: 'relation', id: `${node.id}/${key}`, parent: node, label, icon, ids });
    };
    rel('cites', vscode.l10n.t('Cites ({0})', x.cites.length), 'arrow-right', x.cites);
    rel('citedBy', vscode.l10n.t('Cited by ({0})', x.citedBy.length), 'arrow-left', x.citedBy);
    rel('related', vscode.l10n.t('Related ({0})', x.related.length), 'references', x.related);
    return out;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Filters longer than this are cut in the view's description (the message above the tree has them whole). */
const DESCRIPTION_FILTER_MAX = 24;

/** The view's description beside its title: the grouping and the filter, "by year · “peer support”". */
export function viewDescription(g: Grouping, filter: string | undefined): string {
  const by = GROUPINGS.find((x) => x.id === g)?.by ?? '';
  if (filter === undefined) return by;
  const chars = [...filter];
  let shown = filter;
  if (chars.length > DESCRIPTION_FILTER_MAX) {
    // Cut at a word's end when there is one: "a filter far longer…", not "… longer tha…".
    const cut = chars.slice(0, DESCRIPTION_FILTER_MAX - 1).join('');
    const space = chars[DESCRIPTION_FILTER_MAX - 1] === ' ' ? cut.length : cut.lastIndexOf(' ');
    shown = `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
  }
  return vscode.l10n.t('{0} · “{1}”', by, shown);
}

/** Creates the tree view and keeps its message, description and context keys in step with the provider. */
export function registerCorpusTree(service: CorpusService, context: vscode.ExtensionContext, manuscripts?: ManuscriptIndex): { provider: CorpusTreeProvider; view: vscode.TreeView<TreeNode>; disposable: vscode.Disposable } {
  const provider = new CorpusTreeProvider(service, context.workspaceState, manuscripts);
  const view = vscode.window.createTreeView(ViewIds.corpus, { treeDataProvider: provider.viewProvider(), showCollapseAll: true });
  const keys = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    if (keys.has(key) && keys.get(key) === value) return;
    keys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const update = () => {
    view.message = provider.message();
    view.description = viewDescription(provider.grouping, provider.filter);
    setContext(ContextKeys.filtered, provider.filter !== undefined);
    setContext(ContextKeys.state, service.state);
    setContext(ContextKeys.hasWorks, service.works.length > 0);
  };
  update();
  const sub = provider.onDidChangeView(update);
  return { provider, view, disposable: vscode.Disposable.from(sub, view, provider) };
}
