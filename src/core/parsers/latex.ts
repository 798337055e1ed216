/**
 * LaTeX → Unicode for BibTeX field values. One linear pass, no recursion, never throws: good
 * enough for what reference managers write (accents, escapes, dashes, font commands, a little
 * math), not a TeX engine. Where TeX's own rules are cheap to follow they are followed: the
 * space after a control word is eaten (`\TeX book` → "TeXbook"), quotes pair, `\noopsort{…}`
 * prints nothing. With `rich`, italics, bold and small caps become CSL rich text (`<i>`, `<b>`,
 * `<span style="font-variant:small-caps;">`), as Pandoc's BibTeX reader writes them.
 */

/** Accent commands → combining marks (composed with NFC at the end). */
const ACCENTS: Record<string, string> = {
  '"': '\u0308',
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
  u: '\u0306',
  v: '\u030c',
  H: '\u030b',
  c: '\u0327',
  k: '\u0328',
  r: '\u030a',
  d: '\u0323',
  b: '\u0331',
  t: '\u0361',
  G: '\u030f',
};

/** Control words that stand for a character or string. */
const SYMBOLS: Record<string, string> = {
  aa: 'å', AA: 'Å', o: 'ø', O: 'Ø', ss: 'ß', SS: 'SS', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ',
  l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ', dh: 'ð', DH: 'Ð', dj: 'đ', DJ: 'Đ', th: 'þ', TH: 'Þ',
  ng: 'ŋ', NG: 'Ŋ', textendash: '–', textemdash: '—', textquoteright: '’', textquoteleft: '‘',
  textquotedblleft: '“', textquotedblright: '”', textquotedbl: '"', textquotesingle: "'",
  quotedblbase: '„', quotesinglbase: '‚', guillemotleft: '«', guillemotright: '»',
  guilsinglleft: '‹', guilsinglright: '›', ldots: '…', dots: '…', textellipsis: '…',
  textregistered: '®', texttrademark: '™', textcopyright: '©', copyright: '©', textdegree: '°',
  S: '§', P: '¶', textsection: '§', textparagraph: '¶', euro: '€', texteuro: '€', pounds: '£',
  textsterling: '£', textyen: '¥', textcent: '¢', textasciitilde: '~', textbackslash: '\\',
  textbar: '|', textless: '<', textgreater: '>', textunderscore: '_', textasciicircum: '^',
  textbraceleft: '{', textbraceright: '}', textdollar: '$', textexclamdown: '¡',
  textquestiondown: '¿', dag: '†', ddag: '‡', textdagger: '†', textdaggerdbl: '‡',
  textbullet: '•', textperiodcentered: '·', textmu: 'µ', textordfeminine: 'ª',
  textordmasculine: 'º', textperthousand: '‰', LaTeX: 'LaTeX', TeX: 'TeX', BibTeX: 'BibTeX',
  LaTeXe: 'LaTeX2e', slash: '/', textslash: '/', textvisiblespace: ' ', nobreakspace: ' ',
  space: ' ', quad: ' ', qquad: ' ', enspace: ' ', thinspace: ' ', newline: ' ', par: ' ',
  linebreak: ' ', break: ' ',
  // Math (outside or inside $...$): Greek and common operators.
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ',
  eta: 'η', theta: 'θ', vartheta: 'ϑ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν',
  xi: 'ξ', pi: 'π', varpi: 'ϖ', rho: 'ρ', varrho: 'ϱ', sigma: 'σ', varsigma: 'ς', tau: 'τ',
  upsilon: 'υ', phi: 'ϕ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω', Gamma: 'Γ', Delta: 'Δ',
  Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Upsilon: 'Υ', Phi: 'Φ', Psi: 'Ψ',
  Omega: 'Ω', times: '×', pm: '±', mp: '∓', cdot: '·', circ: '°', degree: '°', sim: '∼',
  approx: '≈', simeq: '≃', le: '≤', leq: '≤', ge: '≥', geq: '≥', ne: '≠', neq: '≠', ll: '≪',
  gg: '≫', infty: '∞', to: '→', rightarrow: '→', leftarrow: '←', leftrightarrow: '↔',
  Rightarrow: '⇒', Leftarrow: '⇐', uparrow: '↑', downarrow: '↓', prime: '′', partial: '∂',
  nabla: '∇', sum: '∑', prod: '∏', int: '∫', sqrt: '√', propto: '∝', in: '∈', notin: '∉',
  subset: '⊂', supset: '⊃', cup: '∪', cap: '∩', emptyset: '∅', forall: '∀', exists: '∃',
  neg: '¬', wedge: '∧', vee: '∨', oplus: '⊕', otimes: '⊗', hbar: 'ℏ', ell: 'ℓ', langle: '⟨',
  rangle: '⟩', vert: '|', mid: '|', lbrace: '{', rbrace: '}', ast: '*', star: '⋆', bullet: '•',
  angstrom: 'Å', micro: 'µ', textperiod: '.', colon: ':',
};

/** Commands whose one braced argument is dropped along with them. */
const DROP_ARG = new Set([
  'hspace', 'vspace', 'label', 'ref', 'cite', 'citep', 'citet', 'nocite', 'index', 'pagestyle',
  'thispagestyle', 'bibliographystyle', 'setlength', 'color',
  // `\noopsort{1986a}` (BibTeX's idiom, defined as printing nothing): its argument only sorts.
  'noopsort',
]);

/** Commands with one argument that CSL rich text can show: the opening and closing tags. */
const RICH_ARG: Record<string, [string, string]> = {
  emph: ['<i>', '</i>'],
  textit: ['<i>', '</i>'],
  textsl: ['<i>', '</i>'],
  mkbibemph: ['<i>', '</i>'],
  mkbibitalic: ['<i>', '</i>'],
  textbf: ['<b>', '</b>'],
  mkbibbold: ['<b>', '</b>'],
  textsc: ['<span style="font-variant:small-caps;">', '</span>'],
  textsuperscript: ['<sup>', '</sup>'],
  textsubscript: ['<sub>', '</sub>'],
};

/** Font switches (`{\em …}`, `{\bf …}`): the tags, applied up to the end of the enclosing group. */
const RICH_SWITCH: Record<string, [string, string]> = {
  em: ['<i>', '</i>'],
  it: ['<i>', '</i>'],
  itshape: ['<i>', '</i>'],
  sl: ['<i>', '</i>'],
  slshape: ['<i>', '</i>'],
  bf: ['<b>', '</b>'],
  bfseries: ['<b>', '</b>'],
  sc: ['<span style="font-variant:small-caps;">', '</span>'],
  scshape: ['<span style="font-variant:small-caps;">', '</span>'],
};

/** An accent with nothing to sit on (`\~{}`, `\^{}`) prints as its spacing form. */
const SPACING_ACCENT: Record<string, string> = {
  '~': '~', '^': '^', '"': '¨', "'": '´', '`': '`', '=': '¯', '.': '˙', u: '˘', v: 'ˇ', H: '˝', c: '¸', k: '˛', r: '˚',
};

/** Math superscripts and subscripts that Unicode has (`x^2` → x², `H_2O` → H₂O). */
const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
  '+': '⁺', '-': '⁻', '=': '⁼', '(': '⁽', ')': '⁾', a: 'ᵃ', b: 'ᵇ', c: 'ᶜ', d: 'ᵈ', e: 'ᵉ', f: 'ᶠ',
  g: 'ᵍ', h: 'ʰ', i: 'ⁱ', j: 'ʲ', k: 'ᵏ', l: 'ˡ', m: 'ᵐ', n: 'ⁿ', o: 'ᵒ', p: 'ᵖ', r: 'ʳ', s: 'ˢ',
  t: 'ᵗ', u: 'ᵘ', v: 'ᵛ', w: 'ʷ', x: 'ˣ', y: 'ʸ', z: 'ᶻ', T: 'ᵀ', '*': '*', '′': '′',
};
const SUBSCRIPT: Record<string, string> = {
  '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉',
  '+': '₊', '-': '₋', '=': '₌', '(': '₍', ')': '₎', a: 'ₐ', e: 'ₑ', h: 'ₕ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ',
  l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ', p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ', x: 'ₓ',
};

/** Commands whose braced argument is copied verbatim (no LaTeX conversion). */
const VERBATIM_ARG = new Set(['url', 'doi', 'path', 'nolinkurl', 'verb']);

/** Control symbols (backslash + one non-letter) that stand for a character. */
function controlSymbol(c: string): string | undefined {
  switch (c) {
    case '&':
    case '%':
    case '$':
    case '_':
    case '#':
    case '{':
    case '}':
      return c;
    case ' ':
    case '\\':
    case ',':
    case ';':
    case ':':
    case '>':
    case '\n':
    case '\t':
      return ' ';
    case '-':
    case '/':
    case '!':
    case '@':
    case '*':
    case '|':
      return '';
    default:
      return undefined;
  }
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 160;
}

/** Whether the text needs the full conversion (any markup, odd whitespace or TeX ligature). */
function needsWork(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  if (text.charCodeAt(0) === 32 || text.charCodeAt(n - 1) === 32) return true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 45 && c < 92) continue; // digits, upper case and most punctuation
    if (c > 96 && c < 123) continue; // lower case
    switch (c) {
      case 92:
      case 123:
      case 125:
      case 126:
      case 36:
      case 96:
      case 9:
      case 10:
      case 13:
      case 12:
      case 160:
        return true;
      case 32:
        if (text.charCodeAt(i + 1) === 32) return true;
        break;
      case 45:
        if (text.charCodeAt(i + 1) === 45) return true;
        break;
      case 39:
        if (text.charCodeAt(i + 1) === 39) return true;
        break;
    }
  }
  return false;
}

/** Index just past the brace group that opens at `open` (text[open] === '{'), or text.length. */
function skipGroup(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i + 1;
  }
  return text.length;
}

// Output state of the converter. Module-level rather than closures: the converter runs for
// nearly every field of every entry and must not allocate beyond its result. Pieces are joined
// once at the end, so the result is one flat string rather than a chain of concatenations that
// would stay in memory with every record.
const parts: string[] = [];
let nparts = 0;
let lastSpace = true;
let pending = ''; // combining mark waiting for its base character
let pendingSpacing = ''; // the spacing form of the outermost pending accent (`\~{}` → "~")
let composed = false; // whether NFC is needed
let tagged = false; // whether rich-text tags were written
/** Closing tags owed when each open brace group ends (index = depth; 0 = outside any group). */
const closers: string[] = [''];

function emit(s: string): void {
  if (s.length === 0) return;
  if (pending) {
    parts[nparts++] = s[0] + pending + s.slice(1);
    pending = '';
    pendingSpacing = '';
    composed = true;
  } else parts[nparts++] = s;
  lastSpace = s.charCodeAt(s.length - 1) === 32;
}

/** A rich-text tag: no effect on spacing or pending accents. */
function emitTag(tag: string): void {
  parts[nparts++] = tag;
  tagged = true;
}

function space(): void {
  pending = '';
  pendingSpacing = '';
  if (!lastSpace) {
    parts[nparts++] = ' ';
    lastSpace = true;
  }
}

/** An accent with nothing after it to sit on: its spacing form, if it has one. */
function flushAccent(): void {
  const s = pendingSpacing;
  pending = '';
  pendingSpacing = '';
  if (s) emit(s);
}

/** `x^2`, `x_{10}`: the script's end and its Unicode form, or its end and '' (kept as TeX). */
function script(text: string, at: number, map: Record<string, string>): [number, string] {
  const n = text.length;
  let start = at + 1;
  let end: number;
  if (start >= n) return [n, ''];
  const c = text.charCodeAt(start);
  if (c === 123) {
    end = skipGroup(text, start);
    start++;
    if (end - 1 <= start || text.charCodeAt(end - 1) !== 125) return [end, ''];
    end--;
  } else if (c === 92) {
    end = start + 1;
    while (end < n && isLetter(text.charCodeAt(end))) end++;
    return [end === start + 1 ? Math.min(end + 1, n) : end, ''];
  } else end = start + (c >= 0xd800 && c <= 0xdbff ? 2 : 1);
  let out = '';
  for (let i = start; i < end; i++) {
    const m = map[text[i]];
    if (m === undefined) return [c === 123 ? end + 1 : end, ''];
    out += m;
  }
  return [c === 123 ? end + 1 : end, out];
}

/**
 * Converts a BibTeX value (LaTeX markup) to plain Unicode text: accents, escapes, dashes, quotes,
 * font commands (kept as their text, or as CSL rich text with `rich`), protective braces removed,
 * whitespace collapsed.
 */
export function latexToUnicode(text: string, rich = false): string {
  if (!needsWork(text)) return text;
  const n = text.length;
  nparts = 0;
  lastSpace = true; // drops leading whitespace
  pending = '';
  pendingSpacing = '';
  composed = false;
  tagged = false;
  closers[0] = '';
  let depth = 0;
  let math = false;
  let openSingle = 0; // `…' pairs: a ' closes an open ` as ’
  let runStart = 0;

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let special = true;
    switch (c) {
      case 92: // backslash
      case 123: // {
      case 125: // }
      case 126: // ~
      case 36: // $
      case 96: // `
      case 9:
      case 10:
      case 13:
      case 12:
      case 160:
        break;
      case 32: {
        // A single space inside a run is plain text; runs of spaces, leading and trailing ones
        // are collapsed.
        const next = text.charCodeAt(i + 1);
        special = (i === runStart && lastSpace) || i + 1 >= n || isSpace(next);
        break;
      }
      case 45: // -
        special = text.charCodeAt(i + 1) === 45;
        break;
      case 39: // '
        special = openSingle > 0 || text.charCodeAt(i + 1) === 39;
        break;
      case 94: // ^
      case 95: // _
        special = math;
        break;
      default:
        special = false;
    }
    if (!special) {
      i++;
      continue;
    }
    if (runStart < i) emit(text.slice(runStart, i));

    switch (c) {
      case 92: {
        const next = text.charCodeAt(i + 1);
        if (isLetter(next)) {
          let j = i + 2;
          while (j < n && isLetter(text.charCodeAt(j))) j++;
          const name = text.slice(i + 1, j);
          // TeX skips the whitespace after a control word: `\TeX book` is "TeXbook".
          let k = j;
          while (k < n && isSpace(text.charCodeAt(k))) k++;
          const accent = name.length === 1 ? ACCENTS[name] : undefined;
          if (accent !== undefined) {
            // `\~{\^e}`: the inner accent goes next to the letter.
            if (!pending) pendingSpacing = SPACING_ACCENT[name] ?? '';
            pending = accent + pending;
            i = k;
          } else if (name === 'i' || name === 'j') {
            emit(pending ? name : SYMBOLS[name]);
            i = text.charCodeAt(k) === 123 && text.charCodeAt(k + 1) === 125 ? k + 2 : k;
          } else if (Object.prototype.hasOwnProperty.call(SYMBOLS, name)) {
            const sym = SYMBOLS[name];
            if (sym === ' ') space();
            else emit(sym);
            i = k;
            // `\ss{}` / `\ldots{}`: an empty group after a symbol is just a terminator.
            if (text.charCodeAt(i) === 123 && text.charCodeAt(i + 1) === 125) i += 2;
          } else if (text.charCodeAt(k) === 123 && DROP_ARG.has(name)) {
            i = skipGroup(text, k);
          } else if (text.charCodeAt(k) === 123 && VERBATIM_ARG.has(name)) {
            const end = skipGroup(text, k);
            const inner = text.slice(k + 1, text.charCodeAt(end - 1) === 125 ? end - 1 : end).trim();
            emit(inner);
            i = end;
          } else if (name === 'href' && text.charCodeAt(k) === 123) {
            i = skipGroup(text, k); // keep the link text, drop the address
          } else if (rich && text.charCodeAt(k) === 123 && RICH_ARG[name] !== undefined) {
            const [open, close] = RICH_ARG[name];
            emitTag(open);
            closers[++depth] = close;
            i = k + 1;
          } else if (rich && RICH_SWITCH[name] !== undefined) {
            const [open, close] = RICH_SWITCH[name];
            emitTag(open);
            closers[depth] = close + closers[depth];
            i = k;
          } else {
            // Font switches, \emph, \textit, \mbox, unknown commands: drop the command, keep any
            // argument (its braces are removed as protective braces).
            i = k;
          }
        } else if (i + 1 >= n) {
          i = n;
        } else {
          const ch = text[i + 1];
          const accent = ACCENTS[ch];
          if (accent !== undefined && !isLetter(next)) {
            if (!pending) pendingSpacing = SPACING_ACCENT[ch] ?? '';
            pending = accent + pending;
          } else {
            const sym = controlSymbol(ch);
            if (sym === ' ') space();
            else if (sym !== undefined) emit(sym);
            else emit(ch);
          }
          i += 2;
        }
        break;
      }
      case 123:
        closers[++depth] = '';
        i++;
        break;
      case 125:
        if (pending) flushAccent(); // `\~{}`: nothing to put the accent on
        if (depth > 0) {
          if (closers[depth]) emitTag(closers[depth]);
          depth--;
        }
        i++;
        break;
      case 36:
        math = !math;
        i++;
        break;
      case 45:
        if (text.charCodeAt(i + 2) === 45) {
          emit('—');
          i += 3;
        } else {
          emit('–');
          i += 2;
        }
        break;
      case 96:
        if (text.charCodeAt(i + 1) === 96) {
          emit('“');
          i += 2;
        } else {
          emit('‘');
          openSingle++;
          i++;
        }
        break;
      case 39:
        if (text.charCodeAt(i + 1) === 39) {
          emit('”');
          i += 2;
        } else {
          emit('’');
          openSingle--;
          i++;
        }
        break;
      case 94:
      case 95: {
        // Math sub/superscripts: Unicode where every character has one, else the TeX as written.
        const [end, out] = script(text, i, c === 94 ? SUPERSCRIPT : SUBSCRIPT);
        emit(out || text.slice(i, end));
        i = end;
        break;
      }
      default:
        // whitespace, ~, nbsp
        space();
        i++;
    }
    runStart = i;
  }
  if (runStart < n) emit(text.slice(runStart));
  if (pending) flushAccent();
  while (depth > 0) {
    if (closers[depth]) emitTag(closers[depth]);
    depth--;
  }
  if (closers[0]) emitTag(closers[0]);
  let result: string;
  if (nparts === 0) result = '';
  else if (nparts === 1) result = parts[0];
  else result = parts.slice(0, nparts).join('');
  // The pieces are slices of the caller's text (often a whole file's): left in this
  // module-level array they would keep that text alive after parsing.
  for (let i = 0; i < nparts; i++) parts[i] = '';
  nparts = 0;
  if (lastSpace && result.length > 0) {
    if (result.charCodeAt(result.length - 1) === 32) result = result.slice(0, -1);
    else if (tagged) result = result.replace(/ ((?:<\/(?:i|b|span|sup|sub)>)+)$/, '$1');
  }
  if (tagged) result = tidyTags(result);
  return composed ? result.normalize('NFC') : result;
}

/** Drops empty rich-text elements (`\emph{}`) and moves spaces out of the tags' edges. */
function tidyTags(s: string): string {
  return s
    .replace(/<(i|b|sup|sub)>(\s*)<\/\1>|<span style="font-variant:small-caps;">(\s*)<\/span>/g, '$2$3')
    .replace(/<(i|b|sup|sub|span style="font-variant:small-caps;")> /g, ' <$1>')
    .replace(/ <\/(i|b|sup|sub|span)>/g, '</$1> ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
