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

export function toWire(works: readonly Work[]): WireChunk {
  const files: string[] = [];
  const index = new Map<string, number>();
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
        sources: x.sources.map((s) => ({ line: s.line, format: s.format, relation: s.relation, file: fileId(s.file) })),
        contexts: x.contexts.map((c) => ({ ...c, file: fileId(c.file) })),
      },
    };
  });
  return { files, works: out };
}

/**
 * The works of a chunk, in place (the chunk is the receiver's own copy): file numbers become
 * paths again, one string per path across all chunks when `intern` is shared.
 */
export function fromWire(chunk: WireChunk, intern: Map<string, string> = new Map()): Work[] {
  const files = chunk.files.map((f) => {
    const seen = intern.get(f);
    if (seen !== undefined) return seen;
    intern.set(f, f);
    return f;
  });
  for (const w of chunk.works) {
    const x = w['x-corpus'] as unknown as Work['x-corpus'];
    for (const s of x.sources) s.file = files[s.file as unknown as number];
    for (const c of x.contexts) c.file = files[c.file as unknown as number];
  }
  return chunk.works as unknown as Work[];
}
