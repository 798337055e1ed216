/**
 * Works as they cross from the index worker to the editor: without the per-field line numbers of
 * each source (`SourceRef.fields`, which nothing in the editor reads; the CLI's JSON keeps
 * them), and with file paths sent once per message as a table instead of once per source and
 * citing sentence. At 50,000 works that is a third of the bytes (a structured clone copies every
 * occurrence of a string), and as much less memory and garbage collection in the editor, where
 * the copies would otherwise live side by side.
 */
import type { CitationContext, SourceRef, Work } from './model';

type WireSource = Omit<SourceRef, 'file' | 'fields'> & { file: number };
type WireContext = Omit<CitationContext, 'file'> & { file: number };
export type WireWork = Omit<Work, 'x-corpus'> & { 'x-corpus': Omit<Work['x-corpus'], 'sources' | 'contexts'> & { sources: WireSource[]; contexts: WireContext[] } };

export interface WireChunk {
  files: string[];
  works: WireWork[];
}

/** File numbers shared by several `toWire` calls (one table for a list packed in batches). */
export interface FileTable {
  files: string[];
  index: Map<string, number>;
}

export function toWire(works: readonly Work[], table: FileTable = { files: [], index: new Map() }): WireChunk {
  const { files, index } = table;
  const fileId = (f: string): number => {
    let i = index.get(f);
    if (i === undefined) {
      i = files.length;
      files.push(f);
      index.set(f, i);
    }
    return i;
  };
  const out = works.map((w): WireWork => {
    const x = w['x-corpus'];
    return {
      ...w,
      'x-corpus': {
        ...x,
        sources: x.sources.map((s) => (s.key === undefined ? { line: s.line, format: s.format, relation: s.relation, file: fileId(s.file) } : { line: s.line, format: s.format, relation: s.relation, file: fileId(s.file), key: s.key })),
        contexts: x.contexts.map((c) => ({ ...c, file: fileId(c.file) })),
      },
    };
  });
  return { files, works: out };
}

/**
 * What the receiver shares across chunks: one string per repeated value (paths, journal names,
 * types), one frozen empty list, one frozen date per year. Every object that outlives its chunk
 * costs the receiver's garbage collector a copy (50,000 works are about two million objects);
 * the duplicates made by the structured clone die young instead, at almost no cost.
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly years = new Map<number, Work['issued']>();
  readonly empty: never[] = Object.freeze([]) as unknown as never[];

  string(s: string): string {
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen;
    this.strings.set(s, s);
    return s;
  }

  /** A shared frozen `{ 'date-parts': [[year]] }`, or the date itself when it says more. */
  issued(d: Work['issued']): Work['issued'] {
    const parts = d?.['date-parts'];
    const y = parts?.length === 1 && parts[0].length === 1 ? parts[0][0] : undefined;
    if (typeof y !== 'number' || Object.keys(d!).length !== 1) return d;
    let shared = this.years.get(y);
    if (!shared) this.years.set(y, (shared = Object.freeze({ 'date-parts': Object.freeze([Object.freeze([y])]) }) as unknown as Work['issued']));
    return shared;
  }
}

const SHARED_LISTS = ['citedBy', 'cites', 'related', 'referencedBy', 'contexts', 'inferred'] as const;
const SHARED_FIELDS = ['type', 'container-title', 'container-title-short', 'publisher', 'publisher-place', 'language', 'ISSN'] as const;

/**
 * The works of a chunk, in place (the chunk is the receiver's own copy): file numbers become
 * paths again, and repeated values are shared through `interner` (across all chunks when the
 * same one is passed).
 */
export function fromWire(chunk: WireChunk, interner: Interner = new Interner()): Work[] {
  const files = chunk.files.map((f) => interner.string(f));
  for (const wire of chunk.works) {
    const w = wire as unknown as Work & Record<string, unknown>;
    const x = w['x-corpus'];
    for (const s of x.sources) {
      s.file = files[s.file as unknown as number];
      s.format = interner.string(s.format) as typeof s.format;
      s.relation = interner.string(s.relation) as typeof s.relation;
    }
    for (const c of x.contexts) c.file = files[c.file as unknown as number];
    x.kind = interner.string(x.kind) as typeof x.kind;
    for (const k of SHARED_LISTS) if (x[k].length === 0) (x as Record<string, unknown>)[k] = interner.empty;
    for (const k of SHARED_FIELDS) {
      const v = w[k];
      if (typeof v === 'string') w[k] = interner.string(v);
    }
    if (w.issued) w.issued = interner.issued(w.issued);
  }
  return chunk.works as unknown as Work[];
}
