/**
 * The indexing session that runs in a worker thread (bundled as dist/indexWorker.js), off the
 * extension host's main thread: it parses corpus files, keeps the parsed result per file, and
 * builds the corpus from them on request. Only the finished works cross back to the editor.
 * Exports through citation-js (BibTeX, formatted entries) run here too: its first use costs
 * about half a second, which would otherwise stall every other provider in the extension host.
 *
 * Protocol: the parent posts `IndexRequest`s; each is answered by one `IndexResponse` with the
 * same `id`. The same `IndexSession` runs in-process when a worker cannot start.
 */
import * as os from 'os';
import { parentPort } from 'worker_threads';
import { type BibStyle, citationJs, exportBibtex, exportCslJson, exportRis, formatBibliography } from '../format/bibliography';
import type { RenderRequest, RenderResult } from '../format/citationJsImpl';
import type { StyleOptions } from '../format/styles';
import { type CitationMap, citationMapOf } from '../format/citationGraph';
import { buildCorpus } from '../build/corpus';
import { parseBytes } from '../build/loadFiles';
import { parseBytesPooled, SLICE_FILE_BYTES } from '../build/parallelParse';
import { ParsePool } from '../build/parsePool';
import { isParseThread } from '../build/parseWorker';
import type { ParsedFile, Problem, Work } from '../model/model';
import { type PackedSearchIndex, packedTransfer, SearchIndex } from '../search/search';
import { type WorkEntry, workEntriesByFile } from '../manuscript/navigation';
import { SessionCache } from './sessionCache';
import { type PackedWorks, packWorks, WorkStore } from '../model/workStore';
import { encodeSection } from './cacheSections';
import type { CorpusToSave } from './indexCache';
import { problemText } from '../model/problemText';

export type IndexRequest =
  /** `mtimeMs` (with the bytes' length) identifies this content in the warm-start cache. */
  | { id: number; kind: 'parse'; file: string; bytes: Uint8Array; mtimeMs?: number }
  /** Opens the warm-start cache of the last session (see sessionCache.ts). */
  | { id: number; kind: 'cache-open'; dir: string; salt: string }
  /** The cached parse of a file unchanged since (answer `parsed`, or `miss`). */
  | { id: number; kind: 'cached'; file: string; size: number; mtimeMs: number }
  /** Writes the cache for the next session (after a build, when the editor is idle). */
  | { id: number; kind: 'cache-save' }
  /** A file that could not be read, or was skipped: its problems stand in for its records. */
  | { id: number; kind: 'set'; parsed: ParsedFile }
  | { id: number; kind: 'drop'; file: string }
  /** What the folder walk passed over (unreadable folders, FIFOs, unknown files): listed with the corpus problems. */
  | { id: number; kind: 'walk-problems'; problems: Problem[] }
  /**
   * Builds the corpus and its search index; the answer carries both, packed (workStore.ts,
   * search.ts): the works' bytes and the index's arrays are shared or moved, not copied, and the
   * heads are a few joined strings, so that one message with 50,000 works deserializes in
   * milliseconds (as plain objects it took seconds and blocked the editor).
   */
  | { id: number; kind: 'build' }
  /** The lines of a corpus file that name works of the last build (see navigation.ts). */
  | { id: number; kind: 'entries'; file: string }
  /**
   * CSL-JSON / BibTeX / RIS / a formatted bibliography (plain text by default) of some works:
   * citation-js loads here, not in the editor.
   */
  | { id: number; kind: 'export'; works: Work[]; format: ExportFormat; style?: BibStyle; styleOptions?: StyleOptions; output?: 'text' | 'html' | 'markdown' }
  /** A manuscript's citations and reference list formatted by citeproc, for the Markdown preview. */
  | { id: number; kind: 'render'; render: RenderRequest }
  /** The citation map of the last build (citationGraph.ts), laid out here: off the editor's thread. */
  | { id: number; kind: 'graph'; maxNodes?: number };

export type ExportFormat = 'csl-json' | 'bibtex' | 'ris' | 'bibliography';

export type IndexResponse =
  /** `records` is -1 for a file taken from the cache (its parse is read only if a build needs it). */
  | { id: number; kind: 'parsed'; file: string; records: number; ms: number }
  | { id: number; kind: 'miss' }
  /** `note`: why the cache, or part of it, is not used (a damaged section), for the log. */
  | { id: number; kind: 'cache-opened'; valid: boolean; note?: string }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'built'; works: PackedWorks; problems: Problem[]; search: PackedSearchIndex; ms: number; searchMs: number; corpusFromCache?: boolean }
  | { id: number; kind: 'entries'; entries: WorkEntry[] }
  | { id: number; kind: 'text'; text: string }
  | { id: number; kind: 'rendered'; result: RenderResult }
  | { id: number; kind: 'graph'; map: CitationMap }
  | { id: number; kind: 'error'; message: string };

/** Parsed files by name, and the corpus built from them. Never throws from `handle`. */
export class IndexSession {
  private readonly files = new Map<string, ParsedFile>();
  /** The works of the last build in the editor's form (workStore.ts), as sent to the editor. */
  private packed: PackedWorks | undefined;
  /** Read-only views of them, made when first asked about (entries, the citation map). */
  private store: readonly Work[] | undefined;
  private entries: Map<string, WorkEntry[]> | undefined;
  private cache: SessionCache | undefined;
  /** What the next `cache-save` writes: the files and corpus of the last build. */
  private toSave: { files: ParsedFile[]; corpus: CorpusToSave } | undefined;
  /** Files whose parse is in the cache, not read yet (see `build`). */
  private readonly fromCache = new Set<string>();
  /** The folder walk's problems (see `walk-problems`), added to every build's. */
  private walkProblems: Problem[] = [];
  /** A file was parsed, set or dropped since the cache was opened or last written. */
  private changedSinceSave = false;
  private heavyDone = false;

  /**
   * `onHeavy`: called once, before the first heavy job (a parse, a build that is not the cached
   * corpus, writing the cache, an export, citeproc, the citation map); the worker lowers its
   * priority then (see `lowerThreadPriority`). What a warm start waits for (opening the cache,
   * taking the cached corpus, handing the works over) runs before it, at the editor's priority.
   */
  constructor(private readonly onHeavy?: () => void) {}

  /**
   * The editor sends one file at a time (and waits for its answer), so only one big BibTeX file
   * can go to the parse pool's threads, in slices (parallelParse.ts); the pool is made for the
   * first such file, and does so only when asked (see parsePool.ts: by default it does not).
   */
  private parsePool: ParsePool | undefined;

  private parse(bytes: Uint8Array, file: string): ParsedFile {
    if (bytes.length < SLICE_FILE_BYTES) return parseBytes(bytes, file);
    this.parsePool ??= new ParsePool();
    return parseBytesPooled(bytes, file, this.parsePool);
  }

  private heavy(): void {
    if (this.heavyDone) return;
    this.heavyDone = true;
    this.onHeavy?.();
  }

  /** The works of the last build, as read-only views (parsed when read). */
  private built(): readonly Work[] | undefined {
    if (this.packed) this.store ??= new WorkStore().add(this.packed);
    return this.store;
  }

  /**
   * Once the cache file holds them, the parses of the files are let go: they are read back from
   * the cache (`fromCache`, as on a warm start) only when a build needs them, i.e. when another
   * file changes. At 50,000 works they are ~115 MB of heap that a finished index would keep
   * for nothing (bench/RESULTS.md, seventh session, memory).
   */
  private dropSavedParses(): void {
    for (const f of [...this.files.keys()]) {
      if (!this.cache!.holds(f)) continue;
      this.files.delete(f);
      this.fromCache.add(f);
    }
  }

  handle(req: IndexRequest): IndexResponse {
    try {
      switch (req.kind) {
        case 'parse': {
          const t0 = Date.now();
          // Read because its mtime could not be trusted (coarse, or too recent), and unchanged.
          if (!this.files.has(req.file) && this.cache?.reuse(req.file, req.bytes, req.mtimeMs)) {
            this.fromCache.add(req.file);
            this.changedSinceSave = true; // the cache learns its new mtime
            return { id: req.id, kind: 'parsed', file: req.file, records: -1, ms: Date.now() - t0 };
          }
          this.heavy();
          const parsed = this.parse(req.bytes, req.file);
          this.files.set(req.file, parsed);
          this.fromCache.delete(req.file);
          this.cache?.parsed(req.file, req.bytes, req.mtimeMs);
          this.changedSinceSave = true;
          return { id: req.id, kind: 'parsed', file: req.file, records: parsed.records.length, ms: Date.now() - t0 };
        }
        case 'set':
          this.files.set(req.parsed.file, req.parsed);
          this.fromCache.delete(req.parsed.file);
          this.cache?.forget(req.parsed.file);
          this.changedSinceSave = true;
          return { id: req.id, kind: 'done' };
        case 'drop':
          this.files.delete(req.file);
          this.fromCache.delete(req.file);
          this.cache?.forget(req.file);
          this.changedSinceSave = true;
          return { id: req.id, kind: 'done' };
        case 'walk-problems':
          this.walkProblems = req.problems;
          return { id: req.id, kind: 'done' };
        case 'cache-open':
          this.cache = new SessionCache(req.dir, req.salt);
          return { id: req.id, kind: 'cache-opened', valid: this.cache.valid, ...(this.cache.note ? { note: this.cache.note } : {}) };
        case 'cached': {
          if (!this.cache?.has(req.file, req.size, req.mtimeMs)) return { id: req.id, kind: 'miss' };
          this.files.delete(req.file);
          this.fromCache.add(req.file);
          return { id: req.id, kind: 'parsed', file: req.file, records: -1, ms: 0 };
        }
        case 'cache-save': {
          const save = this.toSave;
          this.toSave = undefined;
          if (save && this.cache) {
            this.heavy();
            this.cache.save(save.files, save.corpus);
            this.changedSinceSave = false;
            this.dropSavedParses();
          }
          return { id: req.id, kind: 'done' };
        }
        case 'build': {
          const t0 = Date.now();
          const names = [...this.files.keys(), ...this.fromCache].sort();
          const cached = this.cache?.corpus(names);
          // The parses of files taken from the cache are read only when they are needed: to
          // build the corpus, or to write the cache again (nothing to write when all of it came
          // from the cache unchanged).
          const needParses = !cached || this.changedSinceSave;
          if (needParses || !cached.search) this.heavy();
          if (needParses) {
            for (const f of this.fromCache) this.files.set(f, this.cache!.parseOf(f));
            this.fromCache.clear();
          }
          const parsed = needParses ? names.map((f) => this.files.get(f)!) : [];
          let packed: PackedWorks;
          let problems: Problem[];
          let search: PackedSearchIndex;
          let t1: number;
          if (cached) {
            packed = cached.works;
            problems = cached.problems;
            t1 = Date.now();
            search = cached.search ?? SearchIndex.build(new WorkStore().add(packed)).pack().packed;
          } else {
            const corpus = buildCorpus(parsed);
            problems = corpus.problems;
            // The editor's form of the works, made once per build: its chunks are slices of it,
            // and the cache writes it as it is.
            packed = packWorks(corpus.works);
            t1 = Date.now();
            search = SearchIndex.build(corpus.works).pack().packed;
          }
          // Encoded now: the search index's buffers move to the editor with the answer.
          this.toSave = this.cache && needParses ? { files: parsed, corpus: { works: packed, problems, search: encodeSection(search) } } : undefined;
          // The plain works of a fresh build are not kept: the views of the packed works, parsed
          // when read, are made when something asks about them (`built`).
          this.packed = packed;
          this.store = undefined;
          this.entries = undefined;
          return { id: req.id, kind: 'built', works: packed, problems: this.walkProblems.length ? [...this.walkProblems, ...problems] : problems, search, ms: t1 - t0, searchMs: Date.now() - t1, corpusFromCache: cached !== undefined };
        }
        case 'entries': {
          const built = this.built();
          if (!built) return { id: req.id, kind: 'entries', entries: [] };
          this.entries ??= workEntriesByFile(built);
          return { id: req.id, kind: 'entries', entries: this.entries.get(req.file) ?? [] };
        }
        case 'export': {
          this.heavy();
          const text =
            req.format === 'csl-json'
              ? exportCslJson(req.works)
              : req.format === 'bibtex'
                ? exportBibtex(req.works)
                : req.format === 'ris'
                  ? exportRis(req.works)
                  : formatBibliography(req.works, req.style ?? 'apa', req.output ?? 'text', req.styleOptions);
          return { id: req.id, kind: 'text', text };
        }
        case 'render':
          this.heavy();
          return { id: req.id, kind: 'rendered', result: citationJs().renderCitations(req.render) };
        case 'graph':
          this.heavy();
          return { id: req.id, kind: 'graph', map: citationMapOf(this.built() ?? [], req.maxNodes) };
      }
    } catch (e) {
      // A parse failure must not lose the file: record it as a problem on the file.
      if (req.kind === 'parse') {
        const text = problemText('Could not parse the file ({0}).', e instanceof Error ? e.message : String(e));
        this.files.set(req.file, { file: req.file, records: [], problems: [{ file: req.file, line: 1, severity: 'error', ...text }] });
        return { id: req.id, kind: 'parsed', file: req.file, records: 0, ms: 0 };
      }
      return { id: req.id, kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }
}

/**
 * Indexing is background work: on Linux the worker thread lowers its own priority (nice 10 is a
 * per-thread attribute there), so that on a machine with few cores the editor's threads (the
 * extension host's, the window's) get a core first. Elsewhere the same call would lower the
 * whole extension host, so it is not made. It is made before the first heavy job, not at the
 * start: a warm start (open the cache, hand over the cached corpus: ~0.3 s of CPU at 50k) is what
 * the user waits for, and at nice 10 on two cores shared with busy processes it waited for a CPU
 * most of the time (0.3–1 s to open the cache, 0.5–1.5 s to hand over the works, measured in the
 * host at load 5–8). A thread cannot raise its priority again without privileges, so once
 * lowered it stays so.
 */
export function lowerThreadPriority(platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    os.setPriority(0, 10);
    return true;
  } catch {
    return false; // not allowed here: run at the editor's priority
  }
}

// Started as a thread of the parse pool (parsePool.ts), parseWorker.ts serves instead.
if (parentPort && !isParseThread()) {
  const port = parentPort;
  const session = new IndexSession(() => lowerThreadPriority());
  port.on('message', (req: IndexRequest) => {
    const res = session.handle(req);
    // The works' bytes and the search index's arrays reach the editor without a copy: shared
    // (a SharedArrayBuffer: made here, or the cache file's sections as read), else moved. The
    // worker keeps the works (the cache write, entries, the map): what it moves is what it
    // made for this answer only (the heads' starts of a cold build are copied, being small).
    port.postMessage(res, res.kind === 'built' ? packedTransfer(res.search) : res.kind === 'graph' ? [res.map.positions.buffer as ArrayBuffer] : []);
  });
}
