/**
 * "Show Citation Map": a webview panel with the corpus as a graph of who cites whom. The graph is
 * built and laid out in the index worker (core/citationGraph.ts, core/citationLayout.ts); this
 * panel only asks for it, posts it to the webview (dist/webview/citationMap.js, sigma) and acts on
 * what the webview asks: reveal a work in the Corpus view, or open its source record.
 *
 * Security: scripts run only in this panel, with a nonce and a CSP that allows nothing remote;
 * the page can load files from dist/webview/ alone. Every message from the page is checked with
 * zod, and a work id it names must be one of the map's works and of the corpus.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
// zod/mini, as the settings: the classic API would add ~440 KB to dist/extension.js.
import * as z from 'zod/mini';
import type { CitationMap } from '../core/format/citationGraph';
import type { FromWebview, MapStrings, ToWebview } from '../webview/protocol';
import { definitionRange } from './citationDefinitionProvider';
import type { CorpusService } from './corpusService';
import type { CorpusTreeProvider, TreeNode } from './corpusTreeProvider';
import { CommandIds } from './ids';
import { note } from './notes';

const VIEW_TYPE = 'corpusCite.citationMap';
/** Corpus rebuilds closer together than this refresh the map once. */
const REFRESH_DELAY_MS = 400;

const WorkId = z.string().check(z.minLength(1), z.maxLength(1000));
const Count = z.int().check(z.minimum(0));
const FromWebviewSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('rendered'), nodes: Count, edges: Count }),
  z.strictObject({ type: z.literal('reveal'), id: WorkId }),
  z.strictObject({ type: z.literal('open'), id: WorkId }),
  z.strictObject({ type: z.literal('error'), message: z.string().check(z.maxLength(4000)) }),
]);

interface Deps {
  context: vscode.ExtensionContext;
  service: CorpusService;
  tree: CorpusTreeProvider;
  view: vscode.TreeView<TreeNode>;
  log: vscode.LogOutputChannel;
}

/** What the tests read: the panel, and what was posted to it and drawn. */
export interface CitationMapState {
  readonly panel: vscode.WebviewPanel | undefined;
  /** The last graph posted to the webview (ids and edges as id pairs). */
  readonly posted: { nodes: { id: string; kind: string; citedBy: number }[]; edges: [string, string][]; note: string; totalWorks: number; linkedWorks: number } | undefined;
  /** What the webview said it drew last. */
  readonly rendered: { nodes: number; edges: number } | undefined;
  /** Handles a message as if the webview had sent it; false when it is refused. */
  receive(message: unknown): Promise<boolean>;
}

function nonce(): string {
  return crypto.randomBytes(18).toString('base64');
}
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class CitationMapPanel implements vscode.Disposable, CitationMapState {
  private _panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private map: { version: number; map: Promise<CitationMap> } | undefined;
  private shownIds = new Set<string>();
  private _posted: CitationMapState['posted'];
  private _rendered: CitationMapState['rendered'];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The corpus changed while the panel was hidden: post the new map when it shows again. */
  private stale = false;
  private ready = false;

  constructor(private readonly deps: Deps) {
    this.disposables.push(
      vscode.commands.registerCommand(CommandIds.showCitationMap, () => this.show()),
      deps.service.onDidChange(() => this.corpusChanged()),
      // A map left open is there again after a reload of the window (activation event
      // onWebviewPanel:corpusCite.citationMap): the page is made anew, the map asked for again.
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel) => {
          if (this._panel) panel.dispose();
          else this.adopt(panel);
          return Promise.resolve();
        },
      }),
    );
  }

  get panel(): vscode.WebviewPanel | undefined {
    return this._panel;
  }
  get posted(): CitationMapState['posted'] {
    return this._posted;
  }
  get rendered(): CitationMapState['rendered'] {
    return this._rendered;
  }

  /** Opens the map (or brings it to the front). */
  show(): void {
    if (this._panel) {
      this._panel.reveal();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Citation Map'), vscode.ViewColumn.Active, this.options()));
  }

  /** The webview's options: scripts on (this panel only), files from dist/webview/ only. */
  private options(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.root()] };
  }
  private root(): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.context.extensionUri, 'dist', 'webview');
  }

  /** Takes a new or restored panel as the map's. */
  private adopt(panel: vscode.WebviewPanel): void {
    const root = this.root();
    panel.webview.options = this.options();
    panel.title = vscode.l10n.t('Citation Map');
    panel.iconPath = vscode.Uri.joinPath(this.deps.context.extensionUri, 'media', 'corpus.svg');
    this._panel = panel;
    this.ready = false;
    this._rendered = undefined;
    panel.webview.html = this.html(panel.webview, root);
    panel.onDidDispose(() => {
      this._panel = undefined;
      this.ready = false;
    }, null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m), null, this.disposables);
    panel.onDidChangeViewState(() => {
      if (panel.visible && this.stale) void this.post(true);
    }, null, this.disposables);
  }

  async receive(message: unknown): Promise<boolean> {
    const parsed = FromWebviewSchema.safeParse(message);
    if (!parsed.success) {
      this.deps.log.warn(`[map] refused a message from the webview: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
      return false;
    }
    const msg: FromWebview = parsed.data;
    switch (msg.type) {
      case 'ready':
        // A webview is rebuilt each time its tab shows again: post the map each time it asks.
        this.ready = true;
        await this.post(false);
        return true;
      case 'rendered':
        this._rendered = { nodes: msg.nodes, edges: msg.edges };
        return true;
      case 'error':
        this.deps.log.error(`[map] the webview could not draw the map: ${msg.message}`);
        return true;
      case 'reveal':
      case 'open': {
        const work = this.shownIds.has(msg.id) ? this.deps.service.corpus.byId.get(msg.id) : undefined;
        if (!work) {
          this.deps.log.warn(`[map] refused ${msg.type} of a work not on the map`);
          return false;
        }
        if (msg.type === 'open') {
          const loc = await definitionRange(work, this.deps.service);
          if (!loc) {
            note(vscode.l10n.t('{0} has no source file.', work['citation-label']));
            return true;
          }
          // Beside the map, which stays in view.
          await vscode.window.showTextDocument(loc.uri, { selection: loc.range, preview: true, viewColumn: vscode.ViewColumn.Beside });
          return true;
        }
        const { tree, view } = this.deps;
        let node = tree.findWorkNode(work.id);
        if (!node && tree.filter !== undefined) {
          tree.setFilter(undefined);
          node = tree.findWorkNode(work.id);
        }
        if (!node) {
          note(vscode.l10n.t('{0} is not in this grouping.', work['citation-label']));
          return true;
        }
        const target = node;
        await tree.whileRevealing(() => view.reveal(target, { select: true, focus: true, expand: true }));
        return true;
      }
    }
  }

  private corpusChanged(): void {
    if (!this._panel) return;
    if (!this._panel.visible) {
      this.stale = true;
      return;
    }
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.post(true);
    }, REFRESH_DELAY_MS);
  }

  /** The map of the corpus as it is now, asked of the index worker once per corpus version. */
  private currentMap(): Promise<CitationMap> {
    const { service } = this.deps;
    if (this.map?.version !== service.version) {
      const version = service.version;
      const t0 = performance.now();
      const map = service.citationMap().then((m) => {
        this.deps.log.info(
          `[map] ${m.nodes.length} of ${m.totalWorks} works, ${m.edges.length / 2} of ${m.totalEdges} links: graph ${m.buildMs.toFixed(1)} ms, layout ${m.layoutMs.toFixed(0)} ms (${m.layoutIterations} iterations) in the index worker, ${(performance.now() - t0).toFixed(0)} ms in all`,
        );
        return m;
      });
      map.catch(() => {
        if (this.map?.map === map) this.map = undefined; // asked again next time
      });
      this.map = { version, map };
    }
    return this.map.map;
  }

  private async post(refresh: boolean): Promise<void> {
    const panel = this._panel;
    if (!panel || !this.ready) return;
    this.stale = false;
    try {
      await this.deps.service.whenIndexed();
      const m = await this.currentMap();
      if (this._panel !== panel) return;
      const strings = this.strings(m);
      const message: ToWebview = {
        type: 'graph',
        refresh,
        strings,
        graph: { nodes: m.nodes, edges: m.edges, positions: Array.from(m.positions, (v) => Math.round(v * 100) / 100) },
      };
      this.shownIds = new Set(m.nodes.map((n) => n.id));
      this._posted = {
        nodes: m.nodes.map((n) => ({ id: n.id, kind: n.kind, citedBy: n.citedBy })),
        edges: Array.from({ length: m.edges.length / 2 }, (_, i) => [m.nodes[m.edges[2 * i]].id, m.nodes[m.edges[2 * i + 1]].id] as [string, string]),
        note: strings.note,
        totalWorks: m.totalWorks,
        linkedWorks: m.linkedWorks,
      };
      await panel.webview.postMessage(message);
    } catch (e) {
      this.deps.service.logError('[map] the citation map could not be made', e);
    }
  }

  private strings(m: CitationMap): MapStrings {
    const fmt = (n: number) => n.toLocaleString(vscode.env.language);
    const shown = m.nodes.length;
    const links = m.edges.length / 2;
    let text: string;
    if (m.linkedWorks === 0) text = vscode.l10n.t('{0} works in the corpus; none of them cites another.', fmt(m.totalWorks));
    else if (shown < m.linkedWorks)
      text = vscode.l10n.t(
        '{0} of {1} works shown: the {0} most connected of the {2} that cite or are cited (at most {3}), with {4} of {5} citation links.',
        fmt(shown),
        fmt(m.totalWorks),
        fmt(m.linkedWorks),
        fmt(m.maxNodes),
        fmt(links),
        fmt(m.totalEdges),
      );
    else text = vscode.l10n.t('{0} of {1} works shown: those that cite or are cited by another work ({2} citation links).', fmt(shown), fmt(m.totalWorks), fmt(links));
    return {
      search: vscode.l10n.t('Find a work on the map'),
      note: text,
      record: vscode.l10n.t('Record'),
      cited: vscode.l10n.t('Cited only'),
      citedBy: vscode.l10n.t('Cited by'),
      cites: vscode.l10n.t('Cites'),
      reveal: vscode.l10n.t('Reveal in Corpus View'),
      open: vscode.l10n.t('Open Source Record'),
      empty: vscode.l10n.t('No work of the corpus cites another one yet.'),
      noMatch: vscode.l10n.t('No work on the map matches.'),
      citedTimes: vscode.l10n.t('cited {0}× in the corpus'),
      shownOf: vscode.l10n.t('{0} of {1} on the map'),
      webglMissing: vscode.l10n.t('The map needs WebGL, which this window does not offer.'),
    };
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    const n = nonce();
    const js = webview.asWebviewUri(vscode.Uri.joinPath(root, 'citationMap.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(root, 'citationMap.css'));
    const csp = [`default-src 'none'`, `script-src 'nonce-${n}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
    const t = (s: string) => escapeHtml(s);
    return `<!DOCTYPE html>
<html lang="${t(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>${t(vscode.l10n.t('Citation Map'))}</title>
</head>
<body>
<div id="bar">
  <div id="searchBox"><input id="search" type="search" aria-label="${t(vscode.l10n.t('Find a work on the map'))}" placeholder="${t(vscode.l10n.t('Find a work on the map'))}"><ul id="matches" hidden></ul></div>
  <span id="note"></span>
  <span class="legend"><span><span class="dot record"></span>${t(vscode.l10n.t('Record'))}</span><span><span class="dot cited"></span>${t(vscode.l10n.t('Cited only'))}</span></span>
</div>
<div id="main">
  <div id="graph"><div id="tip" hidden></div><div id="empty" hidden></div></div>
  <aside id="side" hidden></aside>
</div>
<script nonce="${n}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this._panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
