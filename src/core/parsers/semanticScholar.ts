/**
 * Semantic Scholar-style JSON dumps: one JSON object per record on its own line (its `title`
 * may be a translation while `resultStr` holds the English record as a JSON string), followed by
 * the English title and abstract as plain text.
 */
import { z } from 'zod';
import type { CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { hasCjk, normalisePages, parseDateParts, squash, toLines } from '../model/text';
import { problemText } from '../model/problemText';

const S2Author = z.union([z.string(), z.object({ name: z.string().nullish() }).passthrough()]);
const S2Schema = z
  .object({
    title: z.string().nullish(),
    TitleCN: z.string().nullish(),
    authors: z.union([z.string(), z.array(S2Author)]).nullish(),
    doi: z.string().nullish(),
    url: z.string().nullish(),
    ListUrlMain: z.string().nullish(),
    abstract: z.string().nullish(),
    AbstractTextCN: z.string().nullish(),
    journal: z
      .object({ name: z.string().nullish(), volume: z.union([z.string(), z.number()]).nullish(), pages: z.string().nullish() })
      .passthrough()
      .nullish(),
    PeriodicalName: z.string().nullish(),
    publicationDate: z.string().nullish(),
    year: z.union([z.number(), z.string()]).nullish(),
    publicationTypes: z.union([z.string(), z.array(z.string())]).nullish(),
    fieldsOfStudy: z.union([z.string(), z.array(z.string())]).nullish(),
    citationCount: z.union([z.string(), z.number()]).nullish(),
    PMCID: z.union([z.string(), z.number()]).nullish(),
    PMID: z.union([z.string(), z.number()]).nullish(),
    resultStr: z.string().nullish(),
    platform: z.string().nullish(),
    JCR: z.string().nullish(),
    JCRName: z.string().nullish(),
    PeriodicalIF: z.union([z.number(), z.string()]).nullish(),
  })
  .passthrough();
type S2 = z.infer<typeof S2Schema>;

/** True when the text looks like a Semantic Scholar-style dump. */
export function sniffSemanticScholar(head: string): boolean {
  return /^\s*\{/.test(head) && /"(?:resultStr|PeriodicalName|PeriodicalId|publicationTypes|paperid|ListUrlMain|citationCount|DOIUrl|openAccessPdf|fieldsOfStudy)"\s*:|"authors"\s*:\s*"/.test(head.slice(0, 65536)) && /"title"\s*:/.test(head.slice(0, 65536));
}

function splitAuthors(a: S2['authors']): Name[] {
  if (!a) return [];
  const raw: string[] = typeof a === 'string' ? a.split(/\s*[,;]\s*/) : a.map((x) => (typeof x === 'string' ? x : (x.name ?? '')));
  return raw.map((s) => parsePersonName(s)).filter((n): n is Name => n !== undefined);
}

function str(v: string | number | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = squash(String(v));
  return s ? s : undefined;
}

function typeOf(t: S2['publicationTypes']): string {
  const s = (Array.isArray(t) ? t.join(' ') : (t ?? '')).toLowerCase();
  if (/conference/.test(s)) return 'paper-conference';
  if (/book/.test(s)) return 'book';
  if (/review|journal|article|editorial|letter/.test(s) || !s) return 'article-journal';
  return 'article';
}

function recordFrom(outer: S2, inner: S2 | undefined, line: number, plain: { title?: { text: string; n: number }; abstract?: { text: string; n: number } }): ParsedRecord {
  const r = inner ?? outer;
  const fieldLines: Record<string, number> = {};
  const csl: CslFields = { type: typeOf(r.publicationTypes ?? outer.publicationTypes) };
  // English title: the inner record, else the plain-text line, else the outer title.
  const candidates = [str(inner?.title), plain.title?.text, str(outer.title)].filter((x): x is string => !!x);
  const english = candidates.find((t) => !hasCjk(t)) ?? candidates[0];
  if (english) {
    csl.title = english;
    fieldLines.title = plain.title && plain.title.text === english ? plain.title.n : line;
  }
  let translatedTitle: string | undefined;
  for (const t of [str(outer.title), str(outer.TitleCN), str(inner?.TitleCN)]) {
    if (t && t !== english) {
      translatedTitle = t;
      break;
    }
  }
  const authors = splitAuthors(r.authors ?? outer.authors);
  if (authors.length) {
    csl.author = authors;
    fieldLines.author = line;
  }
  const doi = str(r.doi ?? outer.doi);
  if (doi) {
    csl.DOI = doi.replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '');
    fieldLines.DOI = line;
  }
  const journal = r.journal ?? outer.journal;
  const container = str(journal?.name) ?? str(r.PeriodicalName ?? outer.PeriodicalName);
  if (container) {
    csl['container-title'] = container;
    fieldLines['container-title'] = line;
  }
  const vol = str(journal?.volume);
  if (vol) {
    // "20 1" and "20(1)" are volume and issue.
    const m = /^(\S+?)\s*(?:\(\s*(\S+?)\s*\)|\s+(\S+))?$/.exec(vol);
    csl.volume = m ? m[1] : vol;
    const issue = m?.[2] ?? m?.[3];
    if (issue) csl.issue = issue;
    fieldLines.volume = line;
  }
  const pages = journal?.pages ? normalisePages(journal.pages) : undefined;
  if (pages) {
    csl.page = pages;
    fieldLines.page = line;
  }
  const date = str(r.publicationDate ?? outer.publicationDate);
  const parts = date ? parseDateParts(date) : undefined;
  const year = str(r.year ?? outer.year);
  if (parts) csl.issued = { 'date-parts': [parts] };
  else if (year && /^\d{4}$/.test(year)) csl.issued = { 'date-parts': [[Number(year)]] };
  if (csl.issued) fieldLines.issued = line;
  const abstract = plain.abstract?.text ?? str(r.abstract ?? outer.abstract);
  const textBlocks = [];
  if (abstract) {
    csl.abstract = abstract;
    fieldLines.abstract = plain.abstract?.n ?? line;
    textBlocks.push({ text: abstract, line: fieldLines.abstract });
  }
  const url = str(r.url ?? outer.url) ?? str(r.ListUrlMain ?? outer.ListUrlMain);
  if (url) csl.URL = url;
  const pmcid = str(r.PMCID ?? outer.PMCID);
  if (pmcid) csl.PMCID = /^PMC/i.test(pmcid) ? pmcid.toUpperCase() : `PMC${pmcid}`;
  const pmid = str(r.PMID ?? outer.PMID);
  if (pmid) csl.PMID = pmid;
  const fos = r.fieldsOfStudy ?? outer.fieldsOfStudy;
  if (fos) csl.keyword = Array.isArray(fos) ? fos.join(', ') : fos;
  const extra: Record<string, string> = {};
  const cc = str(r.citationCount ?? outer.citationCount);
  if (cc) extra.citationCount = cc;
  const jcr = str(r.JCR ?? outer.JCR);
  if (jcr) extra.jcrQuartile = jcr;
  const jcrName = str(r.JCRName ?? outer.JCRName);
  if (jcrName) extra.jcrCategory = jcrName;
  const platform = str(r.platform ?? outer.platform);
  if (platform) extra.platform = platform;
  return {
    line,
    csl,
    fieldLines,
    translatedTitle,
    textBlocks,
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** Parses a Semantic Scholar-style dump: JSON lines, each optionally followed by plain title and abstract lines. */
export function parseSemanticScholar(text: string, file: string): ParsedFile {
  const lines = toLines(text);
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    if (!l.text.startsWith('{')) {
      i++;
      continue;
    }
    const start = l.n;
    let obj: unknown;
    let parseError: string | undefined;
    try {
      obj = JSON.parse(l.text);
    } catch (e) {
      parseError = e instanceof Error ? e.message : String(e);
    }
    // Plain text after the JSON line, up to the next JSON line: title, then abstract.
    const plain: string[] = [];
    const plainLines: number[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].text.startsWith('{')) {
      if (lines[j].text) {
        plain.push(lines[j].text);
        plainLines.push(lines[j].n);
      }
      j++;
    }
    const plainParts = {
      title: plain[0] !== undefined ? { text: squash(plain[0]), n: plainLines[0] } : undefined,
      abstract: plain.length > 1 ? { text: squash(plain.slice(1).join(' ')), n: plainLines[1] } : undefined,
    };
    if (parseError !== undefined) {
      const why = parseError.replace(/^.*?JSON[^:]*:\s*/, '');
      problems.push({ file, line: start, severity: 'error', ...(plainParts.title ? problemText('This line is not valid JSON ({0}); indexed the plain-text title and abstract after it instead.', why) : problemText('This line is not valid JSON ({0}); skipped it.', why)) });
      if (plainParts.title) records.push(recordFrom({}, undefined, start, plainParts));
      i = j;
      continue;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      problems.push({ file, line: start, severity: 'error', ...problemText('This line is JSON but not a record object; skipped it.') });
      i = j;
      continue;
    }
    // Fields of the wrong type are dropped (and reported) so the rest of the record survives.
    const fields = { ...(obj as Record<string, unknown>) };
    const dropped: string[] = [];
    let outer = S2Schema.safeParse(fields);
    while (!outer.success && dropped.length < 50) {
      const key = outer.error.issues[0]?.path[0];
      if (typeof key !== 'string' || !(key in fields)) break;
      delete fields[key];
      dropped.push(key);
      outer = S2Schema.safeParse(fields);
    }
    if (!outer.success) {
      problems.push({ file, line: start, severity: 'error', ...problemText('Record has an unexpected shape; skipped it.') });
      i = j;
      continue;
    }
    if (dropped.length) problems.push({ file, line: start, severity: 'warning', ...problemText('Ignored fields with unexpected types: {0}.', dropped.join(', ')) });
    let inner: S2 | undefined;
    if (outer.data.resultStr) {
      try {
        const parsed = S2Schema.safeParse(JSON.parse(outer.data.resultStr));
        if (parsed.success) inner = parsed.data;
        else problems.push({ file, line: start, severity: 'warning', ...problemText('The embedded "resultStr" record has an unexpected shape; used the outer record.') });
      } catch {
        problems.push({ file, line: start, severity: 'warning', ...problemText('The embedded "resultStr" record is not valid JSON; used the outer record.') });
      }
    }
    records.push(recordFrom(outer.data, inner, start, plainParts));
    i = j;
  }
  return { file, format: 'semantic-scholar-json', records, problems };
}
