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
import { parentPort } from 'worker_threads';
import { type BibStyle, exportBibtex, exportCslJson, exportRis, formatBibliography } from './bibliography';
import { buildCorpus } from './corpus';
import { parseBytes } from './loadFiles';
import type { ParsedFile, Problem, Work } from './model';
import { type PackedSearchIndex, packedTransfer, SearchIndex } from './search';
import { toWire, type WireChunk } from './wire';

export type IndexRequest =
  | { id: number; kind: 'parse'; file: string; bytes: Uint8Array }
  /** A file that could not be read, or was skipped: its problems stand in for its records. */
  | { id: number; kind: 'set'; parsed: ParsedFile }
  | { id: number; kind: 'drop'; file: string }
  /**
   * Builds the corpus and its search index; the answer carries the index (packed) and the
   * number of works, which the editor then fetches with `works` requests, a chunk at a time:
   * one message with 50,000 works takes seconds to deserialize and would block the editor.
   */
  | { id: number; kind: 'build' }
  /** Works [from, to) of the last build. */
  | { id: number; kind: 'works'; from: number; to: number }
  /**
   * CSL-JSON / BibTeX / RIS / a formatted bibliography (plain text by default) of some works:
   * citation-js loads here, not in the editor.
   */
  | { id: number; kind: 'export'; works: Work[]; format: ExportFormat; style?: BibStyle; output?: 'text' | 'html' | 'markdown' };

export type ExportFormat = 'csl-json' | 'bibtex' | 'ris' | 'bibliography';

export type IndexResponse =
  | { id: number; kind: 'parsed'; file: string; records: number; ms: number }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'built'; count: number; problems: Problem[]; search: PackedSearchIndex; ms: number; searchMs: number }
  | { id: number; kind: 'works'; chunk: WireChunk }
  | { id: number; kind: 'text'; text: string }
  | { id: number; kind: 'error'; message: string };

/** Parsed files by name, and the corpus built from them. Never throws from `handle`. */
export class IndexSession {
  private readonly files = new Map<string, ParsedFile>();
  /** The works of the last build, until they have all been fetched. */
  private built: Work[] | undefined;

  handle(req: IndexRequest): IndexResponse {
    try {
      switch (req.kind) {
        case 'parse': {
          const t0 = Date.now();
          const parsed = parseBytes(req.bytes, req.file);
          this.files.set(req.file, parsed);
          return { id: req.id, kind: 'parsed', file: req.file, records: parsed.records.length, ms: Date.now() - t0 };
        }
        case 'set':
          this.files.set(req.parsed.file, req.parsed);
          return { id: req.id, kind: 'done' };
        case 'drop':
          this.files.delete(req.file);
          return { id: req.id, kind: 'done' };
        case 'build': {
          const t0 = Date.now();
          const parsed = [...this.files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
          const corpus = buildCorpus(parsed);
          const t1 = Date.now();
          const { packed } = SearchIndex.build(corpus.works).pack();
          this.built = corpus.works;
          return { id: req.id, kind: 'built', count: corpus.works.length, problems: corpus.problems, search: packed, ms: t1 - t0, searchMs: Date.now() - t1 };
        }
        case 'works': {
          const built = this.built;
          if (!built) throw new Error('no build to fetch works from (a newer build replaced it, or it was fetched)');
          const chunk = toWire(built.slice(req.from, req.to));
          if (req.to >= built.length) this.built = undefined; // fetched: the memory goes back
          return { id: req.id, kind: 'works', chunk };
        }
        case 'export': {
          const text =
            req.format === 'csl-json'
              ? exportCslJson(req.works)
              : req.format === 'bibtex'
                ? exportBibtex(req.works)
                : req.format === 'ris'
                  ? exportRis(req.works)
                  : formatBibliography(req.works, req.style ?? 'apa', req.output ?? 'text');
          return { id: req.id, kind: 'text', text };
        }
      }
    } catch (e) {
      // A parse failure must not lose the file: record it as a problem on the file.
      if (req.kind === 'parse') {
        const message = `Could not parse the file (${e instanceof Error ? e.message : String(e)}).`;
        this.files.set(req.file, { file: req.file, records: [], problems: [{ file: req.file, line: 1, severity: 'error', message }] });
        return { id: req.id, kind: 'parsed', file: req.file, records: 0, ms: 0 };
      }
      return { id: req.id, kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }
}

if (parentPort) {
  const port = parentPort;
  const session = new IndexSession();
  port.on('message', (req: IndexRequest) => {
    const res = session.handle(req);
    // The search index's typed arrays move to the editor without a copy.
    port.postMessage(res, res.kind === 'built' ? packedTransfer(res.search) : []);
  });
}
