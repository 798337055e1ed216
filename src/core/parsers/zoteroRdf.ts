/**
 * Zotero RDF (`<rdf:RDF>` with `bib:Article`, `bib:Book`, `rdf:Description` + `z:itemType`…),
 * and the other bibliographic RDF/XML that library services give (BIBO + Dublin Core from
 * national libraries, schema.org / CodeMeta). Prefixes are whatever the file binds: the reader
 * matches local names (`title` for `dc:title`, `dc11:title`, `dcterms:title`). Nodes are found
 * at the top level and nested; `rdf:resource` / `rdf:nodeID` references are followed to persons,
 * journals and series described elsewhere in the file.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, datePartsFromText, expandPages, kid, kids, readXmlFile, rootName, setField, text } from './xml';

/** True when the first element is `rdf:RDF`. */
export function sniffZoteroRdf(head: string): boolean {
  return rootName(head) === 'RDF';
}

/** Node type (local name) → CSL type, for the items a file describes. */
const ITEM_TYPES: Record<string, string> = {
  Article: 'article-journal',
  AcademicArticle: 'article-journal',
  ScholarlyArticle: 'article-journal',
  Book: 'book',
  BookSection: 'chapter',
  Chapter: 'chapter',
  Thesis: 'thesis',
  Report: 'report',
  Document: 'document',
  Letter: 'personal_communication',
  Manuscript: 'manuscript',
  Illustration: 'graphic',
  Image: 'graphic',
  Recording: 'song',
  Data: 'dataset',
  Dataset: 'dataset',
  Patent: 'patent',
  Website: 'webpage',
  Webpage: 'webpage',
  WebPage: 'webpage',
  SoftwareSourceCode: 'software',
  SoftwareApplication: 'software',
  CreativeWork: 'document',
  Film: 'motion_picture',
  Map: 'map',
  Proceedings: 'book',
  ConferencePaper: 'paper-conference',
  Newspaper: 'article-newspaper',
};
/** Zotero item types → CSL types. */
const ZOTERO_TYPES: Record<string, string> = {
  journalArticle: 'article-journal',
  magazineArticle: 'article-magazine',
  newspaperArticle: 'article-newspaper',
  book: 'book',
  bookSection: 'chapter',
  thesis: 'thesis',
  report: 'report',
  webpage: 'webpage',
  blogPost: 'post-weblog',
  conferencePaper: 'paper-conference',
  preprint: 'article',
  dataset: 'dataset',
  computerProgram: 'software',
  patent: 'patent',
  letter: 'personal_communication',
  manuscript: 'manuscript',
  map: 'map',
  film: 'motion_picture',
  artwork: 'graphic',
  treaty: 'treaty',
  statute: 'legislation',
  bill: 'bill',
  case: 'legal_case',
  hearing: 'hearing',
  document: 'document',
  encyclopediaArticle: 'entry-encyclopedia',
  dictionaryEntry: 'entry-dictionary',
  presentation: 'speech',
  standard: 'standard',
};
const NOT_ITEMS = new Set(['attachment', 'note']);

interface Graph {
  byId: Map<string, XmlEl>;
  referencedAsPart: Set<string>;
}

function idOf(el: XmlEl): string | undefined {
  return el.attrs.about ?? (el.attrs.nodeID ? `_:${el.attrs.nodeID}` : undefined);
}

function refOf(el: XmlEl): string | undefined {
  return el.attrs.resource ?? (el.attrs.nodeID && !kids(el).length ? `_:${el.attrs.nodeID}` : undefined);
}

/** The node a property points to: a nested node, or one described elsewhere. */
function target(g: Graph, prop: XmlEl): XmlEl | undefined {
  const r = refOf(prop);
  if (r) return g.byId.get(r);
  const inner = kids(prop);
  if (inner.length === 1) return inner[0];
  if (prop.attrs.parseType === 'Resource') return prop;
  return undefined;
}

function typeName(el: XmlEl): string {
  if (el.name !== 'Description') return el.name;
  const t = kids(el, 'type').map((x) => x.attrs.resource ?? '').find(Boolean);
  return t ? t.replace(/^.*[#/]/, '') : 'Description';
}

function zoteroType(el: XmlEl): string | undefined {
  return text(kid(el, 'itemType'));
}

function isItem(el: XmlEl): boolean {
  const z = zoteroType(el);
  if (z) return !NOT_ITEMS.has(z);
  if (el.name === 'Attachment' || el.name === 'Memo') return false;
  return typeName(el) in ITEM_TYPES;
}

function personName(g: Graph, node: XmlEl | undefined, prop?: XmlEl): Name | undefined {
  if (!node) {
    const t = prop ? text(prop) : undefined;
    return t ? parsePersonName(t) : undefined;
  }
  if (node.name === 'Seq' || node.name === 'Bag') return undefined;
  const family = text(kid(node, 'surname', 'familyName', 'family_name', 'lastName', 'lastname'));
  const given = text(kid(node, 'givenName', 'givenname', 'firstName', 'givenNames', 'given_name'));
  // A single-field creator (Zotero writes only a surname) of several words is a group name.
  if (family) return given ? { family, given } : family.split(' ').length >= 3 ? { literal: family } : { family };
  const name = text(kid(node, 'name', 'label', 'prefLabel', 'value'));
  if (!name) return typeof node === 'object' && !kids(node).length ? parsePersonName(text(node) ?? '') : undefined;
  if (/Organi[sz]ation|Corporate|Agent/.test(node.name) && !/Person/.test(node.name)) return { literal: name };
  return parsePersonName(name);
}

/** Names under a property: `rdf:Seq`/`rdf:Bag` of `rdf:li`, or one node, or literal text. */
function namesOf(g: Graph, props: XmlEl[]): Name[] {
  const out: Name[] = [];
  for (const p of props) {
    const t = target(g, p);
    if (t && (t.name === 'Seq' || t.name === 'Bag' || t.name === 'Alt')) {
      for (const li of kids(t, 'li')) {
        const n = personName(g, target(g, li), li);
        if (n) out.push(n);
      }
    } else {
      const n = personName(g, t, p);
      if (n) out.push(n);
    }
  }
  return out;
}

function valueText(g: Graph, prop: XmlEl | undefined): string | undefined {
  if (!prop) return undefined;
  const t = text(prop);
  if (t && !kids(prop).length) return t;
  const node = target(g, prop);
  if (!node) return t;
  return text(kid(node, 'value', 'name', 'title', 'label')) ?? t;
}

function readItem(doc: XmlDoc, g: Graph, el: XmlEl): ParsedRecord {
  const z = zoteroType(el);
  const tn = typeName(el);
  const csl: CslFields = { type: (z && ZOTERO_TYPES[z]) ?? ITEM_TYPES[tn] ?? 'document' };
  const rec: ParsedRecord = { line: doc.lineAt(el.start), csl, fieldLines: {} };
  const titleEl = kid(el, 'title', 'name');
  setField(rec, doc, 'title', text(titleEl), titleEl);
  const shortEl = kid(el, 'shortTitle', 'alternative');
  if (text(shortEl)) csl['title-short'] = text(shortEl);

  const authorProps = kids(el, 'authors');
  const creatorProps = authorProps.length ? authorProps : kids(el, 'creator', 'author', 'authorList', 'contributors').filter((p) => p.name !== 'contributors');
  const authors = namesOf(g, creatorProps);
  if (authors.length) {
    csl.author = authors;
    rec.fieldLines.author = doc.lineAt(creatorProps[0].start);
  }
  const editors = namesOf(g, kids(el, 'editors', 'editor', 'editorList'));
  if (editors.length) csl.editor = editors;
  const translators = namesOf(g, kids(el, 'translators', 'translator'));
  if (translators.length) csl.translator = translators;
  const groups = authors.filter((a) => a.literal).map((a) => a.literal!);
  if (groups.length) rec.groupAuthors = groups;

  const dateEl = kid(el, 'date', 'issued', 'datePublished', 'created', 'dateCreated');
  const parts = datePartsFromText(text(dateEl));
  if (parts && dateEl) {
    csl.issued = { 'date-parts': [parts] };
    rec.fieldLines.issued = doc.lineAt(dateEl.start);
  }

  // Container: dcterms:isPartOf → journal / book / series / periodical, nested or referenced.
  for (const p of kids(el, 'isPartOf')) {
    const c = target(g, p);
    if (!c) {
      const t = text(p);
      if (t && !csl['collection-title']) csl[csl.type === 'book' ? 'collection-title' : 'container-title'] = t;
      continue;
    }
    const ct = text(kid(c, 'title', 'name'));
    const isSeries = c.name === 'Series' || /series/i.test(typeName(c));
    if (ct) {
      if (isSeries) csl['collection-title'] ??= ct;
      else if (!csl['container-title']) setField(rec, doc, 'container-title', ct, kid(c, 'title', 'name'));
    }
    if (c.name === 'Journal' && csl.type === 'document') csl.type = 'article-journal';
    const short = text(kid(c, 'shortTitle', 'alternative'));
    if (short && !isSeries) csl['container-title-short'] = short;
    const v = kid(c, 'volume');
    if (v && !isSeries) setField(rec, doc, 'volume', text(v), v);
    const n = kid(c, 'number', 'issue', 'issueNumber');
    if (n && !isSeries) setField(rec, doc, 'issue', text(n), n);
    for (const id of kids(c, 'identifier', 'issn', 'eissn')) {
      const t = valueText(g, id) ?? '';
      const m = /\b(\d{4}-\d{3}[\dXx])\b/.exec(t);
      if (m && !csl.ISSN) csl.ISSN = m[1];
      const isbn = /^\s*ISBN\s+(.+)$/i.exec(t);
      if (isbn && !csl.ISBN && !isSeries) csl.ISBN = isbn[1].trim();
    }
    for (const s of kids(c, 'isPartOf')) {
      const sn = target(g, s);
      const st = sn ? text(kid(sn, 'title')) : text(s);
      if (st && !csl['collection-title']) csl['collection-title'] = st;
    }
    if (!csl.editor?.length) {
      const ed = namesOf(g, kids(c, 'editors'));
      if (ed.length) csl.editor = ed;
    }
  }
  const vol = kid(el, 'volume');
  if (vol && !csl.volume) setField(rec, doc, 'volume', text(vol), vol);
  const num = kid(el, 'number', 'issue');
  if (num && !csl.issue && ['article-journal', 'article-magazine', 'article-newspaper'].includes(csl.type!)) setField(rec, doc, 'issue', text(num), num);
  const pages = kid(el, 'pages', 'pagination');
  if (pages) setField(rec, doc, 'page', expandPages(text(pages)), pages);
  else {
    const ps = text(kid(el, 'pageStart'));
    const pe = text(kid(el, 'pageEnd'));
    if (ps) csl.page = pe && pe !== ps ? `${ps}-${pe}` : ps;
  }
  for (const id of [...kids(el, 'identifier'), ...kids(el, 'doi')]) {
    const t = valueText(g, id) ?? id.attrs.resource ?? '';
    const doi = /\bdoi\b/i.test(t) || id.name === 'doi' || /doi\.org\//.test(t) ? extractDoi(t) : undefined;
    if (doi && !csl.DOI) setField(rec, doc, 'DOI', doi, id);
    const isbn = /^\s*ISBN\s+(.+)$/i.exec(t);
    if (isbn && !csl.ISBN) csl.ISBN = isbn[1].trim();
    const issn = /^\s*ISSN\s+(.+)$/i.exec(t);
    if (issn && !csl.ISSN) csl.ISSN = issn[1].trim();
    if (/^https?:\/\//.test(t) && !doi && !csl.URL) csl.URL = t;
  }
  const isbnEl = kid(el, 'isbn13', 'isbn10', 'isbn');
  if (isbnEl && !csl.ISBN) setField(rec, doc, 'ISBN', text(isbnEl), isbnEl);
  const absEl = kid(el, 'abstract', 'description');
  const abstract = text(absEl);
  if (abstract && absEl) {
    setField(rec, doc, 'abstract', abstract, absEl);
    rec.textBlocks = [{ text: abstract, line: doc.lineAt(absEl.start) }];
  }
  const subjects: string[] = [];
  for (const s of kids(el, 'subject', 'keywords')) {
    const t = kids(s).length ? valueText(g, s) : text(s);
    if (t && !subjects.includes(t)) subjects.push(t);
  }
  if (subjects.length) csl.keyword = subjects.join(', ');
  const pub = kid(el, 'publisher');
  if (pub) {
    const node = target(g, pub);
    const name = node ? text(kid(node, 'name')) : text(pub);
    if (name) setField(rec, doc, 'publisher', name, pub);
    const place = node ? text(kid(kid(node, 'adr') && target(g, kid(node, 'adr')!), 'locality')) : undefined;
    if (place) csl['publisher-place'] = place;
  }
  const lang = kid(el, 'language');
  const langText = text(lang) ?? lang?.attrs.resource?.replace(/^.*\//, '');
  if (langText) csl.language = langText;
  const edition = text(kid(el, 'edition'));
  if (edition) csl.edition = edition;
  const about = el.attrs.about;
  if (about && /^https?:\/\//.test(about) && !csl.URL) csl.URL = about;
  return rec;
}

/** Parses a Zotero RDF (or other bibliographic RDF/XML) file. */
export function parseZoteroRdf(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'zotero-rdf', 'RDF', (doc) => {
    const out: XmlRecord[] = [];
    const g: Graph = { byId: new Map(), referencedAsPart: new Set() };
    const tops: XmlEl[] = [];
    for (const r of doc.roots) if (r.name === 'RDF') tops.push(...kids(r));
    // Index every node with an id (top-level and nested) in one walk; note isPartOf targets.
    const stack: XmlEl[] = [...tops];
    let guard = 0;
    while (stack.length && guard++ < 5_000_000) {
      const el = stack.pop()!;
      const id = idOf(el);
      if (id && !g.byId.has(id)) g.byId.set(id, el);
      if (el.name === 'isPartOf' || el.name === 'presentedAt') {
        const r = refOf(el);
        if (r) g.referencedAsPart.add(r);
      }
      for (const c of el.children) if (typeof c !== 'string') stack.push(c);
    }
    for (const el of tops) {
      const id = idOf(el);
      if (id && g.referencedAsPart.has(id) && !zoteroType(el)) continue;
      if (!isItem(el)) continue;
      out.push({ record: readItem(doc, g, el), end: el.end });
    }
    return out;
  });
}
