/**
 * A warm-start cache of the index on disk (Node `fs`; no editor API).
 *
 * One file, `<dir>/index-cache.v1`: a header line (JSON: magic, version, salt, section offsets),
 * then three JSON sections, read separately so a warm start reads only what it needs:
 * - manifest: per file {path, size, mtimeMs, hash} (sha1 of the bytes);
 * - corpus: the built works and problems, with the key of the file set they were built from;
 * - parsed: per file the `ParsedFile`, used to rebuild the corpus when only some files changed.
 *
 * Verified: the header carries a sha1 of each section and of itself; a section whose bytes do
 * not match is not used (its files are read and parsed again, the corpus built again) and
 * `CacheReader.problem` says why in one line.
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
import { writeFileAtomicSync } from '../io/atomic';
import { CACHE_FILE } from './cacheFile';
import { type Corpus, buildCorpus } from '../build/corpus';
import { DEFAULT_MAX_FILE_BYTES, type LoadOptions, expandPaths, parseBytes } from '../build/loadFiles';
import { notRegularProblem, overSizeProblem, readRegularFileSync } from '../io/readFile';
import type { ParsedFile, Problem, Work } from '../model/model';
import { keysOf } from '../model/workStore';
import { problemText } from '../model/problemText';

export { CACHE_FILE };
/** Bump when the cache layout or anything that changes parse/corpus output changes. */
export const CACHE_VERSION = 4; // 2: works keep their exports' citekeys; 3: checksums; 4: one work per merged record set, every key kept (aliases)
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

export interface CachedCorpus {
  works: Work[];
  problems: Problem[];
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
  /** Milliseconds: whole call, reading the cache, parsing files, building the corpus, saving. */
  ms: { total: number; load: number; parse: number; build: number; save: number };
}

/** Fast content hash: sha1 (native; faster here than FNV-1a in JS, see bench/RESULTS.md). */
export function hashBytes(bytes: Uint8Array): string {
  return crypto.createHash('sha1').update(bytes).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// File layout

interface Header {
  magic: string;
  version: number;
  salt: string;
  /** Byte offset (from the end of the header line) and length of each section. */
  sections: { manifest: [number, number]; corpus: [number, number] | null; parsed: [number, number] };
  /** Key of the file set the corpus section was built from (see corpusKey). */
  corpusKey: string | null;
  written: number;
  /** sha1 of each section's bytes. */
  sums: { manifest: string; corpus: string | null; parsed: string };
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
 * exactly these entries in this order. Atomic (temporary file + rename). Throws on I/O errors.
 */
export function saveCache(dir: string, entries: readonly CacheEntry[], corpus?: CachedCorpus, opts: CacheOptions = {}): void {
  const now = Date.now();
  const manifest: ManifestEntry[] = entries.map((e) => {
    const m: ManifestEntry = { path: e.path, size: e.size, mtimeMs: e.mtimeMs, hash: e.hash };
    if (e.racy || now - e.mtimeMs < RACY_MS || coarseMtime(e.mtimeMs)) m.racy = true;
    return m;
  });
  const parts: Buffer[] = [];
  let off = 0;
  const sums: string[] = [];
  const section = (s: string): [number, number] => {
    const b = Buffer.from(s, 'utf8');
    parts.push(b);
    sums.push(sha1(b));
    const at: [number, number] = [off, b.length];
    off += b.length;
    return at;
  };
  const manifestAt = section(JSON.stringify(manifest));
  const corpusAt = corpus ? section(JSON.stringify({ works: corpus.works, problems: corpus.problems })) : null;
  const parsedAt = section(JSON.stringify(entries.map((e) => e.parsed)));
  const header: Header = {
    magic: MAGIC,
    version: CACHE_VERSION,
    salt: opts.salt ?? '',
    sections: { manifest: manifestAt, corpus: corpusAt, parsed: parsedAt },
    corpusKey: corpus ? corpusKey(manifest) : null,
    written: now,
    sums: { manifest: sums[0], corpus: corpus ? sums[1] : null, parsed: sums[sums.length - 1] },
  };
  header.sum = sha1(JSON.stringify(header));
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(cacheFile(dir), Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), ...parts]));
}

/** An open cache file: header and manifest read; corpus and parses read on demand. */
export class CacheReader {
  /** Why the cache (or a section of it) was not used, in one line; undefined when all was well. */
  problem: string | undefined;
  /** The last `open`'s reason for returning nothing (no cache file is no problem). */
  static lastProblem: string | undefined;

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
      if (!isHeader(header) || header.magic !== MAGIC) return bad('not an index cache (damaged header)');
      if (header.version !== CACHE_VERSION || header.salt !== (opts.salt ?? '')) return undefined; // another version: expected, not a problem
      const { sum, ...rest } = header;
      if (sum !== sha1(JSON.stringify(rest))) return bad('its header checksum does not match (damaged)');
      const base = nl + 1;
      const sections = [header.sections.manifest, header.sections.parsed, ...(header.sections.corpus ? [header.sections.corpus] : [])];
      if (!sections.every((s) => isSection(s) && base + s[0] + s[1] <= size)) return bad('it is shorter than its header says (truncated)');
      const text = readSection(fd, base, header.sections.manifest, header.sums.manifest);
      if (text === undefined) return bad('the checksum of its file list does not match (damaged)');
      const manifest = JSON.parse(text) as unknown;
      if (!Array.isArray(manifest) || !manifest.every(isManifestEntry)) return bad('its file list is malformed');
      return new CacheReader(file, base, size, header, manifest);
    } catch (e) {
      return bad(`it could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private read(section: [number, number], sum: string | null, what: string): string | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'r');
      if (fs.fstatSync(fd).size !== this.size) return undefined; // rewritten meanwhile
      const text = sum === null ? undefined : readSection(fd, this.base, section, sum);
      if (text === undefined) this.problem = `index cache ${this.file}: the checksum of its ${what} does not match (damaged); ${what === 'corpus' ? 'building the corpus again' : 'reading and parsing the files again'}`;
      return text;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The cached corpus, if there is one, it was built from `key`, and it is well-formed. */
  corpus(key: string): CachedCorpus | undefined {
    const at = this.header.sections.corpus;
    if (!at || this.header.corpusKey !== key) return undefined;
    try {
      const text = this.read(at, this.header.sums.corpus, 'corpus');
      if (text === undefined) return undefined;
      const c = JSON.parse(text) as unknown;
      return isCachedCorpus(c) ? c : undefined;
    } catch {
      return undefined;
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
   * Checks the checksums of the parse and corpus sections without keeping their text (read in
   * chunks): which of them can be used. Sets `problem` when one cannot.
   */
  verify(): { parsed: boolean; corpus: boolean } {
    const ok = (at: [number, number] | null, sum: string | null, what: string): boolean => {
      if (!at || !sum) return false;
      let fd: number | undefined;
      try {
        fd = fs.openSync(this.file, 'r');
        if (fs.fstatSync(fd).size !== this.size) return false;
        const h = crypto.createHash('sha1');
        const buf = Buffer.allocUnsafe(Math.min(at[1], 4 << 20));
        for (let got = 0; got < at[1]; ) {
          const n = fs.readSync(fd, buf, 0, Math.min(buf.length, at[1] - got), this.base + at[0] + got);
          if (n <= 0) return false;
          h.update(buf.subarray(0, n));
          got += n;
        }
        if (h.digest('hex') === sum) return true;
        this.problem = `index cache ${this.file}: the checksum of its ${what} does not match (damaged); ${what === 'corpus' ? 'building the corpus again' : 'reading and parsing the files again'}`;
        return false;
      } catch {
        return false;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    };
    return { parsed: ok(this.header.sections.parsed, this.header.sums.parsed, 'parsed files'), corpus: ok(this.header.sections.corpus, this.header.sums.corpus, 'corpus') };
  }

  /** The parse section's text, checksum verified (undefined if damaged or unreadable). */
  parsedText(): string | undefined {
    return this.read(this.header.sections.parsed, this.header.sums.parsed, 'parsed files');
  }
}

/** A section's text; undefined when its bytes do not have the checksum `sum`. */
function readSection(fd: number, base: number, [off, len]: [number, number], sum: string): string | undefined {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, base + off + got);
    if (n <= 0) throw new Error('cache file truncated');
    got += n;
  }
  return sha1(buf) === sum ? buf.toString('utf8') : undefined;
}

// ---------------------------------------------------------------------------------------------
// Shape checks: cheap, structural (a cache is our own output; these catch truncation and junk).

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isSection(s: unknown): s is [number, number] {
  return Array.isArray(s) && s.length === 2 && isNum(s[0]) && isNum(s[1]) && s[0] >= 0 && s[1] >= 0;
}

function isHeader(h: unknown): h is Header {
  return (
    isObj(h) &&
    typeof h.magic === 'string' &&
    typeof h.version === 'number' &&
    typeof h.salt === 'string' &&
    isObj(h.sections) &&
    (h.corpusKey === null || typeof h.corpusKey === 'string') &&
    isObj(h.sums) &&
    typeof h.sums.manifest === 'string' &&
    typeof h.sums.parsed === 'string' &&
    (h.sums.corpus === null || typeof h.sums.corpus === 'string')
  );
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

function isCachedCorpus(c: unknown): c is CachedCorpus {
  if (!isObj(c) || !Array.isArray(c.works) || !Array.isArray(c.problems)) return false;
  for (const w of c.works) {
    if (!isObj(w) || typeof w.id !== 'string' || typeof w['citation-label'] !== 'string' || typeof w.type !== 'string') return false;
    const x = w['x-corpus'];
    if (!isObj(x) || typeof x.kind !== 'string' || !Array.isArray(x.sources) || !Array.isArray(x.contexts) || !Array.isArray(x.citedBy) || !Array.isArray(x.cites)) return false;
  }
  return c.problems.every(isProblem);
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

export type IndexWithCacheResult = Corpus & { missing: string[]; stats: IndexCacheStats };

/**
 * Indexes files and folders like `indexPaths`, reusing the cache in `cacheDir`: unchanged files
 * are not parsed, and when no file changed the built corpus itself is loaded. Writes the
 * updated cache back (errors writing it are ignored: the index is still returned).
 */
export function indexWithCache(paths: readonly string[], cacheDir: string, opts: IndexWithCacheOptions = {}): IndexWithCacheResult {
  const t0 = performance.now();
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const ms = { total: 0, load: 0, parse: 0, build: 0, save: 0 };
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
      ms.total = performance.now() - t0;
      return {
        works: corpus.works,
        problems: [...walkProblems, ...corpus.problems],
        byId: new Map(corpus.works.flatMap((w) => keysOf(w).map((k) => [k, w] as const))),
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

  t = performance.now();
  const corpus = buildCorpus(parsedFiles);
  ms.build += performance.now() - t;

  if (!opts.readOnly) {
    const allOk = entries.length === parsedFiles.length;
    trySave(cacheDir, entries, allOk ? corpus : undefined, opts, ms);
  }
  ms.total = performance.now() - t0;
  return {
    ...corpus,
    problems: [...walkProblems, ...corpus.problems],
    missing,
    stats: { files: files.length, fromCache: fromCacheFinal, parsed: parsedCount, rehashed, corpusFromCache: false, cacheValid: reader !== undefined, ...note(reader), ms },
  };
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

function trySave(dir: string, entries: CacheEntry[], corpus: CachedCorpus | undefined, opts: CacheOptions, ms: IndexCacheStats['ms']): void {
  const t = performance.now();
  try {
    saveCache(dir, entries, corpus, opts);
  } catch {
    // A read-only or full disk only costs the next warm start.
  }
  ms.save += performance.now() - t;
}
