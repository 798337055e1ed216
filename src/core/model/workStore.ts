/**
 * Works in the editor, kept the way the garbage collector likes them: each chunk of works from
 * the index worker arrives as UTF-8 JSON in one transferred buffer (outside the JavaScript heap,
 * moved without a copy), and a work is parsed from it only when something reads one of its
 * fields, into a small ring of recently read works.
 *
 * Why: 50,000 works as objects are about 1.1 million small objects. Received as objects, every
 * one of them survives V8's young-generation collections and is copied there: 45 pauses of
 * 25–120 ms on the extension host's thread while a library is taken in, whatever the chunking
 * (measured in bench/host). Kept as bytes, what the editor holds per work is one small object
 * and the few strings that completion, the lookup and the tree read for every work (the head:
 * id, label, role, year, first author key). A parse costs ≈ 8 µs: a hover or 50 completion items
 * stay well under a millisecond; walking all works (grouping the tree) parses them in slices.
 *
 * A stored work is a read-only `Proxy` that behaves as the plain `Work` (property reads, `in`,
 * `Object.keys`, spread, `JSON.stringify`); writing to it throws. Only a structured clone (a
 * message to a worker) needs the plain object: `plainWork`.
 */
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

/** A chunk of works as it crosses from the worker: see the module comment. */
export interface PackedWorks {
  /** File paths the works name (sources, citing sentences), by number. */
  files: string[];
  /** The works as UTF-8 JSON (wire form, see wire.ts), one after the other. */
  bytes: Uint8Array;
  /** Where each work's JSON ends in `bytes`. */
  ends: Uint32Array;
  /** Heads, one entry per work. */
  ids: string[];
  labels: string[];
  whos: string[];
  roles: Uint8Array;
  /** 0 when the work has no year. */
  years: Uint32Array;
  /** [index, aliases] of the works that have aliases. */
  aliases: [number, readonly string[]][];
}

export function packWorks(works: readonly Work[]): PackedWorks {
  // In batches: the wire objects and encoded pieces of one batch die young. Made for all
  // 50,000 works at once, they outlived the young generation and packing took 2.4 s, not 0.9 s.
  const table: FileTable = { files: [], index: new Map() };
  const encoder = new TextEncoder();
  const ends = new Uint32Array(works.length);
  const batches: Uint8Array[] = [];
  let size = 0;
  const BATCH = 250;
  for (let from = 0; from < works.length; from += BATCH) {
    const wire = toWire(works.slice(from, from + BATCH), table).works;
    const parts = wire.map((w) => encoder.encode(JSON.stringify(w)));
    let n = 0;
    for (const p of parts) n += p.length;
    const batch = new Uint8Array(n);
    let at = 0;
    parts.forEach((p, k) => {
      batch.set(p, at);
      at += p.length;
      ends[from + k] = size + at;
    });
    size += n;
    batches.push(batch);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const b of batches) {
    bytes.set(b, at);
    at += b.length;
  }
  batches.length = 0;
  const wire = { files: table.files };
  const heads = works.map(headOf);
  return {
    files: wire.files,
    bytes,
    ends,
    ids: heads.map((h) => h.id),
    labels: heads.map((h) => h.label),
    whos: heads.map((h) => h.who),
    roles: Uint8Array.from(heads, (h) => ROLES.indexOf(h.role)),
    years: Uint32Array.from(heads, (h) => h.year ?? 0),
    aliases: heads.flatMap((h, i) => (h.aliases ? [[i, h.aliases] as [number, readonly string[]]] : [])),
  };
}

/** Works [from, to) of a packed list, as a packed list of their own (copied: its buffers can move to another thread). */
export function slicePackedWorks(p: PackedWorks, from: number, to: number): PackedWorks {
  const start = from ? p.ends[from - 1] : 0;
  const ends = p.ends.slice(from, to);
  for (let i = 0; i < ends.length; i++) ends[i] -= start;
  return {
    files: p.files,
    bytes: p.bytes.slice(start, to > from ? p.ends[to - 1] : start),
    ends,
    ids: p.ids.slice(from, to),
    labels: p.labels.slice(from, to),
    whos: p.whos.slice(from, to),
    roles: p.roles.slice(from, to),
    years: p.years.slice(from, to),
    aliases: p.aliases.flatMap(([i, a]) => (i >= from && i < to ? [[i - from, a] as [number, readonly string[]]] : [])),
  };
}

/** The buffers a `PackedWorks` message can move instead of copying. */
export function packedWorksTransfer(p: PackedWorks): ArrayBuffer[] {
  return [p.bytes.buffer, p.ends.buffer, p.roles.buffer, p.years.buffer] as ArrayBuffer[];
}

interface Chunk {
  files: string[];
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** The target of one stored work's proxy: its head, where its bytes are, and its parse while recent. */
interface Slot extends WorkHead {
  chunk: Chunk;
  index: number;
  full: Work | undefined;
}

/** How many parsed works stay parsed (the rest are parsed again when read). */
const RING = 1024;

export class WorkStore {
  private readonly list: Work[] = [];
  private readonly interner = new Interner();
  private readonly decoder = new TextDecoder();
  private readonly ring: (Slot | undefined)[] = new Array(RING);
  private next = 0;
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

  /** Takes in a chunk; returns its works. */
  add(p: PackedWorks): Work[] {
    const chunk: Chunk = { files: p.files.map((f) => this.interner.string(f)), bytes: p.bytes, ends: p.ends };
    const out: Work[] = new Array(p.ids.length);
    for (let i = 0; i < out.length; i++) {
      const slot: Slot = { id: p.ids[i], label: p.labels[i], role: ROLES[p.roles[i]], year: p.years[i] || undefined, who: p.whos[i], chunk, index: i, full: undefined };
      out[i] = new Proxy(slot, this.handler) as unknown as Work;
      this.list.push(out[i]);
    }
    for (const [i, aliases] of p.aliases ?? []) (out[i] as unknown as { [HEAD]: Slot })[HEAD].aliases = aliases;
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
