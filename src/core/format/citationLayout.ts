/**
 * Positions for the citation map (citationGraph.ts): ForceAtlas2 (graphology) over the shown
 * works, a bounded number of iterations and a time budget, from deterministic starting points
 * (the same graph always gets the same picture). Runs in the index worker, never in the editor's
 * thread; bundled as dist/citationLayout.js and loaded on the first map (`loadCitationLayout` in
 * citationGraph.ts),
 * so graphology costs nothing until the map is opened.
 */
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import type { CitationGraph } from './citationGraph';

export interface LayoutOptions {
  /** At most this many iterations (default: 300 for small maps, fewer for big ones). */
  iterations?: number;
  /** Stop after this many milliseconds of layout, whatever the iterations left (default 2,000). */
  budgetMs?: number;
}

export interface Layout {
  /** `[x0, y0, x1, y1, …]` in `graph.nodes` order. */
  positions: Float32Array;
  iterations: number;
  ms: number;
}

/** Iterations for a map of `order` works: fewer when each one costs more. */
export function defaultIterations(order: number): number {
  return order <= 200 ? 400 : order <= 1000 ? 200 : 120;
}

/** Lays out `graph` (see the module comment). */
export function layoutCitationGraph(graph: Pick<CitationGraph, 'nodes' | 'edges'>, opts: LayoutOptions = {}): Layout {
  const t0 = performance.now();
  const n = graph.nodes.length;
  const positions = new Float32Array(n * 2);
  if (n === 0) return { positions, iterations: 0, ms: 0 };
  const g = new Graph({ type: 'directed', multi: false, allowSelfLoops: false });
  // Start on a sunflower spiral in corpus order: deterministic, evenly spread, no overlaps.
  const golden = Math.PI * (3 - Math.sqrt(5));
  const r0 = Math.sqrt(n) * 10;
  for (let i = 0; i < n; i++) {
    const r = r0 * Math.sqrt((i + 0.5) / n);
    g.addNode(i, { x: r * Math.cos(i * golden), y: r * Math.sin(i * golden) });
  }
  for (let e = 0; e + 1 < graph.edges.length; e += 2) {
    const s = graph.edges[e];
    const t = graph.edges[e + 1];
    if (!g.hasDirectedEdge(s, t)) g.addDirectedEdge(s, t);
  }
  // Gravity 1 (strong) keeps the components of a corpus (one record and its references each)
  // close together, so each is big enough on screen; distributing attraction over a node's
  // links spreads the hubs (a record citing 40 works) instead of packing their references.
  const settings = { ...forceAtlas2.inferSettings(n), gravity: 1, outboundAttractionDistribution: true, barnesHutOptimize: n > 400 };
  const max = Math.max(0, Math.floor(opts.iterations ?? defaultIterations(n)));
  const budget = opts.budgetMs ?? 2000;
  const batch = 20;
  let done = 0;
  while (done < max && performance.now() - t0 < budget) {
    const k = Math.min(batch, max - done);
    forceAtlas2.assign(g, { iterations: k, settings, getEdgeWeight: null });
    done += k;
  }
  for (let i = 0; i < n; i++) {
    const a = g.getNodeAttributes(i) as { x: number; y: number };
    positions[2 * i] = Number.isFinite(a.x) ? a.x : 0;
    positions[2 * i + 1] = Number.isFinite(a.y) ? a.y : 0;
  }
  return { positions, iterations: done, ms: performance.now() - t0 };
}
