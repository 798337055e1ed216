/**
 * Where a work is defined and where it is used: the record's line in its corpus file, the lines
 * of corpus files that name a work (records and reference entries), and how often manuscripts
 * cite each work. Plain data in and out; 1-based lines as in `SourceRef`.
 */
import type { ResolvedCitation } from './manuscript';
import type { Work } from './model';

export interface FileLine {
  file: string;
  /** 1-based. */
  line: number;
}

/** A definition target; for a work known only from citations, the citing sentence there. */
export interface DefinitionTarget extends FileLine {
  /** The citing sentence (whitespace normalised) and the citation in it, as the context has them. */
  sentence?: string;
  citation?: string;
}

const DEFINING = ['record', 'related', 'reference'] as const;

/**
 * Where "go to definition" leads for a work: its record (or the related-paper or reference-list
 * entry that names it); for a work known only from citations, the sentence that first cites it.
 * When the same record is in several files (a duplicate merged), `rank` says which file wins
 * (lowest first; ties keep corpus order): the editor ranks the workspace's own files before a
 * front-matter bibliography and the bundled sample, so the answer never depends on which file
 * happened to be indexed first. Given the citekey a manuscript cites the work by (`key`), the
 * record that has that key wins: a work merged from records with different keys leads from
 * `[@b]` to the entry of `b`.
 */
export function definitionTarget(work: Work, rank: (file: string) => number = () => 0, key?: string): DefinitionTarget | undefined {
  const x = work['x-corpus'];
  if (key !== undefined) {
    const s = best(x.sources.filter((src) => src.key === key), rank);
    if (s) return { file: s.file, line: s.line };
  }
  for (const relation of DEFINING) {
    const s = best(x.sources.filter((src) => src.relation === relation), rank);
    if (s) return { file: s.file, line: s.line };
  }
  const c = best(x.contexts, rank);
  if (c) return { file: c.file, line: c.line, sentence: c.sentence, citation: c.text };
  const s = best(x.sources, rank);
  return s ? { file: s.file, line: s.line } : undefined;
}

function best<T extends FileLine>(list: readonly T[], rank: (file: string) => number): T | undefined {
  let out: T | undefined;
  let outRank = Infinity;
  for (const item of list) {
    const r = rank(item.file);
    if (r < outRank) {
      out = item;
      outRank = r;
    }
  }
  return out;
}

/** A line of a corpus file that names a work: its record, a related-paper or reference entry. */
export interface WorkEntry {
  workId: string;
  label: string;
  /** 1-based. */
  line: number;
  relation: (typeof DEFINING)[number];
}

/** Per corpus file, the lines that name works (one entry per work and line), by line. */
export function workEntriesByFile(works: readonly Work[]): Map<string, WorkEntry[]> {
  const out = new Map<string, WorkEntry[]>();
  for (const w of works) {
    const seen = new Set<string>();
    for (const s of w['x-corpus'].sources) {
      if (s.relation === 'citation') continue;
      const key = `${s.file}\u0000${s.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry: WorkEntry = { workId: w.id, label: w['citation-label'], line: s.line, relation: s.relation };
      const list = out.get(s.file);
      if (list) list.push(entry);
      else out.set(s.file, [entry]);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.line - b.line || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return out;
}

/** How many citations name each work (a citation of two works counts for both). */
export function countCitations(citations: Iterable<Pick<ResolvedCitation, 'works'>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of citations) for (const id of c.works) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Lines searched on each side of a context's line for its sentence (a sentence may wrap). */
const SENTENCE_WINDOW = 8;
/** Words of a sentence matched at most (a longer sentence is found by its first words and its last). */
const MAX_WORDS = 400;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text `normalized` (whitespace collapsed) as a pattern that allows any whitespace, line breaks too. */
function loosePattern(normalized: string): RegExp | undefined {
  const words = normalized.trim().split(/\s+/).filter((w) => w !== '');
  if (!words.length || words.length > MAX_WORDS) return undefined;
  return new RegExp(words.map(escapeRe).join('\\s+'), 'g');
}

/**
 * Where a citing sentence stands in a file's text, near its 1-based `line`: 0-based start and
 * end (line, character), so go to definition can select it. Found by its words with any
 * whitespace between them; else the citation itself on that line; undefined when neither is
 * there (the file changed since it was indexed).
 */
export function sentenceRange(text: string, line: number, sentence: string | undefined, citation: string | undefined): { start: { line: number; character: number }; end: { line: number; character: number } } | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const first = Math.max(0, line - 1 - SENTENCE_WINDOW);
  const last = Math.min(lines.length - 1, line - 1 + SENTENCE_WINDOW);
  if (first > last) return undefined;
  const window = lines.slice(first, last + 1).join('\n');
  const starts: number[] = [0];
  for (let i = first; i < last; i++) starts.push(starts[starts.length - 1] + lines[i].length + 1);
  const pos = (off: number) => {
    let l = starts.length - 1;
    while (l > 0 && starts[l] > off) l--;
    return { line: first + l, character: off - starts[l] };
  };
  // The match nearest the context's line, for a sentence said twice.
  const target = starts[Math.min(starts.length - 1, line - 1 - first)];
  for (const needle of [sentence, citation]) {
    const re = needle ? loosePattern(needle) : undefined;
    if (!re) continue;
    let bestMatch: { at: number; end: number } | undefined;
    for (const m of window.matchAll(re)) {
      const end = m.index + m[0].length;
      const d = end < target ? target - end : m.index > target + (lines[line - 1]?.length ?? 0) ? m.index - target : 0;
      const bd = bestMatch ? (bestMatch.end < target ? target - bestMatch.end : bestMatch.at > target ? bestMatch.at - target : 0) : Infinity;
      if (d < bd) bestMatch = { at: m.index, end };
      if (d === 0) break;
    }
    if (bestMatch) return { start: pos(bestMatch.at), end: pos(bestMatch.end) };
  }
  return undefined;
}
