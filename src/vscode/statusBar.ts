/**
 * What the user sees of indexing outside the editor: a status-bar item that counts while the
 * corpus is indexed ("$(sync~spin) Corpus: indexing 3,412 / 7,200 files", then "… works") and
 * says how many works it holds once ready ("$(book) Corpus: 7,200 works"; a click shows the
 * Corpus view), and the Corpus view's own progress bar for as long as a run lasts.
 *
 * Decisions: the item sits on the left (it is about the workspace, not the active editor);
 * with no corpus files it shows only while a Markdown editor is active (it then leads to the
 * view's welcome, which says how to add records), and hides elsewhere so that a workspace
 * without citations does not carry it. Progress comes often (once per file); the text is
 * updated at most every 100 ms, the state changes at once.
 */
import * as vscode from 'vscode';
import type { CorpusService, IndexProgress, IndexState } from './corpusService';
import { ViewIds } from './ids';

/** Least time between two progress texts, ms. */
const UPDATE_MS = 100;

/** What the item shows now (the integration tests read it through the extension's API). */
export interface StatusBarSnapshot {
  readonly text: string;
  readonly tooltip: string;
  readonly command: string | undefined;
  readonly visible: boolean;
}

/** "3,412" in the display language's digits and grouping. */
function count(n: number): string {
  return n.toLocaleString(vscode.env.language);
}

/** The item's text and tooltip for a state and progress (undefined: hidden). */
export function statusText(state: IndexState, progress: IndexProgress | undefined, works: number, files: number, problems: number): { text: string; tooltip: string } {
  if (state === 'indexing') {
    const spin = '$(sync~spin)';
    switch (progress?.phase) {
      case 'files':
        return {
          text: `${spin} ${vscode.l10n.t('Corpus: indexing {0} / {1} files', count(progress.done), count(progress.total))}`,
          tooltip: vscode.l10n.t('Corpus Cite is reading the corpus files; completion answers from what is already indexed.'),
        };
      case 'works':
        return {
          text: `${spin} ${vscode.l10n.t('Corpus: indexing {0} / {1} works', count(progress.done), count(progress.total))}`,
          tooltip: vscode.l10n.t('Corpus Cite is taking in the works of the new index; completion answers from the previous one until then.'),
        };
      case 'building':
        return { text: `${spin} ${vscode.l10n.t('Corpus: merging records…')}`, tooltip: vscode.l10n.t('Corpus Cite is merging the records into works and building the search index.') };
      case 'searching':
        return { text: `${spin} ${vscode.l10n.t('Corpus: looking for corpus files…')}`, tooltip: vscode.l10n.t('Corpus Cite is looking for the files the setting corpusCite.corpus names.') };
      default:
        return { text: `${spin} ${vscode.l10n.t('Corpus: indexing…')}`, tooltip: vscode.l10n.t('Corpus Cite is indexing the corpus.') };
    }
  }
  if (state === 'empty') return { text: `$(book) ${vscode.l10n.t('Corpus: no files')}`, tooltip: vscode.l10n.t('No corpus files in this workspace. Click to see how to add some.') };
  const text = `$(book) ${works === 1 ? vscode.l10n.t('Corpus: 1 work') : vscode.l10n.t('Corpus: {0} works', count(works))}`;
  const what = files === 1 ? vscode.l10n.t('{0} works from 1 corpus file', count(works)) : vscode.l10n.t('{0} works from {1} corpus files', count(works), count(files));
  const trouble = problems ? ` ${problems === 1 ? vscode.l10n.t('1 problem: see the Problems panel.') : vscode.l10n.t('{0} problems: see the Problems panel.', count(problems))}` : '';
  return { text, tooltip: `${vscode.l10n.t('Corpus Cite: {0}.', what)}${trouble} ${vscode.l10n.t('Click to show the Corpus view.')}` };
}

export class CorpusStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastUpdate = 0;
  /** Ends the view's progress bar (set while one is shown). */
  private endViewProgress: (() => void) | undefined;
  private visible = false;

  constructor(private readonly service: CorpusService) {
    this.item = vscode.window.createStatusBarItem('corpusCite.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Corpus Cite');
    this.item.command = { command: `${ViewIds.corpus}.focus`, title: vscode.l10n.t('Show the Corpus view') };
    this.disposables.push(
      this.item,
      service.onDidChangeState((s) => this.onState(s)),
      service.onDidChange(() => this.update()),
      service.onDidProgress(() => this.throttled()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      { dispose: () => this.timer && clearTimeout(this.timer) },
    );
    this.onState(service.state);
  }

  /** What the item shows now. */
  get snapshot(): StatusBarSnapshot {
    const cmd = this.item.command;
    return { text: this.item.text, tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : String(this.item.tooltip?.value ?? ''), command: typeof cmd === 'string' ? cmd : cmd?.command, visible: this.visible };
  }

  private onState(state: IndexState): void {
    if (state === 'indexing' && !this.endViewProgress) {
      // The view's progress bar (and the busy mark on its activity-bar icon) for the whole run.
      void vscode.window.withProgress({ location: { viewId: ViewIds.corpus } }, () => new Promise<void>((resolve) => (this.endViewProgress = resolve)));
    } else if (state !== 'indexing' && this.endViewProgress) {
      this.endViewProgress();
      this.endViewProgress = undefined;
    }
    this.update();
  }

  /** Progress texts at most every UPDATE_MS, the last one always shown. */
  private throttled(): void {
    if (this.timer) return;
    const wait = UPDATE_MS - (Date.now() - this.lastUpdate);
    if (wait <= 0) return this.update();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, wait);
  }

  private update(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastUpdate = Date.now();
    const s = this.service;
    const { text, tooltip } = statusText(s.state, s.progress, s.works.length, s.fileCount, s.corpus.problems.length);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `${text.replace(/\$\([^)]*\)\s*/g, '')}. ${tooltip}`, role: 'button' };
    const show = s.state !== 'empty' || vscode.window.activeTextEditor?.document.languageId === 'markdown';
    if (show !== this.visible) {
      this.visible = show;
      if (show) this.item.show();
      else this.item.hide();
    }
  }

  dispose(): void {
    this.endViewProgress?.();
    this.endViewProgress = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
