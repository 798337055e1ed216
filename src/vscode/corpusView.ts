/**
 * The Corpus view itself: creates the tree view over the provider and keeps its header in step
 * with it — the message above the tree, the description (grouping and filter) and the context
 * keys that decide which title actions show.
 */
import * as vscode from 'vscode';
import type { CorpusService } from './corpusService';
import { CorpusTreeProvider, GROUPINGS, type Grouping, type TreeNode } from './corpusTreeProvider';
import { ContextKeys, ViewIds } from './ids';
import type { ManuscriptIndex } from './manuscriptIndex';

/** Filters longer than this are cut in the view's description (the message above the tree has them whole). */
const DESCRIPTION_FILTER_MAX = 24;

/** The view's description beside its title: the grouping and the filter, "by year · “peer support”". */
export function viewDescription(g: Grouping, filter: string | undefined): string {
  const by = GROUPINGS.find((x) => x.id === g)?.by ?? '';
  if (filter === undefined) return by;
  const chars = [...filter];
  let shown = filter;
  if (chars.length > DESCRIPTION_FILTER_MAX) {
    // Cut at a word's end when there is one: "a filter far longer…", not "… longer tha…".
    const cut = chars.slice(0, DESCRIPTION_FILTER_MAX - 1).join('');
    const space = chars[DESCRIPTION_FILTER_MAX - 1] === ' ' ? cut.length : cut.lastIndexOf(' ');
    shown = `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
  }
  return vscode.l10n.t('{0} · “{1}”', by, shown);
}

/** Creates the tree view and keeps its message, description and context keys in step with the provider. */
export function registerCorpusTree(service: CorpusService, context: vscode.ExtensionContext, manuscripts?: ManuscriptIndex): { provider: CorpusTreeProvider; view: vscode.TreeView<TreeNode>; disposable: vscode.Disposable } {
  const provider = new CorpusTreeProvider(service, context.workspaceState, manuscripts);
  const view = vscode.window.createTreeView(ViewIds.corpus, { treeDataProvider: provider.viewProvider(), showCollapseAll: true });
  const keys = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    if (keys.has(key) && keys.get(key) === value) return;
    keys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const update = () => {
    view.message = provider.message();
    view.description = viewDescription(provider.grouping, provider.filter);
    setContext(ContextKeys.filtered, provider.filter !== undefined);
    setContext(ContextKeys.state, service.state);
    setContext(ContextKeys.hasWorks, service.works.length > 0);
  };
  update();
  const sub = provider.onDidChangeView(update);
  provider.setVisible(view.visible);
  const shown = view.onDidChangeVisibility((e) => provider.setVisible(e.visible));
  return { provider, view, disposable: vscode.Disposable.from(sub, shown, view, provider) };
}
