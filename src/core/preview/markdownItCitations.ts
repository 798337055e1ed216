/**
 * A markdown-it plugin that renders a manuscript's citations and reference list as Pandoc
 * `--citeproc` would, for VS Code's built-in Markdown preview (and any markdown-it host).
 *
 * It runs after markdown-it's own parse, so everything markdown-it treats as code, HTML, links or
 * math is left alone; the citations come from the one manuscript scanner (previewCitations.ts)
 * and are matched to the text tokens of their paragraph. Corpus text reaches the HTML only
 * escaped or through citeproc's output, which is sanitised again here (an allow-list of
 * formatting tags): the preview's own sanitiser is not the only guard.
 */
import { BIB_END, BIB_START } from '../format/bibliographyBlock';
import { citationJs, toCsl } from '../format/bibliography';
import type { ClusterItem, CslStyle, RenderRequest, RenderResult } from '../format/citationJsImpl';
import type { ManuscriptCitation } from '../manuscript/manuscript';
import type { Work } from '../model/model';
import { type CitationCluster, type CitationMeta, citationClusters, parseLocator, readCitationMeta } from './previewCitations';
import type { StyleInfo } from '../format/styles';

/** What the plugin asks of the corpus and the settings at each render. */
export interface PreviewCorpus {
  /** The work a Pandoc key names (an id or an alias), if any. */
  work(key: string): Work | undefined;
  /** The works an author–date citation names. */
  authorDate(c: ManuscriptCitation): Work[];
  /** Every record of the corpus, for `nocite: '@*'`. */
  records(): readonly Work[];
  /** Changes whenever the corpus does (a cache of formatted citations is valid while it stays). */
  version(): number;
  /**
   * Formats a document's citations (citeproc). `key` identifies the request; returning undefined
   * means "not ready yet" (the editor formats in its worker and refreshes the preview when done):
   * the citations then show as written, marked as pending.
   */
  render(req: RenderRequest, key: string): PreviewRender | undefined;
  /**
   * The style the front matter's `csl:` names, or the setting's; `problem` when a named style was
   * not found. `src` is the document's text: VS Code parses with an empty `env` (the document's
   * URI reaches only the renderer), so a host finds the document by its text for a relative path.
   */
  style(meta: CitationMeta, env: unknown, src: string): { style: StyleInfo; problem?: string };
}

/**
 * Formatted citations for the plugin: a worker's `RenderResult`, or while the worker formats a
 * changed request, the previous result's clusters that did not change (`undefined` for those
 * that did: shown as written, pending) and its reference list.
 */
export interface PreviewRender {
  clusters: (string | undefined)[];
  bibliography: RenderResult['bibliography'];
  /** A carried-over list: shown (dimmed, class corpus-cite-pending) until the worker's answer is in. */
  stale?: boolean;
}

/** The minimal markdown-it surface the plugin uses (markdown-it 12–14). */
interface Token {
  type: string;
  tag: string;
  content: string;
  map: [number, number] | null;
  children: Token[] | null;
  block: boolean;
  nesting: number;
  hidden: boolean;
  meta: unknown;
}
interface Renderer {
  rules: Record<string, ((tokens: Token[], idx: number, options: unknown, env: unknown, self: Renderer) => string) | undefined>;
  render(tokens: Token[], options: unknown, env: unknown): string;
  renderInline(tokens: Token[], options: unknown, env: unknown): string;
}
interface CoreState {
  src: string;
  env: unknown;
  tokens: Token[];
  Token: new (type: string, tag: string, nesting: number) => Token;
}
export interface MarkdownItLike {
  core: { ruler: { push(name: string, fn: (state: CoreState) => void): void } };
  renderer: Renderer;
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ALLOWED = /^<\/?(?:i|b|em|strong|sup|sub)>$|^<span(?: class="nocase"| style="font-variant:\s*small-caps;?"| style="font-style:\s*normal;?"| style="font-weight:\s*normal;?"| style="text-decoration:\s*underline;?")?>$|^<\/span>$|^<div class="csl-(?:left-margin|right-inline|block|indent)">$|^<\/div>$|^<br\s*\/?>$/;

/** Keeps citeproc's formatting tags; every other tag is shown as text, inert. Entities stay as they are. */
export function sanitizeCslHtml(html: string): string {
  return html.replace(/<[^>]*>?/g, (tag) => (ALLOWED.test(tag) ? tag : escapeHtml(tag)));
}

/** The tooltip of a citation: title, venue, year of each work. */
function tooltip(works: readonly Work[]): string {
  return works
    .map((w) => {
      const year = w.issued?.['date-parts']?.[0]?.[0];
      const venue = w['container-title'] ?? w.publisher;
      return [w.title ?? w['citation-label'], [venue, year].filter(Boolean).join(', ')].filter(Boolean).join(' — ');
    })
    .join('\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .slice(0, 600);
}

interface Rendered {
  cluster: CitationCluster;
  html: string;
}

/** A renderer for `PreviewCorpus.render` that formats in this thread, remembering the last result (the CLI, tests). */
export function inThreadRenderer(): (req: RenderRequest, key: string) => RenderResult {
  let last: { key: string; out: RenderResult } | undefined;
  return (req, key) => {
    if (last?.key !== key) last = { key, out: citationJs().renderCitations(req) };
    return last.out;
  };
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const layouts = new Map<string, { prefix: string; suffix: string; delimiter: string }>();

/** The affixes and delimiter of a style's citation layout (`[`, `]`, `,`), read once per style. */
function citationLayout(xml: string): { prefix: string; suffix: string; delimiter: string } {
  let l = layouts.get(xml);
  if (!l) {
    const attrs = /<citation\b[^>]*>[\s\S]*?<layout\b([^>]*)>/.exec(xml)?.[1] ?? '';
    const attr = (name: string) =>
      (new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1] ?? '').replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (m, d?: string, h?: string, n?: string) =>
        d ? String.fromCodePoint(Number(d)) : h ? String.fromCodePoint(parseInt(h, 16)) : (XML_ENTITIES[n!] ?? m),
      );
    l = { prefix: attr('prefix'), suffix: attr('suffix'), delimiter: attr('delimiter') };
    if (layouts.size > 32) layouts.clear();
    layouts.set(xml, l);
  }
  return l;
}

/** Per render: the clusters with their HTML, and the reference list. */
function renderDocument(src: string, env: unknown, corpus: PreviewCorpus, clusters: readonly CitationCluster[]): { rendered: Rendered[]; refs?: string; meta: CitationMeta; problem?: string } {
  const meta = readCitationMeta(src);
  const { style, problem } = corpus.style(meta, env, src);
  const link = meta.linkCitations !== false;
  const items: Record<string, object> = {};
  const idOf = new Map<string, Work>();
  const add = (w: Work) => {
    if (!items[w.id]) items[w.id] = toCsl(w);
    return w;
  };
  const csl: CslStyle = { key: style.id, xml: style.xml, defaultLocale: style.defaultLocale };
  const lang = meta.lang ?? style.defaultLocale ?? 'en-US';
  const englishTerms = /^en\b/i.test(lang);
  const request: { items: ClusterItem[]; narrative?: boolean }[] = [];
  const known: { cluster: CitationCluster; works: Work[]; unknown: ClusterItem[]; req?: number }[] = [];
  for (const c of clusters) {
    if (c.kind === 'authorDate') {
      const ws = c.authorDate ? corpus.authorDate(c.authorDate) : [];
      ws.forEach(add);
      known.push({ cluster: c, works: ws, unknown: [] });
      continue;
    }
    const ci: ClusterItem[] = [];
    const works: Work[] = [];
    const unknown: ClusterItem[] = [];
    for (const p of c.parts) {
      const loc = englishTerms || p.after === undefined ? p : parseLocator(p.after, false);
      // Pandoc: the suffix of `@a [see this]` that does not start with a space or punctuation is
      // set off by a comma ("[1, see this]").
      const suffix = c.kind === 'narrative' && loc.suffix && !/^[\s\p{P}]/u.test(loc.suffix) ? `, ${loc.suffix}` : loc.suffix;
      const item: ClusterItem = { id: p.key, prefix: p.prefix ? `${p.prefix} ` : undefined, locator: loc.locator, label: loc.locator ? loc.label : undefined, suffix, 'suppress-author': p.suppressAuthor };
      const w = corpus.work(p.key);
      if (!w) {
        unknown.push(item);
        continue;
      }
      idOf.set(p.key, add(w));
      works.push(w);
      ci.push({ ...item, id: w.id });
    }
    request.push({ items: ci, narrative: c.kind === 'narrative' });
    known.push({ cluster: c, works, unknown, req: request.length - 1 });
  }
  const uncited: string[] = [];
  for (const k of meta.nocite) {
    if (k === '*') for (const w of corpus.records()) uncited.push(add(w).id);
    else {
      const w = corpus.work(k);
      if (w) uncited.push(add(w).id);
    }
  }
  // The preview re-renders on every keystroke; most keystrokes change no citation. The formatted
  // citations depend only on what is cited, how, in which style, and the corpus's version.
  const key = JSON.stringify([csl.key, csl.xml.length, lang, corpus.version(), request, uncited]);
  const out = corpus.render({ style: csl, lang, items, clusters: request, uncited }, key);
  const numeric = style.numeric;
  const layout = citationLayout(style.xml);
  const listed = new Set(out && !meta.suppressBibliography ? out.bibliography.map((e) => e.id) : []);
  const rendered: Rendered[] = known.map(({ cluster, works, unknown, req }) => {
    const title = escapeHtml(tooltip(works));
    const cites = escapeHtml([...works.map((w) => w.id), ...unknown.map((u) => u.id)].join(' '));
    const href = works[0] && link ? `#ref-${encodeURIComponent(works[0].id)}` : undefined;
    if (cluster.kind === 'authorDate') {
      // Author–date text is the writer's: kept as written, linked to the work it names. Pandoc
      // lists only works cited with a key (or nocite): a work named by text alone has no entry,
      // so it gets the tooltip but no link that would lead nowhere.
      const text = escapeHtml(cluster.raw);
      if (!works.length) return { cluster, html: `<span class="corpus-cite-text">${text}</span>` };
      const entry = works.find((w) => listed.has(w.id));
      const inner = entry && link ? `<a href="#ref-${encodeURIComponent(entry.id)}" title="${title}">${text}</a>` : `<span title="${title}">${text}</span>`;
      return { cluster, html: `<span class="citation corpus-cite-text" data-cites="${cites}">${inner}</span>` };
    }
    const formatted = !out ? undefined : req !== undefined ? out.clusters[req] : '';
    if (formatted === undefined) {
      // Formatting is on its way: the citation as written, marked pending (a tooltip says so).
      return { cluster, html: `<span class="citation corpus-cite-pending" data-cites="${cites}" title="${escapeHtml('Formatting citations…')}">${escapeHtml(cluster.raw)}</span>` };
    }
    let body = sanitizeCslHtml(formatted);
    if (unknown.length) {
      // As Pandoc: each unknown key in bold with a question mark, an item of the citation in the
      // style's layout (its prefix, suffix and delimiter), with its own prefix and suffix; a
      // locator is not printed (the style has no item to print it with).
      const marks = unknown
        .map((u) => `${escapeHtml(u.prefix ?? '')}<strong class="corpus-cite-unknown" title="${escapeHtml(`@${u.id} is not in the corpus`)}">${escapeHtml(u.id)}?</strong>${escapeHtml(u.suffix ?? '')}`)
        .join(layout.delimiter);
      if (!body) body = `${layout.prefix}${marks}${layout.suffix}`;
      else {
        // Before the layout's suffix, inside any formatting that closes the citation (`<sup>`).
        const tail = /(?:<\/[a-z]+>)*$/.exec(body)![0];
        let at = body.length - tail.length;
        if (layout.suffix && body.slice(0, at).endsWith(escapeHtml(layout.suffix))) at -= escapeHtml(layout.suffix).length;
        else if (layout.suffix && body.slice(0, at).endsWith(layout.suffix)) at -= layout.suffix.length;
        body = `${body.slice(0, at)}${layout.delimiter}${marks}${body.slice(at)}`;
      }
    }
    const inner = href ? `<a href="${href}" title="${title}">${body}</a>` : works.length ? `<span title="${title}">${body}</span>` : body;
    return { cluster, html: `<span class="citation" data-cites="${cites}">${inner}</span>` };
  });
  let refs: string | undefined;
  if (out && !meta.suppressBibliography && out.bibliography.length) {
    const entries = out.bibliography
      .map((e) => {
        const body = e.html.trim().replace(/^<div class="csl-entry">/, '').replace(/<\/div>$/, '');
        return `<div id="ref-${escapeHtml(e.id)}" class="csl-entry" role="listitem">${sanitizeCslHtml(body)}</div>`;
      })
      .join('\n');
    const heading = meta.referenceSectionTitle ? `<h1 class="unnumbered">${escapeHtml(meta.referenceSectionTitle)}</h1>\n` : '';
    refs = `${heading}<div id="refs" class="references csl-bib-body${numeric ? '' : ' hanging-indent'}${out.stale ? ' corpus-cite-pending' : ''}" role="list">\n${entries}\n</div>\n`;
  }
  return { rendered, refs, meta, problem };
}

/** The text of an inline token's children with each child's span, `\n` for line breaks and `\u0000` for anything else. */
function flatten(children: Token[]): { flat: string; spans: [number, number][] } {
  let flat = '';
  const spans: [number, number][] = [];
  for (const t of children) {
    const from = flat.length;
    if (t.type === 'text') flat += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') flat += '\n';
    else flat += '\u0000';
    spans.push([from, flat.length]);
  }
  return { flat, spans };
}

/** A pattern for a citation's source text as markdown-it leaves it: any run of white space (and block-quote markers at line starts) may differ. */
function patternOf(raw: string): RegExp {
  const body = raw
    .replace(/\n[ \t]*(?:>[ \t]?)*/g, '\n')
    .replace(/\\([\\`*_{}[\]()#+\-.!<>~|$"'@])/g, '$1')
    .split(/\s+/)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
  return new RegExp(body, 'g');
}

/**
 * Replaces `flat[from, to)` of `children` by one token (text tokens cut at the edges); `removed`
 * receives what it replaced.
 */
function splice(children: Token[], spans: [number, number][], from: number, to: number, repl: Token, Tok: CoreState['Token'], removed: Token[]): Token[] {
  const out: Token[] = [];
  let inserted = false;
  const text = (content: string) => {
    const t = new Tok('text', '', 0);
    t.content = content;
    return t;
  };
  children.forEach((t, i) => {
    const [a, b] = spans[i];
    if (b <= from) {
      out.push(t);
      return;
    }
    if (a >= to) {
      if (!inserted) out.push(repl);
      inserted = true;
      out.push(t);
      return;
    }
    if (t.type === 'text' && a < from) out.push(text(t.content.slice(0, from - a)));
    if (!inserted) out.push(repl);
    inserted = true;
    removed.push(t.type === 'text' && (a < from || b > to) ? text(t.content.slice(Math.max(0, from - a), Math.min(t.content.length, to - a))) : t);
    if (t.type === 'text' && b > to) out.push(text(t.content.slice(to - a)));
  });
  if (!inserted) out.push(repl);
  return out;
}

const REFS_DIV = /^:::+\s*\{\s*#refs(?:\s[^}]*)?\}\s*(?:\n\s*:::+\s*)?$/;

/** A document's citations formatted, or why they could not be. */
type Formatted = ReturnType<typeof renderDocument> | { error: string };

/** What the tokens the plugin inserts carry: the document's formatting, made when first rendered. */
interface Lazy {
  doc(env: unknown): Formatted;
}
interface ClusterMeta {
  lazy: Lazy;
  /** The cluster's index in the document's clusters. */
  i: number;
  /** The tokens it replaced (rendered as they were when the citations cannot be formatted). */
  removed: Token[];
}
interface RefsMeta {
  lazy: Lazy;
  /** The tokens it replaced, rendered when there is no reference list. */
  fallback: Token[];
  /** A `<div id="refs">` block: the list goes inside it. */
  div?: string;
}

const CLUSTER = 'corpus_cite_citation';
const REFS = 'corpus_cite_refs';
const NOTICE = 'corpus_cite_notice';

/**
 * Adds citation rendering to a markdown-it instance; `corpus` is asked at each render.
 *
 * The parse only marks where the citations and the reference list go (tokens of its own); they
 * are formatted when the HTML is rendered. VS Code's Markdown language server has the editor
 * parse every manuscript with the preview's markdown-it (for symbols, folding, links: on edits,
 * with no preview open); formatted at parse time, each of those parses looked up and formatted
 * every citation, and asked the worker for citeproc (measured in the host at a warm start: 16 ms
 * a parse for 30 citations, plus the worker loading citation-js meanwhile).
 */
export function citationsPlugin(md: MarkdownItLike, corpus: () => PreviewCorpus | undefined): void {
  md.core.ruler.push('corpus_cite_citations', (state) => {
    const c = corpus();
    if (!c || !(state.src.includes('@') || state.src.includes('('))) return;
    const { src } = state;
    const parseEnv = state.env;
    const clusters = citationClusters(src);
    let made: Formatted | undefined;
    const lazy: Lazy = {
      doc: (env) => {
        if (made) return made;
        try {
          // The renderer's env names the document in VS Code (its parse gets an empty one).
          made = renderDocument(src, (env as { currentDocument?: unknown } | undefined)?.currentDocument ? env : parseEnv, c, clusters);
        } catch (e) {
          made = { error: `Corpus Cite could not format the citations: ${e instanceof Error ? e.message : String(e)}` };
        }
        return made;
      },
    };
    // Clusters by the line they start on, consumed paragraph by paragraph in order.
    let next = 0;
    for (const tok of state.tokens) {
      if (tok.type !== 'inline' || !tok.map || !tok.children) continue;
      const [l0, l1] = tok.map;
      while (next < clusters.length && clusters[next].line < l0) next++;
      let cursor = 0;
      for (let i = next; i < clusters.length && clusters[i].line < l1; i++) {
        const { flat, spans } = flatten(tok.children);
        const re = patternOf(clusters[i].raw);
        re.lastIndex = cursor;
        const m = re.exec(flat);
        if (!m) continue;
        const repl = new state.Token(CLUSTER, '', 0);
        const meta: ClusterMeta = { lazy, i, removed: [] };
        repl.meta = meta;
        tok.children = splice(tok.children, spans, m.index, m.index + m[0].length, repl, state.Token, meta.removed);
        cursor = flatten(tok.children).spans[tok.children.indexOf(repl)][1];
        next = i + 1;
      }
    }
    const notice = new state.Token(NOTICE, '', 0);
    notice.block = true;
    notice.meta = lazy;
    state.tokens.unshift(notice);
    // Pandoc's places for the list: a `::: {#refs}` div or a `<div id="refs">`, else the end. The
    // block that "Insert or Update Bibliography" wrote is the same list: it is replaced, never
    // shown twice. Without a list, what was there is rendered as it was.
    const refsToken = (fallback: Token[], div?: string) => {
      const t = new state.Token(REFS, '', 0);
      t.block = true;
      const meta: RefsMeta = { lazy, fallback, ...(div !== undefined ? { div } : {}) };
      t.meta = meta;
      return t;
    };
    const toks = state.tokens;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.type === 'paragraph_open' && toks[i + 1]?.type === 'inline' && REFS_DIV.test(toks[i + 1].content.trim())) {
        toks.splice(i, 3, refsToken(toks.slice(i, i + 3)));
        return;
      }
      if (t.type === 'html_block' && /<div\b[^>]*\bid=["']?refs\b/.test(t.content)) {
        toks.splice(i, 1, refsToken([t], t.content));
        return;
      }
    }
    const start = toks.findIndex((t) => t.type === 'html_block' && t.content.includes(BIB_START));
    const end = start === -1 ? -1 : toks.findIndex((t, i) => i >= start && t.type === 'html_block' && t.content.includes(BIB_END));
    if (start !== -1 && end !== -1) {
      toks.splice(start, end - start + 1, refsToken(toks.slice(start, end + 1)));
      return;
    }
    toks.push(refsToken([]));
  });

  const rules = md.renderer.rules;
  rules[CLUSTER] = (tokens, idx, options, env, self) => {
    const { lazy, i, removed } = tokens[idx].meta as ClusterMeta;
    const doc = lazy.doc(env);
    return 'error' in doc ? self.renderInline(removed, options, env) : doc.rendered[i].html;
  };
  rules[NOTICE] = (tokens, idx, _options, env) => {
    const doc = (tokens[idx].meta as Lazy).doc(env);
    const problem = 'error' in doc ? doc.error : doc.problem;
    return problem ? `<p class="corpus-cite-warning">${escapeHtml(problem)}</p>\n` : '';
  };
  rules[REFS] = (tokens, idx, options, env, self) => {
    const { lazy, fallback, div } = tokens[idx].meta as RefsMeta;
    const doc = lazy.doc(env);
    const refs = 'error' in doc ? undefined : doc.refs;
    if (!refs) return self.render(fallback, options, env);
    // Inside the writer's own div, which already has the id.
    if (div !== undefined) return div.replace(/(<div\b[^>]*\bid=["']?refs\b[^>]*>)/, `$1\n${refs.replace('<div id="refs" class=', '<div class=')}`);
    return refs;
  };
}
