/** Resolving what a manuscript writes (`@voronka2019`, `(Voronka, 2019)`, `Voronka 2019`) to works. */
import type { Work } from '../model/model';
import { fold } from '../model/names';
import { emptySlots, headOf, type JoinedStrings, keyHash, labelKeyOf, PackedKeyMap, type PackedWorks } from '../model/workStore';

/** Whether string `i` of a joined list is `key` (no string cut). */
function isAt(j: JoinedStrings, i: number, key: string): boolean {
  const from = j.starts[i];
  return j.starts[i + 1] - from === key.length && j.joined.startsWith(key, from);
}

/** Whether strings `a` and `b` of a joined list are equal (no string cut). */
function sameAt(j: JoinedStrings, a: number, b: number): boolean {
  const fa = j.starts[a];
  const fb = j.starts[b];
  const n = j.starts[a + 1] - fa;
  if (j.starts[b + 1] - fb !== n) return false;
  for (let k = 0; k < n; k++) if (j.joined.charCodeAt(fa + k) !== j.joined.charCodeAt(fb + k)) return false;
  return true;
}

const withYear = (h: number, year: number) => Math.imul(h ^ year, 16777619) >>> 0;

/**
 * The lookup's label and author–year tables over packed heads (workStore.ts), as hash tables of
 * work numbers over the joined folded labels and author keys: no string or `Map` entry per
 * work. Made as `Map`s, taking in 50,000 cached works cost 117–139 ms of the editor's thread at
 * every warm start (bench/RESULTS.md, eleventh session); these are made when first asked, in a
 * few milliseconds.
 */
class PackedHeads {
  private labelSlots: Int32Array | undefined;
  /** Per (author key, year): the first of its works; `groupNext` links the rest, in order. */
  private groupSlots: Int32Array | undefined;
  private groupNext: Int32Array | undefined;

  constructor(private readonly p: PackedWorks) {}

  /** The last work whose folded label is `key` (as a `Map` set work by work), or -1. */
  label(key: string): number {
    const slots = (this.labelSlots ??= this.labels());
    const mask = slots.length - 1;
    for (let h = keyHash(key, 0, key.length) & mask; ; h = (h + 1) & mask) {
      const k = slots[h];
      if (k < 0 || isAt(this.p.labelKeys, k, key)) return k;
    }
  }

  /** The works, in order, whose author key is `who` and whose year is `year` (0: none). */
  authorYear(who: string, year: number): number[] {
    if (!this.groupSlots) this.groups();
    const slots = this.groupSlots!;
    const next = this.groupNext!;
    const { whos, years } = this.p;
    const mask = slots.length - 1;
    for (let h = withYear(keyHash(who, 0, who.length), year) & mask; ; h = (h + 1) & mask) {
      const k = slots[h];
      if (k < 0) return [];
      if (years[k] === year && isAt(whos, k, who)) {
        const out: number[] = [];
        for (let i = k; i >= 0; i = next[i]) out.push(i);
        return out;
      }
    }
  }

  private labels(): Int32Array {
    const keys = this.p.labelKeys;
    const n = this.p.ends.length;
    const slots = emptySlots(n);
    const mask = slots.length - 1;
    for (let i = 0; i < n; i++) {
      let h = keyHash(keys.joined, keys.starts[i], keys.starts[i + 1]) & mask;
      while (slots[h] >= 0 && !sameAt(keys, slots[h], i)) h = (h + 1) & mask;
      slots[h] = i; // a later work with the same label takes the key, as with Map.set
    }
    return slots;
  }

  private groups(): void {
    const { whos, years } = this.p;
    const n = this.p.ends.length;
    const slots = emptySlots(n);
    const last = new Int32Array(slots.length);
    const next = new Int32Array(n).fill(-1);
    const mask = slots.length - 1;
    for (let i = 0; i < n; i++) {
      if (whos.starts[i + 1] === whos.starts[i]) continue; // no author key: not looked up by author
      let h = withYear(keyHash(whos.joined, whos.starts[i], whos.starts[i + 1]), years[i]) & mask;
      while (slots[h] >= 0 && !(years[slots[h]] === years[i] && sameAt(whos, slots[h], i))) h = (h + 1) & mask;
      if (slots[h] < 0) slots[h] = i;
      else next[last[h]] = i;
      last[h] = i;
    }
    this.groupSlots = slots;
    this.groupNext = next;
  }
}

export class WorkLookup {
  /** Works by citekey: each work's id and its aliases. */
  readonly byId: Map<string, Work>;
  private readonly byLabel = new Map<string, Work>();
  private readonly byAuthorYear = new Map<string, Work[]>();
  private readonly list: Work[];
  /** Set while the lookup is over packed works only: labels and author–years are read from their heads. */
  private heads: PackedHeads | undefined;

  /**
   * Over `works`; with `packed`, `works` are the store's views of those packed works, in their
   * order (`WorkStore.add(packed)`), and the keys are read from the packed heads: no `Map` entry
   * per work (the editor's warm start).
   */
  constructor(works: readonly Work[] = [], packed?: PackedWorks) {
    if (packed) {
      if (works.length !== packed.ends.length) throw new Error(`WorkLookup: ${works.length} works for ${packed.ends.length} packed ones`);
      this.list = works.slice();
      // Its key numbers are the packed works' (the first `packed.ends.length` of the list).
      this.byId = new PackedKeyMap(this.list, packed);
      this.heads = new PackedHeads(packed);
    } else {
      this.list = [];
      this.byId = new Map();
      this.add(works);
    }
  }

  get works(): readonly Work[] {
    return this.list;
  }

  /** Adds works (later works win a key they share with earlier ones, as with `Map.set`). */
  add(works: readonly Work[]): void {
    if (this.heads) {
      // More works after packed ones: the label and author–year keys become Maps (byId, a
      // PackedKeyMap, fills itself on its first write).
      this.heads = undefined;
      for (const w of this.list) this.keyByHead(w);
    }
    for (const w of works) {
      const h = headOf(w);
      this.list.push(w);
      this.byId.set(h.id, w);
      if (h.aliases) for (const a of h.aliases) this.byId.set(a, w);
      this.keyByHead(w);
    }
  }

  private keyByHead(w: Work): void {
    // The head: for works in the editor's store, read without parsing them (workStore.ts).
    const h = headOf(w);
    this.byLabel.set(labelKeyOf(h), w);
    if (!h.who) return;
    const k = `${h.who}|${h.year ?? 'nd'}`;
    const list = this.byAuthorYear.get(k);
    if (list) list.push(w);
    else this.byAuthorYear.set(k, [w]);
  }

  /** The work with this citekey (its id or one of its aliases). */
  id(id: string): Work | undefined {
    return this.byId.get(id);
  }

  /** `Voronka 2019`, `Smith 2020a`, `Thompson n.d.` */
  label(label: string): Work | undefined {
    if (!this.heads) return this.byLabel.get(fold(label));
    const i = this.heads.label(fold(label));
    return i < 0 ? undefined : this.list[i];
  }

  /** Works whose first author (or group) and year match; the year letter narrows when given. */
  authorYear(author: string, year: number | undefined, suffix?: string): Work[] {
    const list = this.heads ? this.packedAuthorYear(fold(author), year) : (this.byAuthorYear.get(`${fold(author)}|${year ?? 'nd'}`) ?? []);
    if (!suffix || list.length < 2) return list;
    const exact = list.filter((w) => w['citation-label'].endsWith(`${year ?? 'n.d.-'}${suffix}`));
    return exact.length ? exact : list;
  }

  private packedAuthorYear(who: string, year: number | undefined): Work[] {
    // Packed years are whole numbers, 0 for none (a stored work's head reads 0 as no year).
    if (!who || (year !== undefined && (year === 0 || year !== year >>> 0))) return [];
    return this.heads!.authorYear(who, year ?? 0).map((i) => this.list[i]);
  }
}
