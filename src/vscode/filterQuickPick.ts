/**
 * The Corpus view's live filter: a quick pick that lists the matching works as the user types
 * (the search index's ranking, as in completion). Enter on the first row filters the tree to
 * every match (and the tree opens its groups when the matches are few); a work row reveals that
 * work in the tree, selected and open. An empty value with Enter clears the filter; Escape
 * leaves the tree as it was.
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import type { CorpusService } from './corpusService';
import type { CorpusTreeProvider, TreeNode } from './corpusTreeProvider';
import { note } from './notes';
import { workPickItems } from './workQuickPick';

/** Works counted for the filter row's "N works" (the tree shows as many at most). */
const COUNT_LIMIT = 5000;

type FilterItem = vscode.QuickPickItem & { action: 'filter' | 'clear' | 'work'; work?: Work };

/** The filter pick now open (the integration tests drive it), if any. */
let openPick: vscode.QuickPick<FilterItem> | undefined;
export function currentFilterPick(): vscode.QuickPick<vscode.QuickPickItem> | undefined {
  return openPick;
}

function filterItems(service: CorpusService, tree: CorpusTreeProvider, value: string): FilterItem[] {
  const text = value.trim();
  if (!text) {
    const clear: FilterItem[] = tree.filter !== undefined ? [{ action: 'clear', label: `$(clear-all) ${vscode.l10n.t('Clear the filter')}`, description: `“${tree.filter}”`, alwaysShow: true }] : [];
    return [...clear, ...workPickItems(service, '').map((i): FilterItem => ({ ...i, action: 'work' }))];
  }
  const r = service.search.search(text, COUNT_LIMIT);
  const n = r.results.length;
  const works = workPickItems(service, text).map((i): FilterItem => ({ ...i, action: 'work' }));
  const row: FilterItem = {
    action: 'filter',
    label: `$(filter) ${vscode.l10n.t('Filter the tree: “{0}”', text)}`,
    description: n === 0 ? vscode.l10n.t('no work matches') : n === 1 ? vscode.l10n.t('1 work') : vscode.l10n.t('{0} works', `${n.toLocaleString(vscode.env.language)}${r.incomplete ? '+' : ''}`),
    alwaysShow: true,
  };
  if (!works.length) return [row];
  return [row, { action: 'work', label: vscode.l10n.t('Works'), kind: vscode.QuickPickItemKind.Separator }, ...works];
}

/** Opens the live filter over the tree shown in `view`. */
export async function showFilterPick(service: CorpusService, tree: CorpusTreeProvider, view: vscode.TreeView<TreeNode>): Promise<void> {
  openPick?.dispose();
  const qp = vscode.window.createQuickPick<FilterItem>();
  openPick = qp;
  qp.title = vscode.l10n.t('Filter the corpus');
  qp.placeholder = vscode.l10n.t('Author, year, title words, journal, keyword or DOI — Enter filters the tree, a work is revealed in it');
  // The search index ranks and matches; the quick pick's own filter would hide its mid-word hits.
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  qp.value = tree.filter ?? '';
  qp.items = filterItems(service, tree, qp.value);
  const clearButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('clear-all'), tooltip: vscode.l10n.t('Clear the filter') };
  qp.buttons = tree.filter !== undefined ? [clearButton] : [];
  const done = new Promise<{ item: FilterItem | undefined; value: string } | undefined>((resolve) => {
    qp.onDidChangeValue((v) => {
      qp.items = filterItems(service, tree, v);
    });
    qp.onDidTriggerButton((b) => {
      if (b !== clearButton) return;
      resolve({ item: { action: 'clear', label: '' }, value: '' });
      qp.hide();
    });
    qp.onDidAccept(() => {
      resolve({ item: qp.selectedItems[0] ?? qp.activeItems[0], value: qp.value });
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
      if (openPick === qp) openPick = undefined;
    });
  });
  qp.show();
  const chosen = await done;
  if (!chosen) return;
  const { item, value } = chosen;
  if (item?.action === 'work' && item.work) return revealWork(tree, view, item.work);
  if (item?.action === 'clear' || !value.trim()) return tree.setFilter(undefined);
  tree.setFilter(value);
}

/** Selects a work in the tree and opens it (the filter is cleared when it hides the work). */
export async function revealWork(tree: CorpusTreeProvider, view: vscode.TreeView<TreeNode>, work: Work): Promise<void> {
  await tree.whenReady();
  let node = tree.findWorkNode(work.id);
  if (!node && tree.filter !== undefined) {
    tree.setFilter(undefined);
    await tree.whenReady();
    node = tree.findWorkNode(work.id);
  }
  if (!node) return note(vscode.l10n.t('{0} is not in this grouping.', work['citation-label']));
  const target = node;
  await tree.whileRevealing(() => view.reveal(target, { select: true, focus: true, expand: true }));
}
