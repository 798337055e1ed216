/**
 * What the Markdown text around the cursor says, for completion, hover and "reveal": the query
 * being typed after `@` / `[`, whether the cursor is inside a citation bracket, and which works a
 * citation at a position refers to. Plain text and 0-based positions in, plain data out (no
 * `vscode` import), so it is unit-tested in Node.
 */
import type { WorkLookup } from '../core/lookup';
import { type ManuscriptCitation, findManuscriptCitations, resolveManuscriptCitation } from '../core/manuscript';
import type { Work } from '../core/model';
import type { CitationStyle } from '../core/settings';
import { headOf, type WorkRole } from '../core/workStore';

export type { WorkRole } from '../core/workStore';

/** Record (has a record of its own), related (only listed as related by records), or cited only. */
export function workRole(work: Work): WorkRole {
  return headOf(work).role;
}

export interface CompletionQuery {
  /** What the user typed to search for (may hold spaces: `mead 2017`). */
  query: string;
  /** Character range of the line the chosen citation replaces (end may pass the cursor: `]`). */
  replaceStart: number;
  replaceEnd: number;
  /** The citation lands inside `[...]` / `(...)` or after `;`: no brackets of its own. */
  insideBrackets: boolean;
  /** How the query was found. */
  trigger: 'at' | 'bracket' | 'word';
}

/** `@query` (or `-@query`) at the end of the text; the query may hold up to four words. */
const AT_QUERY = /(^|[\s[;(])(-?@)((?:[^\s@[\]();,]+ ?){0,4})$/u;
/** `[query` at the end of the text, a Pandoc bracket opened but not yet holding an `@`. */
const BRACKET_QUERY = /\[((?:[^\s@[\]();,]+ ?){0,4})$/u;
const WORD_QUERY = /[\p{L}\p{N}_'’.-]*$/u;

/** Whether `text` (a line up to some point) leaves a `[` (or, for author–date, `(`) open, or ends with `;`. */
export function insideCitationGroup(text: string, style: CitationStyle): boolean {
  if (/;\s*$/.test(text)) return true;
  const open = style === 'pandoc' ? '[' : '(';
  const close = style === 'pandoc' ? ']' : ')';
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === close) depth++;
    else if (ch === open) {
      if (depth === 0) return true;
      depth--;
    }
  }
  return false;
}

/**
 * The completion query at the end of `before` (the line up to the cursor); `after` is the rest
 * of the line. `explicit` is true when completion was invoked (Ctrl+Space, typing) rather than
 * triggered by `@` or `[`: then a plain word before the cursor is a query too.
 */
export function completionQueryAt(before: string, after: string, style: CitationStyle, explicit: boolean): CompletionQuery | undefined {
  const ch = before.length;
  const at = AT_QUERY.exec(before);
  if (at) {
    const query = at[3];
    const atStart = at.index + at[1].length;
    const bracketed = before[atStart - 1] === '[';
    if (style !== 'pandoc' && bracketed) {
      // `[@voron]` → `(Voronka, 2019)`: the bracket pair goes too.
      const lead = before.slice(0, atStart - 1);
      return { query, replaceStart: atStart - 1, replaceEnd: ch + (after.startsWith(']') ? 1 : 0), insideBrackets: insideCitationGroup(lead, style), trigger: 'at' };
    }
    return { query, replaceStart: atStart, replaceEnd: ch, insideBrackets: insideCitationGroup(before.slice(0, atStart), style), trigger: 'at' };
  }
  const br = BRACKET_QUERY.exec(before);
  if (br && !/\]\($/.test(before)) {
    const query = br[1];
    if (style === 'pandoc') return { query, replaceStart: br.index + 1, replaceEnd: ch, insideBrackets: true, trigger: 'bracket' };
    const lead = before.slice(0, br.index);
    return { query, replaceStart: br.index, replaceEnd: ch + (after.startsWith(']') ? 1 : 0), insideBrackets: insideCitationGroup(lead, style), trigger: 'bracket' };
  }
  if (!explicit) return undefined;
  const word = WORD_QUERY.exec(before)![0].replace(/^[.'’-]+/, '');
  const start = ch - word.length;
  return { query: word, replaceStart: start, replaceEnd: ch, insideBrackets: insideCitationGroup(before.slice(0, start), style), trigger: 'word' };
}

/**
 * Whether a space just typed continues the query of an open Pandoc citation (`[@peer `):
 * the query is an `@` query with a word before the space, and a `[` before it is still open.
 */
export function continuesCitation(before: string, trigger: 'at' | 'bracket' | 'word', query: string): boolean {
  if (trigger !== 'at' || !/\S $/.test(query)) return false;
  const at = before.length - query.length;
  return insideCitationGroup(before.slice(0, Math.max(0, at - 1)), 'pandoc');
}

export interface CitationHit {
  works: Work[];
  /** The citekey written, when the hit is one Pandoc citation (`@b` of a work whose id is `a`). */
  key?: string;
  /** 0-based range in the document. */
  start: { line: number; character: number };
  end: { line: number; character: number };
}

interface Located {
  c: ManuscriptCitation;
  startOff: number;
  endOff: number;
}

/** A bare label (`Voronka 2019`, `Mental Health Task Force 2016`, `Thompson n.d.`) on a line. */
const BARE_LABEL = /[\p{L}][\p{L}\p{N}'’.&-]*(?:[ \t]+[\p{L}][\p{L}\p{N}'’.&-]*){0,5}[ \t]+(?:\d{4}[a-z]?|n\.d\.)(?![\p{L}\p{N}])/gu;

/**
 * The works cited at a position. `lines` is a window of the document starting at document line
 * `firstLine` (citations may break across lines); `line`/`character` is the position in the
 * document. A bracket holding several citations yields all their works.
 */
export function citationAt(lines: readonly string[], firstLine: number, line: number, character: number, lookup: WorkLookup): CitationHit | undefined {
  const text = lines.join('\n');
  const lineStart: number[] = [0];
  for (let i = 0; i < lines.length - 1; i++) lineStart.push(lineStart[i] + lines[i].length + 1);
  const offsetOf = (l: number, c: number) => lineStart[l] + Math.min(c, lines[l]?.length ?? 0);
  const posOf = (off: number) => {
    let l = lineStart.length - 1;
    while (l > 0 && lineStart[l] > off) l--;
    return { line: l + firstLine, character: off - lineStart[l] };
  };
  const rel = line - firstLine;
  if (rel < 0 || rel >= lines.length) return undefined;
  const pos = offsetOf(rel, character);

  const located: Located[] = findManuscriptCitations(text).map((c) => {
    const startOff = offsetOf(c.line, c.start);
    let endOff: number;
    if (c.kind === 'pandoc') endOff = offsetOf(c.line, c.end);
    else {
      // An author–date part runs to its `;` or `)`, possibly on a later line.
      const narrative = !c.text.startsWith('(') && c.text.endsWith(')');
      const rest = text.slice(startOff);
      const stop = narrative ? rest.indexOf(')') : rest.search(/[;)]/);
      endOff = stop === -1 ? offsetOf(c.line, c.end) : startOff + stop + (narrative ? 1 : 0);
    }
    return { c, startOff, endOff };
  });

  // The bracket around the position: every citation in it counts.
  const group = enclosingGroup(text, pos);
  let chosen = located.filter((x) => x.startOff <= pos && pos <= x.endOff);
  if (group) {
    const inGroup = located.filter((x) => x.startOff > group.open && x.startOff < group.close);
    if (inGroup.length) chosen = [...new Set([...chosen, ...inGroup])];
  }
  if (chosen.length) {
    const works = dedupe(chosen.flatMap((x) => resolveManuscriptCitation(x.c, lookup)));
    if (works.length) {
      const from = Math.min(...chosen.map((x) => x.startOff), group && chosen.length > 1 ? group.open : Infinity);
      const to = Math.max(...chosen.map((x) => x.endOff), group && chosen.length > 1 ? group.close + 1 : -Infinity);
      return { works, start: posOf(from), end: posOf(to) };
    }
  }

  // A bare label on the line: try the longest name first, dropping leading words ("by Voronka 2019").
  const lineText = lines[rel];
  for (const m of lineText.matchAll(BARE_LABEL)) {
    const s = m.index!;
    const e = s + m[0].length;
    if (character < s || character > e) continue;
    const words = m[0].split(/[ \t]+/);
    const year = words.pop()!;
    for (let k = 0; k < words.length; k++) {
      const label = `${words.slice(k).join(' ')} ${year}`;
      const w = lookup.label(label);
      if (w) {
        const from = e - label.length;
        if (character < from) break;
        return { works: [w], start: { line, character: from }, end: { line, character: e } };
      }
    }
  }
  return undefined;
}

/**
 * The works of the one citation under the cursor (for go to definition and references): in
 * `[@a; @b]` only the one the cursor is on; elsewhere what `citationAt` finds (a bracket's works,
 * a bare label).
 */
export function worksAtCursor(lines: readonly string[], firstLine: number, line: number, character: number, lookup: WorkLookup): CitationHit | undefined {
  const rel = line - firstLine;
  if (rel >= 0 && rel < lines.length) {
    for (const c of findManuscriptCitations(lines.join('\n'))) {
      if (c.line !== rel || character < c.start || character > c.end) continue;
      const works = resolveManuscriptCitation(c, lookup);
      if (works.length) return { works, ...(c.kind === 'pandoc' ? { key: c.key } : {}), start: { line, character: c.start }, end: { line, character: c.end } };
    }
  }
  return citationAt(lines, firstLine, line, character, lookup);
}

/** The innermost `[...]` or `(...)` around an offset, within a short distance. */
function enclosingGroup(text: string, pos: number): { open: number; close: number } | undefined {
  const LIMIT = 400;
  let depth = 0;
  let open = -1;
  let kind = '';
  if (text[pos] === '[' || text[pos] === '(') {
    open = pos;
    kind = text[pos];
    pos++;
  }
  for (let i = pos - 1; open === -1 && i >= Math.max(0, pos - LIMIT); i--) {
    const ch = text[i];
    if (ch === ']' || ch === ')') depth++;
    else if (ch === '[' || ch === '(') {
      if (depth === 0) {
        open = i;
        kind = ch;
        break;
      }
      depth--;
    } else if (ch === '\n' && text[i - 1] === '\n') return undefined; // a paragraph break
  }
  if (open === -1) return undefined;
  const closer = kind === '[' ? ']' : ')';
  depth = 0;
  for (let i = pos; i < Math.min(text.length, pos + LIMIT); i++) {
    const ch = text[i];
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') {
      if (depth === 0) return ch === closer ? { open, close: i } : undefined;
      depth--;
    } else if (ch === '\n' && text[i + 1] === '\n') return undefined;
  }
  return undefined;
}

function dedupe(works: Work[]): Work[] {
  const seen = new Set<string>();
  return works.filter((w) => (seen.has(w.id) ? false : (seen.add(w.id), true)));
}
