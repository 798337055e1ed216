/**
 * Works in the editor, kept the way the garbage collector likes them: the works of a build
 * arrive from the index worker as UTF-8 JSON in one buffer shared with the worker (a
 * SharedArrayBuffer: outside the JavaScript heap, neither copied nor moved; the warm-start
 * cache's section is read into one too), and a work is parsed from it only when something reads
 * one of its fields, into a small ring of recently read works.
 *
 * Why: 50,000 works as objects are about 1.1 million small objects. Received as objects, every
 * one of them survives V8's young-generation collections and is copied there: 45 pauses of
 * 25–120 ms on the extension host's thread while a library is taken in, whatever the chunking
 * (measured in bench/host). Kept as bytes, what the editor holds per work is one small object
 * and its proxy. The heads (id, label, role, year, first author key: what completion, the lookup
 * and the tree read for every work) are a few joined strings and typed arrays, and a work's
 * head strings are cut from them when first read. A parse costs ≈ 8 µs: a hover or 50
 * completion items stay well under a millisecond; walking all works (grouping the tree) parses
 * them in slices.
 *
 * A stored work is a read-only `Proxy` that behaves as the plain `Work` (property reads, `in`,
 * `Object.keys`, spread, `JSON.stringify`); writing to it throws. Only a structured clone (a
 * message to a worker) needs the plain object: `plainWork`.
 */
import { ByteSink } from './byteSink';
import { yearOf } from './keys';
import type { Work } from './model';
import { fold, nameKey } from './names';
import { type FileTable, fromWire, Interner, toWire, type WireWork } from './wire';

/** Record (has a record of its own), related (only listed as related by records), or cited only. */
export type WorkRole = 'record' | 'cited' | 'related';

/** What is read of every work: kept beside the bytes, so that reading it parses nothing. */
export interface WorkHead {
  id: string;
  label: string;
  role: WorkRole;
  /** Year of publication (`yearOf`), if any. */
  year: number | undefined;
  /** The lookup's author key (folded family name of the first author or editor, or the group); '' if none. */
  who: string;
  /** The work's other citekeys (`x-corpus.aliases`), if any. */
  aliases?: readonly string[];
}

/** Reading this key of a stored work gives its head without parsing it. */
const HEAD = Symbol('corpus-cite.head');

export function roleOf(work: Work): WorkRole {
  const x = work['x-corpus'];
  if (x.kind === 'cited') return 'cited';
  return x.sources.length > 0 && x.sources.every((s) => s.relation === 'related') ? 'related' : 'record';
}

function computeHead(w: Work): WorkHead {
  const a = w.author?.[0] ?? w.editor?.[0];
  const who = a ? nameKey(a) : w['x-corpus'].groupAuthors?.[0];
  const head: WorkHead = { id: w.id, label: w['citation-label'], role: roleOf(w), year: yearOf(w), who: who ? fold(who) : '' };
  const aliases = w['x-corpus'].aliases;
  if (aliases?.length) head.aliases = aliases;
  return head;
}

/** The head of any work: read from a stored one, computed for a plain one. */
export function headOf(work: Work): WorkHead {
  return (work as unknown as { [HEAD]?: WorkHead })[HEAD] ?? computeHead(work);
}

/**
 * A work's label folded (`fold`), the lookup's key for it: read from a stored work's packed
 * heads (folded once in the index worker: folding 50,000 labels took ~65 ms of the editor's
 * thread at every start), computed for a plain one.
 */
export function labelKeyOf(head: WorkHead): string {
  return head instanceof Slot ? head.labelKey : fold(head.label);
}

/**
 * A work's other citekeys (`x-corpus.aliases`), if any: `headOf(work).aliases` without
 * computing the rest of a plain work's head (its author key folds a name).
 */
export function aliasesOf(work: Work): readonly string[] | undefined {
  const head = (work as unknown as { [HEAD]?: WorkHead })[HEAD];
  if (head) return head.aliases;
  const aliases = work['x-corpus'].aliases;
  return aliases?.length ? aliases : undefined;
}

/** Every citekey of a work: its id, then its aliases (read from the head: no parse). */
export function keysOf(work: Work): readonly string[] {
  const h = headOf(work);
  return h.aliases ? [h.id, ...h.aliases] : [h.id];
}

/** The first `n` works that have a record of their own (not cited only), in corpus order. */
export function firstRecords(works: readonly Work[], n: number): Work[] {
  const out: Work[] = [];
  for (let i = 0; i < works.length && out.length < n; i++) if (headOf(works[i]).role !== 'cited') out.push(works[i]);
  return out;
}

const ROLES: readonly WorkRole[] = ['record', 'cited', 'related'];

/**
 * Many short strings as one string and where each starts (UTF-16 units; `starts` has one entry
 * more than there are strings). One string and one typed array cross threads and come out of
 * the cache file far faster than 50,000 small strings, and a head is cut from it only when read.
 */
export interface JoinedStrings {
  joined: string;
  starts: Int32Array;
}

export function joinStrings(list: readonly string[]): JoinedStrings {
  const starts = new Int32Array(list.length + 1);
  for (let i = 0; i < list.length; i++) starts[i + 1] = starts[i] + list[i].length;
  return { joined: list.join(''), starts };
}

/** String `i` of a joined list. */
export function stringAt(j: JoinedStrings, i: number): string {
  return j.joined.slice(j.starts[i], j.starts[i + 1]);
}

/** The works of a build as they cross from the worker and lie in the cache: see the module comment. */
export interface PackedWorks {
  /** File paths the works name (sources, citing sentences), by number. */
  files: string[];
  /**
   * The works as UTF-8 JSON (wire form, see wire.ts), one after the other. In a
   * SharedArrayBuffer when made by the index worker (`packWorks`, the cache file read there):
   * the editor then reads the worker's bytes in place, no copy on either side.
   */
  bytes: Uint8Array;
  /** Where each work's JSON ends in `bytes`. */
  ends: Uint32Array;
  /** Heads, one entry per work. */
  ids: JoinedStrings;
  labels: JoinedStrings;
  /** The labels folded (`fold`): the lookup's keys for them, folded once when the works are packed. */
  labelKeys: JoinedStrings;
  whos: JoinedStrings;
  roles: Uint8Array;
  /** 0 when the work has no year. */
  years: Uint32Array;
  /** [index, aliases] of the works that have aliases, by index. */
  aliases: [number, readonly string[]][];
  /**
   * Every citekey (`keySlots`): a hash table, so that a warm start finds a work by key without
   * making a string and a `Map` entry per work (52,522 of each took ~20–30 ms of a 150 ms warm
   * start at 50,000 works).
   */
  keySlots: Int32Array;
}

/**
 * FNV-1a over the UTF-16 code units of `s[from, to)`: the hash of `keySlots` (the same in every
 * process: it is stored in the cache) and of the lookup's tables over the heads (lookup.ts).
 */
export function keyHash(s: string, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** An empty open-addressing table at most half full for `n` keys (a miss always ends at an empty slot). */
export function emptySlots(n: number): Int32Array {
  let cap = 16;
  while (cap < 2 * n) cap *= 2;
  return new Int32Array(cap).fill(-1);
}

/**
 * The citekeys of packed works as an open-addressing hash table (linear probing, at most half
 * full, so a miss always ends at an empty slot). Key numbers: `k < n` is the id of work `k`,
 * `n + j` the `j`-th alias in `aliases` order. Keys are entered as `Map.set` would be, each work's
 * id then its aliases, work by work; a key entered twice holds the later entry, as such a `Map`.
 */
function keySlots(ids: readonly string[], aliases: readonly (readonly [number, readonly string[]])[]): Int32Array {
  const n = ids.length;
  let total = n;
  for (const [, list] of aliases) total += list.length;
  const slots = emptySlots(total);
  const mask = slots.length - 1;
  const texts: string[] = [...ids];
  const enter = (key: string, k: number) => {
    let h = keyHash(key, 0, key.length) & mask;
    while (slots[h] >= 0 && texts[slots[h]] !== key) h = (h + 1) & mask;
    slots[h] = k;
  };
  let next = 0;
  for (let i = 0; i < n; i++) {
    enter(ids[i], i);
    if (next < aliases.length && aliases[next][0] === i) {
      for (const a of aliases[next++][1]) {
        texts.push(a);
        enter(a, texts.length - 1);
      }
    }
  }
  return slots;
}

/**
 * Works by citekey (id or alias) over packed works, as the `Map` that `set`s each work's id then
 * its aliases, work by work, would be: `get` and `has` read `keySlots` (no string or entry per
 * work); anything else (size, iteration, writes) first fills the `Map` itself, in that order.
 */
export class PackedKeyMap extends Map<string, Work> {
  private filled = false;
  /** The aliases in key-number order (key `n + j`): the works that have aliases are few. */
  private readonly aliasText: string[] = [];
  private readonly aliasWork: number[] = [];

  constructor(
    private readonly works: readonly Work[],
    private readonly packed: PackedWorks,
  ) {
    super();
    for (const [i, list] of packed.aliases) {
      for (const a of list) {
        this.aliasText.push(a);
        this.aliasWork.push(i);
      }
    }
  }

  private find(key: unknown): number {
    if (typeof key !== 'string') return -1;
    const { keySlots: slots, ids } = this.packed;
    const n = this.packed.ends.length;
    const mask = slots.length - 1;
    const { joined, starts } = ids;
    for (let h = keyHash(key, 0, key.length) & mask; ; h = (h + 1) & mask) {
      const k = slots[h];
      if (k < 0) return -1;
      if (k < n) {
        if (starts[k + 1] - starts[k] === key.length && joined.startsWith(key, starts[k])) return k;
      } else if (this.aliasText[k - n] === key) return this.aliasWork[k - n];
    }
  }

  private fill(): void {
    if (this.filled) return;
    this.filled = true;
    const { ids } = this.packed;
    let j = 0;
    for (let i = 0; i < this.packed.ends.length; i++) {
      super.set(stringAt(ids, i), this.works[i]);
      while (j < this.aliasWork.length && this.aliasWork[j] === i) super.set(this.aliasText[j++], this.works[i]);
    }
  }

  override get(key: string): Work | undefined {
    if (this.filled) return super.get(key);
    const i = this.find(key);
    return i < 0 ? undefined : this.works[i];
  }

  override has(key: string): boolean {
    return this.filled ? super.has(key) : this.find(key) >= 0;
  }

  override get size(): number {
    this.fill();
    return super.size;
  }

  override set(key: string, value: Work): this {
    this.fill();
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.fill();
    return super.delete(key);
  }

  override clear(): void {
    this.filled = true;
    super.clear();
  }

  override forEach(fn: (value: Work, key: string, map: Map<string, Work>) => void, thisArg?: unknown): void {
    this.fill();
    super.forEach(fn, thisArg);
  }

  override entries(): MapIterator<[string, Work]> {
    this.fill();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.fill();
    return super.keys();
  }

  override values(): MapIterator<Work> {
    this.fill();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, Work]> {
    this.fill();
    return super[Symbol.iterator]();
  }
}

/** A Uint8Array of `n` bytes in a SharedArrayBuffer (readable by another thread without a copy). */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

export function packWorks(works: readonly Work[]): PackedWorks {
  // In batches: the wire objects and encoded pieces of one batch die young. Made for all
  // 50,000 works at once, they outlived the young generation and packing took 2.4 s, not 0.9 s.
  const table: FileTable = { files: [], index: new Map() };
  const ends = new Uint32Array(works.length);
  // Encoded straight into one buffer that grows in place (byteSink.ts), not into batches joined
  // at the end: joining held the bytes twice, +54 MB on the peak of a cold build at 50,000 works
  // (bench/RESULTS.md, seventh session, memory). 16 KB a work is the first guess of their size.
  const sink = new ByteSink(Math.max(16 << 20, works.length * (16 << 10)), true); // shared: the editor reads them in place
  const BATCH = 250;
  for (let from = 0; from < works.length; from += BATCH) {
    const wire = toWire(works.slice(from, from + BATCH), table).works;
    wire.forEach((w, k) => {
      ends[from + k] = sink.append(JSON.stringify(w));
    });
  }
  const bytes = sink.bytes();
  const wire = { files: table.files };
  const heads = works.map(headOf);
  const aliases = heads.flatMap((h, i) => (h.aliases ? [[i, h.aliases] as [number, readonly string[]]] : []));
  return {
    files: wire.files,
    bytes,
    ends,
    ids: joinStrings(heads.map((h) => h.id)),
    labels: joinStrings(heads.map((h) => h.label)),
    labelKeys: joinStrings(heads.map((h) => fold(h.label))),
    whos: joinStrings(heads.map((h) => h.who)),
    roles: Uint8Array.from(heads, (h) => ROLES.indexOf(h.role)),
    years: Uint32Array.from(heads, (h) => h.year ?? 0),
    aliases,
    keySlots: keySlots(
      heads.map((h) => h.id),
      aliases,
    ),
  };
}

/**
 * The target of one stored work's proxy: where its head and bytes are, and its parse while
 * recent. The head's strings are cut from the joined lists when first read (then kept): taking
 * in 50,000 works makes one small object and one proxy each, no strings.
 */
class Slot implements WorkHead {
  full: Work | undefined = undefined;
  aliases: readonly string[] | undefined = undefined;
  private idText: string | undefined = undefined;
  private labelText: string | undefined = undefined;
  private whoText: string | undefined = undefined;

  constructor(
    readonly chunk: PackedWorks,
    readonly index: number,
  ) {}

  get id(): string {
    return (this.idText ??= stringAt(this.chunk.ids, this.index));
  }

  get label(): string {
    return (this.labelText ??= stringAt(this.chunk.labels, this.index));
  }

  get who(): string {
    return (this.whoText ??= stringAt(this.chunk.whos, this.index));
  }

  get labelKey(): string {
    return stringAt(this.chunk.labelKeys, this.index);
  }

  get role(): WorkRole {
    return ROLES[this.chunk.roles[this.index]];
  }

  get year(): number | undefined {
    return this.chunk.years[this.index] || undefined;
  }
}

/** How many parsed works stay parsed (the rest are parsed again when read). */
const RING = 1024;

export class WorkStore {
  private readonly list: Work[] = [];
  private readonly interner = new Interner();
  private readonly decoder = new TextDecoder();
  private readonly ring: (Slot | undefined)[] = new Array(RING);
  private next = 0;
  /** The last list taken in, with its file names interned (`add` may take it in several calls). */
  private last: { from: PackedWorks; chunk: PackedWorks } | undefined;
  /** Parses so far (for tests and the benchmark). */
  parses = 0;

  private readonly handler: ProxyHandler<Slot> = {
    get: (slot, key) => {
      if (key === 'id') return slot.id;
      if (key === 'citation-label') return slot.label;
      if (key === HEAD) return slot;
      return Reflect.get(this.parsed(slot), key);
    },
    has: (slot, key) => key === HEAD || key in this.parsed(slot),
    ownKeys: (slot) => Reflect.ownKeys(this.parsed(slot)),
    getOwnPropertyDescriptor: (slot, key) => {
      const d = Reflect.getOwnPropertyDescriptor(this.parsed(slot), key);
      return d && { value: d.value, writable: false, enumerable: d.enumerable, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  };

  /** All works taken in so far, in order. */
  get works(): readonly Work[] {
    return this.list;
  }

  /**
   * Takes in works [from, to) of a packed list (all of it by default; the editor takes a large
   * list in slices, in order, with its event loop running between them); returns them.
   */
  add(p: PackedWorks, from = 0, to = p.ends.length): Work[] {
    if (this.last?.from !== p) this.last = { from: p, chunk: { ...p, files: p.files.map((f) => this.interner.string(f)) } };
    const chunk = this.last.chunk;
    const out: Work[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) {
      const w = new Proxy(new Slot(chunk, i), this.handler) as unknown as Work;
      out[i - from] = w;
      this.list.push(w);
    }
    for (const [i, aliases] of p.aliases) if (i >= from && i < to) (out[i - from] as unknown as { [HEAD]: Slot })[HEAD].aliases = aliases;
    return out;
  }

  private parsed(slot: Slot): Work {
    if (slot.full) return slot.full;
    const w = this.parse(slot);
    const old = this.ring[this.next];
    if (old) old.full = undefined;
    this.ring[this.next] = slot;
    this.next = (this.next + 1) % RING;
    return (slot.full = w);
  }

  private parse(slot: Slot): Work {
    this.parses++;
    const { bytes, ends, files } = slot.chunk;
    const json = this.decoder.decode(bytes.subarray(slot.index ? ends[slot.index - 1] : 0, ends[slot.index]));
    return fromWire({ files, works: [JSON.parse(json) as WireWork] }, this.interner)[0];
  }
}

/** A plain copy of any work, stored or not (for structured clones: messages to the worker). */
export function plainWork(work: Work): Work {
  if ((work as unknown as { [HEAD]?: Slot })[HEAD] === undefined) return work;
  return JSON.parse(JSON.stringify(work)) as Work;
}
