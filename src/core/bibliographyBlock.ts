/**
 * The bibliography section of a manuscript, written between markers so that running the command
 * again replaces it in place. Markers are HTML comments: invisible in rendered Markdown and
 * ignored by Pandoc.
 */
import type { Work } from './model';
import { type Translate, cleanText, englishText, yearOf } from './render';

export const BIB_START = '<!-- corpus-cite:bibliography:start -->';
export const BIB_END = '<!-- corpus-cite:bibliography:end -->';

export interface TextEdit {
  /** Offsets in the original text (end exclusive). */
  start: number;
  end: number;
  newText: string;
}

/**
 * The one edit that inserts or updates the bibliography block. Existing markers: replace what is
 * between them. Otherwise: after a "References"/"Bibliography"/"参考文献" heading if there is one,
 * else at the end of the document under a new "References" heading.
 */
export function bibliographyEdit(text: string, body: string, heading = 'References'): TextEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = `${BIB_START}${eol}${body.trim().split(/\r?\n/).join(eol)}${eol}${BIB_END}`;
  const s = text.indexOf(BIB_START);
  const e = s === -1 ? -1 : text.indexOf(BIB_END, s);
  if (s !== -1 && e !== -1) return { start: s, end: e + BIB_END.length, newText: block };
  const h = /^(#{1,6})[ \t]+(?:References|Bibliography|Works cited|Literature cited|参考文献)[ \t]*#*[ \t]*$/im.exec(text);
  if (h) {
    const at = h.index + h[0].length;
    return { start: at, end: at, newText: `${eol}${eol}${block}` };
  }
  const sep = text.length === 0 ? '' : text.endsWith(eol + eol) ? '' : text.endsWith(eol) ? eol : eol + eol;
  return { start: text.length, end: text.length, newText: `${sep}## ${heading}${eol}${eol}${block}${eol}` };
}

/** Applies an edit to a string (for tests and the CLI). */
export function applyEdit(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

/** What a bibliography entry of `work` lacks of author, title and year (CSL: issued). */
export function missingEssentials(work: Work): ('author' | 'title' | 'year')[] {
  const out: ('author' | 'title' | 'year')[] = [];
  const xc = work['x-corpus'];
  if (!work.author?.length && !work.editor?.length && !xc.groupAuthors?.length) out.push('author');
  if (!cleanText(work.title, 10)) out.push('title');
  if (!yearOf(work)) out.push('year');
  return out;
}

/**
 * One sentence per work whose entry lacks essentials, as HTML comments for the end of the
 * bibliography block (seen in the editor, not in the preview or Pandoc's output): works known
 * only from a citation ("Voronka. (2019).") and records without a title, author or year.
 */
export function incompleteEntryNotes(works: readonly Work[], t: Translate = englishText): string[] {
  const names: Record<'author' | 'title' | 'year', string> = { author: t('author'), title: t('title'), year: t('year') };
  const out: string[] = [];
  for (const w of works) {
    const missing = missingEssentials(w);
    if (!missing.length) continue;
    const label = cleanText(w['citation-label'], 200) || w.id;
    const text =
      w['x-corpus'].kind === 'cited' && missing.includes('title')
        ? t('{0} is known only from a citation: add its record to complete this entry.', label)
        : t('{0} has no {1}: add it to its record to complete this entry.', label, missing.map((m) => names[m]).join(', '));
    // `--` may not stand inside an HTML comment.
    out.push(`<!-- ${text.replace(/-{2,}/g, (m) => m.split('').join(' ')).replace(/>/g, '›')} -->`);
  }
  return out;
}
