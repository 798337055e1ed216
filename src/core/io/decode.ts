/**
 * Bytes → text. Corpus files come from many tools: UTF-8 with or without BOM, UTF-16 from
 * Windows exports, GB18030 pages saved from Chinese-interface databases, Windows-1252 / Latin-1
 * from older European libraries (or lines of it mixed into UTF-8), stray NULs.
 */
import { type ProblemText, problemText } from '../model/problemText';

export interface Decoded {
  text: string;
  /** UTF-8/16, or the legacy encoding decided (a TextDecoder label: `gb18030`, `windows-1252`, `iso-8859-15`…). */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'windows-1252' | (string & {});
  /** Human-readable notes about what was repaired (shown as info problems). */
  notes: string[];
  /** The same notes with their l10n templates (`problemText`). */
  noteTexts: ProblemText[];
  /** True when the bytes look like a binary file rather than text. */
  binary: boolean;
}

/** Share of control bytes (other than tab, CR, LF, FF, ESC) in a sample: binary files have many. */
function controlShare(bytes: Uint8Array, limit: number): number {
  const n = Math.min(bytes.length, limit);
  if (n === 0) return 0;
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) ctl++;
  }
  return ctl / n;
}

/** Guesses UTF-16 without a BOM from the pattern of zero bytes in ASCII-heavy text. */
function guessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/**
 * An encoding the file names for itself, in its first 4 KB: BibTeX `@comment{jabref-meta:
 * encoding:…}` or JabRef's `% Encoding: …` line, TeX's `% !TEX encoding = …`, an XML
 * declaration's `encoding="…"`, an HTML `<meta charset=…>`. The label as TextDecoder knows it
 * (`windows-1252`, `gb18030`, `utf-8`…), or undefined.
 */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const m =
    /@comment\s*\{\s*jabref-meta:\s*encoding:\s*([\w.:-]+)/i.exec(head) ??
    /^%\s*!TEX\s+(?:encoding|charset)\s*=\s*([\w.:-]+)/im.exec(head) ??
    /^%\s*Encoding:\s*([\w.:-]+)/im.exec(head) ??
    /<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head) ??
    /<meta[^>]*\bcharset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  if (!m) return undefined;
  const label = m[1].toLowerCase().replace(/^utf8$/, 'utf-8').replace(/^(?:cp|ansi)?1252$/, 'windows-1252').replace(/^(?:iso)?latin-?1$/, 'iso-8859-1').replace(/^iso8859-?(\d+)$/, 'iso-8859-$1');
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined; // a name TextDecoder does not know
  }
}

/** Whether bytes [from, to) are valid UTF-8 (a sequence cut at `to` is invalid). */
function validUtf8Span(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= to) return false;
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return false;
    i += need + 1;
  }
  return true;
}

const isCjk = (c: number) => (c >= 0x3400 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0xf900 && c <= 0xfaff);
const isAsciiLetter = (c: number | undefined) => c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));

/**
 * GB18030 or Windows-1252, from the bytes: the runs of bytes ≥ 0x80. Chinese text comes in
 * runs of pairs that GB18030 reads as ideographs (and four-byte sequences: high, digit, high,
 * digit); European text in Windows-1252 or Latin-1 has lone accented letters between ASCII ones
 * ("Über", "Straße": a run of one, which GB18030 would pair with the next ASCII letter or brace,
 * shifting the text), or two inside a word ("Ação"). Each run votes; GB18030 wins only with
 * clearly more votes.
 */
function legacyEncoding(bytes: Uint8Array, limit = 1 << 20): 'gb18030' | 'windows-1252' {
  const n = Math.min(bytes.length, limit);
  const gb = new TextDecoder('gb18030');
  let gbVotes = 0;
  let latinVotes = 0;
  for (let i = 0; i < n; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const b1 = bytes[i + 1];
    const b3 = bytes[i + 3];
    if (bytes[i] <= 0xfe && b1 >= 0x30 && b1 <= 0x39 && bytes[i + 2] >= 0x81 && bytes[i + 2] <= 0xfe && b3 >= 0x30 && b3 <= 0x39) {
      gbVotes++; // a GB18030 four-byte sequence ("•" is 81 36 A6 31)
      i += 4;
      continue;
    }
    let j = i;
    while (j < n && bytes[j] >= 0x80) j++;
    const len = j - i;
    if (len === 1 || (len === 2 && isAsciiLetter(bytes[i - 1]) && isAsciiLetter(bytes[j]))) latinVotes++;
    else {
      const text = gb.decode(bytes.subarray(i, j));
      let cjk = 0;
      for (let k = 0; k < text.length; k++) if (isCjk(text.charCodeAt(k))) cjk++;
      // Every pair an ideograph (an odd run leaves its last byte to pair with ASCII: Latin).
      if (len % 2 === 0 && cjk * 2 >= len) gbVotes++;
      else latinVotes++;
    }
    i = j;
  }
  return gbVotes > 2 * latinVotes ? 'gb18030' : 'windows-1252';
}

/** Windows-1252 at 0x80–0x9F (undefined there: U+FFFD). */
const W1252_C1 = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

/**
 * A TextDecoder for `label` that reads Windows-1252 as Windows-1252: Node decodes it (and
 * `latin1`, which the WHATWG standard makes the same) as ISO-8859-1, giving C1 control
 * characters where the file has “quotes”, dashes, € and Œ.
 */
function legacyDecoder(label: string): { decode(b: Uint8Array): string } {
  const d = new TextDecoder(label);
  if (d.encoding !== 'windows-1252') return d;
  return { decode: (b: Uint8Array) => d.decode(b).replace(/[\u0080-\u009f]/g, (c) => W1252_C1[c.charCodeAt(0) - 0x80]) };
}

/** Line spans [start, end) of the bytes (end excludes the LF). */
function lineSpans(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, bytes.length]);
  return out;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text if the bytes are valid UTF-8 (checked natively, the whole file), else undefined. */
function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes not-UTF-8 bytes: the declared or guessed legacy encoding, line by line when mixed with UTF-8. */
function decodeLegacy(bytes: Uint8Array, notes: ProblemText[]): { text: string; encoding: string } {
  // Pages saved from Chinese-interface databases are GB18030 (a superset of GBK/GB2312); older
  // European libraries are Windows-1252 / Latin-1; some files mix UTF-8 lines with Latin-1 ones
  // (entries pasted from two tools). The file's own declaration is taken when the bytes do not
  // contradict it; otherwise the bytes decide.
  const declared = declaredEncoding(bytes);
  const guessed = legacyEncoding(bytes);
  let legacy: string = guessed;
  if (declared && declared !== 'utf-8' && !declared.startsWith('utf-16')) {
    // A declared single-byte encoding reads any bytes; a declared CJK one only bytes that look CJK.
    if (!['gb18030', 'gbk', 'big5', 'shift_jis', 'euc-jp', 'euc-kr', 'iso-2022-jp'].includes(declared)) legacy = declared;
    else if (guessed === 'gb18030') legacy = declared;
  }
  const label = legacy === 'gb18030' ? 'GB18030' : legacy === 'windows-1252' ? 'Windows-1252' : legacy.toUpperCase();
  const why = declared && declared !== legacy ? problemText(' (it says {0}, which its bytes contradict)', declared) : declared ? problemText(' (as it says)') : '';
  if (legacy !== 'gb18030') {
    // Lines that are valid UTF-8 with non-ASCII characters beside lines that are not: mixed.
    let utf8Lines = 0;
    let legacyLines = 0;
    const spans = lineSpans(bytes);
    const lineValid: boolean[] = [];
    for (const [a, b] of spans) {
      let high = false;
      for (let i = a; i < b && !high; i++) high = bytes[i] >= 0x80;
      const ok = !high || validUtf8Span(bytes, a, b);
      lineValid.push(ok);
      if (high && ok) utf8Lines++;
      else if (high) legacyLines++;
    }
    if (utf8Lines > 0 && legacyLines > 0) {
      const utf8 = new TextDecoder('utf-8');
      const old = legacyDecoder(legacy);
      notes.push(
        legacyLines === 1
          ? problemText('Not valid UTF-8 throughout: read {0} line as {1}{2}, the other {3} with accents as UTF-8.', legacyLines, label, why, utf8Lines)
          : problemText('Not valid UTF-8 throughout: read {0} lines as {1}{2}, the other {3} with accents as UTF-8.', legacyLines, label, why, utf8Lines),
      );
      return { text: spans.map(([a, b], k) => (lineValid[k] ? utf8 : old).decode(bytes.subarray(a, b))).join('\n'), encoding: legacy };
    }
  }
  notes.push(problemText('Not valid UTF-8; read as {0}{1}.', label, why));
  return { text: legacyDecoder(legacy).decode(bytes), encoding: legacy };
}

/** Decodes a corpus file's bytes, detecting the encoding from BOMs and content. */
export function decodeBytes(bytes: Uint8Array): Decoded {
  const notes: ProblemText[] = [];
  let encoding: Decoded['encoding'] = 'utf-8';
  let body = bytes;
  let text: string | undefined;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
    text = new TextDecoder('utf-8').decode(body);
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    body = bytes.subarray(2);
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    body = bytes.subarray(2);
  } else {
    const u16 = guessUtf16(bytes);
    if (u16) {
      encoding = u16;
      notes.push(problemText('Read as {0} (no byte-order mark).', u16.toUpperCase()));
    } else if ((text = decodeUtf8Strict(bytes)) === undefined) {
      const r = decodeLegacy(bytes, notes);
      text = r.text;
      encoding = r.encoding;
    }
  }
  if (text === undefined) {
    if (encoding === 'utf-16be') {
      // TextDecoder('utf-16be') is available in Node's full ICU build; swap bytes to stay portable.
      const swapped = new Uint8Array(body.length & ~1);
      for (let i = 0; i + 1 < body.length; i += 2) {
        swapped[i] = body[i + 1];
        swapped[i + 1] = body[i];
      }
      text = new TextDecoder('utf-16le').decode(swapped);
    } else text = new TextDecoder(encoding).decode(body);
  }
  const binary = encoding.startsWith('utf-16') ? false : controlShare(body, 8192) > 0.1;
  if (text.includes('\u0000')) {
    text = text.replace(/\u0000/g, '');
    notes.push(problemText('Removed NUL bytes.'));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, encoding, notes: notes.map((n) => n.message), noteTexts: notes, binary };
}

/** Normalises line endings (CRLF and bare CR) to LF so line numbers agree with editors. */
export function normaliseNewlines(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}
