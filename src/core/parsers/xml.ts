/**
 * The one place the XML export readers (PubMed, Crossref, EndNote, MODS, RDF) meet
 * `fast-xml-parser`: configured once, its ordered output turned into a small element tree with
 * each element's offset, plus the helpers those readers share (child lookup, text of mixed
 * content, line numbers, the root element sniffer).
 *
 * Configuration, and why:
 * - `preserveOrder`: mixed content (`<i>`, `<sup>` inside titles and abstracts) and the order of
 *   repeated elements (authors) survive as they are in the file; no `isArray` list to keep.
 * - `removeNSPrefix`: `jats:abstract`, `dc:title`, `rdf:li` are read as `abstract`, `title`, `li`
 *   whatever prefix the file binds (exports differ: `dc`, `dc11`, `dcterms`…).
 * - `processEntities` on with bounds: `&amp;`, `&#x2013;` and entities declared in the DOCTYPE are
 *   expanded, entities that refer to other entities are not (a "billion laughs" file stays its own
 *   size), nothing external is fetched (the parser never does I/O). `htmlEntities` also decodes
 *   `&nbsp;`-style names that HTML-minded exporters write, and numeric references.
 * - `parseTagValue: false`: an ISBN `0881929115` stays a string.
 * - `captureMetaData`: each element's start offset, from which its line is computed.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ParsedFile, ParsedRecord, Problem, SourceFormat } from '../model/model';
import { lastAtOrBefore, lineStartOffsets } from '../model/text';
import { problemText } from '../model/problemText';

export interface XmlEl {
  /** Local name (namespace prefix removed). */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Offset of `<` of the start tag in the text. */
  start: number;
  /** Offset just after the element (the end of the text when the element is never closed). */
  end: number;
}
export type XmlNode = XmlEl | string;

export interface XmlDoc {
  /** Top-level elements (normally one). */
  roots: XmlEl[];
  /** 1-based line of an offset. */
  lineAt(offset: number): number;
  /** The first well-formedness error, with the line the validator reports. */
  error?: { line: number; message: string; /** The parser gave up (a limit, not a syntax error). */ fatal?: boolean };
}

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  allowBooleanAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  htmlEntities: true,
  processEntities: { enabled: true, maxEntitySize: 10000, maxEntityCount: 1000, maxTotalExpansions: 100000, maxExpandedLength: 4_000_000 },
  maxNestedTags: 200,
  // No callbacks use the element path: do not build a path string for every element.
  jPath: false,
});

type Ordered = Record<string | symbol, unknown>;

function convert(list: unknown, out: XmlNode[], unknownEnd: number): void {
  if (!Array.isArray(list)) return;
  for (const item of list as Ordered[]) {
    if (!item || typeof item !== 'object') continue;
    for (const key of Object.keys(item)) {
      if (key === ':@') continue;
      const v = item[key];
      if (key === '#text') {
        if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
        continue;
      }
      if (key.startsWith('?') || key.startsWith('!')) continue;
      const meta = item[META] as { startIndex?: number; endIndex?: number } | undefined;
      const rawAttrs = (item[':@'] ?? {}) as Record<string, unknown>;
      const attrs: Record<string, string> = {};
      for (const [k, a] of Object.entries(rawAttrs)) if (k !== 'xmlns' && (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean')) attrs[k] = String(a);
      const start = typeof meta?.startIndex === 'number' ? meta.startIndex : 0;
      const el: XmlEl = { name: key, attrs, children: [], start, end: typeof meta?.endIndex === 'number' ? meta.endIndex : unknownEnd };
      convert(v, el.children, unknownEnd);
      out.push(el);
    }
  }
}

/** A parser message short enough for a problem line (some embed the whole tag stack). */
function brief(msg: string): string {
  const s = msg.replace(/\s+/g, ' ').trim();
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

/** Parses XML text into elements; never throws (a failure is `error`). */
export function readXml(text: string): XmlDoc {
  const starts = lineStartOffsets(text);
  const lineAt = (offset: number) => lastAtOrBefore(starts, Math.max(0, offset)) + 1;
  const doc: XmlDoc = { roots: [], lineAt };
  const body = text.replace(/^\uFEFF/, '');
  const shift = text.length - body.length;
  const v = XMLValidator.validate(body, { allowBooleanAttributes: true });
  if (v !== true) doc.error = { line: Math.max(1, v.err.line || 1), message: brief(v.err.msg) };
  try {
    const nodes: XmlNode[] = [];
    convert(parser.parse(body), nodes, body.length);
    const fix = (e: XmlEl) => {
      e.start += shift;
      e.end += shift;
      for (const c of e.children) if (typeof c !== 'string') fix(c);
    };
    for (const n of nodes) if (typeof n !== 'string') {
      if (shift) fix(n);
      doc.roots.push(n);
    }
  } catch (e) {
    doc.error ??= { line: 1, message: brief(e instanceof Error ? e.message : String(e)), fatal: true };
  }
  return doc;
}

/** Child elements (optionally only those with one of the names). */
export function kids(el: XmlEl | undefined, ...names: string[]): XmlEl[] {
  if (!el) return [];
  const out: XmlEl[] = [];
  for (const c of el.children) if (typeof c !== 'string' && (!names.length || names.includes(c.name))) out.push(c);
  return out;
}

/** The first child element with one of the names. */
export function kid(el: XmlEl | undefined, ...names: string[]): XmlEl | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (typeof c !== 'string' && names.includes(c.name)) return c;
  return undefined;
}

/** Follows a path of child names (`kidPath(a, 'Journal', 'JournalIssue', 'Volume')`). */
export function kidPath(el: XmlEl | undefined, ...path: string[]): XmlEl | undefined {
  let cur = el;
  for (const p of path) cur = kid(cur, p);
  return cur;
}

/** The first descendant with the name (depth first), bounded by the tree's size. */
export function descendant(el: XmlEl | undefined, name: string): XmlEl | undefined {
  if (!el) return undefined;
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.name === name) return c;
    const d = descendant(c, name);
    if (d) return d;
  }
  return undefined;
}

/** Elements whose text runs on inside a sentence: no space is added around them. */
const INLINE = new Set(['i', 'b', 'u', 'em', 'strong', 'sup', 'sub', 'sc', 'italic', 'bold', 'underline', 'tt', 'span', 'font', 'style', 'inf', 'scp', 'ovl', 'a', 'small', 'mml:math', 'math', 'mi', 'mo', 'mn', 'mrow', 'msub', 'msup']);

function collect(el: XmlEl, parts: string[]): void {
  for (const c of el.children) {
    if (typeof c === 'string') parts.push(c);
    else if (INLINE.has(c.name)) collect(c, parts);
    else {
      parts.push(' ');
      collect(c, parts);
      parts.push(' ');
    }
  }
}

/**
 * The text of an element with its markup dropped (`<i>E. coli</i>` → `E. coli`), white space
 * squashed; undefined when empty. Inline markup is dropped rather than kept as CSL rich text:
 * the tree, hover cards and completion show titles as plain text.
 */
export function text(el: XmlEl | undefined): string | undefined {
  if (!el) return undefined;
  const parts: string[] = [];
  collect(el, parts);
  const s = parts.join('').replace(/\s+/g, ' ').trim();
  return s || undefined;
}

/** The text of the first child with one of the names. */
export function kidText(el: XmlEl | undefined, ...names: string[]): string | undefined {
  return text(kid(el, ...names));
}

/** First start tag's local name, after the BOM, XML declaration, comments, PIs and DOCTYPE. */
export function rootName(head: string): string | undefined {
  let s = head.replace(/^\uFEFF/, '');
  for (let guard = 0; guard < 64; guard++) {
    s = s.trimStart();
    if (s.startsWith('<?')) {
      const e = s.indexOf('?>');
      if (e < 0) return undefined;
      s = s.slice(e + 2);
    } else if (s.startsWith('<!--')) {
      const e = s.indexOf('-->');
      if (e < 0) return undefined;
      s = s.slice(e + 3);
    } else if (/^<!DOCTYPE/i.test(s)) {
      // Internal subset in brackets, or up to the first '>'.
      const br = s.indexOf('[');
      const gt = s.indexOf('>');
      if (gt < 0) return undefined;
      if (br >= 0 && br < gt) {
        const close = s.indexOf(']', br);
        if (close < 0) return undefined;
        const e = s.indexOf('>', close);
        if (e < 0) return undefined;
        s = s.slice(e + 1);
      } else s = s.slice(gt + 1);
    } else break;
  }
  const m = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s>/]/.exec(s);
  if (!m) return undefined;
  const name = m[1];
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** One record read from an element, and where that element ends (to drop records past an error). */
export interface XmlRecord {
  record: ParsedRecord;
  end: number;
}

/**
 * The common frame of the XML readers: parse, report a malformed file once (with the line the
 * validator gives), keep the records that end before the error, and report records that lack a
 * title and a DOI (one problem each) while keeping the others.
 */
export function readXmlFile(
  text: string,
  file: string,
  format: SourceFormat,
  what: string,
  read: (doc: XmlDoc, problems: Problem[]) => XmlRecord[],
): ParsedFile {
  const problems: Problem[] = [];
  const doc = readXml(text);
  let recs: XmlRecord[] = [];
  try {
    recs = read(doc, problems);
  } catch (e) {
    problems.push({ file, line: 1, severity: 'error', ...problemText('Could not read this {0} file ({1}); skipped it.', what, e instanceof Error ? e.message : String(e)) });
  }
  if (doc.error) {
    const errLine = doc.error.line;
    const before = recs.filter((r) => doc.lineAt(r.end) < errLine);
    const dropped = recs.length - before.length;
    recs = before;
    const kept = before.length === 1 ? problemText('kept the 1 record before that line') : before.length ? problemText('kept the {0} records before that line', before.length) : problemText('no record could be read');
    problems.unshift({
      file,
      line: errLine,
      severity: 'error',
      ...(doc.error.fatal
        ? problemText('Could not read this {0} file ({1}); skipped it.', what, doc.error.message.replace(/^\[\w+\]\s*/, '').replace(/\.$/, ''))
        : dropped
          ? problemText('This {0} file is not well-formed XML at line {1} ({2}); {3}, skipped the rest.', what, errLine, doc.error.message.replace(/\.$/, ''), kept)
          : problemText('This {0} file is not well-formed XML at line {1} ({2}); {3}.', what, errLine, doc.error.message.replace(/\.$/, ''), kept)),
    });
  }
  const records: ParsedRecord[] = [];
  for (const { record } of recs) {
    if (!record.csl.title && !record.csl.DOI) {
      problems.push({ file, line: record.line, severity: 'warning', ...problemText('This {0} record has neither a title nor a DOI; skipped it.', what) });
      continue;
    }
    for (const k of Object.keys(record.csl)) if (record.csl[k] === undefined || record.csl[k] === '') delete record.csl[k];
    records.push(record);
  }
  if (!records.length && !problems.length) problems.push({ file, line: 1, severity: 'warning', ...problemText('No records found in this {0} file.', what) });
  for (const p of problems) p.file = file;
  return { file, format, records, problems };
}

/** Sets a CSL field and its line when the value is non-empty. */
export function setField(rec: ParsedRecord, doc: XmlDoc, field: string, value: string | undefined, el: XmlEl | undefined): void {
  if (value === undefined) return;
  const v = value.replace(/\s+/g, ' ').trim();
  if (!v) return;
  rec.csl[field] = v;
  if (el) rec.fieldLines[field] = doc.lineAt(el.start);
}

/** `132-42` → `132-142` (MEDLINE abbreviates the last page); other ranges normalised. */
export function expandPages(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const t = raw.replace(/\s+/g, ' ').trim().replace(/\s*[-\u2010-\u2015]+\s*/g, '-');
  if (!t) return undefined;
  const m = /^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$/.exec(t);
  if (m && m[4].length < m[2].length && (!m[3] || m[3] === m[1])) {
    const end = m[2].slice(0, m[2].length - m[4].length) + m[4];
    if (Number(end) >= Number(m[2])) return `${m[1]}${m[2]}-${m[1]}${end}`;
  }
  if (m && m[1] + m[2] === m[3] + m[4]) return m[1] + m[2];
  return t;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** Date parts from year / month (number or name) / day strings; undefined without a usable year. */
export function dateParts(year: string | undefined, month?: string, day?: string): number[] | undefined {
  const y = /\b(\d{4})\b/.exec(year ?? '');
  if (!y || Number(y[1]) === 0) return undefined;
  const out = [Number(y[1])];
  let mo = 0;
  if (month) {
    const t = month.trim();
    if (/^\d{1,2}$/.test(t)) mo = Number(t);
    else mo = MONTHS[t.slice(0, 3).toLowerCase()] ?? 0;
    if (mo >= 21 && mo <= 24) mo = 0; // Crossref season codes
  }
  if (mo >= 1 && mo <= 12) {
    out.push(mo);
    const d = Number((day ?? '').trim());
    if (/^\d{1,2}$/.test((day ?? '').trim()) && d >= 1 && d <= 31) out.push(d);
  }
  return out;
}

/** Date parts from free text: `2019 Jan-Feb`, `2008-02-15`, `Spring 2001`, `c1999`. */
export function datePartsFromText(s: string | undefined): number[] | undefined {
  if (!s) return undefined;
  const iso = /\b(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\b/.exec(s);
  if (!iso) return undefined;
  if (iso[2]) return dateParts(iso[1], iso[2], iso[3]);
  const mon = /\b([A-Za-z]{3})[a-z]*\.?\b/.exec(s.slice(iso.index + 4)) ?? /\b([A-Za-z]{3})[a-z]*\.?\s+\d{4}/.exec(s);
  const day = /^\s*(?:[A-Za-z]{3}[a-z]*\.?)\s+(\d{1,2})\b/.exec(s.slice(iso.index + 4));
  return dateParts(iso[1], mon && MONTHS[mon[1].toLowerCase()] ? mon[1] : undefined, day?.[1]);
}
