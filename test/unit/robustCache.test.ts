/**
 * The warm-start cache is verified (issue 12): a damaged cache never gives a corpus other than a
 * cold index's, a damaged section says so in one line, and an mtime that cannot tell two
 * versions apart (whole seconds: FAT, SMB, some container file systems; or within 2 s of the
 * cache write) is never trusted.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CACHE_FILE, coarseMtime, indexWithCache } from '../../src/core/index/indexCache';
import { type IndexRequest, IndexSession } from '../../src/core/index/indexWorker';
import { indexPaths } from '../../src/core/build/loadFiles';
import type { Work } from '../../src/core/model/model';
import { receiveBuild } from '../../src/core/index/receiveBuild';
import { SEEDS, VARIED } from './helpers/corpus';

let nextId = 1;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
const ask = (s: IndexSession, req: DistributiveOmit<IndexRequest, 'id'>) => s.handle({ ...req, id: nextId++ } as IndexRequest);
const strip = (ws: readonly Work[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;

/** A small PRNG so the corruptions are the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('the warm-start cache is verified', function () {
  this.timeout(120000);
  let dir: string;
  let files: string[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-cache-'));
    files = [];
    for (const src of [SEEDS, VARIED]) {
      for (const f of fs.readdirSync(src).sort()) {
        const to = path.join(dir, 'corpus', `${path.basename(src)}-${f}`);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(path.join(src, f), to);
        const old = new Date(Date.now() - 3600_000 - 123); // not recent, not a whole second
        fs.utimesSync(to, old, old);
        files.push(to);
      }
    }
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** One editor start through the worker's protocol: cache, else parse; build; fetch every work and read every field. */
  async function editorStart(cacheDir: string) {
    const s = new IndexSession();
    const opened = ask(s, { kind: 'cache-open', dir: cacheDir, salt: 'v' });
    let hits = 0;
    for (const file of files) {
      const st = fs.statSync(file);
      const r = ask(s, { kind: 'cached', file, size: st.size, mtimeMs: st.mtimeMs });
      if (r.kind === 'parsed') hits++;
      else ask(s, { kind: 'parse', file, bytes: fs.readFileSync(file), mtimeMs: st.mtimeMs });
    }
    const b = await receiveBuild((req) => Promise.resolve(s.handle({ ...req, id: nextId++ })), { pause: () => Promise.resolve() });
    // Reading every field of every work, as the editor's views do: must not throw.
    const text = JSON.stringify(b.works.map((w) => ({ ...w, label: w['citation-label'], sources: w['x-corpus'].sources.map((x) => x.file) })));
    ask(s, { kind: 'cache-save' });
    return { hits, works: b.works, problems: b.problems, text, note: opened.kind === 'cache-opened' ? opened.note : undefined, fromCache: b.corpusFromCache };
  }

  it('200 one-byte corruptions of the cache file (CLI cache): the corpus is always a cold index’s; damage is said', () => {
    const cacheDir = path.join(dir, 'cli-cache');
    const corpusDir = path.join(dir, 'corpus');
    const cold = indexPaths([corpusDir]);
    const first = indexWithCache([corpusDir], cacheDir);
    assert.deepStrictEqual(strip(first.works), strip(cold.works));
    const file = path.join(cacheDir, CACHE_FILE);
    const good = fs.readFileSync(file);
    const next = rng(12);
    let noted = 0;
    for (let k = 0; k < 200; k++) {
      const bad = Buffer.from(good);
      const at = Math.floor(next() * bad.length);
      bad[at] ^= 1 + Math.floor(next() * 255);
      fs.writeFileSync(file, bad);
      const r = indexWithCache([corpusDir], cacheDir, { readOnly: true });
      assert.deepStrictEqual(strip(r.works), strip(cold.works), `corruption at byte ${at} changed the corpus`);
      assert.deepStrictEqual(r.problems, cold.problems);
      // A damaged section that this run did not need (the parses, when the corpus section is
      // intact and every file unchanged) is not read, so not checked: nothing to say yet.
      if (r.stats.note) noted++;
    }
    console.log(`      ${noted} of 200 corruptions reported in the note, the others hit a section not needed or the version/salt`);
    assert.ok(noted >= 100, `${noted} of 200 said`);
  });

  it('200 one-byte corruptions (the editor’s worker): the same corpus as a cold start, one log line, no work throws', async () => {
    const cacheDir = path.join(dir, 'worker-cache');
    const cold = await editorStart(cacheDir);
    const warm = await editorStart(cacheDir);
    assert.strictEqual(warm.hits, files.length);
    assert.strictEqual(warm.fromCache, true);
    assert.deepStrictEqual(strip(warm.works), strip(cold.works));
    const file = path.join(cacheDir, CACHE_FILE);
    const good = fs.readFileSync(file);
    const next = rng(34);
    let noted = 0;
    for (let k = 0; k < 200; k++) {
      const bad = Buffer.from(good);
      const at = Math.floor(next() * bad.length);
      bad[at] ^= 1 + Math.floor(next() * 255);
      fs.writeFileSync(file, bad);
      const r = await editorStart(cacheDir);
      assert.deepStrictEqual(strip(r.works), strip(cold.works), `corruption at byte ${at} changed the corpus`);
      assert.deepStrictEqual(r.problems, cold.problems);
      if (r.note) noted++;
      else assert.ok(r.hits === 0, `byte ${at}: ${r.hits} files taken from a damaged cache without a word`);
      fs.writeFileSync(file, good);
    }
    assert.ok(noted >= 190, `${noted} of 200 said`);
  });

  it('a file edited within the same whole second, keeping its size, is read again (coarse timestamps)', async () => {
    const corpusDir = path.join(dir, 'corpus');
    const f = path.join(corpusDir, 'coarse.bib');
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000); // whole seconds, an hour ago
    fs.writeFileSync(f, '@article{coarse2020, title = {Old title here}, year = 2020}\n');
    fs.utimesSync(f, second, second);
    files.push(f);
    assert.ok(coarseMtime(fs.statSync(f).mtimeMs));
    const cacheDir = path.join(dir, 'c1');
    indexWithCache([corpusDir], cacheDir);
    await editorStart(path.join(dir, 'c2'));
    fs.writeFileSync(f, '@article{coarse2020, title = {New title here}, year = 2020}\n');
    fs.utimesSync(f, second, second);
    const cli = indexWithCache([corpusDir], cacheDir);
    assert.strictEqual(cli.works.find((w) => w.id === 'coarse2020')?.title, 'New title here');
    const ed = await editorStart(path.join(dir, 'c2'));
    assert.strictEqual(ed.works.find((w) => w.id === 'coarse2020')?.title, 'New title here');
    assert.strictEqual(ed.hits, files.length - 1, 'only the coarse file is read again');
    // Unchanged since: read and hashed, its parse taken from the cache all the same.
    const again = indexWithCache([corpusDir], cacheDir);
    assert.strictEqual(again.stats.parsed, 0);
    assert.strictEqual(again.stats.rehashed, 1);
  });

  it('a file changed within 2 s of the cache write, keeping size and mtime, is read again', () => {
    const corpusDir = path.join(dir, 'corpus');
    const f = path.join(corpusDir, 'recent.bib');
    fs.writeFileSync(f, '@article{recent2020, title = {First version}, year = 2020}\n');
    const t = new Date(Date.now() - 1500 + 7); // 1.5 s before the cache write
    fs.utimesSync(f, t, t);
    const cacheDir = path.join(dir, 'c3');
    indexWithCache([corpusDir], cacheDir);
    fs.writeFileSync(f, '@article{recent2020, title = {Later version}, year = 2020}\n');
    fs.utimesSync(f, t, t);
    const r = indexWithCache([corpusDir], cacheDir);
    assert.strictEqual(r.works.find((w) => w.id === 'recent2020')?.title, 'Later version');
  });
});
