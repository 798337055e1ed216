/** Index of the quote that closes the JSON string opening at `open` (an odd run of backslashes
 *  before a quote escapes it); the text's length when it never closes. */
export function jsonStringEnd(src: string, open: number): number {
  let j = open + 1;
  for (;;) {
    const q = src.indexOf('"', j);
    if (q === -1) return src.length;
    let bs = 0;
    for (let k = q - 1; src.charCodeAt(k) === 92; k--) bs++;
    if (bs % 2 === 0) return q;
    j = q + 1;
  }
}

/**
 * Small helpers shared by the JSON readers that are not CSL-JSON (DataCite, OpenAlex): the line
 * where each item of a list starts, DOI cleaning, and safe property access on parsed JSON.
 */

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A trimmed non-empty string (numbers become strings), or undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\s+/g, ' ').trim();
  return s ? s : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `https://doi.org/10.1/x`, `doi:10.1/x`, `10.1/x` → `10.1/x`; anything without DOI syntax → undefined. */
export function cleanDoi(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^(?:doi:\s*|(?:https?:\/\/)?(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i.exec(s);
  return m ? m[1] : undefined;
}

/** Text with BOM, CRs and NULs removed (lines stay right: CRLF becomes LF). */
export function cleanJsonText(text: string): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (s.indexOf('\0') !== -1) s = s.replace(/\0/g, '');
  return s;
}

/**
 * 1-based lines where the values of one JSON array start: the top-level array when `key` is
 * undefined, else the array that is the value of top-level key `key` (`{"results": [...]}`).
 * One linear, string-aware pass; values never built.
 */
export function arrayItemLines(src: string, key?: string): number[] {
  const out: number[] = [];
  const n = src.length;
  let line = 1;
  let depth = 0;
  let target = key === undefined ? 1 : -1; // depth of the array whose values we want
  let expectValue = false;
  let lastKey: string | undefined;
  let inObjectKeyPos = false;
  const isObj: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (expectValue && depth === target && c !== 93 && c !== 44) {
      out.push(line);
      expectValue = false;
    }
    if (c === 34) {
      // Valid JSON strings hold no raw newline; one in broken input only shifts later lines.
      const j = jsonStringEnd(src, i);
      if (inObjectKeyPos && depth === 1) lastKey = src.slice(i + 1, j);
      inObjectKeyPos = false;
      i = j;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
      isObj[depth] = c === 123;
      inObjectKeyPos = c === 123;
      if (c === 91 && key !== undefined && depth === 2 && isObj[1] && lastKey === key && target === -1) target = 2;
      if (c === 91 && depth === target) expectValue = true;
      continue;
    }
    if (c === 125 || c === 93) {
      if (c === 93 && depth === target) target = -2; // that array is closed
      depth--;
      inObjectKeyPos = false;
      continue;
    }
    if (c === 44) {
      if (depth === target) expectValue = true;
      inObjectKeyPos = isObj[depth] === true;
      continue;
    }
    if (c === 58) inObjectKeyPos = false;
  }
  return out;
}

/** The message of a JSON.parse failure with the line it points at. */
export function jsonErrorLine(src: string, e: unknown): { line: number; message: string } {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /position (\d+)/.exec(msg);
  const offset = m ? Number(m[1]) : src.length;
  let line = 1;
  for (let k = src.indexOf('\n'); k !== -1 && k < offset; k = src.indexOf('\n', k + 1)) line++;
  return { line, message: msg };
}

/** `2019-05-15`, `2019-05`, `2019`, 2019 → CSL date-parts; undefined for anything else or year 0. */
export function isoDateParts(v: unknown): number[] | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?/.exec(s);
  if (!m || Number(m[1]) === 0) return undefined;
  const parts = [Number(m[1])];
  const mo = m[2] ? Number(m[2]) : 0;
  if (mo >= 1 && mo <= 12) {
    parts.push(mo);
    const d = m[3] ? Number(m[3]) : 0;
    if (d >= 1 && d <= 31) parts.push(d);
  }
  return parts;
}

/** `123`, `123-130`, `123–130`, first/last pages → one CSL page string. */
export function pageRange(first: unknown, last: unknown): string | undefined {
  const f = str(first);
  const l = str(last);
  if (f && l && f !== l && f.indexOf('-') === -1) return `${f}-${l}`;
  return f ? f.replace(/\s*[–—]\s*|\s*-{1,2}\s*/g, '-') : l;
}

/**
 * The items of a JSON export and each item's 1-based line: a top-level list, a list under
 * `envelope` (`{"results": […]}`, `{"data": […]}`), an object under `envelope` when
 * `objectEnvelope` (DataCite's `{"data": {…}}`), or the document itself as one item.
 * Invalid JSON is `{ error }` with the line and message of the parse error.
 */
export function jsonItems(text: string, envelope: string, objectEnvelope = false): { items: unknown[]; lines: number[] } | { error: { line: number; message: string } } {
  const src = cleanJsonText(text);
  let data: unknown;
  try {
    data = JSON.parse(src);
  } catch (e) {
    return { error: jsonErrorLine(src, e) };
  }
  if (Array.isArray(data)) return { items: data, lines: arrayItemLines(src) };
  if (isObject(data) && Array.isArray(data[envelope])) return { items: data[envelope] as unknown[], lines: arrayItemLines(src, envelope) };
  if (objectEnvelope && isObject(data) && isObject(data[envelope])) return { items: [data[envelope]], lines: [1] };
  return { items: [data], lines: [1] };
}
