/**
 * The index worker's warm start: the parses of unchanged corpus files, and the corpus built from
 * them, read back from the cache file of the last session (src/core/index/indexCache.ts) instead of
 * parsed and built again. A file is trusted when its size and modification time match its
 * entry; the cached corpus is used when the current files, in order, have exactly the contents
 * (size and hash) it was built from. Any doubt means a fresh parse: the cache only saves time.
 *
 * The checksums of all its sections are checked when the cache is opened (CRC-32: tens of
 * milliseconds at 50,000 works; the corpus sections are kept, a warm start maps them next): a
 * damaged parse section means no file is taken from it, a damaged corpus section means the
 * corpus is built again; `note` says which, in one line for the log. A file whose entry is racy (a coarse or
 * recent mtime) is read; if its bytes hash as in the cache, its cached parse is used (`reuse`).
 */
import { CacheReader, type CachedCorpus, corpusKey, type CacheEntry, type CorpusToSave, hashBytes, type ManifestEntry, saveCache, trusted } from './indexCache';
import type { ParsedFile } from '../model/model';
import { problemText } from '../model/problemText';

export class SessionCache {
  private reader: CacheReader | undefined;
  private readonly byPath = new Map<string, number>();
  private parses: ParsedFile[] | undefined | null = undefined;
  /** Size, time and hash of every current file whose content is known (parsed or cached). */
  private readonly meta = new Map<string, Omit<ManifestEntry, 'path'>>();

  /** Why the cache (or part of it) is not used, in one line; undefined when all is well. */
  readonly note: string | undefined;
  private corpusUsable = true;

  constructor(
    private readonly dir: string,
    private readonly salt: string,
  ) {
    this.reader = CacheReader.open(dir, { salt });
    const v = this.reader?.verify();
    if (this.reader && v && !v.parsed) this.reader = undefined;
    this.corpusUsable = v?.corpus ?? false;
    this.note = this.reader ? this.reader.problem : (CacheReader.lastProblem ?? (v && !v.parsed ? 'index cache damaged; indexing from the files' : undefined));
    this.reader?.manifest.forEach((m, i) => this.byPath.set(m.path, i));
  }

  /** Whether a valid cache file was found. */
  get valid(): boolean {
    return this.reader !== undefined;
  }

  /** Whether the cache holds `file` as it is now: the size and modification time of its entry. */
  has(file: string, size: number, mtimeMs: number): boolean {
    const i = this.byPath.get(file);
    const m = i === undefined ? undefined : this.reader?.manifest[i];
    if (!m || !trusted(m, size, mtimeMs)) return false;
    this.meta.set(file, { size, mtimeMs, hash: m.hash });
    return true;
  }

  /**
   * The cached parse of a file `has` accepted (read with all the others on first use). A cache
   * file that turned unreadable meanwhile gives a problem on the file instead (re-index reads it).
   */
  parseOf(file: string): ParsedFile {
    if (this.parses === undefined) this.parses = this.reader?.parsed() ?? null;
    const i = this.byPath.get(file);
    const parsed = i === undefined ? undefined : this.parses?.[i];
    if (parsed) return parsed;
    this.meta.delete(file);
    return { file, records: [], problems: [{ file, line: 1, severity: 'warning', ...problemText('The index cache could not be read back; run "Re-index Corpus" to read this file again.') }] };
  }

  /**
   * Whether `bytes` are the content the cache holds for `file` (same size and hash): then its
   * cached parse stands (read with `parseOf`) and the file's new mtime is noted.
   */
  reuse(file: string, bytes: Uint8Array, mtimeMs: number | undefined): boolean {
    const i = this.byPath.get(file);
    const m = i === undefined ? undefined : this.reader?.manifest[i];
    if (!m || m.size !== bytes.byteLength || mtimeMs === undefined) return false;
    const hash = hashBytes(bytes);
    if (hash !== m.hash) return false;
    this.meta.set(file, { size: bytes.byteLength, mtimeMs, hash });
    return true;
  }

  /** Notes a file parsed from `bytes`. */
  parsed(file: string, bytes: Uint8Array, mtimeMs: number | undefined): void {
    if (mtimeMs === undefined) this.meta.delete(file);
    else this.meta.set(file, { size: bytes.byteLength, mtimeMs, hash: hashBytes(bytes) });
  }

  /** A file that left the corpus, or whose content is not known (unreadable, skipped). */
  forget(file: string): void {
    this.meta.delete(file);
  }

  /**
   * The cached corpus (works and search index packed, see indexCache.ts), if it was built from
   * exactly these files (in this order) as they are now. Asked once per build: what `verify`
   * kept of the file is let go either way.
   */
  corpus(files: readonly string[]): CachedCorpus | undefined {
    const key = this.keyOf(files);
    if (!key || !this.reader || !this.corpusUsable || !this.reader.hasCorpus(key)) {
      this.reader?.release();
      return undefined;
    }
    return this.reader.corpus(key);
  }

  /**
   * Writes the cache: every file whose content is known, with its parse, and the corpus when it
   * was built from exactly those files. Throws on I/O errors.
   */
  save(files: readonly ParsedFile[], corpus: CorpusToSave | undefined): void {
    const entries: CacheEntry[] = [];
    for (const parsed of files) {
      const m = this.meta.get(parsed.file);
      if (m) entries.push({ path: parsed.file, ...m, parsed });
    }
    saveCache(this.dir, entries, entries.length === files.length ? corpus : undefined, { salt: this.salt });
    // What was written is now the cache to compare with.
    this.reader = CacheReader.open(this.dir, { salt: this.salt });
    this.corpusUsable = true; // just written
    this.byPath.clear();
    this.reader?.manifest.forEach((m, i) => this.byPath.set(m.path, i));
    this.parses = undefined;
  }

  /** Whether the cache file as last read or written holds a parse of `file` (see `parseOf`). */
  holds(file: string): boolean {
    return this.reader !== undefined && this.byPath.has(file);
  }

  private keyOf(files: readonly string[]): string | undefined {
    const entries: Pick<ManifestEntry, 'path' | 'size' | 'hash'>[] = [];
    for (const f of files) {
      const m = this.meta.get(f);
      if (!m) return undefined;
      entries.push({ path: f, size: m.size, hash: m.hash });
    }
    return corpusKey(entries);
  }
}
