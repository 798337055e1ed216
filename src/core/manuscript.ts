/**
 * Citations in a Markdown manuscript: Pandoc `[@id]`, `@id`, `[-@id]`, and author–date text
 * such as `(Voronka, 2019)` or `Slade et al. (2017)`. Code spans, fenced and indented code,
 * link targets, autolinks and e-mail addresses never hold citations.
 */
import { BIB_END, BIB_START } from './bibliographyBlock';
import { extractCitations } from './citations';
import type { WorkLookup } from './lookup';
import type { Work } from './model';
import { lastAtOrBefore, lineStartOffsets } from './text';
import { headOf } from './workStore';

export interface ManuscriptCitation {
  kind: 'pandoc' | 'authorDate';
  /** The Pandoc id, or the citation as written. */
  key: string;
  text: string;
  /** 0-based line and character range in the document. */
  line: number;
  start: number;
  end: number;
  /** Author–date parts, when kind is authorDate. */
  authors?: string[];
  year?: number;
  yearSuffix?: string;
}

/** Replaces everything that cannot hold a citation with spaces (same length, same lines). */
export function maskNonProse(text: string): string {
  let t = text;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  // YAML front matter
  t = t.replace(/^---\n[\s\S]*?\n(?:---|\.\.\.)\s*(?=\n|$)/, blank);
  // Fenced code blocks
  t = t.replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:\n\1\2[`~]*[ \t]*(?=\n|$)|$)/gm, blank);
  // Indented code blocks (after a blank line)
  t = t.replace(/(^|\n\n)((?: {4}|\t)[^\n]*(?:\n(?: {4}|\t)[^\n]*)*)/g, (_m, pre: string, code: string) => pre + blank(code));
  // Inline code spans
  t = t.replace(/(`+)[^`\n]*?\1/g, blank);
  // Autolinks, link targets, bare URLs, e-mail addresses, HTML comments
  t = t.replace(/<[a-z][a-z0-9+.-]*:[^>\s]*>/gi, blank);
  t = t.replace(/\]\([^)\n]*\)/g, (m) => '](' + blank(m.slice(2, -1)) + ')');
  t = t.replace(/\bhttps?:\/\/[^\s)>\]]+/g, blank);
  t = t.replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, blank);
  // The generated bibliography between its markers: its entries are not citations.
  const s = t.indexOf(BIB_START);
  const e = s === -1 ? -1 : t.indexOf(BIB_END, s);
  if (s !== -1 && e !== -1) t = t.slice(0, s) + blank(t.slice(s, e + BIB_END.length)) + t.slice(e + BIB_END.length);
  t = t.replace(/<!--[\s\S]*?-->/g, blank);
  return t;
}

const PANDOC = /(^|[\s[;(-])(-?)@([\p{L}\p{N}_][\p{L}\p{N}_:.#$%&+?<>~/-]*|\{[^}\n]+\})/gu;

/** Finds every citation in a Markdown document. */
export function findManuscriptCitations(text: string): ManuscriptCitation[] {
  const masked = maskNonProse(text.replace(/\r\n?/g, '\n'));
  const lineStarts = lineStartOffsets(masked);
  const pos = (offset: number) => {
    const line = lastAtOrBefore(lineStarts, offset);
    return { line, ch: offset - lineStarts[line] };
  };
  const out: ManuscriptCitation[] = [];
  for (const m of masked.matchAll(PANDOC)) {
    let key = m[3];
    if (key.startsWith('{')) key = key.slice(1, -1);
    else key = key.replace(/[.:;,?!>~/#$%&+<-]+$/, ''); // trailing punctuation belongs to the sentence
    if (!key) continue;
    const start = m.index! + m[1].length;
    const p = pos(start);
    const len = m[2].length + 1 + (m[3].startsWith('{') ? m[3].length : key.length);
    out.push({ kind: 'pandoc', key, text: masked.slice(start, start + len), line: p.line, start: p.ch, end: p.ch + len });
  }
  for (const c of extractCitations({ text: masked, line: 1 })) {
    // The range covers this part of the citation (`Voronka, 2019` inside a parenthesis, or the
    // whole narrative `Slade et al. (2017)`), clamped to its first line when it breaks across lines.
    let from = c.offset;
    while (from < masked.length && /\s/.test(masked[from])) from++;
    const stop = masked.slice(from, from + 500).search(c.narrative ? /\)/ : /[;)]/);
    let to = stop === -1 ? from + c.authors[0].length : from + stop + (c.narrative ? 1 : 0);
    const fp = pos(from);
    const lineEnd = masked.indexOf('\n', from);
    if (lineEnd !== -1 && to > lineEnd) to = lineEnd;
    out.push({
      kind: 'authorDate',
      key: `${c.authors[0]} ${c.year ?? 'n.d.'}${c.yearSuffix ?? ''}`,
      text: c.text,
      line: fp.line,
      start: fp.ch,
      end: fp.ch + Math.max(1, to - from),
      authors: c.authors,
      year: c.year,
      yearSuffix: c.yearSuffix,
    });
  }
  return out.sort((a, b) => a.line - b.line || a.start - b.start);
}

/** The works a citation refers to (empty when the corpus does not know it). */
export function resolveManuscriptCitation(c: ManuscriptCitation, lookup: WorkLookup): Work[] {
  if (c.kind === 'pandoc') {
    const w = lookup.id(c.key);
    return w ? [w] : [];
  }
  return lookup.authorYear(c.authors![0], c.year, c.yearSuffix);
}

/** A citation of a manuscript with the ids of the works it refers to (none: unknown). */
export type ResolvedCitation = ManuscriptCitation & { works: string[] };

/** Every citation of a manuscript, resolved against the corpus. */
export function resolveManuscript(text: string, lookup: WorkLookup): ResolvedCitation[] {
  return findManuscriptCitations(text).map((c) => ({ ...c, works: resolveManuscriptCitation(c, lookup).map((w) => w.id) }));
}

/** The works a manuscript cites, each once, in the order of their first citation. */
export function citedWorks(text: string, lookup: WorkLookup): Work[] {
  const out = new Map<string, Work>();
  for (const c of findManuscriptCitations(text)) for (const w of resolveManuscriptCitation(c, lookup)) if (!out.has(w.id)) out.set(w.id, w);
  return [...out.values()];
}

export interface CheckReport {
  citations: ResolvedCitation[];
  unknown: ManuscriptCitation[];
  /** Records in the corpus the manuscript never cites. */
  uncited: Work[];
}

/** Checks a manuscript against the corpus: unknown citations and records never cited. */
export function checkManuscript(text: string, lookup: WorkLookup): CheckReport {
  const citations = resolveManuscript(text, lookup);
  const cited = new Set(citations.flatMap((c) => c.works));
  return {
    citations,
    unknown: citations.filter((c) => c.works.length === 0),
    uncited: lookup.works.filter((w) => headOf(w).role !== 'cited' && !cited.has(w.id)),
  };
}
