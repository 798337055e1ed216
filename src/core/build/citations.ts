/**
 * Author–date citations in running text: `(Voronka, 2019)`, `(Mead & Filson, 2017; Oborn,
 * Barrett, Gibson, & Gillard, 2019)`, `(see, e.g. Chamberlin, 1978)`, `(Mind, 2013, p. 1)`,
 * narrative `Slade et al. (2017)`. Linear in the text: every scan is bounded by a window, so
 * hostile input (a megabyte of parentheses) cannot make it slow.
 */
import type { TextBlock } from '../model/model';
import { lastAtOrBefore, lineStartOffsets } from '../model/text';

export interface ExtractedCitation {
  /** Family names or group names as written, first author first. */
  authors: string[];
  etAl: boolean;
  /** Four-digit year; undefined for `n.d.`. */
  year?: number;
  /** Letter after the year (`2020a`). */
  yearSuffix?: string;
  locator?: string;
  /** The citation as written, whitespace collapsed: `(Voronka, 2019)`, `Slade et al. (2017)`. */
  text: string;
  /** The sentence it stands in, whitespace collapsed. */
  sentence: string;
  narrative: boolean;
  /** Offset in the block text and 1-based line in the file. */
  offset: number;
  line: number;
}

const MAX_PAREN = 400;
/** Citations taken from one block of text; the rest of the block is not searched (see `extractCitations`). */
export const MAX_CITATIONS_PER_BLOCK = 2000;
const LOOKBACK = 120;

const YEAR = String.raw`(?:1[5-9]\d\d|20\d\d)`;
const YEAR_TOKEN = new RegExp(String.raw`(?<![\d\p{L}])(${YEAR})([a-z])?(?![\d\p{L}])|(?<![\p{L}])(n\.\s?d\.)`, 'u');
const YEARS_ONLY = new RegExp(
  String.raw`^\s*(${YEAR}[a-z]?|n\.\s?d\.)((?:\s*[,;]\s*(?:${YEAR}[a-z]?|[a-z]))*)(?:\s*[,:]\s*((?:p|pp|para|chap|ch|sec|fig)\.?\s*[\divxlc][\w–-]*))?\s*$`,
  'u',
);

/** Words that are capitalised but are not authors when they precede a year. */
const NOT_AUTHORS = new Set(
  (
    'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec ' +
    'spring summer autumn fall winter table tables figure figures fig appendix section chapter page pages vol volume no issue in the see since ' +
    'from to during until after before between and or of for by on at as also this that these those phase wave study version covid ' +
    'year years term semester quarter q1 q2 q3 q4 ad bc ce bce circa ca et al published accessed retrieved updated revised edition ed eds'
  ).split(' '),
);

const PREFIX = /^(?:(?:see|also|e\.\s?g|i\.\s?e|cf|for|example|instance|but|and|as|in|reviewed|review|discussed|by|notably|especially|including|such|compare|a|an|the|reported|described|summarised|summarized)[.,:]*\s+)+/i;

const NAME_WORD = String.raw`(?:\p{Lu}[\p{L}\p{M}'’\-.]*|(?:van|von|der|den|de|del|della|da|di|du|le|la|dos|of|for|the|on|in|and)(?=\s+\p{Lu}))`;
const GROUP_OR_NAME = new RegExp(String.raw`^${NAME_WORD}(?:\s+${NAME_WORD}){0,7}$`, 'u');

/** `s.replace(/\s+/g, ' ')`, without making a new string when there is nothing to collapse (most often). */
function collapseSpaces(s: string): string {
  return /\s\s|[^\S ]/.test(s) ? s.replace(/\s+/g, ' ') : s;
}

function splitAuthors(s: string): string[] {
  return s
    .split(/\s*,\s*&\s*|\s*,\s*and\s+|\s*&\s*|\s+and\s+|\s*,\s*/)
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

/** Parses an author list like `Oborn, Barrett, Gibson, & Gillard` or `White et al.`. */
function parseAuthorList(raw: string): { authors: string[]; etAl: boolean } | undefined {
  let s = collapseSpaces(raw).trim().replace(/[,\s]+$/, '');
  let etAl = false;
  const m = /,?\s+et\s+al\.?$/.exec(s);
  if (m) {
    etAl = true;
    s = s.slice(0, m.index);
  }
  if (!s || s.length > 200) return undefined;
  // A group name may itself contain "and" ("Department of Health and Social Care"): try the
  // whole string as one name first when it has no commas or ampersands.
  const parts = splitAuthors(s);
  if (parts.length === 0 || parts.length > 30) return undefined;
  for (const p of parts) {
    if (!GROUP_OR_NAME.test(p)) return undefined;
    // One word (no space: the list's spaces are collapsed): not a month, "Table", "Phase" and the like.
    if (!p.includes(' ')) {
      const lower = p.toLowerCase();
      if (NOT_AUTHORS.has(lower.replace(/\.$/, '')) || NOT_AUTHORS.has(lower)) return undefined;
    }
  }
  return { authors: parts, etAl };
}

interface PartParse {
  authors: string[];
  etAl: boolean;
  years: { year?: number; suffix?: string }[];
  locator?: string;
}

function parseYears(first: string, rest: string): { year?: number; suffix?: string }[] {
  const out: { year?: number; suffix?: string }[] = [];
  const push = (tok: string) => {
    const t = tok.trim();
    if (/^n\.\s?d\.$/.test(t)) out.push({});
    else {
      const ym = /^(\d{4})([a-z])?$/.exec(t);
      if (ym) out.push({ year: Number(ym[1]), suffix: ym[2] });
      else if (/^[a-z]$/.test(t) && out.length > 0 && out[out.length - 1].year !== undefined) {
        out.push({ year: out[out.length - 1].year, suffix: t }); // 2020a, b
      }
    }
  };
  push(first);
  for (const tok of rest.split(/[,;]/)) if (tok.trim()) push(tok);
  return out;
}

/** `2013, p. 1`, `2019: 12`, or a suffix comment: year then `,`/`:` then anything short. */
const YEAR_THEN_NOTE = new RegExp(String.raw`^(${YEAR}[a-z]?|n\.\s?d\.)\s*[,:]\s*(.{1,60})$`, 'u');

/** One `;`-separated part of a parenthetical citation. */
function parsePart(part: string): PartParse | undefined {
  let p = collapseSpaces(part).trim();
  p = p.replace(PREFIX, '');
  const ym = YEAR_TOKEN.exec(p);
  if (!ym || ym.index === 0) return undefined;
  const before = p.slice(0, ym.index);
  if (!/[,\s]$/.test(before)) return undefined;
  const tail = p.slice(ym.index);
  const yearsM = YEARS_ONLY.exec(tail);
  let years: PartParse['years'];
  let locator: string | undefined;
  if (yearsM) {
    years = parseYears(yearsM[1], yearsM[2] ?? '');
    locator = yearsM[3];
  } else {
    const lm = YEAR_THEN_NOTE.exec(tail);
    if (!lm) return undefined;
    if (/^[-–—]/.test(lm[2])) return undefined;
    years = parseYears(lm[1], '');
    locator = lm[2].trim();
  }
  if (/^\d{4}\s*[-–—]\s*\d/.test(tail)) return undefined; // a year range
  const al = parseAuthorList(before);
  if (!al) return undefined;
  return { authors: al.authors, etAl: al.etAl, years, locator };
}

const NARRATIVE_NAME = String.raw`(?:(?:van|von|der|den|de|del|da|di|du|le|la)\s+)*\p{Lu}[\p{L}\p{M}'’\-]+`;
const NARRATIVE = new RegExp(
  String.raw`(?:^|[^\p{L}\p{M}'’\-])(` +
    String.raw`${NARRATIVE_NAME}\s+et\s+al\.?` +
    String.raw`|${NARRATIVE_NAME}(?:\s*,\s*${NARRATIVE_NAME})*\s*,?\s+(?:and|&)\s+${NARRATIVE_NAME}` +
    String.raw`|${NARRATIVE_NAME}` +
    String.raw`)\s*$`,
  'u',
);

/** Sentence start offsets, skipping abbreviations such as `et al.`, `e.g.`, `p.`. */
function sentenceStarts(t: string): number[] {
  const starts = [0];
  const re = /[.!?]["”’)\]]?\s+(?=["“‘(]?\p{Lu})/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const wordBefore = /(\S+)$/.exec(t.slice(Math.max(0, m.index - 12), m.index + 1))?.[1] ?? '';
    const w = wordBefore.toLowerCase().replace(/^[("“‘]+/, '');
    if (/^(al|e\.g|i\.e|eg|ie|cf|vs|etc|p|pp|no|vol|fig|dr|mr|mrs|ms|prof|st|ed|eds|n\.d|\p{Lu})\.$/u.test(w) || /^\p{Lu}\.$/u.test(wordBefore)) continue;
    starts.push(m.index + m[0].length);
  }
  return starts;
}

function sentenceAt(t: string, starts: number[], offset: number, short: (string | undefined)[]): string {
  const lo = lastAtOrBefore(starts, offset);
  const from = starts[lo];
  const to = lo + 1 < starts.length ? starts[lo + 1] : t.length;
  // A window around the citation first: a sentence can be the whole (long) block, and cutting
  // it after collapsing its spaces would cost its whole length per citation. A short sentence
  // is the same for every citation in it: made once (`short`, by sentence).
  if (to - from <= 1200) return (short[lo] ??= collapseSpaces(t.slice(from, to)).trim());
  const a = Math.max(from, offset - 500);
  const b = Math.min(to, offset + 500);
  return (a > from ? '…' : '') + collapseSpaces(t.slice(a, b)).trim() + (b < to ? '…' : '');
}

function lineOf(starts: number[], offset: number): number {
  return lastAtOrBefore(starts, offset) + 1;
}

/**
 * Finds the author–date citations in a block of running text, at most MAX_CITATIONS_PER_BLOCK:
 * when that many are found the search stops and the answer's `truncated` is set (the caller
 * reports it). Linear in the block's length, memory bounded by the citations kept.
 */
export function extractCitations(block: TextBlock): ExtractedCitation[] & { truncated?: boolean } {
  const src = block.text;
  // Same length as the source, so offsets map back to lines; line breaks inside a citation vanish.
  const t = /[\r\n\t]/.test(src) ? src.replace(/[\r\n\t]/g, ' ') : src;
  const lines = lineStartOffsets(src);
  let sentences: number[] | undefined;
  const shortSentences: (string | undefined)[] = [];
  const out: ExtractedCitation[] & { truncated?: boolean } = [];
  const sentence = (offset: number) => sentenceAt(t, (sentences ??= sentenceStarts(t)), offset, shortSentences);

  let open = t.indexOf('(');
  while (open !== -1) {
    if (out.length >= MAX_CITATIONS_PER_BLOCK) {
      out.truncated = true;
      break;
    }
    // Find the closing parenthesis within the window; a nested `(` restarts from there.
    let close = -1;
    let next = -1;
    const limit = Math.min(t.length, open + 1 + MAX_PAREN);
    for (let i = open + 1; i < limit; i++) {
      const c = t.charCodeAt(i);
      if (c === 41 /* ) */) {
        close = i;
        break;
      }
      if (c === 40 /* ( */) {
        next = i;
        break;
      }
    }
    if (close === -1) {
      open = next !== -1 ? next : t.indexOf('(', limit);
      continue;
    }
    const content = t.slice(open + 1, close);
    if (YEAR_TOKEN.test(content)) {
      const yearsOnly = YEARS_ONLY.exec(content);
      if (yearsOnly) {
        const pre = t.slice(Math.max(0, open - LOOKBACK), open);
        const nm = NARRATIVE.exec(pre);
        if (nm) {
          const authorText = nm[1];
          const startInPre = pre.length - nm[0].length + nm[0].indexOf(authorText);
          const start = open - pre.length + startInPre;
          // "National Health Service (2019)": a capitalised word right before a lone name means
          // the name is the tail of a longer proper noun, not an author.
          const beforeName = t.slice(Math.max(0, start - 40), start);
          const isSingle = !/\s(?:et\s+al|and|&)|,/.test(authorText);
          const tailOfProperNoun = isSingle && /\p{Lu}[\p{L}\p{M}'’-]*\s+$/u.test(beforeName) && !/[.,;:!?]\s*\p{Lu}[\p{L}\p{M}'’-]*\s+$/u.test(beforeName);
          const al = tailOfProperNoun ? undefined : parseAuthorList(authorText);
          if (al) {
            const years = parseYears(yearsOnly[1], yearsOnly[2] ?? '');
            const text = collapseSpaces(t.slice(start, close + 1));
            for (const y of years) {
              out.push({ authors: al.authors, etAl: al.etAl, year: y.year, yearSuffix: y.suffix, locator: yearsOnly[3], text, sentence: sentence(start), narrative: true, offset: start, line: block.line + lineOf(lines, start) - 1 });
            }
          }
        }
      } else {
        const text = collapseSpaces(t.slice(open, close + 1));
        let partOffset = open + 1;
        for (const part of content.split(';')) {
          const parsed = parsePart(part);
          if (parsed) {
            for (const y of parsed.years) {
              out.push({ authors: parsed.authors, etAl: parsed.etAl, year: y.year, yearSuffix: y.suffix, locator: parsed.locator, text, sentence: sentence(open), narrative: false, offset: partOffset, line: block.line + lineOf(lines, partOffset + (part.length - part.trimStart().length)) - 1 });
            }
          }
          partOffset += part.length + 1;
        }
      }
    }
    open = t.indexOf('(', close + 1);
  }
  return out;
}
