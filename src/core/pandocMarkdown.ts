/**
 * Where Pandoc's Markdown reader (`pandoc -f markdown`, its default extensions) finds citations,
 * and which text is prose at all. A model of the reader, not a Markdown renderer: it knows the
 * blocks that decide what is code or raw (fences of any length, indented code only where Pandoc
 * has it, list items and their continuation paragraphs, block quotes, footnotes, definition lists,
 * raw HTML and TeX, YAML metadata blocks anywhere) and the inlines that hide an `@` (code spans,
 * math, HTML tags and comments, autolinks, link targets, attributes, escapes), and it reads a
 * citation key with Pandoc's grammar:
 *
 * - a key may start only where a Pandoc `Str` does not end: not right after a letter or digit,
 *   not after a lone `.` (`a.@k`, but `...@k` is an ellipsis), not after a closing `*`/`_` of
 *   emphasis;
 * - `@` then a letter, digit, `_` (or `*`, the `nocite` wildcard), then letters, digits, `_`, and
 *   one of `:.#$%&-+?<>~/` only when a letter, digit or `_` follows: `@key18--suffix` is `key18`,
 *   `@Foo_bar.baz.` is `Foo_bar.baz` (Pandoc 2.17 also lets `:` or `/` run on before a `/`, so
 *   `@https://x.org` is one key there; its manual says repeated punctuation ends the key, and
 *   where the two disagree we follow the manual);
 * - or `@{…}`: balanced braces holding no white space (Pandoc 2.17 and its manual agree).
 *
 * A narrative `@label` (or `-@label`) naming an example-list item `(@label)` is that example's
 * number, not a citation; `[@label]` stays a citation. Every string of YAML metadata is Markdown:
 * its citations are found too (fields ending in `_` are ignored, a later block's field replaces
 * an earlier one's), with the field's name.
 *
 * Linear in the text: each line is visited once per container it sits in, and every search for a
 * closing delimiter either jumps past what it found or is bounded.
 */

import { lastAtOrBefore } from './text';

export interface FoundCitation {
  /** The citation id (`@{…}` braces removed); `*` for the `nocite` wildcard. */
  key: string;
  /** 0-based line, and character range of `@key` / `-@key` / `@{key}`. */
  line: number;
  start: number;
  end: number;
  /** Inside `[…]` (Pandoc's normal citation), rather than narrative `@key`. */
  bracketed: boolean;
  /** `-@key` inside brackets: the author is suppressed. */
  suppressAuthor: boolean;
  /** The top-level metadata field holding it (`nocite`, `title`, …), when not in the body. */
  meta?: string;
}

export interface MarkdownScan {
  citations: FoundCitation[];
  /** The text with everything that is not prose (code, math, markup, metadata) blanked; same lines and lengths. */
  prose: string;
}

/** One line's content inside its containers: document line, the column it starts at, its text. */
interface Seg {
  line: number;
  col: number;
  text: string;
}

const ALNUM = /[\p{L}\p{N}]/u;
const REGCHAR = /[\p{L}\p{N}_]/u;
const isAlnum = (c: string | undefined) => c !== undefined && ALNUM.test(c);
const isRegchar = (c: string | undefined) => c !== undefined && REGCHAR.test(c);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const INTERNAL = ':.#$%&-+?<>~/';
const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const VERBATIM_TAGS = /^(?:pre|script|style|textarea)$/i;
/** How far a closing delimiter is looked for (link targets, attributes, brackets). */
const WINDOW = 2000;
const MAX_DEPTH = 24;
/** A braced key longer than this is not one. */
const KEY_WINDOW = 256;

/** Display width of leading white space (tabs to the next multiple of 4) and its length in characters. */
function indentOf(t: string): { width: number; chars: number } {
  let width = 0;
  let i = 0;
  for (; i < t.length; i++) {
    if (t[i] === ' ') width++;
    else if (t[i] === '\t') width += 4 - (width % 4);
    else break;
  }
  return { width, chars: i };
}

/** Removes up to `n` columns of indentation (a tab counts to its stop and is taken whole). */
function gobble(s: Seg, n: number): Seg {
  let width = 0;
  let i = 0;
  while (i < s.text.length && width < n) {
    if (s.text[i] === ' ') width++;
    else if (s.text[i] === '\t') width += 4 - (width % 4);
    else break;
    i++;
  }
  return { line: s.line, col: s.col + i, text: s.text.slice(i) };
}

const isBlank = (t: string) => /^[ \t]*$/.test(t);

const BULLET = /^([*+-])(?=[ \t]|$)/;
const ORDERED = /^(?:(\d{1,9}|#|[a-zA-Z]|[ivxlcdmIVXLCDM]{1,8})[.)]|\((\d{1,9}|#|[a-zA-Z]|[ivxlcdmIVXLCDM]{1,8})\))(?=[ \t]|$)/;
const EXAMPLE = /^(?:\(@([\p{L}\p{N}_-]*)\)|@([\p{L}\p{N}_-]*)[.)])(?=[ \t]|$)/u;
const HRULE = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FENCE = /^(`{3,}|~{3,})/;

/** The list marker at the start of `u` (indentation already removed): its length, and an example label. */
function listMarker(u: string): { len: number; label?: string } | undefined {
  if (HRULE.test(u)) return undefined;
  let m = BULLET.exec(u);
  if (m) return { len: m[0].length };
  m = EXAMPLE.exec(u);
  if (m) return { len: m[0].length, label: m[1] ?? m[2] };
  m = ORDERED.exec(u);
  if (m) {
    // "A. Smith" is an initial, not a list item, unless two spaces follow.
    if (/^[A-Z][.]$/.test(m[0]) && !/^[A-Z]\.(?: {2}|\t|$)/.test(u)) return undefined;
    return { len: m[0].length };
  }
  return undefined;
}

/** Pandoc's attribute block `{#id .class key=value key="v a l"}` at `i`: its end, or -1. */
export function attributesEnd(t: string, i: number): number {
  if (t[i] !== '{') return -1;
  const re = /[ \t\n]*(?:([#.][\p{L}\p{N}_:.-]+)|([\p{L}\p{N}_:.-]+)=(?:"[^"\n]*"|'[^'\n]*'|[^\s"'}]+)|(=[\p{L}\p{N}_-]+)|(\}))/uy;
  let k = i + 1;
  let n = 0;
  while (k < t.length && k - i < WINDOW) {
    re.lastIndex = k;
    const m = re.exec(t);
    if (!m) return -1;
    k = re.lastIndex;
    if (m[4]) return n > 0 ? k : -1;
    n++;
  }
  return -1;
}

class Scanner {
  readonly lines: string[];
  /** Per line, the column ranges written as prose (with their masked text). */
  private readonly writes = new Map<number, { col: number; text: string }[]>();
  private readonly lastLineWith = new WeakMap<Seg[], Map<string, number>>();
  readonly body: FoundCitation[] = [];
  /** Metadata citations by block then field, so a later block's field replaces an earlier one's. */
  private readonly metaFields = new Map<string, FoundCitation[]>();
  readonly exampleLabels = new Set<string>();
  private sink: FoundCitation[] = this.body;
  private metaField: string | undefined;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  run(): MarkdownScan {
    const segs = this.lines.map((text, line) => ({ line, col: 0, text }));
    this.blocks(segs, { top: true, inList: false });
    const body = this.body.filter((c) => c.bracketed || !this.exampleLabels.has(c.key));
    const meta = [...this.metaFields.values()].flat();
    const citations = [...meta, ...body].sort((a, b) => a.line - b.line || a.start - b.start);
    const prose = this.lines
      .map((l, i) => {
        const w = this.writes.get(i);
        if (!w) return ' '.repeat(l.length);
        let out = '';
        for (const { col, text } of w.sort((a, b) => a.col - b.col)) {
          if (col < out.length) continue;
          out += ' '.repeat(col - out.length) + text;
        }
        return (out + ' '.repeat(Math.max(0, l.length - out.length))).slice(0, l.length);
      })
      .join('\n');
    return { citations, prose };
  }

  // ---------------------------------------------------------------- blocks

  private blocks(L: Seg[], ctx: { top: boolean; inList: boolean; depth?: number }): void {
    const depth = ctx.depth ?? 0;
    /** Containers nest this deep at most (deeper markers are text): bounded work and stack. */
    const nest = depth < MAX_DEPTH;
    let i = 0;
    let prevBlank = true;
    let afterListItem = false;
    let afterRef = false;
    while (i < L.length) {
      const s = L[i];
      if (isBlank(s.text)) {
        prevBlank = true;
        afterListItem = false;
        afterRef = false;
        i++;
        continue;
      }
      const ind = indentOf(s.text);
      // Indented code: four columns, where a paragraph is not going on.
      if (ind.width >= 4 && prevBlank && !afterListItem) {
        let j = i + 1;
        let last = i;
        while (j < L.length && (isBlank(L[j].text) || indentOf(L[j].text).width >= 4)) {
          if (!isBlank(L[j].text)) last = j;
          j++;
        }
        i = last + 1;
        prevBlank = false;
        continue;
      }
      const u = s.text.slice(ind.chars);
      const uSeg: Seg = { line: s.line, col: s.col + ind.chars, text: u };
      if (ind.width <= 3) {
        const fence = FENCE.exec(u);
        if (fence && !(fence[1][0] === '`' && u.slice(fence[1].length).includes('`'))) {
          const ch = fence[1][0];
          const close = new RegExp(`^ {0,3}\\${ch}{${fence[1].length},}[ \\t]*$`);
          let j = i + 1;
          while (j < L.length && !close.test(L[j].text)) j++;
          i = j + 1;
          prevBlank = true;
          afterListItem = false;
          continue;
        }
        if (ctx.top && /^---[ \t]*$/.test(u) && prevBlank && i + 1 < L.length && !isBlank(L[i + 1].text)) {
          const end = this.yamlEnd(L, i);
          if (end !== -1) {
            i = end + 1;
            prevBlank = true;
            continue;
          }
        }
        if (u.startsWith('<!--')) {
          const j = this.skipUntil(L, i, uSeg, '-->');
          if (j) {
            i = j.next;
            prevBlank = j.rest === undefined;
            if (j.rest) this.inline([j.rest]); // text after the comment on its last line
            continue;
          }
        }
        const verb = /^<(pre|script|style|textarea)(?=[\s>]|$)/i.exec(u);
        if (verb) {
          const j = this.skipUntil(L, i, uSeg, `</${verb[1].toLowerCase()}>`, true);
          if (j) {
            i = j.next;
            if (j.rest) this.inline([j.rest]);
            prevBlank = j.rest === undefined;
            continue;
          }
        }
        if (/^:{3,}/.test(u)) {
          // A fenced div's fence: its attributes are not prose.
          i++;
          prevBlank = true;
          continue;
        }
        if (nest && u.startsWith('>') && (prevBlank || afterListItem)) {
          const inner: Seg[] = [];
          let j = i;
          while (j < L.length && !isBlank(L[j].text)) {
            const t = L[j];
            const ti = indentOf(t.text);
            if (ti.width <= 3 && t.text[ti.chars] === '>') {
              const after = ti.chars + 1;
              const skip = t.text[after] === ' ' ? 1 : 0;
              inner.push({ line: t.line, col: t.col + after + skip, text: t.text.slice(after + skip) });
            } else inner.push(t); // lazy continuation
            j++;
            // `>` alone on a line keeps the quote going over what would be a blank line.
          }
          this.blocks(inner, { top: false, inList: false, depth: depth + 1 });
          i = j;
          prevBlank = false;
          afterListItem = false;
          continue;
        }
        if (HRULE.test(u) && prevBlank) {
          i++;
          continue;
        }
        // A list needs a blank line before it, except right after another item or inside an item.
        const marker = nest && (prevBlank || afterListItem || ctx.inList) ? listMarker(u) : undefined;
        if (marker) {
          i = this.listItem(L, i, ind, u, marker, depth + 1);
          prevBlank = false;
          afterListItem = true;
          continue;
        }
        const foot = /^\[\^[^\]\s]+\]:[ \t]*/.exec(u);
        if (foot && nest) {
          i = this.container(L, i, { line: s.line, col: uSeg.col + foot[0].length, text: u.slice(foot[0].length) }, 4, false, depth + 1);
          prevBlank = false;
          afterListItem = false;
          continue;
        }
        const def = /^[:~](?: {1,3}|\t)/.exec(u);
        if (def && nest) {
          i = this.container(L, i, { line: s.line, col: uSeg.col + def[0].length, text: u.slice(def[0].length) }, 4, false, depth + 1);
          prevBlank = false;
          afterListItem = true;
          continue;
        }
        const ref = /^\[([^\]\n@^][^\]\n@]*)\]:[ \t]/.exec(u);
        if (ref && (prevBlank || afterRef)) {
          // A link reference definition: its target and title are not prose.
          i++;
          if (i < L.length && /^[ \t]+["'(]/.test(L[i].text)) i++;
          afterRef = true;
          continue;
        }
        if (/^#{1,6}(?:[ \t]|$)/.test(u) && prevBlank) {
          this.heading(s);
          i++;
          prevBlank = false;
          continue;
        }
      }
      // A paragraph (or heading, table, line block): up to a blank line or a block that may interrupt it.
      const para: Seg[] = [s];
      let j = i + 1;
      while (j < L.length && !isBlank(L[j].text)) {
        const t = L[j].text;
        const ti = indentOf(t);
        const v = t.slice(ti.chars);
        if (ti.width <= 3 && FENCE.test(v)) break;
        if (ctx.inList && listMarker(v) && ti.width <= 3) break;
        if (ti.width <= 3 && /^:{3,}/.test(v)) break;
        if (ti.width <= 3 && /^[:~](?: {1,3}|\t)/.test(v)) break; // a definition after its term
        para.push(L[j]);
        j++;
      }
      this.inline(para);
      i = j;
      prevBlank = false;
      afterListItem = false;
    }
  }

  /** A list item starting at `L[i]`: its lines gathered by Pandoc's continuation rule, parsed as blocks. */
  private listItem(L: Seg[], i: number, ind: { width: number; chars: number }, u: string, marker: { len: number; label?: string }, depth: number): number {
    if (marker.label) this.exampleLabels.add(marker.label);
    const s = L[i];
    const rest = u.slice(marker.len);
    const sp = indentOf(rest);
    // Five or more spaces after the marker: the item starts with indented code, content at marker + 1.
    const spaces = rest.trim() === '' ? 1 : sp.width >= 5 ? 1 : sp.width;
    const w = ind.width + marker.len + spaces;
    const firstText = sp.width >= 5 ? rest.slice(1) : rest.slice(sp.chars);
    const first: Seg = { line: s.line, col: s.col + ind.chars + marker.len + (sp.width >= 5 ? 1 : sp.chars), text: firstText };
    return this.container(L, i, first, w, true, depth);
  }

  /**
   * A container whose first line is `first` and whose other lines are indented `w` columns (or
   * lazy continuations of a paragraph): its lines, with the indentation removed, are blocks.
   */
  private container(L: Seg[], i: number, first: Seg, w: number, inList: boolean, depth: number): number {
    const inner: Seg[] = [first];
    let j = i + 1;
    let lastBlank = false;
    while (j < L.length) {
      const t = L[j];
      if (isBlank(t.text)) {
        // Blank lines stay in the item only when an indented line follows.
        let k = j;
        while (k < L.length && isBlank(L[k].text)) k++;
        if (k < L.length && indentOf(L[k].text).width >= w) {
          for (; j < k; j++) inner.push({ line: L[j].line, col: L[j].col, text: '' });
          lastBlank = true;
          continue;
        }
        break;
      }
      const ti = indentOf(t.text);
      if (ti.width >= w) inner.push(gobble(t, w));
      else {
        const v = t.text.slice(ti.chars);
        if (lastBlank) break;
        if (listMarker(v) || (ti.width <= 3 && (FENCE.test(v) || /^:{3,}/.test(v) || HRULE.test(v)))) break;
        inner.push(gobble(t, ti.width)); // lazy continuation line
      }
      lastBlank = false;
      j++;
    }
    this.blocks(inner, { top: false, inList, depth });
    return j;
  }

  /** Skips from `L[i]` to the line holding `closer`; what follows it on that line is returned as a line of its own. */
  private skipUntil(L: Seg[], i: number, from: Seg, closer: string, caseless = false): { next: number; rest?: Seg } | undefined {
    const find = (t: string, at: number) => (caseless ? t.toLowerCase().indexOf(closer, at) : t.indexOf(closer, at));
    // The last line of this container holding the closer, found once: no search runs past it,
    // so a thousand unclosed `<!--` cost one pass, not a thousand.
    let byCloser = this.lastLineWith.get(L);
    if (!byCloser) this.lastLineWith.set(L, (byCloser = new Map()));
    let last = byCloser.get(closer + caseless);
    if (last === undefined) {
      last = -1;
      for (let k = L.length - 1; k >= 0; k--) {
        if (find(L[k].text, 0) !== -1) {
          last = k;
          break;
        }
      }
      byCloser.set(closer + caseless, last);
    }
    let at = find(from.text, 4);
    if (at === -1 && last <= i) return undefined;
    let j = i;
    let seg = from;
    while (at === -1) {
      j++;
      if (j >= L.length) return undefined;
      seg = L[j];
      at = find(seg.text, 0);
    }
    const restText = seg.text.slice(at + closer.length);
    const rest = isBlank(restText) ? undefined : { line: seg.line, col: seg.col + at + closer.length, text: restText };
    return { next: j + 1, rest };
  }

  private heading(s: Seg): void {
    // Trailing `{#id .class}` attributes are not prose.
    let text = s.text;
    const brace = text.lastIndexOf('{');
    if (brace !== -1) {
      const end = attributesEnd(text, brace);
      if (end !== -1 && isBlank(text.slice(end))) text = text.slice(0, brace) + ' '.repeat(text.length - brace);
    }
    this.inline([{ ...s, text }]);
  }

  // ---------------------------------------------------------------- YAML metadata

  /** A YAML metadata block opening at `L[i]`: its citations recorded, the index of its closing line; -1 if it is not one. */
  private yamlEnd(L: Seg[], i: number): number {
    let j = i + 1;
    while (j < L.length && !/^(?:---|\.\.\.)[ \t]*$/.test(L[j].text)) j++;
    if (j >= L.length) return -1;
    const yamlLines = L.slice(i + 1, j);
    // Pandoc takes it for metadata when it is a YAML mapping: its first entry is `key:`.
    const firstEntry = yamlLines.find((s) => !isBlank(s.text) && !/^[ \t]*#/.test(s.text));
    if (!firstEntry || !/^(?:"[^"\n]*"|'[^'\n]*'|[^\s#'"\-:{[][^:\n]*?|-[^\s:][^:\n]*?)[ \t]*:(?:[ \t]|$)/.test(firstEntry.text)) return -1;
    this.yamlFields(yamlLines);
    return j;
  }

  /** Finds the string scalars of a block of YAML by its lines, and reads each as a Markdown document. */
  private yamlFields(Y: Seg[]): void {
    const saved = this.sink;
    let field: string | undefined;
    /** Indentation of the innermost key whose name ends in `_` (its values are ignored). */
    let ignoreBelow = -1;
    const fieldsHere = new Map<string, FoundCitation[]>();
    const topFields = new Set<string>();
    const scalar = (segs: Seg[]) => {
      if (field === undefined || ignoreBelow !== -1) return;
      const list = fieldsHere.get(field) ?? [];
      fieldsHere.set(field, list);
      this.sink = list;
      this.metaField = field;
      this.blocks(segs, { top: false, inList: false });
      this.sink = saved;
      this.metaField = undefined;
    };
    let k = 0;
    while (k < Y.length) {
      const s = Y[k];
      const t = s.text;
      if (isBlank(t) || /^[ \t]*#/.test(t)) {
        k++;
        continue;
      }
      // `- ` sequence indicators, then maybe `key:`, then a value.
      let p = indentOf(t).chars;
      while (/^-(?:[ \t]|$)/.test(t.slice(p))) p += 1 + indentOf(t.slice(p + 1)).chars;
      const keyM = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\-:][^:#\n]*?|-[^\s:][^:#\n]*?)[ \t]*:(?=[ \t]|$)[ \t]*/.exec(t.slice(p));
      const indent = p;
      if (keyM) {
        const name = keyM[1].replace(/^["']|["']$/g, '');
        if (ignoreBelow !== -1 && indent <= ignoreBelow) ignoreBelow = -1;
        if (indentOf(t).width === 0) {
          field = name;
          topFields.add(name);
          ignoreBelow = -1;
        }
        if (ignoreBelow === -1 && name.endsWith('_')) ignoreBelow = indent;
        p += keyM[0].length;
      } else if (ignoreBelow !== -1 && indent <= ignoreBelow) ignoreBelow = -1;
      const v = t.slice(p);
      if (v === '' || v.startsWith('#')) {
        k++;
        continue;
      }
      if (/^[|>][0-9+-]*[ \t]*(?:#.*)?$/.test(v)) {
        // A block scalar: the following lines indented deeper than this one.
        const own = indentOf(t).width;
        let j = k + 1;
        let base = -1;
        const segs: Seg[] = [];
        while (j < Y.length) {
          const lt = Y[j].text;
          const li = indentOf(lt).width;
          if (!isBlank(lt) && li <= own) break;
          if (!isBlank(lt) && base === -1) base = li;
          segs.push(isBlank(lt) ? { ...Y[j], text: '' } : gobble(Y[j], base));
          j++;
        }
        scalar(segs);
        k = j;
        continue;
      }
      if (v[0] === '"' || v[0] === "'") {
        const q = v[0];
        const segs: Seg[] = [];
        let line = { line: s.line, col: s.col + p + 1, text: v.slice(1) };
        let j = k;
        for (;;) {
          const close = q === '"' ? /(?:^|[^\\])(?:\\\\)*"/.exec(line.text) : /(?:^|[^'])(?:'')*'(?!')/.exec(line.text);
          if (close) {
            segs.push({ ...line, text: line.text.slice(0, close.index + close[0].length - 1) });
            break;
          }
          segs.push(line);
          j++;
          if (j >= Y.length) break;
          const g = gobble(Y[j], indentOf(Y[j].text).width);
          line = g;
        }
        scalar(segs);
        k = j + 1;
        continue;
      }
      if (v[0] === '[' || v[0] === '{') {
        // A flow collection on one line: each item is a scalar.
        const item = /[ \t]*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^,[\]{}:\s][^,[\]{}]*?))[ \t]*(?=[,\]}]|:[ \t])/gy;
        let at = 1;
        while (at < v.length) {
          item.lastIndex = at;
          const m = item.exec(v);
          if (!m) {
            at++;
            continue;
          }
          const inner = m[1] ?? m[2] ?? m[3];
          const off = m.index + m[0].indexOf(inner);
          scalar([{ line: s.line, col: s.col + p + off, text: inner }]);
          at = item.lastIndex + 1;
        }
        k++;
        continue;
      }
      // A plain scalar, maybe continued on deeper-indented lines.
      const segs: Seg[] = [{ line: s.line, col: s.col + p, text: v.replace(/[ \t]+#.*$/, '') }];
      const own = indentOf(t).width;
      let j = k + 1;
      while (j < Y.length && !isBlank(Y[j].text) && indentOf(Y[j].text).width > own && !/^[ \t]*(?:-[ \t]|[^\s:]+:(?:[ \t]|$))/.test(Y[j].text)) {
        segs.push(gobble(Y[j], indentOf(Y[j].text).width));
        j++;
      }
      scalar(segs);
      k = j;
    }
    // A field set again replaces the earlier block's, citations and all.
    for (const name of topFields) this.metaFields.set(name, fieldsHere.get(name) ?? []);
    this.sink = saved;
  }

  // ---------------------------------------------------------------- inlines

  /** Scans one paragraph (its lines joined by `\n`): citations, and its prose written to the mask. */
  private inline(segs: Seg[]): void {
    const P = segs.map((s) => s.text).join('\n');
    const n = P.length;
    /** Ranges that are not prose, as [from, to) pairs. */
    const blanks: number[] = [];
    const blank = (a: number, b: number) => {
      if (b > a) blanks.push(a, Math.min(b, n));
    };
    const found: { at: number; end: number; key: string; suppress: boolean; open: number }[] = [];

    // Backtick runs by length, for finding a code span's closer without rescanning.
    const runs = new Map<number, number[]>();
    for (const m of P.matchAll(/`+/g)) {
      const list = runs.get(m[0].length) ?? [];
      list.push(m.index!);
      runs.set(m[0].length, list);
    }
    const runPtr = new Map<number, number>();
    const nextRun = (len: number, after: number): number => {
      const list = runs.get(len);
      if (!list) return -1;
      let k = runPtr.get(len) ?? 0;
      while (k < list.length && list[k] < after) k++;
      runPtr.set(len, k);
      return k < list.length ? list[k] : -1;
    };
    // Matching brackets, in one pass (escaped brackets and code-span contents are not skipped: bounded by WINDOW anyway).
    const match = new Map<number, number>();
    {
      const stack: number[] = [];
      for (const m of P.matchAll(/\\[\s\S]|\[|\]/g)) {
        if (m[0] === '[') stack.push(m.index!);
        else if (m[0] === ']' && stack.length) {
          const o = stack.pop()!;
          if (m.index! - o < WINDOW) match.set(o, m.index!);
        }
      }
    }
    /** Ranges already known not to be prose (link targets, attributes): the scan jumps over them. */
    const jump = new Map<number, number>();
    const skip = (a: number, b: number) => {
      blank(a, b);
      if (a < n) jump.set(a, Math.max(jump.get(a) ?? -1, b));
    };
    /** `indexOf`, but no search for a closer the paragraph does not hold after `from` (each needle's last place is found once). */
    const lastOf = new Map<string, number>();
    const lower = { text: '' };
    const find = (needle: string, from: number, caseless = false): number => {
      const hay = caseless ? (lower.text ||= P.toLowerCase()) : P;
      let last = lastOf.get(needle);
      if (last === undefined) lastOf.set(needle, (last = hay.lastIndexOf(needle)));
      return last < from ? -1 : hay.indexOf(needle, from);
    };
    /** The characters the scan stops at; the rest of the text is skipped at once. */
    const SPECIAL = /[\\`$<[*_@({]/g;
    const openBrackets: { open: number; close: number }[] = [];
    let stars = 0;
    let unders = 0;
    /** Where the last closing emphasis delimiter ended (a citation may not start there). */
    let closedAt = -1;
    /** Where the last citation ended: what it read is not a Str, so `@a@b` is two citations. */
    let citedTo = -1;

    let i = 0;
    while (i < n) {
      SPECIAL.lastIndex = i;
      const sm = SPECIAL.exec(P);
      if (!sm) break;
      i = sm.index;
      const jumpTo = jump.get(i);
      if (jumpTo !== undefined) {
        i = jumpTo;
        continue;
      }
      while (openBrackets.length && openBrackets[openBrackets.length - 1].close < i) openBrackets.pop();
      const c = P[i];
      if (c === '\\') {
        const d = P[i + 1];
        if (d !== undefined && /[A-Za-z]/.test(d)) {
          i = this.rawTex(P, i, blank, find);
          continue;
        }
        if (d !== undefined && ASCII_PUNCT.includes(d)) {
          i += 2;
          continue;
        }
        i++;
        continue;
      }
      if (c === '`') {
        let j = i;
        while (j < n && P[j] === '`') j++;
        const len = j - i;
        const close = nextRun(len, j);
        if (close !== -1) {
          let end = close + len;
          const attr = attributesEnd(P, end);
          if (attr !== -1) end = attr;
          blank(i, end);
          i = end;
        } else i = j;
        continue;
      }
      if (c === '$') {
        if (P[i + 1] === '$') {
          const close = find('$$', i + 2);
          if (close !== -1) {
            blank(i, close + 2);
            i = close + 2;
            continue;
          }
        }
        if (i + 1 < n && !isSpace(P[i + 1])) {
          // Pandoc's tex_math_dollars: the first `$` closes; it fails when white space precedes
          // it or a digit follows it (`$5 and $6`). Each search stops at the next `$`: linear.
          let k = i + 1;
          while (k < n && P[k] !== '$') k += P[k] === '\\' ? 2 : 1;
          if (k < n && k > i + 1 && !isSpace(P[k - 1]) && !/[0-9]/.test(P[k + 1] ?? '')) {
            blank(i, k + 1);
            i = k + 1;
            continue;
          }
        }
        i++;
        continue;
      }
      if (c === '<') {
        const end = this.htmlInline(P, i, find);
        if (end !== -1) {
          blank(i, end);
          i = end;
          continue;
        }
        i++;
        continue;
      }
      if (c === '[') {
        const close = match.get(i) ?? -1;
        if (close !== -1 && P[i + 1] !== '^') {
          const after = P[close + 1];
          if (after === '(') {
            // An inline link or image: its target and title are not prose.
            let depth = 0;
            let k = close + 1;
            for (; k < n && k - close < WINDOW; k++) {
              if (P[k] === '\\') k++;
              else if (P[k] === '(') depth++;
              else if (P[k] === ')' && --depth === 0) break;
            }
            if (k < n && P[k] === ')') {
              let end = k + 1;
              const attr = attributesEnd(P, end);
              if (attr !== -1) end = attr;
              skip(close + 1, end);
            }
          } else if (after === '{') {
            const attr = attributesEnd(P, close + 1);
            if (attr !== -1) skip(close + 1, attr);
          }
          if (after !== '(' && P[i - 1] !== '!' && P[i - 1] !== '^') openBrackets.push({ open: i, close });
        }
        i++;
        continue;
      }
      if (c === '*' || c === '_') {
        let j = i;
        while (j < n && P[j] === c) j++;
        const prev = P[i - 1];
        const next = P[j];
        const canClose = prev !== undefined && !isSpace(prev) && (c === '*' || !isAlnum(next));
        const canOpen = next !== undefined && !isSpace(next) && (c === '*' || !isAlnum(prev));
        const open = c === '*' ? stars : unders;
        if (canClose && open > 0) {
          if (c === '*') stars--;
          else unders--;
          closedAt = j;
        } else if (canOpen) {
          if (c === '*') stars++;
          else unders++;
        }
        i = j;
        continue;
      }
      if (c === '@') {
        const cite = this.citeAt(P, i, closedAt, citedTo);
        if (cite) {
          const bracket = openBrackets[openBrackets.length - 1];
          const suppress = P[i - 1] === '-' && this.mayStart(P, i - 1, closedAt);
          found.push({ at: suppress ? i - 1 : i, end: cite.end, key: cite.key, suppress, open: bracket ? bracket.open : -1 });
          i = cite.end;
          citedTo = cite.end;
          continue;
        }
        i++;
        continue;
      }
      i++;
    }

    // Back to document positions.
    const starts: number[] = [];
    let off = 0;
    for (const s of segs) {
      starts.push(off);
      off += s.text.length + 1;
    }
    const segAt = (o: number) => lastAtOrBefore(starts, o);
    for (const f of found) {
      const k = segAt(f.at);
      const s = segs[k];
      const start = s.col + (f.at - starts[k]);
      const end = Math.min(s.col + s.text.length, start + (f.end - f.at));
      const bracketed = f.open !== -1;
      this.sink.push({ key: f.key, line: s.line, start, end, bracketed, suppressAuthor: bracketed && f.suppress, ...(this.metaField !== undefined ? { meta: this.metaField } : {}) });
    }
    if (this.metaField !== undefined) return; // metadata is not running prose for author–date citations
    let masked = P;
    if (blanks.length) {
      const pairs: [number, number][] = [];
      for (let k = 0; k < blanks.length; k += 2) pairs.push([blanks[k], blanks[k + 1]]);
      pairs.sort((a, b) => a[0] - b[0]);
      const parts: string[] = [];
      let at = 0;
      for (const [a, b] of pairs) {
        if (b <= at) continue;
        const from = Math.max(a, at);
        parts.push(P.slice(at, from), P.slice(from, b).replace(/[^\n]/g, ' '));
        at = b;
      }
      parts.push(P.slice(at));
      masked = parts.join('');
    }
    segs.forEach((s, k) => {
      const list = this.writes.get(s.line) ?? [];
      list.push({ col: s.col, text: masked.slice(starts[k], starts[k] + s.text.length) });
      this.writes.set(s.line, list);
    });
  }

  /** Whether a Pandoc citation may start at `i` (an `@`, or the `-` before one). */
  private mayStart(P: string, i: number, closedAt: number, citedTo = -1): boolean {
    const prev = P[i - 1];
    if (prev === undefined || i === citedTo) return true;
    if (isAlnum(prev)) return false;
    if (prev === '.') {
      // A lone `.` ends a Str (`a.@k`); `...` is an ellipsis, which does not.
      let k = i - 1;
      while (k >= 0 && P[k] === '.') k--;
      if ((i - 1 - k) % 3 !== 0) return false;
    }
    if ((prev === '*' || prev === '_') && closedAt === i) return false;
    return true;
  }

  /** A citation key at the `@` at `i`, with Pandoc's grammar. */
  private citeAt(P: string, i: number, closedAt: number, citedTo: number): { key: string; end: number } | undefined {
    if (!this.mayStart(P, i, closedAt, citedTo)) return undefined;
    const n = P.length;
    let k = i + 1;
    if (P[k] === '{') {
      let depth = 0;
      for (; k < n && k - i < KEY_WINDOW; k++) {
        const c = P[k];
        if (isSpace(c)) return undefined;
        if (c === '{') depth++;
        else if (c === '}' && --depth === 0) return { key: P.slice(i + 2, k), end: k + 1 };
      }
      return undefined;
    }
    const first = P[k];
    if (!(isRegchar(first) || first === '*')) return undefined;
    // Surrogate pairs: step by code point.
    const step = (at: number) => (P.codePointAt(at)! > 0xffff ? 2 : 1);
    const ch = (at: number) => String.fromCodePoint(P.codePointAt(at) ?? 0);
    k += step(k);
    while (k < n) {
      const c = ch(k);
      if (isRegchar(c)) {
        k += c.length;
        continue;
      }
      // Pandoc 2.17 also takes `:` or `/` before a `/` (`@https://x.org/a` is one key); its manual
      // says repeated punctuation ends a key (`@https`), and the manual is what we follow.
      if (INTERNAL.includes(c) && isRegchar(ch(k + 1))) {
        k++;
        continue;
      }
      break;
    }
    return { key: P.slice(i + 1, k), end: k };
  }

  /** Raw TeX at the `\` at `i`: a command with its `[…]`/`{…}` arguments, or an environment to its `\end`. */
  private rawTex(P: string, i: number, blank: (a: number, b: number) => void, find: (needle: string, from: number) => number): number {
    const name = /^\\([A-Za-z]+)/.exec(P.slice(i, i + 64))!;
    let k = i + name[0].length;
    if (name[1] === 'begin') {
      const env = /^\{([A-Za-z*]+)\}/.exec(P.slice(k, k + 64));
      if (env) {
        const endTag = `\\end{${env[1]}}`;
        const e = find(endTag, k);
        if (e !== -1) {
          blank(i, e + endTag.length);
          return e + endTag.length;
        }
      }
    }
    for (;;) {
      const open = P[k];
      if (open !== '{' && open !== '[') break;
      const close = open === '{' ? '}' : ']';
      let depth = 0;
      let j = k;
      for (; j < P.length && j - k < WINDOW; j++) {
        if (P[j] === '\\') j++;
        else if (P[j] === open) depth++;
        else if (P[j] === close && --depth === 0) break;
      }
      if (j >= P.length || P[j] !== close) break;
      k = j + 1;
    }
    blank(i, k);
    return k;
  }

  /** Raw HTML or an autolink at the `<` at `i`: where it ends, or -1 when it is a plain `<`. */
  private htmlInline(P: string, i: number, find: (needle: string, from: number, caseless?: boolean) => number): number {
    const head = P.slice(i, i + WINDOW);
    if (head.startsWith('<!--')) {
      const e = find('-->', i + 4);
      return e === -1 ? -1 : e + 3;
    }
    if (head.startsWith('<?')) {
      const e = find('?>', i + 2);
      return e === -1 ? -1 : e + 2;
    }
    let m = /^<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/.exec(head) ?? /^<[^\s<>@]+@[^\s<>@]+>/.exec(head);
    if (m) return i + m[0].length;
    m = /^<\/[A-Za-z][A-Za-z0-9-]*[ \t\n]*>/.exec(head);
    if (m) return i + m[0].length;
    m = /^<([A-Za-z][A-Za-z0-9-]*)(?:[ \t\n]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t\n]*=[ \t\n]*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*[ \t\n]*\/?>/.exec(head);
    if (!m) return -1;
    let end = i + m[0].length;
    if (VERBATIM_TAGS.test(m[1]) && !m[0].endsWith('/>')) {
      const closeTag = `</${m[1].toLowerCase()}`;
      const e = find(closeTag, end, true);
      if (e !== -1) {
        const gt = P.indexOf('>', e);
        end = gt === -1 ? P.length : gt + 1;
      }
    }
    return end;
  }
}

/** Scans a Markdown document (line ends already `\n`) as Pandoc's reader does. */
export function scanPandocMarkdown(text: string): MarkdownScan {
  return new Scanner(text).run();
}
