import * as assert from 'assert';
import { WorkLookup } from '../../src/core/search/lookup';
import type { Work } from '../../src/core/model/model';
import { fold } from '../../src/core/model/names';
import { headOf, labelKeyOf, PackedKeyMap, packWorks, plainWork, roleOf, type WorkHead, WorkStore } from '../../src/core/model/workStore';
import { corpusOf, SEEDS, VARIED, work } from './helpers/corpus';

const all = (): Work[] => [...corpusOf(SEEDS).works, ...corpusOf(VARIED).works];
/** What crosses to the editor: everything but the per-field source lines (see wire.ts). */
const strip = (ws: readonly Work[]): unknown => JSON.parse(JSON.stringify(ws, (k, v: unknown) => (k === 'fields' ? undefined : v)));

/** The works in a store, taken in as the editor does (a structured clone of each chunk). */
function stored(works: readonly Work[], chunk = 7): { store: WorkStore; works: readonly Work[] } {
  const store = new WorkStore();
  for (let i = 0; i < works.length; i += chunk) store.add(structuredClone(packWorks(works.slice(i, i + chunk))));
  return { store, works: store.works };
}

describe('works in the editor (WorkStore: bytes, parsed when read)', () => {
  it('come back equal to the worker’s works, in order', () => {
    const works = all();
    assert.ok(works.length > 30);
    assert.deepStrictEqual(strip(stored(works).works), strip(works));
  });

  it('pack works larger than the space first reserved for them (the buffer moves once) as they are', () => {
    // 16 MB are reserved for so few works: two abstracts of 6 M characters (3 bytes each in UTF-8) pass it.
    const base = all();
    const big = base.slice(0, 4).map((w, i) => (i % 2 ? { ...w, abstract: '€'.repeat(6 << 20) } : w));
    const packed = packWorks(big);
    assert.ok(packed.bytes.byteLength > 32 << 20);
    assert.deepStrictEqual(strip(new WorkStore().add(packed)), strip(big));
  });

  it('give id and label without parsing anything; other fields parse the work once while it is recent', () => {
    const { store, works } = stored(all());
    const labels = works.map((w) => `${w.id} ${w['citation-label']}`);
    assert.strictEqual(store.parses, 0);
    assert.ok(labels.includes('voronka2019 Voronka 2019'));
    const w = works[3];
    void w.title;
    void w.author;
    void w['x-corpus'].sources;
    assert.strictEqual(store.parses, 1);
  });

  it('keep about a thousand works parsed: reading past that parses the oldest again', () => {
    const base = all();
    const many: Work[] = [];
    for (let i = 0; i < 1500; i++) many.push({ ...base[i % base.length], id: `w${i}`, 'citation-label': `W ${i}` });
    const { store, works } = stored(many, 500);
    for (const w of works) void w.title;
    assert.strictEqual(store.parses, 1500);
    void works[1499].title; // recent
    assert.strictEqual(store.parses, 1500);
    void works[0].title; // long gone from the ring
    assert.strictEqual(store.parses, 1501);
  });

  it('behave as plain objects: keys, `in`, spread, JSON; writing throws; a message needs plainWork', () => {
    const plain = work(corpusOf(SEEDS), 'gillard2022');
    const { works } = stored([plain]);
    const w = works[0];
    const expected = strip([plain]) as Work[];
    assert.deepStrictEqual(Object.keys(w), Object.keys(expected[0]));
    assert.ok('abstract' in w && !('nonsense' in w));
    assert.deepStrictEqual(JSON.parse(JSON.stringify({ ...w })), expected[0]);
    assert.throws(() => ((w as { title?: string }).title = 'changed'), TypeError);
    assert.throws(() => delete (w as { title?: string }).title, TypeError);
    assert.notStrictEqual(w.title, 'changed');
    assert.throws(() => structuredClone(w));
    assert.deepStrictEqual(structuredClone(plainWork(w)), expected[0]);
    assert.strictEqual(plainWork(plain), plain, 'a plain work is passed through');
  });

  it('heads: role, year and author key, the same read from the store as computed from the work', () => {
    const works = all();
    const { works: inStore } = stored(works);
    const pick = ({ id, label, role, year, who }: WorkHead): WorkHead => ({ id, label, role, year, who });
    inStore.forEach((w, i) => assert.deepStrictEqual(pick(headOf(w)), headOf(works[i])));
    // The label's lookup key, folded in the worker, is the one folded here.
    inStore.forEach((w, i) => assert.strictEqual(labelKeyOf(headOf(w)), fold(works[i]['citation-label'])));
    inStore.forEach((w, i) => assert.strictEqual(labelKeyOf(headOf(works[i])), fold(w['citation-label'])));
    assert.ok(works.some((w) => fold(w['citation-label']) !== w['citation-label'].toLowerCase()), 'labels that folding changes beyond case');
    const c = corpusOf(SEEDS);
    assert.strictEqual(roleOf(work(c, 'gillard2022')), 'record');
    assert.strictEqual(roleOf(work(c, 'kaggwa2023')), 'related');
    assert.strictEqual(roleOf(work(c, 'voronka2019')), 'cited');
    assert.deepStrictEqual(headOf(work(c, 'voronka2019')), { id: 'voronka2019', label: 'Voronka 2019', role: 'cited', year: 2019, who: 'voronka' });
  });

  it('the lookup finds the same works in the store without parsing them', () => {
    const works = all();
    const { store, works: inStore } = stored(works);
    const here = new WorkLookup(works);
    const there = new WorkLookup(inStore);
    for (const w of works) {
      assert.strictEqual(there.id(w.id)?.id, w.id);
      assert.strictEqual(there.label(w['citation-label'])?.id, here.label(w['citation-label'])?.id);
    }
    assert.deepStrictEqual(
      there.authorYear('Voronka', 2019).map((w) => w.id),
      here.authorYear('Voronka', 2019).map((w) => w.id),
    );
    assert.strictEqual(store.parses, 0);
  });

  it('keys from the packed hash table: the same works as a Map set id then aliases, work by work, also where a key repeats', () => {
    const base = all();
    const many: Work[] = base.map((w, i) => {
      const x = { ...w, 'x-corpus': { ...w['x-corpus'] } };
      // Aliases, one of them another work's id (entered later: it wins), one repeated by a later work.
      if (i % 5 === 1) x['x-corpus'].aliases = [`alias${i}`, `shared${i % 3}`];
      if (i === 7) x['x-corpus'].aliases = [base[2].id, 'Voronka2019', 'é\u{1F600}'];
      return x;
    });
    const packed = structuredClone(packWorks(many));
    const works = new WorkStore().add(packed);
    const reference = new Map<string, Work>();
    works.forEach((w, i) => {
      reference.set(w.id, w);
      for (const a of many[i]['x-corpus'].aliases ?? []) reference.set(a, w);
    });
    const keys = new PackedKeyMap(works, packed);
    const probes = [...reference.keys(), 'nothing', '', 'voronka', 'voronka20190', 'Voronka2019', 'é', 'alias1x'];
    for (const k of probes) {
      assert.strictEqual(keys.get(k), reference.get(k), k);
      assert.strictEqual(keys.has(k), reference.has(k), k);
    }
    assert.strictEqual(keys.get(base[2].id), works[7]);
    assert.strictEqual(new PackedKeyMap(works, packed).size, reference.size);
    assert.deepStrictEqual([...new PackedKeyMap(works, packed).keys()], [...reference.keys()]);
    // Once filled (any call but get / has), it is that Map.
    assert.deepStrictEqual([...keys.entries()], [...reference.entries()]);
    for (const k of probes) assert.strictEqual(keys.get(k), reference.get(k), k);
  });

  it('the lookup over packed heads answers as the lookup of Maps: ids, labels and author–years, also where they repeat, and after more works are added', () => {
    const base = all();
    // Copies under the same labels and first authors (a later one takes a shared label, as Map.set),
    // some without a year, some without any author, one with an alias.
    const many: Work[] = base.flatMap((w, i) => {
      const copy = { ...w, id: `${w.id}-copy`, 'x-corpus': { ...w['x-corpus'] } };
      if (i % 4 === 0) delete copy.issued;
      if (i % 6 === 1) {
        delete copy.author;
        delete copy.editor;
        copy['x-corpus'].groupAuthors = undefined;
      }
      if (i === 3) copy['x-corpus'].aliases = ['alias-three', base[0].id];
      return i % 2 ? [w, copy] : [w];
    });
    const packed = structuredClone(packWorks(many));
    const store = new WorkStore();
    const inStore = store.add(packed);
    const maps = new WorkLookup(inStore);
    const heads = new WorkLookup(inStore, packed);
    const index = new Map(inStore.map((w, i) => [w, i]));
    const at = (w: Work | undefined) => (w ? index.get(w) : undefined);
    const labels = [...new Set(many.map((w) => w['citation-label']))];
    const probesOf = (ws: readonly Work[]) => ws.flatMap((w) => [...(w.author ?? []), ...(w.editor ?? [])].map((a) => [a.family ?? a.literal ?? '', w.issued?.['date-parts']?.[0]?.[0]] as const));
    const authorYears = [...probesOf(many), ['Voronka', 2019], ['VORONKA', 2019], ['voronka', undefined], ['Nobody', 2019], ['', 2019], ['Voronka', 0], ['Voronka', 2019.5]] as const;
    const check = (a: WorkLookup, b: WorkLookup) => {
      for (const l of [...labels, 'nothing 1999', '', 'voronka 2019']) assert.strictEqual(at(a.label(l)), at(b.label(l)), l);
      for (const [who, year] of authorYears) {
        const y = typeof year === 'number' ? year : undefined;
        assert.deepStrictEqual(a.authorYear(who, y).map(at), b.authorYear(who, y).map(at), `${who} ${year}`);
        assert.deepStrictEqual(a.authorYear(who, y, 'b').map(at), b.authorYear(who, y, 'b').map(at), `${who} ${year}b`);
      }
      for (const k of [...many.map((w) => w.id), 'alias-three', 'nothing']) assert.strictEqual(at(a.id(k)), at(b.id(k)), k);
      assert.strictEqual(a.works.length, b.works.length);
    };
    assert.ok(labels.length < many.length, 'labels that repeat');
    assert.ok(authorYears.some(([who, y]) => maps.authorYear(who, typeof y === 'number' ? y : undefined).length > 1), 'author–years with several works');
    check(heads, maps);
    assert.strictEqual(store.parses, 0, 'keys read from the heads: no work parsed');
    // Adding works turns the packed lookup into Maps, with the later works winning shared keys.
    const more = store.add(structuredClone(packWorks(base.slice(0, 5).map((w) => ({ ...w, id: `${w.id}-more` })))));
    more.forEach((w, k) => index.set(w, inStore.length + k));
    heads.add(more);
    maps.add(more);
    check(heads, maps);
  });
});
