/** Reading corpus files from disk (Node `fs`; no editor API) for the CLI and the index worker. */
import * as fs from 'fs';
import * as path from 'path';
import { type Corpus, buildCorpus } from './corpus';
import { decodeBytes, normaliseNewlines } from './decode';
import type { ParsedFile, Problem } from './model';
import { parseText } from './parsers';

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const CORPUS_EXTENSIONS = /\.(?:txt|json|jsonl|bib|biblatex|ris|csl|html?|md)$/i;

export interface LoadOptions {
  /** Files larger than this are reported and skipped. */
  maxFileBytes?: number;
}

/** Parses one file's bytes: decode, sniff, parse. Never throws. */
export function parseBytes(bytes: Uint8Array, file: string): ParsedFile {
  if (bytes.length === 0) return { file, records: [], problems: [{ file, line: 1, severity: 'warning', message: 'Empty file; nothing to index.' }] };
  const decoded = decodeBytes(bytes);
  if (decoded.binary) return { file, records: [], problems: [{ file, line: 1, severity: 'warning', message: 'This looks like a binary file, not text; skipped it.' }] };
  const text = normaliseNewlines(decoded.text);
  const parsed = parseText(text, file);
  const notes: Problem[] = decoded.notes.map((message) => ({ file, line: 1, severity: 'info' as const, message }));
  return { ...parsed, problems: [...notes, ...parsed.problems] };
}

/** Reads and parses one file, reporting I/O errors and over-size files as problems. */
export function parseFile(file: string, opts: LoadOptions = {}): ParsedFile {
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  try {
    const st = fs.statSync(file);
    if (st.size > max) {
      return { file, records: [], problems: [{ file, line: 1, severity: 'warning', message: `File is ${(st.size / 1048576).toFixed(1)} MB, over the ${(max / 1048576).toFixed(0)} MB limit (setting corpusCite.maxFileSizeMB); skipped it.` }] };
    }
    return parseBytes(fs.readFileSync(file), file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { file, records: [], problems: [{ file, line: 1, severity: 'error', message: `Could not read the file (${code ?? (e as Error).message}).` }] };
  }
}

/** Expands files and folders (recursively, corpus extensions only) into a sorted file list. */
export function expandPaths(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      if (top) missing.push(p);
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        if (e.startsWith('.') || e === 'node_modules') continue;
        walk(path.join(p, e), false);
      }
    } else if (top || CORPUS_EXTENSIONS.test(p)) files.push(p);
  };
  for (const p of paths) walk(p, true);
  return { files: [...new Set(files)].sort(), missing };
}

/** Indexes files and folders into a corpus. */
export function indexPaths(paths: readonly string[], opts: LoadOptions = {}): Corpus & { missing: string[] } {
  const { files, missing } = expandPaths(paths);
  const parsed = files.map((f) => parseFile(f, opts));
  return { ...buildCorpus(parsed), missing };
}
