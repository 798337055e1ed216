/** Reading corpus files from disk (Node `fs`; no editor API) for the CLI and the index worker. */
import * as fs from 'fs';
import * as path from 'path';
import { type Corpus, buildCorpus } from './corpus';
import { type Decoded, decodeBytes, normaliseNewlines } from '../io/decode';
import type { ParsedFile, Problem, TextBlock } from '../model/model';
import { deeperThan, jsonTextDepth, MAX_JSON_DEPTH } from '../io/jsonDepth';
import { parseText } from '../parsers';
import { ioErrorProblem, notRegularProblem, readRegularFileSync, unknownFilesProblem } from '../io/readFile';
import { problemText } from '../model/problemText';

export { unknownFilesProblem };

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/**
 * The extensions a folder walk reads: every format a reader knows (which reader is decided by
 * the content, never by the name). Other files in a walked folder are counted in one problem
 * per folder (`unknownFilesProblem`).
 */
export const CORPUS_EXTENSION_LIST = ['txt', 'json', 'jsonl', 'bib', 'biblatex', 'ris', 'csl', 'csljson', 'htm', 'html', 'md', 'nbib', 'medline', 'xml', 'rdf', 'enw', 'ovd', 'csv', 'mrc', 'marc'] as const;
const CORPUS_EXTENSIONS = new RegExp(`\\.(?:${CORPUS_EXTENSION_LIST.join('|')})$`, 'i');

/** Whether a file name has an extension the folder walk reads. */
export function hasCorpusExtension(name: string): boolean {
  return CORPUS_EXTENSIONS.test(name);
}

/**
 * Text handed to the citation extractor per block (an abstract, a related-paper list): beyond
 * this the rest of the block is not searched for citations, and one problem says so. The record
 * itself keeps its whole abstract.
 */
export const MAX_CITATION_TEXT_CHARS = 256 * 1024;

export interface LoadOptions {
  /** Files larger than this are reported and skipped. */
  maxFileBytes?: number;
}

/** Cuts over-long text blocks to MAX_CITATION_TEXT_CHARS (one problem per file). */
function boundTextBlocks(parsed: ParsedFile): ParsedFile {
  let cut: { line: number; n: number } | undefined;
  const bound = (blocks: TextBlock[] | undefined): TextBlock[] | undefined => {
    if (!blocks) return blocks;
    let changed = false;
    const out = blocks.map((b) => {
      if (b.text.length <= MAX_CITATION_TEXT_CHARS) return b;
      changed = true;
      if (!cut) cut = { line: b.line, n: 0 };
      cut.n++;
      return { ...b, text: b.text.slice(0, MAX_CITATION_TEXT_CHARS) };
    });
    return changed ? out : blocks;
  };
  const walk = (rec: ParsedFile['records'][number]): ParsedFile['records'][number] => {
    const textBlocks = bound(rec.textBlocks);
    const children = rec.children?.map((c) => ({ ...c, record: walk(c.record) }));
    return textBlocks === rec.textBlocks && (!children || children.every((c, i) => c.record === rec.children![i].record)) ? rec : { ...rec, textBlocks, ...(children ? { children } : {}) };
  };
  const records = parsed.records.map(walk);
  if (!cut) return parsed;
  const c = cut as { line: number; n: number };
  const problem: Problem = {
    file: parsed.file,
    line: c.line,
    severity: 'info',
    ...(c.n === 1
      ? problemText('A text block longer than {0}K characters: citations were looked for in the first {0}K only (the record keeps its whole text).', MAX_CITATION_TEXT_CHARS / 1024)
      : problemText('{0} text blocks longer than {1}K characters: citations were looked for in the first {1}K only (the record keeps its whole text).', c.n, MAX_CITATION_TEXT_CHARS / 1024)),
  };
  return { ...parsed, records, problems: [...parsed.problems, problem] };
}

/**
 * JSON nested deeper than MAX_JSON_DEPTH: drops the record fields that hold such values (one
 * warning each; the record is kept), whatever reader took them in.
 */
function boundJsonDepth(text: string, parsed: ParsedFile): ParsedFile {
  if (!/^\s*[[{]/.test(text.slice(0, 1024)) || jsonTextDepth(text, MAX_JSON_DEPTH + 2) <= MAX_JSON_DEPTH) return parsed;
  const problems: Problem[] = [];
  const fix = (rec: ParsedFile['records'][number]): ParsedFile['records'][number] => {
    let csl = rec.csl;
    let fieldLines = rec.fieldLines;
    for (const key of Object.keys(rec.csl)) {
      if (!deeperThan((rec.csl as Record<string, unknown>)[key], MAX_JSON_DEPTH)) continue;
      if (csl === rec.csl) [csl, fieldLines] = [{ ...rec.csl }, { ...rec.fieldLines }];
      delete (csl as Record<string, unknown>)[key];
      delete fieldLines[key];
      problems.push({ file: parsed.file, line: rec.fieldLines[key] ?? rec.line, severity: 'warning', ...problemText("Field '{0}' is nested more than {1} levels deep; dropped it (the record is kept).", key, MAX_JSON_DEPTH) });
    }
    const children = rec.children?.map((c) => ({ ...c, record: fix(c.record) }));
    return csl === rec.csl && !children ? rec : { ...rec, csl, fieldLines, ...(children ? { children } : {}) };
  };
  const records = parsed.records.map(fix);
  return { ...parsed, records, problems: [...parsed.problems, ...problems] };
}

/** Parses one file's bytes: decode, sniff, parse. Never throws. */
export function parseBytes(bytes: Uint8Array, file: string): ParsedFile {
  if (bytes.length === 0) return { file, records: [], problems: [{ file, line: 1, severity: 'warning', ...problemText('Empty file; nothing to index.') }] };
  const decoded = decodeBytes(bytes);
  if (decoded.binary) return { file, records: [], problems: [{ file, line: 1, severity: 'warning', ...problemText('This looks like a binary file, not text; skipped it.') }] };
  const text = normaliseNewlines(decoded.text);
  return finishParse(text, decoded, parseText(text, file, undefined, true));
}

/** What `parseBytes` does after the reader: the bounds on text blocks and JSON depth, the decoder's notes. */
export function finishParse(text: string, decoded: Decoded, parsed: ParsedFile): ParsedFile {
  const file = parsed.file;
  const bounded = boundTextBlocks(boundJsonDepth(text, parsed));
  const notes: Problem[] = decoded.noteTexts.map((text) => ({ file, line: 1, severity: 'info' as const, ...text }));
  return { ...bounded, problems: [...notes, ...bounded.problems] };
}

/**
 * Reads and parses one file, reporting I/O errors, files that are not regular files and
 * over-size files as problems. `raw` is the path's bytes when the name is not valid UTF-8
 * (`file` is then its printable form, see `expandPaths`).
 */
export function parseFile(file: string, opts: LoadOptions = {}, raw?: Buffer): ParsedFile {
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const r = readRegularFileSync(raw ?? file, max);
  if ('problem' in r) return { file, records: [], problems: [{ file, ...r.problem }] };
  return parseBytes(r.bytes, file);
}

/** Whether the bytes are valid UTF-8 (as a file name). */
function validUtf8(b: Buffer): boolean {
  return Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** A printable, unique form of a file name that is not valid UTF-8: other bytes as `\xNN`. */
export function printableName(b: Buffer): string {
  if (validUtf8(b)) return b.toString('utf8');
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return s;
}

export interface ExpandedPaths {
  /** The files to read, by the name they are known by (the path as reached, printable), sorted. */
  files: string[];
  /** Paths given that do not exist. */
  missing: string[];
  /** What the walk could not read or did not take (one problem each; unknown files one per folder). */
  problems: Problem[];
  /** The path bytes of files whose name is not valid UTF-8 (by their printable name). */
  raw: Map<string, Buffer>;
}

const SEP = Buffer.from(path.sep);
const realKey = (b: Buffer) => b.toString('latin1');

/**
 * Expands files and folders into the files to read: folders recursively (corpus extensions only;
 * names starting with `.` and `node_modules` are not entered), paths given as files whatever
 * their extension. Symbolic links are followed to their real paths, and each real file and
 * folder is taken once (the same folder given twice, or reached through a link, is read once;
 * a loop of links ends); a file is known by the path it was first reached by, ordinary folders
 * before linked ones. A folder that cannot be read, a dangling link, something that is not a
 * regular file, and a name that is not valid UTF-8 are each one problem; the rest is taken.
 * Never throws.
 */
export function expandPaths(paths: readonly string[]): ExpandedPaths {
  const files = new Map<string, Buffer>();
  const missing: string[] = [];
  const problems: Problem[] = [];
  const raw = new Map<string, Buffer>();
  const seen = new Set<string>();
  const problem = (file: string, p: Omit<Problem, 'file'>) => problems.push({ file, ...p });
  const realOf = (b: Buffer): Buffer | undefined => {
    try {
      return fs.realpathSync(b, { encoding: 'buffer' });
    } catch {
      return undefined;
    }
  };
  const addFile = (abs: Buffer, name: string, real: Buffer) => {
    const k = realKey(real);
    if (seen.has(k)) return;
    seen.add(k);
    files.set(name, abs);
  };
  type Folder = { abs: Buffer; name: string; real: Buffer };
  const walkFolders = (start: Folder) => {
    const folders: Folder[] = [start];
    const linked: Folder[] = [];
    while (folders.length || linked.length) {
      const f = folders.pop() ?? linked.shift()!;
      const k = realKey(f.real);
      if (seen.has(k)) continue;
      seen.add(k);
      let list: fs.Dirent<Buffer>[];
      try {
        list = fs.readdirSync(f.abs, { withFileTypes: true, encoding: 'buffer' });
      } catch (e) {
        problem(f.name, ioErrorProblem(e, 'folder'));
        continue;
      }
      list.sort((a, b) => Buffer.compare(a.name, b.name));
      const unknown: string[] = [];
      const sub: Folder[] = [];
      for (const d of list) {
        if (d.name[0] === 0x2e /* . */ || d.name.toString('latin1') === 'node_modules') continue;
        const abs = Buffer.concat([f.abs, SEP, d.name]);
        const printable = printableName(d.name);
        const name = f.name + path.sep + printable;
        let st: fs.Stats | fs.Dirent<Buffer> = d;
        let real: Buffer | undefined;
        const link = d.isSymbolicLink();
        if (link) {
          try {
            st = fs.statSync(abs);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            problem(name, { line: 1, severity: 'warning', ...(code === 'ELOOP' ? problemText('A loop of symbolic links; skipped it.') : problemText('A symbolic link to nothing ({0}); skipped it.', code ?? 'error')) });
            continue;
          }
          real = realOf(abs);
          if (!real) {
            problem(name, { line: 1, severity: 'warning', ...problemText('A symbolic link that cannot be resolved; skipped it.') });
            continue;
          }
        } else real = Buffer.concat([f.real, SEP, d.name]);
        if (st.isDirectory()) {
          (link ? linked : sub).push({ abs, name, real });
          continue;
        }
        if (!st.isFile()) {
          problem(name, notRegularProblem(st));
          continue;
        }
        if (!hasCorpusExtension(printable)) {
          unknown.push(printable);
          continue;
        }
        if (!validUtf8(d.name)) {
          raw.set(name, abs);
          problem(name, { line: 1, severity: 'info', ...problemText('The file name is not valid UTF-8; read it, and name it here with its other bytes as \\xNN.') });
        }
        addFile(abs, name, real);
      }
      // Depth first in name order: the stack takes the last pushed first.
      for (let i = sub.length - 1; i >= 0; i--) folders.push(sub[i]);
      const u = unknownFilesProblem(f.name, unknown);
      if (u) problems.push(u);
    }
  };
  for (const p of paths) {
    const abs = Buffer.from(p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      let isLink = false;
      try {
        isLink = fs.lstatSync(abs).isSymbolicLink();
      } catch {
        // not there at all
      }
      if (isLink) problem(p, { line: 1, severity: 'error', ...problemText('A symbolic link to nothing ({0}); skipped it.', (e as NodeJS.ErrnoException).code ?? 'error') });
      else if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') missing.push(p);
      else problem(p, ioErrorProblem(e, 'path'));
      continue;
    }
    const real = realOf(abs) ?? Buffer.from(path.resolve(p));
    if (st.isDirectory()) walkFolders({ abs, name: p.replace(/[\\/]+$/, '') || p, real });
    else if (st.isFile()) addFile(abs, p, real);
    else problem(p, notRegularProblem(st));
  }
  const names = [...files.keys()].sort();
  return { files: names, missing, problems, raw };
}

/** Indexes files and folders into a corpus. */
export function indexPaths(paths: readonly string[], opts: LoadOptions = {}): Corpus & { missing: string[] } {
  const { files, missing, problems, raw } = expandPaths(paths);
  const parsed = files.map((f) => parseFile(f, opts, raw.get(f)));
  return { ...buildCorpus(parsed, problems), missing };
}
