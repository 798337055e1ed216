/**
 * MODS XML (`<modsCollection>` or a lone `<mods>`), as library catalogues (Library of Congress,
 * national libraries, GovInfo) and reference managers export it. Catalogue records vary a lot:
 * names as one `namePart` ("Holberg, Ludvig") or typed parts, roles as text or MARC relator
 * codes or absent, dates with `c`, brackets or compact ISO forms, the journal of an article in
 * `relatedItem type="host"`.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, dateParts, datePartsFromText, expandPages, kid, kidText, kids, readXmlFile, rootName, setField, text } from './xml';

/** True when the first element is a MODS collection or record. */
export function sniffMods(head: string): boolean {
  const r = rootName(head);
  return r === 'modsCollection' || r === 'mods';
}

function titleOf(ti: XmlEl | undefined): string | undefined {
  if (!ti) return undefined;
  const nonSort = kidText(ti, 'nonSort');
  const main = kidText(ti, 'title');
  if (!main) return undefined;
  let t = nonSort ? `${nonSort}${/['’\s]$/.test(nonSort) ? '' : ' '}${main}`.replace(/\s+/g, ' ') : main;
  const parts = kids(ti, 'partNumber', 'partName').map((p) => text(p)).filter((p): p is string => !!p);
  if (parts.length) t = `${t.replace(/[.\s]+$/, '')}. ${parts.join(': ')}`;
  const sub = kidText(ti, 'subTitle');
  if (sub) t = `${t.replace(/\s*[:;/]\s*$/, '')}: ${sub}`;
  return t.replace(/\s*[/:;,]\s*$/, '');
}

function mainTitle(el: XmlEl | undefined): { title?: string; el?: XmlEl; short?: string } {
  const tis = kids(el, 'titleInfo');
  const main = tis.find((t) => !t.attrs.type) ?? tis.find((t) => t.attrs.type === 'uniform') ?? tis[0];
  const abbr = tis.find((t) => t.attrs.type === 'abbreviated');
  return { title: titleOf(main), el: main, short: titleOf(abbr) };
}

const AUTHOR_ROLES = new Set(['author', 'aut', 'creator', 'cre']);
const EDITOR_ROLES = new Set(['editor', 'edt']);
const TRANSLATOR_ROLES = new Set(['translator', 'trl']);

function nameOf(n: XmlEl): Name | undefined {
  const parts = kids(n, 'namePart');
  const family = parts.filter((p) => p.attrs.type === 'family').map((p) => text(p)).filter(Boolean).join(' ');
  const given = parts.filter((p) => p.attrs.type === 'given').map((p) => text(p)).filter(Boolean).join(' ');
  const plain = parts.filter((p) => !p.attrs.type).map((p) => text(p)).filter((p): p is string => !!p);
  const kind = n.attrs.type;
  if (kind === 'corporate' || kind === 'conference') {
    const lit = plain.join('. ') || kidText(n, 'displayForm');
    return lit ? { literal: lit.replace(/\.\s*\./g, '.') } : undefined;
  }
  if (family) return given ? { family, given } : { family };
  const whole = plain.join(', ') || kidText(n, 'displayForm');
  if (!whole) return given ? { literal: given } : undefined;
  if (kind !== 'personal' && !whole.includes(',') && whole.split(/\s+/).length > 3) return { literal: whole };
  const p = parsePersonName(plain.length ? plain[0] : whole);
  if (p && given && !p.given) p.given = given;
  return p;
}

function rolesOf(n: XmlEl): string[] {
  return kids(n, 'role').flatMap((r) => kids(r, 'roleTerm')).map((t) => (text(t) ?? '').toLowerCase().replace(/[.\s]+$/, ''));
}

function readNames(el: XmlEl): { author: Name[]; editor: Name[]; translator: Name[]; first?: XmlEl } {
  const out = { author: [] as Name[], editor: [] as Name[], translator: [] as Name[], first: undefined as XmlEl | undefined };
  for (const n of kids(el, 'name')) {
    const name = nameOf(n);
    if (!name) continue;
    const roles = rolesOf(n);
    if (!roles.length || roles.some((r) => AUTHOR_ROLES.has(r))) {
      out.author.push(name);
      out.first ??= n;
    } else if (roles.some((r) => EDITOR_ROLES.has(r))) out.editor.push(name);
    else if (roles.some((r) => TRANSLATOR_ROLES.has(r))) out.translator.push(name);
  }
  return out;
}

function modsDate(raw: string | undefined): number[] | undefined {
  if (!raw) return undefined;
  const t = raw.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})/.exec(t);
  if (compact) return dateParts(compact[1], compact[2], compact[3]);
  return datePartsFromText(t.replace(/[[\]]/g, ''));
}

function issuedOf(el: XmlEl | undefined): { parts?: number[]; el?: XmlEl } {
  for (const oi of kids(el, 'originInfo')) {
    const cands = kids(oi, 'dateIssued', 'dateCreated', 'copyrightDate', 'dateOther', 'dateCaptured');
    const order = [...cands.filter((d) => d.attrs.keyDate === 'yes'), ...cands.filter((d) => d.name === 'dateIssued'), ...cands];
    for (const d of order) {
      const parts = modsDate(text(d));
      if (parts) return { parts, el: d };
    }
  }
  return {};
}

function typeOf(mods: XmlEl, host: XmlEl | undefined): string {
  const genres = kids(mods, 'genre').map((g) => (text(g) ?? '').toLowerCase());
  const resource = (kidText(mods, 'typeOfResource') ?? '').toLowerCase();
  const issuance = kids(mods, 'originInfo').map((o) => (kidText(o, 'issuance') ?? '').toLowerCase());
  if (host && mainTitle(host).title) {
    const hg = [...kids(host, 'genre').map((g) => (text(g) ?? '').toLowerCase()), ...kids(host, 'originInfo').map((o) => (kidText(o, 'issuance') ?? '').toLowerCase())].join(' ');
    if (/journal|periodical|continuing|serial|magazine|newspaper/.test(hg) || genres.some((g) => /article/.test(g))) return /newspaper/.test(hg) ? 'article-newspaper' : /magazine/.test(hg) ? 'article-magazine' : 'article-journal';
    if (/book|monograph/.test(hg) || genres.some((g) => /chapter|section/.test(g))) return 'chapter';
  }
  const g = genres.join(' ');
  if (/web ?site|web page|webpage/.test(g)) return 'webpage';
  if (/thesis|dissertation/.test(g)) return 'thesis';
  if (/conference|proceedings/.test(g)) return 'paper-conference';
  if (/report/.test(g)) return 'report';
  if (/article/.test(g)) return 'article-journal';
  if (/cartographic/.test(resource) || /\bmap\b/.test(g)) return 'map';
  if (/sound recording/.test(resource)) return 'song';
  if (/moving image/.test(resource)) return 'motion_picture';
  if (/still image/.test(resource)) return 'graphic';
  if (/software/.test(resource)) return 'software';
  if (/notated music/.test(resource)) return 'musical_score';
  if (/continuing|serial/.test(issuance.join(' '))) return 'periodical';
  if (resource === 'text' || /book|monograph/.test(g) || issuance.includes('monographic')) return 'book';
  return 'document';
}

function readPart(doc: XmlDoc, rec: ParsedRecord, part: XmlEl | undefined): void {
  if (!part) return;
  for (const d of kids(part, 'detail')) {
    const t = (d.attrs.type ?? '').toLowerCase();
    const v = kidText(d, 'number') ?? kidText(d, 'title');
    if (!v) continue;
    if (t === 'volume' && !rec.csl.volume) setField(rec, doc, 'volume', v, d);
    else if ((t === 'issue' || t === 'number') && !rec.csl.issue) setField(rec, doc, 'issue', v, d);
  }
  for (const e of kids(part, 'extent')) {
    const unit = (e.attrs.unit ?? 'pages').toLowerCase();
    if (!/^(?:pages?|pp?\.?)$/.test(unit) || rec.csl.page) continue;
    const start = kidText(e, 'start');
    const end = kidText(e, 'end');
    const list = kidText(e, 'list');
    const v = start ? (end && end !== start ? `${start}-${end}` : start) : list;
    setField(rec, doc, 'page', expandPages(v), e);
  }
  if (!rec.csl.issued) {
    const d = kid(part, 'date');
    const parts = modsDate(text(d));
    if (parts && d) {
      rec.csl.issued = { 'date-parts': [parts] };
      rec.fieldLines.issued = doc.lineAt(d.start);
    }
  }
}

function identifiers(doc: XmlDoc, rec: ParsedRecord, el: XmlEl, into: 'self' | 'host'): void {
  for (const id of kids(el, 'identifier')) {
    if (id.attrs.invalid === 'yes') continue;
    const t = (id.attrs.type ?? '').toLowerCase();
    const v = text(id);
    if (!v) continue;
    if (into === 'self' && t === 'doi' && !rec.csl.DOI) {
      const d = extractDoi(v);
      if (d) setField(rec, doc, 'DOI', d, id);
    } else if (into === 'self' && t === 'isbn' && !rec.csl.ISBN) setField(rec, doc, 'ISBN', v.replace(/\s*\(.*$/, ''), id);
    else if (t === 'issn' && !rec.csl.ISSN) setField(rec, doc, 'ISSN', v, id);
    else if (into === 'self' && t === 'uri' && !rec.csl.DOI && /doi\.org\/10\./.test(v)) setField(rec, doc, 'DOI', extractDoi(v), id);
  }
}

function readMods(doc: XmlDoc, m: XmlEl): ParsedRecord {
  const host = kids(m, 'relatedItem').find((r) => r.attrs.type === 'host');
  const csl: CslFields = { type: typeOf(m, host) };
  const rec: ParsedRecord = { line: doc.lineAt(m.start), csl, fieldLines: {} };
  const t = mainTitle(m);
  setField(rec, doc, 'title', t.title, t.el);
  const alt = kids(m, 'titleInfo').find((x) => x.attrs.type === 'translated');
  const at = titleOf(alt);
  if (at && at !== csl.title) rec.translatedTitle = at;
  const names = readNames(m);
  if (names.author.length) {
    csl.author = names.author;
    if (names.first) rec.fieldLines.author = doc.lineAt(names.first.start);
  }
  if (names.editor.length) csl.editor = names.editor;
  if (names.translator.length) csl.translator = names.translator;
  const groups = names.author.filter((n) => n.literal).map((n) => n.literal!);
  if (groups.length) rec.groupAuthors = groups;
  const issued = issuedOf(m);
  if (issued.parts && issued.el) {
    csl.issued = { 'date-parts': [issued.parts] };
    rec.fieldLines.issued = doc.lineAt(issued.el.start);
  }
  for (const oi of kids(m, 'originInfo')) {
    const pub = kid(oi, 'publisher');
    if (!csl.publisher) setField(rec, doc, 'publisher', text(pub)?.replace(/[,;:\s]+$/, ''), pub);
    const place = kids(oi, 'place').flatMap((p) => kids(p, 'placeTerm')).find((p) => p.attrs.type !== 'code');
    if (!csl['publisher-place']) setField(rec, doc, 'publisher-place', text(place)?.replace(/[[\]]|[,;:\s]+$/g, ''), place);
    const ed = kidText(oi, 'edition');
    if (ed && !csl.edition) csl.edition = ed;
  }
  if (host) {
    const ht = mainTitle(host);
    setField(rec, doc, 'container-title', ht.title, ht.el);
    if (ht.short) csl['container-title-short'] = ht.short;
    for (const p of kids(host, 'part')) readPart(doc, rec, p);
    identifiers(doc, rec, host, 'host');
    if (csl.type === 'chapter') {
      const hn = readNames(host);
      if (hn.editor.length && !csl.editor) csl.editor = hn.editor;
      if (!csl.publisher) {
        const oi = kid(host, 'originInfo');
        setField(rec, doc, 'publisher', kidText(oi, 'publisher'), oi);
      }
    }
    if (!csl.issued) {
      const hi = issuedOf(host);
      if (hi.parts && hi.el) {
        csl.issued = { 'date-parts': [hi.parts] };
        rec.fieldLines.issued = doc.lineAt(hi.el.start);
      }
    }
  }
  for (const p of kids(m, 'part')) readPart(doc, rec, p);
  const series = kids(m, 'relatedItem').find((r) => r.attrs.type === 'series');
  const st = mainTitle(series).title;
  if (st) csl['collection-title'] = st;
  identifiers(doc, rec, m, 'self');
  const abs = kids(m, 'abstract');
  const abstract = abs.map((a) => text(a)).filter(Boolean).join('\n');
  if (abstract) {
    setField(rec, doc, 'abstract', abstract, abs[0]);
    csl.abstract = abstract;
    rec.textBlocks = [{ text: abstract, line: doc.lineAt(abs[0].start) }];
  }
  const topics: string[] = [];
  for (const s of kids(m, 'subject')) for (const tp of kids(s, 'topic', 'geographic', 'temporal')) {
    const v = text(tp);
    if (v && !topics.includes(v)) topics.push(v);
  }
  if (topics.length) csl.keyword = topics.join(', ');
  const genre = kidText(m, 'genre');
  if (genre) csl.genre = genre;
  const lang = kid(kid(m, 'language'), 'languageTerm');
  if (lang) csl.language = text(lang);
  const url = kids(m, 'location').flatMap((l) => kids(l, 'url')).map((u) => text(u)).find((u) => u && /^https?:\/\//.test(u));
  if (url) csl.URL = url;
  const extent = kid(kid(m, 'physicalDescription'), 'extent');
  const pagesM = /(\d+)\s*(?:p\b|pp\b|pages?\b|s\.|S\.)/.exec(text(extent) ?? '');
  if (pagesM && !csl.page) csl['number-of-pages'] = pagesM[1];
  const rid = kids(m, 'recordInfo').map((r) => kidText(r, 'recordIdentifier')).find(Boolean);
  if (rid) (rec.extra ??= {}).recordIdentifier = rid;
  return rec;
}

/** Parses a MODS XML file. */
export function parseMods(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'mods', 'MODS', (doc) => {
    const out: XmlRecord[] = [];
    const visit = (el: XmlEl, depth: number) => {
      if (el.name === 'mods') out.push({ record: readMods(doc, el), end: el.end });
      else if (depth < 4) for (const c of kids(el, 'modsCollection', 'mods')) visit(c, depth + 1);
    };
    for (const r of doc.roots) visit(r, 0);
    return out;
  });
}
