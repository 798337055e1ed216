/**
 * Fast prefix search over the corpus, for completion and quick pick. Pure: no `vscode`.
 *
 * - Searchable text (label, authors, year, title, translated title, venue, keywords) is
 *   normalised (lower case, NFKD, diacritics stripped, a few letters folded: ø→o, ß→ss...) and
 *   split into tokens: runs of letters/digits, except that CJK characters are one token each
 *   (a CJK query then also has to occur as a substring). Ids and DOIs are matched as whole
 *   strings through id- and DOI-sorted arrays (`10.1080/1838` prefix-matches a DOI).
 * - Tokens are interned into one sorted array; a token's id is its rank, so the tokens that
 *   start with a prefix form one contiguous id range, found by binary search.
 * - Postings: for each token, the works that have it (ascending) with field bits. A forward
 *   index holds each work's token ids (ascending) with the same bits.
 * - Works are numbered in tie-break order (records first, then by label), so postings meet
 *   the best-ranked works first and a work's number is its tie-break.
 * - A query word becomes a term (token range + id/DOI ranges). The term with the fewest
 *   postings drives: its postings (up to a budget) are the candidates. Each other term then
 *   filters them, by a sequential mark of its postings when it has few relative to the
 *   candidates, else by binary search in each candidate's forward index.
 * - Whole-query prefixes of the citation label or id (tier 1) come straight from the
 *   label- and id-sorted orders, so they are found however broad the query is.
 * - Per-query scratch arrays are allocated once, at build time.
 */
import type { Work } from '../model/model';
import { aliasesOf, headOf } from '../model/workStore';

export interface SearchHit {
  work: Work;
  score: number;
  /**
   * The citekey the query names, when it is one of the work's aliases (`x-corpus.aliases`)
   * rather than its id: completing `@smith:val` inserts the key being typed.
   */
  key?: string;
}

export interface SearchResult {
  results: SearchHit[];
  /** True when more works may match than were returned (limit reached or scan cut short). */
  incomplete: boolean;
}

// Field bits carried by each (token, work) posting.
const F_LABEL = 1;
const F_ID = 2;
const F_FIRST = 4;
const F_AUTHOR = 8;
const F_YEAR = 16;
const F_TITLE = 32;
const F_VENUE = 64;
const F_KEYWORD = 128;
const F_DOI = 256;
/** Set per query, not stored: the matching token equals the query word. */
const F_EXACT = 1 << 15;

/** Weight of a word match by the best field it matched in. */
function fieldWeight(mask: number): number {
  let w = 0;
  if (mask & F_FIRST) w = 40;
  else if (mask & F_LABEL) w = 36;
  else if (mask & F_YEAR) w = 30;
  else if (mask & F_DOI) w = 30;
  else if (mask & F_AUTHOR) w = 25;
  else if (mask & F_ID) w = 20;
  else if (mask & F_TITLE) w = 10;
  else if (mask & F_KEYWORD) w = 9;
  else if (mask & F_VENUE) w = 6;
  if (mask & F_EXACT) w += 3;
  return w;
}

const TIER1 = 1000;
/** Years 0–4095 order ties (0: no year, last); packed into the sort key below the score. */
const YEAR_SPAN = 4096;
const TIER1_EXACT = 100;
/** Postings a query may walk before it settles for a partial (incomplete) answer. */
const SCAN_BUDGET = 20_000;
const MAX_TERMS = 16;

// ---------------------------------------------------------------------------------------------
// Normalisation and tokenising

const ASCII_RE = /^[\x00-\x7f]*$/;
// Ranges of combining marks, matched one at a time on purpose.
// eslint-disable-next-line no-misleading-character-class
const DIACRITICS_RE = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const FOLD_RE = /[øłđßæœıþðħŧ]/g;
const FOLD: Record<string, string> = {
  ø: 'o', ł: 'l', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ð: 'd', ħ: 'h', ŧ: 't',
};
const JAMO_RE = /[\u1100-\u11ff]/;
const CJK_RE = /[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{3134f}]/u;
const ASCII_TOKEN_RE = /[a-z0-9]+/g;
const APOSTROPHE_RE = /\p{L}['’ʼ]\p{L}/u;
const APOSTROPHES_RE = /['’ʼ]/g;
const WORD_RE = /[\p{L}\p{N}]+/gu;

/** Lower case, NFKD, diacritics stripped, a few letters folded. */
export function normalizeForSearch(s: string): string {
  if (ASCII_RE.test(s)) return s.toLowerCase();
  let t = s.toLowerCase().normalize('NFKD').replace(DIACRITICS_RE, '');
  if (FOLD_RE.test(t)) {
    FOLD_RE.lastIndex = 0;
    t = t.replace(FOLD_RE, (c) => FOLD[c] ?? c);
  }
  if (JAMO_RE.test(t)) t = t.normalize('NFC');
  return t;
}

function isCjkChar(ch: string): boolean {
  return CJK_RE.test(ch);
}

/** Calls `emit` for each token of an already-normalised string. */
function eachToken(norm: string, emit: (tok: string) => void): void {
  if (ASCII_RE.test(norm)) {
    ASCII_TOKEN_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = ASCII_TOKEN_RE.exec(norm)) !== null) emit(m[0]);
    return;
  }
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD_RE.exec(norm)) !== null) {
    const w = m[0];
    if (!CJK_RE.test(w)) {
      emit(w);
      continue;
    }
    let run = '';
    for (const ch of w) {
      if (isCjkChar(ch)) {
        if (run) emit(run);
        run = '';
        emit(ch);
      } else run += ch;
    }
    if (run) emit(run);
  }
}

function tokensOf(norm: string): string[] {
  const out: string[] = [];
  eachToken(norm, (t) => out.push(t));
  return out;
}

/** Runs of 2+ CJK characters in a normalised string (for substring checks). */
function cjkRuns(norm: string): string[] {
  const out: string[] = [];
  let run = '';
  for (const ch of norm) {
    if (isCjkChar(ch)) run += ch;
    else {
      if ([...run].length > 1) out.push(run);
      run = '';
    }
  }
  if ([...run].length > 1) out.push(run);
  return out;
}

function normalizeDoi(doi: string): string {
  return doi
    .trim()
    .toLowerCase()
    .replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/, '');
}

function yearOf(work: Work): string | undefined {
  const y = work.issued?.['date-parts']?.[0]?.[0];
  if (y === undefined) return undefined;
  const s = String(y).trim();
  return /^\d{4}$/.test(s) ? s : undefined;
}

// ---------------------------------------------------------------------------------------------
// Binary searches

/** Sorted keys read by position: an array (as built), or read in place (as unpacked). */
interface StringList {
  readonly length: number;
  get(i: number): string;
}

class ArrayList implements StringList {
  constructor(readonly items: readonly string[]) {}
  get length(): number {
    return this.items.length;
  }
  get(i: number): string {
    return this.items[i];
  }
}

/**
 * Strings concatenated, read in place: a binary search makes ~20 short-lived strings where
 * splitting would keep 50,000 (per list) alive in the editor's heap, each one a cost to every
 * young-generation garbage collection while a corpus is taken in.
 */
class JoinedList implements StringList {
  /**
   * @param joined the strings, one after the other
   * @param starts where each begins, and the end of the last (length + 1 entries)
   */
  constructor(
    readonly joined: string,
    readonly starts: Int32Array,
  ) {}
  get length(): number {
    return this.starts.length - 1;
  }
  get(i: number): string {
    return this.joined.slice(this.starts[i], this.starts[i + 1]);
  }
}

function listOf(x: readonly string[] | StringList): StringList {
  return Array.isArray(x) ? new ArrayList(x) : (x as StringList);
}

function lowerBound(arr: StringList, key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr.get(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** End of the run of strings starting with `prefix`, which begins at `from`. */
function prefixEnd(arr: StringList, prefix: string, from: number): number {
  let lo = from;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr.get(mid).startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Over positions [from, to) of `perm` (identity if undefined), sorted by keys: the range of
 * keys starting with `prefix` as [lo, end of keys equal to prefix, hi). Empty prefix: empty.
 */
function rangeOf(
  perm: Int32Array | undefined,
  keys: StringList,
  from: number,
  to: number,
  prefix: string,
): [number, number, number] {
  if (!prefix) return [from, from, from];
  const at = (k: number): string => keys.get(perm ? perm[k] : k);
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < prefix) lo = mid + 1;
    else hi = mid;
  }
  const start = lo;
  let eq = start;
  hi = to;
  while (eq < hi) {
    const mid = (eq + hi) >>> 1;
    if (at(mid) === prefix) eq = mid + 1;
    else hi = mid;
  }
  let end = eq;
  hi = to;
  while (end < hi) {
    const mid = (end + hi) >>> 1;
    if (at(mid).startsWith(prefix)) end = mid + 1;
    else hi = mid;
  }
  return [start, eq, end];
}

// ---------------------------------------------------------------------------------------------

/**
 * Distinct whitespace-separated chunks of raw text → their token ids. Lookups hash the chunk
 * in place in its source string; a substring is only made for a new chunk. A slot of the
 * table holds what a hit reads (hash, chunk, where its characters are, their count) side by
 * side: a lookup touches the slot, the chunk's characters and its token ids, ~1.5 million
 * times at 50,000 works (memory reads, not arithmetic, were the cost).
 */
class ChunkTable {
  /** Open addressing, 4 entries a slot: hash, chunk + 1 (0: empty), first char, length. */
  private table = new Int32Array(4 << 13);
  private mask = (1 << 13) - 1;
  /** Characters of all chunks, packed. */
  private chars = new Uint16Array(1 << 16);
  private charsLen = 0;
  /** Token ids of chunk c are pool[start[c]..start[c+1]). */
  pool = new Int32Array(1 << 14);
  private poolLen = 0;
  start = new Int32Array(1 << 12);
  /** 1 when the chunk has CJK characters. */
  cjk = new Uint8Array(1 << 12);
  count = 0;
  /** Scratch for `tokenize`. */
  private out: number[] = [];

  get(
    s: string,
    from: number,
    to: number,
    h: number,
    tokenize: (chunk: string, out: number[]) => boolean,
  ): number {
    const len = to - from;
    const { table, chars, mask } = this;
    let slot = h & mask;
    probe: for (;;) {
      const b = slot << 2;
      const e = table[b + 1];
      if (e === 0) break;
      if (table[b] === h && table[b + 3] === len) {
        const at = table[b + 2];
        for (let k = 0; k < len; k++) {
          if (chars[at + k] !== s.charCodeAt(from + k)) {
            slot = (slot + 1) & mask;
            continue probe;
          }
        }
        return e - 1;
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(s, from, to, h, slot, tokenize);
  }

  private insert(
    s: string,
    from: number,
    to: number,
    h: number,
    slot: number,
    tokenize: (chunk: string, out: number[]) => boolean,
  ): number {
    const len = to - from;
    const c = this.count++;
    const at = this.charsLen;
    if (at + len > this.chars.length) this.chars = grow16(this.chars, at + len);
    const chars = this.chars;
    for (let k = 0; k < len; k++) chars[at + k] = s.charCodeAt(from + k);
    this.charsLen = at + len;
    const out = this.out;
    out.length = 0;
    const cjk = tokenize(s.slice(from, to), out);
    if (c + 2 > this.start.length) {
      this.start = grow32(this.start, c + 2);
      this.cjk = grow8(this.cjk, c + 2);
    }
    if (this.poolLen + out.length > this.pool.length) this.pool = grow32(this.pool, this.poolLen + out.length);
    for (let k = 0; k < out.length; k++) this.pool[this.poolLen++] = out[k];
    this.start[c + 1] = this.poolLen;
    this.cjk[c] = cjk ? 1 : 0;
    const table = this.table;
    const b = slot << 2;
    table[b] = h;
    table[b + 1] = c + 1;
    table[b + 2] = at;
    table[b + 3] = len;
    if (this.count * 2 > this.mask + 1) {
      // Keep the load under a half.
      const bigger = new Int32Array(table.length * 2);
      const mask = (bigger.length >> 2) - 1;
      for (let old = 0; old < table.length; old += 4) {
        if (table[old + 1] === 0) continue;
        let sl = table[old] & mask;
        while (bigger[(sl << 2) + 1] !== 0) sl = (sl + 1) & mask;
        bigger.set(table.subarray(old, old + 4), sl << 2);
      }
      this.table = bigger;
      this.mask = mask;
    }
    return c;
  }
}

function grow32(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, need));
  b.set(a);
  return b;
}

function grow16(a: Uint16Array, need: number): Uint16Array<ArrayBuffer> {
  const b = new Uint16Array(Math.max(a.length * 2, need));
  b.set(a);
  return b;
}

function grow8(a: Uint8Array, need: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(a.length * 2, need));
  b.set(a);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Sorting works by a string key, fast: an MSD radix sort whose digits are 5-6 characters
// packed (order-preserving, 6 bits each) into a float together with the work index, sorted
// natively as a Float64Array; runs still tied recurse on the next characters.

/** Order-preserving 6-bit class of a char code; 0 is reserved for "end of string". */
function charClass(c: number): number {
  if (c < 32) return 1;
  if (c === 32) return 2;
  if (c < 48) return 3;
  if (c < 58) return 4 + (c - 48); // digits 4..13
  if (c < 65) return 14;
  if (c < 91) return 15;
  if (c < 97) return 16;
  if (c < 123) return 17 + (c - 97); // a..z 17..42
  if (c < 128) return 43;
  return 44;
}

/**
 * Sorts `items` (work indices < n) in place by keys[item] (UTF-16 code unit order, like `<`),
 * ties by item ascending. Exported for tests.
 */
export function sortByKey(keys: readonly string[], items: Int32Array, n: number): void {
  const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const per = Math.floor((53 - idxBits) / 6);
  if (per < 2) {
    items.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    return;
  }
  const idxMul = 2 ** idxBits;
  const buf = new Float64Array(items.length);
  const cmp = (a: number, b: number): number => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b);
  const level = (lo: number, hi: number, depth: number): void => {
    const m = hi - lo;
    if (m < 2) return;
    if (m <= 12) {
      for (let k = lo + 1; k < hi; k++) {
        const x = items[k];
        let j = k - 1;
        while (j >= lo && cmp(items[j], x) > 0) {
          items[j + 1] = items[j];
          j--;
        }
        items[j + 1] = x;
      }
      return;
    }
    for (let k = lo; k < hi; k++) {
      const w = items[k];
      const key = keys[w];
      // Digits after a shared class are zeroed: they must not decide the order (the run is
      // finished by the comparator).
      let packed = 0;
      let shared = false;
      for (let c = depth; c < depth + per; c++) {
        const d = shared || c >= key.length ? 0 : charClass(key.charCodeAt(c));
        if (SHARED_CLASS[d]) shared = true;
        packed = packed * 64 + d;
      }
      buf[k] = packed * idxMul + w;
    }
    const view = buf.subarray(lo, hi);
    view.sort();
    // Decode, and collect the runs still tied on these digits.
    const runs: number[] = [];
    let runStart = lo;
    let prev = Math.floor(buf[lo] / idxMul);
    items[lo] = buf[lo] - prev * idxMul;
    for (let k = lo + 1; k <= hi; k++) {
      const p = k < hi ? Math.floor(buf[k] / idxMul) : -1;
      if (k < hi) items[k] = buf[k] - p * idxMul;
      if (p !== prev) {
        if (k - runStart > 1) runs.push(runStart, k, prev);
        runStart = k;
        prev = p;
      }
    }
    for (let r = 0; r < runs.length; r += 3) {
      const a = runs[r];
      const b = runs[r + 1];
      const p = runs[r + 2];
      // A class shared by several chars (punctuation, upper case, non-ASCII) may hide a
      // difference: finish such a run with the comparator. Otherwise, if no key ended within
      // these digits, recurse on the next ones; if all ended, the keys are equal.
      if (hasShared(p, per)) items.subarray(a, b).sort(cmp);
      else if (p % 64 !== 0) level(a, b, depth + per);
    }
  };
  level(0, items.length, 0);
}

/** Classes shared by several characters. */
const SHARED_CLASS = new Uint8Array(64);
for (const d of [1, 3, 14, 15, 16, 43, 44]) SHARED_CLASS[d] = 1;

/** Whether a packed digit group contains a class shared by several characters. */
function hasShared(packed: number, per: number): boolean {
  for (let c = 0; c < per; c++) {
    if (SHARED_CLASS[packed % 64]) return true;
    packed = Math.floor(packed / 64);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

interface Term {
  /** Token-id range of tokens starting with the word. */
  lo: number;
  hi: number;
  /** Token id equal to the word, or -1. */
  exact: number;
  /** Range of ids starting with the word in id order; ids equal to it in [idLo, idEq). */
  idLo: number;
  idEq: number;
  idHi: number;
  /** Range of DOIs starting with the word in DOI order. */
  doiLo: number;
  doiHi: number;
  /** Postings + id/DOI range sizes: the cost of driving the search with this term. */
  cost: number;
  /** Whether this term contributes to the score (later characters of a CJK run do not). */
  scored: boolean;
}

interface DoiIndex {
  /** Per work: normalised DOI or ''. */
  keys: StringList;
  /** Works with a DOI, sorted by key; rank: position in it per work (-1: none). */
  order: Int32Array;
  rank: Int32Array;
}

interface ParsedQuery {
  terms: Term[];
  /** CJK runs that must occur verbatim in the work's text. */
  substrings: string[];
  /** Normalised query tokens joined by spaces, compared with label keys. */
  labelPrefix: string;
  /** Query without spaces, compared with ids. */
  idPrefix: string;
}

/** The index's flat parts, the same in the built index and in its packed form. */
interface IndexArrays {
  /** Internal index → input index. */
  order: Int32Array;
  nRecords: number;
  postOff: Int32Array;
  postWork: Int32Array;
  postMask: Uint16Array;
  fwdOff: Int32Array;
  fwdTok: Int32Array;
  fwdMask: Uint16Array;
  /**
   * Citekeys: entry e < n is work e's id, entry n + j the j-th alias (`x-corpus.aliases`) of
   * work idWork[n + j]. byId: the entries sorted by idKey; idRank: each entry's rank in it;
   * recordsById / citedById: byId's entries of records / of cited-only works.
   */
  byId: Int32Array;
  idRank: Int32Array;
  recordsById: Int32Array;
  citedById: Int32Array;
  /** Entry → internal work index. */
  idWork: Int32Array;
  /** The alias entries of work w are aliasEntry[aliasOff[w] .. aliasOff[w + 1]). */
  aliasOff: Int32Array;
  aliasEntry: Int32Array;
}

function arraysOf(s: IndexArrays): IndexArrays {
  const { order, nRecords, postOff, postWork, postMask, fwdOff, fwdTok, fwdMask, byId, idRank, recordsById, citedById, idWork, aliasOff, aliasEntry } = s;
  return { order, nRecords, postOff, postWork, postMask, fwdOff, fwdTok, fwdMask, byId, idRank, recordsById, citedById, idWork, aliasOff, aliasEntry };
}

/** A SearchIndex as flat, structured-clone-friendly data (see `SearchIndex.pack`). */
export interface PackedSearchIndex extends IndexArrays {
  n: number;
  tokens: JoinedStrings;
  labelKey: JoinedStrings;
  idKey: JoinedStrings;
  /** [internal index, text] of the works with CJK text. */
  cjkText: [number, string][];
  doiKeys: JoinedStrings;
  doiOrder: Int32Array;
  doiRank: Int32Array;
  /**
   * Year per internal index (0: none), the recency tie-break: computed where the index is packed,
   * so that the first query in the receiving thread does not read 50,000 heads for it (~8 ms).
   * Absent in caches written before it: then computed on first use there.
   */
  years?: Uint16Array;
}

/** The buffers of a packed index that postMessage can transfer (each owned by one array). */
export function packedTransfer(p: PackedSearchIndex): ArrayBuffer[] {
  const arrays = [p.order, p.postOff, p.postWork, p.postMask, p.fwdOff, p.fwdTok, p.fwdMask, p.byId, p.idRank, p.recordsById, p.citedById, p.idWork, p.aliasOff, p.aliasEntry, p.doiOrder, p.doiRank, p.tokens.starts, p.labelKey.starts, p.idKey.starts, p.doiKeys.starts, ...(p.years ? [p.years] : [])];
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

/**
 * Many short strings as one string and where each starts (one string and one typed array cross
 * threads far faster than 100,000 small strings, and are read in place on arrival).
 */
type JoinedStrings = { joined: string; starts: Int32Array };

function joinStrings(list: StringList): JoinedStrings {
  if (list instanceof JoinedList) return { joined: list.joined, starts: list.starts };
  const items = (list as ArrayList).items;
  const starts = new Int32Array(items.length + 1);
  for (let i = 0; i < items.length; i++) starts[i + 1] = starts[i] + items[i].length;
  return { joined: items.join(''), starts };
}

function readStrings(j: JoinedStrings): StringList {
  return new JoinedList(j.joined, j.starts);
}

/** The built index without its per-query scratch: what `pack` sends and `unpack` restores. */
interface IndexState extends IndexArrays {
  works: Work[];
  tokens: readonly string[] | StringList;
  labelKey: readonly string[] | StringList;
  idKey: readonly string[] | StringList;
  cjkText: (string | undefined)[];
  doi?: DoiIndex;
  years?: Uint16Array;
}

/** Everything a SearchIndex holds but its per-query scratch, computed from the works. */
function buildState(input: readonly Work[]): IndexState {
  const n = input.length;

  // Text is cut at whitespace into chunks; a chunk table (hashing the chunk in place, no
  // substring made on a hit) maps each distinct chunk to its token ids, so repeated words,
  // names and venues are normalised and tokenised once. Token ids are temporary
  // (insertion order) until the tokens are sorted.
  const idOf = new Map<string, number>();
  const tokStr: string[] = [];
  const chunks = new ChunkTable();
  // Per temp token id: index + 1 of the work that last saw it, and its slot in fwdTmp.
  let seenIn = new Int32Array(1024);
  let slotOf = new Int32Array(1024);
  const intern = (tok: string): number => {
    let t = idOf.get(tok);
    if (t === undefined) {
      t = tokStr.length;
      idOf.set(tok, t);
      tokStr.push(tok);
      if (t >= seenIn.length) {
        const s2 = new Int32Array(seenIn.length * 2);
        s2.set(seenIn);
        seenIn = s2;
        const o2 = new Int32Array(slotOf.length * 2);
        o2.set(slotOf);
        slotOf = o2;
      }
    }
    return t;
  };
  const tokenizeChunk = (chunk: string, out: number[]): boolean => {
    const norm = normalizeForSearch(chunk);
    eachToken(norm, (tok) => out.push(intern(tok)));
    // O'Brien → o, brien, and obrien.
    if (APOSTROPHE_RE.test(norm)) eachToken(norm.replace(APOSTROPHES_RE, ''), (tok) => out.push(intern(tok)));
    return CJK_RE.test(norm);
  };
  /**
   * The temp token ids of `s` into `out` (from 0; returns how many), or the negated count
   * minus one when `s` has CJK text.
   */
  let toks = new Int32Array(256);
  const scan = (s: string): number => {
    let cjk = false;
    let nt = 0;
    const len = s.length;
    let i = 0;
    for (;;) {
      while (i < len && s.charCodeAt(i) <= 32) i++;
      if (i >= len) break;
      const start = i;
      let h = 0x811c9dc5;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c <= 32) break;
        h = Math.imul(h ^ c, 0x01000193);
      }
      const c = chunks.get(s, start, i, h, tokenizeChunk);
      if (chunks.cjk[c] === 1) cjk = true;
      const { pool, start: starts } = chunks;
      const end = starts[c + 1];
      let k = starts[c];
      if (nt + end - k > toks.length) toks = grow32(toks, nt + end - k);
      for (; k < end; k++) toks[nt++] = pool[k];
    }
    return cjk ? -nt - 1 : nt;
  };

  // 1. Tokenise every work, in input order (kinder to memory), into a temporary forward
  //    index: the tokens of input work i are [fwdInOff[i], fwdInOff[i+1]) of fwdTmp. The same
  //    one pass over the works takes what the internal order needs (label keys, which works are
  //    records): each work and its strings are read from memory once, not three times.
  const inputKey: string[] = new Array(n);
  const isRecord = new Uint8Array(n);
  const idIn: string[] = new Array(n);
  const cjkIn: (string | undefined)[] = new Array(n);
  let fwdTmpTok = new Int32Array(Math.max(16, n * 32));
  let fwdTmpMask = new Uint16Array(fwdTmpTok.length);
  let fwdLen = 0;
  const fwdInOff = new Int32Array(n + 1);
  const yearTok: (number | undefined)[] = new Array(9000);

  let cur = 0;
  let curMask = 0;
  const add = (t: number): void => {
    if (seenIn[t] === cur + 1) {
      fwdTmpMask[slotOf[t]] |= curMask;
      return;
    }
    seenIn[t] = cur + 1;
    if (fwdLen === fwdTmpTok.length) {
      const bigger = new Int32Array(fwdTmpTok.length * 2);
      bigger.set(fwdTmpTok);
      fwdTmpTok = bigger;
      const biggerMask = new Uint16Array(bigger.length);
      biggerMask.set(fwdTmpMask);
      fwdTmpMask = biggerMask;
    }
    slotOf[t] = fwdLen;
    fwdTmpTok[fwdLen] = t;
    fwdTmpMask[fwdLen] = curMask;
    fwdLen++;
  };
  let cjkParts: string[] = [];
  /** Adds the tokens of `s` with field bits `mask`. */
  const addText = (s: string | undefined, mask: number): void => {
    if (!s) return;
    curMask = mask;
    let nt = scan(s);
    const cjk = nt < 0;
    if (cjk) nt = -nt - 1;
    for (let k = 0; k < nt; k++) add(toks[k]);
    if (cjk) cjkParts.push(normalizeForSearch(s));
  };

  for (let i = 0; i < n; i++) {
    cur = i;
    cjkParts = [];
    fwdInOff[i] = fwdLen;
    const w = input[i];
    const xc = w['x-corpus'];

    // The label: its tokens (F_LABEL) and its key, those tokens joined by single spaces.
    const label = w['citation-label'];
    let key = '';
    if (label) {
      curMask = F_LABEL;
      const r = scan(label);
      const cjk = r < 0;
      const nt = cjk ? -r - 1 : r;
      if (nt > 0) {
        key = tokStr[toks[0]];
        for (let k = 1; k < nt; k++) key = key + ' ' + tokStr[toks[k]];
      }
      for (let k = 0; k < nt; k++) add(toks[k]);
      if (cjk) cjkParts.push(normalizeForSearch(label));
    }
    inputKey[i] = key;
    isRecord[i] = xc?.kind === 'record' ? 1 : 0;
    idIn[i] = (w.id ?? '').toLowerCase();

    const authors = w.author ?? [];
    for (let a = 0; a < authors.length; a++) {
      const name = authors[a];
      const familyMask = a === 0 ? F_FIRST | F_AUTHOR : F_AUTHOR;
      addText(name.family, familyMask);
      addText(name['non-dropping-particle'], familyMask);
      addText(name.literal, familyMask);
      addText(name.given, F_AUTHOR);
    }
    const groups = xc?.groupAuthors ?? [];
    for (let g = 0; g < groups.length; g++) {
      addText(groups[g], authors.length === 0 && g === 0 ? F_FIRST | F_AUTHOR : F_AUTHOR);
    }

    const y = w.issued?.['date-parts']?.[0]?.[0];
    curMask = F_YEAR;
    if (typeof y === 'number' && Number.isInteger(y) && y >= 1000 && y <= 9999) {
      let t = yearTok[y - 1000];
      if (t === undefined) t = yearTok[y - 1000] = intern(String(y));
      add(t);
    } else if (y !== undefined) {
      const year = yearOf(w);
      if (year) add(intern(year));
    }

    addText(w.title, F_TITLE);
    addText(xc?.translatedTitle, F_TITLE);
    addText(w['container-title'], F_VENUE);
    addText(w['container-title-short'], F_VENUE);
    addText(w.keyword, F_KEYWORD);
    cjkIn[i] = cjkParts.length ? cjkParts.join('\n') : undefined;
  }
  fwdInOff[n] = fwdLen;

  // 2. The internal order: records, then cited-only works, by label key.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  sortByKey(inputKey, order, n);
  // inv: internal index → input index.
  const inv = new Int32Array(n);
  let nRecords = 0;
  for (const pass of [1, 0]) {
    for (let r = 0; r < n; r++) {
      const i = order[r];
      if (isRecord[i] === pass) inv[nRecords++] = i;
    }
  }
  nRecords = 0;
  while (nRecords < n && isRecord[inv[nRecords]] === 1) nRecords++;
  const works: Work[] = new Array(n);
  const labelKey: string[] = new Array(n);
  const idKey: string[] = new Array(n);
  const cjkText: (string | undefined)[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const i = inv[r];
    works[r] = input[i];
    labelKey[r] = inputKey[i];
    idKey[r] = idIn[i];
    cjkText[r] = cjkIn[i];
  }

  // 3. Sort the tokens; a token's final id is its rank.
  const t = tokStr.length;
  const tokens = tokStr.slice().sort();
  const rank = new Int32Array(t);
  for (let r = 0; r < t; r++) rank[idOf.get(tokens[r])!] = r;

  // 4. Postings by counting sort over the temporary forward index: works come out ascending.
  const postOff = new Int32Array(t + 1);
  for (let k = 0; k < fwdLen; k++) postOff[rank[fwdTmpTok[k]] + 1]++;
  for (let r = 0; r < t; r++) postOff[r + 1] += postOff[r];
  const fill = postOff.slice(0, t);
  const postWork = new Int32Array(fwdLen);
  const postMask = new Uint16Array(fwdLen);
  const fwdOff = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    const i = inv[r];
    const end = fwdInOff[i + 1];
    fwdOff[r + 1] = fwdOff[r] + (end - fwdInOff[i]);
    for (let k = fwdInOff[i]; k < end; k++) {
      const p = fill[rank[fwdTmpTok[k]]]++;
      postWork[p] = r;
      postMask[p] = fwdTmpMask[k];
    }
  }

  // 5. Final forward index from the postings: token ids come out ascending per work.
  const fwdTok = new Int32Array(fwdLen);
  const fwdMask = new Uint16Array(fwdLen);
  const wfill = fwdOff.slice(0, n);
  for (let r = 0; r < t; r++) {
    for (let p = postOff[r]; p < postOff[r + 1]; p++) {
      const q = wfill[postWork[p]]++;
      fwdTok[q] = r;
      fwdMask[q] = postMask[p];
    }
  }

  // 6. Citekey order: the ids, then the aliases of the works that have them.
  const aliasOff = new Int32Array(n + 1);
  const aliasWork: number[] = [];
  for (let r = 0; r < n; r++) {
    const aliases = aliasesOf(works[r]);
    if (aliases) {
      for (const a of aliases) {
        idKey.push(a.toLowerCase());
        aliasWork.push(r);
      }
    }
    aliasOff[r + 1] = aliasOff[r] + (aliases?.length ?? 0);
  }
  const m = idKey.length;
  const idWork = new Int32Array(m);
  for (let e = 0; e < n; e++) idWork[e] = e;
  for (let j = 0; j < aliasWork.length; j++) idWork[n + j] = aliasWork[j];
  const aliasEntry = new Int32Array(aliasWork.length);
  for (let j = 0; j < aliasWork.length; j++) aliasEntry[j] = n + j; // aliases were added in work order
  const byId = new Int32Array(m);
  for (let e = 0; e < m; e++) byId[e] = e;
  sortByKey(idKey, byId, m);
  const idRank = new Int32Array(m);
  for (let r = 0; r < m; r++) idRank[byId[r]] = r;

  let nRecordKeys = 0;
  for (let e = 0; e < m; e++) if (idWork[e] < nRecords) nRecordKeys++;
  const recordsById = new Int32Array(nRecordKeys);
  const citedById = new Int32Array(m - nRecordKeys);
  for (let r = 0, a = 0, b = 0; r < m; r++) {
    if (idWork[byId[r]] < nRecords) recordsById[a++] = byId[r];
    else citedById[b++] = byId[r];
  }
  return { works, order: inv, nRecords, tokens, postOff, postWork, postMask, fwdOff, fwdTok, fwdMask, labelKey, idKey, byId, idRank, recordsById, citedById, idWork, aliasOff, aliasEntry, cjkText };
}
export class SearchIndex {
  /**
   * The works in internal order: records first, then cited-only works, each by label key
   * (then input order). This is the tie-break order, so a work's index is its tie-break rank,
   * and postings (ascending indices) meet the best-ranked works first.
   */
  private readonly works: Work[];
  /** Internal index → index in the input the index was built from. */
  private readonly order: Int32Array;
  /** Number of records: works [0, nRecords) are records. */
  private readonly nRecords: number;
  /** Sorted unique tokens; a token's id is its index. */
  private readonly tokens: StringList;
  /** Postings of token t are [postOff[t], postOff[t+1]) in postWork/postMask. */
  private readonly postOff: Int32Array;
  private readonly postWork: Int32Array;
  private readonly postMask: Uint16Array;
  /** Forward index: token ids (ascending) of work w are [fwdOff[w], fwdOff[w+1]). */
  private readonly fwdOff: Int32Array;
  private readonly fwdTok: Int32Array;
  private readonly fwdMask: Uint16Array;
  /** Normalised label, tokens joined by single spaces. */
  private readonly labelKey: StringList;
  /** Lower-case citekey per entry: the ids of the works, then their aliases (see IndexArrays). */
  private readonly idKey: StringList;
  /** All entries sorted by idKey, the rank of each entry in it, and its records / cited parts. */
  private readonly byId: Int32Array;
  private readonly idRank: Int32Array;
  private readonly recordsById: Int32Array;
  private readonly citedById: Int32Array;
  private readonly idWork: Int32Array;
  private readonly aliasOff: Int32Array;
  private readonly aliasEntry: Int32Array;
  /** DOI keys and orders, built on the first DOI query. */
  private doiCache: DoiIndex | undefined;
  /** Normalised text for CJK substring checks (only for works with CJK text). */
  private readonly cjkText: (string | undefined)[];
  /** Multiplier packing (score, rank) into one sortable number. */
  private readonly rankSpan: number;
  /** Year of each work (0: none), the recency tie-break; read from the works' heads on first use. */
  private yearCache: Uint16Array | undefined;

  // Per-query scratch, allocated once.
  private readonly stamp: Int32Array;
  private epoch = 0;
  private readonly candMask: Uint16Array;
  private readonly cand: Int32Array;
  private readonly keyOf: Float64Array;
  private readonly scoreOf: Int32Array;
  /** Works marked by `markTerm` carry mark[w] === markEpoch and their field bits in markMask. */
  private readonly mark: Int32Array;
  private readonly markMask: Uint16Array;
  private markEpoch = 0;

  private constructor(s: IndexState) {
    const n = s.works.length;
    this.works = s.works;
    this.order = s.order;
    this.nRecords = s.nRecords;
    this.tokens = listOf(s.tokens);
    this.postOff = s.postOff;
    this.postWork = s.postWork;
    this.postMask = s.postMask;
    this.fwdOff = s.fwdOff;
    this.fwdTok = s.fwdTok;
    this.fwdMask = s.fwdMask;
    this.labelKey = listOf(s.labelKey);
    this.idKey = listOf(s.idKey);
    this.byId = s.byId;
    this.idRank = s.idRank;
    this.recordsById = s.recordsById;
    this.citedById = s.citedById;
    this.idWork = s.idWork;
    this.aliasOff = s.aliasOff;
    this.aliasEntry = s.aliasEntry;
    this.cjkText = s.cjkText;
    this.doiCache = s.doi;
    this.yearCache = s.years;
    this.rankSpan = 2 ** Math.ceil(Math.log2(n + 1));
    this.stamp = new Int32Array(n);
    this.candMask = new Uint16Array(n);
    this.cand = new Int32Array(n);
    this.keyOf = new Float64Array(n);
    this.scoreOf = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.markMask = new Uint16Array(n);
  }

  static build(works: readonly Work[]): SearchIndex {
    return new SearchIndex(buildState(works));
  }

  /**
   * The index as flat data for another thread: typed arrays (listed in `transfer`, so
   * postMessage moves them without a copy) and a few long strings, no works. The index built
   * in the indexing worker reaches the extension host this way, and `unpack` there takes a few
   * milliseconds where building it takes seconds at 50,000 works. This index is unusable
   * afterwards when the buffers are transferred.
   */
  pack(): { packed: PackedSearchIndex; transfer: ArrayBuffer[] } {
    const doi = this.doi; // built here, not on the first DOI query in the receiving thread
    const packed: PackedSearchIndex = {
      ...arraysOf(this as unknown as IndexArrays), // the same fields, private here
      n: this.works.length,
      tokens: joinStrings(this.tokens),
      labelKey: joinStrings(this.labelKey),
      idKey: joinStrings(this.idKey),
      cjkText: this.cjkText.flatMap((t, i) => (t === undefined ? [] : [[i, t] as [number, string]])),
      doiKeys: joinStrings(doi.keys),
      doiOrder: doi.order,
      doiRank: doi.rank,
      years: this.years,
    };
    return { packed, transfer: packedTransfer(packed) };
  }

  /**
   * The index `pack` made, over the same works in the same order as the index was built from
   * (so one thread can build it while another receives the works).
   */
  static unpack(works: readonly Work[], p: PackedSearchIndex): SearchIndex {
    if (works.length !== p.n) throw new Error(`the packed search index has ${p.n} works, not ${works.length}`);
    const internal: Work[] = new Array(p.n);
    for (let r = 0; r < p.n; r++) internal[r] = works[p.order[r]];
    const cjkText: (string | undefined)[] = new Array(p.n);
    for (const [i, t] of p.cjkText) cjkText[i] = t;
    return new SearchIndex({
      ...arraysOf(p),
      works: internal,
      tokens: readStrings(p.tokens),
      labelKey: readStrings(p.labelKey),
      idKey: readStrings(p.idKey),
      cjkText,
      doi: { keys: readStrings(p.doiKeys), order: p.doiOrder, rank: p.doiRank },
      ...(p.years ? { years: p.years } : {}),
    });
  }

  get size(): number {
    return this.works.length;
  }

  private get years(): Uint16Array {
    if (!this.yearCache) {
      const n = this.works.length;
      const y = new Uint16Array(n);
      for (let w = 0; w < n; w++) {
        const year = headOf(this.works[w]).year;
        y[w] = year !== undefined && year > 0 && year < YEAR_SPAN ? year : 0;
      }
      this.yearCache = y;
    }
    return this.yearCache;
  }

  /** DOIs (lower case, no resolver prefix), sorted; built on the first DOI query. */
  private get doi(): DoiIndex {
    if (!this.doiCache) {
      const n = this.works.length;
      const keys: string[] = new Array(n);
      const withDoi: number[] = [];
      for (let w = 0; w < n; w++) {
        const doi = this.works[w].DOI;
        keys[w] = doi ? normalizeDoi(doi) : '';
        if (keys[w]) withDoi.push(w);
      }
      const order = Int32Array.from(withDoi);
      sortByKey(keys, order, n);
      const rank = new Int32Array(n).fill(-1);
      for (let r = 0; r < order.length; r++) rank[order[r]] = r;
      this.doiCache = { keys: new ArrayList(keys), order, rank };
    }
    return this.doiCache;
  }

  /**
   * Works matching every word of `query`, best first, at most `limit`.
   * `incomplete` is set when more works may match (limit reached, or a broad query was cut
   * short), so a completion list should ask again as the user types.
   */
  search(query: string, limit = 50): SearchResult {
    limit = Number.isNaN(limit) ? 50 : Math.max(0, Math.min(Math.floor(limit), this.works.length + 1));
    const parsed = this.parse(query);
    if (!parsed) return { results: [], incomplete: false };
    if (limit === 0) return { results: [], incomplete: true };
    const { terms, substrings, labelPrefix, idPrefix } = parsed;

    if (++this.epoch === 0x7fffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const { stamp, candMask, cand, labelKey, idKey, nRecords } = this;
    const n = this.works.length;
    let count = 0;
    let incomplete = false;

    // Tier 1: whole-query prefixes of the label or id. Each range holds the works whose key
    // starts with the prefix, [lo, eq) those whose key equals it. The first `limit` works of
    // each range become candidates, so the best are found however broad the query.
    const recRange = rangeOf(undefined, labelKey, 0, nRecords, labelPrefix);
    const citRange = rangeOf(undefined, labelKey, nRecords, n, labelPrefix);
    const idRange = rangeOf(this.byId, idKey, 0, this.byId.length, idPrefix);
    const { idWork } = this;
    const take = (perm: Int32Array | undefined, lo: number, hi: number): void => {
      const end = Math.min(hi, lo + limit);
      if (hi > end) incomplete = true;
      for (let k = lo; k < end; k++) {
        const w = perm ? idWork[perm[k]] : k;
        if (stamp[w] === epoch) continue;
        stamp[w] = epoch;
        candMask[w] = 0;
        cand[count++] = w;
      }
    };
    take(undefined, recRange[0], recRange[2]);
    take(undefined, citRange[0], citRange[2]);
    if (idRange[0] < idRange[2]) {
      const [rLo, , rHi] = rangeOf(this.recordsById, idKey, 0, this.recordsById.length, idPrefix);
      take(this.recordsById, rLo, rHi);
      const [cLo, , cHi] = rangeOf(this.citedById, idKey, 0, this.citedById.length, idPrefix);
      take(this.citedById, cLo, cHi);
    }
    const tier1Count = count;

    // The driving term: the one with the fewest postings. Its matches are the candidates.
    let drive = 0;
    for (let k = 1; k < terms.length; k++) if (terms[k].cost < terms[drive].cost) drive = k;
    const d = terms[drive];
    if (d.cost > SCAN_BUDGET && [...labelPrefix].length <= 1) {
      // One character: label/id prefixes only; don't walk the index.
      incomplete = true;
    } else {
      // Postings ascend in tie-break order, so a cut-short scan keeps the better-ranked works.
      let budget = SCAN_BUDGET;
      const { postOff, postWork, postMask } = this;
      const visit = (w: number, mask: number): boolean => {
        if (--budget < 0) return false;
        if (stamp[w] !== epoch) {
          stamp[w] = epoch;
          candMask[w] = mask;
          cand[count++] = w;
        } else candMask[w] |= mask;
        return true;
      };
      let ok = true;
      for (let tok = d.lo; ok && tok < d.hi; tok++) {
        const exactBit = tok === d.exact ? F_EXACT : 0;
        const end = postOff[tok + 1];
        for (let p = postOff[tok]; p < end; p++) {
          if (!visit(postWork[p], postMask[p] | exactBit)) {
            ok = false;
            break;
          }
        }
      }
      for (let k = d.idLo; ok && k < d.idHi; k++) {
        const w = idWork[this.byId[k]];
        ok = visit(w, F_ID | (k < d.idEq ? F_EXACT : 0));
      }
      if (d.doiHi > d.doiLo) {
        const byDoi = this.doi.order;
        for (let k = d.doiLo; ok && k < d.doiHi; k++) ok = visit(byDoi[k], F_DOI);
      }
      if (!ok) incomplete = true;
    }

    // Score the driving term. A tier-1 candidate the (possibly cut-short) scan missed is
    // checked directly.
    const { rankSpan, keyOf, scoreOf } = this;
    const years = this.years;
    let kept = 0;
    for (let c = 0; c < count; c++) {
      const w = cand[c];
      let mask = candMask[w];
      if (mask === 0 && c < tier1Count) mask = this.termMask(w, d);
      if (mask === 0) continue;
      scoreOf[w] = d.scored ? fieldWeight(mask) : 0;
      cand[kept++] = w;
    }
    count = kept;

    // Filter by the other terms, one term at a time. A term with few postings relative to the
    // candidates is marked by a sequential scan of its postings; otherwise each candidate is
    // looked up in the forward index (random access, dearer per candidate).
    for (let k = 0; k < terms.length && count > 0; k++) {
      if (k === drive) continue;
      const term = terms[k];
      const marked = term.cost <= count * 16;
      if (marked) this.markTerm(term);
      const { mark, markMask } = this;
      const markEpoch = this.markEpoch;
      kept = 0;
      for (let c = 0; c < count; c++) {
        const w = cand[c];
        const mask = marked ? (mark[w] === markEpoch ? markMask[w] : 0) : this.termMask(w, term);
        if (mask === 0) continue;
        if (term.scored) scoreOf[w] += fieldWeight(mask);
        cand[kept++] = w;
      }
      count = kept;
    }

    // CJK substrings, tier 1, and the sort keys.
    kept = 0;
    for (let c = 0; c < count; c++) {
      const w = cand[c];
      if (substrings.length) {
        const text = this.cjkText[w];
        if (text === undefined || !substrings.every((sub) => text.includes(sub))) continue;
      }
      let score = scoreOf[w];
      const range = w < nRecords ? recRange : citRange;
      const idHit = this.idHit(w, idRange[0], idRange[1], idRange[2]);
      if ((w >= range[0] && w < range[2]) || idHit) {
        const exact = (w >= range[0] && w < range[1]) || (idHit & F_EXACT) !== 0;
        // Within tier 1 the words' own fields still count: `smith` puts Smith 2009 (first
        // author, exact word) above Smithson 2010 (a prefix).
        score = TIER1 + (exact ? TIER1_EXACT : 0) + score;
      }
      cand[kept++] = w;
      // Ties: records before cited-only works, then the more recent, then the label order.
      keyOf[w] = ((score * 2 + (w < nRecords ? 1 : 0)) * YEAR_SPAN + years[w]) * rankSpan + (rankSpan - 1 - w);
    }

    if (kept > limit) incomplete = true;
    const top = this.topK(kept, limit);
    const results: SearchHit[] = new Array(top.length);
    for (let k = 0; k < top.length; k++) {
      const w = top[k];
      results[k] = { work: this.works[w], score: Math.floor(keyOf[w] / (rankSpan * YEAR_SPAN * 2)) };
      const key = this.aliasOff[w] < this.aliasOff[w + 1] ? this.aliasNamed(w, idRange) : undefined;
      if (key !== undefined) results[k].key = key;
    }
    return { results, incomplete };
  }

  /**
   * Whether one of work w's citekeys has its rank in [lo, hi) of the id order: F_ID, with
   * F_EXACT when one is in [lo, eq) (equal to the prefix); 0 when none is.
   */
  private idHit(w: number, lo: number, eq: number, hi: number): number {
    if (lo >= hi) return 0;
    let mask = 0;
    const ir = this.idRank[w];
    if (ir >= lo && ir < hi) mask = F_ID | (ir < eq ? F_EXACT : 0);
    for (let k = this.aliasOff[w], end = this.aliasOff[w + 1]; k < end && !(mask & F_EXACT); k++) {
      const ar = this.idRank[this.aliasEntry[k]];
      if (ar >= lo && ar < hi) mask = F_ID | (ar < eq ? F_EXACT : 0) | mask;
    }
    return mask;
  }

  /** The alias of work w the whole query names (equal to it, else starting with it), when its id does not. */
  private aliasNamed(w: number, [lo, eq, hi]: [number, number, number]): string | undefined {
    if (lo >= hi) return undefined;
    const inRange = (r: number, end: number) => r >= lo && r < end;
    const ir = this.idRank[w];
    const from = this.aliasOff[w];
    const to = this.aliasOff[w + 1];
    let pick = -1;
    if (!inRange(ir, eq)) {
      for (let k = from; k < to && pick === -1; k++) if (inRange(this.idRank[this.aliasEntry[k]], eq)) pick = k;
      if (pick === -1 && !inRange(ir, hi)) {
        for (let k = from; k < to && pick === -1; k++) if (inRange(this.idRank[this.aliasEntry[k]], hi)) pick = k;
      }
    }
    return pick === -1 ? undefined : headOf(this.works[w]).aliases?.[pick - from];
  }

  /** Marks every work matching `term` (with its field bits) under a new markEpoch. */
  private markTerm(term: Term): void {
    if (++this.markEpoch === 0x7fffffff) {
      this.mark.fill(0);
      this.markEpoch = 1;
    }
    const { mark, markMask, postOff, postWork, postMask } = this;
    const e = this.markEpoch;
    const visit = (w: number, m: number): void => {
      if (mark[w] !== e) {
        mark[w] = e;
        markMask[w] = m;
      } else markMask[w] |= m;
    };
    for (let tok = term.lo; tok < term.hi; tok++) {
      const exactBit = tok === term.exact ? F_EXACT : 0;
      const end = postOff[tok + 1];
      for (let p = postOff[tok]; p < end; p++) visit(postWork[p], postMask[p] | exactBit);
    }
    for (let k = term.idLo; k < term.idHi; k++) visit(this.idWork[this.byId[k]], F_ID | (k < term.idEq ? F_EXACT : 0));
    if (term.doiHi > term.doiLo) {
      const byDoi = this.doi.order;
      for (let k = term.doiLo; k < term.doiHi; k++) visit(byDoi[k], F_DOI);
    }
  }

  /** Field bits with which work w matches the term (0: no match). */
  private termMask(w: number, term: Term): number {
    let mask = 0;
    if (term.lo < term.hi) {
      const { fwdTok, fwdMask } = this;
      const end = this.fwdOff[w + 1];
      let lo = this.fwdOff[w];
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (fwdTok[mid] < term.lo) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < end && fwdTok[k] < term.hi; k++) {
        mask |= fwdMask[k];
        if (fwdTok[k] === term.exact) mask |= F_EXACT;
      }
    }
    if (term.idLo < term.idHi) mask |= this.idHit(w, term.idLo, term.idEq, term.idHi);
    if (term.doiLo < term.doiHi) {
      const dr = this.doi.rank[w];
      if (dr >= term.doiLo && dr < term.doiHi) mask |= F_DOI;
    }
    return mask;
  }

  /** The `limit` best candidates in cand[0..count), best first. */
  private topK(count: number, limit: number): number[] {
    const { cand, keyOf } = this;
    const k = Math.min(limit, count);
    if (k === 0) return [];
    if (count <= 256 || k * 8 >= count) {
      const arr = Array.from(cand.subarray(0, count));
      arr.sort((a, b) => keyOf[b] - keyOf[a]);
      arr.length = k;
      return arr;
    }
    // Min-heap of the k best so far, keyed by keyOf.
    const heap: number[] = [];
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && keyOf[heap[l]] < keyOf[heap[m]]) m = l;
        if (r < heap.length && keyOf[heap[r]] < keyOf[heap[m]]) m = r;
        if (m === i) return;
        const tmp = heap[i];
        heap[i] = heap[m];
        heap[m] = tmp;
        i = m;
      }
    };
    for (let c = 0; c < count; c++) {
      const w = cand[c];
      if (heap.length < k) {
        heap.push(w);
        let i = heap.length - 1;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (keyOf[heap[i]] >= keyOf[heap[p]]) break;
          const tmp = heap[i];
          heap[i] = heap[p];
          heap[p] = tmp;
          i = p;
        }
      } else if (keyOf[w] > keyOf[heap[0]]) {
        heap[0] = w;
        siftDown(0);
      }
    }
    heap.sort((a, b) => keyOf[b] - keyOf[a]);
    return heap;
  }

  /** Query → terms, CJK substrings, and the label/id prefixes. */
  private parse(query: string): ParsedQuery | undefined {
    const q = query.trim();
    if (!q) return undefined;
    const terms: Term[] = [];
    const substrings: string[] = [];
    const allParts: string[] = [];
    const { tokens, byId, idKey } = this;

    const term = (tok: string, idp: string, doip: string, scored: boolean): Term => {
      let lo = 0;
      let hi = 0;
      if (tok) {
        lo = lowerBound(tokens, tok);
        hi = prefixEnd(tokens, tok, lo);
      }
      const [idLo, idEq, idHi] = rangeOf(byId, idKey, 0, byId.length, idp);
      const doi = doip ? this.doi : undefined;
      const [doiLo, , doiHi] = doi ? rangeOf(doi.order, doi.keys, 0, doi.order.length, doip) : [0, 0, 0];
      return {
        lo,
        hi,
        exact: lo < hi && tokens.get(lo) === tok ? lo : -1,
        idLo,
        idEq,
        idHi,
        doiLo,
        doiHi,
        cost: this.postOff[hi] - this.postOff[lo] + (idHi - idLo) + (doiHi - doiLo),
        scored,
      };
    };
    const empty = (x: Term): boolean => x.lo === x.hi && x.idLo === x.idHi && x.doiLo === x.doiHi;

    for (const raw of q.split(/\s+/)) {
      if (terms.length >= MAX_TERMS) break;
      const word = normalizeDoi(normalizeForSearch(raw.replace(/^@/, '')));
      if (!word) continue;
      const parts = tokensOf(word);
      allParts.push(...parts);
      const plain = parts.length === 1 && parts[0] === word;
      if (!plain) {
        // A word with punctuation may be a DOI or citekey prefix, matched whole.
        const whole = term('', word, /^10\./.test(word) ? word : '', true);
        if (!empty(whole)) {
          terms.push(whole);
          continue;
        }
      }
      let prevCjk = false;
      for (const part of parts) {
        const cjk = isCjkChar(part);
        terms.push(term(part, cjk ? '' : part, '', !(cjk && prevCjk)));
        prevCjk = cjk;
      }
      substrings.push(...cjkRuns(word));
    }
    if (terms.length === 0) return undefined;
    terms.length = Math.min(terms.length, MAX_TERMS);
    return {
      terms,
      substrings,
      labelPrefix: allParts.join(' '),
      idPrefix: q.toLowerCase().replace(/\s+/g, '').replace(/^@/, ''),
    };
  }
}
