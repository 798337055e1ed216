/**
 * DataCite JSON (the `application/vnd.datacite.datacite+json` record of a dataset/software/text
 * DOI) → ParsedRecords. Accepted shapes: one record, a list of records, and the REST API's
 * envelope `{"data": {"attributes": {...}}}` or `{"data": [{"attributes": {...}}, ...]}`.
 *
 * Related identifiers (`relatedIdentifiers`: cites, is-supplement-to, ...) carry only an id, no
 * title or author: as children they would become nameless "Anonymous n.d." works, so they are
 * kept in `extra.relatedIdentifiers` instead. A `relatedItems` entry with relation
 * `IsPublishedIn` (the book or journal a chapter/article appeared in) gives the container,
 * pages, volume, issue, publisher and — when it has one — the publication year.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { arr, cleanDoi, isObject, isoDateParts, jsonItems, pageRange, str } from './jsonShape';
import { problemText } from '../model/problemText';

/** True when a parsed JSON value is (or wraps) a DataCite record. */
export function looksLikeDataCite(v: unknown): boolean {
  const rec = isObject(v) && isObject(v.attributes) ? v.attributes : v;
  if (!isObject(rec)) return false;
  if (isObject(rec.types) && rec.types.resourceTypeGeneral !== undefined) return true;
  return Array.isArray(rec.titles) && (Array.isArray(rec.creators) || rec.publicationYear !== undefined);
}

/** Cheap test on the first 64 KB of text (keys DataCite has and CSL-JSON/OpenAlex do not). */
export function sniffDataCite(head: string): boolean {
  return /"resourceTypeGeneral"\s*:/.test(head) || (/"titles"\s*:\s*\[/.test(head) && /"(?:creators|publicationYear)"\s*:/.test(head));
}

const TYPE_GENERAL: Record<string, string> = {
  Audiovisual: 'motion_picture',
  Book: 'book',
  BookChapter: 'chapter',
  Collection: 'collection',
  ComputationalNotebook: 'software',
  ConferencePaper: 'paper-conference',
  ConferenceProceeding: 'book',
  DataPaper: 'article-journal',
  Dataset: 'dataset',
  Dissertation: 'thesis',
  Event: 'event',
  Image: 'graphic',
  InteractiveResource: 'webpage',
  Journal: 'periodical',
  JournalArticle: 'article-journal',
  Model: 'document',
  OutputManagementPlan: 'document',
  PeerReview: 'review',
  PhysicalObject: 'document',
  Preprint: 'article',
  Report: 'report',
  Service: 'software',
  Software: 'software',
  Sound: 'song',
  Standard: 'standard',
  Workflow: 'software',
};

const CSL_TYPES = new Set(['article', 'article-journal', 'article-magazine', 'article-newspaper', 'book', 'chapter', 'dataset', 'paper-conference', 'report', 'thesis', 'software', 'webpage', 'entry', 'entry-encyclopedia', 'entry-dictionary', 'review', 'manuscript', 'speech', 'graphic', 'document', 'standard', 'patent']);

function cslType(types: unknown): string {
  if (!isObject(types)) return 'article';
  const general = str(types.resourceTypeGeneral);
  if (general && TYPE_GENERAL[general]) return TYPE_GENERAL[general];
  const citeproc = str(types.citeproc);
  const specific = (str(types.resourceType) ?? '').toLowerCase();
  if (/journal article|zeitschriftenartikel/.test(specific)) return 'article-journal';
  if (/book chapter|chapter/.test(specific)) return 'chapter';
  if (/conference/.test(specific)) return 'paper-conference';
  if (/thesis|dissertation/.test(specific)) return 'thesis';
  if (citeproc && CSL_TYPES.has(citeproc)) return citeproc;
  return general === 'Text' ? 'article' : 'document';
}

function creatorName(c: unknown): Name | undefined {
  if (typeof c === 'string') return parsePersonName(c);
  if (!isObject(c)) return undefined;
  const name = str(c.name) ?? str(c.creatorName) ?? str(c.contributorName);
  const nameType = str(c.nameType);
  if (nameType === 'Organizational') return name ? { literal: name } : undefined;
  const family = str(c.familyName);
  const given = str(c.givenName);
  if (family) return given ? { family, given } : { family };
  if (!name) return undefined;
  if (nameType === 'Personal' || name.indexOf(',') !== -1) return parsePersonName(name);
  return { literal: name };
}

function titleOf(titles: unknown[]): { title?: string; translated?: string } {
  let main: string | undefined;
  let subtitle: string | undefined;
  let translated: string | undefined;
  let fallback: string | undefined;
  for (const t of titles) {
    const text = typeof t === 'string' ? str(t) : isObject(t) ? str(t.title) : undefined;
    if (!text) continue;
    const kind = isObject(t) ? str(t.titleType) : undefined;
    fallback ??= text;
    if (!kind) main ??= text;
    else if (kind === 'Subtitle') subtitle ??= text;
    else if (kind === 'TranslatedTitle') translated ??= text;
  }
  let title = main ?? translated ?? fallback;
  if (title && subtitle && title.indexOf(subtitle) === -1) title = `${title}${/[:.?!]$/.test(title) ? '' : ':'} ${subtitle}`;
  return { title, translated: translated && translated !== title && main ? translated : undefined };
}

function recordOf(item: unknown, line: number): ParsedRecord | undefined {
  const rec = isObject(item) && isObject(item.attributes) ? item.attributes : item;
  if (!isObject(rec)) return undefined;
  const type = cslType(rec.types);
  const csl: CslFields = { type };
  const fieldLines: Record<string, number> = {};
  const set = (key: string, v: string | undefined): void => {
    if (v === undefined || csl[key] !== undefined) return;
    csl[key] = v;
    fieldLines[key] = line;
  };
  const { title, translated } = titleOf(arr(rec.titles).concat(rec.title !== undefined ? [rec.title] : []));
  set('title', title);

  const authors = arr(rec.creators).map(creatorName).filter((n): n is Name => n !== undefined);
  if (authors.length) {
    csl.author = authors;
    fieldLines.author = line;
  }
  const editors = arr(rec.contributors)
    .filter((c) => isObject(c) && str(c.contributorType) === 'Editor')
    .map(creatorName)
    .filter((n): n is Name => n !== undefined);
  if (editors.length) csl.editor = editors;

  // Where it was published: the IsPublishedIn related item, else the container.
  const publishedIn = arr(rec.relatedItems).find((r) => isObject(r) && str(r.relationType) === 'IsPublishedIn');
  let year: number[] | undefined;
  if (isObject(publishedIn)) {
    set('container-title', titleOf(arr(publishedIn.titles)).title);
    set('volume', str(publishedIn.volume));
    set('issue', str(publishedIn.issue));
    set('page', pageRange(publishedIn.firstPage, publishedIn.lastPage));
    set('publisher', str(publishedIn.publisher));
    year = isoDateParts(publishedIn.publicationYear);
    const id = publishedIn.relatedItemIdentifier;
    if (isObject(id) && str(id.relatedItemIdentifierType) === 'ISSN') set('ISSN', str(id.relatedItemIdentifier));
    if (isObject(id) && str(id.relatedItemIdentifierType) === 'ISBN') set('ISBN', str(id.relatedItemIdentifier));
  }
  const container = rec.container;
  if (isObject(container)) {
    set('container-title', str(container.title));
    set('volume', str(container.volume));
    set('issue', str(container.issue));
    // `firstPage` is sometimes a volume label ("Bd. 1 Nr. 1 (2018)") or the journal again: pages only when they look like pages.
    const fp = str(container.firstPage);
    if (fp && /^[A-Za-z]?\d+[A-Za-z]?$/.test(fp)) set('page', pageRange(fp, container.lastPage));
    if (str(container.identifierType) === 'ISSN') set('ISSN', str(container.identifier));
  }
  // `sizes: ["42-79 Seiten"]`: a page range some repositories give there.
  if (csl.page === undefined) {
    for (const s of arr(rec.sizes)) {
      const m = /^(?:pp?\.\s*|S\.\s*)?(\d+)\s*[-–]\s*(\d+)(?:\s*(?:pages|seiten|pp?\.?|S\.?))?$/i.exec(str(s) ?? '');
      if (m) {
        set('page', `${m[1]}-${m[2]}`);
        break;
      }
    }
  }

  // Date: the Issued date when it agrees with the publication year (it is more precise), else the year.
  if (!year) {
    const py = isoDateParts(rec.publicationYear);
    const issued = arr(rec.dates).find((d) => isObject(d) && str(d.dateType) === 'Issued');
    const id = isObject(issued) ? isoDateParts(issued.date) : undefined;
    year = id && (!py || id[0] === py[0]) ? id : py ?? id;
  }
  if (year) {
    csl.issued = { 'date-parts': [year] };
    fieldLines.issued = line;
  }
  const publisher = rec.publisher;
  set('publisher', isObject(publisher) ? str(publisher.name) : str(publisher));

  let doi = cleanDoi(rec.doi) ?? cleanDoi(rec.id);
  for (const id of arr(rec.identifiers)) {
    if (doi) break;
    if (isObject(id) && /^doi$/i.test(str(id.identifierType) ?? '')) doi = cleanDoi(id.identifier);
  }
  set('DOI', doi);
  set('URL', str(rec.url));
  for (const id of arr(rec.identifiers)) {
    if (!isObject(id)) continue;
    const t = (str(id.identifierType) ?? '').toUpperCase();
    if (t === 'ISSN' || t === 'ISBN') set(t, str(id.identifier));
  }
  const related: string[] = [];
  for (const r of arr(rec.relatedIdentifiers)) {
    if (!isObject(r)) continue;
    const rel = str(r.relationType);
    const id = str(r.relatedIdentifier);
    const t = str(r.relatedIdentifierType);
    if (!rel || !id) continue;
    if (rel === 'IsPartOf' && t === 'ISSN') set('ISSN', id);
    related.push(`${rel} ${t === 'DOI' ? cleanDoi(id) ?? id : id}`);
  }

  const descriptions = arr(rec.descriptions).concat(rec.description !== undefined ? [rec.description] : []);
  let abstract: string | undefined;
  for (const d of descriptions) {
    const text = typeof d === 'string' ? str(d) : isObject(d) ? str(d.description) ?? str(arr(d.description)[0]) : undefined;
    const kind = isObject(d) ? str(d.descriptionType) : undefined;
    if (text && (kind === 'Abstract' || kind === undefined)) {
      abstract = text;
      break;
    }
  }
  set('abstract', abstract);
  const subjects = arr(rec.subjects)
    .map((s) => (typeof s === 'string' ? str(s) : isObject(s) ? str(s.subject) : undefined))
    .filter((s): s is string => s !== undefined);
  if (subjects.length) set('keyword', [...new Set(subjects)].join(', '));
  set('language', str(rec.language));
  set('version', str(rec.version));
  const rights = arr(rec.rightsList)[0];
  if (isObject(rights)) set('license', str(rights.rightsUri) ?? str(rights.rights));

  if (!csl.title && !csl.DOI && !authors.length) return undefined;
  const record: ParsedRecord = { line, csl, fieldLines };
  if (translated) record.translatedTitle = translated;
  if (abstract) record.textBlocks = [{ text: abstract, line }];
  const extra: Record<string, string> = {};
  const general = isObject(rec.types) ? str(rec.types.resourceTypeGeneral) : undefined;
  if (general) extra.resourceType = isObject(rec.types) && str(rec.types.resourceType) ? `${general}: ${str(rec.types.resourceType)}` : general;
  if (related.length) extra.relatedIdentifiers = related.join('; ');
  if (Object.keys(extra).length) record.extra = extra;
  return record;
}

/** Parses a DataCite JSON file. Never throws; problems are returned with their lines. */
export function parseDataCite(text: string, file: string): ParsedFile {
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  const read = jsonItems(text, 'data', true);
  if ('error' in read) {
    problems.push({ file, line: read.error.line, severity: 'error', ...problemText('Not valid JSON ({0}); skipped the DataCite file', read.error.message) });
    return { file, format: 'datacite-json', records, problems };
  }
  const { items, lines } = read;
  items.forEach((item, i) => {
    const line = lines[i] ?? 1;
    if (!looksLikeDataCite(item)) {
      problems.push({ file, line, severity: 'warning', ...problemText('Item {0} is not a DataCite record (no titles, creators or types); skipped it', i + 1) });
      return;
    }
    const rec = recordOf(item, line);
    if (rec) records.push(rec);
    else problems.push({ file, line, severity: 'warning', ...problemText('DataCite record {0} has no title, DOI or creator; skipped it', i + 1) });
  });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No DataCite records found') });
  return { file, format: 'datacite-json', records, problems };
}
