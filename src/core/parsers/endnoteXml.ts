/**
 * EndNote XML (`<xml><records><record>…`), as EndNote's "Export → XML" writes it. Field text
 * may be wrapped in `<style face=… font=…>` runs (EndNote 8+) or be plain (older exports and
 * other tools); both read the same.
 */
import type { Name, ParsedFile, ParsedRecord } from '../model/model';
import { parsePersonName } from '../model/names';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, datePartsFromText, expandPages, kid, kidPath, kids, readXmlFile, rootName, setField, text } from './xml';

/** True when the first element is `<xml>` with EndNote's `<records>` soon after. */
export function sniffEndnoteXml(head: string): boolean {
  const r = rootName(head);
  if (r === 'records') return /<record>\s*<(?:database|source-app|rec-number|ref-type)\b/.test(head);
  return r === 'xml' && /<records\s*>/.test(head.slice(0, 4096)) && /<record\s*>/.test(head);
}

/** EndNote reference type names → CSL types. */
const TYPES: Record<string, string> = {
  'journal article': 'article-journal',
  'electronic article': 'article-journal',
  book: 'book',
  'edited book': 'book',
  'electronic book': 'book',
  'book section': 'chapter',
  'electronic book section': 'chapter',
  'conference proceedings': 'paper-conference',
  'conference paper': 'paper-conference',
  thesis: 'thesis',
  report: 'report',
  'government document': 'report',
  'web page': 'webpage',
  'newspaper article': 'article-newspaper',
  'magazine article': 'article-magazine',
  patent: 'patent',
  dataset: 'dataset',
  'computer program': 'software',
  'film or broadcast': 'motion_picture',
  map: 'map',
  manuscript: 'manuscript',
  'unpublished work': 'manuscript',
  'personal communication': 'personal_communication',
  'case': 'legal_case',
  statute: 'legislation',
  bill: 'bill',
  hearing: 'hearing',
  'legal rule or regulation': 'regulation',
  standard: 'standard',
  generic: 'document',
  'audiovisual material': 'motion_picture',
  'online multimedia': 'webpage',
  'blog': 'post-weblog',
  dictionary: 'entry-dictionary',
  'encyclopedia': 'entry-encyclopedia',
  'serial': 'periodical',
  'journal': 'periodical',
  pamphlet: 'pamphlet',
  artwork: 'graphic',
};

function people(list: XmlEl | undefined): Name[] {
  const out: Name[] = [];
  for (const a of kids(list, 'author')) {
    const t = text(a);
    if (!t) continue;
    // "Name, Corporate" with a trailing comma or no comma and many words stays literal only
    // when EndNote marks it so (",," in older exports); otherwise family, given.
    if (/,$/.test(t)) {
      out.push({ literal: t.replace(/,+$/, '').trim() });
      continue;
    }
    const n = parsePersonName(t);
    if (n) out.push(n);
  }
  return out;
}

function readRecord(doc: XmlDoc, r: XmlEl): ParsedRecord {
  const rec: ParsedRecord = { line: doc.lineAt(r.start), csl: { type: 'article-journal' }, fieldLines: {} };
  const refType = kid(r, 'ref-type');
  const typeName = (refType?.attrs.name ?? '').toLowerCase();
  rec.csl.type = TYPES[typeName] ?? (typeName ? 'document' : 'article-journal');
  if (refType?.attrs.name) (rec.extra ??= {}).referenceType = refType.attrs.name;
  const contrib = kid(r, 'contributors');
  const authors = people(kid(contrib, 'authors'));
  const secondary = people(kid(contrib, 'secondary-authors'));
  const tertiary = people(kid(contrib, 'tertiary-authors'));
  const subsidiary = people(kid(contrib, 'subsidiary-authors'));
  if (authors.length) {
    rec.csl.author = authors;
    rec.fieldLines.author = doc.lineAt(kid(contrib, 'authors')!.start);
  }
  // Secondary authors are the editors of a book or chapter; tertiary the series editors.
  if (secondary.length && ['book', 'chapter', 'paper-conference', 'report', 'thesis'].includes(rec.csl.type!)) rec.csl.editor = secondary;
  if (tertiary.length) rec.csl['collection-editor'] = tertiary;
  if (subsidiary.length) rec.csl.translator = subsidiary;

  const titles = kid(r, 'titles');
  const title = kid(titles, 'title');
  setField(rec, doc, 'title', text(title), title);
  const secondaryTitle = kid(titles, 'secondary-title');
  const periodical = kidPath(r, 'periodical', 'full-title');
  const altPeriodical = kid(kid(r, 'periodical'), 'abbr-1');
  const container = rec.csl.type === 'book' ? undefined : text(secondaryTitle) ?? text(periodical);
  setField(rec, doc, 'container-title', container, text(secondaryTitle) ? secondaryTitle : periodical);
  if (rec.csl.type === 'book' && text(secondaryTitle)) rec.csl['collection-title'] = text(secondaryTitle);
  const tertiaryTitle = text(kid(titles, 'tertiary-title'));
  if (tertiaryTitle && !rec.csl['collection-title']) rec.csl['collection-title'] = tertiaryTitle;
  const short = text(kid(titles, 'alt-title')) ?? text(altPeriodical);
  if (short && rec.csl['container-title']) rec.csl['container-title-short'] = short;
  const st = text(kid(titles, 'short-title'));
  if (st) rec.csl['title-short'] = st;
  const tt = text(kid(titles, 'translated-title'));
  if (tt && tt !== rec.csl.title) rec.translatedTitle = tt;

  const dates = kid(r, 'dates');
  const year = kid(dates, 'year');
  const pubDate = kidPath(dates, 'pub-dates', 'date');
  const y = text(year);
  let parts = datePartsFromText(y);
  if (parts && parts.length === 1 && text(pubDate)) {
    const more = datePartsFromText(`${text(pubDate)} ${y}`);
    if (more && more[0] === parts[0]) parts = more;
  }
  parts ??= datePartsFromText(text(pubDate));
  if (parts) {
    rec.csl.issued = { 'date-parts': [parts] };
    rec.fieldLines.issued = doc.lineAt((year ?? pubDate ?? r).start);
  }
  const simple: [string, string][] = [
    ['volume', 'volume'],
    ['issue', 'number'],
    ['publisher', 'publisher'],
    ['publisher-place', 'pub-location'],
    ['edition', 'edition'],
    ['language', 'language'],
    ['number-of-pages', 'num-vols'],
  ];
  for (const [field, tag] of simple) {
    const el = kid(r, tag);
    setField(rec, doc, field, text(el), el);
  }
  if (!rec.csl.issue) {
    const el = kid(r, 'issue');
    setField(rec, doc, 'issue', text(el), el);
  }
  const pages = kid(r, 'pages');
  setField(rec, doc, 'page', expandPages(text(pages)), pages);
  const isbn = kid(r, 'isbn');
  const isbnText = text(isbn);
  if (isbnText) {
    if (/^\s*\d{4}-?\d{3}[\dXx]\s*$/.test(isbnText)) setField(rec, doc, 'ISSN', isbnText, isbn);
    else if (rec.csl.type === 'patent') rec.csl.number = isbnText;
    else setField(rec, doc, 'ISBN', isbnText, isbn);
  }
  const ern = kid(r, 'electronic-resource-num');
  const doi = extractDoi(text(ern) ?? '');
  if (doi) setField(rec, doc, 'DOI', doi, ern);
  const abs = kid(r, 'abstract');
  const abstract = text(abs);
  if (abstract && abs) {
    setField(rec, doc, 'abstract', abstract, abs);
    rec.textBlocks = [{ text: abstract, line: doc.lineAt(abs.start) }];
  }
  const keywords = kids(kid(r, 'keywords'), 'keyword').map((k) => text(k)).filter((k): k is string => !!k);
  if (keywords.length) rec.csl.keyword = keywords.join(', ');
  const urls = kid(r, 'urls');
  const url = [kid(urls, 'related-urls'), kid(urls, 'web-urls')].flatMap((u) => kids(u, 'url')).map((u) => text(u)).find((u) => u && /^https?:\/\//.test(u));
  if (url) rec.csl.URL = url;
  const label = text(kid(r, 'label'));
  if (label && /^[\p{L}\p{N}_][\p{L}\p{N}_:.#$%&+?<>~/-]*$/u.test(label)) rec.sourceKey = label;
  const acc = text(kid(r, 'accession-num'));
  if (acc) (rec.extra ??= {}).accessionNumber = acc;
  const work = text(kid(r, 'work-type'));
  if (work) rec.csl.genre = work;
  return rec;
}

/** Parses an EndNote XML file. */
export function parseEndnoteXml(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'endnote-xml', 'EndNote XML', (doc) => {
    const out: XmlRecord[] = [];
    for (const root of doc.roots) {
      const lists = root.name === 'records' ? [root] : kids(root, 'records');
      for (const list of lists) for (const r of kids(list, 'record')) out.push({ record: readRecord(doc, r), end: r.end });
    }
    return out;
  });
}
