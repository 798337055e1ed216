/** The warm-start cache: hits, changed files, corrupt caches, and the same works as a cold index. */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { decodeSection, encodeSection, encodeSectionParts, sectionSum } from '../../src/core/index/cacheSections';
import { CACHE_FILE, CACHE_VERSION, hashBytes, indexWithCache, loadCache, saveCache } from '../../src/core/index/indexCache';
import { indexPaths, parseFile } from '../../src/core/build/loadFiles';
import { pastMtime, ROOT, SEEDS, VARIED } from './helpers/corpus';

const FORMATS = path.join(ROOT, 'fixtures', 'formats');
/**
 * Works as plain data without the per-field line numbers of their sources: a warm start gives
 * the editor's read-only views of the cached works, which do not keep those (indexCache.ts).
 */
const plain = (ws: readonly unknown[]) => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v))) as unknown;

/** A scratch copy of the seeds, varied and format fixtures (so files can be changed). */
function scratch(): { dir: string; corpus: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-cite-cache-'));
  const corpus = path.join(dir, 'corpus');
  fs.mkdirSync(corpus);
  for (const src of [SEEDS, VARIED, FORMATS]) {
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(corpus, `${path.basename(src)}-${f}`));
  }
  // An mtime well in the past, so entries are not "racy" (changed in the same second as cached).
  const past = pastMtime(60_000);
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
    // Every section as written: none found damaged, the search index not built again.
    assert.strictEqual(warm.stats.note, undefined);
    assert.strictEqual(warm.stats.ms.search, 0);
    assert.deepStrictEqual(plain(warm.works), plain(cold.works));
    assert.deepStrictEqual(warm.problems, cold.problems);
    assert.strictEqual(warm.byId.get('voronka2019'), warm.works.find((w) => w.id === 'voronka2019'));
  });

  it('gives the same works, problems and ids as a cold index, cold and warm', () => {
    const reference = indexPaths([s.corpus]);
    const first = indexWithCache([s.corpus], s.cache);
    const second = indexWithCache([s.corpus], s.cache);
    for (const r of [first, second]) {
      assert.deepStrictEqual(plain(r.works), plain(reference.works));
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
    assert.deepStrictEqual(plain(r.works), plain(indexPaths([s.corpus]).works));
  });

  it('reuses a file whose mtime changed but whose bytes did not (hash equal)', () => {
    indexWithCache([s.corpus], s.cache);
    const file = path.join(s.corpus, 'seeds-000_6ad9d3d0f971004f.txt');
    const later = pastMtime(30_000);
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
    assert.deepStrictEqual(plain(r.works), plain(indexPaths([s.corpus]).works));
    assert.ok(r.works.find((w) => w.id === 'moore2021')!['x-corpus'].sources.some((x) => x.file.endsWith('zz-new.txt')));
  });

  for (const [name, damage] of [
    ['truncated', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
    ['garbage', (f: string) => fs.writeFileSync(f, Buffer.from([0xff, 0x00, 0x7b, 0x0a, 0x01, 0x02]))],
    ['empty', (f: string) => fs.writeFileSync(f, '')],
    ['an old version', (f: string) => fs.writeFileSync(f, fs.readFileSync(f, 'latin1').replace(`"version":${CACHE_VERSION}`, `"version":${CACHE_VERSION - 1}`), 'latin1')],
    ['valid JSON of the wrong shape', (f: string) => {
      // Checksums recomputed: the problems section is now well-formed JSON, but not problems.
      const b = fs.readFileSync(f);
      const nl = b.indexOf(10);
      const h = JSON.parse(b.subarray(0, nl).toString('utf8'));
      const [off, len] = h.sections.problems;
      const body = Buffer.from('[{"x":1}]'.padEnd(len, ' '));
      body.copy(b, nl + 1 + off);
      h.sums.problems = zlib.crc32(body).toString(16).padStart(8, '0');
      delete h.sum;
      h.sum = crypto.createHash('sha1').update(JSON.stringify(h)).digest('hex');
      Buffer.from(JSON.stringify(h).padEnd(nl, ' ')).copy(b, 0);
      fs.writeFileSync(f, b);
    }],
    ['a works section of the wrong shape', (f: string) => {
      // A binary section with a valid checksum whose works end past its bytes.
      const b = fs.readFileSync(f);
      const nl = b.indexOf(10);
      const h = JSON.parse(b.subarray(0, nl).toString('utf8'));
      const [off, len] = h.sections.works;
      const section = b.subarray(nl + 1 + off, nl + 1 + off + len);
      const value = decodeSection(Buffer.from(section)) as { ends: Uint32Array };
      value.ends[value.ends.length - 1] += 1000;
      const again = encodeSection(value);
      assert.strictEqual(again.length, len);
      again.copy(b, nl + 1 + off);
      h.sums.works = zlib.crc32(again).toString(16).padStart(8, '0');
      delete h.sum;
      h.sum = crypto.createHash('sha1').update(JSON.stringify(h)).digest('hex');
      Buffer.from(JSON.stringify(h).padEnd(nl, ' ')).copy(b, 0);
      fs.writeFileSync(f, b);
    }],
    ['one flipped byte in the works', (f: string) => {
      const b = fs.readFileSync(f);
      const nl = b.indexOf(10);
      const h = JSON.parse(b.subarray(0, nl).toString('utf8'));
      b[nl + 1 + h.sections.works[0] + Math.floor(h.sections.works[1] / 2)] ^= 0x20;
      fs.writeFileSync(f, b);
    }],
    ['one flipped byte in the search index', (f: string) => {
      const b = fs.readFileSync(f);
      const nl = b.indexOf(10);
      const h = JSON.parse(b.subarray(0, nl).toString('utf8'));
      b[nl + 1 + h.sections.search[0] + Math.floor(h.sections.search[1] / 2)] ^= 0x01;
      fs.writeFileSync(f, b);
    }],
    ['a foreign file (another program’s JSON lines)', (f: string) => fs.writeFileSync(f, '{"name":"something else","version":5}\n{"data":[1,2,3]}\n')],
    ['a foreign file (a PNG image)', (f: string) => fs.writeFileSync(f, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5000, 7)]))],
    ['a directory', (f: string) => {
      fs.rmSync(f);
      fs.mkdirSync(f);
    }],
  ] as const) {
    it(`ignores a cache that is ${name}: a cold index, no exception`, () => {
      const reference = indexWithCache([s.corpus], s.cache);
      damage(path.join(s.cache, CACHE_FILE));
      assert.strictEqual(loadCache(s.cache) === undefined || /shape|byte in/.test(name), true);
      const r = indexWithCache([s.corpus], s.cache);
      // A search index damaged alone costs its rebuild only; anything else is a cold index.
      assert.strictEqual(r.stats.corpusFromCache, name === 'one flipped byte in the search index');
      // Said in one line, except for another version (expected after an update, not damage).
      if (name !== 'an old version' && name !== 'a directory') assert.match(r.stats.note ?? '', /^index cache [^\n]+$/);
      assert.deepStrictEqual(plain(r.works), plain(reference.works));
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
    assert.deepStrictEqual(plain(r.works), plain(indexPaths([s.corpus]).works));
  });

  it('writes the parse section, made in parts, as the same bytes as JSON.stringify of the parses', () => {
    const files = fs.readdirSync(s.corpus).map((f) => path.join(s.corpus, f)).sort();
    const parsed = files.map((f) => parseFile(f));
    // More records than one part holds (512), a key whose value is undefined, text above U+FFFF.
    const many = { file: 'many.bib', format: undefined, records: [] as unknown[], problems: [] };
    for (let i = 0; i < 1300; i++) many.records.push({ line: i + 1, csl: { id: `k${i}`, title: `Tïtle ${i} 𝄞 “q”`, note: undefined }, fieldLines: { title: i + 1 } });
    const all = [...parsed, { file: 'empty.bib', records: [], problems: [] }, many] as unknown as ReturnType<typeof parseFile>[];
    saveCache(s.cache, all.map((p) => ({ path: p.file, size: 1, mtimeMs: 1, hash: 'h', parsed: p })));
    const bytes = fs.readFileSync(path.join(s.cache, CACHE_FILE));
    const nl = bytes.indexOf(10);
    const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { sections: { parsed: [number, number] }; sums: { parsed: string } };
    const [off, len] = header.sections.parsed;
    const section = bytes.subarray(nl + 1 + off, nl + 1 + off + len);
    assert.ok(section.equals(Buffer.from(JSON.stringify(all), 'utf8')));
    assert.strictEqual(header.sums.parsed, zlib.crc32(section).toString(16).padStart(8, '0'));
    assert.strictEqual(loadCache(s.cache)!.length, all.length);
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

describe('cache sections (encodeSection / decodeSection)', () => {
  it('give back long strings and long lists of strings as they were: one-byte characters stored as their bytes, any other as UTF-8', () => {
    const long = (s: string) => s.repeat(Math.ceil(2000 / s.length));
    const value = {
      ascii: long('abc'),
      latin1: long('Müller, José; ÿ\u0000\u00ff'),
      wide: long('Żółć ⁽¹⁾ 中文 \u{1F600}'),
      lone: long('a\ud800b'),
      asciiList: Array.from({ length: 100 }, (_, i) => `key${i}`),
      latin1List: Array.from({ length: 100 }, (_, i) => (i % 7 ? `k${i}` : `é${i}`)),
      wideList: Array.from({ length: 100 }, (_, i) => (i === 50 ? '€' : `k${i}`)),
      short: 'é€',
    };
    const buf = encodeSection(value);
    const kinds = JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString('utf8')).v as Record<string, Record<string, unknown>>;
    assert.ok('$b' in kinds.ascii && '$b' in kinds.latin1 && '$s' in kinds.wide, JSON.stringify(kinds));
    assert.ok(kinds.asciiList.latin1 === true && kinds.latin1List.latin1 === true && kinds.wideList.latin1 === undefined);
    const back = decodeSection(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)) as typeof value;
    // The checksum of the parts is that of the section they make (an empty array included: zlib's
    // crc32 of an empty buffer is 0, whatever it continues).
    const withEmpty = { ...value, none: new Int32Array(0), after: new Int32Array([1, 2, 3]) };
    assert.strictEqual(sectionSum(encodeSectionParts(withEmpty)), sectionSum(encodeSection(withEmpty)));
    assert.strictEqual(sectionSum([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('c')]), sectionSum(Buffer.from('abc')));
    // A lone surrogate is not UTF-8: it comes back as U+FFFD, as before.
    assert.deepStrictEqual(back, { ...value, lone: value.lone.replace(/\ud800/g, '\ufffd') });
  });
});
