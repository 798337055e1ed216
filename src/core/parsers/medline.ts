/**
 * MEDLINE / PubMed "PubMed format" (`.nbib`, `.txt`; also ERIC's export of the same layout):
 * `TAG - value` with the tag padded to four characters (`PMID- `, `TI  - `, `FAU - `), wrapped
 * values continued on lines indented by six spaces, records separated by blank lines.
 */
import type { Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { FieldBag, type LineKind, RecordBuilder, type TagField, doiIn, joined, normaliseRange, parseLooseDate, recordsOf, scanTagged, splitRecords, standardNumbers } from './tagged';
import { problemText } from '../model/problemText';

/** `PMID- 1`, `TI  - x`, `FAU - x`, `AU  -x`: tag of 2–4 capitals/digits, padded, then `- `. */
function classify(raw: string): LineKind {
  const c = raw.charCodeAt(0);
  if (c === 32 || c === 9) return { kind: 'continuation', text: raw };
  const m = /^([A-Z][A-Z0-9]{1,3}) {0,3}-(?: |$)/.exec(raw);
  if (m && (m[0].length >= 5 || raw.length <= 5)) return { kind: 'tag', tag: m[1], value: raw.slice(m[0].length).trim() };
  return { kind: 'continuation', text: raw };
}

/** True for text in MEDLINE tagged layout: a `PMID- ` line, or several four-column tags typical of it. */
export function sniffMedline(head: string): boolean {
  if (/^PMID- ?\d/m.test(head)) return true;
  if (!/^TI {2}- \S/m.test(head)) return false;
  let score = 0;
  // Tags written in MEDLINE's four columns (`OWN - `, `FAU - `, `DP  - `); the long ones only MEDLINE has.
  for (const m of head.matchAll(/^([A-Z][A-Z0-9]{1,3}) {0,2}- /gm)) {
    if (m[0].length !== 6) continue;
    if (STRONG.has(m[1])) score += 2;
    else if (WEAK.has(m[1])) score++;
    if (score >= 5) return true;
  }
  return false;
}

const STRONG = new Set(['OWN', 'STAT', 'FAU', 'DCOM', 'EDAT', 'MHDA', 'CRDT', 'PHST', 'JID', 'LID', 'AID', 'OID', 'DEP', 'PST']);
const WEAK = new Set(['DP', 'TI', 'AU', 'JT', 'TA', 'OT', 'PT', 'AB', 'SO', 'LA', 'IS', 'VI', 'IP', 'PG', 'MH']);

function typeOf(pts: string[], hasJournal: boolean, hasBookTitle: boolean, hasVolume: boolean): string {
  const all = pts.join('|').toLowerCase();
  if (/journal articles?\b/.test(all)) return 'article-journal';
  if (/\bbook chapter|chapter\b/.test(all)) return 'chapter';
  if (/dissertation|thesis/.test(all)) return 'thesis';
  // ERIC writes the publisher of a report in JT; a volume or issue says it is a journal after all.
  if (/\breports?\b|technical report|guides?\b/.test(all) && !/case reports?/.test(all) && !hasVolume) return 'report';
  if (/\bbooks?\b/.test(all) || hasBookTitle) return hasJournal ? 'chapter' : 'book';
  if (/\b(?:speeches|meeting papers?|congress|conference)\b/.test(all) && !hasJournal) return 'paper-conference';
  return 'article-journal';
}

function names(fields: TagField[]): Name[] {
  const out: Name[] = [];
  for (const f of fields) {
    const v = joined(f);
    if (!v || v.length > 300 || /^et al\.?$/i.test(v)) continue;
    const n = parsePersonName(v);
    if (n) out.push(n);
  }
  return out;
}

function toRecord(fields: TagField[], line: number): ParsedRecord {
  const b = new FieldBag(fields);
  const pts = b.all('PT').map(joined).filter(Boolean);
  const jt = b.first('JT');
  const ta = b.first('TA');
  const bti = b.first('BTI');
  const type = typeOf(pts, !!(jt || ta), !!bti, b.has('VI') || b.has('IP'));
  const r = new RecordBuilder(line, type);
  const ti = b.first('TI') ?? bti;
  r.set('title', joined(ti), ti?.line);
  if (bti && ti !== bti) r.set('container-title', joined(bti), bti.line);
  const tt = b.first('TT');
  if (tt && ti) r.extra.originalTitle = joined(tt);

  // Full names (FAU) in file order when the record has them; the short AU list otherwise.
  const fau = b.all('FAU');
  const au = b.all('AU');
  const authors = names(fau.length ? fau : au);
  r.names('author', authors, (fau[0] ?? au[0])?.line);
  if (au.some((f) => /^et al\.?$/i.test(joined(f)))) r.extra.etAl = 'true';
  const fed = b.all('FED');
  r.names('editor', names(fed.length ? fed : b.all('ED')), (fed[0] ?? b.first('ED'))?.line);
  for (const cn of b.all('CN')) {
    const v = joined(cn);
    if (v) r.groupAuthors.push(v);
  }

  // Journal: JT (full) and TA (abbreviation); ERIC puts a report's publisher in JT.
  if (type === 'report' && jt) r.set('publisher', joined(jt), jt.line);
  else if (type !== 'book') r.set('container-title', joined(jt ?? ta), (jt ?? ta)?.line);
  if (ta && (!jt || joined(ta) !== joined(jt)) && type !== 'report') r.set('container-title-short', joined(ta), ta.line);
  const pb = b.first('PB');
  r.fill('publisher', joined(pb), pb?.line);
  const pl = b.first('PL');
  if (pb && pl) r.set('publisher-place', joined(pl), pl.line);
  const vi = b.first('VI');
  r.set('volume', joined(vi), vi?.line);
  const ip = b.first('IP');
  r.set('issue', joined(ip), ip?.line);
  const pg = b.first('PG');
  r.set('page', normaliseRange(joined(pg)), pg?.line);

  // ERIC's SO line (`v21 n1 p12-24 2020`) fills what the separate tags did not give.
  const so = b.first('SO');
  if (so) {
    const s = joined(so);
    const v = /(?:^|\s)v(\d[\w-]*)/.exec(s);
    const n = /(?:^|\s)n(\d[\w-]*)/.exec(s);
    const p = /(?:^|\s)p(\d[\w-]*)/.exec(s);
    if (v) r.fill('volume', v[1], so.line);
    if (n) r.fill('issue', n[1], so.line);
    if (p) r.fill('page', normaliseRange(p[1]), so.line);
  }

  // Identifiers: AID and LID carry `value [doi]`, `value [pii]`; ERIC gives DOI URLs.
  for (const f of [...b.all('AID'), ...b.all('LID')]) {
    const v = joined(f);
    if (/\[doi\]\s*$/i.test(v) || /doi\.org\//i.test(v)) {
      const d = doiIn(v);
      if (d) {
        r.fill('DOI', d, f.line);
        if (/\[doi\]\s*$/i.test(v)) r.set('DOI', d, f.line);
        if (/\[doi\]\s*$/i.test(v)) break;
      }
    }
  }
  const pmid = b.first('PMID');
  if (pmid && /^\d{1,12}$/.test(joined(pmid))) r.set('PMID', joined(pmid), pmid.line);
  const pmc = b.first('PMC');
  if (pmc && /^PMC\d+$/i.test(joined(pmc))) r.set('PMCID', joined(pmc).toUpperCase(), pmc.line);
  for (const f of [...b.all('IS'), ...b.all('ISSN')]) {
    const { issn } = standardNumbers(joined(f));
    if (issn[0]) r.fill('ISSN', issn[0], f.line);
  }
  for (const f of b.all('ISBN')) {
    const { isbn } = standardNumbers(joined(f));
    if (isbn[0]) r.fill('ISBN', isbn[0], f.line);
  }

  const dp = b.first('DP') ?? b.first('DEP');
  r.date(parseLooseDate(joined(dp)), dp?.line);

  r.abstract(b.first('AB'));
  const keywords: string[] = [];
  let kwLine: number | undefined;
  for (const f of [...b.all('OT'), ...b.all('MH')]) {
    const k = joined(f).replace(/\*/g, '');
    if (k && !keywords.includes(k)) {
      keywords.push(k);
      kwLine ??= f.line;
    }
  }
  if (keywords.length) r.set('keyword', keywords.join(', '), kwLine);
  const la = b.first('LA');
  r.set('language', joined(la), la?.line);
  if (pts.length) r.extra.publicationType = pts.join('; ');
  const oid = b.first('OID');
  if (oid) r.extra.accession = joined(oid);
  return r.build();
}

/** Parses a MEDLINE/PubMed tagged file. Never throws; problems come back with their lines. */
export function parseMedline(text: string, file: string): ParsedFile {
  // A PMID line always starts a record, even when no blank line came before it.
  const { groups, strayLine } = splitRecords(scanTagged(text, classify), { by: 'blank', startTag: 'PMID' });
  const { records, problems } = recordsOf(groups, file, toRecord, (r) => !!(r.csl.title || r.csl.PMID || r.csl.DOI), problemText('A MEDLINE record has no title (TI), PMID or DOI; skipped it.'));
  if (strayLine) problems.push({ file, line: strayLine, severity: 'warning', ...problemText('Lines before the first MEDLINE field (TAG - value) were ignored.') });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No MEDLINE records (PMID- / TI  - lines) found.') });
  return { file, format: 'medline', records, problems };
}
