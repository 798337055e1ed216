/** The fixed completion queries of the benchmark, shared by the core bench and the host bench. */

interface WorkText {
  title?: string;
  DOI?: string;
}

/** TITLE_WORD and DOI_PREFIX are filled from the corpus by `queryTerms`. */
export const QUERIES = ['voron', 'mead 2017', 'peer support 2019', 'TITLE_WORD', 'DOI_PREFIX', 'p'];

/** A title word and a DOI prefix that occur in this corpus (for the fixed query set). */
export function queryTerms(works: readonly WorkText[]): { titleWord: string; doiPrefix: string } {
  const counts = new Map<string, number>();
  for (const w of works) {
    for (const word of (w.title ?? '').toLowerCase().split(/[^a-z]+/)) if (word.length >= 8) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // A word of middling frequency: specific, but with several answers.
  const sorted = [...counts].filter(([, n]) => n >= 5).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const titleWord = (sorted[Math.floor(sorted.length / 10)] ?? ['nanowire'])[0];
  const doi = works.find((w) => w.DOI && /^10\.\d{4,5}\//.test(w.DOI))?.DOI ?? '10.1080/1838';
  return { titleWord, doiPrefix: doi.slice(0, doi.indexOf('/') + 5) };
}

/** The queries with TITLE_WORD and DOI_PREFIX filled in. */
export function fixedQueries(works: readonly WorkText[]): string[] {
  const { titleWord, doiPrefix } = queryTerms(works);
  return QUERIES.map((q) => (q === 'TITLE_WORD' ? titleWord : q === 'DOI_PREFIX' ? doiPrefix : q));
}
