/**
 * Refer / EndNote tagged text (`.enw`, `.txt`; also Wanfang's and CNKI's "EndNote" export): a
 * `%` and one character, a space, the value (`%A Smith, John`, `%T Title`, `%D 2019`); records
 * separated by blank lines; an untagged line continues the field above it.
 */
import type { Name, ParsedFile, ParsedRecord } from '../model/model';
import { isCitekey } from '../model/keys';
import { FieldBag, type LineKind, RecordBuilder, type TagField, cleanPersonName, doiIn, joined, normaliseRange, parseLooseDate, recordsOf, scanTagged, splitRecords, standardNumbers } from './tagged';
import { problemText } from '../model/problemText';

function classify(raw: string): LineKind {
  if (raw.charCodeAt(0) === 37 /* % */ && raw.length >= 2 && (raw.length === 2 || raw.charCodeAt(2) === 32 || raw.charCodeAt(2) === 9)) {
    const tag = raw.charAt(1);
    if (/[0-9A-Za-z@+!#$&()*^~>]/.test(tag)) return { kind: 'tag', tag, value: raw.slice(3).trim() };
  }
  return { kind: 'continuation', text: raw };
}

/** True for Refer/EndNote tagged text: lines `%X value` including a title or author line. */
export function sniffRefer(head: string): boolean {
  if (!/^%[0-9A-Z@+] \S/.test(head.trimStart())) return false;
  let n = 0;
  for (const _ of head.matchAll(/^%[0-9A-Z@+] \S/gm)) if (++n >= 2) break;
  return n >= 2 && /^%[ATD0] \S/m.test(head);
}

const TYPES: [RegExp, string][] = [
  [/^journal article|^article|^electronic article/i, 'article-journal'],
  [/^magazine/i, 'article-magazine'],
  [/^newspaper/i, 'article-newspaper'],
  [/^book section|^chapter|^edited book section/i, 'chapter'],
  [/^edited book|^book|^electronic book/i, 'book'],
  [/^conference|^proceedings/i, 'paper-conference'],
  [/^thesis|^dissertation/i, 'thesis'],
  [/^report|^government/i, 'report'],
  [/^web page|^online/i, 'webpage'],
  [/^patent/i, 'patent'],
  [/^dataset/i, 'dataset'],
  [/^computer program/i, 'software'],
  [/^generic/i, 'article'],
];

function typeOf(b: FieldBag): string {
  const t = joined(b.first('0'));
  for (const [re, type] of TYPES) if (re.test(t)) return type;
  if (b.has('J')) return 'article-journal';
  if (b.has('B')) return 'chapter';
  if (b.has('I') && !b.has('J')) return 'book';
  return 'article';
}

function names(fields: TagField[]): Name[] {
  const out: Name[] = [];
  for (const f of fields) {
    const v = joined(f);
    if (!v) continue;
    // One name per line is the rule; some exporters join several with `;`.
    for (const part of v.indexOf(';') !== -1 ? v.split(';') : [v]) {
      const n = cleanPersonName(part);
      if (n) out.push(n.family && !n.given && /[\u3400-\u9fff]/.test(n.family) ? { family: n.family } : n);
    }
  }
  return out;
}

function toRecord(fields: TagField[], line: number): ParsedRecord {
  const b = new FieldBag(fields);
  const type = typeOf(b);
  const r = new RecordBuilder(line, type);
  const t = b.first('T');
  r.set('title', joined(t), t?.line);
  const a = b.all('A');
  r.names('author', names(a), a[0]?.line);
  const e = b.all('E');
  r.names('editor', names(e), e[0]?.line);
  for (const f of b.all('Q')) if (joined(f)) r.groupAuthors.push(joined(f));

  // %J journal, %B book (or conference) title; the first %J is the original-language name.
  const j = b.all('J').filter((f) => joined(f));
  const bk = b.first('B');
  const container = j[0] ?? bk;
  r.set('container-title', joined(container), container?.line);
  if (j[1]) r.extra.containerTitleTranslated = joined(j[1]);
  if (j.length && bk) r.set('collection-title', joined(bk), bk.line);
  const s = b.first('S');
  r.fill('collection-title', joined(s), s?.line);
  const ip = b.first('I');
  const cy = b.first('C');
  const pub = joined(ip);
  // Library catalogues write `%I Place : Publisher`.
  const colon = /^([^:]{2,60}?)\s+:\s+(.+)$/.exec(pub);
  if (colon && !cy) {
    r.set('publisher-place', colon[1], ip!.line);
    r.set('publisher', colon[2], ip!.line);
  } else r.set('publisher', pub, ip?.line);
  r.fill('publisher-place', joined(cy), cy?.line);
  const v = b.first('V');
  r.set('volume', joined(v), v?.line);
  const n = b.first('N');
  r.set('issue', joined(n), n?.line);
  const p = b.first('P');
  r.set('page', normaliseRange(joined(p)), p?.line);
  const ed = b.first('7');
  r.set('edition', joined(ed), ed?.line);

  const d = b.first('D');
  r.date(parseLooseDate(joined(d)), d?.line);
  const doiField = b.all('R').find((f) => doiIn(joined(f)));
  if (doiField) r.set('DOI', doiIn(joined(doiField)), doiField.line);
  else {
    const u = b.all('U').find((f) => /doi\.org\//i.test(joined(f)));
    if (u) r.set('DOI', doiIn(joined(u)), u.line);
  }
  const u = b.first('U');
  r.set('URL', joined(u).split(/\s+/)[0], u?.line);
  for (const f of b.all('@')) {
    const ids = standardNumbers(joined(f));
    if (ids.issn[0]) r.fill('ISSN', ids.issn[0], f.line);
    if (ids.isbn[0]) r.fill('ISBN', ids.isbn[0], f.line);
  }
  r.abstract(b.first('X'));
  const keywords: string[] = [];
  let kwLine: number | undefined;
  for (const f of b.all('K')) {
    // One keyword per line, or several on one line separated by `;` (or by spaces, as Wanfang writes them).
    const v = joined(f);
    const parts = /[;；]/.test(v) ? v.split(/\s*[;；]\s*/) : /[\u3400-\u9fff]/.test(v) ? v.split(/\s+/) : [v];
    for (const k of parts) if (k.trim() && !keywords.includes(k.trim())) keywords.push(k.trim());
    kwLine ??= f.line;
  }
  if (keywords.length) r.set('keyword', keywords.join(', '), kwLine);
  const g = b.first('G');
  r.set('language', joined(g), g?.line);
  const note = b.first('Z');
  r.set('note', joined(note), note?.line);
  const label = b.first('F');
  // A label is the record's key when it can be one (the same rule as every reader's keys:
  // keys.isCitekey); a bare record number or a label with spaces is not.
  if (label && isCitekey(joined(label), 'refer')) r.sourceKey = joined(label);
  const m = b.first('M');
  if (m) r.extra.accession = joined(m);
  const h = b.all('H').map(joined).filter(Boolean);
  if (h.length) r.extra.translatedAuthors = h.join('; ');
  return r.build();
}

/** Parses a Refer/EndNote tagged file. Never throws; problems come back with their lines. */
export function parseRefer(text: string, file: string): ParsedFile {
  // `%0` opens a record even without a blank line before it.
  const { groups, strayLine } = splitRecords(scanTagged(text, classify), { by: 'blank', startTag: '0' });
  const { records, problems } = recordsOf(groups, file, toRecord, (r) => !!(r.csl.title || r.csl.DOI), problemText('A Refer/EndNote record has no title (%T) or DOI (%R); skipped it.'));
  if (strayLine) problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Lines outside a Refer/EndNote record (not starting with %) were ignored.') });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No Refer/EndNote records (%A, %T … lines) found.') });
  return { file, format: 'refer', records, problems };
}
