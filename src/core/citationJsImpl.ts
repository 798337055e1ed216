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

export type BibStyle = 'apa' | 'vancouver' | 'harvard1';

/** Formats CSL items as a bibliography in a bundled CSL style. */
export function formatBibliography(items: object[], style: BibStyle, format: 'text' | 'html'): string {
  return new Cite(items).format('bibliography', { format, template: style, lang: 'en-US' }) as string;
}

/** Formats one in-text citation (`(Voronka, 2019)`) in a bundled CSL style. */
export function formatCitation(items: object[], style: BibStyle): string {
  return new Cite(items).format('citation', { format: 'text', template: style, lang: 'en-US' }) as string;
}

// UTF-8 BibTeX: keep every character (the ASCII mode drops those without a TeX command, such as
// CJK); the caller escapes TeX's special characters itself (bibliography.ts exportBibtex).
(plugins.config.get('@bibtex') as { format: { asciiOnly: boolean } }).format.asciiOnly = false;

/** Converts CSL items to BibTeX or RIS. */
export function convert(items: object[], to: 'bibtex' | 'ris'): string {
  return new Cite(items).format(to, { format: 'text' }) as string;
}
