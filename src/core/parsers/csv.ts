/**
 * Bibliographic CSV/TSV exports (Scopus, Web of Science tab-delimited, Lens, and any table whose
 * header row names Authors/Title/Year/Source title/DOI…) → ParsedRecords, with `csv-parse`.
 *
 * The delimiter (`,` `;` tab) is sniffed from the header row; quoted fields, embedded newlines
 * and a BOM are csv-parse's job. A record's line is its first physical line. A row without a
 * title is one problem; the other rows are kept. Scopus's "References" column becomes children
 * (relation `reference`) when a reference has a year and an author or title; reference lists
 * that are bare ids (Lens) are not turned into works.
 */
import { parse } from 'csv-parse/sync';
import type { CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { cleanDoi } from './jsonShape';
import { problemText } from '../model/problemText';

type Field =
  | 'title' | 'authors' | 'fullNames' | 'year' | 'date' | 'source' | 'sourceShort' | 'volume' | 'issue' | 'artNo'
  | 'pageStart' | 'pageEnd' | 'pages' | 'doi' | 'url' | 'abstract' | 'authorKeywords' | 'indexKeywords' | 'pmid'
  | 'pmcid' | 'issn' | 'eissn' | 'isbn' | 'publisher' | 'docType' | 'language' | 'references' | 'key' | 'citedBy' | 'editors';

/** Header names (lower case) of Scopus, Web of Science (tab-delimited codes) and Lens exports. */
const COLUMNS: Record<string, Field> = {
  title: 'title', ti: 'title', 'article title': 'title', 'document title': 'title',
  authors: 'authors', author: 'authors', au: 'authors', 'author/s': 'authors', 'author(s)': 'authors', creators: 'authors',
  'author full names': 'fullNames', af: 'fullNames',
  year: 'year', py: 'year', 'publication year': 'year', pubyear: 'year',
  'date published': 'date', 'publication date': 'date',
  'source title': 'source', so: 'source', journal: 'source', 'journal title': 'source', 'publication title': 'source', 'source title (journal)': 'source',
  'abbreviated source title': 'sourceShort', j9: 'sourceShort', ji: 'sourceShort',
  volume: 'volume', vl: 'volume',
  issue: 'issue', is: 'issue', 'issue number': 'issue',
  'art. no.': 'artNo', ar: 'artNo', 'article number': 'artNo',
  'page start': 'pageStart', bp: 'pageStart', 'start page': 'pageStart',
  'page end': 'pageEnd', ep: 'pageEnd', 'end page': 'pageEnd',
  pages: 'pages',
  doi: 'doi', di: 'doi',
  link: 'url', url: 'url', 'external url': 'url',
  abstract: 'abstract', ab: 'abstract',
  'author keywords': 'authorKeywords', de: 'authorKeywords', keywords: 'authorKeywords',
  'index keywords': 'indexKeywords', 'keywords plus': 'indexKeywords', 'mesh terms': 'indexKeywords',
  'pubmed id': 'pmid', pm: 'pmid', pmid: 'pmid',
  pmcid: 'pmcid',
  issn: 'issn', sn: 'issn', issns: 'issn',
  eissn: 'eissn', ei: 'eissn',
  isbn: 'isbn', bn: 'isbn',
  publisher: 'publisher', pu: 'publisher',
  'document type': 'docType', dt: 'docType', 'publication type': 'docType',
  'language of original document': 'language', la: 'language', language: 'language',
  references: 'references', cr: 'references', 'cited references': 'references',
  eid: 'key', ut: 'key', 'lens id': 'key', 'accession number': 'key',
  'cited by': 'citedBy', tc: 'citedBy', 'citing works count': 'citedBy', 'times cited, all databases': 'citedBy',
  editors: 'editors', be: 'editors',
};

const TYPES: [RegExp, string][] = [
  [/conference|proceedings/i, 'paper-conference'],
  [/book chapter|chapter/i, 'chapter'],
  [/^book$|^b$/i, 'book'],
  [/review|article|letter|editorial|note|erratum|survey|journal|^j$/i, 'article-journal'],
  [/thesis|dissertation/i, 'thesis'],
  [/report/i, 'report'],
  [/data ?set/i, 'dataset'],
  [/preprint/i, 'article'],
];

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Splits the header row (first line) on a delimiter, quotes respected, names lower-cased. */
function headerCells(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((c) => c.trim().toLowerCase());
}

function firstLine(text: string): string {
  const s = stripBom(text);
  const nl = s.search(/\r?\n/);
  return nl === -1 ? s : s.slice(0, nl);
}

/** The delimiter of the header row: the one of `,` `;` tab that splits it into most known columns. */
function sniffDelimiter(header: string): { delimiter: string; known: Set<Field> } {
  let best = { delimiter: ',', known: new Set<Field>() };
  for (const d of [',', ';', '\t']) {
    if (header.indexOf(d) === -1) continue;
    const known = new Set<Field>();
    for (const c of headerCells(header, d)) if (COLUMNS[c]) known.add(COLUMNS[c]);
    if (known.size > best.known.size) best = { delimiter: d, known };
  }
  return best;
}

/** True when the first line is a header row naming a title and at least two other bibliographic columns. */
export function sniffCsv(head: string): boolean {
  const line = firstLine(head);
  if (line.length > 20000) return false;
  const { known } = sniffDelimiter(line);
  if (!known.has('title')) return false;
  let others = 0;
  for (const f of ['authors', 'fullNames', 'year', 'date', 'source', 'doi', 'volume', 'abstract'] as Field[]) if (known.has(f)) others++;
  return others >= 2;
}

/** Scopus's "Author full names": `Smith, John (57192345678); Doe, Anne (123)`. */
function fullNames(s: string): Name[] {
  return s
    .split(';')
    .map((p) => parsePersonName(p.replace(/\(\s*\d+\s*\)/g, '')))
    .filter((n): n is Name => n !== undefined);
}

const FAMILY_INITIALS = /^[^,;()]{1,80}\s(?:\p{Lu}\.?(?:-?\p{Lu}\.?)*\s?){1,4}$/u;
const INITIALS = /^(?:\p{Lu}\.?(?:-?\p{Lu}\.?)*\s?){1,4}$/u;

/**
 * An author column: `Smith J.; Doe A.` (Scopus today), `Smith J., Doe A.` (Scopus before 2023),
 * `Smith, J.; Doe, A.` (Web of Science), `Smith, J., Doe, A.` (pairs), `John Smith; Anne Doe` (Lens).
 */
export function splitAuthors(raw: string): Name[] {
  const s = raw.trim();
  if (!s || /^\[no author name available\]$/i.test(s)) return [];
  let parts: string[];
  if (s.indexOf(';') !== -1) parts = s.split(';');
  else {
    const pieces = s.split(',').map((p) => p.trim()).filter(Boolean);
    if (pieces.length > 1 && pieces.every((p) => FAMILY_INITIALS.test(p))) parts = pieces;
    else if (pieces.length > 2 && pieces.length % 2 === 0 && pieces.every((p, i) => i % 2 === 0 || INITIALS.test(p))) {
      parts = [];
      for (let i = 0; i < pieces.length; i += 2) parts.push(`${pieces[i]}, ${pieces[i + 1]}`);
    } else parts = [s];
  }
  const out: Name[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (!t) continue;
    const n = parsePersonName(t);
    if (n) out.push(n);
  }
  return out;
}

const REF_AUTHOR_OLD = /^([^,()]{1,60}), ((?:\p{Lu}\.(?:-?\p{Lu}\.)*\s?){1,4}),\s*/u;
const REF_AUTHOR_NEW = /^([^,()]{1,60}?) ((?:\p{Lu}\.(?:-?\p{Lu}\.)*){1,4}),\s*/u;

/**
 * One Scopus reference: `Smith, J., Doe, A., Title (2019) Journal, 12 (3), pp. 45-67.` (before
 * 2023) or `Smith J., Doe A., Title, Journal, 12, 3, pp. 45-67, (2019)` (since). Undefined when
 * it has no year or neither authors nor title.
 */
export function parseScopusReference(raw: string, line: number): ParsedRecord | undefined {
  let s = raw.trim();
  if (s.length < 8 || s.length > 2000) return undefined;
  const years = [...s.matchAll(/\((\d{4})\)/g)];
  const y = years.length ? years[years.length - 1] : undefined;
  if (!y || y.index === undefined) return undefined;
  const year = Number(y[1]);
  const authors: Name[] = [];
  for (let guard = 0; guard < 100; guard++) {
    const m = REF_AUTHOR_OLD.exec(s) ?? REF_AUTHOR_NEW.exec(s);
    if (!m || m[1].length > 60) break;
    authors.push({ family: m[1].trim(), given: m[2].trim() });
    s = s.slice(m[0].length);
  }
  const yAt = s.lastIndexOf(y[0]);
  const before = s.slice(0, yAt).trim().replace(/[,.]\s*$/, '');
  const after = s.slice(yAt + y[0].length).trim().replace(/^[,.]\s*/, '');
  const csl: CslFields = { type: 'article-journal', issued: { 'date-parts': [[year]] } };
  let title: string | undefined;
  let source: string | undefined;
  let rest = '';
  if (after) {
    // Old style: "Title (2019) Source, 12 (3), pp. 1-2."
    title = before || undefined;
    const comma = after.indexOf(',');
    source = (comma === -1 ? after : after.slice(0, comma)).replace(/\.$/, '').trim() || undefined;
    rest = comma === -1 ? '' : after.slice(comma + 1);
  } else {
    // New style: "Title, Source, 12, 3, pp. 1-2, (2019)"
    const segs = before.split(', ');
    const tail: string[] = [];
    while (segs.length > 1 && /^(?:pp?\.\s*\S+|\d+[A-Za-z]?|Art\. no\. \S+)$/.test(segs[segs.length - 1])) tail.unshift(segs.pop() as string);
    if (segs.length > 1) source = segs.pop();
    title = segs.join(', ') || undefined;
    rest = tail.join(', ');
  }
  const vol = /^\s*(\d+[A-Za-z]?)(?:\s*\((\S+)\))?/.exec(rest);
  if (vol) {
    csl.volume = vol[1];
    if (vol[2]) csl.issue = vol[2];
  }
  const pp = /pp?\.\s*([\w]+(?:\s*-\s*\w+)?)/.exec(rest);
  if (pp) csl.page = pp[1].replace(/\s+/g, '');
  if (!authors.length && !title) return undefined;
  if (title) csl.title = title;
  if (authors.length) csl.author = authors;
  if (source) csl['container-title'] = source;
  const doi = /\b(10\.\d{4,9}\/[^\s,;]+)/.exec(raw);
  if (doi) csl.DOI = doi[1].replace(/[.)]+$/, '');
  return { line, csl, fieldLines: {} };
}

function typeOf(docType: string | undefined): string {
  if (!docType) return 'article-journal';
  for (const [re, t] of TYPES) if (re.test(docType)) return t;
  return 'article-journal';
}

function keywords(...cells: (string | undefined)[]): string | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of cells) {
    if (!c) continue;
    for (const k of c.split(';')) {
      const t = k.trim();
      if (t && !seen.has(t.toLowerCase())) {
        seen.add(t.toLowerCase());
        out.push(t);
      }
    }
  }
  return out.length ? out.join(', ') : undefined;
}

function rowRecord(get: (f: Field) => string | undefined, line: number): ParsedRecord {
  const docType = get('docType');
  const csl: CslFields = { type: typeOf(docType) };
  const fieldLines: Record<string, number> = {};
  const set = (key: string, v: string | undefined): void => {
    if (v === undefined || v === '') return;
    csl[key] = v;
    fieldLines[key] = line;
  };
  set('title', get('title'));
  const full = get('fullNames');
  const short = get('authors');
  const fromFull = full ? fullNames(full) : [];
  const fromShort = short ? splitAuthors(short) : [];
  // Full names carry given names; use them unless they disagree in number with the short list.
  const authors = fromFull.length && (!fromShort.length || fromFull.length === fromShort.length) ? fromFull : fromShort;
  if (authors.length) {
    csl.author = authors;
    fieldLines.author = line;
  }
  const editors = get('editors');
  if (editors) {
    const e = splitAuthors(editors);
    if (e.length) csl.editor = e;
  }
  const y = /\b(\d{4})\b/.exec(get('year') ?? get('date') ?? '');
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(get('date') ?? '');
  if (y && Number(y[1]) > 0) {
    csl.issued = { 'date-parts': [date && date[1] === y[1] ? [Number(date[1]), Number(date[2]), Number(date[3])] : [Number(y[1])]] };
    fieldLines.issued = line;
  }
  set('container-title', get('source'));
  const abbrev = get('sourceShort');
  if (abbrev && abbrev !== csl['container-title']) set('container-title-short', abbrev);
  set('volume', get('volume'));
  set('issue', get('issue'));
  const ps = get('pageStart');
  const pe = get('pageEnd');
  const pages = get('pages');
  if (ps && pe && ps !== pe) set('page', `${ps}-${pe}`);
  else if (ps) set('page', ps);
  else if (pages) set('page', pages.replace(/\s*[–—]\s*|\s*-{1,2}\s*/g, '-'));
  else set('page', get('artNo'));
  if (get('artNo') && csl.page !== get('artNo')) set('number', get('artNo'));
  set('DOI', cleanDoi(get('doi')));
  set('URL', get('url'));
  const abstract = get('abstract');
  const noAbstract = !abstract || /^\[no abstract available\]$/i.test(abstract);
  if (!noAbstract) set('abstract', abstract);
  set('keyword', keywords(get('authorKeywords'), get('indexKeywords')));
  const pmid = /^\d{1,9}$/.exec(get('pmid') ?? '');
  if (pmid) set('PMID', pmid[0]);
  const pmcid = /^PMC\d+$/i.exec(get('pmcid') ?? '');
  if (pmcid) set('PMCID', pmcid[0].toUpperCase());
  const issn = (get('issn') ?? get('eissn'))?.split(/[;,]\s*/)[0];
  // Scopus writes ISSNs without the hyphen: 00335533.
  if (issn) set('ISSN', /^\d{7}[\dX]$/i.test(issn) ? `${issn.slice(0, 4)}-${issn.slice(4)}` : issn);
  set('ISBN', get('isbn')?.split(/[;,]\s*/)[0]);
  set('publisher', get('publisher'));
  set('language', get('language'));
  if (docType) set('genre', docType);

  const record: ParsedRecord = { line, csl, fieldLines };
  const key = get('key');
  if (key) record.sourceKey = key;
  if (!noAbstract && abstract) record.textBlocks = [{ text: abstract, line }];
  const extra: Record<string, string> = {};
  const citedBy = get('citedBy');
  if (citedBy && /^\d+$/.test(citedBy)) extra.citationCount = citedBy;
  const refs = get('references');
  if (refs) {
    const children: { relation: 'reference'; record: ParsedRecord }[] = [];
    for (const r of refs.split(/;\s+/)) {
      const child = parseScopusReference(r, line);
      if (child) children.push({ relation: 'reference', record: child });
    }
    if (children.length) record.children = children;
    extra.referenceCount = String(refs.split(/;\s+/).filter((r) => r.trim()).length);
  }
  if (Object.keys(extra).length) record.extra = extra;
  return record;
}

/** Parses a bibliographic CSV/TSV file. Never throws; problems are returned with their lines. */
export function parseCsv(text: string, file: string): ParsedFile {
  let src = stripBom(text);
  if (src.indexOf('\r') !== -1) src = src.replace(/\r\n?/g, '\n');
  if (src.indexOf('\0') !== -1) src = src.replace(/\0/g, '');
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  const { delimiter } = sniffDelimiter(firstLine(src));
  type Row = { record: string[]; info: { lines: number; empty_lines: number } };
  let rows: Row[];
  const skipped: { lines: number; message: string }[] = [];
  const options = {
    delimiter,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    // A broken row (a quote never closed) is skipped and reported; the rows around it are kept.
    skip_records_with_error: true,
    on_skip: (err: { lines?: number; message?: string } | undefined): undefined => {
      if (err) skipped.push({ lines: typeof err.lines === 'number' ? err.lines : 1, message: (err.message ?? '').replace(/\s+/g, ' ') });
      return undefined;
    },
  };
  try {
    rows = parse(src, options) as unknown as Row[];
  } catch (e) {
    problems.push({ file, line: 1, severity: 'error', ...problemText('The CSV cannot be read ({0}); skipped it', e instanceof Error ? e.message : String(e)) });
    return { file, format: 'csv', records, problems };
  }
  for (const sk of skipped) {
    // The error names the line where csv-parse gave up; the broken row starts after the last good one.
    let start = 1;
    for (const r of rows) if (r.info.lines < sk.lines) start = r.info.lines + 1;
    problems.push({ file, line: start, severity: 'error', ...problemText('A row starting here cannot be read ({0}); skipped it', sk.message) });
  }
  if (!rows.length) {
    problems.push({ file, line: 1, severity: 'warning', ...problemText('The CSV file has no header row') });
    return { file, format: 'csv', records, problems };
  }
  const header = rows[0].record.map((c) => c.trim().toLowerCase());
  const index = new Map<Field, number>();
  header.forEach((h, i) => {
    const f = COLUMNS[h];
    if (f && !index.has(f)) index.set(f, i);
  });
  // Web of Science's `ID` (Keywords Plus) only beside its `UT`: elsewhere an `id` column is a row id.
  if (header.includes('ut') && header.includes('id') && !index.has('indexKeywords')) index.set('indexKeywords', header.indexOf('id'));
  // Scopus's "Source" column is the database ("Scopus"), not the journal: only a fallback header.
  if (!index.has('source') && header.indexOf('source') !== -1 && header.indexOf('source title') === -1 && !header.includes('eid')) index.set('source', header.indexOf('source'));
  let prevLines = rows[0].info.lines;
  let prevEmpty = rows[0].info.empty_lines;
  for (let r = 1; r < rows.length; r++) {
    const { record: cells, info } = rows[r];
    const line = prevLines + 1 + (info.empty_lines - prevEmpty);
    prevLines = info.lines;
    prevEmpty = info.empty_lines;
    if (cells.every((c) => !c.trim())) continue;
    const get = (f: Field): string | undefined => {
      const i = index.get(f);
      if (i === undefined) return undefined;
      const v = cells[i]?.replace(/\s+/g, ' ').trim();
      return v ? v : undefined;
    };
    if (!get('title')) {
      problems.push({ file, line, severity: 'warning', ...problemText('Row {0} has no title; skipped it', r) });
      continue;
    }
    records.push(rowRecord(get, line));
  }
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('The CSV file has a header row but no records') });
  return { file, format: 'csv', records, problems };
}
