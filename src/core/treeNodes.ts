/**
 * The rows of the Corpus tree as plain data (built by core/treeGroups.ts, shown by
 * src/vscode/corpusTreeItems.ts): groups, works, a work's details and relations, and the
 * alphabetical shelves of long levels. Each row knows its parent and has an id that stays the
 * same for the same corpus, grouping and filter (reveal and selection rely on it).
 */
import type { Work } from './model';

export type Grouping = 'file' | 'year' | 'author' | 'journal' | 'keyword' | 'cited';

/** A command a row runs when clicked (the shape of vscode.Command). */
export interface TreeCommand {
  readonly command: string;
  readonly title: string;
  readonly arguments?: unknown[];
}

export interface NodeBase {
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
  /** A file group of one record: that record (its label goes beside a file name like `000_6ad9….txt`). */
  readonly record?: Work;
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
  readonly command?: TreeCommand;
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
  /** The grouping: what a shelf of groups holds (authors, journals, years…). */
  readonly grouping: Grouping;
}

export type TreeNode = GroupNode | WorkNode | DetailNode | RelationNode | ShelfNode;

/** What a shelf's count counts: its groups (authors, journals, …) or works. */
export type ShelfUnit = 'files' | 'years' | 'authors' | 'journals' | 'keywords' | 'works';

const GROUP_UNIT: Record<Grouping, ShelfUnit> = { file: 'files', year: 'years', author: 'authors', journal: 'journals', keyword: 'keywords', cited: 'works' };

/** What the count of a shelf counts ("S · 1,550 authors", "A · 412 works"). */
export function shelfUnit(shelf: ShelfNode): ShelfUnit {
  return shelf.items.kind === 'works' ? 'works' : GROUP_UNIT[shelf.grouping];
}

/** A row's description from its parts, the empty ones left out: never a dangling "cited 1× ·". */
export function rowDescription(parts: readonly (string | undefined)[]): string {
  return parts.filter((p): p is string => !!p && p.trim() !== '').join(' · ');
}

/** Whether the rows under `n` (a group or shelf) hold the work, for reveal. */
export function nodeHolds(n: TreeNode, workId: string): boolean {
  switch (n.type) {
    case 'group':
      return n.works.some((w) => w.id === workId);
    case 'shelf':
      return n.items.kind === 'works' ? n.items.works.some((w) => w.id === workId) : n.items.groups.some((g) => nodeHolds(g, workId));
    default:
      return false;
  }
}

/**
 * The row of a work in the first group holding it, opening (`childrenOf`) only the groups and
 * shelves on the way, for reveal.
 */
export function findWorkRow(rows: readonly TreeNode[], workId: string, childrenOf: (n: TreeNode) => readonly TreeNode[]): WorkNode | undefined {
  for (const n of rows) {
    if (n.type === 'work') {
      if (n.work.id === workId) return n;
    } else if (nodeHolds(n, workId)) {
      const hit = findWorkRow(childrenOf(n), workId, childrenOf);
      if (hit) return hit;
    }
  }
  return undefined;
}
