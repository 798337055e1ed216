/**
 * `npm run bench:map`: what the citation map costs in the index worker — building the graph
 * (core/citationGraph.ts: links, degrees, the cap) and laying it out (core/citationLayout.ts:
 * ForceAtlas2, bounded iterations and time) — on the fixture corpus and on the generated BibTeX
 * corpora of `npm run bench` (bench/data/bib-N.bib: every third entry cites others and cited-only
 * works in its abstract). Prints a markdown table; not a test, nothing gates on it.
 *
 *   node --import tsx bench/citationMap.ts [--sizes 1000,10000,50000] [--runs 3]
 */
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { buildCitationGraph, MAP_MAX_NODES } from '../src/core/format/citationGraph';
import { layoutCitationGraph } from '../src/core/format/citationLayout';
import type { Work } from '../src/core/model/model';
import { indexPaths } from '../src/core/build/loadFiles';
import { generate } from './generate';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i !== -1 ? process.argv[i + 1] : dflt;
};
const SIZES = arg('--sizes', '1000,10000,50000').split(',').map(Number);
const RUNS = Number(arg('--runs', '3'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const int = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  name: string;
  works: number;
  linked: number;
  links: number;
  shown: number;
  shownLinks: number;
  buildMs: number;
  layoutMs: number;
  iterations: number;
}

function measure(name: string, works: readonly Work[]): Row {
  const build: number[] = [];
  const layout: number[] = [];
  let row: Row | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const g = buildCitationGraph(works, MAP_MAX_NODES);
    const t1 = performance.now();
    const l = layoutCitationGraph(g);
    build.push(t1 - t0);
    layout.push(l.ms);
    row = { name, works: g.totalWorks, linked: g.linkedWorks, links: g.totalEdges, shown: g.nodes.length, shownLinks: g.edges.length / 2, buildMs: 0, layoutMs: 0, iterations: l.iterations };
  }
  return { ...row!, buildMs: median(build), layoutMs: median(layout) };
}

function main(): void {
  const rows: Row[] = [];
  rows.push(measure('fixtures/seeds', indexPaths([path.join(__dirname, '..', 'fixtures', 'seeds')]).works));
  const sets = generate(SIZES, (m) => console.error(m));
  for (const n of SIZES) {
    const t0 = performance.now();
    const corpus = indexPaths([sets[n].bib]);
    console.error(`indexed bib-${n}: ${corpus.works.length} works in ${int(performance.now() - t0)} ms`);
    rows.push(measure(`bib-${n}.bib`, corpus.works));
  }
  console.log(`Citation map (median of ${RUNS}; cap ${int(MAP_MAX_NODES)} works; Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})\n`);
  console.log('| corpus | works | with links | links | shown works / links | graph build, ms | layout, ms (iterations) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${int(r.works)} | ${int(r.linked)} | ${int(r.links)} | ${int(r.shown)} / ${int(r.shownLinks)} | ${r.buildMs.toFixed(1)} | ${int(r.layoutMs)} (${r.iterations}) |`);
}

main();
