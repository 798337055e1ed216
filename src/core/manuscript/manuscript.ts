/**
 * Citations in a Markdown manuscript: Pandoc `[@id]`, `@id`, `[-@id]`, `@{id}` exactly where
 * Pandoc's Markdown reader finds them (see `pandocMarkdown.ts`: its key grammar and what it never
 * reads as a citation: code, math, raw HTML and TeX, link targets, autolinks, e-mail addresses,
 * example-list labels), in the body and in YAML metadata (`nocite`, `title`, `abstract`, every
 * string field), and author–date text such as `(Voronka, 2019)` or `Slade et al. (2017)` in the
 * body's prose. The one scanner behind diagnostics, hover, definition, references, counts, the
 * bibliography, the export and `corpus-cite check`.
 *
 * What a metadata citation is for: a citation in `title`, `abstract` or another field is a use
 * like one in the body (Pandoc renders it). A `nocite` key names a work for the bibliography (it
 * is flagged when unknown, hovered, followed, listed by references, and it puts the work in the
 * bibliography and the export, and off the "never cited" list) but it is not a use in the text,
 * so "cited N×" counts leave it out. `nocite: @*` puts every record in the bibliography and the
 * export; it is never unknown and names no work, so the never-cited list is unchanged by it.
 */
import { BIB_END, BIB_START } from '../format/bibliographyBlock';
import { extractCitations } from '../build/citations';
import type { WorkLookup } from '../search/lookup';
import type { Work } from '../model/model';
import { scanPandocMarkdown } from './pandocMarkdown';
import { lastAtOrBefore, lineStartOffsets } from '../model/text';
import { headOf } from '../model/workStore';

export interface ManuscriptCitation {
  kind: 'pandoc' | 'authorDate';
  /** The Pandoc id, or the citation as written. */
  key: string;
  text: string;
  /** 0-based line and character range in the document. */
  line: number;
  start: number;
  end: number;
  /** Pandoc: inside `[…]` (a normal citation) rather than narrative `@id`. */
  bracketed?: boolean;
  /** Pandoc: `[-@id]`, the author suppressed. */
  suppressAuthor?: boolean;
  /** Pandoc: the top-level YAML metadata field it stands in (`nocite`, `title`, `abstract`…). */
  meta?: string;
  /** Pandoc: in `nocite`, naming a work for the bibliography without a use in the text. */
  nocite?: boolean;
  /** Pandoc: `nocite: @*`, every work. */
  wildcard?: boolean;
  /** Author–date parts, when kind is authorDate. */
  authors?: string[];
  year?: number;
  yearSuffix?: string;
}

/** Blanks the generated bibliography between its markers: its entries are not citations. */
function bibliographyRange(text: string): [number, number] | undefined {
  const s = text.indexOf(BIB_START);
  const e = s === -1 ? -1 : text.indexOf(BIB_END, s);
  return s !== -1 && e !== -1 ? [s, e + BIB_END.length] : undefined;
}

/**
 * Replaces everything that cannot hold a citation with spaces (same length, same lines): what
 * Pandoc does not read as prose, the generated bibliography, and, for author–date text, bare URLs
 * and e-mail addresses.
 */
export function maskNonProse(text: string): string {
  return maskFrom(text.replace(/\r\n?/g, '\n'), scanPandocMarkdown(text.replace(/\r\n?/g, '\n')).prose);
}

function maskFrom(text: string, prose: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  let t = prose;
  t = t.replace(/\bhttps?:\/\/[^\s)>\]]+/g, blank);
  t = t.replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, blank);
  const bib = bibliographyRange(text);
  if (bib) t = t.slice(0, bib[0]) + blank(t.slice(bib[0], bib[1])) + t.slice(bib[1]);
  return t;
}

/** Finds every citation in a Markdown document. */
export function findManuscriptCitations(text: string): ManuscriptCitation[] {
  const src = text.replace(/\r\n?/g, '\n');
  const scan = scanPandocMarkdown(src);
  const masked = maskFrom(src, scan.prose);
  const lineStarts = lineStartOffsets(masked);
  const pos = (offset: number) => {
    const line = lastAtOrBefore(lineStarts, offset);
    return { line, ch: offset - lineStarts[line] };
  };
  const bib = bibliographyRange(src);
  const out: ManuscriptCitation[] = [];
  for (const c of scan.citations) {
    if (bib) {
      const off = lineStarts[c.line] + c.start;
      if (off >= bib[0] && off < bib[1]) continue;
    }
    const nocite = c.meta === 'nocite';
    out.push({
      kind: 'pandoc',
      key: c.key,
      text: src.slice(lineStarts[c.line] + c.start, lineStarts[c.line] + c.end),
      line: c.line,
      start: c.start,
      end: c.end,
      bracketed: c.bracketed,
      ...(c.suppressAuthor ? { suppressAuthor: true } : {}),
      ...(c.meta !== undefined ? { meta: c.meta } : {}),
      ...(nocite ? { nocite: true } : {}),
      ...(nocite && c.key === '*' ? { wildcard: true } : {}),
    });
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
  if (c.wildcard) return [];
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

/** Whether a citation is one the corpus should know: all but the `nocite` wildcard `@*`. */
export function namesWork(c: ManuscriptCitation): boolean {
  return !c.wildcard;
}

/**
 * The works of a manuscript's bibliography, each once, in the order of their first citation
 * (`nocite` keys included); with `nocite: @*`, every record follows, as Pandoc puts every entry.
 */
export function citedWorks(text: string, lookup: WorkLookup): Work[] {
  const out = new Map<string, Work>();
  let all = false;
  for (const c of findManuscriptCitations(text)) {
    if (c.wildcard) all = true;
    for (const w of resolveManuscriptCitation(c, lookup)) if (!out.has(w.id)) out.set(w.id, w);
  }
  if (all) for (const w of lookup.works) if (headOf(w).role !== 'cited' && !out.has(w.id)) out.set(w.id, w);
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
    unknown: citations.filter((c) => c.works.length === 0 && namesWork(c)),
    uncited: lookup.works.filter((w) => headOf(w).role !== 'cited' && !cited.has(w.id)),
  };
}
