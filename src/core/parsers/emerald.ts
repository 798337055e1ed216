/**
 * Emerald article pages as served through vLex: a header whose labels run into their values
 * (`Published date15 May 2019`, `Pages61-63`, `DOIhttps://doi.org/…`, `AuthorA,B`), body text,
 * and the printed page footer `DOI … VOL. 23 NO. 2 2019, pp. 61-63, © Emerald Publishing
 * Limited, ISSN 2042-8308` followed by a mangled running head with the journal name.
 */
import type { CslFields, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { extractDoi, joinWrapped, normalisePages, parseDateParts, segmentWord, squash, titleCaseIfShouting, toLines, vocabularyOf } from '../model/text';
import { problemText } from '../model/problemText';

const HEADER = /^(Published date|Date|Pages|DOI|Author|Subject Matter|Publisher|Journal|Issue|Volume|ISSN)\s*(.*)$/;
const FOOTER = /\bVOL\.\s*(\w+)\s+NO\.\s*(\w+)\s+(\d{4}),\s*pp?\.\s*([\w]+(?:\s*[-–]\s*[\w]+)?)/i;
/** Lines that belong to the web page, never to the article. */
/** Words common in journal names, to split a run-together running head even when the body is short. */
const JOURNAL_WORDS = 'journal of and the for in on international health mental social inclusion research review reviews studies science sciences medicine medical psychology psychiatry nursing practice care public policy services quarterly annals bulletin clinical forensic management education learning development information technology library business marketing accounting finance economics law criminal justice children young people family work organization organisational organizational behaviour behavior quality safety'.split(' ');

const FURNITURE = /^(?:j|PAG\s*E\s*\d+|To continue reading|Request your trial|Subscribe|Log in|Sign in|Access through your institution|.*\bcookies?\b.*|.*\bVLEX\b.*|ACCEPT)$/i;

/** True when the text looks like an Emerald/vLex page. */
export function sniffEmerald(head: string): boolean {
  const h = head.slice(0, 65536);
  let score = 0;
  if (/^Published date\s*\S/m.test(h)) score += 2;
  if (/^Pages\s*\d/m.test(h)) score++;
  if (/^DOI\s*https?:\/\/doi\.org\//m.test(h)) score++;
  if (/^Author\S/m.test(h)) score++;
  if (/Emerald Publishing/.test(h)) score++;
  return score >= 3;
}

/** Parses one Emerald/vLex page into a record. */
export function parseEmerald(text: string, file: string): ParsedFile {
  const lines = toLines(text);
  const titleLine = lines.find((l) => l.text);
  if (!titleLine) return { file, format: 'emerald-vlex', records: [], problems: [{ file, line: 1, severity: 'error', ...problemText('Empty Emerald page; skipped it.') }] };
  const title = squash(titleLine.text);
  const csl: CslFields = { type: 'article-journal', title };
  const fieldLines: Record<string, number> = { title: titleLine.n };
  const rec: ParsedRecord = { line: titleLine.n, csl, fieldLines };

  let bodyStart = -1;
  let lastHeader = titleLine.n;
  for (const l of lines) {
    if (l.n <= titleLine.n) continue;
    const m = HEADER.exec(l.text);
    if (!m || bodyStart !== -1) {
      if (l.text && lastHeader > titleLine.n && bodyStart === -1 && !HEADER.test(l.text)) bodyStart = l.n;
      continue;
    }
    const [, label, value] = m;
    lastHeader = l.n;
    switch (label) {
      case 'Published date':
      case 'Date': {
        const parts = parseDateParts(value);
        if (parts && (!csl.issued || label === 'Published date')) {
          csl.issued = { 'date-parts': [parts] };
          fieldLines.issued = l.n;
        }
        break;
      }
      case 'Pages': {
        const p = normalisePages(value);
        if (p) {
          csl.page = p;
          fieldLines.page = l.n;
        }
        break;
      }
      case 'DOI': {
        const d = extractDoi(value);
        if (d) {
          csl.DOI = d;
          fieldLines.DOI = l.n;
        }
        break;
      }
      case 'Author': {
        const names = value.split(/\s*[,;]\s*|\s+and\s+/).map((s) => parsePersonName(s)).filter((n) => n !== undefined);
        if (names.length) {
          csl.author = names;
          fieldLines.author = l.n;
        }
        break;
      }
      case 'Subject Matter': {
        const kws = value.split(/\s*,\s*/).filter(Boolean);
        if (kws.length) {
          csl.keyword = kws.join(', ');
          fieldLines.keyword = l.n;
        }
        break;
      }
      case 'Publisher':
        if (value) csl.publisher = squash(value);
        break;
      default:
        break;
    }
  }

  // Body: after the byline and the repeated title, up to the first printed footer.
  const footerIdx = lines.findIndex((l) => FOOTER.test(l.text));
  const end = footerIdx === -1 ? lines.length : footerIdx;
  let from = lines.findIndex((l) => l.n === bodyStart);
  if (from !== -1 && !csl.author && from + 1 < end && lines[from + 1].text === title) {
    // No `Author` header (it is optional): the byline above the repeated title names the authors.
    const by = lines[from].text;
    const parts = by.split(/\s*[,;]\s*|\s+(?:and|&)\s+/).filter(Boolean);
    if (by.length < 200 && !/[.!?:]$/.test(by) && parts.length && parts.every((p) => /^[\p{Lu}][\p{L}'’.-]*(?:\s+[\p{L}'’.-]+){1,3}$/u.test(p))) {
      const names = parts.map((p) => parsePersonName(p)).filter((n) => n !== undefined);
      if (names.length) {
        csl.author = names;
        fieldLines.author = lines[from].n;
      }
    }
  }
  if (from !== -1) {
    // Skip the byline ("Rachel Perkins and Julie Repper") and the repeated title.
    for (let k = 0; k < 3 && from < end; k++) {
      const t = lines[from].text;
      if (t === title || (t.length < 120 && csl.author?.some((a) => a.family && t.includes(a.family)) && !/[.!?]$/.test(t))) from++;
      else break;
    }
    const body = lines.slice(from, end).filter((l) => l.text && !FURNITURE.test(l.text) && !FOOTER.test(l.text));
    if (body.length) {
      csl.abstract = joinWrapped(body.map((l) => l.text));
      fieldLines.abstract = body[0].n;
      rec.textBlocks = [{ text: lines.slice(from, end).map((l) => (FURNITURE.test(l.text) ? '' : l.text)).join('\n'), line: lines[from].n }];
    }
  }

  if (footerIdx !== -1) {
    const f = lines[footerIdx];
    const m = FOOTER.exec(f.text)!;
    csl.volume = m[1];
    csl.issue = m[2];
    fieldLines.volume = fieldLines.issue = f.n;
    if (!csl.issued) {
      csl.issued = { 'date-parts': [[Number(m[3])]] };
      fieldLines.issued = f.n;
    }
    if (!csl.page) {
      csl.page = normalisePages(m[4]);
      fieldLines.page = f.n;
    }
    const issn = /ISSN\s*([\dX]{4}-?[\dX]{4})/i.exec(f.text);
    if (issn) csl.ISSN = issn[1];
    const pub = /©\s*(?:\d{4}\s*)?([^,]+?)\s*(?:,|$)/.exec(f.text);
    if (pub) csl.publisher = pub[1].trim();
    if (!csl.DOI) {
      const d = extractDoi(f.text);
      if (d) csl.DOI = d;
    }
    // The running head after the footer: an upper-case journal name, words sometimes run
    // together ("MENTALHEALTH"); split those with the words the article itself uses.
    const vocab = vocabularyOf(csl.abstract ?? '');
    for (const w of JOURNAL_WORDS) vocab.add(w);
    for (let k = footerIdx + 1; k < Math.min(lines.length, footerIdx + 8); k++) {
      const t = lines[k].text;
      if (!t || FURNITURE.test(t)) continue;
      if (/^[\p{Lu}\s&,:'’-]{6,}$/u.test(t) && /\p{Lu}{3}/u.test(t)) {
        const fixed = t.split(/\s+/).map((w) => segmentWord(w, vocab)).join(' ');
        csl['container-title'] = titleCaseIfShouting(fixed);
        fieldLines['container-title'] = lines[k].n;
      } else if (/^[\p{L} ]{3,40}$/u.test(t) && !csl.genre && csl['container-title']) {
        csl.genre = t; // "Editorial", "Research paper", "Viewpoint"
        fieldLines.genre = lines[k].n;
      }
    }
  }
  return { file, format: 'emerald-vlex', records: [rec], problems: [] };
}
