/**
 * Crossref metadata XML: UNIXREF (`<doi_records><doi_record><crossref>…`), UNIXSD
 * (`<crossref_result>…<doi_record><crossref>…`) and deposit files (`<doi_batch><body>…`). Each
 * `<crossref>` (or deposit body item) is one record: journal articles, books and chapters,
 * conference papers, posted content (preprints), dissertations, reports, standards, datasets.
 * A `<citation_list>` becomes the record's references.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord } from '../model/model';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, dateParts, expandPages, kid, kidPath, kidText, kids, readXmlFile, rootName, setField, text } from './xml';

const ROOTS = new Set(['doi_records', 'doi_record', 'crossref_result', 'doi_batch', 'crossref']);

/** True when the first element is a Crossref UNIXREF / UNIXSD / deposit document. */
export function sniffCrossrefXml(head: string): boolean {
  const r = rootName(head);
  return r !== undefined && ROOTS.has(r);
}

/** Item containers inside `<crossref>` / a deposit `<body>`. */
const CONTAINERS = new Set(['journal', 'book', 'conference', 'posted_content', 'dissertation', 'report-paper', 'standard', 'database', 'sa_component', 'peer_review', 'component_list', 'pending_publication']);

function contributors(c: XmlEl | undefined): { author: Name[]; editor: Name[]; translator: Name[]; line?: number; el?: XmlEl } {
  const out = { author: [] as Name[], editor: [] as Name[], translator: [] as Name[], el: c };
  const first: Name[] = [];
  for (const p of kids(c, 'person_name', 'organization', 'anonymous')) {
    let n: Name | undefined;
    if (p.name === 'organization') {
      const t = text(p);
      if (t) n = { literal: t };
    } else if (p.name === 'person_name') {
      const family = kidText(p, 'surname');
      const given = kidText(p, 'given_name');
      const suffix = kidText(p, 'suffix');
      if (family) n = given ? { family, given } : { family };
      else if (given) n = { literal: given };
      if (n && suffix) n.suffix = suffix;
    }
    if (!n) continue;
    const role = (p.attrs.contributor_role ?? 'author').toLowerCase();
    const list = role === 'editor' || role === 'chair' ? out.editor : role === 'translator' ? out.translator : out.author;
    if (list === out.author && p.attrs.sequence === 'first' && !first.length && out.author.length) first.push(n);
    else list.push(n);
  }
  if (first.length) out.author.unshift(...first);
  return out;
}

function titleOf(el: XmlEl | undefined): { title?: string; el?: XmlEl } {
  const titles = kid(el, 'titles');
  const t = kid(titles, 'title');
  const main = text(t);
  const sub = kidText(titles, 'subtitle');
  if (!main) return {};
  return { title: sub && !main.includes(sub) ? `${main}${/[?!:.]$/.test(main) ? '' : ':'} ${sub}` : main, el: t };
}

/** Print before online, then any; `<posted_date>`, `<approval_date>`, `<database_date>` too. */
function dateOf(el: XmlEl | undefined): { parts?: number[]; el?: XmlEl } {
  const dates = kids(el, 'publication_date', 'posted_date', 'approval_date');
  const db = kid(el, 'database_date');
  if (db) dates.push(...kids(db, 'publication_date', 'creation_date'));
  const pick = dates.find((d) => d.attrs.media_type === 'print') ?? dates.find((d) => !d.attrs.media_type) ?? dates[0];
  if (!pick) return {};
  const parts = dateParts(kidText(pick, 'year'), kidText(pick, 'month'), kidText(pick, 'day'));
  return parts ? { parts, el: pick } : {};
}

function abstractOf(el: XmlEl | undefined): { text?: string; el?: XmlEl } {
  const a = kid(el, 'abstract');
  if (!a) return {};
  const ps = kids(a, 'p', 'sec');
  const paras: string[] = [];
  const title = kidText(a, 'title');
  for (const p of ps) {
    if (p.name === 'sec') {
      const h = kidText(p, 'title');
      const body = kids(p, 'p').map((x) => text(x)).filter(Boolean).join(' ');
      if (body) paras.push(h ? `${h}: ${body}` : body);
    } else {
      const t = text(p);
      if (t) paras.push(t);
    }
  }
  let s = paras.length ? paras.join('\n') : text(a);
  if (s && title && !paras.length) s = s.replace(new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*`), '');
  return s ? { text: s, el: a } : {};
}

function doiOf(el: XmlEl | undefined): { doi?: string; url?: string; el?: XmlEl } {
  const dd = kid(el, 'doi_data');
  const d = kid(dd, 'doi');
  const doi = extractDoi(text(d) ?? '');
  const url = kidText(dd, 'resource');
  return { doi, url, el: d };
}

function readCitations(doc: XmlDoc, list: XmlEl | undefined): ParsedRecord['children'] {
  const out: NonNullable<ParsedRecord['children']> = [];
  for (const c of kids(list, 'citation')) {
    const line = doc.lineAt(c.start);
    const csl: CslFields = { type: 'article-journal' };
    const rec: ParsedRecord = { line, csl, fieldLines: {} };
    const doiEl = kid(c, 'doi');
    const unstructured = kidText(c, 'unstructured_citation');
    const title = kidText(c, 'article_title') ?? kidText(c, 'volume_title');
    if (title) setField(rec, doc, 'title', title, c);
    else if (unstructured) {
      setField(rec, doc, 'title', unstructured, c);
      (rec.inferred ??= []).push('title');
    }
    const doi = extractDoi(text(doiEl) ?? '') ?? (unstructured ? extractDoi(unstructured) : undefined);
    if (doi) setField(rec, doc, 'DOI', doi, doiEl ?? c);
    const author = kidText(c, 'author');
    if (author) csl.author = [{ family: author.replace(/\s+(?:et al\.?|[A-Z]{1,3}\.?)$/, '').trim() || author }];
    const y = /\b(\d{4})\b/.exec(kidText(c, 'cYear') ?? (unstructured && /\((\d{4})\)|\b(?:19|20)\d\d\b/.exec(unstructured)?.[0]) ?? '');
    if (y) csl.issued = { 'date-parts': [[Number(y[1])]] };
    const journal = kidText(c, 'journal_title');
    if (journal) csl['container-title'] = journal;
    const vol = kidText(c, 'volume');
    if (vol) csl.volume = vol;
    const issue = kidText(c, 'issue');
    if (issue) csl.issue = issue;
    const fp = kidText(c, 'first_page');
    if (fp) csl.page = fp;
    if (!csl.title && !csl.DOI) continue;
    if (c.attrs.key) rec.sourceKey = c.attrs.key;
    out.push({ relation: 'reference', record: rec });
  }
  return out.length ? out : undefined;
}

/** Fills the record from the element that describes the work itself. */
function readWork(doc: XmlDoc, rec: ParsedRecord, w: XmlEl): void {
  const t = titleOf(w);
  setField(rec, doc, 'title', t.title, t.el);
  const c = contributors(kid(w, 'contributors') ?? (kids(w, 'person_name').length ? w : undefined));
  if (c.author.length) {
    rec.csl.author = c.author;
    if (c.el) rec.fieldLines.author = doc.lineAt(c.el.start);
  }
  if (c.editor.length) rec.csl.editor = c.editor;
  if (c.translator.length) rec.csl.translator = c.translator;
  const d = dateOf(w);
  if (d.parts && d.el) {
    rec.csl.issued = { 'date-parts': [d.parts] };
    rec.fieldLines.issued = doc.lineAt(d.el.start);
  }
  const pages = kid(w, 'pages');
  if (pages) {
    const fp = kidText(pages, 'first_page');
    const lp = kidText(pages, 'last_page');
    setField(rec, doc, 'page', fp ? expandPages(lp && lp !== fp ? `${fp}-${lp}` : fp) : kidText(pages, 'other_pages'), pages);
  }
  const doi = doiOf(w);
  if (doi.doi) setField(rec, doc, 'DOI', doi.doi, doi.el);
  if (doi.url && /^https?:\/\//.test(doi.url)) rec.csl.URL = doi.url;
  const a = abstractOf(w);
  if (a.text && a.el) {
    setField(rec, doc, 'abstract', a.text, a.el);
    rec.csl.abstract = a.text;
    rec.textBlocks = [{ text: a.text, line: doc.lineAt(a.el.start) }];
  }
  const refs = readCitations(doc, kid(w, 'citation_list'));
  if (refs) rec.children = refs;
}

function fillMissing(doc: XmlDoc, rec: ParsedRecord, from: XmlEl | undefined): void {
  if (!from) return;
  if (!rec.csl.issued) {
    const d = dateOf(from);
    if (d.parts && d.el) {
      rec.csl.issued = { 'date-parts': [d.parts] };
      rec.fieldLines.issued = doc.lineAt(d.el.start);
    }
  }
  if (!rec.csl.author?.length) {
    const c = contributors(kid(from, 'contributors'));
    if (c.author.length) rec.csl.author = c.author;
    if (c.editor.length && !rec.csl.editor) rec.csl.editor = c.editor;
  }
  const isbn = kids(from, 'isbn')[0];
  if (isbn && !rec.csl.ISBN) setField(rec, doc, 'ISBN', text(isbn), isbn);
  const pub = kid(from, 'publisher');
  if (pub && !rec.csl.publisher) {
    setField(rec, doc, 'publisher', kidText(pub, 'publisher_name'), pub);
    setField(rec, doc, 'publisher-place', kidText(pub, 'publisher_place'), pub);
  }
}

function readItem(doc: XmlDoc, item: XmlEl): ParsedRecord {
  const rec: ParsedRecord = { line: doc.lineAt(item.start), csl: { type: 'article-journal' }, fieldLines: {} };
  switch (item.name) {
    case 'journal': {
      const meta = kid(item, 'journal_metadata');
      const issue = kid(item, 'journal_issue');
      const article = kid(item, 'journal_article');
      const jt = kid(meta, 'full_title');
      if (article) {
        readWork(doc, rec, article);
        setField(rec, doc, 'container-title', text(jt), jt);
      } else {
        rec.csl.type = 'periodical';
        readWork(doc, rec, issue ?? meta ?? item);
        if (!rec.csl.title) setField(rec, doc, 'title', text(jt), jt);
      }
      const ab = kid(meta, 'abbrev_title');
      setField(rec, doc, 'container-title-short', text(ab), ab);
      const issns = kids(meta, 'issn');
      const issn = issns.find((i) => i.attrs.media_type === 'print') ?? issns[0];
      setField(rec, doc, 'ISSN', text(issn), issn);
      const vol = kidPath(issue, 'journal_volume', 'volume');
      setField(rec, doc, 'volume', text(vol), vol);
      const iss = kid(issue, 'issue');
      setField(rec, doc, 'issue', text(iss), iss);
      fillMissing(doc, rec, issue);
      if (!rec.csl.issued) fillMissing(doc, rec, meta);
      break;
    }
    case 'book': {
      const meta = kid(item, 'book_metadata', 'book_series_metadata', 'book_set_metadata');
      const chapter = kid(item, 'content_item');
      const bt = titleOf(meta);
      if (chapter) {
        rec.csl.type = 'chapter';
        readWork(doc, rec, chapter);
        setField(rec, doc, 'container-title', bt.title, bt.el);
        const ed = contributors(kid(meta, 'contributors'));
        if (ed.editor.length && !rec.csl.editor) rec.csl.editor = ed.editor;
        if (!rec.csl.author?.length && ed.author.length) rec.csl['container-author'] = ed.author;
      } else {
        rec.csl.type = 'book';
        if (meta) readWork(doc, rec, meta);
      }
      const series = kid(meta, 'series_metadata');
      const st = titleOf(series).title;
      if (st) rec.csl['collection-title'] = st;
      const vol = kid(meta, 'volume');
      setField(rec, doc, 'volume', text(vol), vol);
      const ed = kidText(meta, 'edition_number');
      if (ed) rec.csl.edition = ed;
      fillMissing(doc, rec, meta);
      break;
    }
    case 'conference': {
      const proc = kid(item, 'proceedings_metadata', 'proceedings_series_metadata');
      const paper = kid(item, 'conference_paper');
      const pt = kid(proc, 'proceedings_title');
      const ev = kid(item, 'event_metadata');
      if (paper) {
        rec.csl.type = 'paper-conference';
        readWork(doc, rec, paper);
        setField(rec, doc, 'container-title', text(pt), pt);
      } else {
        rec.csl.type = 'book';
        if (proc) readWork(doc, rec, proc);
        if (!rec.csl.title) setField(rec, doc, 'title', text(pt), pt);
      }
      const en = kidText(ev, 'conference_name');
      if (en) rec.csl['event-title'] = en;
      const loc = kidText(ev, 'conference_location');
      if (loc) rec.csl['event-place'] = loc;
      fillMissing(doc, rec, proc);
      break;
    }
    case 'posted_content': {
      rec.csl.type = 'article';
      readWork(doc, rec, item);
      const g = kidText(item, 'group_title');
      if (g) (rec.extra ??= {}).group = g;
      const inst = kidText(kid(item, 'institution'), 'institution_name');
      if (inst) rec.csl.publisher = inst;
      if (item.attrs.type) rec.csl.genre = item.attrs.type;
      break;
    }
    case 'dissertation': {
      rec.csl.type = 'thesis';
      readWork(doc, rec, item);
      const inst = kidText(kid(item, 'institution'), 'institution_name');
      if (inst) rec.csl.publisher = inst;
      const deg = kidText(item, 'degree');
      if (deg) rec.csl.genre = deg;
      break;
    }
    case 'report-paper': {
      rec.csl.type = 'report';
      const meta = kid(item, 'report-paper_metadata', 'report-paper_series_metadata') ?? item;
      readWork(doc, rec, kid(item, 'content_item') ?? meta);
      if (!rec.csl.title) readWork(doc, rec, meta);
      fillMissing(doc, rec, meta);
      const inst = kidText(kid(meta, 'institution'), 'institution_name');
      if (inst && !rec.csl.publisher) rec.csl.publisher = inst;
      break;
    }
    case 'standard': {
      rec.csl.type = 'standard';
      const meta = kid(item, 'standard_metadata') ?? item;
      readWork(doc, rec, meta);
      break;
    }
    case 'database': {
      rec.csl.type = 'dataset';
      const meta = kid(item, 'database_metadata');
      const ds = kid(item, 'dataset');
      if (ds) {
        readWork(doc, rec, ds);
        const mt = titleOf(meta);
        setField(rec, doc, 'container-title', mt.title, mt.el);
      } else if (meta) readWork(doc, rec, meta);
      fillMissing(doc, rec, meta);
      break;
    }
    case 'peer_review': {
      rec.csl.type = 'review';
      readWork(doc, rec, item);
      break;
    }
    default:
      rec.csl.type = 'article';
      readWork(doc, rec, kid(item, 'component') ?? item);
  }
  return rec;
}

/** Parses a Crossref UNIXREF / UNIXSD / deposit XML file. */
export function parseCrossrefXml(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'crossref-xml', 'Crossref XML', (doc) => {
    const out: XmlRecord[] = [];
    const visit = (el: XmlEl, depth: number) => {
      if (depth > 12) return;
      // `<crossref>` holds the item; a deposit's `<body>` holds items directly (UNIXSD's
      // `<body>` holds queries, which are walked into).
      const items = el.name === 'crossref' || el.name === 'body' ? kids(el).filter((c) => CONTAINERS.has(c.name)) : [];
      for (const c of items) out.push({ record: readItem(doc, c), end: c.end });
      if (items.length || el.name === 'crossref') return;
      for (const c of kids(el)) visit(c, depth + 1);
    };
    for (const r of doc.roots) visit(r, 0);
    return out;
  });
}
