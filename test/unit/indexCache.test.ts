/** The warm-start cache: hits, changed files, corrupt caches, and the same works as a cold index. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CACHE_FILE, CACHE_VERSION, hashBytes, indexWithCache, loadCache, saveCache } from '../../src/core/index/indexCache';
import { indexPaths, parseFile } from '../../src/core/build/loadFiles';
import { ROOT, SEEDS, VARIED } from './helpers/corpus';

const FORMATS = path.join(ROOT, 'fixtures', 'formats');

/** A scratch copy of the seeds, varied and format fixtures (so files can be changed). */
function scratch(): { dir: string; corpus: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-cite-cache-'));
  const corpus = path.join(dir, 'corpus');
  fs.mkdirSync(corpus);
  for (const src of [SEEDS, VARIED, FORMATS]) {
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(corpus, `${path.basename(src)}-${f}`));
  }
  // An mtime well in the past, so entries are not "racy" (changed in the same second as cached).
  const past = new Date(Date.now() - 60_000);
  for (const f of fs.readdirSync(corpus)) fs.utimesSync(path.join(corpus, f), past, past);
  return { dir, corpus, cache: path.join(dir, 'cache') };
}

describe('index cache', () => {
  let s: ReturnType<typeof scratch>;
  beforeEach(() => {
    s = scratch();
  });
  afterEach(() => {
    fs.rmSync(s.dir, { recursive: true, force: true });
  });

  it('a cold run parses every file and writes the cache; the next run takes everything from it', () => {
    const cold = indexWithCache([s.corpus], s.cache);
    const n = fs.readdirSync(s.corpus).length;
    assert.strictEqual(cold.stats.files, n);
    assert.strictEqual(cold.stats.parsed, n);
    assert.strictEqual(cold.stats.fromCache, 0);
    assert.strictEqual(cold.stats.corpusFromCache, false);
    assert.ok(fs.existsSync(path.join(s.cache, CACHE_FILE)));

    const warm = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(warm.stats.parsed, 0);
    assert.strictEqual(warm.stats.fromCache, n);
    assert.strictEqual(warm.stats.corpusFromCache, true);
    assert.deepStrictEqual(warm.works, cold.works);
    assert.deepStrictEqual(warm.problems, cold.problems);
    assert.strictEqual(warm.byId.get('voronka2019'), warm.works.find((w) => w.id === 'voronka2019'));
  });

  it('gives the same works, problems and ids as a cold index, cold and warm', () => {
    const reference = indexPaths([s.corpus]);
    const first = indexWithCache([s.corpus], s.cache);
    const second = indexWithCache([s.corpus], s.cache);
    for (const r of [first, second]) {
      assert.deepStrictEqual(r.works, reference.works);
      assert.deepStrictEqual(r.problems, reference.problems);
      assert.deepStrictEqual([...r.byId.keys()], [...reference.byId.keys()]);
    }
  });

  it('re-parses a changed file only, and rebuilds the corpus to match a cold index', () => {
    indexWithCache([s.corpus], s.cache);
    const file = path.join(s.corpus, 'seeds-002_b981369f0f33fc2d.txt');
    const text = fs.readFileSync(file, 'utf8').replace('Where is peer support going?', 'Where is peer support heading?');
    fs.writeFileSync(file, text);
    const r = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(r.stats.parsed, 1);
    assert.strictEqual(r.stats.fromCache, r.stats.files - 1);
    assert.strictEqual(r.stats.corpusFromCache, false);
    assert.ok(r.works.some((w) => w.title === 'Where is peer support heading?'));
    assert.ok(!r.works.some((w) => w.title === 'Where is peer support going?'));
    assert.deepStrictEqual(r.works, indexPaths([s.corpus]).works);
  });

  it('reuses a file whose mtime changed but whose bytes did not (hash equal)', () => {
    indexWithCache([s.corpus], s.cache);
    const file = path.join(s.corpus, 'seeds-000_6ad9d3d0f971004f.txt');
    const later = new Date(Date.now() - 30_000);
    fs.utimesSync(file, later, later);
    const r = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(r.stats.parsed, 0);
    assert.strictEqual(r.stats.rehashed, 1);
    assert.strictEqual(r.stats.corpusFromCache, true);
    // The manifest was updated: the next start trusts the new mtime without hashing.
    const again = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(again.stats.rehashed, 0);
    assert.strictEqual(again.stats.corpusFromCache, true);
  });

  it('a same-size edit in the same mtime is caught: entries cached while fresh are re-hashed', () => {
    const file = path.join(s.corpus, 'seeds-002_b981369f0f33fc2d.txt');
    const now = new Date();
    fs.utimesSync(file, now, now);
    indexWithCache([s.corpus], s.cache);
    const text = fs.readFileSync(file, 'utf8').replace('Where is peer support going?', 'Where is peer support growing');
    fs.writeFileSync(file, text);
    fs.utimesSync(file, now, now); // same size, same mtime
    const r = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(r.stats.parsed, 1);
    assert.ok(r.works.some((w) => w.title === 'Where is peer support growing'));
  });

  it('adds new files and drops deleted ones', () => {
    const cold = indexWithCache([s.corpus], s.cache);
    fs.rmSync(path.join(s.corpus, 'seeds-003_965e250b65df1b35.txt'));
    fs.copyFileSync(path.join(SEEDS, '003_965e250b65df1b35.txt'), path.join(s.corpus, 'zz-new.txt'));
    const r = indexWithCache([s.corpus], s.cache);
    assert.strictEqual(r.stats.parsed, 1);
    assert.strictEqual(r.stats.files, cold.stats.files);
    assert.deepStrictEqual(r.works, indexPaths([s.corpus]).works);
    assert.ok(r.works.find((w) => w.id === 'moore2021')!['x-corpus'].sources.some((x) => x.file.endsWith('zz-new.txt')));
  });

  for (const [name, damage] of [
    ['truncated', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
    ['garbage', (f: string) => fs.writeFileSync(f, Buffer.from([0xff, 0x00, 0x7b, 0x0a, 0x01, 0x02]))],
    ['empty', (f: string) => fs.writeFileSync(f, '')],
    ['an old version', (f: string) => fs.writeFileSync(f, fs.readFileSync(f, 'latin1').replace(`"version":${CACHE_VERSION}`, `"version":${CACHE_VERSION - 1}`), 'latin1')],
    ['valid JSON of the wrong shape', (f: string) => {
      const b = fs.readFileSync(f, 'latin1');
      const nl = b.indexOf('\n');
      const h = JSON.parse(b.slice(0, nl));
      // Same header, but the corpus section now holds works without ids.
      const works = '{"works":[{"title":"x"}],"problems":[]}';
      const body = b.slice(nl + 1);
      const [off] = h.sections.corpus;
      const patched = body.slice(0, off) + works.padEnd(h.sections.corpus[1], ' ') + body.slice(off + h.sections.corpus[1]);
      fs.writeFileSync(f, b.slice(0, nl + 1) + patched, 'latin1');
    }],
    ['a directory', (f: string) => {
      fs.rmSync(f);
      fs.mkdirSync(f);
    }],
  ] as const) {
    it(`ignores a cache that is ${name}: a cold index, no exception`, () => {
      const reference = indexWithCache([s.corpus], s.cache);
      damage(path.join(s.cache, CACHE_FILE));
      assert.strictEqual(loadCache(s.cache) === undefined || name === 'valid JSON of the wrong shape', true);
      const r = indexWithCache([s.corpus], s.cache);
      assert.strictEqual(r.stats.corpusFromCache, false);
      assert.deepStrictEqual(r.works, reference.works);
      assert.deepStrictEqual(r.problems, reference.problems);
      if (name !== 'a directory') {
        // The cache was rewritten and works again.
        assert.strictEqual(indexWithCache([s.corpus], s.cache).stats.corpusFromCache, true);
      }
    });
  }

  it('ignores a cache written with another salt (e.g. another extension version)', () => {
    indexWithCache([s.corpus], s.cache, { salt: '0.1.0' });
    assert.strictEqual(indexWithCache([s.corpus], s.cache, { salt: '0.1.0' }).stats.corpusFromCache, true);
    const r = indexWithCache([s.corpus], s.cache, { salt: '0.2.0' });
    assert.strictEqual(r.stats.fromCache, 0);
    assert.strictEqual(r.stats.cacheValid, false);
  });

  it('a missing cache folder or unwritable cache location still indexes', () => {
    const blocked = path.join(s.dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where the cache folder should be');
    const r = indexWithCache([s.corpus], blocked);
    assert.strictEqual(r.stats.parsed, r.stats.files);
    assert.deepStrictEqual(r.works, indexPaths([s.corpus]).works);
  });

  it('saveCache / loadCache round-trip entries keyed by path, size, mtime and hash', () => {
    const files = fs.readdirSync(s.corpus).map((f) => path.join(s.corpus, f)).sort();
    const entries = files.map((f) => {
      const st = fs.statSync(f);
      return { path: f, size: st.size, mtimeMs: st.mtimeMs, hash: hashBytes(fs.readFileSync(f)), parsed: parseFile(f) };
    });
    saveCache(s.cache, entries);
    const loaded = loadCache(s.cache)!;
    assert.strictEqual(loaded.length, entries.length);
    for (let i = 0; i < entries.length; i++) {
      assert.strictEqual(loaded[i].path, entries[i].path);
      assert.strictEqual(loaded[i].size, entries[i].size);
      assert.strictEqual(loaded[i].mtimeMs, entries[i].mtimeMs);
      assert.strictEqual(loaded[i].hash, entries[i].hash);
      assert.deepStrictEqual(loaded[i].parsed, JSON.parse(JSON.stringify(entries[i].parsed)));
    }
    assert.strictEqual(loadCache(path.join(s.dir, 'nowhere')), undefined);
  });

  it('hashBytes is a content hash', () => {
    assert.strictEqual(hashBytes(Buffer.from('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.notStrictEqual(hashBytes(Buffer.from('abc')), hashBytes(Buffer.from('abd')));
  });
});
