/**
 * Web of Science tagged plain text (`savedrecs.txt`): `FN`/`VR` header, records from `PT` to
 * `ER`, `EF` at the end; a two-character tag, one space, the value; continuation lines indented
 * by three spaces (some exports do not indent them). Multi-valued fields (`AU`, `AF`, `CR`) have
 * one value per line. `CR` cited references become child records (relation `reference`).
 */
import type { Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { titleCaseIfShouting } from '../model/text';
import { FieldBag, type LineKind, RecordBuilder, type TagField, type ValueLine, cleanPersonName, doiIn, joined, pageRange, parseLooseDate, scanTagged, standardNumbers } from './tagged';
import { problemText } from '../model/problemText';

/** Tags Web of Science (Core Collection, BIOSIS, Zoological Record, Derwent, MEDLINE via WoS) writes. */
const KNOWN = new Set(
  (
    'FN VR PT AU AF BA BF CA GP BE TI SO SE BS LA DT CT CY CL SP HO DE ID AB C1 C3 RP EM RI OI FU FP FX CR NR TC Z9 U1 U2 ' +
    'PU PI PA SN EI BN J9 JI PD PY VL IS PN SU SI MA BP EP AR DI DL D2 EA PG WC WE SC GA PM OA HC HP DA UT ER EF ' +
    // BIOSIS and Derwent records; English words (IN, AN, OR, NO) left out, so an unindented `IN vitro …` continues.
    'PS AE DG PC PL MC CC MQ MI BC CB DS TN SY BR GE LO BD ED MH CH KP XR PR AD EC UR JC'
  ).split(' '),
);

function makeClassifier(indentedContinuations: boolean): (raw: string) => LineKind {
  return (raw) => {
    const c = raw.charCodeAt(0);
    if (c === 32 || c === 9) return { kind: 'continuation', text: raw };
    if (raw === 'ER' || raw === 'EF') return { kind: 'mark', mark: raw, value: '' };
    const m = /^([A-Z][A-Z0-9])(?: (.*))?$/.exec(raw);
    // Without indentation a continuation line can look like a tag (`IN vitro …`): then only known tags count.
    if (m && (KNOWN.has(m[1]) || indentedContinuations)) {
      if (m[1] === 'ER' || m[1] === 'EF') return { kind: 'mark', mark: m[1], value: (m[2] ?? '').trim() };
      return { kind: 'tag', tag: m[1], value: (m[2] ?? '').trim() };
    }
    return { kind: 'continuation', text: raw };
  };
}

/** True for Web of Science tagged text: `FN ` header, or `PT <letter>` records closed by `ER`. */
export function sniffWosTagged(head: string): boolean {
  if (/^FN (?:Thomson|Clarivate|ISI|Web of)/.test(head)) return true;
  return /^PT [A-Z]\s*$/m.test(head) && /^ER\s*$/m.test(head) && /^(?:AU|TI|SO|UT) \S/m.test(head);
}

const DOC_TYPES: Record<string, string> = { J: 'article-journal', B: 'book', S: 'chapter', P: 'patent', C: 'paper-conference' };

function typeOf(pt: string, dt: string): string {
  const d = dt.toLowerCase();
  if (/proceedings paper|meeting/.test(d)) return 'paper-conference';
  if (/patent/.test(d) || pt === 'P') return 'patent';
  if (/book chapter/.test(d)) return 'chapter';
  if (/^book\b/.test(d)) return 'book';
  if (/dissertation|thesis/.test(d)) return 'thesis';
  return DOC_TYPES[pt] ?? 'article-journal';
}

function personNames(lines: ValueLine[]): Name[] {
  const out: Name[] = [];
  for (const l of lines) {
    const n = cleanPersonName(l.text);
    if (n) out.push(n);
  }
  return out;
}

/**
 * One `CR` line: `Author AB, Year, JOURNAL, Vvol, Ppage, DOI 10.x/…` with any part missing;
 * `[Anonymous]`; `DOI [10.1/a, 10.2/b]`. Undefined when the line carries nothing to cite.
 */
export function parseCitedReference(raw: string, line: number): ParsedRecord | undefined {
  let s = raw.trim();
  // A reference is one short line; a longer one is not a reference (and would make the splits slow).
  if (!s || s.length > 1000) return undefined;
  let doi: string | undefined;
  // The DOI list first: it holds commas of its own.
  const dm = /,?\s*DOI\s+(\[[^\]]*\]?|\S+)\s*$/i.exec(s);
  if (dm) {
    const list = dm[1].replace(/^\[|\]$/g, '').split(/,\s*/);
    for (const d of list) {
      const got = doiIn(d.replace(/^DOI\s+/i, ''));
      if (got) {
        doi = got;
        break;
      }
    }
    s = s.slice(0, dm.index).trim();
  }
  const parts = s.split(/\s*,\s*/).filter((p) => p !== '');
  const csl: ParsedRecord['csl'] = { type: 'article-journal' };
  const fieldLines: Record<string, number> = {};
  let i = 0;
  if (parts[0] !== undefined && !/^\d{4}$/.test(parts[0])) {
    const who = parts[0];
    if (!/^\[?anonymous\]?$/i.test(who) && /\p{L}/u.test(who)) {
      // `Family AB` / `Family A.B.`: a person; several words without initials: an organisation.
      const words = who.split(/\s+/);
      const person = words.length === 1 || /^(?:\p{Lu}\.?-?){1,4}$/u.test(words[words.length - 1]);
      const name = person ? parsePersonName(who.replace(/\.$/, '')) : { literal: who };
      if (name) {
        csl.author = [name];
        fieldLines.author = line;
      }
    }
    i = 1;
  }
  if (parts[i] !== undefined && /^\d{4}$/.test(parts[i])) {
    const y = Number(parts[i]);
    if (y >= 1000 && y <= 2999) {
      csl.issued = { 'date-parts': [[y]] };
      fieldLines.issued = line;
    }
    i++;
  }
  for (; i < parts.length; i++) {
    const p = parts[i];
    let m: RegExpExecArray | null;
    if ((m = /^V(\S+)$/.exec(p)) && /\d/.test(m[1])) {
      csl.volume = m[1];
      fieldLines.volume = line;
    } else if ((m = /^P(\S+)$/.exec(p)) && /\d/.test(m[1])) {
      csl.page = m[1];
      fieldLines.page = line;
    } else if (/^(?:UNSP|ARTN)\s+\S+$/.test(p)) {
      csl.page ??= p.replace(/^\S+\s+/, '');
      fieldLines.page ??= line;
    } else if (!csl['container-title'] && /\p{L}/u.test(p)) {
      csl['container-title'] = titleCaseIfShouting(p);
      fieldLines['container-title'] = line;
    }
  }
  if (doi) {
    csl.DOI = doi;
    fieldLines.DOI = line;
  }
  if (!csl.author && !csl.DOI && !csl['container-title']) return undefined;
  return { line, csl, fieldLines };
}

function toRecord(fields: TagField[], line: number): ParsedRecord {
  const b = new FieldBag(fields);
  const pt = joined(b.first('PT'));
  const dt = joined(b.first('DT'));
  const type = typeOf(pt, dt);
  const r = new RecordBuilder(line, type);
  const ti = b.first('TI');
  r.set('title', joined(ti), ti?.line);

  // Full names (AF) when given, the short ones (AU) otherwise; book authors likewise.
  const af = b.first('AF');
  const au = b.first('AU');
  const bf = b.first('BF');
  const ba = b.first('BA');
  const who = af ?? au ?? bf ?? ba;
  if (who) r.names('author', personNames(who.values), who.line);
  const be = b.first('BE');
  if (be) r.names('editor', personNames(be.values), be.line);
  for (const f of [...b.all('CA'), ...b.all('GP')]) for (const v of f.values) r.groupAuthors.push(v.text);

  const so = b.first('SO');
  r.set('container-title', titleCaseIfShouting(joined(so)), so?.line);
  const ji = b.first('JI', 'J9');
  if (ji && joined(ji).toLowerCase() !== joined(so).toLowerCase()) r.set('container-title-short', joined(ji), ji.line);
  const se = b.first('SE', 'BS');
  r.set('collection-title', titleCaseIfShouting(joined(se)), se?.line);
  const ct = b.first('CT');
  if (ct) r.set('event-title', joined(ct), ct.line);
  const cl = b.first('CL');
  if (ct && cl) r.set('event-place', joined(cl), cl.line);
  const pu = b.first('PU');
  r.set('publisher', joined(pu), pu?.line);
  const pi = b.first('PI');
  r.set('publisher-place', joined(pi), pi?.line);
  const vl = b.first('VL');
  r.set('volume', joined(vl), vl?.line);
  const is = b.first('IS');
  r.set('issue', joined(is), is?.line);
  const bp = b.first('BP');
  const ep = b.first('EP');
  const ar = b.first('AR');
  const ps = b.first('PS');
  if (bp || ep) r.set('page', pageRange(joined(bp), joined(ep)), (bp ?? ep)?.line);
  else if (ps) r.set('page', joined(ps), ps.line);
  else if (ar) r.set('page', joined(ar), ar.line);
  if (ar) r.extra.articleNumber = joined(ar);
  const pg = b.first('PG');
  if (pg && /^\d+$/.test(joined(pg))) r.set('number-of-pages', joined(pg), pg.line);

  const di = b.first('DI', 'D2');
  r.set('DOI', doiIn(joined(di)), di?.line);
  const pm = b.first('PM');
  if (pm && /^\d{1,12}$/.test(joined(pm))) r.set('PMID', joined(pm), pm.line);
  for (const f of [...b.all('SN'), ...b.all('EI')]) {
    const { issn } = standardNumbers(joined(f));
    if (issn[0]) r.fill('ISSN', issn[0], f.line);
  }
  const bn = b.first('BN');
  if (bn) r.set('ISBN', standardNumbers(joined(bn)).isbn[0] ?? joined(bn), bn.line);

  // Date: PY is the year; PD adds month and day (`FEB 2011`, `JUN 28 2011`, `SPR`).
  const py = b.first('PY');
  const pd = b.first('PD');
  const pyYear = joined(py);
  let date = parseLooseDate(`${joined(pd)} ${/^\d{4}$/.test(pyYear) && !/\d{4}/.test(joined(pd)) ? pyYear : ''}`.trim());
  const dYear = date?.['date-parts']?.[0]?.[0];
  if (/^\d{4}$/.test(pyYear) && dYear !== Number(pyYear)) date = parseLooseDate(pyYear);
  r.date(date, (py ?? pd)?.line);

  r.abstract(b.first('AB'));
  const keywords: string[] = [];
  let kwLine: number | undefined;
  for (const t of ['DE', 'ID']) {
    const f = b.first(t);
    if (!f) continue;
    for (const k of joined(f).split(/\s*;\s*/)) {
      if (k && !keywords.some((x) => x.toLowerCase() === k.toLowerCase())) keywords.push(k);
    }
    kwLine ??= f.line;
  }
  if (keywords.length) r.set('keyword', keywords.join(', '), kwLine);
  const la = b.first('LA');
  r.set('language', joined(la), la?.line);
  const ut = b.first('UT');
  if (ut) r.extra.accession = joined(ut);
  const tc = b.first('TC');
  if (tc && /^\d+$/.test(joined(tc))) r.extra.timesCited = joined(tc);
  if (dt) r.extra.documentType = dt;
  const pn = b.first('PN');
  if (pn && type === 'patent') r.set('number', joined(pn), pn.line);

  for (const f of b.all('CR')) {
    for (const v of f.values) {
      const child = parseCitedReference(v.text, v.line);
      if (child) r.children!.push({ relation: 'reference', record: child });
    }
  }
  return r.build();
}

/** Parses a Web of Science tagged export. Never throws; problems come back with their lines. */
export function parseWosTagged(text: string, file: string): ParsedFile {
  const indented = /\n {2,3}\S/.test(text.slice(0, 65536));
  const items = scanTagged(text, makeClassifier(indented));
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  let fields: TagField[] | undefined;
  let start = 0;
  let strayLine = 0;
  const flush = () => {
    if (!fields) return;
    const rec = toRecord(fields, start);
    if (rec.csl.title || rec.csl.DOI) records.push(rec);
    else problems.push({ file, line: start, severity: 'warning', ...problemText('A Web of Science record has no title (TI) or DOI (DI); skipped it.') });
    fields = undefined;
  };
  for (const it of items) {
    if (it.kind === 'mark') {
      if (it.mark === 'ER' && !fields) {
        strayLine ||= it.line;
      }
      flush();
      continue;
    }
    if (it.kind === 'blank') continue;
    if (it.kind === 'other') {
      strayLine ||= it.line;
      continue;
    }
    const f = it.field;
    if (f.tag === 'FN' || f.tag === 'VR') {
      if (fields) {
        problems.push({ file, line: start, severity: 'warning', ...problemText('A Web of Science record has no ER line before the next file header; ended it there.') });
        flush();
      }
      continue;
    }
    if (f.tag === 'PT' && fields) {
      problems.push({ file, line: start, severity: 'warning', ...problemText('A Web of Science record has no ER line before the next PT; ended it there.') });
      flush();
    }
    if (!fields) {
      fields = [];
      start = f.line;
    }
    fields.push(f);
  }
  if (fields) {
    problems.push({ file, line: start, severity: 'warning', ...problemText('The last Web of Science record has no ER line; ended it at the end of the file.') });
    flush();
  }
  if (strayLine) problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Lines outside a Web of Science record (before PT or after ER) were ignored.') });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No Web of Science records (PT … ER) found.') });
  return { file, format: 'wos-tagged', records, problems };
}
