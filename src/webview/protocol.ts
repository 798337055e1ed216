/**
 * The messages between the citation map's panel (src/vscode/citationMapPanel.ts) and its webview
 * (citationMap.ts): types only, so that neither side bundles the other. The panel checks every
 * message from the webview with zod before acting on it.
 */

/** One shown work (see src/core/format/citationGraph.ts CitationMapNode). Corpus text: set as text only. */
export interface MapNode {
  id: string;
  label: string;
  title: string;
  kind: 'record' | 'cited';
  year?: number;
  citedBy: number;
  cites: number;
}

export interface MapGraph {
  nodes: MapNode[];
  /** Pairs of node indices, citing → cited. */
  edges: number[];
  /** `[x0, y0, …]` in `nodes` order, laid out by the index worker. */
  positions: number[];
}

/** The panel's words, translated by the extension (the webview has no l10n of its own). */
export interface MapStrings {
  search: string;
  /** "28 of 38 works shown …": says what was left out, and why. */
  note: string;
  record: string;
  cited: string;
  citedBy: string;
  cites: string;
  reveal: string;
  open: string;
  empty: string;
  noMatch: string;
  /** "cited {0}× in the corpus", `{0}` replaced by the webview. */
  citedTimes: string;
  /** "{0} of {1} on the map": a list the cap cut. */
  shownOf: string;
  webglMissing: string;
}

export type ToWebview = { type: 'graph'; graph: MapGraph; strings: MapStrings; refresh: boolean };

export type FromWebview =
  | { type: 'ready' }
  /** The graph was drawn: how many nodes and edges (the tests read it). */
  | { type: 'rendered'; nodes: number; edges: number }
  | { type: 'reveal'; id: string }
  | { type: 'open'; id: string }
  | { type: 'error'; message: string };
