/**
 * Rendering works for the editor: hover cards (Markdown), one-line plain text, and citations.
 *
 * Corpus text is untrusted (it comes from downloaded records). Everything derived from it goes
 * through `escapeMarkdown`, which makes it inert in a VS Code `MarkdownString` with
 * `isTrusted = false` and `supportHtml = false`: no links, images, HTML, headings or lists can be
 * smuggled in. The only markup in a card is our own (bold, italics, one DOI link whose target is
 * percent-encoded, horizontal rules). All functions are linear in their input.
 */
import type { Name, Work } from './model';
import { citekeyText } from './keys';

// ---------------------------------------------------------------------------------------------
// Cleaning and escaping

/**
 * Bidi controls (LRM/RLM, ALM, embeddings/overrides, isolates), C0/C1 controls other than
 * tab/newline/CR, DEL, and invisible characters that only serve to disguise text.
 */
const INVISIBLE_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;
const WHITESPACE_RE = /[\s\u2028\u2029]+/g;

/** Default cap for one escaped string (characters before escaping). */
export const MAX_TEXT = 2000;

/**
 * Removes controls and invisible characters, collapses whitespace (newlines included) to single
 * spaces, trims, and caps the length at `max` characters (with `…`), never splitting a
 * surrogate pair. Plain text: no Markdown escaping.
 */
export function cleanText(s: string | undefined | null, max = MAX_TEXT): string {
  if (!s) return '';
  let t = String(s);
  // Cap early so pathological inputs cost little.
  const early = max * 4 + 16;
  const cut = t.length > early;
  if (cut) t = t.slice(0, early);
  t = t.replace(INVISIBLE_RE, '').replace(WHITESPACE_RE, ' ').trim();
  if (cut && t.length <= max) return t + '…';
  return truncate(t, max);
}

/**
 * At most `max` characters of `sentence` that include `focus` (the citation), cut at word
 * boundaries with `…` on the cut sides: a long citing sentence still shows the part that cites.
 */
export function excerptAround(sentence: string, focus: string, max: number): string {
  if (sentence.length <= max) return sentence;
  const at = focus ? sentence.indexOf(focus) : -1;
  if (at === -1) return truncate(sentence, max, true);
  // Put the citation near the end of the window: what leads up to it says why it is cited.
  let from = Math.max(0, Math.min(at + focus.length + 40 - max, sentence.length - max));
  if (from > 0) {
    const space = sentence.indexOf(' ', from);
    if (space !== -1 && space < at) from = space + 1;
  }
  const head = from > 0 ? '…' : '';
  const rest = sentence.slice(from);
  return head + (rest.length > max ? truncate(rest, max, true) : rest);
}

/** Cuts at `max` characters, preferring a word boundary in the last fifth, and appends `…`. */
function truncate(t: string, max: number, atWord = false): string {
  if (t.length <= max) return t;
  let cut = max;
  if (atWord) {
    const space = t.lastIndexOf(' ', max);
    if (space > max * 0.8) cut = space;
  }
  // Don't split a surrogate pair.
  const code = t.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return t.slice(0, cut).replace(/[\s,;:.\-–—]+$/, '') + '…';
}

const ESCAPE_RE = /[\\`*_{}[\]()#+\-.!|<>~&:=^$]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const MESSAGE_ESCAPE_RE = /[\\`*_{}[\]()#+\-.!|<>~&=^$]/g;

/** Escapes already-cleaned text. */
function escapeClean(t: string): string {
  return t.replace(ESCAPE_RE, (c) => ESCAPES[c] ?? '\\' + c);
}

/**
 * Makes untrusted text inert Markdown: strips bidi and other control characters, collapses
 * whitespace, caps the length at `max`, and escapes every character Markdown (CommonMark + GFM)
 * gives meaning to. `&`, `<`, `>` and quotes become entities, so the result contains no raw
 * HTML-significant characters at all; the others get a backslash (`:` too, which defeats
 * autolinks such as `https://…`).
 */
export function escapeMarkdown(s: string | undefined | null, max = MAX_TEXT): string {
  return escapeClean(cleanText(s, max));
}

/**
 * Markup that publishers embed in titles and abstracts (HTML, JATS, MathML): inline tags are
 * dropped, block tags become spaces. Only these known tag names, so `x<y and z>w` survives.
 */
const INLINE_TAG_RE =
  /<\/?(?:jats:)?(?:i|b|em|strong|sup|sub|span|u|small|font|sc|scp|italic|bold|underline|a|mml:[a-z]+|math|inline-formula|tex-math)(?:\s[^<>]{0,500})?\/?>/gi;
const BLOCK_TAG_RE =
  /<\/?(?:jats:)?(?:p|br|div|title|sec|abstract|list|list-item|label|img|script|style|iframe|object|embed|svg|h[1-6])(?:\s[^<>]{0,500})?\/?>/gi;

/** `cleanText` for prose fields that may carry publisher markup. */
export function cleanProse(s: string | undefined | null, max = MAX_TEXT): string {
  if (!s) return '';
  let t = String(s);
  if (t.length > max * 4 + 16) t = t.slice(0, max * 4 + 16) + ' …';
  if (t.includes('<')) t = t.replace(INLINE_TAG_RE, '').replace(BLOCK_TAG_RE, ' ');
  return cleanText(t, max);
}

// ---------------------------------------------------------------------------------------------
// Work fields

/** `Given Family` (with particles), or the literal name. Plain text. */
export function displayName(name: Name): string {
  if (name.literal) return cleanText(name.literal, 200);
  const parts = [
    name.given,
    name['dropping-particle'],
    name['non-dropping-particle'],
    name.family,
  ].filter((p): p is string => !!p && p.trim() !== '');
  let s = parts.join(' ');
  if (name.suffix) s += ', ' + name.suffix;
  return cleanText(s, 200);
}

/** The name as it appears in an author–date citation: `van Gogh`, `World Health Organization`. */
function citationName(name: Name): string {
  if (name.family) {
    const particle = name['non-dropping-particle'];
    return cleanText(particle ? `${particle} ${name.family}` : name.family, 200);
  }
  if (name.literal) return cleanText(name.literal, 200);
  return cleanText(name.given, 200);
}

/** The issued year as a string, if any (`2019`). */
export function yearOf(work: Work): string | undefined {
  const issued = work.issued;
  const y = issued?.['date-parts']?.[0]?.[0];
  if (y !== undefined && String(y).trim() !== '') return String(y).trim();
  const raw = issued?.raw ?? issued?.literal;
  const m = raw ? /\b(\d{4})\b/.exec(raw) : null;
  return m ? m[1] : undefined;
}

/** Year for a citation, with the label's disambiguation suffix: `2020a`; `n.d.` if none. */
export function citationYear(work: Work): string {
  const label = cleanText(work['citation-label'], 300);
  const m = /(?:^|\s)(\d{4}|n\.d\.)([a-z]?)$/.exec(label);
  const year = yearOf(work);
  if (year) return m && m[1] === year ? year + m[2] : year;
  if (m) return m[1] + m[2];
  return 'n.d.';
}

/** Author names for a citation: personal authors, else group authors, else the label. */
function citationNames(work: Work): { names: string[]; etAl: boolean } {
  const xc = work['x-corpus'];
  const authors = (work.author ?? []).map(citationName).filter((s) => s !== '');
  const etAl = xc?.etAl === true;
  if (authors.length) return { names: authors, etAl };
  const groups = (xc?.groupAuthors ?? []).map((g) => cleanText(g, 200)).filter((s) => s !== '');
  if (groups.length) return { names: groups, etAl };
  const editors = (work.editor ?? []).map(citationName).filter((s) => s !== '');
  if (editors.length) return { names: editors, etAl };
  // The label without its year: `World Health Organization 2021` → `World Health Organization`.
  const label = cleanText(work['citation-label'], 300).replace(/\s*(?:\d{4}|n\.d\.)[a-z]?$/, '');
  const byLabel = label.replace(/\s+et al\.?$/, '');
  if (byLabel) return { names: [byLabel], etAl: byLabel !== label };
  const title = cleanText(work.title, 60);
  return { names: [title || work.id], etAl: false };
}

function namePart(work: Work, and: string): string {
  const { names, etAl } = citationNames(work);
  if (names.length >= 3 || (etAl && names.length >= 1)) return `${names[0]} et al.`;
  if (names.length === 2) return `${names[0]} ${and} ${names[1]}`;
  return names[0];
}

export type CitationStyle = 'pandoc' | 'authorDate' | 'narrative';

/**
 * The text to insert for a citation.
 * - `pandoc`: `[@id]`, or `@id` when the cursor is already inside `[...]` / after `;`.
 * - `authorDate`: `(Voronka, 2019)`, `(Mead & Filson, 2017)`, `(Ahmed et al., 2015)`.
 * - `narrative`: `Voronka (2019)`, `Mead and Filson (2017)`, `Ahmed et al. (2015)`.
 */
export function formatCitation(work: Work, style: CitationStyle, ctx: { insideBrackets: boolean; key?: string }): string {
  switch (style) {
    case 'pandoc': {
      // `ctx.key`: one of the work's aliases, when the user is typing that one. Pandoc cuts a bare
      // key at punctuation not followed by a letter or digit; braces keep it.
      const key = citekeyText(ctx.key ?? work.id);
      return ctx.insideBrackets ? key : `[${key}]`;
    }
    case 'authorDate':
      return `(${namePart(work, '&')}, ${citationYear(work)})`;
    case 'narrative':
      return `${namePart(work, 'and')} (${citationYear(work)})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Plain text

/**
 * The authors of a completion row, plain text: up to `max` family names (`Perkins, Repper`,
 * `Mackay, Gillard, Mead et al.`), so a co-author match says why it matched; '' if none.
 */
export function authorsShort(work: Work, max = 3): string {
  const xc = work['x-corpus'];
  let names = (work.author ?? []).map(citationName).filter((s) => s !== '');
  if (!names.length) names = (xc?.groupAuthors ?? []).map((g) => cleanText(g, 80)).filter((s) => s !== '');
  if (!names.length) names = (work.editor ?? []).map(citationName).filter((s) => s !== '');
  if (!names.length) return '';
  const more = names.length > max || xc?.etAl === true;
  return names.slice(0, max).join(', ') + (more ? ' et al.' : '');
}

/** The title of a completion row and its venue, plain text: `Where is peer support going? · Mental Health Review`. */
export function titleLine(work: Work, maxTitle = 160): string {
  const title = cleanProse(work.title, maxTitle) || cleanProse(work['x-corpus']?.translatedTitle, maxTitle);
  const venue = cleanProse(work['container-title'], 80);
  return [title, venue].filter((s) => s !== '').join(' · ');
}

function withStop(s: string): string {
  return /[.!?…]$/.test(s) ? s : s + '.';
}

/** One line for tooltips and quick-pick details: `Voronka 2019 — Title. Venue.` */
export function renderPlain(work: Work): string {
  const label = cleanText(work['citation-label'], 200) || work.id;
  const title = cleanProse(work.title, 300) || cleanProse(work['x-corpus']?.translatedTitle, 300);
  const venue = cleanProse(work['container-title'], 200);
  let s = label;
  if (title) s += ` — ${withStop(title)}`;
  if (venue) s += `${title ? ' ' : ' — '}${withStop(venue)}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Hover card

const DOI_RE = /^10\.\d{4,9}\/\S+$/;

/** Percent-encodes a DOI for a URL path: everything but unreserved characters and `/`. */
export function encodeDoiForUrl(doi: string): string {
  return encodeURIComponent(doi)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%2F/gi, '/');
}

/** A DOI link `[10.x/y](https://doi.org/…)`, or escaped text if the DOI looks wrong. */
function doiMarkdown(rawDoi: string): string {
  const doi = cleanText(rawDoi, 300).replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
  if (!DOI_RE.test(doi) || doi.endsWith('…')) return `DOI: ${escapeClean(doi)}`;
  return `DOI: [${escapeClean(doi)}](https://doi.org/${encodeDoiForUrl(doi)})`;
}

/** A translation function: the English message with `{0}`… placeholders, and its arguments. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

/** The English messages as they are (the CLI, tests): placeholders filled in. */
export const englishText: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));

/**
 * A translated message as Markdown: the message's own text is escaped (a translation may hold
 * `.`, `*` or `:`), the arguments are Markdown already and go in as they are.
 */
export function markdownMessage(t: Translate, message: string, ...markdownArgs: string[]): string {
  // Private-use characters stand in for the arguments while the message is escaped.
  const text = t(message, ...markdownArgs.map((_, i) => `\ue000${i}\ue001`));
  // `:` stays: it matters only to autolinks (`https:`), and a message of ours holds no URL.
  const escaped = text.replace(MESSAGE_ESCAPE_RE, (c) => ESCAPES[c] ?? '\\' + c);
  return escaped.replace(/\ue000(\d+)\ue001/g, (_, i: string) => markdownArgs[Number(i)] ?? '');
}

export interface CardOptions {
  /** Citation label of a work id, for "Cited in" lines (undefined: show the id). */
  citedByLabels: (id: string) => string | undefined;
  /** The user's language for the card's own words (default: English). */
  t?: Translate;
  /**
   * The work's entry as the bibliography style prints it (`referenceMarkdown`), when the style
   * engine has it: it takes the place of the authors and venue lines (they are in it).
   */
  reference?: string;
  /** Markdown of our own (the hover's command links), its own block after the fields, before the abstract. */
  actions?: string;
  /** Abstract length before it is cut at a word boundary. Default 600. */
  maxAbstract?: number;
  /** Authors listed before "et al.". Default 8. */
  maxAuthors?: number;
  /** Citing sentences shown for a cited-only work. Default 3. */
  maxContexts?: number;
}

/**
 * Markdown for a hover card. Safe for a MarkdownString with supportHtml=false: all corpus text
 * is escaped; no HTML or images are emitted, and no links but the DOI's and the caller's actions.
 * Each field appears once: a work without a title is headed by its label, and its authors and
 * year follow only when they say more than the label.
 */
export function renderCard(work: Work, opts: CardOptions): string {
  const t = opts.t ?? englishText;
  const xc = work['x-corpus'];
  const maxAuthors = Math.max(1, opts.maxAuthors ?? 8);
  const maxAbstract = Math.max(40, opts.maxAbstract ?? 600);
  const maxContexts = Math.max(0, opts.maxContexts ?? 3);
  const blocks: string[] = [];

  // Title (+ translated title on its own line); the label when there is no title.
  const title = escapeClean(cleanProse(work.title, 500));
  const translated = escapeClean(cleanProse(xc?.translatedTitle, 500));
  const labelText = cleanText(work['citation-label'], 200) || work.id;
  const head: string[] = [];
  if (title) head.push(`**${title}**`);
  else head.push(`**${escapeClean(labelText)}**`);
  if (translated && translated !== title) head.push(`*${translated}*`);
  blocks.push(head.join('  \n'));

  const lines: string[] = [];
  if (opts.reference) lines.push(opts.reference);
  else {
    // Authors · year.
    const meta: string[] = [];
    const names = (work.author ?? []).map(displayName).filter((s) => s !== '');
    const groups = (xc?.groupAuthors ?? []).map((g) => cleanText(g, 200)).filter((s) => s !== '');
    const all = [...names, ...groups.filter((g) => !names.includes(g))];
    const year = yearOf(work);
    const yearText = year ? cleanText(year, 20) : t('n.d.');
    // Headed by its label (`Voronka 2019`): a lone author the label names and the label's year add nothing.
    const saysMore = title !== '' || all.length > 1 || (all.length === 1 && `${all[0]} ${yearText}` !== labelText && !labelText.startsWith(`${all[0]} `));
    if (all.length && saysMore) {
      const shown = all.slice(0, maxAuthors).map(escapeClean);
      let line = shown.join(', ');
      if (all.length > maxAuthors || xc?.etAl) line += ' ' + markdownMessage(t, 'et al.');
      meta.push(line);
    }
    // The label says the year, or `n.d.`, already when it heads the card.
    if (title || !(year ? labelText.includes(yearText) : /\bn\.d\.[a-z]?$/.test(labelText))) meta.push(escapeClean(yearText));
    if (meta.length) lines.push(meta.join(' · '));

    // Venue volume(issue):pages.
    const venue = escapeClean(cleanProse(work['container-title'], 300));
    const volume = escapeMarkdown(work.volume, 40);
    const issue = escapeMarkdown(work.issue, 40);
    const page = escapeMarkdown(work.page, 60);
    let where = volume;
    if (issue) where += `\\(${issue}\\)`;
    if (page) where += (where ? ':' : 'pp\\. ') + page;
    if (venue || where) lines.push([venue ? `*${venue}*` : '', where].filter((s) => s).join(', '));
  }

  // Identifiers.
  const ids: string[] = [];
  if (work.DOI) ids.push(doiMarkdown(work.DOI));
  if (work.PMID) ids.push(`PMID: ${escapeMarkdown(work.PMID, 40)}`);
  if (work.PMCID) ids.push(`PMCID: ${escapeMarkdown(work.PMCID, 40)}`);
  if (ids.length) lines.push(ids.join(' · '));

  // Keywords.
  if (work.keyword) {
    const kws = work.keyword
      .slice(0, 5000)
      .split(/[;,]/)
      .map((k) => escapeMarkdown(k, 80))
      .filter((k) => k !== '');
    if (kws.length) lines.push(markdownMessage(t, 'Keywords: {0}', `${kws.slice(0, 15).join(', ')}${kws.length > 15 ? ', …' : ''}`));
  }
  if (lines.length) blocks.push(lines.join('  \n'));
  // The actions before the long parts: a hover shows its top first and scrolls the rest.
  if (opts.actions) blocks.push(opts.actions);

  // Abstract.
  if (work.abstract) {
    const plain = cleanProse(work.abstract, maxAbstract * 4);
    const cut = truncate(plain, maxAbstract, true);
    if (cut) blocks.push('---', escapeClean(cut));
  }

  // Where a cited-only work is cited.
  const contexts = xc?.kind === 'cited' ? (xc.contexts ?? []) : [];
  if (contexts.length && maxContexts > 0) {
    const out: string[] = [];
    for (const c of contexts.slice(0, maxContexts)) {
      const label = `**${escapeMarkdown(opts.citedByLabels(c.by) ?? c.by, 200)}**`;
      const sentence = escapeClean(excerptAround(cleanProse(c.sentence, 2000), cleanProse(c.text, 300), 300));
      out.push(sentence ? markdownMessage(t, 'Cited in {0}: “{1}”', label, sentence) : markdownMessage(t, 'Cited in {0}', label));
    }
    if (contexts.length > maxContexts) out.push(markdownMessage(t, 'and {0} more', String(contexts.length - maxContexts)));
    blocks.push('---', out.join('  \n'));
  }

  return blocks.join('\n\n');
}

const ENTITY_RE = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(ENTITY_RE, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name.toLowerCase()] ?? m;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

/**
 * One bibliography entry of citeproc's HTML as inert Markdown for a card: italics kept, every
 * other tag dropped, a numeric style's `[1]` margin dropped, the text escaped and capped.
 */
export function referenceMarkdown(html: string, max = 1000): string {
  const body = html.slice(0, max * 8).replace(/<div class="csl-left-margin">[^<]*<\/div>/g, '');
  let out = '';
  let italic = false;
  let space = false;
  for (const piece of body.split(/(<\/?(?:i|em)>)/)) {
    if (/^<(?:i|em)>$/.test(piece)) italic = true;
    else if (/^<\/(?:i|em)>$/.test(piece)) italic = false;
    else {
      // The DOI has its own line (a link): not again as text in the entry.
      const raw = decodeEntities(piece.replace(/<[^>]*>?/g, ' ')).replace(/\s*https?:\/\/(?:dx\.)?doi\.org\/\S+/gi, '');
      const text = escapeMarkdown(raw, max);
      if (!text) {
        space ||= raw !== '';
        continue;
      }
      if (out && (space || /^\s/.test(raw))) out += ' ';
      out += italic ? `*${text}*` : text;
      space = /\s$/.test(raw);
    }
  }
  return out;
}
