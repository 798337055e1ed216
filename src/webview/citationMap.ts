/**
 * The citation map's webview (bundled as dist/webview/citationMap.js): draws the graph the
 * extension posts (already laid out by the index worker) with sigma (WebGL), in the theme's
 * colours. Hover shows a work's label and title, a click selects it and lists who cites it and
 * what it cites, a double-click opens its source record, and a search box finds a work.
 *
 * Corpus text is untrusted: every label and title goes into the page as text (`textContent`,
 * canvas `fillText`), never as HTML. The page asks the extension to act only by posting a work id,
 * which the extension checks.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import './citationMap.css';
import type { FromWebview, MapGraph, MapNode, MapStrings, ToWebview } from './protocol';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const container = $<HTMLDivElement>('graph');
const side = $<HTMLElement>('side');
const tip = $<HTMLDivElement>('tip');
const note = $<HTMLSpanElement>('note');
const empty = $<HTMLDivElement>('empty');
const search = $<HTMLInputElement>('search');
const matches = $<HTMLUListElement>('matches');

interface Colours {
  background: string;
  foreground: string;
  muted: string;
  record: string;
  cited: string;
  edge: string;
  dimNode: string;
  dimEdge: string;
  selected: string;
  widget: string;
  widgetBorder: string;
}

/** A CSS colour as sigma reads it (`#rrggbb` or `rgba(…)`): the canvas normalises any CSS colour. */
function normalise(css: string, fallback: string): string {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx || !css.trim()) return fallback;
  ctx.fillStyle = fallback;
  ctx.fillStyle = css.trim();
  return ctx.fillStyle;
}
function rgbOf(colour: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  const r = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(colour);
  return r ? [Number(r[1]), Number(r[2]), Number(r[3])] : [128, 128, 128];
}
/** `colour` at `t` over `background`, as an opaque colour (WebGL blends alpha much fainter). */
function mix(colour: string, background: string, t: number): string {
  const a = rgbOf(colour);
  const b = rgbOf(background);
  const c = a.map((v, i) => Math.round(v * t + b[i] * (1 - t)).toString(16).padStart(2, '0'));
  return `#${c.join('')}`;
}
function readColours(): Colours {
  const s = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => normalise(s.getPropertyValue(name), fallback);
  const foreground = v('--vscode-editor-foreground', '#cccccc');
  const muted = v('--vscode-descriptionForeground', '#999999');
  const background = v('--vscode-editor-background', '#1e1e1e');
  return {
    background,
    foreground,
    muted,
    record: v('--vscode-charts-blue', '#3794ff'),
    cited: v('--vscode-charts-orange', '#d18616'),
    edge: mix(muted, background, 0.6),
    dimNode: mix(muted, background, 0.35),
    dimEdge: mix(muted, background, 0.15),
    selected: v('--vscode-focusBorder', '#007fd4'),
    widget: v('--vscode-editorHoverWidget-background', '#252526'),
    widgetBorder: v('--vscode-editorHoverWidget-border', '#454545'),
  };
}
let colours = readColours();

let strings: MapStrings | undefined;
let nodes: MapNode[] = [];
/** Node index by id, and the neighbours of each node (indices). */
let byId = new Map<string, number>();
let citedByOf: number[][] = [];
let citesOf: number[][] = [];
let selected: string | undefined;
/** The selected work's neighbours whose labels are drawn: all when few, else the 30 most cited. */
let labelled = new Set<number>();
let hovered: string | undefined;
const graph = new Graph({ type: 'directed', multi: false });
let renderer: Sigma | undefined;

// By how often the corpus cites the work; a record starts a little bigger (records are the
// citing hubs, often cited by nothing in the corpus, and must still be easy to point at). A big
// map draws every work smaller, or 2,000 works would be one blot.
const sizeOf = (n: MapNode, scale: number) => scale * Math.min(22, (n.kind === 'record' ? 5 : 3) + 2.2 * Math.sqrt(n.citedBy));

function nodeColour(n: MapNode): string {
  return n.kind === 'record' ? colours.record : colours.cited;
}

function isNeighbour(a: number, b: number): boolean {
  return citedByOf[a].includes(b) || citesOf[a].includes(b);
}

function createRenderer(): Sigma | undefined {
  try {
    return new Sigma(graph, container, {
      defaultEdgeType: 'arrow',
      renderEdgeLabels: false,
      labelFont: getComputedStyle(document.body).fontFamily || 'sans-serif',
      labelSize: 12,
      labelColor: { color: colours.foreground },
      labelRenderedSizeThreshold: 4,
      zIndex: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 10,
      defaultDrawNodeHover: drawHover,
      nodeReducer: (key, data) => {
        const k = byId.get(key);
        if (k === undefined || !selected) return data;
        const s = byId.get(selected)!;
        if (key === selected) return { ...data, highlighted: true, forceLabel: true, zIndex: 2 };
        if (isNeighbour(s, k)) return { ...data, forceLabel: labelled.has(k), zIndex: 1 };
        return { ...data, color: colours.dimNode, label: '', zIndex: 0 };
      },
      edgeReducer: (edge, data) => {
        if (!selected) return data;
        const [s, t] = graph.extremities(edge);
        if (s === selected) return { ...data, color: colours.record, size: 1.5, zIndex: 1 };
        if (t === selected) return { ...data, color: colours.cited, size: 1.5, zIndex: 1 };
        return { ...data, color: colours.dimEdge };
      },
    });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return undefined;
  }
}

/** The hovered node's label on the canvas, in the theme's hover colours (sigma's own is white). */
function drawHover(ctx: CanvasRenderingContext2D, data: { x: number; y: number; size: number; label?: string | null; color?: string }, settings: { labelSize: number; labelFont: string; labelWeight: string }): void {
  const label = data.label ?? '';
  ctx.font = `${settings.labelWeight} ${settings.labelSize}px ${settings.labelFont}`;
  const w = ctx.measureText(label).width;
  const h = settings.labelSize + 8;
  const x = data.x + data.size + 4;
  ctx.fillStyle = colours.widget;
  ctx.strokeStyle = colours.widgetBorder;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.rect(x - 3, data.y - h / 2, w + 10, h);
  ctx.fill();
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(data.x, data.y, data.size + 2, 0, Math.PI * 2);
  ctx.fillStyle = colours.selected;
  ctx.fill();
  ctx.fillStyle = colours.foreground;
  ctx.fillText(label, x + 2, data.y + settings.labelSize / 3);
}

function fill(el: HTMLElement, ...children: (Node | string)[]): void {
  el.replaceChildren(...children);
}
function span(cls: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}
function citedTimes(n: MapNode): string {
  return (strings?.citedTimes ?? 'cited {0}×').replace('{0}', String(n.citedBy));
}
function describe(n: MapNode): string {
  return [n.kind === 'record' ? strings?.record : strings?.cited, n.year !== undefined ? String(n.year) : '', n.citedBy > 0 ? citedTimes(n) : ''].filter(Boolean).join(' · ');
}

/** A row that selects work `k` (label and title as text). */
function workRow(k: number, onPick: (id: string) => void): HTMLLIElement {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.className = 'row';
  b.type = 'button';
  b.append(span('label', nodes[k].label), span('sub', nodes[k].title));
  b.title = nodes[k].title ? `${nodes[k].label} — ${nodes[k].title}` : nodes[k].label;
  b.addEventListener('click', () => onPick(nodes[k].id));
  li.append(b);
  return li;
}

function showSide(): void {
  const k = selected === undefined ? undefined : byId.get(selected);
  if (k === undefined || !strings) {
    side.hidden = true;
    return;
  }
  const n = nodes[k];
  const h2 = document.createElement('h2');
  h2.textContent = n.label;
  const title = document.createElement('p');
  title.className = 'title';
  title.textContent = n.title;
  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.textContent = describe(n);
  const actions = document.createElement('div');
  actions.className = 'actions';
  const reveal = document.createElement('button');
  reveal.type = 'button';
  reveal.id = 'reveal';
  reveal.textContent = strings.reveal;
  reveal.addEventListener('click', () => post({ type: 'reveal', id: n.id }));
  const open = document.createElement('button');
  open.type = 'button';
  open.id = 'open';
  open.className = 'secondary';
  open.textContent = strings.open;
  open.addEventListener('click', () => post({ type: 'open', id: n.id }));
  actions.append(reveal, open);
  const list = (heading: string, ks: number[], inCorpus: number) => {
    const h3 = document.createElement('h3');
    // A capped map may show fewer of them than the corpus has: say both.
    h3.textContent = ks.length === inCorpus ? `${heading} (${ks.length})` : `${heading} (${strings!.shownOf.replace('{0}', String(ks.length)).replace('{1}', String(inCorpus))})`;
    const ul = document.createElement('ul');
    for (const j of [...ks].sort((a, b) => nodes[b].citedBy - nodes[a].citedBy || nodes[a].label.localeCompare(nodes[b].label))) ul.append(workRow(j, (id) => select(id, true)));
    return [h3, ul];
  };
  fill(side, h2, title, meta, actions, ...list(strings.citedBy, citedByOf[k], n.citedBy), ...list(strings.cites, citesOf[k], n.cites));
  side.hidden = false;
}

function select(id: string | undefined, focus = false): void {
  selected = id !== undefined && byId.has(id) ? id : undefined;
  markLabelled();
  vscode.setState({ selected });
  showSide();
  renderer?.refresh({ skipIndexation: true });
  if (focus && selected && renderer) {
    // Moved to only when it is out of sight (or near the edge): the picture stays where it was.
    const d = renderer.getNodeDisplayData(selected);
    const p = d && renderer.framedGraphToViewport(d);
    const { width, height } = renderer.getDimensions();
    if (d && p && (p.x < 40 || p.y < 40 || p.x > width - 40 || p.y > height - 40)) void renderer.getCamera().animate({ x: d.x, y: d.y }, { duration: 400 });
  }
}

function markLabelled(): void {
  const s = selected === undefined ? undefined : byId.get(selected);
  const around = s === undefined ? [] : [...new Set([...citedByOf[s], ...citesOf[s]])];
  labelled = new Set(around.sort((a, b) => nodes[b].citedBy - nodes[a].citedBy || a - b).slice(0, 30));
}

function showTip(id: string, x: number, y: number): void {
  const k = byId.get(id);
  if (k === undefined) return;
  const n = nodes[k];
  const head = document.createElement('div');
  head.className = 'label';
  head.textContent = n.label;
  const children: Node[] = [head];
  if (n.title) {
    const t = document.createElement('div');
    t.textContent = n.title;
    children.push(t);
  }
  const sub = document.createElement('div');
  sub.className = 'sub';
  sub.textContent = describe(n);
  children.push(sub);
  fill(tip, ...children);
  const box = container.getBoundingClientRect();
  tip.hidden = false;
  const left = Math.min(x + 14, box.width - tip.offsetWidth - 4);
  const top = y + 14 + tip.offsetHeight > box.height ? y - tip.offsetHeight - 10 : y + 14;
  tip.style.left = `${Math.max(4, left)}px`;
  tip.style.top = `${Math.max(4, top)}px`;
}

// The search box: works whose label, title or key has the text, the most cited first.
let found: number[] = [];
let active = 0;
function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
function runSearch(): void {
  const q = fold(search.value.trim());
  if (!q) {
    matches.hidden = true;
    found = [];
    return;
  }
  const words = q.split(/\s+/);
  found = nodes
    .map((n, k) => ({ k, text: fold(`${n.label} ${n.title} ${n.id}`) }))
    .filter((x) => words.every((w) => x.text.includes(w)))
    .map((x) => x.k)
    .sort((a, b) => nodes[b].citedBy - nodes[a].citedBy || nodes[a].label.localeCompare(nodes[b].label))
    .slice(0, 30);
  active = 0;
  const pick = (id: string) => {
    matches.hidden = true;
    select(id, true);
  };
  if (!found.length) {
    const li = document.createElement('li');
    li.append(span('row sub', strings?.noMatch ?? ''));
    fill(matches, li);
  } else fill(matches, ...found.map((k) => workRow(k, pick)));
  matches.hidden = false;
  markActive();
}
function markActive(): void {
  matches.querySelectorAll('.row').forEach((el, i) => el.classList.toggle('active', i === active));
}
search.addEventListener('input', runSearch);
search.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (!found.length) return;
    active = (active + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
    markActive();
    e.preventDefault();
  } else if (e.key === 'Enter' && found.length) {
    matches.hidden = true;
    select(nodes[found[active]].id, true);
  } else if (e.key === 'Escape') {
    matches.hidden = true;
  }
});
search.addEventListener('blur', () => setTimeout(() => (matches.hidden = true), 150));
search.addEventListener('focus', () => {
  if (search.value.trim()) runSearch();
});

function load(g: MapGraph, refresh: boolean): void {
  const keep = refresh ? selected : ((vscode.getState() as { selected?: string } | undefined)?.selected ?? undefined);
  nodes = g.nodes;
  byId = new Map(nodes.map((n, k) => [n.id, k]));
  citedByOf = nodes.map(() => []);
  citesOf = nodes.map(() => []);
  graph.clear();
  const scale = Math.min(1, Math.max(0.35, Math.sqrt(300 / Math.max(1, nodes.length))));
  nodes.forEach((n, k) => {
    graph.addNode(n.id, { x: g.positions[2 * k] ?? 0, y: g.positions[2 * k + 1] ?? 0, size: sizeOf(n, scale), label: n.label, color: nodeColour(n) });
  });
  for (let e = 0; e + 1 < g.edges.length; e += 2) {
    const s = g.edges[e];
    const t = g.edges[e + 1];
    if (!nodes[s] || !nodes[t] || graph.hasDirectedEdge(nodes[s].id, nodes[t].id)) continue;
    graph.addDirectedEdge(nodes[s].id, nodes[t].id, { size: 1, color: colours.edge });
    citesOf[s].push(t);
    citedByOf[t].push(s);
  }
  note.textContent = strings?.note ?? '';
  empty.textContent = strings?.empty ?? '';
  empty.hidden = nodes.length > 0;
  renderer ??= createRenderer();
  if (!renderer) {
    empty.textContent = strings?.webglMissing ?? '';
    empty.hidden = false;
    return;
  }
  // Few works: every label (they do not crowd); many: sigma's grid keeps the bigger ones.
  renderer.setSetting('labelRenderedSizeThreshold', nodes.length <= 150 ? 0 : 7 * scale);
  renderer.setSetting('labelDensity', nodes.length <= 150 ? 1 : 0.5);
  renderer.setSetting('hideEdgesOnMove', graph.size > 2000);
  selected = keep !== undefined && byId.has(keep) ? keep : undefined;
  markLabelled();
  showSide();
  renderer.refresh();
  if (!refresh) renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
  if (search.value.trim()) runSearch();
  renderer.once('afterRender', () => post({ type: 'rendered', nodes: graph.order, edges: graph.size }));
  renderer.scheduleRefresh();
}

function wire(r: Sigma): void {
  r.on('enterNode', ({ node, event }) => {
    hovered = node;
    container.style.cursor = 'pointer';
    showTip(node, event.x, event.y);
  });
  r.on('leaveNode', () => {
    hovered = undefined;
    container.style.cursor = '';
    tip.hidden = true;
  });
  r.on('clickNode', ({ node }) => select(node));
  r.on('doubleClickNode', ({ node, preventSigmaDefault }) => {
    preventSigmaDefault(); // no zoom: a double-click opens the work
    post({ type: 'open', id: node });
  });
  r.on('clickStage', () => select(undefined));
  r.getMouseCaptor().on('mousemovebody', (e) => {
    if (hovered) showTip(hovered, e.x, e.y);
  });
}

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const msg = ev.data;
  if (!msg || msg.type !== 'graph') return;
  strings = msg.strings;
  search.placeholder = strings.search;
  const had = renderer;
  load(msg.graph, msg.refresh);
  if (!had && renderer) wire(renderer);
});

// The theme changed (VS Code swaps the body's class): read the colours again.
new MutationObserver(() => {
  colours = readColours();
  if (!renderer) return;
  renderer.setSetting('labelColor', { color: colours.foreground });
  graph.forEachNode((key, attrs) => {
    const k = byId.get(key);
    if (k !== undefined) graph.setNodeAttribute(key, 'color', nodeColour(nodes[k]));
    void attrs;
  });
  graph.forEachEdge((key) => graph.setEdgeAttribute(key, 'color', colours.edge));
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

post({ type: 'ready' });
