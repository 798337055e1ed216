/**
 * The bibliography section of a manuscript, written between markers so that running the command
 * again replaces it in place. Markers are HTML comments: invisible in rendered Markdown and
 * ignored by Pandoc.
 */
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
