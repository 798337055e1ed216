/**
 * RefWorks tagged format: `RT Journal Article` opens a record, then two-character tags, a space,
 * the value (`A1 Smith, John`, `T1 Title`, `JF Journal`, `YR 2002`); records separated by blank
 * lines; an untagged line continues the field above it.
 */
import type { Name, ParsedFile, ParsedRecord } from '../model/model';
import { FieldBag, type LineKind, RecordBuilder, type TagField, cleanPersonName, doiIn, joined, pageRange, parseLooseDate, recordsOf, scanTagged, splitRecords, standardNumbers } from './tagged';
import { problemText } from '../model/problemText';

function classify(raw: string): LineKind {
  const m = /^([A-Z][A-Z0-9]) (.*)$/.exec(raw) ?? /^([A-Z][A-Z0-9])$/.exec(raw);
  if (m) return { kind: 'tag', tag: m[1], value: (m[2] ?? '').trim() };
  return { kind: 'continuation', text: raw };
}

/** True for RefWorks tagged text: it opens with `RT <type>` and has RefWorks' author/title tags, no `ER`. */
export function sniffRefworks(head: string): boolean {
  if (!/^RT \S/.test(head.trimStart())) return false;
  return /^(?:A1|T1|JF|YR|SR|ID) \S/m.test(head) && !/^ER\s*$/m.test(head) && !/^[A-Z][A-Z0-9] {1,2}- /m.test(head);
}

const TYPES: [RegExp, string][] = [
  [/^journal|^abstract/i, 'article-journal'],
  [/^magazine/i, 'article-magazine'],
  [/^newspaper/i, 'article-newspaper'],
  [/^book,?\s*(?:section|chapter)/i, 'chapter'],
  [/^book/i, 'book'],
  [/^conference/i, 'paper-conference'],
  [/^dissertation|^thesis/i, 'thesis'],
  [/^report/i, 'report'],
  [/^web page|^online/i, 'webpage'],
  [/^patent/i, 'patent'],
  [/^computer program/i, 'software'],
  [/^map/i, 'map'],
  [/^grant/i, 'report'],
];

function names(fields: TagField[]): Name[] {
  const out: Name[] = [];
  for (const f of fields) {
    const v = joined(f);
    for (const part of v.indexOf(';') !== -1 ? v.split(';') : [v]) {
      // RefWorks writes `Stansfeld,Stephen` without a space after the comma.
      const n = cleanPersonName(part.replace(/,(?=\S)/, ', '));
      if (n) out.push(n);
    }
  }
  return out;
}

function toRecord(fields: TagField[], line: number): ParsedRecord {
  const b = new FieldBag(fields);
  const rt = joined(b.first('RT'));
  let type = 'article-journal';
  for (const [re, t] of TYPES) {
    if (re.test(rt)) {
      type = t;
      break;
    }
  }
  const r = new RecordBuilder(line, type);
  const t1 = b.first('T1');
  r.set('title', joined(t1), t1?.line);
  const a1 = b.all('A1');
  r.names('author', names(a1), a1[0]?.line);
  const a2 = b.all('A2');
  r.names('editor', names(a2), a2[0]?.line);

  const jf = b.first('JF');
  const jo = b.first('JO', 'JA');
  const t2 = b.first('T2');
  const container = jf ?? (type === 'chapter' || type === 'paper-conference' ? t2 : undefined) ?? jo ?? t2;
  r.set('container-title', joined(container), container?.line);
  if (jo && container !== jo) r.set('container-title-short', joined(jo), jo.line);
  const t3 = b.first('T3');
  r.set('collection-title', joined(t3), t3?.line);
  const pb = b.first('PB');
  r.set('publisher', joined(pb).slice(0, 2000).replace(/,?\s*\[URL:[^\]]*\]/g, ''), pb?.line);
  const pp = b.first('PP');
  r.set('publisher-place', joined(pp), pp?.line);
  const vo = b.first('VO');
  r.set('volume', joined(vo), vo?.line);
  const is = b.first('IS');
  // A book's IS is the number of volumes, not an issue.
  if (type !== 'book' && type !== 'chapter') r.set('issue', joined(is), is?.line);
  const sp = b.first('SP');
  const op = b.first('OP');
  r.set('page', pageRange(joined(sp), joined(op)), (sp ?? op)?.line);
  const ed = b.first('ED');
  r.set('edition', joined(ed), ed?.line);

  const yr = b.first('YR');
  const fd = b.first('FD');
  const yrText = joined(yr);
  const fdText = joined(fd);
  const date = parseLooseDate(/\d{4}/.test(fdText) ? fdText : `${yrText} ${fdText}`.trim());
  r.date(date ?? parseLooseDate(yrText), (yr ?? fd)?.line);

  const doi = b.first('DO');
  r.set('DOI', doiIn(joined(doi)), doi?.line);
  const lk = b.first('LK', 'UL');
  r.set('URL', joined(lk), lk?.line);
  const sn = b.first('SN');
  if (sn) {
    const ids = standardNumbers(joined(sn));
    if (type === 'book' || type === 'chapter') r.set('ISBN', ids.isbn[0] ?? joined(sn).replace(/\s*\(.*$/, ''), sn.line);
    else if (ids.issn[0]) r.set('ISSN', ids.issn[0], sn.line);
    else if (ids.isbn[0]) r.set('ISBN', ids.isbn[0], sn.line);
  }
  r.abstract(b.first('AB'));
  const keywords: string[] = [];
  let kwLine: number | undefined;
  for (const f of b.all('K1')) {
    for (const k of joined(f).split(/\s*;\s*/)) if (k && !keywords.includes(k)) keywords.push(k);
    kwLine ??= f.line;
  }
  if (keywords.length) r.set('keyword', keywords.join(', '), kwLine);
  const la = b.first('LA');
  r.set('language', joined(la), la?.line);
  const no = b.first('NO');
  r.set('note', joined(no), no?.line);
  const an = b.first('AN');
  if (an) r.extra.accession = joined(an);
  return r.build();
}

/** Parses a RefWorks tagged export. Never throws; problems come back with their lines. */
export function parseRefworks(text: string, file: string): ParsedFile {
  const { groups, strayLine } = splitRecords(scanTagged(text, classify), { by: 'start', startTag: 'RT', before: 'stray' });
  const { records, problems } = recordsOf(groups, file, toRecord, (r) => !!(r.csl.title || r.csl.DOI), problemText('A RefWorks record has no title (T1) or DOI (DO); skipped it.'));
  if (strayLine) problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Lines outside a RefWorks record (before its RT line) were ignored.') });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No RefWorks records (RT … lines) found.') });
  return { file, format: 'refworks', records, problems };
}
