/**
 * OpenAlex works JSON (the `/works/W…` API answer, a list of works, or a search page
 * `{"meta": …, "results": [...]}`) → ParsedRecords.
 *
 * `referenced_works` are bare OpenAlex ids (`https://openalex.org/W…`) with no author, title or
 * year. As children they would each become a cited work labelled "Anonymous n.d.", hundreds per
 * record, so they are kept in `extra.referencedWorks` (short ids, space-separated) with their
 * count; the work's own OpenAlex id is in `extra.openalex`, so a later pass can join the two.
 */
import type { CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { arr, cleanDoi, isObject, isoDateParts, jsonItems, pageRange, str } from './jsonShape';
import { problemText } from '../model/problemText';

/** True when a parsed JSON value is an OpenAlex work. */
export function looksLikeOpenAlexWork(v: unknown): boolean {
  if (!isObject(v)) return false;
  const id = str(v.id) ?? '';
  return /^https:\/\/openalex\.org\/W\d+$/.test(id) || (Array.isArray(v.authorships) && (v.display_name !== undefined || v.publication_year !== undefined));
}

/** Cheap test on the first 64 KB of text. */
export function sniffOpenAlex(head: string): boolean {
  return /"id"\s*:\s*"https:\/\/openalex\.org\/W\d+"/.test(head) || (/"authorships"\s*:/.test(head) && /"(?:display_name|publication_year)"\s*:/.test(head));
}

const TYPES: Record<string, string> = {
  'journal-article': 'article-journal',
  article: 'article-journal',
  review: 'article-journal',
  letter: 'article-journal',
  editorial: 'article-journal',
  erratum: 'article-journal',
  'book-chapter': 'chapter',
  'book-section': 'chapter',
  'book-part': 'chapter',
  book: 'book',
  monograph: 'book',
  'edited-book': 'book',
  'reference-book': 'book',
  'proceedings-article': 'paper-conference',
  proceedings: 'book',
  dissertation: 'thesis',
  dataset: 'dataset',
  report: 'report',
  standard: 'standard',
  preprint: 'article',
  'posted-content': 'article',
  'reference-entry': 'entry-encyclopedia',
  peer_review: 'review',
  'peer-review': 'review',
  paratext: 'document',
  other: 'document',
};

/** Words of an abstract_inverted_index (`{"word": [positions]}`) put back in order. */
export function abstractFromInvertedIndex(index: unknown): string | undefined {
  if (!isObject(index)) return undefined;
  const words: string[] = [];
  let count = 0;
  for (const word of Object.keys(index)) {
    for (const p of arr(index[word])) {
      // Positions beyond any real abstract are ignored: they would only make a huge sparse array.
      if (typeof p === 'number' && Number.isInteger(p) && p >= 0 && p < 200_000) {
        words[p] = word;
        count++;
      }
    }
  }
  if (!count) return undefined;
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) if (words[i] !== undefined) out.push(words[i]);
  const s = out.join(' ').trim();
  return s || undefined;
}

function shortId(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /([WASIPCF]\d+)$/.exec(s);
  return m ? m[1] : undefined;
}

function authorOf(a: unknown): Name | undefined {
  if (!isObject(a)) return undefined;
  const name = (isObject(a.author) ? str(a.author.display_name) : undefined) ?? str(a.raw_author_name);
  if (!name) return undefined;
  return parsePersonName(name);
}

function recordOf(w: Record<string, unknown>, line: number): ParsedRecord | undefined {
  const typeKey = str(w.type_crossref) ?? str(w.type) ?? '';
  const csl: CslFields = { type: TYPES[typeKey] ?? TYPES[str(w.type) ?? ''] ?? 'article-journal' };
  const fieldLines: Record<string, number> = {};
  const set = (key: string, v: string | undefined): void => {
    if (v === undefined || csl[key] !== undefined) return;
    csl[key] = v;
    fieldLines[key] = line;
  };
  set('title', str(w.title) ?? str(w.display_name));
  const authors = arr(w.authorships).map(authorOf).filter((n): n is Name => n !== undefined);
  if (authors.length) {
    csl.author = authors;
    fieldLines.author = line;
  }
  const date = isoDateParts(w.publication_date);
  const year = isoDateParts(w.publication_year);
  const issued = date && (!year || date[0] === year[0]) ? date : year;
  if (issued) {
    csl.issued = { 'date-parts': [issued] };
    fieldLines.issued = line;
  }
  const loc = isObject(w.primary_location) ? w.primary_location : isObject(w.host_venue) ? w.host_venue : undefined;
  const source = loc && isObject(loc.source) ? loc.source : loc;
  if (source) {
    set('container-title', str(source.display_name));
    set('ISSN', str(source.issn_l) ?? str(arr(source.issn)[0]));
    set('publisher', str(source.host_organization_name) ?? str(source.publisher));
  }
  if (loc) set('URL', str(loc.landing_page_url) ?? str(loc.url));
  const biblio = isObject(w.biblio) ? w.biblio : {};
  set('volume', str(biblio.volume));
  set('issue', str(biblio.issue));
  set('page', pageRange(biblio.first_page, biblio.last_page));
  const ids = isObject(w.ids) ? w.ids : {};
  set('DOI', cleanDoi(w.doi) ?? cleanDoi(ids.doi));
  const pmid = /(\d+)\/?$/.exec(str(ids.pmid) ?? '');
  if (pmid) set('PMID', pmid[1]);
  const pmcid = /(PMC\d+)\/?$/i.exec(str(ids.pmcid) ?? '');
  if (pmcid) set('PMCID', pmcid[1].toUpperCase());
  const abstract = abstractFromInvertedIndex(w.abstract_inverted_index) ?? str(w.abstract);
  set('abstract', abstract);
  // Keywords: OpenAlex's own keywords when present, else the best few concepts.
  let keywords = arr(w.keywords)
    .map((k) => (typeof k === 'string' ? str(k) : isObject(k) ? str(k.display_name) ?? str(k.keyword) : undefined))
    .filter((k): k is string => k !== undefined);
  if (!keywords.length) {
    keywords = arr(w.concepts)
      .filter((c) => isObject(c) && (typeof c.score !== 'number' || c.score >= 0.3))
      .map((c) => (isObject(c) ? str(c.display_name) : undefined))
      .filter((k): k is string => k !== undefined)
      .slice(0, 5);
  }
  if (keywords.length) set('keyword', keywords.join(', '));
  set('language', str(w.language));

  if (!csl.title && !csl.DOI) return undefined;
  const record: ParsedRecord = { line, csl, fieldLines };
  if (abstract) record.textBlocks = [{ text: abstract, line }];
  const extra: Record<string, string> = {};
  const own = shortId(w.id) ?? shortId(ids.openalex);
  if (own) extra.openalex = own;
  if (typeof w.cited_by_count === 'number') extra.citationCount = String(w.cited_by_count);
  const refs = arr(w.referenced_works).map(shortId).filter((r): r is string => r !== undefined);
  if (refs.length) {
    extra.referencedWorks = refs.join(' ');
    extra.referenceCount = String(refs.length);
  }
  if (Object.keys(extra).length) record.extra = extra;
  return record;
}

/** Parses an OpenAlex works JSON file. Never throws; problems are returned with their lines. */
export function parseOpenAlex(text: string, file: string): ParsedFile {
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  const read = jsonItems(text, 'results');
  if ('error' in read) {
    problems.push({ file, line: read.error.line, severity: 'error', ...problemText('Not valid JSON ({0}); skipped the OpenAlex file', read.error.message) });
    return { file, format: 'openalex-json', records, problems };
  }
  const { items, lines } = read;
  items.forEach((item, i) => {
    const line = lines[i] ?? 1;
    const rec = isObject(item) && looksLikeOpenAlexWork(item) ? recordOf(item, line) : undefined;
    if (rec) records.push(rec);
    else problems.push({ file, line, severity: 'warning', ...problemText('Item {0} is not an OpenAlex work with a title or DOI; skipped it', i + 1) });
  });
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'info', ...problemText('No OpenAlex works found (the results list is empty)') });
  return { file, format: 'openalex-json', records, problems };
}
