/**
 * The citation map without the editor: the graph built from the fixtures' citations
 * (core/citationGraph.ts), the cap for big corpora, cited-only works, hostile titles kept as data,
 * the layout (core/citationLayout.ts) and the index worker's `graph` request.
 */
import * as assert from 'assert';
import { buildCitationGraph, citationMapOf, loadCitationLayout, neighboursOf } from '../../src/core/format/citationGraph';
import { layoutCitationGraph } from '../../src/core/format/citationLayout';
import { IndexSession } from '../../src/core/index/indexWorker';
import type { Work } from '../../src/core/model/model';
import * as fs from 'fs';
import * as path from 'path';
import { xCorpus } from './helpers/builders';
import { corpusOf, SEEDS, VARIED } from './helpers/corpus';

function w(id: string, over: Partial<Work['x-corpus']> = {}, title?: string): Work {
  return { id, 'citation-label': id, type: 'article-journal', ...(title !== undefined ? { title } : {}), 'x-corpus': xCorpus(over) };
}

/** Every citation link of the corpus as `citing→cited`, read straight from the works. */
function linksOf(works: readonly Work[]): Set<string> {
  const ids = new Set(works.map((x) => x.id));
  const out = new Set<string>();
  for (const x of works) {
    for (const c of x['x-corpus'].cites) if (ids.has(c) && c !== x.id) out.add(`${x.id}→${c}`);
    for (const b of x['x-corpus'].citedBy) if (ids.has(b) && b !== x.id) out.add(`${b}→${x.id}`);
  }
  return out;
}
function edgesOf(g: ReturnType<typeof buildCitationGraph>): string[] {
  const out: string[] = [];
  for (let i = 0; i < g.edges.length; i += 2) out.push(`${g.nodes[g.edges[i]].id}→${g.nodes[g.edges[i + 1]].id}`);
  return out;
}

describe('citation map: the graph (core/citationGraph.ts)', () => {
  for (const [name, dir] of [
    ['seeds', SEEDS],
    ['varied', VARIED],
  ] as const) {
    it(`has every citation link of the ${name} fixtures once, and only those`, () => {
      const c = corpusOf(dir);
      const g = buildCitationGraph(c.works);
      const want = linksOf(c.works);
      assert.ok(want.size >= 10, `the ${name} fixtures have ${want.size} citation links`);
      const got = edgesOf(g);
      assert.strictEqual(new Set(got).size, got.length, 'an edge is repeated');
      assert.deepStrictEqual([...got].sort(), [...want].sort());
      assert.strictEqual(g.totalEdges, want.size);
      assert.strictEqual(g.totalWorks, c.works.length);
      // The shown works are exactly those with a link; isolated ones are left out and counted.
      const linked = new Set([...want].flatMap((e) => e.split('→')));
      assert.deepStrictEqual(new Set(g.nodes.map((n) => n.id)), linked);
      assert.strictEqual(g.linkedWorks, linked.size);
      assert.ok(g.nodes.length < c.works.length, 'some fixture works have no citation link');
    });
  }

  it('tells records from cited-only works, and sizes them by how often the corpus cites them', () => {
    const c = corpusOf(SEEDS);
    const g = buildCitationGraph(c.works);
    const cited = g.nodes.filter((n) => n.kind === 'cited');
    const records = g.nodes.filter((n) => n.kind === 'record');
    assert.ok(cited.length > 0 && records.length > 0, `${cited.length} cited-only, ${records.length} records`);
    for (const n of g.nodes) {
      const work = c.byId.get(n.id)!;
      assert.strictEqual(n.kind, work['x-corpus'].kind, n.id);
      const citing = [...linksOf(c.works)].filter((e) => e.endsWith(`→${n.id}`)).length;
      assert.strictEqual(n.citedBy, citing, `${n.id} is cited ${citing} times`);
    }
    // Voronka 2019 is known only from citations, and cited.
    const voronka = g.nodes.find((n) => n.id === 'voronka2019');
    assert.ok(voronka, 'voronka2019 is on the map');
    assert.strictEqual(voronka.kind, 'cited');
    assert.ok(voronka.citedBy >= 1);
  });

  it('reads a link from either side (cites of the citing work, citedBy of the cited one)', () => {
    const g = buildCitationGraph([w('a', { cites: ['b'] }), w('b', { kind: 'cited' }), w('c', {}), w('d', { citedBy: ['c'] }), w('e', { cites: ['e', 'nowhere'] })]);
    assert.deepStrictEqual(edgesOf(g).sort(), ['a→b', 'c→d']);
    assert.deepStrictEqual(g.nodes.map((n) => n.id), ['a', 'b', 'c', 'd']); // corpus order; e cites only itself
    assert.deepStrictEqual(neighboursOf(g, 1), { citedBy: [0], cites: [] });
    assert.deepStrictEqual(neighboursOf(g, 0), { citedBy: [], cites: [1] });
  });

  it('caps a big corpus at the most connected works, and says how many it left out', () => {
    // 300 records; record i cites the works i+1 … i+(i % 7), and 40 cited-only works are cited
    // by many: those hubs must be kept; works without links are never shown.
    const works: Work[] = [];
    for (let i = 0; i < 300; i++) {
      const cites: string[] = [];
      for (let k = 1; k <= i % 7; k++) if (i + k < 300) cites.push(`r${i + k}`);
      for (let h = 0; h < 40; h++) if ((i + h) % (h + 2) === 0) cites.push(`hub${h}`);
      works.push(w(`r${i}`, { cites }));
    }
    for (let h = 0; h < 40; h++) works.push(w(`hub${h}`, { kind: 'cited' }));
    for (let i = 0; i < 50; i++) works.push(w(`lonely${i}`));
    const full = buildCitationGraph(works, 10_000);
    const g = buildCitationGraph(works, 60);
    assert.strictEqual(g.maxNodes, 60);
    assert.ok(g.nodes.length <= 60 && g.nodes.length > 40, `${g.nodes.length} shown`);
    assert.strictEqual(g.totalWorks, 390);
    assert.strictEqual(g.linkedWorks, full.nodes.length);
    assert.ok(!full.nodes.some((n) => n.id.startsWith('lonely')));
    assert.strictEqual(g.totalEdges, full.edges.length / 2);
    // Kept: the highest degrees of the full graph.
    const degree = new Map<string, number>();
    for (const e of edgesOf(full)) for (const id of e.split('→')) degree.set(id, (degree.get(id) ?? 0) + 1);
    const cut = [...degree.values()].sort((a, b) => b - a)[59];
    for (const n of g.nodes) assert.ok(degree.get(n.id)! >= cut, `${n.id} (degree ${degree.get(n.id)}) is below the cut ${cut}`);
    assert.ok(g.nodes.some((n) => n.id === 'hub0'), 'the most cited hub is kept');
    // Every kept edge joins two kept works, every kept work has a kept edge.
    const shown = new Set(g.nodes.map((n) => n.id));
    const touched = new Set<string>();
    for (const e of edgesOf(g)) {
      for (const id of e.split('→')) {
        assert.ok(shown.has(id), id);
        touched.add(id);
      }
    }
    assert.deepStrictEqual(touched, shown);
    // Sizes stay those of the whole corpus, not of the cut picture.
    assert.strictEqual(g.nodes.find((n) => n.id === 'hub0')!.citedBy, full.nodes.find((n) => n.id === 'hub0')!.citedBy);
    // Deterministic: the same corpus, the same picture.
    assert.deepStrictEqual(buildCitationGraph(works, 60), g);
  });

  it('keeps hostile titles and labels as text data (controls removed, length capped)', () => {
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> & \u202eevil\u0007';
    const g = buildCitationGraph([w('x', { cites: ['y'] }, hostile), { ...w('y', { kind: 'cited' }, 'T'.repeat(5000)), 'citation-label': '<b>Y</b> 2020' }]);
    const x = g.nodes.find((n) => n.id === 'x')!;
    assert.strictEqual(x.title, '<img src=x onerror="alert(1)"><script>alert(2)</script> & evil');
    const y = g.nodes.find((n) => n.id === 'y')!;
    assert.strictEqual(y.label, '<b>Y</b> 2020');
    assert.ok(y.title.length <= 301, `title of ${y.title.length} characters`);
  });
});

describe('citation map: the layout (core/citationLayout.ts)', () => {
  it('gives every shown work a finite position, the same each time, spread out', () => {
    const g = buildCitationGraph(corpusOf(SEEDS).works);
    const a = layoutCitationGraph(g);
    const b = layoutCitationGraph(g);
    assert.strictEqual(a.positions.length, g.nodes.length * 2);
    assert.ok(a.positions.every((v) => Number.isFinite(v)));
    assert.deepStrictEqual(Array.from(a.positions), Array.from(b.positions));
    assert.ok(a.iterations > 0);
    const xs = Array.from(a.positions).filter((_, i) => i % 2 === 0);
    assert.ok(Math.max(...xs) - Math.min(...xs) > 1, 'the works are spread out');
    // Linked works end closer together than the average pair.
    const d = (i: number, j: number) => Math.hypot(a.positions[2 * i] - a.positions[2 * j], a.positions[2 * i + 1] - a.positions[2 * j + 1]);
    let linked = 0;
    for (let e = 0; e < g.edges.length; e += 2) linked += d(g.edges[e], g.edges[e + 1]);
    linked /= g.edges.length / 2;
    let all = 0;
    let pairs = 0;
    for (let i = 0; i < g.nodes.length; i++) {
      for (let j = i + 1; j < g.nodes.length; j++) {
        all += d(i, j);
        pairs++;
      }
    }
    assert.ok(linked < all / pairs, `linked ${linked.toFixed(1)} vs average ${(all / pairs).toFixed(1)}`);
  });

  it('stops at its iteration bound and its time budget', () => {
    const g = buildCitationGraph(corpusOf(SEEDS).works);
    assert.strictEqual(layoutCitationGraph(g, { iterations: 7 }).iterations, 7);
    assert.strictEqual(layoutCitationGraph(g, { budgetMs: 0 }).iterations, 0);
    assert.deepStrictEqual(layoutCitationGraph({ nodes: [], edges: [] }).positions.length, 0);
  });

  it('is loaded on demand, apart from the index worker bundle', () => {
    assert.strictEqual(loadCitationLayout().layoutCitationGraph, layoutCitationGraph);
    const worker = fs.readFileSync(path.join(__dirname, '../../src/core/index/indexWorker.ts'), 'utf8');
    assert.doesNotMatch(worker, /from '\.\/citationLayout'/, 'the worker must not import graphology statically');
  });
});

describe('citation map: the index worker request', () => {
  it('answers `graph` with the last build laid out', () => {
    const s = new IndexSession();
    for (const f of fs.readdirSync(SEEDS)) {
      const file = path.join(SEEDS, f);
      s.handle({ id: 1, kind: 'parse', file, bytes: fs.readFileSync(file) });
    }
    const built = s.handle({ id: 2, kind: 'build' });
    assert.strictEqual(built.kind, 'built');
    const res = s.handle({ id: 3, kind: 'graph' });
    assert.strictEqual(res.kind, 'graph', JSON.stringify(res).slice(0, 300));
    const direct = citationMapOf(corpusOf(SEEDS).works);
    assert.deepStrictEqual(res.map.nodes.map((n) => n.id), direct.nodes.map((n) => n.id));
    assert.deepStrictEqual(res.map.edges, direct.edges);
    assert.strictEqual(res.map.positions.length, res.map.nodes.length * 2);
    const capped = s.handle({ id: 4, kind: 'graph', maxNodes: 5 });
    assert.ok(capped.kind === 'graph' && capped.map.nodes.length <= 5 && capped.map.maxNodes === 5);
  });
});
