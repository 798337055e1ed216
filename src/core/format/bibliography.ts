/** Bibliographies and export files from works, with citation-js loaded lazily. */
import type { Work } from '../model/model';
import { requireBundled } from '../io/lazyBundle';
import { BUNDLED_STYLES, readLocale, resolveStyle, type StyleInfo, type StyleOptions } from './styles';

type Impl = typeof import('./citationJsImpl');
/** A style name (`apa`, `ieee`, `gb-t-7714-2015-numeric`, a user's style) or a path to a `.csl` file. */
export type BibStyle = string;
/** The shipped styles' names. */
export const BIB_STYLES: readonly string[] = BUNDLED_STYLES.map((s) => s.id);

let impl: Impl | undefined;

/** Loads citation-js on first use: dist/citation.js when bundled, the TypeScript module in tests. */
export function citationJs(): Impl {
  if (impl) return impl;
  impl = requireBundled<Impl>(__dirname, 'citation.js', 'citationJsImpl', 'citation-js');
  impl.setLocaleSource(readLocale);
  return impl;
}

/** A work as plain CSL-JSON: `x-corpus` removed, `citation-key` set so exports keep our ids. */
export function toCsl(work: Work, withCorpus = false): Record<string, unknown> {
  const { 'x-corpus': x, ...csl } = work;
  const out: Record<string, unknown> = { ...csl };
  if (withCorpus) out['x-corpus'] = x;
  return out;
}

/**
 * The items an export writes for a work: one per citekey. A work merged from records with
 * different keys (`x-corpus.aliases`) is written once under its id and once more under each
 * alias, the same item, so that Pandoc given the export resolves every key a manuscript may
 * use (`[@a]` and `[@b]` of one work).
 */
function exportItems(works: readonly Work[], withCorpus = false): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const w of works) {
    const csl = toCsl(w, withCorpus);
    out.push(csl);
    for (const alias of w['x-corpus'].aliases ?? []) out.push({ ...csl, id: alias });
  }
  return out;
}

/** CSL-JSON text for Pandoc (`--bibliography refs.json`) and Zotero: one item per citekey. */
export function exportCslJson(works: readonly Work[], withCorpus = false): string {
  return JSON.stringify(exportItems(works, withCorpus), null, 2) + '\n';
}

function forConversion(works: readonly Work[]): object[] {
  return works.map((w) => ({ ...toCsl(w), 'citation-key': w.id }));
}

/** Fields written as they are (identifiers, links), not as text. */
const VERBATIM = new Set(['id', 'citation-key', 'citation-label', 'type', 'DOI', 'URL', 'ISSN', 'ISBN', 'PMID', 'PMCID', 'language']);

/** Applies `text` to every string of an item that is text (names included), `verbatim` to identifiers. */
function mapStrings(item: Record<string, unknown>, text: (s: string) => string, verbatim: (s: string) => string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, VERBATIM.has(k) ? (typeof v === 'string' ? verbatim(v) : v) : walk(v)]));
}

/** Control characters never belong in an export; any run of white space is one space in both formats. */
 
const foldSpace = (s: string) => s.replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g, '').replace(/\s+/g, ' ').trim();

/** TeX's special characters, written so that BibTeX, Biber, Pandoc and our reader read them back as they were. */
const TEX_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '%': '\\%',
  '&': '\\&',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
const texEscape = (s: string) => foldSpace(s).replace(/[\\{}%&$#_~^]/g, (c) => TEX_ESCAPES[c]);
/** Braces in an identifier would end the BibTeX field: percent-encoded, as in a URL. */
const verbatimBraces = (s: string) => foldSpace(s).replace(/[{}]/g, (c) => (c === '{' ? '%7B' : '%7D'));

/**
 * BibTeX through citation-js, keyed by our Pandoc ids. UTF-8 text is kept as it is (citation-js's
 * ASCII mode drops every character it has no TeX command for: Chinese titles came out empty), and
 * TeX's special characters are escaped here, so every entry reads back as it was written.
 */
export function exportBibtex(works: readonly Work[]): string {
  return citationJs().convert(
    exportItems(works).map((item) => mapStrings({ ...item, 'citation-key': item.id }, texEscape, verbatimBraces)),
    'bibtex',
  );
}

/**
 * RIS through citation-js. RIS is one field a line with no escape, so a line break inside a
 * value (a title pasted with one, a multi-paragraph abstract) is written as a space: otherwise
 * the next line could read as a new tag, or `ER  -`, an extra record.
 */
export function exportRis(works: readonly Work[]): string {
  return citationJs().convert(
    exportItems(works).map((item) => mapStrings({ ...item, 'citation-key': item.id }, foldSpace, foldSpace)),
    'ris',
  );
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (m, dec: string, hex: string, name: string) => {
    const cp = dec ? Number(dec) : hex ? parseInt(hex, 16) : undefined;
    if (cp !== undefined) return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/**
 * HTML from citeproc → Markdown: italics and bold kept, every other tag dropped, entities decoded.
 * The text of the entries is corpus text, written into the user's manuscript: the characters that
 * would make links, images, raw HTML, code or emphasis of it are escaped.
 */
export function htmlToMarkdown(html: string): string {
  // Each entry runs to the next one: numbered styles nest a margin and a body <div> in it.
  const entries = html.split(/<div[^>]*class="csl-entry"[^>]*>/).slice(1);
  const body = entries.length ? entries : [html];
  const part = (p: string): string => {
    if (p.startsWith('<')) {
      if (/^<\/?(?:i|em)\b[^>]*>$/i.test(p)) return '*';
      if (/^<\/?(?:b|strong)\b[^>]*>$/i.test(p)) return '**';
      return /^<\/div/i.test(p) ? ' ' : '';
    }
    return decodeEntities(p).replace(/[\\`*[\]<>]/g, (c) => `\\${c}`);
  };
  return body
    .map((e) =>
      e
        .split(/(<[^>]*>)/)
        .map(part)
        .join('')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .join('\n\n');
}

/** The style a name or path means, or an error a person understands. */
export function styleOrThrow(style: BibStyle, opts: StyleOptions = {}): StyleInfo {
  const info = resolveStyle(style, opts);
  if (!info) throw new Error(`No CSL style "${style}": name one of ${BIB_STYLES.join(', ')}, a style in your styles folder or Zotero's, or a path to a .csl file.`);
  return info;
}

/** A formatted bibliography of the given works. */
export function formatBibliography(works: readonly Work[], style: BibStyle, format: 'text' | 'html' | 'markdown', opts: StyleOptions = {}): string {
  const info = styleOrThrow(style, opts);
  const csl = { key: info.id, xml: info.xml, defaultLocale: info.defaultLocale };
  const items = forConversion(works);
  if (format === 'markdown') return htmlToMarkdown(citationJs().formatBibliography(items, csl, 'html')) + '\n';
  return citationJs().formatBibliography(items, csl, format);
}
