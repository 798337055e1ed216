/**
 * The composition root: the one place that creates the corpus service, the tree, the providers
 * and the commands, and hands each Disposable to the extension context. Everything else is a
 * thin adapter over the pure core in src/core/.
 */
import * as vscode from 'vscode';
import type { Work } from './core/model';
import { registerCitationCompletion } from './vscode/citationCompletionProvider';
import { registerCitationHover } from './vscode/citationHoverProvider';
import { registerCorpusCommands } from './vscode/corpusCommands';
import { CorpusService, type IndexState } from './vscode/corpusService';
import { type CorpusTreeProvider, type Grouping, type TreeNode, registerCorpusTree } from './vscode/corpusTreeProvider';
import { LOG_CHANNEL } from './vscode/ids';

/** What `activate` returns: used by the integration tests, and by other extensions if they like. */
export interface CorpusCiteApi {
  /** Resolves when no indexing is running or pending. */
  whenIndexed(): Promise<void>;
  /** Fires after every rebuild of the corpus. */
  readonly onDidChange: vscode.Event<void>;
  readonly works: readonly Work[];
  readonly state: IndexState;
  /** Files parsed in the worker thread and in the extension host (the fallback). */
  readonly parseStats: { readonly worker: number; readonly inProcess: number };
  readonly tree: Pick<CorpusTreeProvider, 'getChildren' | 'getTreeItem' | 'getParent' | 'setGrouping' | 'setFilter' | 'findWorkNode' | 'grouping' | 'filter'>;
  readonly treeView: vscode.TreeView<TreeNode>;
}

export type { Grouping, TreeNode };

export function activate(context: vscode.ExtensionContext): CorpusCiteApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel(LOG_CHANNEL, { log: true });
  context.subscriptions.push(log);

  const service = new CorpusService(context, log);
  context.subscriptions.push(service);
  const tree = registerCorpusTree(service, context);
  context.subscriptions.push(
    tree.disposable,
    registerCitationCompletion(service),
    registerCitationHover(service),
    registerCorpusCommands({ service, tree: tree.provider, view: tree.view, log }),
  );
  service.start();

  const tFirst = performance.now();
  log.info(`[activate] activated in ${(tFirst - t0).toFixed(1)} ms (indexing continues in the background)`);
  void service.whenIndexed().then(() => log.info(`[activate] first index ready ${(performance.now() - t0).toFixed(0)} ms after activation`));

  return {
    whenIndexed: () => service.whenIndexed(),
    onDidChange: service.onDidChange,
    get works() {
      return service.works;
    },
    get state() {
      return service.state;
    },
    get parseStats() {
      return service.parseStats;
    },
    tree: tree.provider,
    treeView: tree.view,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
