/** What a parse-pool thread is asked to do (parsePool.ts), and doing it: the same code in the pool and in the caller's thread. */
import { type LoadOptions, parseFile } from './loadFiles';
import { type BibSlice, parseBibtexSlice } from '../parsers/bibtex';
import type { ParsedFile } from '../model/model';

export type PoolJob =
  /** Read and parse these files (`raw`: the path's bytes when the name is not valid UTF-8). */
  | { kind: 'files'; files: { file: string; raw?: Uint8Array }[]; opts: LoadOptions }
  /** Parse a slice of a clean .bib text (bibtexSlices.ts). */
  | { kind: 'slice'; file: string; text: string; firstLine: number; macros?: [string, string][] };

export type JobValue<J extends PoolJob> = J extends { kind: 'files' } ? ParsedFile[] : BibSlice;

export function runJob<J extends PoolJob>(job: J): JobValue<J> {
  switch (job.kind) {
    case 'files':
      return job.files.map((f) => parseFile(f.file, job.opts, f.raw ? Buffer.from(f.raw.buffer, f.raw.byteOffset, f.raw.byteLength) : undefined)) as JobValue<J>;
    case 'slice':
      return parseBibtexSlice(job.text, job.file, job.firstLine, job.macros) as JobValue<J>;
  }
  throw new Error('unknown job');
}
