/**
 * PubMed XML (`<PubmedArticleSet>` of `<PubmedArticle>` and `<PubmedBookArticle>`), as PubMed's
 * "Save → XML" and E-utilities `efetch` give it. Structured abstracts (`<AbstractText Label=…>`)
 * become "LABEL: text" paragraphs; a `<ReferenceList>` becomes the record's references.
 */
import type { Name, ParsedFile, ParsedRecord } from '../model/model';
import { extractDoi } from '../model/text';
import { type XmlDoc, type XmlEl, type XmlRecord, dateParts, datePartsFromText, expandPages, kid, kidPath, kidText, kids, readXmlFile, rootName, setField, text } from './xml';

/** True when the first element is a PubMed article set (or a lone article). */
export function sniffPubmedXml(head: string): boolean {
  const r = rootName(head);
  return r === 'PubmedArticleSet' || r === 'PubmedArticle' || r === 'PubmedBookArticle';
}

/** `Title.` → `Title` (MEDLINE ends titles with a full stop); `[Translated title].` → `Translated title`. */
function cleanTitle(t: string | undefined): string | undefined {
  if (!t) return undefined;
  let s = t.trim();
  // MEDLINE ends every title with one full stop ("… vitamin D." too); an ellipsis stays.
  if (/[^.]\.$/.test(s)) s = s.slice(0, -1);
  const br = /^\[(.*)\]$/.exec(s);
  if (br && !br[1].includes('[') && !br[1].includes(']')) s = br[1].replace(/\.$/, '');
  return s || undefined;
}

function names(list: XmlEl | undefined): { names: Name[]; groups: string[] } {
  const out: Name[] = [];
  const groups: string[] = [];
  for (const a of kids(list, 'Author')) {
    if (a.attrs.ValidYN === 'N') continue;
    const collective = kidText(a, 'CollectiveName');
    if (collective) {
      out.push({ literal: collective });
      groups.push(collective);
      continue;
    }
    const family = kidText(a, 'LastName');
    const given = kidText(a, 'ForeName', 'FirstName') ?? kidText(a, 'Initials');
    const suffix = kidText(a, 'Suffix');
    if (!family && !given) continue;
    const n: Name = family ? { family } : { literal: given };
    if (family && given) n.given = given;
    if (suffix) n.suffix = suffix;
    out.push(n);
  }
  return { names: out, groups };
}

function abstractOf(abs: XmlEl | undefined): string | undefined {
  if (!abs) return undefined;
  const paras: string[] = [];
  for (const t of kids(abs, 'AbstractText')) {
    const body = text(t);
    if (!body) continue;
    const label = (t.attrs.Label ?? '').trim();
    paras.push(label && label.toUpperCase() !== 'UNLABELLED' ? `${label}: ${body}` : body);
  }
  return paras.length ? paras.join('\n') : undefined;
}

function ids(list: XmlEl | undefined): Record<string, { v: string; el: XmlEl }> {
  const out: Record<string, { v: string; el: XmlEl }> = {};
  for (const id of kids(list, 'ArticleId')) {
    const t = (id.attrs.IdType ?? '').toLowerCase();
    const v = text(id);
    if (t && v && !out[t]) out[t] = { v, el: id };
  }
  return out;
}

function pubDate(d: XmlEl | undefined): number[] | undefined {
  if (!d) return undefined;
  const y = kidText(d, 'Year');
  if (y) return dateParts(y, kidText(d, 'Month'), kidText(d, 'Day'));
  return datePartsFromText(kidText(d, 'MedlineDate'));
}

function setDoi(rec: ParsedRecord, doc: XmlDoc, raw: string | undefined, el: XmlEl | undefined): void {
  if (rec.csl.DOI || !raw) return;
  const d = extractDoi(raw);
  if (d) setField(rec, doc, 'DOI', d, el);
}

function finishCommon(rec: ParsedRecord, doc: XmlDoc, scope: XmlEl, article: XmlEl | undefined): void {
  const abs = kid(article, 'Abstract') ?? kid(scope, 'Abstract');
  const abstract = abstractOf(abs);
  if (abstract && abs) {
    rec.csl.abstract = abstract;
    rec.fieldLines.abstract = doc.lineAt(abs.start);
    rec.textBlocks = [{ text: abstract, line: rec.fieldLines.abstract }];
  }
  const keywords: string[] = [];
  for (const kl of kids(scope, 'KeywordList')) for (const k of kids(kl, 'Keyword')) {
    const t = text(k);
    if (t) keywords.push(t);
  }
  for (const mh of kids(kid(scope, 'MeshHeadingList'), 'MeshHeading')) {
    const t = kidText(mh, 'DescriptorName');
    if (t) keywords.push(t);
  }
  if (keywords.length) rec.csl.keyword = [...new Set(keywords)].join(', ');
  const lang = kidText(article ?? scope, 'Language') ?? kidText(scope, 'Language');
  if (lang) rec.csl.language = lang;
  const types = kids(kid(article ?? scope, 'PublicationTypeList'), 'PublicationType').map((t) => text(t)).filter((t): t is string => !!t);
  if (types.length) (rec.extra ??= {}).publicationType = types.join('; ');
}

function references(doc: XmlDoc, data: XmlEl | undefined): ParsedRecord['children'] {
  const out: NonNullable<ParsedRecord['children']> = [];
  for (const list of kids(data, 'ReferenceList')) {
    for (const r of kids(list, 'Reference')) {
      const citation = kidText(r, 'Citation');
      if (!citation) continue;
      const child: ParsedRecord = { line: doc.lineAt(r.start), csl: { type: 'article-journal', title: citation }, fieldLines: { title: doc.lineAt(r.start) } };
      const rid = ids(kid(r, 'ArticleIdList'));
      if (rid.doi) setDoi(child, doc, rid.doi.v, rid.doi.el);
      else setDoi(child, doc, citation, r);
      if (rid.pubmed) child.csl.PMID = rid.pubmed.v;
      if (rid.pmc) child.csl.PMCID = rid.pmc.v;
      const y = /\b((?:1[6-9]|20)\d\d)\b/.exec(citation);
      if (y) child.csl.issued = { 'date-parts': [[Number(y[1])]] };
      (child.inferred ??= []).push('title');
      out.push({ relation: 'reference', record: child });
    }
  }
  return out.length ? out : undefined;
}

function readArticle(doc: XmlDoc, pa: XmlEl): ParsedRecord {
  const mc = kid(pa, 'MedlineCitation') ?? pa;
  const art = kid(mc, 'Article');
  const rec: ParsedRecord = { line: doc.lineAt(pa.start), csl: { type: 'article-journal' }, fieldLines: {} };
  const titleEl = kid(art, 'ArticleTitle');
  const vern = kid(art, 'VernacularTitle');
  setField(rec, doc, 'title', cleanTitle(text(titleEl)), titleEl);
  const vt = cleanTitle(text(vern));
  if (vt && !rec.csl.title) setField(rec, doc, 'title', vt, vern);
  else if (vt && vt !== rec.csl.title) rec.translatedTitle = vt;
  const authorList = kids(art, 'AuthorList').find((l) => (l.attrs.Type ?? 'authors') === 'authors');
  const { names: au, groups } = names(authorList);
  if (au.length) {
    rec.csl.author = au;
    rec.fieldLines.author = doc.lineAt(authorList!.start);
  }
  if (groups.length) rec.groupAuthors = groups;
  const journal = kid(art, 'Journal');
  const jt = kid(journal, 'Title');
  setField(rec, doc, 'container-title', text(jt), jt);
  const abbr = kid(journal, 'ISOAbbreviation') ?? kidPath(mc, 'MedlineJournalInfo', 'MedlineTA');
  setField(rec, doc, 'container-title-short', text(abbr), abbr);
  if (!rec.csl['container-title'] && rec.csl['container-title-short']) setField(rec, doc, 'container-title', rec.csl['container-title-short'], abbr);
  const issn = kid(journal, 'ISSN') ?? kidPath(mc, 'MedlineJournalInfo', 'ISSNLinking');
  setField(rec, doc, 'ISSN', text(issn), issn);
  const ji = kid(journal, 'JournalIssue');
  const vol = kid(ji, 'Volume');
  setField(rec, doc, 'volume', text(vol), vol);
  const iss = kid(ji, 'Issue');
  setField(rec, doc, 'issue', text(iss), iss);
  const pd = kid(ji, 'PubDate');
  let parts = pubDate(pd);
  let dateEl = pd;
  if (!parts) {
    dateEl = kid(art, 'ArticleDate');
    parts = pubDate(dateEl);
  }
  if (parts && dateEl) {
    rec.csl.issued = { 'date-parts': [parts] };
    rec.fieldLines.issued = doc.lineAt(dateEl.start);
  }
  const pg = kid(art, 'Pagination');
  if (pg) {
    const medline = kidText(pg, 'MedlinePgn');
    const start = kidText(pg, 'StartPage');
    const end = kidText(pg, 'EndPage');
    const pages = medline ? expandPages(medline) : start ? (end && end !== start ? `${start}-${end}` : start) : undefined;
    setField(rec, doc, 'page', pages, pg);
  }
  for (const e of kids(art, 'ELocationID')) {
    const t = (e.attrs.EIdType ?? '').toLowerCase();
    if (t === 'doi' && (e.attrs.ValidYN ?? 'Y') !== 'N') setDoi(rec, doc, text(e), e);
    // An electronic-only article's number (its "pii") stands where pages would be.
    // A publisher item identifier (`S0140-6736(19)30001-X`) is not: only short article numbers are.
    else if (t === 'pii' && !rec.csl.page && /^[A-Za-z]*\d*[A-Za-z0-9.-]{0,8}$/.test(text(e) ?? '')) setField(rec, doc, 'page', text(e), e);
  }
  const data = kid(pa, 'PubmedData');
  const idl = ids(kid(data, 'ArticleIdList'));
  if (idl.doi) setDoi(rec, doc, idl.doi.v, idl.doi.el);
  const pmidEl = kid(mc, 'PMID');
  setField(rec, doc, 'PMID', text(pmidEl) ?? idl.pubmed?.v, pmidEl ?? idl.pubmed?.el);
  if (idl.pmc) setField(rec, doc, 'PMCID', idl.pmc.v, idl.pmc.el);
  finishCommon(rec, doc, mc, art);
  const refs = references(doc, data);
  if (refs) rec.children = refs;
  return rec;
}

function readBookArticle(doc: XmlDoc, pb: XmlEl): ParsedRecord {
  const bd = kid(pb, 'BookDocument') ?? pb;
  const book = kid(bd, 'Book');
  const rec: ParsedRecord = { line: doc.lineAt(pb.start), csl: { type: 'book' }, fieldLines: {} };
  const chapter = kid(bd, 'ArticleTitle');
  const bookTitle = kid(book, 'BookTitle');
  if (chapter && text(chapter)) {
    rec.csl.type = 'chapter';
    setField(rec, doc, 'title', cleanTitle(text(chapter)), chapter);
    setField(rec, doc, 'container-title', cleanTitle(text(bookTitle)), bookTitle);
  } else setField(rec, doc, 'title', cleanTitle(text(bookTitle)), bookTitle);
  const vern = kid(bd, 'VernacularTitle');
  const vt = cleanTitle(text(vern));
  if (vt && vt !== rec.csl.title) rec.translatedTitle = vt;
  const lists = [...kids(bd, 'AuthorList'), ...kids(book, 'AuthorList')];
  const authorsEl = lists.find((l) => (l.attrs.Type ?? 'authors') === 'authors');
  const editorsEl = lists.find((l) => l.attrs.Type === 'editors');
  const au = names(authorsEl);
  const ed = names(editorsEl);
  if (au.names.length) {
    rec.csl.author = au.names;
    rec.fieldLines.author = doc.lineAt(authorsEl!.start);
  }
  if (au.groups.length) rec.groupAuthors = au.groups;
  if (ed.names.length) {
    rec.csl.editor = ed.names;
    rec.fieldLines.editor = doc.lineAt(editorsEl!.start);
  }
  const pub = kid(book, 'Publisher');
  setField(rec, doc, 'publisher', kidText(pub, 'PublisherName'), pub);
  setField(rec, doc, 'publisher-place', kidText(pub, 'PublisherLocation'), pub);
  const pd = kid(book, 'PubDate') ?? kid(book, 'BeginningDate');
  const parts = pubDate(pd);
  if (parts && pd) {
    rec.csl.issued = { 'date-parts': [parts] };
    rec.fieldLines.issued = doc.lineAt(pd.start);
  }
  const isbn = kid(book, 'Isbn');
  setField(rec, doc, 'ISBN', text(isbn), isbn);
  const vol = kid(book, 'Volume');
  setField(rec, doc, 'volume', text(vol), vol);
  const coll = kid(book, 'CollectionTitle');
  if (coll && text(coll)) rec.csl['collection-title'] = text(coll);
  const medium = kid(book, 'Medium');
  if (medium && text(medium)) (rec.extra ??= {}).medium = text(medium)!;
  const pg = kid(bd, 'Pagination');
  if (pg) setField(rec, doc, 'page', expandPages(kidText(pg, 'MedlinePgn')) ?? kidText(pg, 'StartPage'), pg);
  for (const e of kids(bd, 'ELocationID')) if ((e.attrs.EIdType ?? '').toLowerCase() === 'doi') setDoi(rec, doc, text(e), e);
  const bdIds = ids(kid(bd, 'ArticleIdList'));
  const data = kid(pb, 'PubmedBookData');
  const dataIds = ids(kid(data, 'ArticleIdList'));
  const doi = bdIds.doi ?? dataIds.doi;
  if (doi) setDoi(rec, doc, doi.v, doi.el);
  const pmidEl = kid(bd, 'PMID');
  setField(rec, doc, 'PMID', text(pmidEl) ?? dataIds.pubmed?.v, pmidEl ?? dataIds.pubmed?.el);
  const pmc = bdIds.pmc ?? dataIds.pmc;
  if (pmc) setField(rec, doc, 'PMCID', pmc.v, pmc.el);
  finishCommon(rec, doc, bd, undefined);
  const refs = references(doc, bd) ?? references(doc, data);
  if (refs) rec.children = refs;
  return rec;
}

/** Parses a PubMed XML file. */
export function parsePubmedXml(text: string, file: string): ParsedFile {
  return readXmlFile(text, file, 'pubmed-xml', 'PubMed XML', (doc) => {
    const out: XmlRecord[] = [];
    const visit = (el: XmlEl) => {
      if (el.name === 'PubmedArticle') out.push({ record: readArticle(doc, el), end: el.end });
      else if (el.name === 'PubmedBookArticle') out.push({ record: readBookArticle(doc, el), end: el.end });
      else if (el.name === 'PubmedArticleSet' || el.name === 'PubmedBookArticleSet') for (const c of kids(el)) visit(c);
    };
    for (const r of doc.roots) visit(r);
    return out;
  });
}
