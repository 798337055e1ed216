/**
 * One big .bib file parsed in slices (on several threads, see parsePool.ts) with exactly the
 * result of one parse of the whole: the text is cut at lines that open an entry, each slice is
 * read with the file's line numbers (`parseBibtexSlice`), and the slices are joined in file order.
 *
 * What depends on the whole file, and how it is kept:
 * - `@string` macros hold from their definition on: every definition lies in the head (the text up
 *   to the first entry line after the last `@string` of the file), which is read first; the other
 *   slices start with the macros in force at its end.
 * - "Duplicate key" warnings: the slices list their keys (with where the warning would go among
 *   their problems) and the join makes the warnings over the whole file.
 * - crossref/xdata inheritance is resolved over the whole file: such a file is not cut.
 * - the per-file limit of @string expansion: when a slice met a limit, or all slices together
 *   expanded more than the file may, the join gives up (the caller parses the whole).
 * - a slice whose last entry ran into its end (or that has an `@` after its last entry) could
 *   have been read on into the next slice by the whole-file scan: the join gives up.
 */
import { type BibSlice, MAX_EXPANDED_TOTAL, nextEntryLine } from '../parsers/bibtex';
import type { ParsedFile, Problem } from '../model/model';
import { problemText } from '../model/problemText';

export interface SliceJob {
  text: string;
  /** The file's line at which the slice starts. */
  firstLine: number;
}

export interface SlicePlan {
  /** The text up to the first entry after the last @string (read first, for its macros), if any @string. */
  head?: SliceJob;
  slices: SliceJob[];
}

/** Any `@string` the scanner could read as one (a superset: also inside values and comments). */
const STRING_AT = /@\s*string\s*[{(]/gi;

/**
 * Cuts a clean .bib text into about `pieces` slices of at least `minChars` each; undefined when
 * it is not to be cut (crossref/xdata, too small, or its @strings reach past the middle).
 */
export function planSlices(text: string, pieces: number, minChars = 1 << 20): SlicePlan | undefined {
  if (pieces < 2 || text.length < 2 * minChars) return undefined;
  if (/crossref|xdata/i.test(text)) return undefined;
  let lastString = -1;
  STRING_AT.lastIndex = 0;
  for (let m = STRING_AT.exec(text); m !== null; m = STRING_AT.exec(text)) lastString = m.index;
  let start = 0;
  let line = 1;
  const lineOf = (from: number, to: number) => {
    let n = 0;
    for (let p = text.indexOf('\n', from); p !== -1 && p < to; p = text.indexOf('\n', p + 1)) n++;
    return n;
  };
  let head: SliceJob | undefined;
  if (lastString >= 0) {
    const end = nextEntryLine(text, text.indexOf('\n', lastString) + 1 || text.length);
    if (end === -1 || end > text.length / 2) return undefined;
    head = { text: text.slice(0, end), firstLine: 1 };
    line += lineOf(0, end);
    start = end;
  }
  const rest = text.length - start;
  const count = Math.max(1, Math.min(pieces, Math.floor(rest / minChars)));
  const slices: SliceJob[] = [];
  for (let i = 1; i <= count; i++) {
    let end = i === count ? -1 : nextEntryLine(text, text.indexOf('\n', start + Math.floor(rest / count)) + 1 || text.length);
    if (end !== -1 && end <= start) end = -1;
    const stop = end === -1 ? text.length : end;
    slices.push({ text: text.slice(start, stop), firstLine: line });
    line += lineOf(start, stop);
    start = stop;
    if (end === -1) break;
  }
  if (!head && slices.length < 2) return undefined;
  return { head, slices };
}

/**
 * The slices' parses (the head's first, then the slices in file order) joined as one parse of
 * the whole file; undefined when they cannot be (see the file's comment): parse the whole then.
 */
export function joinSlices(file: string, parts: readonly BibSlice[]): ParsedFile | undefined {
  let expanded = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.expansionWarned || (i < parts.length - 1 && !p.tailClean)) return undefined;
    expanded += p.expanded;
  }
  if (expanded > MAX_EXPANDED_TOTAL) return undefined;
  const firstLine = new Map<string, number>();
  const records: ParsedFile['records'] = [];
  const problems: Problem[] = [];
  for (const p of parts) {
    for (const r of p.file.records) records.push(r);
    const own = p.file.problems;
    let taken = 0;
    for (let k = 0; k < p.keys.length; k++) {
      const key = p.keys[k];
      const prev = firstLine.get(key);
      if (prev === undefined) {
        firstLine.set(key, p.keyLines[k]);
        continue;
      }
      for (const at = p.keyProblemAt[k]; taken < at; taken++) problems.push(own[taken]);
      problems.push({ file, line: p.keyLines[k], severity: 'warning', ...problemText("Duplicate key '{0}' (also at line {1}); kept both", key, prev) });
    }
    for (; taken < own.length; taken++) problems.push(own[taken]);
  }
  return { file, format: 'bibtex', records, problems };
}
