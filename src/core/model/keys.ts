/**
 * Citation labels (`Voronka 2019`, `Mental Health Task Force 2016`, `Smith 2020a`) and Pandoc
 * citekeys (`voronka2019`), disambiguated in an order that depends only on the colliding works
 * themselves, so keys stay stable when unrelated files change.
 */
import type { CslFields, Name } from './model';
import { fold, nameKey } from './names';

export function yearOf(csl: CslFields): number | undefined {
  const y = csl.issued?.['date-parts']?.[0]?.[0];
  const n = typeof y === 'string' ? Number(y) : y;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function firstAuthor(csl: CslFields): Name | undefined {
  return csl.author?.[0] ?? csl.editor?.[0];
}

/**
 * `Voronka 2019` without a disambiguation letter. A work with no author, editor or group author
 * goes by its short title in quotes, as author–date styles cite it (CSL substitutes the title
 * for the missing author; APA and Chicago shorten it): `“Review of the literature” n.d.`, never
 * a title word that reads like a name ("Review n.d."). Its id stays the title-word one
 * (`reviewnd`), so that manuscripts citing it keep resolving.
 */
export function baseLabel(csl: CslFields, groupAuthors?: string[]): string {
  const a = firstAuthor(csl);
  const year = yearOf(csl) ?? 'n.d.';
  const who = (a ? nameKey(a) : groupAuthors?.[0]) || '';
  if (who) return `${who} ${year}`;
  const short = shortTitle(csl.title);
  return short ? `“${short}” ${year}` : `Anonymous ${year}`;
}

/** Words a short title does not start with (Chicago 14.60: initial A, An, The are omitted). */
const LEADING_ARTICLE = /^(?:a|an|the)$/i;
/** Words a short title does not end on. */
const TRAILING_WORD = /^(?:a|an|the|and|or|of|in|on|at|to|for|from|with|by|as|into|about|between|versus|vs\.?)$/i;
/** Words in a short title (Chicago: "usually not more than four"), and code points at most. */
const SHORT_TITLE_WORDS = 4;
const SHORT_TITLE_CHARS = 40;
const SHORT_TITLE_CJK_CHARS = 12;

/**
 * A title as author–date styles shorten it to stand in for a missing author: the main title
 * (before a colon, question mark or full stop) without an initial article, at most four
 * words, not ending on an article, conjunction or preposition. `A review of the literature
 * on peer support` → `Review of the literature`. Undefined when the title has no letter.
 */
export function shortTitle(title: string | undefined): string | undefined {
  if (!title) return undefined;
  const plain = title
    .replace(/<[^>]*>/g, '')
    .replace(/[“”"]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!/\p{L}/u.test(plain)) return undefined;
  const main = plain.split(/(?<=\S)\s*[:?!]\s|(?<=\p{L}{2})\.\s/u)[0].replace(/[\s.,;:!?]+$/u, '');
  const words = main.split(' ').filter(Boolean);
  if (words.length > 1 && LEADING_ARTICLE.test(words[0])) {
    words.shift();
    words[0] = words[0].charAt(0).toUpperCase() + words[0].slice(1);
  }
  const kept = words.slice(0, SHORT_TITLE_WORDS);
  while (kept.length > 1 && TRAILING_WORD.test(kept[kept.length - 1])) kept.pop();
  let out = kept.join(' ').replace(/[,;:]+$/u, '');
  const chars = [...out];
  // Chinese, Japanese and Korean titles run without spaces: a few characters say as much as
  // four English words.
  const max = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(out) ? SHORT_TITLE_CJK_CHARS : SHORT_TITLE_CHARS;
  if (chars.length > max) {
    // Cut by characters (at a space when there is one).
    const cut = chars.slice(0, max).join('');
    const space = cut.lastIndexOf(' ');
    out = space > 0 ? cut.slice(0, space) : cut;
  }
  return out || undefined;
}

function titleWord(title: string | undefined): string | undefined {
  if (!title) return undefined;
  const w = title.split(/\s+/).find((x) => x.length > 3 && /^\p{L}/u.test(x))?.replace(/[^\p{L}\p{N}-]/gu, '');
  return w ? w.charAt(0).toUpperCase() + w.slice(1) : undefined;
}

/** Latin letters that Unicode does not decompose (so NFKD leaves them whole): their usual ASCII
 *  spelling, as Better BibTeX and bibliographic transliteration write them. */
const LATIN_WHOLE: Record<string, string> = {
  ł: 'l', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', ħ: 'h', ŧ: 't', ŀ: 'l', ĸ: 'q', ŋ: 'ng', ȷ: 'j',
};
const LATIN_WHOLE_RE = new RegExp(`[${Object.keys(LATIN_WHOLE).join('')}]`, 'g');

/** ASCII, lower case, letters only: `O'Hagan` → `ohagan`, `Müller` → `muller`, `Łukasiewicz` →
 *  `lukasiewicz` (not `ukasiewicz`: Ł has no decomposition to drop an accent from). */
export function asciiStem(s: string): string {
  const f = fold(s);
  return (/[^\x00-\x7f]/.test(f) ? f.replace(LATIN_WHOLE_RE, (c) => LATIN_WHOLE[c]) : f).replace(/[^a-z0-9]/g, '');
}

/** `voronka2019` without a disambiguation letter. */
export function baseId(csl: CslFields, groupAuthors?: string[]): string {
  const a = firstAuthor(csl);
  let stem = asciiStem((a ? nameKey(a) : groupAuthors?.[0]) ?? '');
  if (!stem || !/^[a-z]/.test(stem)) stem = (asciiStem(titleWord(csl.title) ?? '') || 'anon').replace(/^(\d)/, 'w$1');
  const year = yearOf(csl);
  return `${stem}${year ?? 'nd'}`;
}

/**
 * Whether a key a source gave can serve as a Pandoc citekey. Pandoc resolves any key of a
 * bibliography: `@key` where its Markdown grammar allows (see `citekeyText`), `@{key}` otherwise,
 * so any key without white space or braces is one (`zhang_`, `ANSI:phigs+`, `trailing.`).
 * Except, unless the key comes from a .bib (`format` 'bibtex'), a bare number (a reference
 * manager's internal item number, as RIS `ID` and Zotero's CSL-JSON ids often are) and a URL
 * (Zotero's item URIs): nobody cites those, and the work goes by a made-up key instead.
 */
export function isCitekey(key: string, format?: string): boolean {
  if (key.length === 0 || key.length > 200 || /[\s{}]/u.test(key)) return false;
  return format === 'bibtex' || (!/^\d+$/.test(key) && !key.includes('://'));
}

/**
 * Pandoc's Markdown citekey without braces: a letter, digit or `_`, then letters, digits, `_`,
 * and the punctuation `:.#$%&-+?<>~/` where a letter, digit or `_` follows it.
 */
const BARE_CITEKEY = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&+?<>~/-](?=[\p{L}\p{N}_]))*$/u;

/** `@key`, or `@{key}` for a key Pandoc would cut short (`@{ANSI:phigs+}`, `@{a--b}`). */
export function citekeyText(id: string): string {
  return BARE_CITEKEY.test(id) ? `@${id}` : `@{${id}}`;
}

/** a, b, …, z, aa, ab, … */
export function suffixLetters(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/**
 * Assigns labels and ids to `n` works: each its base label and id, and where works share a base
 * id, letters in the order `sortKey` gives them. `sortKey` must depend only on the work itself.
 */
export function assignKeys(n: number, baseLabel: (i: number) => string, baseId: (i: number) => string, sortKey: (i: number) => string): { labels: string[]; ids: string[] } {
  const labels: string[] = new Array(n);
  const ids: string[] = new Array(n);
  /** Works by base id: the one work's index, or the indices of several (most ids are one work's). */
  const groups = new Map<string, number | number[]>();
  for (let i = 0; i < n; i++) {
    labels[i] = baseLabel(i);
    const id = (ids[i] = baseId(i));
    const g = groups.get(id);
    if (g === undefined) groups.set(id, i);
    else if (typeof g === 'number') groups.set(id, [g, i]);
    else g.push(i);
  }
  /** Ids taken: every base id (the keys of `groups`) and the suffixed ones given out. */
  const suffixed = new Set<string>();
  const taken = (id: string) => groups.has(id) || suffixed.has(id);
  for (const idx of groups.values()) {
    if (typeof idx === 'number') continue;
    const keys = idx.map((i) => sortKey(i));
    const order = idx.map((i, k) => ({ i, key: keys[k] })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    // Labels that already differ (two anonymous works, “Review of the literature” n.d. and
    // “Review of recovery” n.d., share the id stem `reviewnd`) need no letter; only the ids do.
    const labelsDiffer = new Set(idx.map((i) => labels[i])).size === idx.length;
    const baseId = ids[idx[0]];
    let letter = 0;
    for (const { i } of order) {
      // Skip a suffixed id that another work already has as its base (`smith2020a` is a real key).
      let sfx = suffixLetters(letter++);
      while (taken(baseId + sfx)) sfx = suffixLetters(letter++);
      if (!labelsDiffer) labels[i] = labels[i] + (labels[i].endsWith('n.d.') ? '-' : '') + sfx;
      ids[i] = baseId + sfx;
      suffixed.add(ids[i]);
    }
  }
  return { labels, ids };
}
