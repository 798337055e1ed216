/**
 * citation-js behind a small surface. Bundled into its own file (dist/citation.js) and loaded on
 * first use, so neither the extension's activation nor `corpus-cite index` pays for it.
 */
import { Cite, plugins } from '@citation-js/core';
import '@citation-js/plugin-csl';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';

// BibTeX keys as given (`Knuth:1984:TB`, `smith-2020`): by default citation-js replaces a key
// holding any punctuation but `_` with one of its own making, which Pandoc then cannot resolve.
(plugins.config.get('@bibtex') as { format: { checkLabel: boolean } }).format.checkLabel = false;

/** A CSL style to format with: its key (a name or a path) and its XML. */
export interface CslStyle {
  key: string;
  xml: string;
  defaultLocale?: string;
}

/** A CSL locale's XML by language tag (the shipped ones, read by the caller). */
export type LocaleSource = (lang: string) => string | undefined;

let localeSource: LocaleSource = () => undefined;

type Register = { has(k: string): boolean; add(k: string, v: string): void; get(k: string): string };
const cslConfig = plugins.config.get("@csl") as { styles: Register; locales: Register };

/** Where locales other than citation-js's en-US come from (media/csl/locales). */
export function setLocaleSource(source: LocaleSource): void {
  localeSource = source;
}

function locale(lang: string): string {
  const own = localeSource(lang);
  if (own) return own;
  if (cslConfig.locales.has(lang)) return cslConfig.locales.get(lang);
  return localeSource('en-US') ?? cslConfig.locales.get('en-US');
}

function useStyle(style: CslStyle, lang: string): void {
  if (!cslConfig.styles.has(style.key)) cslConfig.styles.add(style.key, style.xml);
  if (!cslConfig.locales.has(lang)) cslConfig.locales.add(lang, locale(lang));
}

/** Formats CSL items as a bibliography in a CSL style. */
export function formatBibliography(items: object[], style: CslStyle, format: 'text' | 'html', lang = style.defaultLocale ?? 'en-US'): string {
  useStyle(style, lang);
  return new Cite(items).format('bibliography', { format, template: style.key, lang }) as string;
}

/** One work cited in a cluster, as Pandoc passes it to citeproc. */
export interface ClusterItem {
  id: string;
  locator?: string;
  label?: string;
  prefix?: string;
  suffix?: string;
  'suppress-author'?: boolean;
  'author-only'?: boolean;
}

export interface RenderRequest {
  style: CslStyle;
  lang: string;
  /** CSL items by id: every work cited or listed in `uncited`. */
  items: Record<string, object>;
  /** In document order; a narrative citation (`@a`, `@a [p. 4]`) is an author-only part and a suppress-author part. */
  clusters: { items: ClusterItem[]; narrative?: boolean }[];
  /** Works in the bibliography without being cited (`nocite`). */
  uncited: string[];
}

export interface RenderResult {
  /** HTML of each cluster, in the order of the request. */
  clusters: string[];
  /** The reference list: each entry's id and HTML, in the style's order. */
  bibliography: { id: string; html: string }[];
}

interface CiteprocEngine {
  setOutputFormat(f: string): void;
  updateItems(ids: string[]): void;
  updateUncitedItems(ids: string[]): void;
  makeCitationCluster(items: ClusterItem[]): string;
  makeBibliography(): false | [{ entry_ids: string[][] }, string[]];
  opt: { development_extensions: Record<string, boolean> };
}

const engines = new Map<string, { engine: CiteprocEngine; items: Record<string, object> }>();

/** One citeproc engine per style and language, built once (the costly step) and reused. */
function engineFor(style: CslStyle, lang: string): { engine: CiteprocEngine; items: Record<string, object> } {
  const key = `${style.key}\u0000${lang}\u0000${style.xml.length}`;
  let e = engines.get(key);
  if (!e) {
     
    const CSL = require('citeproc') as { Engine: new (sys: object, style: string, lang: string, force: boolean) => CiteprocEngine };
    const holder: { engine: CiteprocEngine; items: Record<string, object> } = { engine: undefined as unknown as CiteprocEngine, items: {} };
    const sys = {
      retrieveLocale: (l: string) => locale(l),
      retrieveItem: (id: string) => holder.items[id] ?? { id, type: 'document', title: id },
    };
    holder.engine = new CSL.Engine(sys, style.xml, lang, true);
    holder.engine.setOutputFormat('html');
    holder.engine.opt.development_extensions.wrap_url_and_doi = false;
    engines.set(key, holder);
    e = holder;
  }
  return e;
}

/**
 * Formats the citations of one document and its reference list, as Pandoc's citeproc does: works
 * registered in order of first citation (numeric styles number them so), then the uncited ones.
 */
export function renderCitations(req: RenderRequest): RenderResult {
  const { engine, items } = (() => {
    const e = engineFor(req.style, req.lang);
    e.items = req.items;
    return e;
  })();
  const order: string[] = [];
  const seen = new Set<string>();
  for (const c of req.clusters) {
    for (const it of c.items) {
      if (!items[it.id] || seen.has(it.id)) continue;
      seen.add(it.id);
      order.push(it.id);
    }
  }
  engine.updateItems(order);
  engine.updateUncitedItems(req.uncited.filter((id) => items[id] && !seen.has(id)));
  const clusters = req.clusters.map((c) => {
    const known = c.items.filter((it) => items[it.id]);
    if (!known.length) return '';
    if (c.narrative) {
      const author = engine.makeCitationCluster(known.map((it) => ({ id: it.id, 'author-only': true })));
      const rest = engine.makeCitationCluster(known.map((it) => ({ ...it, 'suppress-author': true })));
      // A numeric style prints no author in its citations (citeproc-js then answers
      // "[NO_PRINTED_FORM]"): Pandoc prints the number alone, "(2) ask where …", and so do we, so
      // that the preview shows the sentence as it will be published.
      return !author || /NO_PRINTED_FORM/.test(author) ? rest : `${author} ${rest}`;
    }
    return engine.makeCitationCluster(known);
  });
  const bib = engine.makeBibliography();
  const bibliography = bib ? bib[0].entry_ids.map((ids, i) => ({ id: ids[0], html: bib[1][i] })) : [];
  return { clusters, bibliography };
}

// UTF-8 BibTeX: keep every character (the ASCII mode drops those without a TeX command, such as
// CJK); the caller escapes TeX's special characters itself (bibliography.ts exportBibtex).
(plugins.config.get('@bibtex') as { format: { asciiOnly: boolean } }).format.asciiOnly = false;

/** Converts CSL items to BibTeX or RIS. */
export function convert(items: object[], to: 'bibtex' | 'ris'): string {
  return new Cite(items).format(to, { format: 'text' }) as string;
}
