/**
 * A warm-start cache of the index on disk (Node `fs`; no editor API).
 *
 * One file, `<dir>/index-cache.v1` (the name stays; the version is inside): a header line (JSON:
 * magic, version, salt, section offsets and checksums, padded to a multiple of 8 bytes), then
 * the sections, each at a multiple of 8 bytes, read separately so a warm start reads only what
 * it needs:
 * - manifest (JSON): per file {path, size, mtimeMs, hash} (sha1 of the bytes);
 * - works (binary, cacheSections.ts): the built works in the editor's form (workStore.ts: each
 *   work's wire JSON as UTF-8 bytes, plus the heads every work is asked for), with the key of
 *   the file set they were built from. Like everything the editor holds, they have no per-field
 *   line numbers (`SourceRef.fields`); a cold build has them;
 * - search (binary): the packed search index over those works (search.ts `pack`);
 * - problems (JSON): the corpus problems;
 * - parsed (JSON): per file the `ParsedFile`, used to rebuild the corpus when only some files changed.
 * A warm start maps works and search index back as typed-array views: no JSON of the whole
 * corpus is parsed, no search index rebuilt, no work parsed until something reads it.
 *
 * Verified: the header carries a CRC-32 of each section and a sha1 of itself; a section whose
 * bytes do not match is not used (its files are read and parsed again, the corpus built again)
 * and `CacheReader.problem` says why in one line. CRC-32 because it only has to catch damage
 * (a truncated or corrupted file, our own output otherwise), at twice sha1's speed: at 50,000
 * works the sections are ~100 MB.
 *
 * A file whose size and mtime match its entry is trusted without reading it; if they differ
 * but the content hash is the same, its parse is reused. Entries whose mtime is within
 * RACY_MS of the cache write, or a whole second (a file system with coarse timestamps: FAT,
 * SMB, some container file systems, where an edit in the same second keeps the mtime), are
 * marked racy: next time the file is read and its hash compared, never trusted on size + mtime.
 * A missing, truncated, corrupt, old-version or other-salt cache is ignored, never fatal.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { writeFileAtomicSync } from '../io/atomic';
import { CACHE_FILE } from './cacheFile';
import { decodeSection, encodeSectionParts, isPackedSearch, isPackedWorks, isProblems, sectionSum } from './cacheSections';
import { type Corpus, buildCorpus } from '../build/corpus';
import { DEFAULT_MAX_FILE_BYTES, type LoadOptions, expandPaths, parseBytes } from '../build/loadFiles';
import { notRegularProblem, overSizeProblem, readRegularFileSync } from '../io/readFile';
import type { ParsedFile, Problem, Work } from '../model/model';
import { type PackedSearchIndex, SearchIndex } from '../search/search';
import { ByteSink } from '../model/byteSink';
import { PackedKeyMap, type PackedWorks, packWorks, WorkStore } from '../model/workStore';
import { problemText } from '../model/problemText';

export { CACHE_FILE };
/** Bump when the cache layout or anything that changes parse/corpus output changes. */
export const CACHE_VERSION = 7; // 2: works keep their exports' citekeys; 3: checksums; 4: one work per merged record set, every key kept (aliases); 5: binary works + search index sections, CRC-32; 6: heads as joined strings; 7: the works' citekeys as a hash table (keySlots)
const MAGIC = 'corpus-cite-index-cache';
/** An entry whose file changed less than this before it was cached is re-hashed next time. */
export const RACY_MS = 2000;

/** Whether an mtime cannot tell two versions of a file apart: whole seconds (coarse file systems). */
export function coarseMtime(mtimeMs: number): boolean {
  return mtimeMs % 1000 === 0;
}

const sha1 = (b: Uint8Array | string) => crypto.createHash('sha1').update(b).digest('hex');

export interface CacheEntry {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha1 of the file's bytes (hex), '' when the file was not read (over the size limit). */
  hash: string;
  parsed: ParsedFile;
  /** Written while the file was still fresh: do not trust size + mtime alone. */
  racy?: boolean;
}

/** The built corpus as the cache holds it: the works packed (the editor's form), the search index packed. */
export interface CachedCorpus {
  works: PackedWorks;
  problems: Problem[];
  /** Absent in a cache written without it (then a warm start builds the index). */
  search?: PackedSearchIndex;
}

/** What `saveCache` takes: works plain or packed; the search index packed, or already encoded (cacheSections.ts). */
export interface CorpusToSave {
  works: readonly Work[] | PackedWorks;
  problems: Problem[];
  search?: PackedSearchIndex | Buffer;
}

export interface CacheOptions {
  /**
   * Mixed into the cache identity: a cache written with another salt is ignored. Pass the
   * extension version (and anything else that changes parser output) so an update re-indexes.
   */
  salt?: string;
}

export interface IndexCacheStats {
  /** Files indexed. */
  files: number;
  /** Files whose parse came from the cache (trusted by size + mtime, or by equal hash). */
  fromCache: number;
  /** Files read and parsed. */
  parsed: number;
  /** Files read and hashed because size or mtime changed, and found unchanged. */
  rehashed: number;
  /** Whether the built corpus itself came from the cache (no buildCorpus call). */
  corpusFromCache: boolean;
  /** Whether a cache file existed and was valid. */
  cacheValid: boolean;
  /** Why the cache (or part of it) was not used, in one line for the log (a damaged cache). */
  note?: string;
  /** Milliseconds: whole call, reading the cache (and mapping it back), parsing files, building the corpus, building the search index, saving. */
  ms: { total: number; load: number; parse: number; build: number; search: number; save: number };
}

/** Fast content hash: sha1 (native; faster here than FNV-1a in JS, see bench/RESULTS.md). */
export function hashBytes(bytes: Uint8Array): string {
  return crypto.createHash('sha1').update(bytes).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// File layout

type Section = [number, number];
const SECTIONS = ['manifest', 'works', 'search', 'problems', 'parsed'] as const;
type SectionName = (typeof SECTIONS)[number];

interface Header {
  magic: string;
  version: number;
  salt: string;
  /** Byte offset (from the end of the header line) and length of each section; null when not written. */
  sections: Record<SectionName, Section | null>;
  /** Key of the file set the works section was built from (see corpusKey). */
  corpusKey: string | null;
  written: number;
  /** CRC-32 of each section's bytes (sectionSum). */
  sums: Record<SectionName, string | null>;
  /** sha1 of this header's JSON without `sum`. */
  sum?: string;
}

export interface ManifestEntry {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  racy?: boolean;
}

/** Whether a file of this size and modification time can be taken as its cache entry, unread. */
export function trusted(m: ManifestEntry, size: number, mtimeMs: number): boolean {
  return !m.racy && m.size === size && m.mtimeMs === mtimeMs;
}

/** Identity of a corpus input: the files in order with their hashes and sizes. */
export function corpusKey(entries: readonly Pick<ManifestEntry, 'path' | 'size' | 'hash'>[]): string {
  const h = crypto.createHash('sha1');
  for (const e of entries) h.update(`${e.path}\u0000${e.size}\u0000${e.hash}\u0001`);
  return h.digest('hex');
}

const cacheFile = (dir: string) => path.join(dir, CACHE_FILE);

/**
 * Writes the cache: the entries (with their parses) and, optionally, the corpus built from
 * exactly these entries in this order (its works packed here when they are plain). Atomic
 * (temporary file + rename). Throws on I/O errors.
 */
export function saveCache(dir: string, entries: readonly CacheEntry[], corpus?: CorpusToSave, opts: CacheOptions = {}): void {
  const now = Date.now();
  const manifest: ManifestEntry[] = entries.map((e) => {
    const m: ManifestEntry = { path: e.path, size: e.size, mtimeMs: e.mtimeMs, hash: e.hash };
    if (e.racy || now - e.mtimeMs < RACY_MS || coarseMtime(e.mtimeMs)) m.racy = true;
    return m;
  });
  const bodies: Partial<Record<SectionName, Buffer[]>> = {
    manifest: [Buffer.from(JSON.stringify(manifest), 'utf8')],
    parsed: [jsonBytes(entries.map((e) => e.parsed))],
  };
  if (corpus) {
    const works = Array.isArray(corpus.works) ? packWorks(corpus.works as readonly Work[]) : (corpus.works as PackedWorks);
    bodies.works = encodeSectionParts(works);
    bodies.problems = [Buffer.from(JSON.stringify(corpus.problems), 'utf8')];
    if (corpus.search) bodies.search = Buffer.isBuffer(corpus.search) ? [corpus.search] : encodeSectionParts(corpus.search);
  }
  const sections = {} as Header['sections'];
  const sums = {} as Header['sums'];
  // The sections are written one after the other, never joined: at 50,000 works the file is
  // ~130 MB (its parse section, made by `jsonBytes`, never one string either).
  const parts: Buffer[] = [];
  let off = 0;
  for (const name of SECTIONS) {
    const b = bodies[name];
    if (!b) {
      sections[name] = null;
      sums[name] = null;
      continue;
    }
    const length = b.reduce((n, part) => n + part.length, 0);
    sections[name] = [off, length];
    sums[name] = sectionSum(b);
    parts.push(...b);
    const pad = align8(length) - length;
    if (pad) parts.push(Buffer.alloc(pad));
    off += length + pad;
  }
  const header: Header = { magic: MAGIC, version: CACHE_VERSION, salt: opts.salt ?? '', sections, corpusKey: corpus ? corpusKey(manifest) : null, written: now, sums };
  header.sum = sha1(JSON.stringify(header));
  // Padded so that every section starts at a multiple of 8 bytes in the file (typed-array views).
  const line = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(align8(line.length + 1), 0x20);
  line.copy(head);
  head[head.length - 1] = 10;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(cacheFile(dir), [head, ...parts]);
}

/** Records of a file stringified at a time. */
const RECORDS_PER_PART = 512;

/**
 * `JSON.stringify(files)` as UTF-8, the same bytes, stringified at most RECORDS_PER_PART records
 * at a time into one growing buffer (byteSink.ts): no string of the whole, no pieces left in the
 * allocator (plain data only: no `toJSON`, no cycles, as parses are).
 */
function jsonBytes(files: readonly ParsedFile[]): Buffer {
  const sink = new ByteSink(64 << 20);
  let text = '[';
  files.forEach((file, i) => {
    if (i > 0) text += ',';
    text += '{';
    let first = true;
    for (const [key, value] of Object.entries(file)) {
      if (value === undefined) continue; // as JSON.stringify leaves it out
      text += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      if (key !== 'records' || !Array.isArray(value)) {
        text += JSON.stringify(value);
        continue;
      }
      const records = value as unknown[];
      text += '[';
      for (let r = 0; r < records.length; r += RECORDS_PER_PART) {
        const batch = JSON.stringify(records.slice(r, r + RECORDS_PER_PART));
        text += `${r > 0 ? ',' : ''}${batch.slice(1, -1)}`;
        sink.append(text);
        text = '';
      }
      text += ']';
    }
    text += '}';
  });
  sink.append(`${text}]`);
  const b = sink.bytes();
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

const align8 = (n: number) => (n + 7) & ~7;

const damaged = (what: string) => `the checksum of its ${what} does not match (damaged)`;
const WHAT: Record<SectionName, string> = { manifest: 'file list', works: 'corpus', search: 'search index', problems: 'corpus problems', parsed: 'parsed files' };

/** An open cache file: header and manifest read; corpus and parses read on demand. */
export class CacheReader {
  /** Why the cache (or a section of it) was not used, in one line; undefined when all was well. */
  problem: string | undefined;
  /** The last `open`'s reason for returning nothing (no cache file is no problem). */
  static lastProblem: string | undefined;
  /** Sections read and verified by `verify` (kept for `corpus`, which would read them again). */
  private readonly kept = new Map<SectionName, Buffer>();

  private constructor(
    private readonly file: string,
    private readonly base: number,
    private readonly size: number,
    readonly header: Header,
    readonly manifest: ManifestEntry[],
  ) {}

  static open(dir: string, opts: CacheOptions): CacheReader | undefined {
    CacheReader.lastProblem = undefined;
    const bad = (why: string) => {
      CacheReader.lastProblem = `index cache ${cacheFile(dir)} not used: ${why}; indexing from the files`;
      return undefined;
    };
    const file = cacheFile(dir);
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      const size = fs.fstatSync(fd).size;
      // The header is one short line.
      const head = Buffer.alloc(Math.min(size, 4096));
      fs.readSync(fd, head, 0, head.length, 0);
      const nl = head.indexOf(10);
      if (nl < 0) return bad('no header line');
      let header: Header;
      try {
        header = JSON.parse(head.subarray(0, nl).toString('utf8')) as Header;
      } catch {
        return bad('its header is not JSON (damaged)');
      }
      if (!isObj(header) || header.magic !== MAGIC) return bad('not an index cache (damaged header)');
      if (header.version !== CACHE_VERSION || header.salt !== (opts.salt ?? '')) return undefined; // another version: expected, not a problem
      if (!isHeader(header)) return bad('not an index cache (damaged header)');
      const { sum, ...rest } = header;
      if (sum !== sha1(JSON.stringify(rest))) return bad('its header checksum does not match (damaged)');
      const base = nl + 1;
      if (base % 8 !== 0) return bad('its header is not padded (damaged)');
      const present = SECTIONS.flatMap((n) => (header.sections[n] ? [header.sections[n]] : []));
      if (!present.every((s) => base + s[0] + s[1] <= size)) return bad('it is shorter than its header says (truncated)');
      const text = readSection(fd, base, header.sections.manifest!, header.sums.manifest!);
      if (text === undefined) return bad(damaged(WHAT.manifest));
      const manifest = JSON.parse(text.toString('utf8')) as unknown;
      if (!Array.isArray(manifest) || !manifest.every(isManifestEntry)) return bad('its file list is malformed');
      return new CacheReader(file, base, size, header, manifest);
    } catch (e) {
      return bad(`it could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private say(name: SectionName): void {
    const then = name === 'parsed' ? 'reading and parsing the files again' : name === 'search' ? 'building the search index again' : 'building the corpus again';
    this.problem ??= `index cache ${this.file}: ${damaged(WHAT[name])}; ${then}`;
  }

  /** A section's bytes, checksum verified (undefined if absent, damaged or unreadable; `problem` says which). */
  private read(name: SectionName): Buffer | undefined {
    const kept = this.kept.get(name);
    if (kept) return kept;
    const at = this.header.sections[name];
    const sum = this.header.sums[name];
    if (!at || !sum) return undefined;
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'r');
      if (fs.fstatSync(fd).size !== this.size) return undefined; // rewritten meanwhile
      const b = readSection(fd, this.base, at, sum);
      if (b === undefined) this.say(name);
      return b;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** Whether the cache has a corpus built from the files of `key` (nothing read yet). */
  hasCorpus(key: string): boolean {
    return this.header.sections.works !== null && this.header.corpusKey === key;
  }

  /** The cached corpus, if there is one, it was built from `key`, and it is well-formed. */
  corpus(key: string): CachedCorpus | undefined {
    if (!this.hasCorpus(key)) return undefined;
    try {
      const w = this.read('works');
      const p = w && this.read('problems');
      if (!w || !p) return undefined;
      const works = decodeSection(w);
      const problems = JSON.parse(p.toString('utf8')) as unknown;
      if (!isPackedWorks(works) || !isProblems(problems)) {
        this.problem ??= `index cache ${this.file}: its corpus is malformed; building the corpus again`;
        return undefined;
      }
      // A damaged search index costs its rebuild only.
      const sb = this.header.sections.search ? this.read('search') : undefined;
      const search = sb ? decodeSection(sb) : undefined;
      return { works, problems, ...(isPackedSearch(search, works.ends.length) ? { search } : {}) };
    } catch {
      this.problem ??= `index cache ${this.file}: its corpus could not be read; building the corpus again`;
      return undefined;
    } finally {
      this.kept.delete('works');
      this.kept.delete('search');
      this.kept.delete('problems');
    }
  }

  /** Per-file parses, in manifest order. */
  parsed(text = this.parsedText()): ParsedFile[] | undefined {
    try {
      if (text === undefined) return undefined;
      const p = JSON.parse(text) as unknown;
      if (!Array.isArray(p) || p.length !== this.manifest.length || !p.every(isParsedFile)) return undefined;
      for (let i = 0; i < p.length; i++) if ((p[i] as ParsedFile).file !== this.manifest[i].path) return undefined;
      return p as ParsedFile[];
    } catch {
      return undefined;
    }
  }

  /**
   * Checks the checksums of the parse section (in chunks, without keeping it) and of the corpus
   * sections (kept: a warm start reads them next): which of them can be used. Sets `problem`
   * when one cannot. CRC-32 over ~100 MB at 50,000 works: tens of milliseconds.
   */
  verify(): { parsed: boolean; corpus: boolean } {
    const parsed = this.checkInChunks('parsed');
    let corpus = this.header.sections.works !== null;
    for (const name of ['works', 'problems', 'search'] as const) {
      if (!corpus || !this.header.sections[name]) continue;
      const b = this.read(name);
      if (b) this.kept.set(name, b);
      else if (name !== 'search') corpus = false;
    }
    return { parsed, corpus };
  }

  /** Drops what `verify` kept (the corpus was not needed after all). */
  release(): void {
    this.kept.clear();
  }

  private checkInChunks(name: SectionName): boolean {
    const at = this.header.sections[name];
    const sum = this.header.sums[name];
    if (!at || !sum) return false;
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'r');
      if (fs.fstatSync(fd).size !== this.size) return false;
      let crc = 0;
      const buf = Buffer.allocUnsafe(Math.min(at[1], 4 << 20));
      for (let got = 0; got < at[1]; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, at[1] - got), this.base + at[0] + got);
        if (n <= 0) return false;
        crc = zlib.crc32(buf.subarray(0, n), crc);
        got += n;
      }
      if (crc.toString(16).padStart(8, '0') === sum) return true;
      this.say(name);
      return false;
    } catch {
      return false;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The parse section's text, checksum verified (undefined if damaged or unreadable). */
  parsedText(): string | undefined {
    return this.read('parsed')?.toString('utf8');
  }
}

/**
 * A section's bytes in a buffer of their own (8-byte aligned); undefined when they do not have
 * the checksum `sum`. The buffer is a SharedArrayBuffer: the works and the search index read
 * from it in the index worker are read in place by the editor (a message shares it, no copy).
 */
function readSection(fd: number, base: number, [off, len]: Section, sum: string): Buffer | undefined {
  const buf = Buffer.from(new SharedArrayBuffer(len));
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, base + off + got);
    if (n <= 0) throw new Error('cache file truncated');
    got += n;
  }
  return sectionSum(buf) === sum ? buf : undefined;
}

// ---------------------------------------------------------------------------------------------
// Shape checks: cheap, structural (a cache is our own output; these catch truncation and junk).

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isSection(s: unknown): s is [number, number] {
  return Array.isArray(s) && s.length === 2 && isNum(s[0]) && isNum(s[1]) && s[0] >= 0 && s[1] >= 0;
}

function isHeader(h: unknown): h is Header {
  if (!isObj(h) || typeof h.magic !== 'string' || typeof h.version !== 'number' || typeof h.salt !== 'string' || !isObj(h.sections) || !isObj(h.sums)) return false;
  if (!(h.corpusKey === null || typeof h.corpusKey === 'string')) return false;
  const sections = h.sections;
  const sums = h.sums;
  for (const n of SECTIONS) {
    const at = sections[n];
    const sum = sums[n];
    if (at === null && sum === null && n !== 'manifest' && n !== 'parsed') continue;
    if (!isSection(at) || typeof sum !== 'string') return false;
  }
  return true;
}

function isManifestEntry(e: unknown): e is ManifestEntry {
  return isObj(e) && typeof e.path === 'string' && isNum(e.size) && isNum(e.mtimeMs) && typeof e.hash === 'string';
}

function isProblem(p: unknown): p is Problem {
  return isObj(p) && typeof p.file === 'string' && isNum(p.line) && typeof p.message === 'string' && typeof p.severity === 'string';
}

function isParsedFile(p: unknown): p is ParsedFile {
  if (!isObj(p) || typeof p.file !== 'string' || !Array.isArray(p.records) || !Array.isArray(p.problems)) return false;
  for (const r of p.records) if (!isObj(r) || !isNum(r.line) || !isObj(r.csl) || !isObj(r.fieldLines)) return false;
  return p.problems.every(isProblem);
}

/**
 * Reads the cache: every entry with its parse. Undefined if there is no valid cache (missing,
 * truncated, corrupt, another version or salt). Never throws.
 */
export function loadCache(dir: string, opts: CacheOptions = {}): CacheEntry[] | undefined {
  const r = CacheReader.open(dir, opts);
  if (!r) return undefined;
  const parsed = r.parsed();
  if (!parsed) return undefined;
  return r.manifest.map((m, i) => ({ ...m, parsed: parsed[i] }));
}

// ---------------------------------------------------------------------------------------------

export interface IndexWithCacheOptions extends LoadOptions, CacheOptions {
  /** Do not write the cache back (default: write it when anything changed). */
  readOnly?: boolean;
}

/**
 * The corpus, with its search index. Works from a warm start, and from a cold index that writes
 * the cache, are the editor's read-only views (workStore.ts: parsed when read, without
 * `SourceRef.fields`); a `readOnly` cold index gives the plain works with them.
 */
export type IndexWithCacheResult = Corpus & { search: SearchIndex; missing: string[]; stats: IndexCacheStats };

/**
 * Indexes files and folders like `indexPaths`, reusing the cache in `cacheDir`: unchanged files
 * are not parsed, and when no file changed the built corpus itself is loaded. Writes the
 * updated cache back (errors writing it are ignored: the index is still returned).
 */
export function indexWithCache(paths: readonly string[], cacheDir: string, opts: IndexWithCacheOptions = {}): IndexWithCacheResult {
  const t0 = performance.now();
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const ms = { total: 0, load: 0, parse: 0, build: 0, search: 0, save: 0 };
  const { files, missing, problems: walkProblems, raw } = expandPaths(paths);

  let t = performance.now();
  const reader = CacheReader.open(cacheDir, opts);
  const cached = new Map<string, { m: ManifestEntry; i: number }>();
  reader?.manifest.forEach((m, i) => cached.set(m.path, { m, i }));
  ms.load += performance.now() - t;

  // 1. Decide per file: trusted, same content, changed (parse), or unreadable.
  type Slot = { kind: 'cached'; m: ManifestEntry; i: number; mtimeMs: number } | { kind: 'fresh'; entry: CacheEntry } | { kind: 'error'; parsed: ParsedFile };
  const slots: Slot[] = [];
  let rehashed = 0;
  let parsedCount = 0;
  t = performance.now();
  for (const file of files) {
    let st: fs.Stats;
    const at = raw.get(file) ?? file;
    try {
      st = fs.statSync(at);
    } catch (e) {
      slots.push({ kind: 'error', parsed: ioProblem(file, e) });
      continue;
    }
    if (!st.isFile()) {
      slots.push({ kind: 'error', parsed: { file, records: [], problems: [{ file, ...notRegularProblem(st) }] } });
      continue;
    }
    const c = cached.get(file);
    if (c && trusted(c.m, st.size, st.mtimeMs)) {
      slots.push({ kind: 'cached', m: c.m, i: c.i, mtimeMs: st.mtimeMs });
      continue;
    }
    if (st.size > max) {
      // Reported, not read; cached by size + mtime like any other file.
      const parsed: ParsedFile = { file, records: [], problems: [{ file, ...overSizeProblem(st.size, max) }] };
      slots.push({ kind: 'fresh', entry: { path: file, size: st.size, mtimeMs: st.mtimeMs, hash: '', parsed } });
      continue;
    }
    const read = readRegularFileSync(at, max);
    if ('problem' in read) {
      slots.push({ kind: 'error', parsed: { file, records: [], problems: [{ file, ...read.problem }] } });
      continue;
    }
    const bytes = read.bytes;
    const hash = hashBytes(bytes);
    if (c && c.m.hash === hash && c.m.size === bytes.length) {
      rehashed++;
      slots.push({ kind: 'cached', m: { ...c.m, mtimeMs: st.mtimeMs, racy: undefined }, i: c.i, mtimeMs: st.mtimeMs });
      continue;
    }
    parsedCount++;
    slots.push({ kind: 'fresh', entry: { path: file, size: bytes.length, mtimeMs: st.mtimeMs, hash, parsed: parseBytes(bytes, file) } });
  }
  ms.parse += performance.now() - t;

  const fromCache = slots.filter((s) => s.kind === 'cached').length;
  const noErrors = slots.every((s) => s.kind !== 'error');
  const manifestNow = slots.map((s) => (s.kind === 'cached' ? s.m : s.kind === 'fresh' ? s.entry : undefined));
  const key = noErrors ? corpusKey(manifestNow as ManifestEntry[]) : undefined;

  // 2. Nothing changed: the corpus itself comes from the cache.
  const allCached = slots.flatMap((s) => (s.kind === 'cached' ? [s] : []));
  if (reader && key && allCached.length === slots.length) {
    t = performance.now();
    const corpus = reader.corpus(key);
    ms.load += performance.now() - t;
    if (corpus) {
      if (rehashed > 0 && !opts.readOnly) {
        // Only mtimes moved: rewrite the manifest so the next start trusts them again.
        const parsed = reader.parsed();
        if (parsed) trySave(cacheDir, allCached.map((s) => ({ ...s.m, parsed: parsed[s.i] })), corpus, opts, ms);
      }
      t = performance.now();
      const { works, byId, search } = packedCorpus(corpus.works, corpus.search, ms);
      ms.load += performance.now() - t;
      ms.total = performance.now() - t0;
      return {
        works,
        problems: [...walkProblems, ...corpus.problems],
        byId,
        search,
        missing,
        stats: { files: files.length, fromCache, parsed: 0, rehashed, corpusFromCache: true, cacheValid: true, ...note(reader), ms },
      };
    }
  }

  // 3. Some files changed: reuse the other parses, rebuild the corpus.
  let cachedParses: ParsedFile[] | undefined;
  if (fromCache > 0) {
    t = performance.now();
    cachedParses = reader?.parsed();
    ms.load += performance.now() - t;
  }
  const entries: CacheEntry[] = [];
  const parsedFiles: ParsedFile[] = [];
  t = performance.now();
  for (const s of slots) {
    if (s.kind === 'error') {
      parsedFiles.push(s.parsed);
      continue;
    }
    let entry: CacheEntry;
    if (s.kind === 'fresh') entry = s.entry;
    else if (cachedParses) entry = { ...s.m, parsed: cachedParses[s.i] };
    else {
      // The parse section is unreadable after all: parse this file now.
      const p = freshEntry(s.m.path, max, raw.get(s.m.path));
      if (p.kind === 'error') {
        parsedFiles.push(p.parsed);
        continue;
      }
      parsedCount++;
      entry = p.entry;
    }
    entries.push(entry);
    parsedFiles.push(entry.parsed);
  }
  ms.parse += performance.now() - t;
  const fromCacheFinal = cachedParses ? fromCache : 0;

  // The works packed once, for the cache and for the result, when the cache is written: the
  // corpus then held is what a warm start holds (read-only views over the bytes, search index
  // mapped), not ~1.1 million objects and the parses they share strings with (50,000 works: heap
  // 172 → 34 MB). The plain works are let go before the cache is written (`coldBuild`).
  const allOk = entries.length === parsedFiles.length;
  const built = coldBuild(parsedFiles, !opts.readOnly && allOk, ms);
  let result: Pick<IndexWithCacheResult, 'works' | 'byId' | 'search'>;
  if ('packed' in built) {
    trySave(cacheDir, entries, { works: built.packed, problems: built.problems, search: built.packedSearch }, opts, ms);
    result = packedCorpus(built.packed, built.packedSearch, ms);
  } else {
    if (!opts.readOnly) trySave(cacheDir, entries, undefined, opts, ms);
    result = { works: built.works, byId: built.byId, search: built.search };
  }
  ms.total = performance.now() - t0;
  return {
    ...result,
    problems: [...walkProblems, ...built.problems],
    missing,
    stats: { files: files.length, fromCache: fromCacheFinal, parsed: parsedCount, rehashed, corpusFromCache: false, cacheValid: reader !== undefined, ...note(reader), ms },
  };
}

/**
 * buildCorpus and the search index over its works; `pack`: packed (workStore.ts, search.ts), the
 * plain works let go with this call's frame.
 */
function coldBuild(parsedFiles: readonly ParsedFile[], pack: boolean, ms: IndexCacheStats['ms']): (Corpus & { search: SearchIndex }) | { problems: Problem[]; packed: PackedWorks; packedSearch: PackedSearchIndex } {
  let t = performance.now();
  const corpus = buildCorpus(parsedFiles);
  ms.build += performance.now() - t;
  t = performance.now();
  const search = SearchIndex.build(corpus.works);
  ms.search += performance.now() - t;
  if (!pack) return { ...corpus, search };
  t = performance.now();
  const packed = packWorks(corpus.works);
  const packedSearch = search.pack().packed;
  ms.save += performance.now() - t;
  return { problems: corpus.problems, packed, packedSearch };
}

/** Works as read-only views over packed bytes (workStore.ts), their keys, and the search index over them. */
function packedCorpus(packed: PackedWorks, packedSearch: PackedSearchIndex | undefined, ms: IndexCacheStats['ms']): Pick<IndexWithCacheResult, 'works' | 'byId' | 'search'> {
  const works = new WorkStore().add(packed);
  // Keys read from the packed works' hash table: no string or Map entry per work made here.
  const byId = new PackedKeyMap(works, packed);
  if (packedSearch) return { works, byId, search: SearchIndex.unpack(works, packedSearch) };
  const t = performance.now();
  const search = SearchIndex.build(works);
  ms.search += performance.now() - t;
  return { works, byId, search };
}

function note(reader: CacheReader | undefined): { note?: string } {
  const n = reader ? reader.problem : CacheReader.lastProblem;
  return n ? { note: n } : {};
}

function freshEntry(file: string, max: number, raw?: Buffer): { kind: 'fresh'; entry: CacheEntry } | { kind: 'error'; parsed: ParsedFile } {
  const r = readRegularFileSync(raw ?? file, max);
  if ('problem' in r) return { kind: 'error', parsed: { file, records: [], problems: [{ file, ...r.problem }] } };
  return { kind: 'fresh', entry: { path: file, size: r.bytes.length, mtimeMs: r.mtimeMs, hash: hashBytes(r.bytes), parsed: parseBytes(r.bytes, file) } };
}

function ioProblem(file: string, e: unknown): ParsedFile {
  const code = (e as NodeJS.ErrnoException).code;
  return { file, records: [], problems: [{ file, line: 1, severity: 'error', ...problemText('Could not read the file ({0}).', code ?? (e as Error).message) }] };
}

function trySave(dir: string, entries: CacheEntry[], corpus: CorpusToSave | undefined, opts: CacheOptions, ms: IndexCacheStats['ms']): void {
  const t = performance.now();
  try {
    saveCache(dir, entries, corpus, opts);
  } catch {
    // A read-only or full disk only costs the next warm start.
  }
  ms.save += performance.now() - t;
}
