/**
 * Unknown citations in a manuscript and the text that replaces one with a work of the corpus
 * (the quick fixes of the editor). Plain text in, plain data out.
 */
import type { WorkLookup } from '../search/lookup';
import { type ManuscriptCitation, findManuscriptCitations, namesWork, resolveManuscriptCitation } from './manuscript';
import type { Work } from '../model/model';
import { nearestWorks } from '../search/nearest';
import { formatCitation } from '../format/render';

/** The citations of a manuscript the corpus does not know. */
export function unknownCitations(text: string, lookup: WorkLookup): ManuscriptCitation[] {
  return findManuscriptCitations(text).filter((c) => namesWork(c) && resolveManuscriptCitation(c, lookup).length === 0);
}

/** A narrative author–date citation (`Slade et al. (2017)`) rather than a part of a parenthesis. */
export function isNarrative(c: ManuscriptCitation): boolean {
  return c.kind === 'authorDate' && !c.text.startsWith('(') && c.text.endsWith(')');
}

const YEAR = /(?:\d{4}[a-z]?|n\.d\.)/;

/**
 * The text that replaces the citation `c` (whose range in the document holds `rangeText`) by a
 * citation of `work`, in the same form: `@id` stays `@id` (with `-` and braces as needed),
 * `Voronka, 2018, p. 5` inside a parenthesis becomes `Voronka, 2019, p. 5`, and the narrative
 * `Slade et al. (2016)` becomes `Slade et al. (2017)`. A locator after the year is kept.
 */
export function citationReplacement(c: ManuscriptCitation, rangeText: string, work: Work): string {
  if (c.kind === 'pandoc') {
    const suppress = rangeText.startsWith('-') ? '-' : '';
    return suppress + formatCitation(work, 'pandoc', { insideBrackets: true });
  }
  const narrative = isNarrative(c);
  // `Name (2019)` without the closing parenthesis, or `Name, 2019` without the parentheses.
  const formatted = narrative ? formatCitation(work, 'narrative', { insideBrackets: false }).replace(/\)$/, '') : formatCitation(work, 'authorDate', { insideBrackets: false }).replace(/^\(|\)$/g, '');
  const m = YEAR.exec(rangeText);
  if (!m) return narrative ? `${formatted})` : formatted;
  const tail = rangeText.slice(m.index + m[0].length);
  return formatted + (narrative && !tail.includes(')') ? `${tail})` : tail);
}

export interface CitationFix {
  work: Work;
  /** The text that replaces the citation's range. */
  text: string;
}

/** Up to `limit` replacements by the works nearest to an unknown citation, nearest first. */
export function nearestFixes(c: ManuscriptCitation, rangeText: string, works: readonly Work[], limit = 3): CitationFix[] {
  const out: CitationFix[] = [];
  const seen = new Set<string>();
  for (const work of nearestWorks(works, c.key, limit + 2)) {
    const text = citationReplacement(c, rangeText, work);
    if (text === rangeText || seen.has(text)) continue;
    seen.add(text);
    out.push({ work, text });
    if (out.length >= limit) break;
  }
  return out;
}
