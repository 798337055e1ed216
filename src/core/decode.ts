/**
 * Bytes → text. Corpus files come from many tools: UTF-8 with or without BOM, UTF-16 from
 * Windows exports, GB18030 pages saved from Chinese-interface databases, stray NULs.
 */

export interface Decoded {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'windows-1252';
  /** Human-readable notes about what was repaired (shown as info problems). */
  notes: string[];
  /** True when the bytes look like a binary file rather than text. */
  binary: boolean;
}

function countInvalidUtf8(bytes: Uint8Array, limit: number): number {
  let bad = 0;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; ) {
    const b = bytes[i];
    let need = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else {
      bad++;
      i++;
      continue;
    }
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (i + k >= n) break; // truncated at the sample edge: not evidence
      if (c === undefined || (c & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
    }
    if (!ok) bad++;
    i += ok ? need + 1 : 1;
  }
  return bad;
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

/** Decodes a corpus file's bytes, detecting the encoding from BOMs and content. */
export function decodeBytes(bytes: Uint8Array): Decoded {
  const notes: string[] = [];
  let encoding: Decoded['encoding'] = 'utf-8';
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    body = bytes.subarray(3);
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
      notes.push(`Read as ${u16.toUpperCase()} (no byte-order mark).`);
    } else if (countInvalidUtf8(bytes, 1 << 20) > 0) {
      // Not valid UTF-8. Pages saved from Chinese-interface databases are GB18030 (a superset of
      // GBK/GB2312); western exports are Windows-1252. GB18030 decodes any bytes, so it is kept
      // only when most non-ASCII characters come out as CJK ideographs.
      const gb = new TextDecoder('gb18030').decode(bytes.subarray(0, 1 << 16));
      let nonAscii = 0;
      let cjk = 0;
      for (let i = 0; i < gb.length; i++) {
        const c = gb.charCodeAt(i);
        if (c < 0x80) continue;
        nonAscii++;
        if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) cjk++;
      }
      encoding = cjk >= nonAscii * 0.6 ? 'gb18030' : 'windows-1252';
      notes.push(`Not valid UTF-8; read as ${encoding === 'gb18030' ? 'GB18030' : 'Windows-1252'}.`);
    }
  }
  let text: string;
  if (encoding === 'utf-16be') {
    // TextDecoder('utf-16be') is available in Node's full ICU build; swap bytes to stay portable.
    const swapped = new Uint8Array(body.length & ~1);
    for (let i = 0; i + 1 < body.length; i += 2) {
      swapped[i] = body[i + 1];
      swapped[i + 1] = body[i];
    }
    text = new TextDecoder('utf-16le').decode(swapped);
  } else {
    text = new TextDecoder(encoding).decode(body);
  }
  const binary = encoding.startsWith('utf-16') ? false : controlShare(body, 8192) > 0.1;
  if (text.includes('\u0000')) {
    text = text.replace(/\u0000/g, '');
    notes.push('Removed NUL bytes.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, encoding, notes, binary };
}

/** Normalises line endings (CRLF and bare CR) to LF so line numbers agree with editors. */
export function normaliseNewlines(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}
