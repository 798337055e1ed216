/**
 * The composition root: the one place that creates the corpus service, the tree, the providers
 * and the commands, and hands each Disposable to the extension context. Everything else is a
 * thin adapter over the pure core in src/core/.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Work } from './core/model/model';
import { registerBibliographyCommand } from './vscode/bibliographyCommand';
import { registerCitationCodeActions } from './vscode/citationCodeActions';
import { CitationMapPanel, type CitationMapState } from './vscode/citationMapPanel';
import { registerCitationCodeLens } from './vscode/citationCodeLensProvider';
import { registerCitationCompletion } from './vscode/citationCompletionProvider';
import { registerCitationDefinition } from './vscode/citationDefinitionProvider';
import { CitationDiagnostics } from './vscode/citationDiagnostics';
import { registerCitationHover } from './vscode/citationHoverProvider';
import { registerCitationReferences } from './vscode/citationReferenceProvider';
import { registerCorpusCommands } from './vscode/corpusCommands';
import { CorpusFiles } from './vscode/corpusFiles';
import { CorpusIndexing } from './vscode/corpusIndexing';
import { CorpusProblems } from './vscode/corpusProblems';
import { CorpusService, type IndexState } from './vscode/corpusService';
import { CorpusSettings } from './vscode/corpusSettings';
import { CurrentCorpus } from './vscode/currentCorpus';
import { HostTiming, type LatencyFigures, type RequestSample, threadWaitClock } from './vscode/hostTiming';
import { IndexClient } from './vscode/indexClient';
import { WarmCache } from './vscode/warmCache';
import type { CorpusTreeProvider, Grouping, TreeNode } from './vscode/corpusTreeProvider';
import { registerCorpusTree } from './vscode/corpusView';
import { registerCoverageCommand } from './vscode/coverageCommand';
import { registerExportCommand } from './vscode/exportCommand';
import { LOG_CHANNEL, markdownSelector } from './vscode/ids';
import { ManuscriptIndex } from './vscode/manuscriptIndex';
import { registerMarkdownPreview } from './vscode/markdownPreview';
import { currentFilterPick } from './vscode/filterQuickPick';
import { CorpusStatusBar, type StatusBarSnapshot } from './vscode/statusBar';
import type { BootInfo } from './loader';

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
  readonly tree: Pick<CorpusTreeProvider, 'getChildren' | 'getTreeItem' | 'getParent' | 'setGrouping' | 'setFilter' | 'findWorkNode' | 'grouping' | 'filter' | 'whenReady'>;
  readonly treeView: vscode.TreeView<TreeNode>;
  /** Warnings about bad setting values now in force (each logged once). */
  readonly settingWarnings: readonly string[];
  /** How many setting warnings were logged since activation. */
  readonly settingWarningLines: number;
  /** Citations per work id across the workspace's Markdown files. */
  citationCounts(): Promise<ReadonlyMap<string, number>>;
  /** The warm-start cache file in the workspace storage (setting corpusCite.indexCache), if any. */
  readonly indexCacheFile: string | undefined;
  /** Durations of the last completion and hover requests inside the providers (p50 / p99 / max, ms). */
  requestLatency(): Record<string, LatencyFigures>;
  /** The last requests of a kind inside the providers: start (performance.now()), duration, time waited for a CPU when measured. */
  requestSamples(kind: string): readonly RequestSample[];
  /** Extension-host steps that held the event loop over 50 ms since the last read (also logged). */
  readonly slowSteps: { what: string; ms: number }[];
  /** What the Corpus status-bar item shows now. */
  readonly statusBar: StatusBarSnapshot;
  /** The Corpus view's live filter while it is open (command Filter…). */
  readonly filterPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
  /** The built-in Markdown preview's hook (`markdown.markdownItPlugins`): citations and the reference list. */
  extendMarkdownIt<T>(md: T): T;
  /** The citation map's panel (command Show Citation Map): what was posted to it and drawn. */
  readonly citationMap: CitationMapState;
}

export type { Grouping, TreeNode };

/** Called by the loader (src/loader.ts), which says in `boot` how it loaded this bundle. */
export function activate(context: vscode.ExtensionContext, boot?: BootInfo): CorpusCiteApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel(LOG_CHANNEL, { log: true });
  context.subscriptions.push(log);

  // The corpus parts (see corpusService.ts), each the one owner of its state, wired here.
  const settings = new CorpusSettings(log);
  // CORPUS_CITE_THREAD_WAIT (set by the host benchmark): each provider request also notes how long
  // this thread waited for a CPU, to tell a slow request from one that was not running.
  const timing = new HostTiming(log, undefined, process.env.CORPUS_CITE_THREAD_WAIT ? threadWaitClock() : undefined);
  const client = new IndexClient(path.join(context.extensionUri.fsPath, 'dist', 'indexWorker.js'), log, boot?.cacheDir);
  const warmCache = new WarmCache(client, log);
  const files = new CorpusFiles(context, settings, log);
  const current = new CurrentCorpus(client);
  const problems = new CorpusProblems(files, log);
  const indexing = new CorpusIndexing({ files, client, warmCache, current, problems, settings, timing, log });
  const service = new CorpusService({ context, log, settings, files, client, warmCache, indexing, current, timing });
  // Disposed in this order: nothing runs on once the indexing stops; the worker goes last but one.
  context.subscriptions.push(vscode.Disposable.from(service, indexing, warmCache, files, problems, current, client, settings));
  // Markdown in files, drafts, and the virtual file system of a virtual workspace.
  const folderSchemes = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme);
  const markdown = markdownSelector(folderSchemes);
  // Corpus files can be of any language: the CodeLens and references look them up by name.
  const corpusFiles = [...new Set(['file', ...folderSchemes])].map((scheme) => ({ scheme }));
  const manuscripts = new ManuscriptIndex(service);
  const diagnostics = new CitationDiagnostics(service, new Set(markdown.map((s) => s.scheme)));
  const tree = registerCorpusTree(service, context, manuscripts);
  const preview = registerMarkdownPreview(service, log);
  const statusBar = new CorpusStatusBar(service);
  const citationMap = new CitationMapPanel({ context, service, tree: tree.provider, view: tree.view, log });
  context.subscriptions.push(
    preview,
    statusBar,
    manuscripts,
    diagnostics,
    tree.disposable,
    registerCitationCompletion(service, markdown),
    registerCitationHover(service, markdown),
    registerCitationDefinition(markdown, service),
    registerCitationReferences([...markdown, ...corpusFiles], service, manuscripts),
    registerCitationCodeLens(corpusFiles, service, manuscripts),
    registerCitationCodeActions(markdown, service, diagnostics),
    registerCorpusCommands({ service, tree: tree.provider, view: tree.view, log }),
    registerBibliographyCommand(service, log),
    registerExportCommand(service, log),
    registerCoverageCommand(service, diagnostics),
    citationMap,
  );
  service.start();

  const tFirst = performance.now();
  log.info(`[activate] activated in ${(tFirst - t0).toFixed(1)} ms (indexing continues in the background)`);
  if (boot) {
    log.info(`[activate] bundle loaded in ${boot.compileMs.toFixed(1)} ms, code cache: ${boot.codeCache}`);
    void boot.whenCacheWritten.then((r) => {
      if (r) log.info(r.written ? `[activate] code cache written (${(r.bytes / 1024).toFixed(0)} KB) for the next start` : `[activate] code cache not written: ${r.reason}`);
    });
  }
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
    get settingWarnings() {
      return service.settingWarnings;
    },
    get settingWarningLines() {
      return service.settingWarningLines;
    },
    citationCounts: () => manuscripts.counts(),
    get indexCacheFile() {
      return service.cacheFile;
    },
    requestLatency: () => service.requestLatency(),
    requestSamples: (kind) => timing.requestSamples(kind),
    get slowSteps() {
      return service.takeSlowSteps();
    },
    get statusBar() {
      return statusBar.snapshot;
    },
    get filterPick() {
      return currentFilterPick();
    },
    extendMarkdownIt: (md) => preview.extendMarkdownIt(md),
    citationMap,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
