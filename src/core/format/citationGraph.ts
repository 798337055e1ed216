/**
 * The citation map of the corpus as plain data: which works cite which (`x-corpus.cites`, and
 * `citedBy` read the other way), how often each is cited inside the corpus, and which of them a
 * picture can hold. Pure: no `vscode`, no graph library (the layout is citationLayout.ts).
 *
 * What is shown: only works that take part in a citation (a work with no citation link in the
 * corpus would be a lone dot), at most `maxNodes` of them, those with the most links first (then
 * records before cited-only works, then the more cited, then by id: the same corpus always gives
 * the same picture). Links between two shown works are kept; a shown work whose links all went to
 * works left out is dropped too. The counts of what was left out travel with the graph so the
 * view can say "2,000 of 31,204 works shown".
 *
 * Titles and labels are corpus text, untrusted: they are kept as data (controls and invisible
 * characters removed, length capped), and the webview sets them as text, never as HTML.
 */
import type { Work } from '../model/model';
import { requireBundled } from '../io/lazyBundle';
import { cleanText } from './render';

/** How many works the map shows at most unless told otherwise: a picture, not a table. */
export const MAP_MAX_NODES = 2000;
/** Titles are shown on hover and in the side list: a few lines at most. */
const MAX_TITLE = 300;
const MAX_LABEL = 120;

export interface CitationMapNode {
  id: string;
  label: string;
  title: string;
  /** `record`: the corpus has a record of it; `cited`: known only from citations. */
  kind: 'record' | 'cited';
  year?: number;
  /** Works of the whole corpus that cite it (not only the shown ones): the node's size. */
  citedBy: number;
  /** Works of the whole corpus it cites. */
  cites: number;
}

export interface CitationGraph {
  nodes: CitationMapNode[];
  /** Edges as pairs of node indices, citing → cited: `[s0, t0, s1, t1, …]`. */
  edges: number[];
  /** Works in the corpus. */
  totalWorks: number;
  /** Works that cite or are cited by another work of the corpus. */
  linkedWorks: number;
  /** Citation links in the whole corpus. */
  totalEdges: number;
  /** The cap applied (`maxNodes`). */
  maxNodes: number;
}

/** What the builder reads of a work (a stored work's fields, or a plain one). */
type GraphInput = Pick<Work, 'id' | 'citation-label' | 'title' | 'issued' | 'x-corpus'>;

function yearOf(w: GraphInput): number | undefined {
  const y = w.issued?.['date-parts']?.[0]?.[0];
  const n = typeof y === 'number' ? y : typeof y === 'string' ? Number.parseInt(y, 10) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The citation graph of `works`, capped at `maxNodes` works (see the module comment). */
export function buildCitationGraph(works: readonly GraphInput[], maxNodes = MAP_MAX_NODES): CitationGraph {
  const n = works.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(works[i].id, i);
  // Each link once, whichever side names it: cites of the citing work, citedBy of the cited one.
  const seen = new Set<number>();
  const src: number[] = [];
  const dst: number[] = [];
  const add = (s: number | undefined, t: number | undefined) => {
    if (s === undefined || t === undefined || s === t) return;
    const key = s * n + t; // < 2^53 for any corpus that fits in memory
    if (seen.has(key)) return;
    seen.add(key);
    src.push(s);
    dst.push(t);
  };
  for (let i = 0; i < n; i++) {
    const x = works[i]['x-corpus'];
    for (const c of x.cites) add(i, index.get(c));
    for (const b of x.citedBy) add(index.get(b), i);
  }
  const inDeg = new Uint32Array(n);
  const outDeg = new Uint32Array(n);
  for (let e = 0; e < src.length; e++) {
    outDeg[src[e]]++;
    inDeg[dst[e]]++;
  }
  const isRecord = (i: number) => works[i]['x-corpus'].kind === 'record';
  const linked: number[] = [];
  for (let i = 0; i < n; i++) if (inDeg[i] + outDeg[i] > 0) linked.push(i);
  const cap = Math.max(0, Math.floor(maxNodes));
  let kept = linked;
  if (linked.length > cap) {
    kept = [...linked]
      .sort((a, b) => inDeg[b] + outDeg[b] - (inDeg[a] + outDeg[a]) || Number(isRecord(b)) - Number(isRecord(a)) || inDeg[b] - inDeg[a] || (works[a].id < works[b].id ? -1 : works[a].id > works[b].id ? 1 : 0))
      .slice(0, cap);
  }
  const keptSet = new Uint8Array(n);
  for (const i of kept) keptSet[i] = 1;
  // Drop shown works left without a shown link (their neighbours were all cut).
  const hasShownLink = new Uint8Array(n);
  for (let e = 0; e < src.length; e++) {
    if (keptSet[src[e]] && keptSet[dst[e]]) hasShownLink[src[e]] = hasShownLink[dst[e]] = 1;
  }
  const order = kept.filter((i) => hasShownLink[i]).sort((a, b) => a - b); // corpus order
  const at = new Int32Array(n).fill(-1);
  const nodes: CitationMapNode[] = order.map((i, k) => {
    at[i] = k;
    const w = works[i];
    const node: CitationMapNode = {
      id: w.id,
      label: cleanText(w['citation-label'], MAX_LABEL) || w.id,
      title: cleanText(w.title, MAX_TITLE),
      kind: isRecord(i) ? 'record' : 'cited',
      citedBy: inDeg[i],
      cites: outDeg[i],
    };
    const y = yearOf(w);
    if (y !== undefined) node.year = y;
    return node;
  });
  const edges: number[] = [];
  for (let e = 0; e < src.length; e++) {
    const s = at[src[e]];
    const t = at[dst[e]];
    if (s >= 0 && t >= 0) edges.push(s, t);
  }
  return { nodes, edges, totalWorks: n, linkedWorks: linked.length, totalEdges: src.length, maxNodes: cap };
}

/** The shown works that cite node `k`, and those it cites (indices into `graph.nodes`). */
export function neighboursOf(graph: Pick<CitationGraph, 'edges'>, k: number): { citedBy: number[]; cites: number[] } {
  const citedBy: number[] = [];
  const cites: number[] = [];
  const e = graph.edges;
  for (let i = 0; i + 1 < e.length; i += 2) {
    if (e[i + 1] === k) citedBy.push(e[i]);
    if (e[i] === k) cites.push(e[i + 1]);
  }
  return { citedBy, cites };
}

type LayoutImpl = typeof import('./citationLayout');
let layoutImpl: LayoutImpl | undefined;

/** The layout (citationLayout.ts) from dist/citationLayout.js when bundled (the worker), itself otherwise (tests). */
export function loadCitationLayout(): LayoutImpl {
  layoutImpl ??= requireBundled<LayoutImpl>(__dirname, 'citationLayout.js', 'citationLayout', 'the citation map’s layout');
  return layoutImpl;
}

/** The map as the index worker sends it: the graph, its layout, and what each step cost. */
export interface CitationMap extends CitationGraph {
  /** `[x0, y0, x1, y1, …]` in `nodes` order (see citationLayout.ts). */
  positions: Float32Array;
  layoutIterations: number;
  buildMs: number;
  layoutMs: number;
}

/** Builds and lays out the map of `works` (in the index worker). */
export function citationMapOf(works: readonly GraphInput[], maxNodes = MAP_MAX_NODES): CitationMap {
  const t0 = performance.now();
  const graph = buildCitationGraph(works, maxNodes);
  const buildMs = performance.now() - t0;
  const layout = loadCitationLayout().layoutCitationGraph(graph);
  return { ...graph, positions: layout.positions, layoutIterations: layout.iterations, buildMs, layoutMs: layout.ms };
}
