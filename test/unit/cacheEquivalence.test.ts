/**
 * The binary warm-start cache (issue 15) gives what a cold index gives: the same works (as the
 * editor holds them: without per-field source lines), the same problems, the same keys and the
 * same search hits, in order, on the fixtures, on the real libraries of ../shared/bench-data and
 * on a generated library. The worker's path (IndexSession + receiveBuild) is checked beside it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { indexWithCache } from '../../src/core/index/indexCache';
import { type IndexRequest, IndexSession } from '../../src/core/index/indexWorker';
import { indexPaths } from '../../src/core/build/loadFiles';
import type { Work } from '../../src/core/model/model';
import { receiveBuild } from '../../src/core/index/receiveBuild';
import { SearchIndex } from '../../src/core/search/search';
import { ROOT, SEEDS, VARIED } from './helpers/corpus';

const BENCH_DATA = process.env.CORPUS_CITE_BENCH_DATA || path.resolve(ROOT, '..', 'shared', 'bench-data');
const plain = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;

/** Queries drawn from the corpus itself: first authors, title words, years, DOI prefixes, ids. */
function queriesOf(works: readonly Work[]): string[] {
  const q = new Set<string>(['p', 'peer support', 'the', '2019', 'smith 2020', '10.1']);
  for (let i = 0; i < works.length && q.size < 60; i += Math.max(1, Math.floor(works.length / 40))) {
    const w = works[i];
    const fam = w.author?.[0]?.family;
    if (fam) q.add(fam.toLowerCase().slice(0, 5));
    const word = w.title?.split(/\s+/).find((t) => t.length > 5);
    if (word) q.add(word.toLowerCase());
    q.add(w.id.slice(0, 6));
    if (w.DOI) q.add(w.DOI.slice(0, 9));
  }
  return [...q];
}

const hits = (s: SearchIndex, queries: string[]) => queries.map((q) => [q, s.search(q, 50).results.map((r) => r.work.id)]);

function libraries(): { name: string; paths: string[] }[] {
  const out = [{ name: 'fixtures (seeds + varied)', paths: [SEEDS, VARIED] }];
  for (const f of ['bbt-1436-3.bib', 'bbt-1296.bib', 'muccigrosso-zotero.csl.json']) {
    const p = path.join(BENCH_DATA, f);
    if (fs.existsSync(p)) out.push({ name: f, paths: [p] });
  }
  return out;
}

let nextId = 1;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

describe('the binary warm-start cache gives what a cold index gives', function () {
  this.timeout(300000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-equiv-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const lib of libraries()) {
    it(`${lib.name}: works, problems, keys and search hits (core and worker)`, async () => {
      // Copies with an old mtime: trusted on size + time at the next start.
      const files: string[] = [];
      for (const p of lib.paths) {
        const list = fs.statSync(p).isDirectory() ? fs.readdirSync(p).sort().map((f) => path.join(p, f)) : [p];
        for (const f of list) {
          const to = path.join(dir, 'corpus', `${files.length}-${path.basename(f)}`);
          fs.mkdirSync(path.dirname(to), { recursive: true });
          fs.copyFileSync(f, to);
          const old = new Date(Date.now() - 3600_000 - 123);
          fs.utimesSync(to, old, old);
          files.push(to);
        }
      }
      const corpusDir = path.join(dir, 'corpus');
      const cold = indexPaths([corpusDir], { maxFileBytes: 2 ** 31 });
      const coldSearch = SearchIndex.build(cold.works);
      const queries = queriesOf(cold.works);

      indexWithCache([corpusDir], path.join(dir, 'cache'), { maxFileBytes: 2 ** 31 });
      const warm = indexWithCache([corpusDir], path.join(dir, 'cache'), { maxFileBytes: 2 ** 31 });
      assert.strictEqual(warm.stats.corpusFromCache, true);
      // The search index too came from the cache (a section found damaged is rebuilt: the same hits, so say it here).
      assert.strictEqual(warm.stats.note, undefined);
      assert.strictEqual(warm.stats.ms.search, 0);
      assert.deepStrictEqual(plain(warm.works), plain(cold.works));
      assert.deepStrictEqual(warm.problems, cold.problems);
      assert.deepStrictEqual([...warm.byId.keys()], [...cold.byId.keys()]);
      assert.deepStrictEqual(hits(warm.search, queries), hits(coldSearch, queries));

      // The editor's path: the worker session's cache, written by one start, read by the next.
      const start = async () => {
        const s = new IndexSession();
        const ask = (req: DistributiveOmit<IndexRequest, 'id'>) => s.handle({ ...req, id: nextId++ } as IndexRequest);
        ask({ kind: 'cache-open', dir: path.join(dir, 'worker-cache'), salt: 'v' });
        for (const f of files) {
          const st = fs.statSync(f);
          if (ask({ kind: 'cached', file: f, size: st.size, mtimeMs: st.mtimeMs }).kind !== 'parsed') ask({ kind: 'parse', file: f, bytes: fs.readFileSync(f), mtimeMs: st.mtimeMs });
        }
        const b = await receiveBuild((req) => Promise.resolve(s.handle({ ...req, id: nextId++ })), { pause: () => Promise.resolve() });
        ask({ kind: 'cache-save' });
        return b;
      };
      const first = await start();
      const second = await start();
      assert.strictEqual(first.corpusFromCache, false);
      assert.strictEqual(second.corpusFromCache, true);
      for (const b of [first, second]) {
        assert.deepStrictEqual(plain(b.works), plain(cold.works));
        assert.deepStrictEqual(b.problems, cold.problems);
        assert.deepStrictEqual(hits(b.search, queries), hits(coldSearch, queries));
      }
    });
  }
});
