/**
 * What the Markdown preview needs to render a manuscript's citations as Pandoc `--citeproc`
 * renders them: the front-matter keys Pandoc reads for citations, and the citation clusters
 * (`[see @a, p. 33; @b]`, `@a [p. 4]`, `[-@a]`, narrative `@a`, author–date text) built on the
 * one manuscript scanner (`findManuscriptCitations`), so the preview and the Problems panel
 * never disagree about what a citation is.
 */
import { findManuscriptCitations, type ManuscriptCitation } from '../manuscript/manuscript';
import { requireBundled } from '../io/lazyBundle';
import { lastAtOrBefore, lineStartOffsets } from '../model/text';

type Yaml = typeof import('./yamlImpl');
let yaml: Yaml | undefined;

/** The front-matter fields Pandoc's citeproc reads, as Pandoc reads them. */
export interface CitationMeta {
  csl?: string;
  /** `nocite` keys; `*` means every work of the bibliography. */
  nocite: string[];
  lang?: string;
  referenceSectionTitle?: string;
  suppressBibliography: boolean;
  /** Pandoc's default is false; the preview links unless the front matter says `false`. */
  linkCitations?: boolean;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/** Pandoc's YAML booleans (YAML 1.1 words as well as true/false). */
function yamlBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^(?:true|yes|on)$/i.test(v.trim())) return true;
    if (/^(?:false|no|off)$/i.test(v.trim())) return false;
  }
  return undefined;
}

/** Keys cited in a metadata string such as nocite's `@a, @b` or `@*`. */
function keysIn(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/(?:^|[^\p{L}\p{N}])@(\*|\{[^}]*\}|[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&\-+?<>~/](?=[\p{L}\p{N}_]))*)/gu)) {
    out.push(m[1].startsWith('{') ? m[1].slice(1, -1) : m[1]);
  }
  return out;
}

/** Reads the citation fields of a manuscript's YAML front matter (js-yaml, loaded when first needed). */
export function readCitationMeta(text: string): CitationMeta {
  const meta: CitationMeta = { nocite: [], suppressBibliography: false };
  const m = FRONT_MATTER.exec(text.replace(/\r\n?/g, '\n').slice(0, 262144));
  if (!m) return meta;
  yaml ??= requireBundled<Yaml>(__dirname, 'yaml.js', 'yamlImpl', 'js-yaml');
  let doc: unknown;
  try {
    doc = yaml.load(m[1], { json: true });
  } catch {
    return meta; // Pandoc also ignores front matter that is not YAML (it warns)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return meta;
  const d = doc as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  meta.csl = str(d.csl) ?? str(d['citation-style']);
  meta.lang = str(d.lang);
  meta.referenceSectionTitle = str(d['reference-section-title']);
  meta.suppressBibliography = yamlBool(d['suppress-bibliography']) ?? false;
  meta.linkCitations = yamlBool(d['link-citations']);
  const nocite = d.nocite;
  const parts = Array.isArray(nocite) ? nocite : nocite === undefined ? [] : [nocite];
  for (const p of parts) if (typeof p === 'string') meta.nocite.push(...keysIn(p));
  return meta;
}

/** One work in a cluster, with Pandoc's prefix, locator and suffix. */
export interface ClusterPart {
  key: string;
  prefix?: string;
  locator?: string;
  /** CSL locator label (`page`, `chapter`, …). */
  label?: string;
  suffix?: string;
  suppressAuthor?: boolean;
  /** What follows the key in its part, as written (white space folded): re-read under another locale. */
  after?: string;
}

export interface CitationCluster {
  kind: 'bracket' | 'narrative' | 'authorDate';
  /** Offsets in the manuscript text (LF line ends): the citation as written. */
  start: number;
  end: number;
  /** 0-based line of `start`. */
  line: number;
  raw: string;
  parts: ClusterPart[];
  /** For authorDate: the scanner's citation (resolved against the corpus by the caller). */
  authorDate?: ManuscriptCitation;
}

/** Pandoc's English locator terms → CSL labels (singular and plural forms). */
const LOCATOR_TERMS: [RegExp, string][] = [
  [/^(?:book|bk\.|bks\.)/i, 'book'],
  [/^(?:chapter|chap\.|chaps\.|ch\.)/i, 'chapter'],
  [/^(?:column|col\.|cols\.)/i, 'column'],
  [/^(?:figure|fig\.|figs\.)/i, 'figure'],
  [/^(?:folio|fol\.|fols\.)/i, 'folio'],
  [/^(?:number|no\.|nos\.)/i, 'number'],
  [/^(?:line|l\.|ll\.)/i, 'line'],
  [/^(?:note|n\.|nn\.)/i, 'note'],
  [/^(?:opus|op\.|opp\.)/i, 'opus'],
  [/^(?:page|pages|p\.|pp\.)/i, 'page'],
  [/^(?:paragraph|para\.|paras\.|¶¶|¶)/i, 'paragraph'],
  [/^(?:part|pt\.|pts\.)/i, 'part'],
  [/^(?:section|sec\.|secs\.|§§|§)/i, 'section'],
  [/^(?:sub verbo|s\.v\.|s\.vv\.)/i, 'sub verbo'],
  [/^(?:verse|v\.|vv\.)/i, 'verse'],
  [/^(?:volume|vol\.|vols\.)/i, 'volume'],
];
const LOCATOR_VALUE = /^(?:[\dA-Za-z]*\d[\dA-Za-z]*|[ivxlcdm]+)(?:\s*[-–—,&]\s*(?:[\dA-Za-z]*\d[\dA-Za-z]*|[ivxlcdm]+))*/;

/**
 * Splits what follows a key (`, p. 33 and passim`) into locator, label and suffix, as Pandoc does.
 * Pandoc knows the locator terms of the document's locale only: under `zh-CN` (GB/T 7714's default)
 * `p. 33` is not a locator but suffix text, printed as written; `englishTerms: false` reads it so.
 */
export function parseLocator(after: string, englishTerms = true): { locator?: string; label?: string; suffix?: string } {
  let rest = after.replace(/^\s*,?\s*/, '');
  const comma = /^\s*,/.test(after);
  const braced = /^\{([^}]*)\}/.exec(rest);
  if (braced) {
    const suffix = rest.slice(braced[0].length).replace(/\s+$/, '');
    return { locator: braced[1], label: 'page', suffix: suffix || undefined };
  }
  let label: string | undefined;
  for (const [re, l] of englishTerms ? LOCATOR_TERMS : []) {
    const m = re.exec(rest);
    if (m && /^\s*(?:\d|[ivxlcdm]+\b|\{)/i.test(rest.slice(m[0].length))) {
      label = l;
      rest = rest.slice(m[0].length).replace(/^\s+/, '');
      break;
    }
  }
  const v = (label || comma) && LOCATOR_VALUE.exec(rest);
  if (v && v[0] && (label || /^\d/.test(v[0]))) {
    const suffix = rest.slice(v[0].length).replace(/\s+$/, '');
    return { locator: v[0].trim(), label: label ?? 'page', suffix: suffix || undefined };
  }
  const suffix = after.replace(/\s+$/, '');
  return { suffix: suffix.trim() ? suffix : undefined };
}

/** Text of a citation broken across lines of a block quote or list: the markers that continue the block are not part of it. */
const unquote = (s: string) => s.replace(/\n[ \t]*(?:>[ \t]?)*/g, ' ');

/** The innermost `[...]` around `from..to` within one paragraph, if it is a citation bracket and not a link. */
function enclosingBracket(text: string, from: number, to: number): { open: number; close: number } | undefined {
  let open = -1;
  for (let i = from - 1; i >= 0 && from - i < 4096; i--) {
    const c = text[i];
    if (c === ']') return undefined;
    if (c === '[') {
      open = i;
      break;
    }
    if (c === '\n' && /\n[ \t>]*$/.test(text.slice(Math.max(0, i - 64), i))) return undefined; // a blank line: another paragraph
  }
  if (open === -1) return undefined;
  let close = -1;
  for (let i = to; i < text.length && i - to < 4096; i++) {
    const c = text[i];
    if (c === '[') return undefined;
    if (c === ']') {
      close = i;
      break;
    }
    if (c === '\n' && /^\n[ \t>]*\n/.test(text.slice(i, i + 64))) return undefined;
  }
  if (close === -1) return undefined;
  if (text[close + 1] === '(' || (text[close + 1] === '[' && text[close + 2] !== '@')) return undefined; // a link or a reference link
  return { open, close };
}

/** The citation clusters of a manuscript, in document order. */
export function citationClusters(text: string, citations: readonly ManuscriptCitation[] = findManuscriptCitations(text)): CitationCluster[] {
  const src = text.replace(/\r\n?/g, '\n');
  const starts = lineStartOffsets(src);
  const off = (c: ManuscriptCitation) => ({ start: starts[c.line] + c.start, end: starts[c.line] + c.end });
  const lineOf = (o: number) => lastAtOrBefore(starts, o);
  const out: CitationCluster[] = [];
  // Citations in the front matter (nocite, title, abstract …) are not rendered in the body; the
  // preview hides the front matter, and nocite is read as metadata (readCitationMeta).
  const pandoc = citations.filter((c) => c.kind === 'pandoc' && !c.meta);
  const used = new Set<ManuscriptCitation>();
  for (const c of pandoc) {
    if (used.has(c)) continue;
    const o = off(c);
    const br = enclosingBracket(src, o.start, o.end);
    if (br) {
      const inside = pandoc.filter((x) => {
        const xo = off(x);
        return xo.start > br.open && xo.end <= br.close;
      });
      // Every ;-separated part of a citation bracket holds exactly one key, as Pandoc requires.
      const parts: ClusterPart[] = [];
      let segStart = br.open + 1;
      let ok = true;
      const segments: [number, number][] = [];
      for (let i = br.open + 1; i <= br.close; i++) {
        if (src[i] === ';' || i === br.close) {
          segments.push([segStart, i]);
          segStart = i + 1;
        }
      }
      for (const [a, b] of segments) {
        const keys = inside.filter((x) => off(x).start >= a && off(x).end <= b);
        if (keys.length !== 1) {
          ok = false;
          break;
        }
        const k = keys[0];
        const ko = off(k);
        const suppress = src[ko.start] === '-';
        const prefix = unquote(src.slice(a, ko.start)).replace(/\s+/g, ' ').trim();
        const after = unquote(src.slice(ko.end, b)).replace(/\s+/g, ' ');
        parts.push({ key: k.key, prefix: prefix || undefined, ...parseLocator(after), suppressAuthor: suppress || undefined, after: after || undefined });
      }
      if (ok && parts.length) {
        for (const x of inside) used.add(x);
        out.push({ kind: 'bracket', start: br.open, end: br.close + 1, line: lineOf(br.open), raw: src.slice(br.open, br.close + 1), parts });
        continue;
      }
    }
    used.add(c);
    // A narrative citation, with an optional locator in brackets right after it: `@a [p. 4]`.
    let end = o.end;
    let loc: ReturnType<typeof parseLocator> & { after?: string } = {};
    const after = /^[ \t]?\[([^\]@[\n]*)\]/.exec(src.slice(o.end, o.end + 512));
    if (after && src[o.end + after[0].length] !== '(') {
      loc = { ...parseLocator(after[1]), after: after[1] || undefined };
      end = o.end + after[0].length;
    }
    // Outside brackets a `-` before the key is only text: `-@a` is a narrative citation of a.
    const start = src[o.start] === '-' ? o.start + 1 : o.start;
    out.push({ kind: 'narrative', start, end, line: c.line, raw: src.slice(start, end), parts: [{ key: c.key, ...loc }] });
  }
  for (const c of citations) {
    if (c.kind !== 'authorDate') continue;
    const o = off(c);
    out.push({ kind: 'authorDate', start: o.start, end: o.end, line: c.line, raw: src.slice(o.start, o.end), parts: [], authorDate: c });
  }
  return out.sort((a, b) => a.start - b.start);
}
