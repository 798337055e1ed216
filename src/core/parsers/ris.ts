/**
 * RIS (`TAG  - value` lines, TY starts a record, ER ends it) → ParsedRecords. Lenient about
 * spacing and missing ER lines; continuation lines (wrapped abstracts) join the previous tag.
 */
import type { CslDate, CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { problemText } from '../model/problemText';

const TYPE_MAP: Record<string, string> = {
  JOUR: 'article-journal',
  JFULL: 'article-journal',
  EJOUR: 'article-journal',
  INPR: 'article-journal',
  ABST: 'article-journal',
  MGZN: 'article-magazine',
  NEWS: 'article-newspaper',
  BOOK: 'book',
  EBOOK: 'book',
  EDBOOK: 'book',
  WHOLE: 'book',
  CHAP: 'chapter',
  ECHAP: 'chapter',
  CONF: 'paper-conference',
  CPAPER: 'paper-conference',
  THES: 'thesis',
  RPRT: 'report',
  ELEC: 'webpage',
  WEB: 'webpage',
  BLOG: 'post-weblog',
  DATA: 'dataset',
  DBASE: 'dataset',
  COMP: 'software',
  PAT: 'patent',
  STAND: 'standard',
  UNPB: 'manuscript',
  MANSCPT: 'manuscript',
  MAP: 'map',
  PCOMM: 'personal_communication',
  HEAR: 'hearing',
  BILL: 'bill',
  CASE: 'legal_case',
  STAT: 'legislation',
  VIDEO: 'motion_picture',
  MPCT: 'motion_picture',
  SOUND: 'song',
  ART: 'graphic',
  SLIDE: 'speech',
};

/** Words that make a comma-less author line a group name rather than `Given Family`. */
const GROUP_WORDS =
  /\b(?:organi[sz]ation|group|consortium|committee|association|society|institute|council|network|collaboration|collaborative|team|initiative|agency|university|foundation|ministry|department|centre|center|office)\b/i;

function cleanText(text: string): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (s.indexOf('\0') !== -1) s = s.replace(/\0/g, '');
  return s;
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/**
 * `TY  - JOUR`, `TY - JOUR`, `TY  -JOUR`, `ER  -`: the tag and where its value starts, or
 * undefined for a continuation line. Without a space before the hyphen one must follow it, so
 * `UK-based` in a wrapped abstract is not a tag.
 */
function tagOf(line: string): { tag: string; value: string } | undefined {
  let p = 0;
  while (p < line.length && (line.charCodeAt(p) === 32 || line.charCodeAt(p) === 9 || line.charCodeAt(p) === 0xfeff)) p++;
  if (line.length - p === 2 && line.charCodeAt(p) === 69 && line.charCodeAt(p + 1) === 82) return { tag: 'ER', value: '' };
  const a = line.charCodeAt(p);
  const b = line.charCodeAt(p + 1);
  if (!(a >= 65 && a <= 90) || !isUpperOrDigit(b)) return undefined;
  let q = p + 2;
  while (q < line.length && (line.charCodeAt(q) === 32 || line.charCodeAt(q) === 9)) q++;
  if (line.charCodeAt(q) !== 45) return undefined;
  const spaced = q > p + 2;
  const after = line.charCodeAt(q + 1);
  if (!spaced && !(q + 1 >= line.length || after === 32 || after === 9)) return undefined;
  return { tag: line.slice(p, p + 2), value: line.slice(q + 1).trim() };
}

interface RisField {
  tag: string;
  value: string;
  line: number;
}

/** `2019/05/15/other`, `2019///`, `2019-05-15`, `2019`, `May 2019`: CSL date. */
export function parseRisDate(raw: string): CslDate | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  const m = /^(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?/.exec(s);
  if (!m) {
    const y = /\b(\d{4})\b/.exec(s);
    if (y && Number(y[1]) === 0) return undefined;
    return y ? { 'date-parts': [[Number(y[1])]] } : { literal: s };
  }
  if (Number(m[1]) === 0) return undefined; // `PY  - 0000`: no date
  const parts = [Number(m[1])];
  const month = m[2] ? Number(m[2]) : 0;
  if (month >= 1 && month <= 12) {
    parts.push(month);
    const day = m[3] ? Number(m[3]) : 0;
    if (day >= 1 && day <= 31) parts.push(day);
  }
  return { 'date-parts': [parts] };
}

function risName(raw: string): Name | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  if (s.indexOf(',') === -1 && s.indexOf(' ') !== -1 && GROUP_WORDS.test(s)) return { literal: s };
  return parsePersonName(s);
}

const DOI_IN = /^(?:doi:?\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i;

function digitsOf(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 88 || c === 120) n++;
  }
  return n;
}

function toRecord(fields: RisField[], line: number): ParsedRecord {
  const first: Record<string, RisField> = {};
  const all: Record<string, string[]> = {};
  const fieldLines: Record<string, number> = {};
  for (const f of fields) {
    if (first[f.tag] === undefined) {
      first[f.tag] = f;
      all[f.tag] = [];
      fieldLines[f.tag] = f.line;
    }
    if (f.value) all[f.tag].push(f.value);
  }
  const ty = (first.TY?.value ?? '').toUpperCase();
  const type = TYPE_MAP[ty] ?? 'article';
  const csl: CslFields = { type };
  const get = (...tags: string[]): RisField | undefined => {
    for (const t of tags) {
      const f = first[t];
      if (f && f.value) return f;
    }
    return undefined;
  };
  const set = (key: string, f: RisField | undefined, value = f?.value): void => {
    if (!f || !value) return;
    csl[key] = value;
    if (fieldLines[key] === undefined) fieldLines[key] = f.line;
  };

  const isBook = type === 'book';
  set('title', get('TI', 'T1', 'CT', ...(isBook ? ['BT'] : [])));
  set('title-short', get('ST'));
  // Names in file order across their tags (`A1` then `AU` stays A1's first: one list, as written).
  const names = (tags: string[]): { names: Name[]; line: number } | undefined => {
    const out: Name[] = [];
    let at = 0;
    for (const f of fields) {
      if (!f.value || tags.indexOf(f.tag) === -1) continue;
      // One name per line is the rule; some exporters put `A; B` on one line.
      for (const part of f.value.indexOf(';') !== -1 ? f.value.split(';') : [f.value]) {
        const n = risName(part);
        if (n) {
          out.push(n);
          if (!at) at = f.line;
        }
      }
    }
    return out.length ? { names: out, line: at } : undefined;
  };
  const putNames = (key: string, tags: string[]): void => {
    const got = names(tags);
    if (!got || csl[key] !== undefined) return;
    csl[key] = got.names;
    fieldLines[key] = got.line;
  };
  // RIS spec: AU/A1 primary authors; A2 secondary (the editors of the book or proceedings, the
  // recipient of a letter; the assignee of a patent and the performer of a recording are not
  // editors); A3 tertiary (series editors; a thesis's supervisor, not kept); A4 subsidiary
  // (translators); ED editors.
  putNames('author', ['AU', 'A1']);
  if (ty === 'PCOMM' || ty === 'ICOMM') putNames('recipient', ['A2']);
  else if (ty !== 'PAT' && ty !== 'SOUND' && ty !== 'MUSIC') putNames('editor', ['ED', 'A2']);
  else putNames('editor', ['ED']);
  if (ty !== 'THES') putNames('collection-editor', ['A3']);
  putNames('translator', ['A4']);
  // EndNote's CONF: T2 is the conference name, C3 the proceedings title (the container).
  const proceedings = ty === 'CONF' ? get('C3') : undefined;
  if (proceedings) set('event-title', get('T2'));
  const container = proceedings ?? get('T2', 'JF', 'JO', ...(isBook ? [] : ['BT']), 'JA', 'J2', 'J1');
  set('container-title', container);
  const short = get('JA', 'J2', 'J1');
  if (short && short !== container) set('container-title-short', short);
  set('collection-title', get('T3'));
  set('publisher', get('PB'));
  set('publisher-place', get('CY', 'PP'));
  set('volume', get('VL'));
  const issue = get('IS', 'CP');
  const m1 = get('M1');
  if (issue) set('issue', issue);
  else if (m1 && type === 'article-journal') set('issue', m1);
  else if (m1) set('number', m1);
  set('edition', get('ET'));
  set('number-of-volumes', get('NV'));
  const sp = get('SP');
  const ep = get('EP');
  if (sp && ep && sp.value.indexOf('-') === -1 && sp.value !== ep.value) set('page', sp, `${sp.value}-${ep.value}`);
  else if (sp) set('page', sp, sp.value.replace(/\s*[–—]\s*|\s*-{1,2}\s*/g, '-'));
  else if (ep) set('page', ep);

  // A DOI only when it has DOI syntax (10.NNNN/…): placeholders such as `DO  - DOI` are dropped, so
  // they cannot merge unrelated records; `doi:` and resolver URLs are cleaned off.
  for (const t of ['DO', 'M3', 'UR', 'L3', 'N1']) {
    let found: string | undefined;
    let at: RisField | undefined;
    for (const f of fields) {
      if (f.tag !== t || !f.value) continue;
      const m = DOI_IN.exec(f.value.trim().replace(/[.,;]+$/, ''));
      if (m) {
        found = m[1];
        at = f;
        break;
      }
    }
    if (found && at) {
      set('DOI', at, found);
      break;
    }
  }
  set('URL', get('UR', 'L2', 'LK', 'L1'));

  for (const v of all.SN ?? []) {
    for (const part of v.split(/[;,]\s*|\s+(?=\d)/)) {
      const id = part.replace(/\s*\(.*\)\s*$/, '').trim();
      if (!id) continue;
      const d = digitsOf(id);
      const key = d === 8 ? 'ISSN' : d === 10 || d === 13 ? 'ISBN' : type === 'book' || type === 'chapter' ? 'ISBN' : 'ISSN';
      if (csl[key] === undefined) set(key, first.SN, id);
    }
  }
  const abstract = get('AB', 'N2');
  set('abstract', abstract);
  const keywords: string[] = [];
  for (const v of all.KW ?? []) for (const k of v.split(';')) if (k.trim()) keywords.push(k.trim());
  if (keywords.length) set('keyword', first.KW, keywords.join(', '));
  set('language', get('LA'));
  set('note', get('N1'));
  const m3 = get('M3');
  if (m3 && !DOI_IN.test(m3.value)) set('genre', m3);
  const c2 = get('C2');
  if (c2 && /^PMC\d+$/i.test(c2.value)) set('PMCID', c2, c2.value.toUpperCase());
  const an = get('AN');
  const db = `${first.DB?.value ?? ''} ${first.DP?.value ?? ''}`;
  if (an && /^\d{1,9}$/.test(an.value) && /pubmed|medline/i.test(db)) set('PMID', an);

  // Dates. PY/Y1 is the publication year (RIS spec); DA is "Date", which EndNote also uses for
  // an access or update date. DA is taken when it agrees with PY/Y1 on the year and is more
  // precise (month, day); when there is no PY/Y1 it is the date, except for web pages, where it
  // is the access date. `PY  - 0000` and year 0 mean no date.
  const py = get('PY', 'Y1');
  const da = get('DA');
  const pyDate = py ? parseRisDate(py.value) : undefined;
  const daDate = da ? parseRisDate(da.value) : undefined;
  const pyParts = pyDate?.['date-parts']?.[0];
  const daParts = daDate?.['date-parts']?.[0];
  const isWeb = type === 'webpage' || type === 'post-weblog';
  let issued: CslDate | undefined = pyDate;
  let issuedLine = py?.line;
  if (daDate && daParts && ((!pyDate && !isWeb) || (pyParts && daParts[0] === pyParts[0] && daParts.length > pyParts.length))) {
    issued = daDate;
    issuedLine = da?.line;
  } else if (daDate && daParts && !pyDate && isWeb) {
    csl.accessed = daDate;
    if (da) fieldLines.accessed = da.line;
  }
  if (issued && issuedLine) {
    csl.issued = issued;
    fieldLines.issued = issuedLine;
  }
  const y2 = get('Y2');
  if (y2 && type === 'webpage') {
    const accessed = parseRisDate(y2.value);
    if (accessed?.['date-parts']) {
      csl.accessed = accessed;
      fieldLines.accessed = y2.line;
    }
  }

  const record: ParsedRecord = { line, csl, fieldLines };
  const key = get('ID', 'AN');
  if (key) record.sourceKey = key.value;
  if (abstract) record.textBlocks = [{ text: abstract.value, line: abstract.line }];
  return record;
}

/** Parses a whole .ris file. Never throws; problems are returned with their lines. */
export function parseRis(text: string, file: string): ParsedFile {
  const src = cleanText(text);
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  let fields: RisField[] | undefined;
  let recordLine = 0;
  let last: RisField | undefined;
  let lineNo = 0;
  let strayLine = 0;
  let pos = 0;
  const n = src.length;
  while (pos <= n) {
    let nl = src.indexOf('\n', pos);
    if (nl === -1) nl = n;
    const lineText = src.slice(pos, nl).trimEnd();
    pos = nl + 1;
    lineNo++;
    const t = tagOf(lineText);
    if (t === undefined) {
      // Continuation of a wrapped value; blank lines inside a record are ignored.
      const more = lineText.trim();
      if (last && more) last.value = last.value ? `${last.value} ${more}` : more;
      continue;
    }
    if (t.tag === 'TY') {
      if (fields) {
        problems.push({ file, line: recordLine, severity: 'warning', ...problemText('Record has no ER line before the next TY; ended it there') });
        records.push(toRecord(fields, recordLine));
      }
      fields = [];
      recordLine = lineNo;
    } else if (t.tag === 'ER') {
      if (fields) records.push(toRecord(fields, recordLine));
      fields = undefined;
      last = undefined;
      continue;
    } else if (!fields) {
      if (!strayLine) strayLine = lineNo;
      last = undefined;
      continue;
    }
    last = { tag: t.tag, value: t.value, line: lineNo };
    fields.push(last);
  }
  if (fields) {
    problems.push({ file, line: recordLine, severity: 'warning', ...problemText('Record has no ER line at the end of the file; ended it there') });
    records.push(toRecord(fields, recordLine));
  }
  if (strayLine) {
    problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Tagged lines outside a record (before TY or after ER) were ignored') });
  }
  if (records.length === 0 && problems.length === 0) {
    problems.push({ file, line: 1, severity: 'warning', ...problemText('No RIS records (TY  - ...) found') });
  }
  return { file, format: 'ris', records, problems };
}
