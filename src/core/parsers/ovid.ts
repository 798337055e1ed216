/**
 * Ovid fielded text (Embase, PsycINFO, MEDLINE, BIOSIS, Journals@Ovid …): numbered records
 * (`<1. >`, `<12>`), fields either as short tags (`AU  - Smith, John`, `TI - …`) or as labels on
 * their own line with the value indented below (`Authors` / `  Smith J.`). The `SO` source line
 * carries journal, volume, issue, pages and date in one of several database-specific layouts.
 */
import type { CslDate, Name, ParsedFile, ParsedRecord } from '../model/model';
import { FieldBag, type LineKind, RecordBuilder, type TagField, cleanPersonName, doiIn, joined, normaliseRange, parseLooseDate, recordsOf, scanTagged, splitRecords, standardNumbers } from './tagged';
import { problemText } from '../model/problemText';

/** Long field labels (the "display with labels" layout) → the short tag of the same field. */
const LABELS: Record<string, string> = {
  'unique identifier': 'UI',
  'accession number': 'AN',
  database: 'DB',
  authors: 'AU',
  author: 'AU',
  'authors full name': 'FA',
  'author names': 'AU',
  editors: 'ED',
  editor: 'ED',
  institution: 'IN',
  title: 'TI',
  'original title': 'OT',
  source: 'SO',
  'journal name': 'JN',
  'journal title': 'JN',
  'journal abbreviation': 'JA',
  'book title': 'BT',
  volume: 'VO',
  issue: 'IP',
  'issue part': 'IP',
  'issue/part': 'IP',
  pages: 'PG',
  page: 'PG',
  'page numbers': 'PG',
  'year of publication': 'YR',
  'publication year': 'YR',
  year: 'YR',
  'date of publication': 'DP',
  'publication date': 'DP',
  'digital object identifier': 'DO',
  doi: 'DO',
  abstract: 'AB',
  keywords: 'KW',
  'keyword heading': 'KW',
  'key phrase identifiers': 'ID',
  'subject headings': 'MH',
  'mesh subject headings': 'MH',
  'emtree heading': 'MH',
  'major subject headings': 'MH',
  issn: 'IS',
  'international standard serial number': 'IS',
  isbn: 'IB',
  'international standard book number': 'IB',
  'publication type': 'PT',
  'document type': 'DT',
  language: 'LG',
  publisher: 'PU',
  'place of publication': 'PL',
  'pubmed id': 'PM',
  pmid: 'PM',
  'pubmed central identifier (pmcid)': 'PC',
  'url': 'UR',
};

function classify(raw: string): LineKind {
  const c = raw.charCodeAt(0);
  if (c === 32 || c === 9) return { kind: 'continuation', text: raw };
  const mark = /^<\s*(\d+)\s*\.?\s*>\s*$/.exec(raw);
  if (mark) return { kind: 'mark', mark: 'record', value: mark[1] };
  const m = /^([A-Z][A-Z0-9]) {1,3}- ?(.*)$/.exec(raw);
  if (m) return { kind: 'tag', tag: m[1], value: m[2].trim() };
  // Labels are short; longer lines are not looked up (and cannot make the clean-up slow).
  const label = raw.length <= 60 ? LABELS[raw.trim().replace(/\s*:$/, '').toLowerCase()] : undefined;
  if (label) return { kind: 'tag', tag: label, value: '' };
  return { kind: 'continuation', text: raw };
}

/** True for Ovid fielded text: numbered record marks (`<1. >`) followed by Ovid fields. */
export function sniffOvid(head: string): boolean {
  const mark = /^<\s*\d+\s*\.?\s*>\s*$/m.exec(head);
  if (!mark) return false;
  const after = head.slice(mark.index, mark.index + 4000);
  if (/^VN {1,2}- Ovid/m.test(after)) return true;
  let tags = 0;
  for (const _ of after.matchAll(/^(?:AU|TI|SO|AB|YR|DB|AN|UI) {1,3}- \S/gm)) if (++tags >= 2) return true;
  let labels = 0;
  for (const l of after.matchAll(/^(Authors|Title|Source|Abstract|Year of Publication|Unique Identifier|Accession Number|Database)\s*$/gm)) if (l && ++labels >= 2) return true;
  return false;
}

function typeOf(b: FieldBag): string {
  const pt = [...b.all('PT'), ...b.all('DT')].map(joined).join('|').toLowerCase();
  if (/patent/.test(pt)) return 'patent';
  if (/chapter/.test(pt)) return 'chapter';
  if (/dissertation|thesis/.test(pt)) return 'thesis';
  if (/conference|meeting|proceeding/.test(pt) && !b.has('BT') && !/journal|article/.test(pt)) return 'paper-conference';
  if (/\bbook\b/.test(pt) && !/book review/.test(pt)) return 'book';
  if (/report/.test(pt) && !/case report/.test(pt) && !b.has('JN')) return 'report';
  return 'article-journal';
}

/** `Take Ten: Facts.  [Miscellaneous]` → the title without Ovid's bracketed article type. */
function cleanTitle(t: string): string {
  return t.replace(/\s+\[(?:[A-Z][A-Za-z&/, -]{1,40})\]\.?\s*$/, '').replace(/\s+/g, ' ').trim();
}

interface Source {
  container?: string;
  volume?: string;
  issue?: string;
  page?: string;
  date?: CslDate;
  editors?: Name[];
}

const MONTH_WORDS = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August|September|October|November|December|Spring|Summer|Fall|Autumn|Winter)\\.?';

/** `Vol(Issue):pages` with each part optional: `201(2-3):327-334`, `6:611-613`, `14(1):56`, `1288(3)`. */
function volIssuePages(s: string, out: Source): void {
  const m = /^([\w.-]*\d[\w.-]*|[IVXLC]+)?\s*(?:\((.+?)\)(?=[:,;\s]|$))?\s*(?::\s*([\w.+-]+(?:\s*-\s*[\w.]+)?))?/.exec(s.trim());
  if (!m) return;
  if (m[1]) out.volume = m[1];
  if (m[2]) out.issue = m[2];
  if (m[3]) out.page = normaliseRange(m[3]);
}

/** Reads one `SO` line in the layouts Ovid's databases write. */
export function parseOvidSource(raw: string): Source {
  const s = raw.replace(/\s+/g, ' ').trim();
  const out: Source = {};
  if (!s) return out;
  // A source line is short; a longer one is not parsed (and cannot make the patterns below slow).
  if (s.length > 1000) return out;
  // PsycINFO book chapter: `Ed, A [Ed]; Ed, B [Ed]. (2012). Book title. (pp. 11-31). …`
  // BIOSIS book chapter: `Ed, A [Editor], Ed, B [Editor]. Book title.:371-397, 2004.`
  if (/\[(?:Ed|Eds|Editor)\b[^\]]*\]/.test(s)) {
    const lastEd = s.lastIndexOf(']');
    const eds = s.slice(0, lastEd + 1);
    out.editors = eds
      .split(/\]\s*[,;]?\s*/)
      .map((p) => cleanPersonName(p.replace(/\[.*$/, '')))
      .filter((n): n is Name => n !== undefined);
    let rest = s.slice(lastEd + 1).replace(/^\s*[.,;]\s*/, '');
    const yr = /^\((\d{4})\)\.?\s*/.exec(rest);
    if (yr) {
      out.date = parseLooseDate(yr[1]);
      rest = rest.slice(yr[0].length);
    }
    const pp = /\(pp\.?\s*([^)]+)\)/.exec(rest);
    if (pp) {
      out.page = normaliseRange(pp[1]);
      out.container = rest.slice(0, pp.index).replace(/[\s.]+$/, '');
      return out;
    }
    const bio = /^(.*?)\.?:\s*([\w-]+)\s*,\s*(\d{4})\.?/.exec(rest);
    if (bio) {
      out.container = bio[1].trim();
      out.page = normaliseRange(bio[2]);
      out.date = parseLooseDate(bio[3]);
      return out;
    }
    out.container = rest.split(/\.\s/)[0].replace(/[\s.]+$/, '');
    return out;
  }
  // Journals@Ovid: `Journal Name Month[/Month] [Day,] Year;Vol(Issue):Pages`
  let m = new RegExp(`^(.*?)\\s+((?:${MONTH_WORDS}(?:[/-]${MONTH_WORDS})?\\s+(?:\\d{1,2},?\\s+)?)?\\d{4})\\s*;\\s*(.*)$`).exec(s);
  if (m) {
    out.container = m[1].trim();
    out.date = parseLooseDate(m[2]);
    volIssuePages(m[3], out);
    return out;
  }
  // PsycINFO journal: `Journal. Vol.75(2-A(E)),2014, pp. 123-456.` / `Vol 12(3), Mar 2004, 45-67.`
  m = /^(.*?)\.?\s+Vol\.?\s*([^,(]+)(?:\((.+?)\))?\s*,\s*(.*)$/i.exec(s);
  if (m) {
    out.container = m[1].trim();
    out.volume = m[2].trim();
    if (m[3]) out.issue = m[3].trim();
    const rest = m[4];
    const d = /^([^,]*\d{4})/.exec(rest);
    if (d) out.date = parseLooseDate(d[1]);
    const p = /pp\.?\s*([\w-]+(?:\s*-\s*\w+)?)/.exec(rest);
    if (p && /\d/.test(p[1])) out.page = normaliseRange(p[1]);
    return out;
  }
  // Embase: `Journal. 12 (3) (pp 45-67), 2004. Date of Publication: March 2004.`
  m = /^(.*?)\.\s+([\w.-]+)\s*(?:\(([^)]+)\))?\s*\(pp\.?\s*([^)]+)\)\s*,?\s*(\d{4})?/.exec(s);
  if (m) {
    out.container = m[1].trim();
    out.volume = m[2];
    if (m[3]) out.issue = m[3];
    out.page = normaliseRange(m[4]);
    const dp = /Date of Publication:\s*([^.]+)/.exec(s);
    out.date = parseLooseDate(dp?.[1] ?? m[5]);
    return out;
  }
  // MEDLINE / BIOSIS: `Journal. 201(2-3):327-334, November 15, 2004.` / `Journal. 1288(3), Nov. 16, 2004.`
  m = /^(.*?)\.\s+(\d[\w.-]*(?:\s*\([^)]*\))?(?::\s*[\w.+-]+(?:\s*-\s*[\w.]+)?)?)\s*,?\s*(.*)$/.exec(s);
  if (m) {
    out.container = m[1].trim();
    volIssuePages(m[2], out);
    out.date = parseLooseDate(m[3]);
    return out;
  }
  out.container = s.replace(/[\s.]+$/, '');
  return out;
}

/** `Guliaev, V.D. [Ed.]. [Book title.] [Original title.] Publisher. 2002: 1-234.` */
function parseBookTitle(raw: string): { title?: string; editors: Name[]; page?: string } {
  let s = raw.replace(/\s+/g, ' ').trim().slice(0, 2000);
  const editors: Name[] = [];
  const ed = /^((?:[^[\]]+\[(?:Ed|Eds|Editor)[^\]]*\][.,;]?\s*)+)/.exec(s);
  if (ed) {
    for (const p of ed[1].split(/\]\s*[.,;]?\s*/)) {
      const n = cleanPersonName(p.replace(/\[.*$/, '').replace(/^[,;]\s*/, ''));
      if (n) editors.push(n);
    }
    s = s.slice(ed[1].length).trim();
  }
  let title: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    title = (close > 0 ? s.slice(1, close) : s.slice(1)).replace(/\.$/, '').trim();
  } else {
    title = s.split(/\.\s/)[0].replace(/\.$/, '').trim();
  }
  const pages = /\b\d{4}\s*:\s*([\w]+(?:\s*-\s*\w+)?)/.exec(s);
  return { title: title || undefined, editors, page: pages ? normaliseRange(pages[1]) : undefined };
}

/** `Salzer MS. Van der Berg JM.` (names without commas, each ending in initials and a full stop) → `Family, Initials` each. */
function splitInitialled(part: string): string[] {
  if (part.indexOf(',') !== -1) return [part];
  const tokens = part.trim().split(/\s+/);
  const names: string[] = [];
  let cur: string[] = [];
  for (const t of tokens) {
    cur.push(t);
    if (/^\p{Lu}{1,3}\.$/u.test(t)) {
      if (cur.length < 2) return [part];
      names.push(`${cur.slice(0, -1).join(' ')}, ${t}`);
      cur = [];
    }
  }
  return names.length >= 2 && !cur.length ? names : [part];
}

function authorNames(fields: TagField[]): Name[] {
  const out: Name[] = [];
  for (const f of fields) {
    for (const v of f.values) {
      if (v.text.length > 2000) continue;
      // The label layout may put several `Smith J.` on one line, separated by two spaces or `;`.
      for (const part of v.text.replace(/\[[^\]]*\]/g, ' ').split(/\s{2,}|;\s*/)) {
        for (const one of splitInitialled(part)) {
          const n = cleanPersonName(one);
          if (n) out.push(n);
        }
      }
    }
  }
  return out;
}

function toRecord(fields: TagField[], line: number): ParsedRecord {
  const b = new FieldBag(fields);
  const type = typeOf(b);
  const r = new RecordBuilder(line, type);
  const ti = b.first('TI');
  r.set('title', cleanTitle(joined(ti)), ti?.line);
  const ot = b.first('OT');
  if (ot) r.extra.originalTitle = joined(ot);

  const fa = b.all('FA');
  const au = b.all('AU');
  const authors = authorNames(fa.length ? fa : au);
  r.names('author', authors, (fa[0] ?? au[0])?.line);
  const ed = b.all('ED');
  if (ed.length) r.names('editor', authorNames(ed), ed[0].line);

  const so = b.first('SO');
  const src = so ? parseOvidSource(so.values[0]?.text ?? '') : {};
  const bt = b.first('BT');
  const book = bt ? parseBookTitle(joined(bt)) : undefined;
  const jn = b.first('JN', 'JT');
  if (jn) r.set('container-title', joined(jn), jn.line);
  else if (book?.title) r.set('container-title', book.title, bt!.line);
  else if (src.container && type !== 'book' && type !== 'patent') r.set('container-title', src.container, so!.line);
  else if (src.container && type === 'patent') r.extra.source = src.container;
  const ja = b.first('JA');
  r.set('container-title-short', joined(ja), ja?.line);
  const eds = src.editors?.length ? src.editors : book?.editors;
  if (!r.has('editor') && eds?.length) r.names('editor', eds, (so ?? bt)!.line);

  const vo = b.first('VO', 'VI');
  r.set('volume', joined(vo), vo?.line);
  r.fill('volume', src.volume, so?.line);
  const ip = b.first('IP');
  r.set('issue', joined(ip), ip?.line);
  r.fill('issue', src.issue, so?.line);
  const pg = b.first('PG');
  const pgText = joined(pg);
  if (pg && /\d/.test(pgText) && !/no pagination/i.test(pgText)) r.set('page', normaliseRange(pgText), pg.line);
  r.fill('page', src.page, so?.line);
  r.fill('page', book?.page, bt?.line);

  const doi = b.first('DO', 'DI');
  r.set('DOI', doiIn(joined(doi)), doi?.line);
  const pm = b.first('PM');
  if (pm && /^\d{1,12}$/.test(joined(pm))) r.set('PMID', joined(pm), pm.line);
  const ui = b.first('UI');
  const db = joined(b.first('DB'));
  if (ui && /^\d{1,12}$/.test(joined(ui)) && /medline|pubmed/i.test(db)) r.fill('PMID', joined(ui), ui.line);
  const is = b.first('IS');
  if (is) r.set('ISSN', standardNumbers(joined(is)).issn[0], is.line);
  const ib = b.first('IB');
  if (ib) r.set('ISBN', standardNumbers(joined(ib)).isbn[0], ib.line);
  const pu = b.first('PU', 'PB');
  if (pu) r.set('publisher', joined(pu).replace(/;\s*[A-Z]{2}$/, ''), pu.line);

  // Date: the year fields first, then the date in the source line.
  const yr = b.first('YR');
  const dp = b.first('DP', 'PD');
  const yrText = joined(yr);
  const srcYear = src.date?.['date-parts']?.[0]?.[0];
  if (src.date && (!yrText || String(srcYear) === yrText.slice(0, 4))) r.date(src.date, so!.line);
  else if (dp && parseLooseDate(joined(dp))) r.date(parseLooseDate(joined(dp)), dp.line);
  else if (yr) r.date(parseLooseDate(yrText), yr.line);
  else if (src.date) r.date(src.date, so!.line);

  r.abstract(b.first('AB'));
  const keywords: string[] = [];
  let kwLine: number | undefined;
  for (const t of ['KW', 'ID', 'MH']) {
    for (const f of b.all(t)) {
      for (const k of joined(f).split(t === 'MH' ? /\s*;\s*/ : /\s*[;,]\s*/)) {
        const kw = k.replace(/^\*/, '').replace(/\s*\[[^\]]*\]/g, '').replace(/\.$/, '').trim();
        if (kw && !keywords.includes(kw)) keywords.push(kw);
      }
      kwLine ??= f.line;
    }
  }
  if (keywords.length) r.set('keyword', keywords.join(', '), kwLine);
  const lg = b.first('LG', 'LA');
  r.set('language', joined(lg).replace(/\.$/, ''), lg?.line);
  const an = b.first('AN');
  if (an) r.extra.accession = joined(an).replace(/\.$/, '');
  if (db) r.extra.database = db;
  return r.build();
}

/** Parses an Ovid fielded-text export. Never throws; problems come back with their lines. */
export function parseOvid(text: string, file: string): ParsedFile {
  // Fields without a `<n>` mark: a copy without the numbering; taken as one record.
  const { groups, strayLine } = splitRecords(scanTagged(text, classify), { by: 'start', before: 'record' });
  const { records, problems } = recordsOf(groups, file, toRecord, (r) => !!(r.csl.title || r.csl.DOI), problemText('An Ovid record has no title (TI) or DOI; skipped it.'));
  if (strayLine) problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Lines before the first Ovid record (<1>) were ignored.') });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No Ovid records (<1> followed by fields) found.') });
  return { file, format: 'ovid', records, problems };
}
