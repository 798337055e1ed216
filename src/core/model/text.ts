/** Small text helpers shared by the page parsers. */

export interface Line {
  /** 1-based line number. */
  n: number;
  /** The line with surrounding whitespace removed. */
  text: string;
}

/** Splits text (newlines already normalised) into numbered, trimmed lines. */
export function toLines(text: string): Line[] {
  const out: Line[] = [];
  let n = 1;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const raw = nl === -1 ? text.slice(start) : text.slice(start, nl);
    out.push({ n, text: raw.trim() });
    if (nl === -1) break;
    start = nl + 1;
    n++;
  }
  return out;
}

/** Collapses runs of whitespace to one space and trims. */
export function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Joins wrapped lines of running text into one paragraph. */
export function joinWrapped(lines: readonly string[]): string {
  let out = '';
  for (const l of lines) {
    const t = l.trim();
    if (!t) continue;
    if (!out) out = t;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(t)) out += t; // "evidence-" + "based"
    else out += ' ' + t;
  }
  return out;
}

/** `87 - 90` → `87-90`; `XVI - XVI` → `XVI`; `157 / 169` → `157-169`. */
export function normalisePages(s: string): string | undefined {
  const t = squash(s).replace(/^[:\s]+|[:\s]+$/g, '');
  if (!t) return undefined;
  const m = /^([\w.]+)\s*(?:[-–—/]|to)\s*([\w.]+)$/.exec(t);
  if (m) return m[1] === m[2] ? m[1] : `${m[1]}-${m[2]}`;
  return t;
}

const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'from', 'in', 'into', 'nor', 'of', 'on', 'or', 'the', 'to', 'with', 'via', 'vs', 'en', 'de', 'et', 'la', 'le', 'du', 'des', 'und', 'für']);
const ONSETS = /^(?:[aeiouy]|[bcdfghjklmnpqrstvwxz][aeiouy]|bl|br|ch|cl|cr|dr|dw|fl|fr|gh|gl|gn|gr|kl|kn|kr|ph|pl|pn|pr|ps|qu|rh|sc|sh|sk|sl|sm|sn|sp|st|sw|th|tr|tw|wh|wr|sch|scr|shr|spl|spr|str|thr)/;

/** True for a word that reads as an acronym (BMC, JMIR, NHS) rather than a word. */
export function looksLikeAcronym(word: string): boolean {
  const w = word.toLowerCase();
  if (!/^[a-z]+$/.test(w)) return false;
  if (w.length <= 1) return false;
  if (!/[aeiouy]/.test(w)) return true;
  return !ONSETS.test(w);
}

/**
 * Title-cases a name written in capitals (`JOURNAL OF MENTAL HEALTH` → `Journal of Mental
 * Health`), keeping acronyms (`BMC`, `JMIR`). Mixed-case input is returned as it is.
 */
export function titleCaseIfShouting(s: string): string {
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (!letters || letters !== letters.toUpperCase() || letters.length < 4) return s;
  let first = true;
  return s.replace(/[\p{L}'’]+/gu, (word) => {
    const lower = word.toLowerCase();
    const isFirst = first;
    first = false;
    if (!isFirst && SMALL_WORDS.has(lower)) return lower;
    if (looksLikeAcronym(word)) return word.toUpperCase();
    return lower.charAt(0).toUpperCase() + lower.slice(1);
  });
}

/** Splits a run-together capitalised word (`MENTALHEALTH`) into words the document itself uses. */
export function segmentWord(word: string, vocabulary: ReadonlySet<string>): string {
  const w = word.toLowerCase();
  if (vocabulary.has(w) || w.length < 6) return word;
  // Dynamic programming over split points; prefer fewest pieces, each at least 2 letters.
  const best: (string[] | undefined)[] = new Array(w.length + 1);
  best[0] = [];
  for (let i = 2; i <= w.length; i++) {
    for (let j = Math.max(0, i - 20); j <= i - 2; j++) {
      const prev = best[j];
      if (!prev) continue;
      const piece = w.slice(j, i);
      if (!vocabulary.has(piece)) continue;
      if (!best[i] || best[i]!.length > prev.length + 1) best[i] = [...prev, piece];
    }
  }
  const parts = best[w.length];
  if (!parts || parts.length < 2) return word;
  let at = 0;
  return parts
    .map((p) => {
      const original = word.slice(at, at + p.length);
      at += p.length;
      return original;
    })
    .join(' ');
}

/** Lower-case words of a text, for `segmentWord`. */
export function vocabularyOf(text: string): Set<string> {
  const v = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/\p{L}{2,}/gu)) v.add(m[0]);
  return v;
}

/** True when the string contains CJK ideographs. */
export function hasCjk(s: string): boolean {
  return /[\u3400-\u9fff\uf900-\ufaff]/.test(s);
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** Parses `15 May 2019`, `April 2021`, `2022-05-04`, `2019/05/15`, `2019` into date parts. */
export function parseDateParts(s: string): number[] | undefined {
  const t = squash(s);
  let m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?/.exec(t);
  if (m) return [Number(m[1]), ...(m[2] ? [Number(m[2])] : []), ...(m[3] ? [Number(m[3])] : [])].filter((x, i) => i === 0 || x > 0);
  m = /^(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})$/.exec(t);
  if (m && MONTHS[m[2].slice(0, 3).toLowerCase()]) return [Number(m[3]), MONTHS[m[2].slice(0, 3).toLowerCase()], Number(m[1])];
  m = /^([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(t);
  if (m && MONTHS[m[1].slice(0, 3).toLowerCase()]) return [Number(m[3]), MONTHS[m[1].slice(0, 3).toLowerCase()], Number(m[2])];
  m = /^([A-Za-z]{3,})\.?,?\s+(\d{4})$/.exec(t);
  if (m && MONTHS[m[1].slice(0, 3).toLowerCase()]) return [Number(m[2]), MONTHS[m[1].slice(0, 3).toLowerCase()]];
  return undefined;
}

/** A DOI from a string like `https://doi.org/10.1/x`, `DOI 10.1/x`, `doi:10.1/x`. */
export function extractDoi(s: string): string | undefined {
  const m = /\b(10\.\d{4,9}\/[^\s"'<>]+)/.exec(s);
  if (!m) return undefined;
  return m[1].replace(/[.,;)\]]+$/, '');
}

/**
 * The publication year carried by a DOI of the form `10.NNNN/<ISSN>.<year>.<number>` (Taylor &
 * Francis and others), or undefined when the DOI does not carry one unambiguously.
 */
export function yearFromDoi(doi: string): number | undefined {
  const m = /^10\.\d{4,9}\/\d{7}[\dXx]\.((?:19|20)\d\d)\.\d+$/.exec(doi);
  return m ? Number(m[1]) : undefined;
}

/** Offsets where each line starts (0 first), for mapping offsets to lines. */
export function lineStartOffsets(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Index of the last element of an ascending array that is ≤ `x` (0 when none is). */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
