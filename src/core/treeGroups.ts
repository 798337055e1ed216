/**
 * The Corpus tree's rows as plain data: works grouped by source file, year, author, journal,
 * keyword, or the cited works (known only from citations); long levels cut into alphabetical
 * shelves (core/shelves.ts); works sorted when a group opens. The top level is built a step at a
 * time (a generator, driven in slices by the tree provider) so that 50,000 works never hold the
 * editor. One builder per corpus version, grouping and filter: nodes and their ids are stable
 * while it lives. The rows are plain data (core/treeNodes.ts); the tree provider maps them to
 * TreeItems.
 */
import * as path from 'path';
import type { Work } from './model';
import { fold } from './names';
import { cleanText, displayName, yearOf } from './render';
import { shelve } from './shelves';
import { sortInSlices } from './slices';
import type { GroupNode, Grouping, RelationNode, ShelfNode, TreeNode, WorkNode } from './treeNodes';
import { type WorkRole, headOf } from './workStore';

/** Rows one tree level lists before it is cut into alphabetical shelves. */
export const SHELF_MAX = 500;
/**
 * Works a grouping walks between two yields (a power of two, minus one). Reading a work's fields
 * parses it (core/workStore.ts, ≈ 10–20 µs here): 128 of them stay near 2 ms.
 */
const STEP_MASK = 127;

const ROLE_RANK: Record<WorkRole, number> = { record: 0, related: 1, cited: 2 };

/** By citation label, plain `<`. */
export function byLabel(a: Work, b: Work): number {
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
export function sortWorks(works: readonly Work[], order: 'label' | 'role'): Work[] {
  if (order === 'label') return [...works].sort(byLabel);
  // Decorated: the role is worked out once per work, not twice per comparison.
  const keyed = works.map((w) => ({ w, r: ROLE_RANK[headOf(w).role] }));
  keyed.sort((a, b) => a.r - b.r || byLabel(a.w, b.w));
  return keyed.map((k) => k.w);
}

/**
 * Folded key (`k`) with plain `<`, ties by label (`l`): case and accents already folded, so plain
 * `<` orders them as a case- and accent-insensitive comparison would, at a fraction of
 * localeCompare's cost.
 */
function byKeyThenLabel(a: { k: string; l: string }, b: { k: string; l: string }): number {
  return a.k !== b.k ? (a.k < b.k ? -1 : 1) : a.l < b.l ? -1 : a.l > b.l ? 1 : 0;
}

function sortByFoldedKey<T>(list: T[], key: (t: T) => string, label: (t: T) => string): void {
  // Decorated: each key and label is worked out once, not twice per comparison.
  const keyed = list.map((t) => ({ t, k: key(t), l: label(t) }));
  keyed.sort(byKeyThenLabel);
  for (let i = 0; i < keyed.length; i++) list[i] = keyed[i].t;
}

/**
 * A work's shelf key: its label's first letters, past the quote of a work labelled by its title
 * (“Review of the literature” n.d. is on R, not on "#").
 */
function shelfKey(w: Work): string {
  return fold(w['citation-label']).replace(/^[\s“”"‘’'«»「『]+/u, '');
}

/** The keywords of a record, cleaned (`keyword` holds them separated by `;` or `,`). */
export function keywordsOf(work: Work): string[] {
  return (work.keyword ?? '')
    .split(/[;,]/)
    .map((k) => cleanText(k, 80))
    .filter(Boolean);
}

export interface TreeOptions {
  /** A corpus file's path for display (file groups sort and, when names clash, are labelled by it). */
  displayPath(file: string): string;
  /** The works by id (relations). */
  byId: ReadonlyMap<string, Work>;
  /** The row text of a cited work: who cites it. */
  citedNote(work: Work): string;
  /** Labels of the groups of works without a year, journal, keyword or author. */
  texts: { noYear: string; noJournal: string; noKeywords: string; noAuthor: string };
}

/** Builds the rows of one grouping of one corpus (see the file comment). */
export class TreeBuilder {
  /** The work rows built so far, by work id (to refresh the rows of one work). */
  readonly workNodes = new Map<string, WorkNode[]>();

  constructor(
    readonly grouping: Grouping,
    private readonly opts: TreeOptions,
  ) {}

  /** The top level, a step at a time (drive it with core/slices.ts `runToEnd` or in slices). */
  *roots(works: readonly Work[]): Generator<void, TreeNode[]> {
    const roots = yield* this.groupRoots(works);
    yield;
    if (this.grouping === 'cited') {
      const note = (w: Work) => this.opts.citedNote(w);
      return this.workList((roots as WorkNode[]).map((n) => n.work), undefined, 1, note);
    }
    return this.groupList(roots as GroupNode[], undefined, 1);
  }

  /**
   * Groups as rows of `parent`, on shelves when there are too many. A shelf that would hold one
   * group is that group (no level that holds a single row).
   */
  private groupList(groups: GroupNode[], parent: ShelfNode | undefined, depth: number): TreeNode[] {
    const shelves = shelve(groups, (g) => (g.id.endsWith(':\u0000none') ? '' : (g.sortKey ?? fold(g.label))), SHELF_MAX, depth);
    const adopt = (g: GroupNode) => {
      (g as { parent: TreeNode | undefined }).parent = parent;
      return g;
    };
    if (!shelves) return groups.map(adopt);
    return shelves.map((sh) => (sh.items.length === 1 ? adopt(sh.items[0]) : this.shelf(parent, sh.label, depth, { kind: 'groups', groups: sh.items }, sh.items.length)));
  }

  /** Works (in display order) as rows of `parent`, on shelves when there are too many; a shelf of one work is that work. */
  private workList(works: Work[], parent: GroupNode | ShelfNode | undefined, depth: number, note?: (w: Work) => string | undefined): TreeNode[] {
    const shelves = shelve(works, shelfKey, SHELF_MAX, depth);
    if (!shelves) return works.map((w) => this.workNode(w, parent, note?.(w)));
    return shelves.map((sh) => (sh.items.length === 1 ? this.workNode(sh.items[0], parent, note?.(sh.items[0])) : this.shelf(parent, sh.label, depth, { kind: 'works', works: sh.items, note }, sh.items.length)));
  }

  private shelf(parent: TreeNode | undefined, label: string, depth: number, items: ShelfNode['items'], count: number): ShelfNode {
    return { type: 'shelf', id: `${parent?.id ?? this.grouping}/s:${label}`, parent, label, depth, items, count, grouping: this.grouping };
  }

  private *groupRoots(works: readonly Work[]): Generator<void, TreeNode[]> {
    switch (this.grouping) {
      case 'file':
        return yield* this.groupByFile(works);
      case 'year':
        return yield* this.groupByKey(works, 'calendar', (w) => [String(headOf(w).year ?? yearOf(w) ?? '')], this.opts.texts.noYear, (a, b) => (a < b ? 1 : a > b ? -1 : 0));
      case 'author':
        return yield* this.groupByAuthor(works);
      case 'journal': {
        // 50,000 works share a few hundred journal names: clean each name once.
        const clean = memo((t: string) => cleanText(t, 300));
        return yield* this.groupByKey(works, 'library', (w) => [w['container-title'] ? clean(w['container-title']) : ''], this.opts.texts.noJournal);
      }
      case 'keyword':
        return yield* this.groupByKey(works, 'tag', keywordsOf, this.opts.texts.noKeywords);
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

  private *groupByFile(works: readonly Work[]): Generator<void, GroupNode[]> {
    const byFile = new Map<string, Work[]>();
    /** The records of each file, up to two (a file of one record shows it beside the file name). */
    const records = new Map<string, Work[]>();
    const add = (file: string, w: Work) => {
      const list = byFile.get(file);
      if (!list) byFile.set(file, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    };
    const addRecord = (file: string, w: Work) => {
      const list = records.get(file);
      if (!list) records.set(file, [w]);
      else if (list.length < 2 && list[list.length - 1] !== w) list.push(w);
    };
    for (let i = 0; i < works.length; i++) {
      if ((i & STEP_MASK) === STEP_MASK) yield;
      const w = works[i];
      const sources = w['x-corpus'].sources;
      if (sources.length === 1) add(sources[0].file, w);
      else for (const file of new Set(sources.map((s) => s.file))) add(file, w);
      for (const s of sources) if (s.relation === 'record') addRecord(s.file, w);
    }
    const files = [...byFile.keys()].sort((a, b) => {
      const da = this.opts.displayPath(a);
      const db = this.opts.displayPath(b);
      return da < db ? -1 : da > db ? 1 : 0;
    });
    // The file name alone, unless two corpus files share it: then the workspace-relative path.
    const names = new Map<string, number>();
    for (const f of files) names.set(path.basename(f), (names.get(path.basename(f)) ?? 0) + 1);
    return files.map((file) => {
      const list = byFile.get(file)!;
      const label = names.get(path.basename(file))! > 1 ? this.opts.displayPath(file) : path.basename(file);
      const recs = records.get(file);
      return this.group(file, label, list, 'file', file, undefined, recs?.length === 1 ? recs[0] : undefined);
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
    if (missing.length) out.push(this.group('\u0000none', this.opts.texts.noAuthor, missing, 'circle-slash'));
    return out;
  }

  /** The rows under a group, shelf or relation (work and detail rows are the caller's). */
  children(node: GroupNode | ShelfNode | RelationNode): TreeNode[] {
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
          const w = this.opts.byId.get(id);
          if (w) out.push(this.workNode(w, node));
        }
        return out.sort((a, b) => byLabel((a as WorkNode).work, (b as WorkNode).work));
      }
    }
  }

  /** A work's row under `parent`, remembered in `workNodes`. */
  workNode(work: Work, parent: TreeNode | undefined, note?: string): WorkNode {
    const node: WorkNode = { type: 'work', id: `${parent?.id ?? this.grouping}/w:${work.id}`, parent, work, note };
    const list = this.workNodes.get(work.id);
    if (list) list.push(node);
    else this.workNodes.set(work.id, [node]);
    return node;
  }

  private group(key: string, label: string, works: Work[], icon: string, file?: string, sortKey?: string, record?: Work): GroupNode {
    return { type: 'group', id: `${this.grouping}:${key}`, parent: undefined, label, works, icon, file, order: file ? 'role' : 'label', sortKey, ...(record ? { record } : {}) };
  }
}
