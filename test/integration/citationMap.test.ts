// The citation map in a real extension host: the command opens the panel, the graph posted to its
// webview is the fixture corpus's citation graph (checked against the works' own cites/citedBy),
// the webview draws it, and messages from the page are checked before anything is done.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { type Api as BaseApi, activate, settle, waitFor } from './helpers';

interface MapState {
  readonly panel: vscode.WebviewPanel | undefined;
  readonly posted: { nodes: { id: string; kind: string; citedBy: number }[]; edges: [string, string][]; note: string; totalWorks: number; linkedWorks: number } | undefined;
  readonly rendered: { nodes: number; edges: number } | undefined;
  receive(message: unknown): Promise<boolean>;
}
interface Api extends BaseApi {
  readonly citationMap: MapState;
  readonly works: readonly (BaseApi['works'][number] & { 'x-corpus': { cites: string[] } })[];
  readonly treeView: vscode.TreeView<{ type: string; work?: { id: string } }>;
}

let api: Api;

/** The corpus's citation links, `citing→cited`, read from the works as the tests see them. */
function corpusLinks(): Set<string> {
  const ids = new Set(api.works.map((w) => w.id));
  const out = new Set<string>();
  for (const w of api.works) {
    for (const c of w['x-corpus'].cites) if (ids.has(c) && c !== w.id) out.add(`${w.id}→${c}`);
    for (const b of w['x-corpus'].citedBy) if (ids.has(b) && b !== w.id) out.add(`${b}→${w.id}`);
  }
  return out;
}

describe('Citation map', function () {
  this.timeout(120_000);

  before(async () => {
    api = (await activate()).api as Api;
    await settle(api);
  });

  after(async () => {
    api.citationMap.panel?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a panel with the corpus as a graph: its works and citation links', async () => {
    await vscode.commands.executeCommand('corpusCite.showCitationMap');
    const panel = await waitFor('the map panel', () => api.citationMap.panel);
    assert.strictEqual(panel.viewType, 'corpusCite.citationMap');
    assert.strictEqual(panel.webview.options.enableScripts, true);
    const roots = (panel.webview.options.localResourceRoots ?? []).map((u) => u.path);
    assert.strictEqual(roots.length, 1);
    assert.match(roots[0], /\/dist\/webview$/);
    const posted = await waitFor('the graph posted to the webview', () => api.citationMap.posted, 60_000);
    const want = corpusLinks();
    assert.ok(want.size >= 10, `the fixture corpus has ${want.size} citation links`);
    assert.deepStrictEqual(posted.edges.map(([s, t]) => `${s}→${t}`).sort(), [...want].sort());
    const linked = new Set([...want].flatMap((e) => e.split('→')));
    assert.deepStrictEqual(posted.nodes.map((n) => n.id).sort(), [...linked].sort());
    assert.strictEqual(posted.totalWorks, api.works.length);
    // Records and cited-only works both, as the corpus says.
    for (const n of posted.nodes) assert.strictEqual(n.kind, api.works.find((w) => w.id === n.id)!['x-corpus'].kind, n.id);
    assert.ok(posted.nodes.some((n) => n.kind === 'cited') && posted.nodes.some((n) => n.kind === 'record'));
    assert.match(posted.note, new RegExp(`^${linked.size} of ${api.works.length} works shown`));
  });

  it('is drawn by the webview (sigma), every node and edge', async function () {
    const rendered = await waitFor('the webview to draw the map', () => api.citationMap.rendered, 60_000).catch(() => undefined);
    if (!rendered) {
      // A browser without WebGL cannot draw it: the page says so (logged), nothing else to check.
      this.skip();
    }
    const posted = api.citationMap.posted!;
    assert.deepStrictEqual(rendered, { nodes: posted.nodes.length, edges: posted.edges.length });
  });

  it('refuses messages of the wrong shape, and works that are not on the map', async () => {
    const m = api.citationMap;
    assert.strictEqual(await m.receive({ type: 'open' }), false);
    assert.strictEqual(await m.receive({ type: 'run', command: 'workbench.action.terminal.new' }), false);
    assert.strictEqual(await m.receive({ type: 'reveal', id: 'no-such-work' }), false);
    assert.strictEqual(await m.receive('reveal'), false);
    const onMap = m.posted!.nodes[0].id;
    assert.strictEqual(await m.receive({ type: 'reveal', id: onMap, command: 'workbench.action.terminal.new' }), false, 'extra fields are refused');
    assert.strictEqual(await m.receive({ type: 'open', id: 42 }), false);
    const offMap = api.works.find((w) => !m.posted!.nodes.some((n) => n.id === w.id));
    assert.ok(offMap, 'a work without citation links is not on the map');
    assert.strictEqual(await m.receive({ type: 'reveal', id: offMap.id }), false);
  });

  it('reveals a work of the map in the Corpus view, and opens its source record beside the map', async () => {
    const m = api.citationMap;
    const record = m.posted!.nodes.find((n) => n.kind === 'record')!;
    assert.strictEqual(await m.receive({ type: 'reveal', id: record.id }), true);
    await waitFor('the work selected in the Corpus view', () => api.treeView.selection.some((n) => n.type === 'work' && n.work?.id === record.id));
    assert.strictEqual(await m.receive({ type: 'open', id: record.id }), true);
    const editor = await waitFor('the source record open', () => vscode.window.activeTextEditor);
    assert.match(editor.document.uri.path, /\/corpus\//);
    assert.ok(m.panel, 'the map stays open');
  });

  it('refreshes when the corpus changes', async () => {
    const before = api.citationMap.posted;
    let changed = false;
    const sub = api.onDidChange(() => (changed = true));
    try {
      await vscode.commands.executeCommand('corpusCite.reindex');
      await waitFor('a rebuild', () => changed, 60_000);
      await api.whenIndexed();
      await waitFor('a new graph posted', () => api.citationMap.posted !== before, 30_000);
    } finally {
      sub.dispose();
    }
    assert.deepStrictEqual(api.citationMap.posted!.edges.length, before!.edges.length);
  });

  // Runs in a host started with a Chinese display language (npm run test:integration:zh).
  describe('in Simplified Chinese (zh-cn host)', () => {
    before(function () {
      if (vscode.env.language !== 'zh-cn') this.skip();
    });

    it('says what the map shows in Chinese', async () => {
      await vscode.commands.executeCommand('corpusCite.showCitationMap');
      const posted = await waitFor('the graph posted to the webview', () => api.citationMap.posted, 60_000);
      assert.strictEqual(api.citationMap.panel?.title, '引用关系图');
      assert.match(posted.note, new RegExp(`^显示 ${api.works.length} 篇文献中的 ${posted.nodes.length} 篇`));
      assert.doesNotMatch(posted.note, /works shown/);
    });
  });
});
