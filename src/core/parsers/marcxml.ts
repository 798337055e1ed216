/**
 * MARCXML (MARC 21 slim: `<collection>` / `<record>` of `<leader>`, `<controlfield>`,
 * `<datafield tag=… ><subfield code=…>`), as library catalogues and SRU services give it (also
 * wrapped in an SRU `searchRetrieveResponse` or `recordData`). Only the fields a citation needs
 * are read; ISBD punctuation at the end of subfields is dropped.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, dateParts, expandPages, kids, readXmlFile, rootName, text } from './xml';

/** True when the first element is a MARCXML collection/record (or an SRU wrapper of them). */
export function sniffMarcxml(head: string): boolean {
  const r = rootName(head);
  if (r !== 'collection' && r !== 'record' && r !== 'searchRetrieveResponse') return false;
  return /<(?:\w+:)?datafield\s[^>]*tag=/.test(head) || /<(?:\w+:)?leader>/.test(head);
}

interface Field {
  tag: string;
  ind1: string;
  ind2: string;
  subs: { code: string; value: string }[];
  el: XmlEl;
}

/** `London :` → `London`; `Schultz,` → `Schultz`; `1999.` → `1999`; keeps `Jr.` and initials. */
function trimIsbd(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/\s*[/:;,=]\s*$/, '')
    .replace(/([^.\s][^.\s])\.$/, '$1')
    .replace(/^\[(.*)\]$/, '$1')
    .trim();
}

function fieldsOf(r: XmlEl): { leader: string; control: Map<string, string>; data: Field[] } {
  const control = new Map<string, string>();
  const data: Field[] = [];
  let leader = '';
  for (const c of kids(r)) {
    if (c.name === 'leader') leader = text(c) ?? '';
    else if (c.name === 'controlfield' && c.attrs.tag) control.set(c.attrs.tag, kids(c).length ? (text(c) ?? '') : c.children.join(''));
    else if (c.name === 'datafield' && c.attrs.tag) {
      const subs = kids(c, 'subfield').map((s) => ({ code: s.attrs.code ?? '', value: text(s) ?? '' })).filter((s) => s.value);
      data.push({ tag: c.attrs.tag, ind1: c.attrs.ind1 ?? ' ', ind2: c.attrs.ind2 ?? ' ', subs, el: c });
    }
  }
  return { leader, control, data };
}

const sub = (f: Field | undefined, code: string) => f?.subs.find((s) => s.code === code)?.value;
const subs = (f: Field, codes: string) => f.subs.filter((s) => codes.includes(s.code)).map((s) => s.value);

function typeOf(leader: string, hasHost: boolean): string {
  const t = leader[6] ?? 'a';
  const level = leader[7] ?? 'm';
  if (t === 'a' || t === 't') {
    if (level === 'a' || level === 'b' || hasHost) return 'article-journal';
    if (level === 's') return 'periodical';
    return t === 't' ? 'manuscript' : 'book';
  }
  if (t === 'j' || t === 'i') return 'song';
  if (t === 'e' || t === 'f') return 'map';
  if (t === 'g') return 'motion_picture';
  if (t === 'k') return 'graphic';
  if (t === 'm') return 'software';
  if (t === 'c' || t === 'd') return 'musical_score';
  return 'document';
}

const AUTHOR = /^(?:aut|cre|author|creator|verfasser(?:in)?|auteur|autor)$/i;
const EDITOR = /^(?:edt|editor|hrsg|herausgeber(?:in)?|ed|eds|éditeur)$/i;

function readRecord(doc: XmlDoc, r: XmlEl): ParsedRecord {
  const { leader, control, data } = fieldsOf(r);
  const all = (tag: string) => data.filter((f) => f.tag === tag);
  const first = (...tags: string[]) => data.find((f) => tags.includes(f.tag));
  const host = first('773');
  const csl: CslFields = { type: typeOf(leader, !!host) };
  const rec: ParsedRecord = { line: doc.lineAt(r.start), csl, fieldLines: {} };
  const at = (field: string, f: Field | undefined) => {
    if (f) rec.fieldLines[field] = doc.lineAt(f.el.start);
  };

  const t = first('245');
  if (t) {
    // Subfields carry their own ISBD punctuation ("Sound and fury :" + "the making of …");
    // a part number or name ($n, $p) after an unpunctuated $a gets a full stop.
    let title = '';
    for (const x of t.subs) {
      if (!'abnp'.includes(x.code)) continue;
      const v = x.value.replace(/\s+/g, ' ').trim();
      if (!title) title = v;
      else if ((x.code === 'n' || x.code === 'p') && !/[.:;,/=]$/.test(title)) title += `. ${v}`;
      else title += ` ${v}`;
    }
    title = trimIsbd(title.replace(/\s+([:;,.])/g, '$1'));
    if (title) {
      csl.title = title;
      at('title', t);
    }
  }

  const author: Name[] = [];
  const editor: Name[] = [];
  const groups: string[] = [];
  for (const f of data) {
    // Meetings (111, 711) are not authors; an added corporate entry (710) only with a role.
    if (!/^(?:100|110|700|710)$/.test(f.tag)) continue;
    const roles = subs(f, 'e4').map((x) => trimIsbd(x).replace(/\.$/, ''));
    const personal = f.tag.endsWith('00');
    const raw = personal ? sub(f, 'a') : subs(f, 'abcdn').join('. ');
    if (!raw) continue;
    const cleaned = trimIsbd(raw).replace(/,$/, '');
    const name: Name | undefined = personal && f.ind1 !== '3' ? parsePersonName(cleaned) : { literal: cleaned.replace(/\.\s*\./g, '.') };
    if (!name) continue;
    if (roles.some((x) => EDITOR.test(x))) editor.push(name);
    else if ((!roles.length && f.tag !== '710') || roles.some((x) => AUTHOR.test(x))) {
      author.push(name);
      if (name.literal) groups.push(name.literal);
      if (author.length === 1) at('author', f);
    }
  }
  if (author.length) csl.author = author;
  if (editor.length) csl.editor = editor;
  if (groups.length) rec.groupAuthors = groups;

  // Publication: 264 with second indicator 1 (publication) first, then 260, then any 264.
  const pub = data.find((f) => f.tag === '264' && f.ind2 === '1') ?? first('260') ?? first('264');
  if (pub) {
    const place = sub(pub, 'a');
    const publisher = sub(pub, 'b');
    if (place && !/^s\.\s?l\.?/i.test(place)) csl['publisher-place'] = trimIsbd(place);
    if (publisher && !/^s\.\s?n\.?/i.test(publisher)) {
      csl.publisher = trimIsbd(publisher);
      at('publisher', pub);
    }
  }
  const y = /\b(\d{4})\b/.exec(sub(pub, 'c') ?? '')?.[1] ?? /^\d{4}$/.exec((control.get('008') ?? '').slice(7, 11))?.[0];
  const parts = dateParts(y);
  if (parts) {
    csl.issued = { 'date-parts': [parts] };
    at('issued', pub);
  }

  const isbn = first('020');
  const isbnV = sub(isbn, 'a')?.split(/\s/)[0];
  if (isbnV) {
    csl.ISBN = isbnV;
    at('ISBN', isbn);
  }
  const issn = sub(first('022'), 'a');
  if (issn) csl.ISSN = issn;
  for (const f of all('024')) {
    if ((sub(f, '2') ?? '').toLowerCase() !== 'doi') continue;
    const d = extractDoi(sub(f, 'a') ?? '');
    if (d) {
      csl.DOI = d;
      at('DOI', f);
      break;
    }
  }
  for (const f of all('856')) {
    const u = sub(f, 'u');
    if (!u) continue;
    const d = /doi\.org\//.test(u) ? extractDoi(u) : undefined;
    if (d && !csl.DOI) csl.DOI = d;
    else if (!csl.URL && /^https?:\/\//.test(u)) csl.URL = u;
  }
  const ed = sub(first('250'), 'a');
  if (ed) csl.edition = trimIsbd(ed);
  const extent = sub(first('300'), 'a');
  const pages = /(\d+)\s*(?:p\b|pp\b|pages?\b|S\.|s\.|Seiten)/.exec(extent ?? '');
  if (pages && csl.type === 'book') csl['number-of-pages'] = pages[1];
  const series = sub(first('490', '830'), 'a');
  if (series) csl['collection-title'] = trimIsbd(series);
  const abs = all('520').map((f) => sub(f, 'a')).filter((s): s is string => !!s);
  if (abs.length) {
    csl.abstract = abs.join('\n');
    const f = first('520')!;
    at('abstract', f);
    rec.textBlocks = [{ text: csl.abstract, line: doc.lineAt(f.el.start) }];
  }
  const topics: string[] = [];
  for (const f of data) {
    if (!/^(?:650|651|653|655)$/.test(f.tag)) continue;
    const v = sub(f, 'a');
    if (v && !topics.includes(trimIsbd(v))) topics.push(trimIsbd(v));
  }
  if (topics.length) csl.keyword = topics.join(', ');
  const lang = sub(first('041'), 'a') ?? ((control.get('008') ?? '').slice(35, 38).trim() || undefined);
  if (lang && /^[a-z]{3}$/.test(lang)) csl.language = lang;
  if (host) {
    const ht = sub(host, 't') ?? sub(host, 'a');
    if (ht) {
      csl['container-title'] = trimIsbd(ht);
      at('container-title', host);
    }
    const g = sub(host, 'g') ?? '';
    const vol = /\b(?:vol\.?|v\.|bd\.?|jg\.?)\s*(\w+)/i.exec(g) ?? /^(\d+)\s*[,(:]/.exec(g);
    if (vol) csl.volume = vol[1];
    const iss = /\b(?:no\.?|nr\.?|n\.|h\.|heft|issue)\s*(\w+)/i.exec(g);
    if (iss) csl.issue = iss[1];
    const pg = /\b(?:p\.?|pp\.?|s\.)\s*([\w]+(?:\s*[-–]\s*[\w]+)?)/i.exec(g);
    if (pg) csl.page = expandPages(pg[1]);
    if (!csl.issued) {
      const hy = dateParts(/\b(\d{4})\b/.exec(g)?.[1]);
      if (hy) csl.issued = { 'date-parts': [hy] };
    }
    const hx = sub(host, 'x');
    if (hx && !csl.ISSN) csl.ISSN = hx;
  }
  const id = control.get('001');
  if (id) (rec.extra ??= {}).controlNumber = id.trim();
  return rec;
}

/** Parses a MARCXML file. */
export function parseMarcxml(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'marcxml', 'MARCXML', (doc) => {
    const out: XmlRecord[] = [];
    const visit = (el: XmlEl, depth: number) => {
      if (depth > 8) return;
      if (el.name === 'record' && kids(el, 'leader', 'datafield', 'controlfield').length) {
        out.push({ record: readRecord(doc, el), end: el.end });
        return;
      }
      for (const c of kids(el)) visit(c, depth + 1);
    };
    for (const r of doc.roots) visit(r, 0);
    return out;
  });
}
