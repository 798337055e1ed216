/**
 * ScienceOpen article pages: counters and badges, the title, a (structured) abstract, "Most
 * cited references", and "Author and article information" with journal, ISSNs, dates, volume,
 * issue, pages, DOI, PMCID, PMID, licence and keywords.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { type Line, extractDoi, normalisePages, parseDateParts, squash, toLines } from '../model/text';
import { problemText } from '../model/problemText';

/** Page furniture: never part of a field. */
const FURNITURE = new RegExp(
  '^(?:\\d+|views?|recommends?|\\+1 Recommend|\\d+ collections?|shares?|[•·]?\\s*(?:Record|Abstract|Article): (?:not )?found|Is Open Access|' +
    'Read this article at|Bookmark|There is no author summary for this article yet\\..*|Related collections|Comments|Comment on this article|' +
    'Similar content\\s*\\d*|Cited by\\s*\\d*|Scite|Download|Share|Cite as\\.\\.\\.|Further reading|See all)$',
  'i',
);
const SECTION = /^(?:Abstract|Most cited references\s*\d*|Author and article information|Contributors|Journal|Affiliations|Author notes|Author information|Article|History|Page count|Funding|Categories|Custom metadata|Comments)$/i;
const ARTICLE_TYPES = /^(?:research-article|review-article|editorial|letter|case-report|brief-report|article-commentary|other|discussion|correction|abstract|book-review|rapid-communication)$/i;
const ABSTRACT_HEADING = /^[\p{Lu}][\p{L} /&'’-]{1,60}$/u;
/** A keyword list: words separated by commas, nothing else (no sentence, no URL). */
const KEYWORD_LINE = /^[^,]{1,120}(?:,[^,]{1,120}){2,}$/;
const EMAIL = /[\w.+-]+@\s*[\w-]+(?:\.[\w-]+)+/g;

/** True when the text looks like a ScienceOpen page. */
export function sniffScienceOpen(head: string): boolean {
  const h = head.slice(0, 65536);
  let score = 0;
  if (/Record: found/.test(h)) score++;
  if (/^\s*Most cited references/m.test(h)) score++;
  if (/^\s*Author and article information\s*$/m.test(h)) score += 2;
  if (/^\s*\+1 Recommend\s*$/m.test(h)) score++;
  if (/ScienceOpen/.test(h)) score++;
  return score >= 2;
}

function sections(lines: Line[]): Map<string, Line[]> {
  const out = new Map<string, Line[]>();
  let cur = 'head';
  out.set(cur, []);
  for (const l of lines) {
    if (SECTION.test(l.text)) {
      cur = l.text.replace(/\s*\d+$/, '').toLowerCase();
      if (/^most cited references/i.test(l.text)) {
        const n = /(\d+)$/.exec(l.text);
        if (n) out.set('#refcount', [{ n: l.n, text: n[1] }]);
      }
      if (!out.has(cur)) out.set(cur, []);
      continue;
    }
    out.get(cur)!.push(l);
  }
  return out;
}

function parseReferences(lines: Line[]): ParsedRecord[] {
  // Each reference ends with "Bookmark"; badges ("• Record: found") come first.
  const refs: ParsedRecord[] = [];
  let chunk: Line[] = [];
  const flush = () => {
    const content = chunk.filter((l) => l.text && !FURNITURE.test(l.text));
    chunk = [];
    if (!content.length) return;
    const [t, ...rest] = content;
    const rec: ParsedRecord = { line: t.n, csl: { type: 'article-journal', title: squash(t.text) }, fieldLines: { title: t.n } };
    const abstract: Line[] = [];
    for (const l of rest) {
      const by = /^(.{2,300}?)\s*\((\d{4})\)$/.exec(l.text);
      if (by && !rec.csl.author) {
        const names = by[1].split(/\s*[,;]\s*|\s+and\s+/).map((s) => parsePersonName(s)).filter((n): n is Name => n !== undefined);
        if (names.length) rec.csl.author = names;
        rec.csl.issued = { 'date-parts': [[Number(by[2])]] };
        rec.fieldLines.author = rec.fieldLines.issued = l.n;
      } else abstract.push(l);
    }
    if (abstract.length) {
      rec.csl.abstract = squash(abstract.map((l) => l.text).join(' '));
      rec.fieldLines.abstract = abstract[0].n;
    }
    refs.push(rec);
  };
  for (const l of lines) {
    if (/^Bookmark$/i.test(l.text)) flush();
    else chunk.push(l);
  }
  flush();
  return refs;
}

/** Parses one ScienceOpen page. */
export function parseScienceOpen(text: string, file: string): ParsedFile {
  const lines = toLines(text);
  const secs = sections(lines);
  const head = (secs.get('head') ?? []).filter((l) => l.text && !FURNITURE.test(l.text));
  const titleLine = head.find((l) => !ARTICLE_TYPES.test(l.text));
  if (!titleLine) return { file, format: 'scienceopen', records: [], problems: [{ file, line: 1, severity: 'error', ...problemText('No title found on this ScienceOpen page; skipped it.') }] };
  const csl: CslFields = { type: 'article-journal', title: squash(titleLine.text) };
  const fieldLines: Record<string, number> = { title: titleLine.n };
  const rec: ParsedRecord = { line: titleLine.n, csl, fieldLines };
  const extra: Record<string, string> = {};
  const articleType = head.find((l) => ARTICLE_TYPES.test(l.text));
  if (articleType) extra.articleType = articleType.text;

  // Abstract: headings (short capitalised lines without a full stop) followed by paragraphs.
  const abs = (secs.get('abstract') ?? []).filter((l) => l.text && !FURNITURE.test(l.text));
  if (abs.length) {
    const paras: string[] = [];
    let heading: string | undefined;
    for (let i = 0; i < abs.length; i++) {
      const t = abs[i].text;
      const next = abs[i + 1]?.text;
      if (ABSTRACT_HEADING.test(t) && !/[.:;]$/.test(t) && t.split(' ').length <= 6 && next !== undefined && !ABSTRACT_HEADING.test(next)) {
        heading = t;
        continue;
      }
      paras.push(heading ? `${heading}: ${squash(t)}` : squash(t));
      heading = undefined;
    }
    csl.abstract = paras.join('\n');
    fieldLines.abstract = abs[0].n;
    rec.textBlocks = [{ text: abs.map((l) => l.text).join('\n'), line: abs[0].n }];
  }

  const refs = parseReferences(secs.get('most cited references') ?? []);
  if (refs.length) rec.children = refs.map((record) => ({ relation: 'reference' as const, record }));
  const refCount = secs.get('#refcount')?.[0];
  if (refCount) extra.referenceCount = refCount.text;

  // Journal block: abbreviations, journal DOI, code, full name, publisher, ISSNs, dates, volume/issue/pages.
  const journal = (secs.get('journal') ?? []).filter((l) => l.text);
  const shortNames: string[] = [];
  const issns: string[] = [];
  const dates: { parts: number[]; n: number }[] = [];
  const colon: Line[] = [];
  for (const l of journal) {
    const t = l.text;
    if (/^:\s*/.test(t)) colon.push({ n: l.n, text: t.replace(/^:\s*/, '') });
    else if (/^\d{4}-\d{3}[\dXx]$/.test(t)) issns.push(t);
    else if (/^10\.\d{4,9}\//.test(t)) continue; // the journal's own DOI
    else if (parseDateParts(t)) dates.push({ parts: parseDateParts(t)!, n: l.n });
    else if (/\(\s*[^)]*\)\s*$/.test(t) && /\b(?:Inc|Ltd|LLC|Press|Publishing|Publishers|Wiley|Sons|Elsevier|Springer|BMJ|Media|GmbH|Limited|University)\b/.test(t)) {
      const pm = /^(.*?)\s*\(\s*([^)]*?)\s*\)\s*$/.exec(t)!;
      csl.publisher = pm[1];
      if (pm[2]) csl['publisher-place'] = pm[2];
    } else if (/^[A-Z0-9]{2,8}$/.test(t)) continue; // the journal code ("HEX")
    else shortNames.push(t);
  }
  if (shortNames.length) {
    // The full name is the longest; the abbreviations are the shorter ones.
    const sorted = [...shortNames].sort((a, b) => b.length - a.length);
    csl['container-title'] = squash(sorted[0]);
    fieldLines['container-title'] = journal.find((l) => l.text === sorted[0])!.n;
    const abbrev = shortNames.find((s) => s !== sorted[0]);
    if (abbrev) csl['container-title-short'] = abbrev;
  }
  if (issns.length) csl.ISSN = [...new Set(issns)].join(', ');
  if (dates.length) {
    // First the online date, then the issue date.
    const issue = dates.length > 1 ? dates[1] : dates[0];
    csl.issued = { 'date-parts': [issue.parts] };
    fieldLines.issued = issue.n;
    if (dates.length > 1) csl['available-date'] = { 'date-parts': [dates[0].parts] };
  }
  const [vol, iss, pg] = colon;
  if (vol) {
    csl.volume = vol.text;
    fieldLines.volume = vol.n;
  }
  if (iss) {
    csl.issue = iss.text.replace(/\s*\(.*$/, '');
    fieldLines.issue = iss.n;
  }
  if (pg) {
    const p = normalisePages(pg.text);
    if (p) {
      csl.page = p;
      fieldLines.page = pg.n;
    }
  }

  // Article block: internal id, DOI, PMCID, PMID, UUID, copyright, licence.
  const article = (secs.get('article') ?? []).filter((l) => l.text);
  const numbers: Line[] = [];
  for (const l of article) {
    const t = l.text;
    if (!csl.DOI && /^10\.\d{4,9}\/\S+$/.test(t)) {
      csl.DOI = extractDoi(t);
      fieldLines.DOI = l.n;
    } else if (/^(?:PMC)?\d{5,9}$/.test(t)) numbers.push(l);
    else if (/creativecommons\.org\/\S+/.test(t)) {
      csl.license = /(https?:\/\/creativecommons\.org\/[^\s,]+?)\/?(?=[\s,]|$)/.exec(t)?.[1] + '/';
      fieldLines.license = l.n;
    }
  }
  // ScienceOpen lists the PMCID before the PMID; an article outside PubMed Central has only a PMID.
  const [pmcid, pmid] = numbers.length >= 2 ? [numbers[0], numbers[1]] : [undefined, numbers[0]];
  if (pmcid) {
    csl.PMCID = pmcid.text.startsWith('PMC') ? pmcid.text : `PMC${pmcid.text}`;
    fieldLines.PMCID = pmcid.n;
  }
  if (pmid) {
    csl.PMID = pmid.text.replace(/^PMC/, '');
    fieldLines.PMID = pmid.n;
  }

  // Authors: the page lists contributor roles; names appear in the correspondence note.
  const notes = (secs.get('author notes') ?? []).filter((l) => l.text && !/^\[/.test(l.text) && !/^Correspondence$/i.test(l.text) && !/^E-?mail:/i.test(l.text));
  const authors: Name[] = [];
  for (const l of notes) {
    const t = l.text.replace(EMAIL, '').trim();
    const m = /^([\p{Lu}][\p{L}'’.-]+(?:\s+[\p{Lu}][\p{L}'’.-]+){1,3})\s*,/u.exec(t);
    if (m) {
      const n = parsePersonName(m[1]);
      if (n && !authors.some((a) => a.family === n.family)) {
        authors.push(n);
        fieldLines.author ??= l.n;
      }
    }
  }
  if (authors.length) csl.author = authors;
  const contributors = (secs.get('contributors') ?? []).filter((l) => /^Role:/i.test(l.text)).length;
  if (contributors) extra.contributors = String(contributors);

  const pageCount = (secs.get('page count') ?? []).map((l) => /Pages:\s*(\d+)/.exec(l.text)?.[1]).find(Boolean);
  if (pageCount) csl['number-of-pages'] = pageCount;

  // Keywords: the comma-separated line at the end of the article information. It closes the
  // custom metadata block when the page has one, but funding, page count and custom metadata are
  // optional: without them it follows the categories (or the history), so it is anchored on its
  // own shape and on being the last such line of those sections, not on the block before it.
  const tail = ['article', 'history', 'page count', 'funding', 'categories', 'custom metadata']
    .flatMap((k) => secs.get(k) ?? [])
    .filter((l) => l.text)
    .sort((a, b) => a.n - b.n);
  const kw = [...tail].reverse().find((l) => KEYWORD_LINE.test(l.text) && (l.text.match(/,/g) ?? []).length >= 2 && !/[.:]\s|[.:]$|https?:|@/.test(l.text));
  if (kw) {
    csl.keyword = kw.text.split(/\s*,\s*/).filter(Boolean).join(', ');
    fieldLines.keyword = kw.n;
  }
  const categories = (secs.get('categories') ?? []).filter((l) => l.text && l !== kw).map((l) => l.text);
  if (categories.length) extra.categories = categories.join('; ');
  if (Object.keys(extra).length) rec.extra = extra;
  return { file, format: 'scienceopen', records: [rec], problems: [] };
}
