/**
 * Shared pieces of the tagged plain-text readers (MEDLINE, Web of Science, Ovid, Refer,
 * RefWorks): one pass over the lines that turns "tag + value + continuation lines" into fields,
 * and the small value parsers those formats have in common (loose dates, page ranges, DOIs,
 * ISSN/ISBN lists, names with decorations).
 */
import type { CslDate, CslFields, Name, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import type { ProblemText } from '../model/problemText';

/** One value line of a field: the first line after the tag, or one continuation line. */
export interface ValueLine {
  text: string;
  line: number;
}

/** A tagged field with its continuation lines, in file order. */
export interface TagField {
  tag: string;
  line: number;
  values: ValueLine[];
  /** `joined(field)`, kept once computed (readers ask for a value several times). */
  text?: string;
}

/** What a reader's line classifier says about one line. */
export type LineKind =
  | { kind: 'tag'; tag: string; value: string }
  /** A line that starts or ends a record by itself (`<12. >`, `ER`). */
  | { kind: 'mark'; mark: string; value: string }
  | { kind: 'continuation'; text: string }
  | { kind: 'blank' }
  /** Text that is neither a tag nor a continuation (reported by the reader if it cares). */
  | { kind: 'other'; text: string };

export type Item =
  | { kind: 'field'; field: TagField }
  | { kind: 'mark'; mark: string; value: string; line: number }
  | { kind: 'blank'; line: number }
  | { kind: 'other'; text: string; line: number };

/** BOM, CR LF / CR and NULs removed: the readers then see `\n` lines only. */
export function cleanText(text: string): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (s.indexOf('\0') !== -1) s = s.replace(/\0/g, '');
  return s;
}

/**
 * Walks the lines once. A continuation line joins the field before it (across blank lines too:
 * Ovid separates paragraphs of one field by blank lines); it starts nothing on its own.
 */
export function scanTagged(text: string, classify: (raw: string) => LineKind): Item[] {
  const src = cleanText(text);
  const items: Item[] = [];
  let last: TagField | undefined;
  let lineNo = 0;
  let pos = 0;
  const n = src.length;
  while (pos <= n) {
    let nl = src.indexOf('\n', pos);
    if (nl === -1) nl = n;
    const raw = src.slice(pos, nl).trimEnd();
    pos = nl + 1;
    lineNo++;
    const k = raw === '' ? ({ kind: 'blank' } as const) : classify(raw);
    switch (k.kind) {
      case 'tag':
        last = { tag: k.tag, line: lineNo, values: k.value ? [{ text: k.value, line: lineNo }] : [] };
        items.push({ kind: 'field', field: last });
        break;
      case 'mark':
        last = undefined;
        items.push({ kind: 'mark', mark: k.mark, value: k.value, line: lineNo });
        break;
      case 'continuation': {
        const t = k.text.trim();
        if (!t) break;
        if (last) last.values.push({ text: t, line: lineNo });
        else items.push({ kind: 'other', text: t, line: lineNo });
        break;
      }
      case 'blank':
        items.push({ kind: 'blank', line: lineNo });
        break;
      default:
        items.push({ kind: 'other', text: k.text, line: lineNo });
        break;
    }
  }
  return items;
}

/** How a tagged format separates its records. */
export type RecordRule =
  /** Blank lines end a record at its next field (MEDLINE, Refer): a continuation line after a
   *  blank line (a second paragraph of an abstract) still belongs to it; a field with `startTag`
   *  opens a record even without a blank line before it. */
  | { by: 'blank'; startTag: string }
  /** Only a start opens a record (RefWorks `RT`, Ovid's `<n>` mark); blank lines mean nothing.
   *  `before`: what fields before the first start are (stray lines, or one unnumbered record). */
  | { by: 'start'; startTag?: string; before: 'stray' | 'record' };

export interface RecordGroup {
  fields: TagField[];
  line: number;
}

/** The records of a scanned file as groups of fields, and the first line that is no record's. */
export function splitRecords(items: readonly Item[], rule: RecordRule): { groups: RecordGroup[]; strayLine: number } {
  const groups: RecordGroup[] = [];
  let cur: RecordGroup | undefined;
  let strayLine = 0;
  const open = (line: number) => {
    if (cur?.fields.length) groups.push(cur);
    cur = { fields: [], line };
  };
  let ended = 0;
  for (const it of items) {
    if (rule.by === 'blank') {
      if (it.kind === 'blank') {
        if (cur?.fields.length && !ended) ended = it.line;
        continue;
      }
      if (it.kind !== 'field') {
        strayLine ||= it.line;
        continue;
      }
      const last = cur?.fields.at(-1)?.values.at(-1);
      if (!cur || (it.field.tag === rule.startTag && cur.fields.length) || (ended && !(last && last.line > ended))) open(it.field.line);
      ended = 0;
      cur!.fields.push(it.field);
      continue;
    }
    if (it.kind === 'blank') continue;
    if (it.kind === 'mark') {
      if (rule.startTag === undefined) open(it.line);
      continue;
    }
    if (it.kind === 'other') {
      if (!cur || rule.startTag !== undefined) strayLine ||= it.line;
      continue;
    }
    if (it.field.tag === rule.startTag) open(it.field.line);
    if (!cur) {
      if (rule.before === 'stray') {
        strayLine ||= it.field.line;
        continue;
      }
      open(it.field.line);
    }
    cur!.fields.push(it.field);
  }
  if (cur?.fields.length) groups.push(cur);
  return { groups, strayLine };
}

/** Each group as a record when `keep` says it identifies a work; otherwise one warning (`skipped`) at its first line. */
export function recordsOf(
  groups: readonly RecordGroup[],
  file: string,
  toRecord: (fields: TagField[], line: number) => ParsedRecord,
  keep: (r: ParsedRecord) => boolean,
  skipped: ProblemText,
): { records: ParsedRecord[]; problems: Problem[] } {
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  for (const g of groups) {
    const rec = toRecord(g.fields, g.line);
    if (keep(rec)) records.push(rec);
    else problems.push({ file, line: g.line, severity: 'warning', ...skipped });
  }
  return { records, problems };
}

/** The fields of one record by tag: first occurrence, all occurrences, first line of each. */
export class FieldBag {
  readonly byTag = new Map<string, TagField[]>();
  constructor(readonly fields: readonly TagField[]) {
    for (const f of fields) {
      const list = this.byTag.get(f.tag);
      if (list) list.push(f);
      else this.byTag.set(f.tag, [f]);
    }
  }
  has(tag: string): boolean {
    return this.byTag.has(tag);
  }
  /** The first field of these tags (in the order given) that has a value. */
  first(...tags: string[]): TagField | undefined {
    for (const t of tags) for (const f of this.byTag.get(t) ?? []) if (f.values.length) return f;
    return undefined;
  }
  all(tag: string): TagField[] {
    return this.byTag.get(tag) ?? [];
  }
  /** Every value line of every field of these tags, in file order per tag. */
  lines(...tags: string[]): ValueLine[] {
    const out: ValueLine[] = [];
    for (const t of tags) for (const f of this.byTag.get(t) ?? []) out.push(...f.values);
    return out;
  }
}

/** The value lines of a field joined as running text (wrapped words re-joined). */
export function joined(f: TagField | undefined): string {
  if (!f) return '';
  f.text ??= joinValues(f.values);
  return f.text;
}

function joinValues(values: readonly ValueLine[]): string {
  if (values.length === 1) {
    const t = values[0].text;
    return /\s\s|[^\S ]/.test(t) ? t.replace(/\s+/g, ' ').trim() : t.trim();
  }
  // Pieces in an array and the previous piece kept aside: slicing a growing string would
  // flatten it on every line and make a field of many lines quadratic.
  const parts: string[] = [];
  let prev = '';
  for (const v of values) {
    const t = v.text.trim();
    if (!t) continue;
    if (parts.length && /\p{L}-$/u.test(prev.slice(-4)) && /^\p{Ll}/u.test(t) && !/(?:^|\s)\S{1,2}-$/u.test(prev.slice(-5))) parts.push(t);
    else parts.push(parts.length ? ' ' + t : t);
    prev = t;
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The value lines as they were, for text blocks whose citations need their real lines. */
export function blockText(f: TagField): string {
  // Lines between value lines (blank ones) are kept as empty lines, so line n of the block is
  // line first + n of the file.
  let out = '';
  let prev = f.values[0]?.line ?? 0;
  for (const v of f.values) {
    if (out || v.line > prev) out += '\n'.repeat(Math.max(1, v.line - prev));
    out += v.text;
    prev = v.line;
  }
  return out;
}

/** Builds one record and keeps `fieldLines` in step with the CSL fields it sets. */
export class RecordBuilder {
  readonly csl: CslFields;
  readonly fieldLines: Record<string, number> = {};
  readonly extra: Record<string, string> = {};
  textBlocks: { text: string; line: number }[] = [];
  groupAuthors: string[] = [];
  children: ParsedRecord['children'] = [];
  sourceKey?: string;
  constructor(
    readonly line: number,
    type: string,
  ) {
    this.csl = { type };
  }
  set(key: string, value: string | undefined, line: number | undefined): void {
    const v = value?.trim();
    if (!v || line === undefined) return;
    this.csl[key] = v;
    this.fieldLines[key] ??= line;
  }
  /** Sets the field only when nothing set it before. */
  fill(key: string, value: string | undefined, line: number | undefined): void {
    if (this.csl[key] === undefined) this.set(key, value, line);
  }
  names(key: 'author' | 'editor', names: Name[], line: number | undefined): void {
    if (!names.length || line === undefined) return;
    this.csl[key] = names;
    this.fieldLines[key] ??= line;
  }
  date(date: CslDate | undefined, line: number | undefined, key = 'issued'): void {
    if (!date || line === undefined) return;
    this.csl[key] = date;
    this.fieldLines[key] = line;
  }
  abstract(f: TagField | undefined): void {
    if (!f) return;
    const text = joined(f);
    if (!text) return;
    this.set('abstract', text, f.line);
    this.textBlocks.push({ text: blockText(f), line: f.values[0].line });
  }
  has(key: string): boolean {
    return this.csl[key] !== undefined;
  }
  build(): ParsedRecord {
    const rec: ParsedRecord = { line: this.line, csl: this.csl, fieldLines: this.fieldLines };
    if (this.sourceKey) rec.sourceKey = this.sourceKey;
    if (this.groupAuthors.length) rec.groupAuthors = this.groupAuthors;
    if (this.textBlocks.length) rec.textBlocks = this.textBlocks;
    if (this.children?.length) rec.children = this.children;
    if (Object.keys(this.extra).length) rec.extra = this.extra;
    return rec;
  }
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  janv: 1, fév: 2, fev: 2, mär: 3, mai: 5, juin: 6, juil: 7, aoû: 8, aou: 8, okt: 10, dez: 12,
};
const SEASONS: Record<string, number> = { spr: 21, spring: 21, sum: 22, summer: 22, fal: 23, fall: 23, autumn: 23, aut: 23, win: 24, winter: 24 };

function monthOf(word: string): number | undefined {
  const w = word.toLowerCase().replace(/\.$/, '');
  return MONTHS[w] ?? MONTHS[w.slice(0, 4)] ?? MONTHS[w.slice(0, 3)];
}

/**
 * A date written loosely: `1993 Oct 8`, `2019 Apr`, `FEB 2011`, `JUN 28 2011`, `Nov. 16, 2004`,
 * `2010 January/February`, `SPR 2011`, `Article 10 2019`, `2019-05-15`, `20221007`. Year 0 and
 * years outside 1000–2999 are no date. A season is kept as CSL's `season`.
 */
export function parseLooseDate(raw: string | undefined, fallbackYear?: string): CslDate | undefined {
  const s = (raw ?? '').trim().slice(0, 200);
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let season: number | undefined;
  const iso = /^(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2}))?|(\d{2})(\d{2}))?\b/.exec(s);
  if (iso) {
    year = Number(iso[1]);
    const mo = Number(iso[3] ?? iso[5] ?? 0);
    const d = Number(iso[4] ?? iso[6] ?? 0);
    if (mo >= 1 && mo <= 12) {
      month = mo;
      if (d >= 1 && d <= 31) day = d;
    }
  }
  if (year === undefined) {
    const y = /(?:^|[^\d])(\d{4})(?!\d)/.exec(s);
    if (y) year = Number(y[1]);
  }
  if (year === undefined && fallbackYear && /^\d{4}$/.test(fallbackYear.trim())) year = Number(fallbackYear.trim());
  if (year === undefined || year < 1000 || year > 2999) return undefined;
  if (month === undefined) {
    const words = s.split(/[\s,/-]+/).map((w) => w.replace(/[.;:]$/, ''));
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (!/^\p{L}{3,}\.?$/u.test(w)) continue;
      const m = monthOf(w);
      if (m) {
        month = m;
        // The day stands beside the month: `Oct 8`, `8 Oct`, `JUN 28 2011`.
        const next = words[i + 1];
        const prev = words[i - 1];
        for (const d of [next, prev]) {
          if (d && /^\d{1,2}$/.test(d) && Number(d) >= 1 && Number(d) <= 31) {
            day = Number(d);
            break;
          }
        }
        break;
      }
      const se = SEASONS[w.toLowerCase()];
      if (se) {
        season = se;
        break;
      }
    }
  }
  const parts: number[] = [year];
  if (month) {
    parts.push(month);
    if (day) parts.push(day);
  }
  const date: CslDate = { 'date-parts': [parts] };
  if (season) (date as Record<string, unknown>).season = season;
  return date;
}

/** `25-36`, `1123-36` (MEDLINE's short form, expanded), `82 - 90`, `e123`. */
export function normaliseRange(raw: string | undefined): string | undefined {
  const s = (raw ?? '').replace(/\s+/g, ' ').trim().replace(/[.,;]$/, '');
  if (!s || s.length > 200) return s ? s.slice(0, 200) : undefined;
  return s.replace(/(\d+)\s*[-–—]+\s*(\d+)/g, (all, a: string, b: string) => {
    if (b.length < a.length && Number(a.slice(a.length - b.length)) < Number(b)) return `${a}-${a.slice(0, a.length - b.length)}${b}`;
    return `${a}-${b}`;
  }).replace(/\s*[–—]\s*/g, '-');
}

/** Start and end page as one range (`82` when they are the same page). */
export function pageRange(start: string | undefined, end: string | undefined): string | undefined {
  const a = start?.trim();
  const b = end?.trim();
  if (a && b && a !== b && a.indexOf('-') === -1) return `${a}-${b}`;
  return a || b || undefined;
}

const DOI_RE = /10\.\d{4,9}\/[^\s"'<>]+/;

/** A DOI with DOI syntax (`10.NNNN/…`) inside a value, URL or `doi:` prefix removed. */
export function doiIn(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const m = DOI_RE.exec(raw);
  if (!m) return undefined;
  let d = m[0].slice(0, 300).replace(/[.,;]+$/, '');
  // A closing bracket belongs to the DOI only when the DOI opened one.
  while (/[)\]]$/.test(d) && count(d, d.endsWith(')') ? '(' : '[') < count(d, d.endsWith(')') ? ')' : ']')) d = d.slice(0, -1);
  try {
    if (/%[0-9a-f]{2}/i.test(d)) d = decodeURIComponent(d);
  } catch {
    /* keep as written */
  }
  return d;
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++;
  return n;
}

function digitsOf(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 88 || c === 120) n++;
  }
  return n;
}

/** ISSNs and ISBNs in a list like `0092-8674 (Print)`, `EISSN-2375-5636`, `978-0-415-47263-0 (Paperback), 978-…`. */
export function standardNumbers(raw: string): { issn: string[]; isbn: string[] } {
  const issn: string[] = [];
  const isbn: string[] = [];
  const text = raw.slice(0, 2000).replace(/\b(?:E?ISSN|ISBN)[-:\s]*/gi, ' ');
  for (const m of text.matchAll(/(?:^|[^\dXx-])((?:97[89][- ]?)?\d[\d -]{6,15}[\dXx])(?![\dXx])/g)) {
    const id = m[1].trim();
    const d = digitsOf(id);
    if (d === 8 && /^\d{4}-?\d{3}[\dXx]$/.test(id)) issn.push(id.length === 8 ? `${id.slice(0, 4)}-${id.slice(4)}` : id.toUpperCase());
    else if (d === 10 || d === 13) isbn.push(id);
  }
  return { issn, isbn };
}

const DEGREE = /^(?:Ph\.?D|M\.D|MD|D\.?Phil|M\.?Sc|B\.?Sc|MPH|MBA|DrPH|FACSM|FRCP\w*|FRCS\w*|FACP|FACS|MBBS|MRCP\w*|MSW|PsyD|EdD|DDS|DMD|PharmD|DVM|MSN|BSN|RN|Prof)\.?$/;

/**
 * One personal name as the tagged formats write it, decorations removed: roles in brackets
 * (`[Inventor, Reprint Author]`), e-mail in parentheses, affiliation markers (`1,2,+`, `*`),
 * degrees after the given name (`Barbara MD, PhD`, `James A. Ph.D., FACSM`).
 */
export function cleanPersonName(raw: string): Name | undefined {
  // A name is short: longer text is not a name, and the length bound keeps the passes cheap.
  if (raw.length > 300) return undefined;
  let s = raw
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\([^)]*@[^)]*\)/g, ' ')
    .replace(/\s+[\d,*+†‡§#\s]+$/u, '')
    .replace(/[*+†‡§]+$/u, '')
    .trim();
  const comma = s.indexOf(',');
  if (comma > 0) {
    // Degrees only after a given name, so initials (`Smith, MD`) stay initials.
    const tokens = s.slice(comma + 1).split(/[\s,]+/).filter(Boolean);
    while (tokens.length > 1 && DEGREE.test(tokens[tokens.length - 1])) tokens.pop();
    s = `${s.slice(0, comma)}, ${tokens.join(' ')}`;
  }
  s = s.replace(/[\s,;]+$/, '').trim();
  if (!s || !/\p{L}/u.test(s)) return undefined;
  return parsePersonName(s);
}
