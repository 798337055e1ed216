/**
 * Parsing on the parse pool's threads (parsePool.ts), with the result of parsing in one thread
 * (`parseFile` / `parseBytes`, loadFiles.ts) exactly: many files go out in groups of about
 * GROUP_BYTES, read and parsed in the threads; one big BibTeX file is cut into slices at entry
 * lines, the slices parsed in the threads and joined in file order (bibtexSlices.ts; only when the
 * pool's `slices` says so, see parsePool.ts). Without a pool (one core, no two free, or turned
 * off) everything runs in the caller's thread as before.
 */
import * as fs from 'fs';
import { type Corpus, buildCorpus } from './corpus';
import { type LoadOptions, DEFAULT_MAX_FILE_BYTES, expandPaths, finishParse, parseBytes, parseFile } from './loadFiles';
import { joinSlices, planSlices } from './bibtexSlices';
import type { PoolJob } from './parseJobs';
import { ParsePool } from './parsePool';
import { decodeBytes, normaliseNewlines } from '../io/decode';
import { readRegularFileSync } from '../io/readFile';
import type { ParsedFile } from '../model/model';
import { type BibSlice, parseBibtexSlice } from '../parsers/bibtex';
import { parseText, sniffFormat } from '../parsers';

/** A file at least this big is parsed in slices when it is BibTeX (each slice at least half of it). */
export const SLICE_FILE_BYTES = 2 * 1024 * 1024;
/** About this many bytes of small files go to a thread at a time. */
export const GROUP_BYTES = 512 * 1024;

/** The parse of one file's bytes, its slices on the pool when it is a big BibTeX file; as `parseBytes` gives it. */
export function parseBytesPooled(bytes: Uint8Array, file: string, pool: ParsePool | undefined, minSliceChars = SLICE_FILE_BYTES / 2): ParsedFile {
  if (!pool?.parallel || !pool.slices || bytes.length < 2 * minSliceChars) return parseBytes(bytes, file);
  const decoded = decodeBytes(bytes);
  if (decoded.binary) return parseBytes(bytes, file);
  const text = normaliseNewlines(decoded.text);
  if (sniffFormat(text) !== 'bibtex') return finishParse(text, decoded, parseText(text, file, undefined, true));
  const joined = parseBibtexPooled(text, file, pool, minSliceChars);
  return finishParse(text, decoded, joined ?? parseText(text, file, 'bibtex', true));
}

/** A clean .bib text parsed in slices on the pool and joined; undefined when it is not to be cut, or the slices cannot be joined. */
export function parseBibtexPooled(text: string, file: string, pool: ParsePool, minSliceChars: number): ParsedFile | undefined {
  const plan = planSlices(text, pool.size, minSliceChars);
  if (!plan) return undefined;
  try {
    // The head (the @strings) is small: read here, its macros go with every other slice.
    const head = plan.head ? parseBibtexSlice(plan.head.text, file, 1) : undefined;
    if (head && !head.tailClean) return undefined;
    const macros = head?.macros;
    const ids = plan.slices.map((s) => pool.submit({ kind: 'slice', file, text: s.text, firstLine: s.firstLine, ...(macros ? { macros } : {}) }));
    const parts = pool.collect<Extract<PoolJob, { kind: 'slice' }>>(ids) as BibSlice[];
    return joinSlices(file, head ? [head, ...parts] : parts);
  } catch {
    return undefined; // the whole file is parsed as one, with its own handling of a reader's crash
  }
}

/** The parses of these files (in their order) as `files.map(parseFile)` gives them, on the pool. */
export function parseFilesPooled(files: readonly string[], opts: LoadOptions, raw: ReadonlyMap<string, Buffer>, pool: ParsePool | undefined, groupBytes = GROUP_BYTES): ParsedFile[] {
  const here = () => files.map((f) => parseFile(f, opts, raw.get(f)));
  if (!pool?.parallel || files.length === 0) return here();
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const big: number[] = [];
  const groups: { from: number; to: number }[] = [];
  let from = 0;
  let bytes = 0;
  const flush = (to: number) => {
    if (to > from) groups.push({ from, to });
    from = to;
    bytes = 0;
  };
  for (let i = 0; i < files.length; i++) {
    let size = 0;
    try {
      size = fs.statSync(raw.get(files[i]) ?? files[i]).size;
    } catch {
      // the thread reads it and says what is wrong
    }
    // A big file is parsed here (in slices on the threads when the pool cuts them): sent whole
    // to a thread, its parse would cost about as much again to take back.
    if (size >= SLICE_FILE_BYTES && size <= max) {
      flush(i);
      from = i + 1;
      big.push(i);
      continue;
    }
    bytes += size;
    if (bytes >= groupBytes) flush(i + 1);
  }
  flush(files.length);
  // One group and nothing else: nothing to share.
  if (groups.length < 2 && !(pool.slices && big.length)) return here();
  const ids = groups.map((g) => pool.submit({ kind: 'files', opts, files: files.slice(g.from, g.to).map((f) => (raw.has(f) ? { file: f, raw: raw.get(f) } : { file: f })) }));
  const out: ParsedFile[] = new Array(files.length);
  // While the threads read the small files, the big ones are read (and cut) here.
  for (const i of big) {
    const f = files[i];
    const r = readRegularFileSync(raw.get(f) ?? f, max);
    out[i] = 'problem' in r ? { file: f, records: [], problems: [{ file: f, ...r.problem }] } : parseBytesPooled(r.bytes, f, pool);
  }
  const results = pool.collect<Extract<PoolJob, { kind: 'files' }>>(ids) as ParsedFile[][];
  groups.forEach((g, k) => results[k].forEach((p, j) => (out[g.from + j] = p)));
  return out;
}

/** `indexPaths` (loadFiles.ts) with the parses on a pool (made for the call when not given). */
export function indexPathsPooled(paths: readonly string[], opts: LoadOptions = {}, pool?: ParsePool): Corpus & { missing: string[] } {
  const own = pool ?? new ParsePool();
  try {
    const { files, missing, problems, raw } = expandPaths(paths);
    const parsed = parseFilesPooled(files, opts, raw, own);
    return { ...buildCorpus(parsed, problems), missing };
  } finally {
    if (!pool) own.close();
  }
}
