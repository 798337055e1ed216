/**
 * CSL-JSON (an array of items, `{ "items": [...] }`, or one item) → ParsedRecords. Items are
 * validated one by one, so one bad item costs only itself; a file cut off mid-way still yields
 * every complete item before the cut.
 */
import { z } from 'zod';
import { CslFieldsSchema, DateSchema, NameSchema, type CslFields, type Name, type ParsedFile, type ParsedRecord, type Problem } from '../model/model';
import { jsonStringEnd } from './jsonShape';
import { type ProblemText, problemText } from '../model/problemText';

function cleanText(text: string): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (s.indexOf('\0') !== -1) s = s.replace(/\0/g, '');
  return s;
}

/** Where one item sits in the text. */
interface ItemSpan {
  start: number;
  /** Index after the item's last character; -1 when the text ends inside it. */
  end: number;
  line: number;
  /** Top-level key → line, for objects. */
  keys: Record<string, number>;
}

interface Layout {
  /** 'array': top-level array; 'items': `{ "items": [...] }`; 'single': one top-level object. */
  kind: 'array' | 'items' | 'single' | 'other';
  spans: ItemSpan[];
}

/**
 * One linear pass over the JSON text that finds each item's span, starting line and top-level
 * key lines, without building any values. String-aware (escapes included); tolerant of
 * truncation: a span whose end is never seen has end -1.
 */
function scanLayout(src: string): Layout {
  const n = src.length;
  let i = 0;
  let line = 1;
  while (i < n && (src.charCodeAt(i) <= 32)) {
    if (src.charCodeAt(i) === 10) line++;
    i++;
  }
  const first = src.charCodeAt(i);
  if (first !== 91 && first !== 123) return { kind: 'other', spans: [] };

  const spans: ItemSpan[] = [];
  // Next newline at or after the scan position: lets a string be checked for raw newlines
  // without searching past its end (items are often one per line).
  let nextNl = src.indexOf('\n', i);
  if (nextNl === -1) nextNl = n;
  // Container stack: true for objects. Depth 1 is the top-level container.
  const isObj: boolean[] = [];
  let depth = 0;
  let itemsDepth = first === 91 ? 1 : -1; // depth of the array whose values are items
  let kind: Layout['kind'] = first === 91 ? 'array' : 'single';
  let expectKey = false;
  let lastKey = '';
  let current: ItemSpan | undefined;
  let topObjectSpan: ItemSpan | undefined;
  let expectValueAtItems = false; // next non-space at itemsDepth starts an item

  for (; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      line++;
      nextNl = src.indexOf('\n', i + 1);
      if (nextNl === -1) nextNl = n;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (expectValueAtItems && depth === itemsDepth && c !== 93 && c !== 44) {
      current = { start: i, end: -1, line, keys: {} };
      spans.push(current);
      expectValueAtItems = false;
    }
    if (c === 34) {
      // String: jump to its closing quote.
      const j = jsonStringEnd(src, i);
      // Only an item's own keys and the top level's are wanted (not those of names, dates…).
      if (expectKey && (depth === 1 || (current !== undefined && depth === itemsDepth + 1))) {
        lastKey = src.slice(i + 1, j);
        if (lastKey.indexOf('\\') !== -1) {
          try {
            lastKey = JSON.parse(src.slice(i, j + 1)) as string;
          } catch {
            /* keep the raw key */
          }
        }
        if (current && depth === itemsDepth + 1 && current.keys[lastKey] === undefined) current.keys[lastKey] = line;
        else if (kind === 'single' && depth === 1 && topObjectSpan && topObjectSpan.keys[lastKey] === undefined) {
          topObjectSpan.keys[lastKey] = line;
        }
      }
      expectKey = false;
      // Raw newlines are invalid inside JSON strings, but count them so lines stay right.
      while (nextNl < j) {
        line++;
        nextNl = src.indexOf('\n', nextNl + 1);
        if (nextNl === -1) nextNl = n;
      }
      i = j;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
      isObj[depth] = c === 123;
      expectKey = c === 123;
      if (depth === 1 && c === 123) topObjectSpan = { start: i, end: -1, line, keys: {} };
      if (c === 91 && depth === 2 && kind === 'single' && lastKey === 'items' && isObj[1]) {
        // `{ "items": [ ... ] }`
        kind = 'items';
        itemsDepth = 2;
      }
      if (depth === itemsDepth && c === 91) expectValueAtItems = true;
      continue;
    }
    if (c === 125 || c === 93) {
      if (depth === itemsDepth + 1 && current) current.end = i + 1;
      if (depth === itemsDepth && current && current.end === -1) current.end = lastValueEnd(src, current.start, i);
      if (depth === 1 && topObjectSpan && c === 125) topObjectSpan.end = i + 1;
      depth--;
      expectKey = false;
      if (depth === itemsDepth - 1 && itemsDepth > 0) itemsDepth = kind === 'items' ? -2 : itemsDepth; // items array closed
      continue;
    }
    if (c === 44) {
      if (depth === itemsDepth) {
        if (current && current.end === -1) current.end = lastValueEnd(src, current.start, i);
        expectValueAtItems = true;
      }
      expectKey = isObj[depth] === true;
      continue;
    }
    if (c === 58) {
      expectKey = false;
      continue;
    }
  }
  if (kind === 'single') return { kind, spans: topObjectSpan ? [topObjectSpan] : [] };
  return { kind, spans };
}

/** End of a primitive item that runs from `start` to a `,` or `]` at `stop`. */
function lastValueEnd(src: string, start: number, stop: number): number {
  let e = stop;
  while (e > start && src.charCodeAt(e - 1) <= 32) e--;
  return e;
}

/** Line of a character offset (counted once, on demand: only used for error positions). */
function lineOfOffset(src: string, offset: number): number {
  let line = 1;
  for (let k = src.indexOf('\n'); k !== -1 && k < offset; k = src.indexOf('\n', k + 1)) line++;
  return line;
}

type Repair = 'string' | 'names' | 'date';
const REPAIRS = new Map<string, Repair>();
for (const k of [
  'title', 'title-short', 'container-title', 'container-title-short', 'collection-title', 'publisher',
  'publisher-place', 'volume', 'issue', 'page', 'number-of-pages', 'number-of-volumes', 'number',
  'edition', 'DOI', 'PMID', 'PMCID', 'ISSN', 'ISBN', 'URL', 'abstract', 'keyword', 'genre', 'license',
  'language', 'note', 'chapter-number', 'collection-number', 'version', 'event-title', 'event-place',
]) REPAIRS.set(k, 'string');
for (const k of ['author', 'editor', 'translator', 'container-author', 'collection-editor', 'director', 'interviewer', 'recipient', 'reviewed-author', 'composer']) REPAIRS.set(k, 'names');
for (const k of ['issued', 'accessed', 'available-date', 'event-date', 'original-date', 'submitted']) REPAIRS.set(k, 'date');

function repairNames(v: unknown): unknown {
  if (typeof v === 'string') return [{ literal: v }];
  if (!Array.isArray(v)) return v;
  let ok = true;
  for (const n of v) if (!isPlainObject(n)) ok = false;
  if (ok) return v;
  return v
    .map((n): Name | undefined => (typeof n === 'string' ? { literal: n } : isPlainObject(n) ? (n as Name) : undefined))
    .filter((n): n is Name => n !== undefined);
}

function repairDate(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return { 'date-parts': [[v]] };
  if (typeof v !== 'string') return v;
  const m = /^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(v.trim());
  return m ? { 'date-parts': [[m[1], m[2], m[3]].filter((x) => x !== undefined).map(Number)] } : { raw: v };
}

/**
 * Copies an item without its `id`, repairing the common near-misses of real CSL-JSON on the
 * way: numbers where strings belong, keyword arrays, names as strings, dates as strings or
 * numbers.
 */
function normalise(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in item) {
    if (key === 'id' || key === '__proto__') continue;
    out[key] = repaired(key, item[key]);
  }
  return out;
}

/** Field `key`'s value `v` with the near-misses of `normalise` repaired. */
function repaired(key: string, v: unknown): unknown {
  const repair = REPAIRS.get(key);
  if (repair === 'string') {
    if (typeof v === 'number') return String(v);
    if (key === 'keyword' && Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number').join(', ');
  } else if (repair === 'names') return repairNames(v);
  else if (repair === 'date') return repairDate(v);
  return v;
}

/**
 * How each field of CslFieldsSchema is checked on the fast path, derived from the schema itself
 * so the two cannot drift apart: plain strings, name lists and dates are checked by hand (zod
 * costs several times JSON.parse per item); any other declared field sends the item to zod.
 */
type FieldCheck = 'string' | 'names' | 'date' | 'zod';
const FIELD_CHECKS: Map<string, FieldCheck> = (() => {
  const checks = new Map<string, FieldCheck>();
  for (const [key, schema] of Object.entries(CslFieldsSchema.shape)) {
    const inner = schema instanceof z.ZodOptional ? schema.unwrap() : undefined;
    if (inner instanceof z.ZodString) checks.set(key, 'string');
    else if (inner instanceof z.ZodArray && inner.element === NameSchema) checks.set(key, 'names');
    else if (inner === DateSchema) checks.set(key, 'date');
    else checks.set(key, 'zod');
  }
  return checks;
})();
const NAME_KEYS = Object.keys(NameSchema.shape);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function quickDate(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const parts = v['date-parts'];
  if (parts !== undefined) {
    if (!Array.isArray(parts)) return false;
    for (const p of parts) {
      if (!Array.isArray(p)) return false;
      for (const x of p) if (typeof x !== 'number' && typeof x !== 'string') return false;
    }
  }
  return (v.raw === undefined || typeof v.raw === 'string') && (v.literal === undefined || typeof v.literal === 'string');
}

/** True when zod would accept field `key` with value `v` as it is (a stricter, allocation-free check). */
function quickValidField(key: string, v: unknown): boolean {
  const check = FIELD_CHECKS.get(key);
  if (check === undefined) return true; // catchall: anything goes
  if (v === undefined) return true;
  if (check === 'string') return typeof v === 'string';
  if (check === 'names') {
    if (!Array.isArray(v)) return false;
    for (const n of v) {
      if (!isPlainObject(n)) return false;
      for (const k of NAME_KEYS) if (n[k] !== undefined && typeof n[k] !== 'string') return false;
    }
    return true;
  }
  if (check === 'date') return quickDate(v);
  return false;
}

/**
 * The fast path of `toRecord` in one walk over the item: `normalise`, the check that zod would
 * accept the result as it is, and the fields' lines (as `buildRecord` takes them from the
 * result); undefined when the item needs zod.
 */
function quickFields(item: Record<string, unknown>, keyLines: Record<string, number>): { csl: CslFields; fieldLines: Record<string, number> } | undefined {
  const out: Record<string, unknown> = {};
  const fieldLines: Record<string, number> = {};
  for (const key in item) {
    if (key === 'id' || key === '__proto__') continue;
    const v = repaired(key, item[key]);
    if (!quickValidField(key, v)) return undefined;
    out[key] = v;
    const l = keyLines[key];
    if (l !== undefined && v !== undefined) fieldLines[key] = l;
  }
  return { csl: out as CslFields, fieldLines };
}

/** What a JSON value is, in words (JSON has these six kinds; anything else is named by its type). */
function describe(v: unknown): ProblemText {
  if (v === null) return problemText('null');
  if (Array.isArray(v)) return problemText('an array');
  const t = typeof v;
  if (t === 'object') return problemText('an object');
  if (t === 'string') return problemText('a string');
  if (t === 'number') return problemText('a number');
  if (t === 'boolean') return problemText('a boolean');
  return problemText('a value of type {0}', t);
}

const NOT_CSL = problemText('Not a recognised corpus format: JSON, but not CSL-JSON, DataCite or OpenAlex (no item has CSL fields such as type, author, issued, container-title or DOI); skipped it.');

/** CSL item types (CSL 1.0.2), to tell a CSL `type` from any other JSON's. */
const CSL_TYPES = new Set(
  'article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview legal_case legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance periodical personal_communication post post-weblog regulation report review review-book software song speech standard thesis treaty webpage'.split(' '),
);
/** CSL variables that say "bibliographic item" on their own (not `id`, `title`, `note`, `version`, `license`…). */
const STRONG_VARS = ['author', 'editor', 'issued', 'container-title', 'DOI', 'ISBN', 'ISSN', 'PMID', 'PMCID', 'page', 'volume', 'issue', 'publisher', 'publisher-place', 'collection-title', 'event-title', 'citation-key', 'URL', 'accessed', 'translator', 'container-author', 'number-of-pages', 'edition', 'genre'];

/**
 * True when an item looks like CSL-JSON: a CSL `type`, or at least one bibliographic CSL variable
 * beside `id` and `title` (a name given as a plain string counts only beside a title). An `id`
 * alone or a `title` alone is not enough.
 */
export function looksLikeCslItem(item: Record<string, unknown>): boolean {
  const t = item.type;
  if (typeof t === 'string' && CSL_TYPES.has(t)) return true;
  const hasTitle = typeof item.title === 'string' && item.title.trim() !== '';
  for (const k of STRONG_VARS) {
    const v = item[k];
    if (v === undefined || v === null || v === '') continue;
    if (k === 'author' || k === 'editor' || k === 'translator' || k === 'container-author') {
      if (Array.isArray(v) ? v.length > 0 && v.every((n) => isPlainObject(n) || typeof n === 'string') : typeof v === 'string' && hasTitle) return true;
      continue;
    }
    if (k === 'issued' || k === 'accessed') {
      if (isPlainObject(v) || typeof v === 'string' || typeof v === 'number') return true;
      continue;
    }
    if (typeof v === 'string' || typeof v === 'number') return true;
  }
  return false;
}

/** Parses a CSL-JSON file. Never throws; problems are returned with their lines. */
export function parseCslJson(text: string, file: string): ParsedFile {
  const src = cleanText(text);
  const records: ParsedRecord[] = [];
  const problems: Problem[] = [];
  const problem = (line: number, severity: Problem['severity'], text: ProblemText): void => {
    problems.push({ file, line: Math.max(1, line), severity, ...text });
  };
  const layout = scanLayout(src);

  let items: unknown[] | undefined;
  let errorLine = 0;
  let parseError: string | ProblemText = '';
  try {
    const data: unknown = JSON.parse(src);
    if (Array.isArray(data)) items = data;
    else if (data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items)) {
      items = (data as { items: unknown[] }).items;
    } else if (data && typeof data === 'object') items = [data];
    else {
      problem(1, 'error', problemText('Expected a CSL-JSON array of items, found {0}; skipped the file', describe(data)));
      return { file, format: 'csl-json', records, problems };
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    errorLine = m ? lineOfOffset(src, Number(m[1])) : lineOfOffset(src, src.length);
    const why = msg.replace(/ in JSON at position \d+.*$/, '');
    parseError = why === 'Unexpected end of JSON input' ? problemText('the text ends early') : why;
  }

  const notCsl: number[] = [];
  const spans = layout.spans;
  // With a full parse the scan's spans line up with the items; if they somehow do not, fall back
  // to line 1 rather than guess.
  const aligned = items !== undefined && spans.length === items.length;
  const count = items ? items.length : spans.length;
  for (let k = 0; k < count; k++) {
    const span = items ? (aligned ? spans[k] : undefined) : spans[k];
    const line = span?.line ?? 1;
    let item: unknown;
    if (items) item = items[k];
    else {
      if (!span || span.end === -1) continue; // cut off: covered by the file-level error
      try {
        item = JSON.parse(src.slice(span.start, span.end));
      } catch (e) {
        const endLine = line + (src.slice(span.start, span.end).match(/\n/g)?.length ?? 0);
        if (errorLine < line || errorLine > endLine) {
          problem(line, 'error', problemText('Item {0} is not valid JSON ({1}); skipped it', k + 1, e instanceof Error ? e.message : String(e)));
        }
        continue;
      }
    }
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problem(line, 'error', problemText('Item {0} is {1}, not a CSL item; skipped it', k + 1, describe(item)));
      continue;
    }
    if (!looksLikeCslItem(item as Record<string, unknown>)) {
      notCsl.push(line);
      continue;
    }
    const rec = toRecord(item as Record<string, unknown>, line, span?.keys ?? {}, k, problem);
    if (rec) records.push(rec);
  }
  if (notCsl.length && !records.length && !parseError) {
    // Nothing here is CSL: the JSON is some other format, not a broken CSL file.
    return { file, records: [], problems: [{ file, line: 1, severity: 'warning', ...NOT_CSL }] };
  }
  if (notCsl.length) {
    problem(
      notCsl[0],
      'warning',
      notCsl.length === 1
        ? problemText('{0} item has no CSL fields (type, author, issued, container-title, DOI…); skipped it', 1)
        : problemText('{0} items have no CSL fields (type, author, issued, container-title, DOI…); skipped them', notCsl.length),
    );
  }
  if (parseError) {
    const k = records.length;
    problems.unshift({
      file,
      line: Math.max(1, errorLine),
      severity: 'error',
      ...(k === 1
        ? problemText('Not valid JSON at line {0} ({1}); indexed the 1 complete item around it', errorLine, parseError)
        : k
          ? problemText('Not valid JSON at line {0} ({1}); indexed the {2} complete items around it', errorLine, parseError, k)
          : problemText('Not valid JSON at line {0} ({1}); no complete item could be recovered', errorLine, parseError)),
    });
  }
  return { file, format: 'csl-json', records, problems };
}

function toRecord(
  item: Record<string, unknown>,
  line: number,
  keyLines: Record<string, number>,
  index: number,
  problem: (line: number, severity: Problem['severity'], text: ProblemText) => void,
): ParsedRecord | undefined {
  const quick = quickFields(item, keyLines);
  if (quick) return buildRecord(quick.csl, item.id, line, keyLines, index, problem, quick.fieldLines);
  let candidate = normalise(item);
  let parsed = CslFieldsSchema.safeParse(candidate);
  if (!parsed.success) {
    // Drop the offending fields (with a warning each) and keep the rest of the item.
    const bad = new Set<string>();
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (typeof key === 'string') bad.add(key);
    }
    candidate = { ...candidate };
    for (const key of bad) {
      delete candidate[key];
      problem(keyLines[key] ?? line, 'warning', problemText("Item {0}: field '{1}' is not valid CSL ({2}); dropped it", index + 1, key, describeField(item[key])));
    }
    parsed = CslFieldsSchema.safeParse(candidate);
    if (!parsed.success) {
      problem(line, 'error', problemText('Item {0} is not a valid CSL item; skipped it', index + 1));
      return undefined;
    }
  }
  return buildRecord(parsed.data, item.id, line, keyLines, index, problem);
}

function buildRecord(
  csl: CslFields,
  id: unknown,
  line: number,
  keyLines: Record<string, number>,
  index: number,
  problem: (line: number, severity: Problem['severity'], text: ProblemText) => void,
  lines?: Record<string, number>,
): ParsedRecord {
  let fieldLines = lines;
  if (!fieldLines) {
    fieldLines = {};
    for (const key in csl) {
      const l = keyLines[key];
      if (l !== undefined && csl[key] !== undefined) fieldLines[key] = l;
    }
  }
  const record: ParsedRecord = { line, csl, fieldLines };
  if (typeof id === 'string' && id.trim()) record.sourceKey = id;
  else if (typeof id === 'number') record.sourceKey = String(id);
  else problem(line, 'warning', problemText('Item {0} has no id; indexed it without a key', index + 1));
  if (csl.abstract) record.textBlocks = [{ text: csl.abstract, line: keyLines.abstract ?? line }];
  return record;
}

function describeField(v: unknown): ProblemText {
  if (typeof v === 'string') return problemText('a string');
  return describe(v);
}
