import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { buildCorpus } from '../../src/core/build/corpus';
import { CACHE_FILE } from '../../src/core/index/indexCache';
import { type IndexRequest, IndexSession, lowerThreadPriority } from '../../src/core/index/indexWorker';
import { parseBytes } from '../../src/core/build/loadFiles';
import { workEntriesByFile } from '../../src/core/manuscript/navigation';
import type { Work } from '../../src/core/model/model';
import { receiveBuild } from '../../src/core/index/receiveBuild';
import { SearchIndex } from '../../src/core/search/search';
import { fromWire, Interner, toWire } from '../../src/core/model/wire';
import { corpusOf, pastMtime, SEEDS, VARIED } from './helpers/corpus';

let nextId = 100;
/**
 * Builds in the session and takes the works in as the editor does (in slices), the answer
 * cloned as a message to the editor is (shared buffers shared, the rest copied).
 */
function built(s: IndexSession, firstChunk = 2) {
  return receiveBuild((req) => Promise.resolve(structuredClone(s.handle({ ...req, id: nextId++ }))), { pause: () => Promise.resolve(), firstChunk });
}

describe('works on the wire from the worker to the editor', () => {
  it('send each file path once per chunk and come back equal, less the per-field lines', () => {
    const works = corpusOf(SEEDS).works;
    const chunk = toWire(works);
    const files = new Set(works.flatMap((w) => [...w['x-corpus'].sources.map((s) => s.file), ...w['x-corpus'].contexts.map((c) => c.file)]));
    assert.strictEqual(chunk.files.length, files.size);
    assert.ok(!JSON.stringify(chunk.works).includes(SEEDS), 'no path inside the works');
    const back = fromWire(structuredClone(chunk));
    const noFields = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;
    assert.deepStrictEqual(noFields(back), noFields(works));
    assert.ok(works.some((w) => w['x-corpus'].contexts.length > 0) && works.some((w) => w['x-corpus'].sources.some((s) => s.fields)));
    // The worker's works are untouched.
    assert.ok(works.some((w) => w['x-corpus'].sources.some((s) => s.fields)));
  });

  it('share repeated values across chunks on the receiving side: one frozen empty list, one date per year, one string per path', () => {
    const works = corpusOf(SEEDS).works;
    const interner = new Interner();
    const a = fromWire(structuredClone(toWire(works.slice(0, 10))), interner);
    const b = fromWire(structuredClone(toWire(works.slice(10))), interner);
    const all = [...a, ...b];
    const empties = new Set(all.flatMap((w) => [w['x-corpus'].citedBy, w['x-corpus'].related].filter((l) => l.length === 0)));
    assert.strictEqual(empties.size, 1);
    assert.ok(Object.isFrozen([...empties][0]), 'a shared list cannot be changed through one work');
    const y2019 = all.filter((w) => w.issued && JSON.stringify(w.issued) === '{"date-parts":[[2019]]}');
    assert.ok(y2019.length >= 2 && new Set(y2019.map((w) => w.issued)).size === 1);
    assert.throws(() => (all.find((w) => w['x-corpus'].citedBy.length === 0)!['x-corpus'].citedBy as string[]).push('x'));
    const noFields = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;
    assert.deepStrictEqual(noFields(all), noFields(works));
  });
});

describe('IndexSession (the indexing worker’s state)', () => {
  const files = fs.readdirSync(SEEDS).sort().map((f) => path.join(SEEDS, f));

  it('parses files, builds the corpus, and forgets dropped files', async () => {
    const s = new IndexSession();
    files.forEach((file, i) => {
      const r = s.handle({ id: i, kind: 'parse', file, bytes: fs.readFileSync(file) });
      assert.strictEqual(r.kind, 'parsed');
      assert.strictEqual(r.id, i);
    });
    const first = await built(s);
    const ids = first.works.map((w) => w.id);
    assert.ok(ids.includes('gillard2022') && ids.includes('voronka2019'));

    s.handle({ id: 11, kind: 'drop', file: files[0] });
    const second = await built(s);
    assert.ok(!second.works.some((w) => w.id === 'gillard2022'), 'a dropped file still contributes works');
  });

  it('keeps problems set for a file that could not be read', async () => {
    const s = new IndexSession();
    s.handle({ id: 1, kind: 'set', parsed: { file: '/x.bib', records: [], problems: [{ file: '/x.bib', line: 1, severity: 'error', message: 'gone' }] } });
    const b = await built(s);
    assert.deepStrictEqual(b.problems.map((p) => p.message), ['gone']);
    assert.strictEqual(b.works.length, 0);
  });

  it('answers an empty file with a problem, not an exception', async () => {
    const s = new IndexSession();
    const r = s.handle({ id: 1, kind: 'parse', file: '/empty.bib', bytes: new Uint8Array() });
    assert.strictEqual(r.kind, 'parsed');
    assert.strictEqual((await built(s)).problems.length, 1);
  });

  it('hands over the corpus in one answer, taken in in slices, equal to building it in one piece, with a working search index and lookup', async () => {
    const all = [...files, ...fs.readdirSync(VARIED).sort().map((f) => path.join(VARIED, f))];
    const s = new IndexSession();
    all.forEach((file, i) => s.handle({ id: i, kind: 'parse', file, bytes: fs.readFileSync(file) }));
    const direct = buildCorpus(all.map((f) => parseBytes(fs.readFileSync(f), f)));
    // Per-field source lines stay in the worker (see core/model/wire.ts); everything else comes across.
    const strip = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;
    for (const first of [1, 3, 1000]) {
      const b = await built(s, first);
      assert.deepStrictEqual(strip(b.works), strip(direct.works), `slices starting at ${first}`);
      assert.ok(first > direct.works.length || b.chunks > 1, 'more than one slice');
      assert.strictEqual(b.byId.size, direct.byId.size);
      assert.strictEqual(b.lookup.works.length, direct.works.length);
      assert.strictEqual(b.lookup.label('Voronka 2019')?.id, 'voronka2019');
      const here = SearchIndex.build(direct.works);
      for (const q of ['voron', 'mead 2017', 'peer support', '10.1080', 'gillard 2022 values']) {
        assert.deepStrictEqual(b.search.search(q, 10).results.map((h) => h.work.id), here.search(q, 10).results.map((h) => h.work.id), q);
      }
    }
    assert.ok(direct.works.some((w) => w['x-corpus'].sources.some((src) => src.fields)), 'the fixtures have per-field lines to leave out');
    // The session keeps the last build: the editor asks it which works a corpus file's lines name.
    const byFile = workEntriesByFile(direct.works);
    assert.ok(byFile.size >= 3);
    for (const [file, entries] of byFile) assert.deepStrictEqual(s.handle({ id: 1, kind: 'entries', file }), { id: 1, kind: 'entries', entries });
    assert.deepStrictEqual(new IndexSession().handle({ id: 2, kind: 'entries', file: all[0] }), { id: 2, kind: 'entries', entries: [] });
  });

  it('reports how many works have come across, from none to all, in order (the status bar counts them)', async () => {
    const s = new IndexSession();
    files.forEach((file, i) => s.handle({ id: i, kind: 'parse', file, bytes: fs.readFileSync(file) }));
    const seen: [number, number][] = [];
    const b = await receiveBuild((req) => Promise.resolve(s.handle({ ...req, id: nextId++ })), { pause: () => Promise.resolve(), firstChunk: 1, onProgress: (done, total) => seen.push([done, total]) });
    const n = b.works.length;
    assert.ok(n > 2 && b.chunks > 1);
    assert.deepStrictEqual(seen[0], [0, n]);
    assert.deepStrictEqual(seen[seen.length - 1], [n, n]);
    assert.strictEqual(seen.length, b.chunks + 1, 'once before the first slice and once after each');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] > seen[i - 1][0] && seen[i][1] === n, JSON.stringify(seen));
  });

  it('stops when the session fails, with the session’s message', async () => {
    await assert.rejects(
      receiveBuild(() => Promise.resolve({ id: 0, kind: 'error', message: 'worker gone' }), { pause: () => Promise.resolve(), firstChunk: 1 }),
      /worker gone/,
    );
  });

  /** A session holding `n` generated works (one BibTeX file). */
  const generated = (n: number): IndexSession => {
    const bib = Array.from({ length: n }, (_, i) => `@article{w${i},\n  author = {Author${i % 97}, A.},\n  title = {Title number ${i}},\n  year = {${1990 + (i % 30)}}\n}\n`).join('\n');
    const s = new IndexSession();
    s.handle({ id: 1, kind: 'parse', file: '/tmp/generated.bib', bytes: new TextEncoder().encode(bib) });
    return s;
  };

  it('sends the works in the build’s answer, their bytes shared with the worker (not copied), the heads as joined strings', () => {
    const s = generated(300);
    const res = s.handle({ id: 1, kind: 'build' });
    assert.ok(res.kind === 'built');
    assert.ok(res.works.bytes.buffer instanceof SharedArrayBuffer, 'the bytes are in a SharedArrayBuffer');
    assert.strictEqual(res.works.ends.length, 300);
    assert.strictEqual(typeof res.works.ids.joined, 'string');
    assert.strictEqual(res.works.ids.starts.length, 301);
    // As a message: the editor's copy reads the worker's memory.
    const received = structuredClone(res);
    // A write through one is seen through the other (shared, not copied); undone at once.
    const was = res.works.bytes[1];
    received.works.bytes[1] = was + 1;
    assert.strictEqual(res.works.bytes[1], was + 1, 'shared, not copied');
    received.works.bytes[1] = was;
  });

  it('takes the works in in slices with the event loop let run before each, every work once, in order', async () => {
    const s = generated(400);
    const events: string[] = [];
    const b = await receiveBuild((req) => Promise.resolve(structuredClone(s.handle({ ...req, id: nextId++ }))), {
      pause: () => {
        events.push('pause');
        return Promise.resolve();
      },
      firstChunk: 50,
      onProgress: (done) => events.push(`took ${done}`),
    });
    assert.strictEqual(b.works.length, 400);
    const once = await built(s, 10_000); // the same build taken in in one slice
    assert.deepStrictEqual(b.works.map((w) => w.id), once.works.map((w) => w.id));
    assert.strictEqual(new Set(b.works.map((w) => w.id)).size, 400);
    assert.ok(b.chunks > 1);
    // took 0, then (pause, took n) per slice, then a pause before the search index.
    assert.strictEqual(events[0], 'took 0');
    const steps = events.slice(1, -1);
    assert.strictEqual(steps.length, 2 * b.chunks);
    for (let i = 0; i < steps.length; i += 2) assert.strictEqual(steps[i], 'pause', events.join(', '));
    assert.strictEqual(events[events.length - 1], 'pause');
    assert.strictEqual(b.lookup.byId.size, 400);
  });

  it('sizes the slices by the time each takes here: ×2 at most per step when fast, halved when slow', async () => {
    const s = generated(3000);
    // Each reading of the clock is 1 ms later: every slice "takes" 1 ms, under the 8 ms target.
    let clock = 0;
    const fast = await receiveBuild((req) => Promise.resolve(s.handle({ ...req, id: nextId++ })), { pause: () => Promise.resolve(), firstChunk: 50, now: () => clock++ });
    // 50, 100, 200, 400, 800, 1450.
    assert.strictEqual(fast.works.length, 3000);
    assert.strictEqual(fast.chunks, 6);
    // Each slice "takes" 40 ms: 400, 200, 100, then the 50-work minimum (46 of them).
    const slow = await receiveBuild((req) => Promise.resolve(s.handle({ ...req, id: nextId++ })), { pause: () => Promise.resolve(), firstChunk: 400, now: () => (clock += 40) });
    assert.strictEqual(slow.works.length, 3000);
    assert.strictEqual(slow.chunks, 49);
  });

  it('exports BibTeX and formatted entries', async function () {
    this.timeout(30_000); // citation-js loads on first use
    const s = new IndexSession();
    const file = files.find((f) => f.includes('002_'))!;
    s.handle({ id: 1, kind: 'parse', file, bytes: fs.readFileSync(file) });
    const perkins = (await built(s)).works.filter((w) => w.id === 'perkins2019');
    const bib = s.handle({ id: 3, kind: 'export', works: perkins, format: 'bibtex' });
    assert.ok(bib.kind === 'text' && /@article\{perkins2019,/.test(bib.text));
    const apa = s.handle({ id: 4, kind: 'export', works: perkins, format: 'bibliography', style: 'apa' });
    assert.ok(apa.kind === 'text' && /^Perkins, R\., & Repper, J\. \(2019\)/.test(apa.text), apa.kind === 'text' ? apa.text : apa.kind);
  });
});

describe('the index worker’s warm start (a cache from the last session)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A copy of the seeds and the varied fixtures, with old modification times (not "racy"). */
  function workspace(): { dir: string; files: string[]; cache: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-warm-'));
    dirs.push(dir);
    const files: string[] = [];
    for (const src of [SEEDS, VARIED]) {
      for (const f of fs.readdirSync(src).sort()) {
        const to = path.join(dir, `${path.basename(src)}-${f}`);
        fs.copyFileSync(path.join(src, f), to);
        const old = pastMtime(3600_000);
        fs.utimesSync(to, old, old);
        files.push(to);
      }
    }
    return { dir, files, cache: path.join(dir, '.cache') };
  }

  let id = 1;
  const ask = (s: IndexSession, req: DistributiveOmit<IndexRequest, 'id'>) => s.handle({ ...req, id: id++ } as IndexRequest);
  type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

  /** One editor start: open the cache, take each file from it or parse it, build, save. */
  async function start(w: ReturnType<typeof workspace>, salt = 'v1') {
    const s = new IndexSession();
    const opened = ask(s, { kind: 'cache-open', dir: w.cache, salt });
    let hits = 0;
    for (const file of w.files) {
      const st = fs.statSync(file);
      const r = ask(s, { kind: 'cached', file, size: st.size, mtimeMs: st.mtimeMs });
      if (r.kind === 'parsed') hits++;
      else ask(s, { kind: 'parse', file, bytes: fs.readFileSync(file), mtimeMs: st.mtimeMs });
    }
    const b = await built(s);
    ask(s, { kind: 'cache-save' });
    return { valid: opened.kind === 'cache-opened' && opened.valid, hits, b };
  }

  const strip = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;

  it('takes unchanged files and the corpus from the cache at the next start, and gives the same corpus', async () => {
    const w = workspace();
    const first = await start(w);
    assert.deepStrictEqual([first.valid, first.hits, first.b.corpusFromCache], [false, 0, false]);
    assert.ok(fs.existsSync(path.join(w.cache, CACHE_FILE)));
    const second = await start(w);
    assert.deepStrictEqual([second.valid, second.hits, second.b.corpusFromCache], [true, w.files.length, true]);
    assert.deepStrictEqual(strip(second.b.works), strip(first.b.works));
    assert.deepStrictEqual(second.b.problems, first.b.problems);
    assert.deepStrictEqual(second.b.search.search('voron', 5).results.map((h) => h.work.id), first.b.search.search('voron', 5).results.map((h) => h.work.id));
  });

  it('parses a file changed since, and builds the corpus again', async () => {
    const w = workspace();
    await start(w);
    const changed = w.files.find((f) => f.includes('000_'))!;
    fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replace(/re-balancing/g, 'Changed values'));
    const old = pastMtime(1800_000);
    fs.utimesSync(changed, old, old);
    const next = await start(w);
    assert.strictEqual(next.hits, w.files.length - 1);
    assert.strictEqual(next.b.corpusFromCache, false);
    assert.ok(next.b.works.some((x) => /Changed values/.test(x.title ?? '')), 'the new content is indexed');
    // And the start after that trusts the new content.
    const after = await start(w);
    assert.deepStrictEqual([after.hits, after.b.corpusFromCache], [w.files.length, true]);
    assert.deepStrictEqual(strip(after.b.works), strip(next.b.works));
  });

  it('after writing the cache lets the parses go, and reads them back from it when another file changes in the same session', async () => {
    const w = workspace();
    const s = new IndexSession();
    ask(s, { kind: 'cache-open', dir: w.cache, salt: 'v1' });
    for (const file of w.files) ask(s, { kind: 'parse', file, bytes: fs.readFileSync(file), mtimeMs: fs.statSync(file).mtimeMs });
    await built(s);
    ask(s, { kind: 'cache-save' });
    const held = (s as unknown as { files: Map<string, unknown> }).files;
    assert.strictEqual(held.size, 0, 'no parse kept once the cache holds them all');
    // Nothing changed: the next build is the cached corpus.
    assert.strictEqual((await built(s)).corpusFromCache, true);
    const changed = w.files.find((f) => f.includes('000_'))!;
    fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replace(/re-balancing/g, 'Changed values'));
    ask(s, { kind: 'parse', file: changed, bytes: fs.readFileSync(changed), mtimeMs: fs.statSync(changed).mtimeMs });
    const again = await built(s);
    assert.strictEqual(again.corpusFromCache, false);
    // The same corpus as a session that parsed every file itself.
    const fresh = new IndexSession();
    for (const file of w.files) ask(fresh, { kind: 'parse', file, bytes: fs.readFileSync(file) });
    const expected = await built(fresh);
    assert.ok(again.works.some((x) => /Changed values/.test(x.title ?? '')), 'the new content is indexed');
    assert.deepStrictEqual(strip(again.works), strip(expected.works));
    assert.deepStrictEqual(again.problems, expected.problems);
  });

  it('ignores the cache of another version (salt), and a file just written is not trusted by its time alone', async () => {
    const w = workspace();
    await start(w, 'v1');
    const other = await start(w, 'v2');
    assert.deepStrictEqual([other.valid, other.hits, other.b.corpusFromCache], [false, 0, false]);
    // Written a moment ago: its entry is "racy" and the next start reads it again.
    const fresh = w.files[0];
    fs.utimesSync(fresh, new Date(), new Date());
    await start(w, 'v2');
    const next = await start(w, 'v2');
    assert.strictEqual(next.hits, w.files.length - 1);
  });

  it('a file touched but not changed is read again, the corpus still comes from the cache, and the cache learns the new time', async () => {
    const w = workspace();
    const first = await start(w);
    const touched = w.files[2];
    const later = pastMtime(1200_000);
    fs.utimesSync(touched, later, later);
    const second = await start(w);
    assert.deepStrictEqual([second.hits, second.b.corpusFromCache], [w.files.length - 1, true]);
    assert.deepStrictEqual(strip(second.b.works), strip(first.b.works));
    const third = await start(w);
    assert.deepStrictEqual([third.hits, third.b.corpusFromCache], [w.files.length, true]);
  });

  it('a file gone since is simply not asked for: the corpus is built without it', async () => {
    const w = workspace();
    const first = await start(w);
    const gone = w.files.find((f) => f.includes('000_'))!;
    const next = await start({ ...w, files: w.files.filter((f) => f !== gone) });
    assert.strictEqual(next.b.corpusFromCache, false);
    assert.ok(first.b.works.some((x) => x.id === 'gillard2022') && !next.b.works.some((x) => x.id === 'gillard2022' && x['x-corpus'].kind === 'record'));
  });
});

describe('the index worker’s priority', () => {
  it('is lowered for the worker thread alone on Linux, at its first heavy job (a parse), and left alone elsewhere', async function () {
    assert.strictEqual(lowerThreadPriority('darwin'), false);
    assert.strictEqual(lowerThreadPriority('win32'), false);
    if (process.platform !== 'linux') this.skip();
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    // The worker module answers the parent's requests; this code reports the thread's nice value
    // at the start and after each request (its listener runs after the module's).
    const code = `require('tsx/cjs'); require(${JSON.stringify(require.resolve('../../src/core/index/indexWorker'))});
      const { parentPort } = require('worker_threads'); const stat = () => require('fs').readFileSync('/proc/thread-self/stat', 'utf8');
      parentPort.postMessage({ stat: stat() }); parentPort.on('message', () => parentPort.postMessage({ stat: stat() }));`;
    const mine = niceOf(fs.readFileSync('/proc/thread-self/stat', 'utf8'));
    const w = new Worker(code, { eval: true });
    const stats: string[] = [];
    const next = () =>
      new Promise<string>((resolve, reject) => {
        const on = (m: { stat?: string }) => {
          if (m.stat === undefined) return;
          w.off('message', on);
          resolve(m.stat);
        };
        w.on('message', on);
        w.once('error', reject);
      });
    try {
      stats.push(await next());
      const afterWalk = next();
      w.postMessage({ id: 1, kind: 'walk-problems', problems: [] });
      stats.push(await afterWalk);
      const afterParse = next();
      w.postMessage({ id: 2, kind: 'parse', file: '/tmp/x.bib', bytes: new TextEncoder().encode('@article{a, title={T}, year={2020}}') });
      stats.push(await afterParse);
      assert.strictEqual(niceOf(stats[0]), mine, 'at the start: the editor’s priority');
      assert.strictEqual(niceOf(stats[1]), mine, 'after a light request');
      assert.ok(niceOf(stats[2]) >= 10, `after a parse: nice ${niceOf(stats[2])}`);
      assert.strictEqual(niceOf(fs.readFileSync('/proc/thread-self/stat', 'utf8')), mine, 'the thread that started it keeps its priority');
    } finally {
      await w.terminate();
    }
  });

  it('is not lowered for what a warm start waits on (cache open, cached files, the cached corpus, its works), and is for a cold build', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-heavy-'));
    try {
      const file = path.join(SEEDS, fs.readdirSync(SEEDS).sort()[0]);
      const st = fs.statSync(file);
      const start = (heavy: () => void) => {
        const s = new IndexSession(heavy);
        s.handle({ id: 1, kind: 'cache-open', dir, salt: 't' });
        return s;
      };
      let calls = 0;
      const first = start(() => calls++);
      if (first.handle({ id: 2, kind: 'cached', file, size: st.size, mtimeMs: st.mtimeMs }).kind === 'miss') first.handle({ id: 3, kind: 'parse', file, bytes: fs.readFileSync(file), mtimeMs: st.mtimeMs });
      await built(first, 1000);
      first.handle({ id: 4, kind: 'cache-save' });
      assert.strictEqual(calls, 1, 'cold: lowered once');
      let warmCalls = 0;
      const second = start(() => warmCalls++);
      assert.strictEqual(second.handle({ id: 5, kind: 'cached', file, size: st.size, mtimeMs: st.mtimeMs }).kind, 'parsed');
      const b = await built(second, 1000);
      assert.ok(b.corpusFromCache);
      assert.strictEqual(warmCalls, 0, 'warm: not lowered');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
