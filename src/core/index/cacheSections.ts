/**
 * Binary sections of the warm-start cache file (indexCache.ts): a value whose typed arrays are
 * stored as raw bytes, read back as views over the section's buffer without a copy, and the
 * checks that tell our own section from a truncated or damaged one.
 *
 * Layout of one section: u32 (little-endian) length of a JSON descriptor, the descriptor (the
 * value with each typed array replaced by `{"$a": i}`, and `a`: [kind, length] per array), then
 * the arrays, each starting at a multiple of 8 bytes from the section's start. Long strings are
 * arrays too: UTF-8, or their bytes when every character is below U+0100. Why not JSON: at
 * 50,000 works the editor's form of the works (UTF-8 bytes plus heads, workStore.ts) and the
 * packed search index are ~30 MB of typed arrays; as JSON they took 0.65 s to parse and the
 * search index 0.4 s to rebuild, as views they are ready in milliseconds.
 */
import * as zlib from 'zlib';
import type { Problem } from '../model/model';
import type { PackedSearchIndex } from '../search/search';
import type { PackedWorks } from '../model/workStore';

type Typed = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;
const KINDS = { i32: Int32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array, f64: Float64Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: ArrayBufferView): Kind {
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Float64Array) return 'f64';
  throw new Error(`cannot store a ${a.constructor.name} in the cache`);
}

const align8 = (n: number) => (n + 7) & ~7;

/** Checksum of a section: CRC-32 (zlib, native: ~2 GB/s, twice sha1's speed), 8 hex digits; of the section's parts in order, if a list. */
export function sectionSum(b: Uint8Array | readonly Uint8Array[]): string {
  let crc = 0;
  // An empty part is skipped: zlib.crc32 of an empty buffer gives 0, not the value it was given.
  for (const part of b instanceof Uint8Array ? [b] : b) if (part.length > 0) crc = zlib.crc32(part, crc);
  return crc.toString(16).padStart(8, '0');
}

/** Strings at least this long are stored as UTF-8 bytes (decoded natively), not inside the JSON. */
const LONG_STRING = 1024;
/** Only characters of one byte (U+0000–U+00FF). */
const ONE_BYTE = /^[\u0000-\u00ff]*$/;
/** Lists of at least this many strings are stored joined, with where each starts. */
const LONG_LIST = 64;

/**
 * A value with typed arrays as the parts of one section (see the module comment), in order: the
 * arrays' parts are views of the arrays themselves, so writing a section of the 57 MB of works
 * at 50,000 works copies none of them (a copy was +57 MB on the peak of a cold index). Long strings become UTF-8
 * arrays and long lists of strings one joined string plus an Int32Array of starts: decoding
 * UTF-8 and slicing is several times faster than JSON.parse of the same strings.
 */
export function encodeSectionParts(value: unknown): Buffer[] {
  const arrays: Typed[] = [];
  const add = (a: Typed) => arrays.push(a) - 1;
  // A string of one-byte characters only (ids, labels, keys: nearly always) as those bytes
  // (`$b`): read back by a copy, about twice as fast as decoding UTF-8. Any other as UTF-8 (`$s`).
  const stored = (v: string): { $s?: number; $b?: number } => (ONE_BYTE.test(v) ? { $b: add(Buffer.from(v, 'latin1')) } : { $s: add(Buffer.from(v, 'utf8')) });
  const json = JSON.stringify({ v: value, a: null as unknown }, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) return { $a: add(v as Typed) };
    if (typeof v === 'string' && v.length >= LONG_STRING) return stored(v);
    if (Array.isArray(v) && v.length >= LONG_LIST && v.every((x) => typeof x === 'string')) {
      const starts = new Int32Array(v.length + 1);
      for (let i = 0; i < v.length; i++) starts[i + 1] = starts[i] + (v[i] as string).length;
      const { $s, $b } = stored(v.join(''));
      return { $l: $s ?? $b, ...($b !== undefined ? { latin1: true } : {}), starts: { $a: add(starts) } };
    }
    return v;
  });
  // The arrays' kinds and lengths go last, after the walk that found them.
  const table = JSON.stringify(arrays.map((a) => [kindOf(a), a.length]));
  const desc = Buffer.from(`${json.slice(0, -'null}'.length)}${table}}`, 'utf8');
  // The descriptor's length, the descriptor and the padding to the first array; then each array
  // as a view of its own bytes (not copied) and its padding to a multiple of 8.
  const head = Buffer.alloc(align8(4 + desc.length));
  head.writeUInt32LE(desc.length, 0);
  desc.copy(head, 4);
  const parts: Buffer[] = [head];
  for (const a of arrays) {
    if (a.byteLength > 0) parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    const pad = align8(a.byteLength) - a.byteLength;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  return parts;
}

/** `encodeSectionParts` joined in one buffer. */
export function encodeSection(value: unknown): Buffer {
  return Buffer.concat(encodeSectionParts(value));
}

/**
 * The value `encodeSection` stored; its typed arrays are views over `buf` (copied only when `buf`
 * is not 8-byte aligned). Throws when the section is malformed (truncated, not ours).
 */
export function decodeSection(buf: Uint8Array): unknown {
  if (buf.byteOffset % 8 !== 0) buf = Uint8Array.prototype.slice.call(buf) as Uint8Array;
  if (buf.length < 4) throw new Error('section too short');
  const descLen = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0, true);
  if (4 + descLen > buf.length) throw new Error('section descriptor past its end');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const desc = JSON.parse(utf8.decode(buf.subarray(4, 4 + descLen))) as { v: unknown; a: unknown };
  if (!Array.isArray(desc.a)) throw new Error('section without its array table');
  const views: Typed[] = [];
  let pos = align8(4 + descLen);
  for (const entry of desc.a as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !(entry[0] in KINDS) || !Number.isInteger(entry[1]) || (entry[1] as number) < 0) throw new Error('bad array entry');
    const T = KINDS[entry[0] as Kind];
    const n = entry[1] as number;
    if (pos + n * T.BYTES_PER_ELEMENT > buf.length) throw new Error('array past the section end');
    views.push(new T(buf.buffer as ArrayBuffer, buf.byteOffset + pos, n));
    pos = align8(pos + n * T.BYTES_PER_ELEMENT);
  }
  const view = (i: unknown): Typed => {
    const v = typeof i === 'number' ? views[i] : undefined;
    if (!v) throw new Error('reference to a missing array');
    return v;
  };
  const text = (i: unknown, latin1 = false): string => {
    const v = view(i);
    if (!(v instanceof Uint8Array)) throw new Error('string stored as another array');
    return latin1 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1') : utf8.decode(v);
  };
  const revive = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object') v[i] = revive(v[i]);
      return v;
    }
    const o = v as Record<string, unknown>;
    if (o.$a !== undefined) return view(o.$a);
    if (o.$s !== undefined) return text(o.$s);
    if (o.$b !== undefined) return text(o.$b, true);
    if (o.$l !== undefined) {
      const joined = text(o.$l, o.latin1 === true);
      const starts = revive(o.starts);
      if (!(starts instanceof Int32Array) || starts[starts.length - 1] !== joined.length) throw new Error('malformed list of strings');
      const list: string[] = new Array(starts.length - 1);
      for (let i = 0; i < list.length; i++) list[i] = joined.slice(starts[i], starts[i + 1]);
      return list;
    }
    for (const k in o) if (typeof o[k] === 'object') o[k] = revive(o[k]);
    return o;
  };
  return revive(desc.v);
}

// ---------------------------------------------------------------------------------------------
// Shape checks: the checksum catches damage; these catch a section that is not what we wrote
// (another layout under the same version, a bug), before anything reads past an array's end.

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown, n: number): v is string[] => Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string');

/** Whether `v` is `n` strings joined (joinStrings): starts from 0, in order, ending at the end of the string. */
function isJoined(v: unknown, n: number): boolean {
  if (!isObj(v) || typeof v.joined !== 'string' || !(v.starts instanceof Int32Array) || v.starts.length !== n + 1) return false;
  const s = v.starts;
  if (s[0] !== 0 || s[n] !== v.joined.length) return false;
  for (let i = 0; i < n; i++) if (s[i + 1] < s[i]) return false;
  return true;
}

/** Whether `v` is a whole `PackedWorks`: heads for every work, ends in order inside the bytes. */
export function isPackedWorks(v: unknown): v is PackedWorks {
  if (!isObj(v) || !(v.bytes instanceof Uint8Array) || !(v.ends instanceof Uint32Array) || !(v.roles instanceof Uint8Array) || !(v.years instanceof Uint32Array)) return false;
  const n = v.ends.length;
  if (!isStrings(v.files, (v.files as unknown[] | undefined)?.length ?? -1) || !isJoined(v.ids, n) || !isJoined(v.labels, n) || !isJoined(v.labelKeys, n) || !isJoined(v.whos, n) || v.roles.length !== n || v.years.length !== n) return false;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    if (v.ends[i] < prev || v.roles[i] > 2) return false;
    prev = v.ends[i];
  }
  if (prev !== v.bytes.length) return false;
  if (!Array.isArray(v.aliases)) return false;
  let last = -1;
  let keys = n;
  const aliasesOk = v.aliases.every((a: unknown) => Array.isArray(a) && a.length === 2 && Number.isInteger(a[0]) && a[0] > last && a[0] < n && isStrings(a[1], (a[1] as unknown[] | undefined)?.length ?? -1) && ((last = a[0] as number), (keys += (a[1] as string[]).length), true));
  return aliasesOk && isKeySlots(v.keySlots, keys);
}

/** Whether `v` is a table of `keys` citekeys (workStore.ts keySlots): a power of two over twice their number, each slot empty or a key. */
function isKeySlots(v: unknown, keys: number): boolean {
  if (!(v instanceof Int32Array) || v.length < 2 * keys || v.length < 16 || (v.length & (v.length - 1)) !== 0) return false;
  for (let i = 0; i < v.length; i++) if (v[i] < -1 || v[i] >= keys) return false;
  return true;
}

const INDEX_ARRAYS = ['order', 'postOff', 'postWork', 'postMask', 'fwdOff', 'fwdTok', 'fwdMask', 'byId', 'idRank', 'recordsById', 'citedById', 'idWork', 'aliasOff', 'aliasEntry', 'doiOrder', 'doiRank'] as const;

/** Whether `v` is a packed search index over `n` works (its arrays' own invariants are the checksum's to keep). */
export function isPackedSearch(v: unknown, n: number): v is PackedSearchIndex {
  if (!isObj(v) || v.n !== n || typeof v.nRecords !== 'number') return false;
  for (const k of INDEX_ARRAYS) if (!ArrayBuffer.isView(v[k])) return false;
  if ((v.order as Int32Array).length !== n) return false;
  for (const k of ['tokens', 'labelKey', 'idKey', 'doiKeys'] as const) {
    const j = v[k];
    if (!isObj(j) || typeof j.joined !== 'string' || !(j.starts instanceof Int32Array)) return false;
  }
  // Years: absent in caches written before them (computed on first use); if there, one per work.
  if (v.years !== undefined && !(v.years instanceof Uint16Array && v.years.length === n)) return false;
  return Array.isArray(v.cjkText);
}

/** Whether `v` is a list of problems. */
export function isProblems(v: unknown): v is Problem[] {
  return Array.isArray(v) && v.every((p) => isObj(p) && typeof p.file === 'string' && typeof p.line === 'number' && typeof p.message === 'string' && typeof p.severity === 'string');
}
