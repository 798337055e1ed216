/**
 * "cited N× in Markdown" above each line of a corpus file that names a work (its record, a
 * related paper, a reference-list entry); clicking it lists the citations. Counts come from the
 * manuscript index and are resolved only for the lenses on screen.
 */
import * as vscode from 'vscode';
import type { CorpusService } from './corpusService';
import type { ManuscriptIndex } from './manuscriptIndex';

class WorkLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly uri: vscode.Uri,
    readonly workId: string,
    readonly label: string,
  ) {
    super(range);
  }
}

/** "cited once", "cited 3 times", "not cited yet". */
export function citedTimes(n: number): string {
  if (n === 0) return vscode.l10n.t('not cited in Markdown yet');
  if (n === 1) return vscode.l10n.t('cited once in Markdown');
  return vscode.l10n.t('cited {0} times in Markdown', n);
}

export class CitationCodeLensProvider implements vscode.CodeLensProvider<WorkLens> {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly service: CorpusService,
    private readonly manuscripts: ManuscriptIndex,
  ) {
    this.disposables = [this._onDidChange, service.onDidChange(() => this._onDidChange.fire()), manuscripts.onDidChangeCounts(() => this._onDidChange.fire())];
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<WorkLens[]> {
    const entries = await this.service.workEntries(document.uri);
    if (!entries.length) return [];
    const out: WorkLens[] = [];
    for (const e of entries) {
      const line = e.line - 1;
      if (line >= document.lineCount) continue;
      out.push(new WorkLens(new vscode.Range(line, 0, line, 0), document.uri, e.workId, e.label));
    }
    return out;
  }

  async resolveCodeLens(lens: WorkLens, token: vscode.CancellationToken): Promise<WorkLens> {
    const uses = await this.manuscripts.usesOf(lens.workId);
    if (token.isCancellationRequested) return lens;
    const title = `${lens.label}: ${citedTimes(uses.length)}`;
    lens.command = uses.length
      ? {
          title,
          command: 'editor.action.showReferences',
          arguments: [lens.uri, lens.range.start, uses.map((u) => new vscode.Location(u.uri, new vscode.Range(u.citation.line, u.citation.start, u.citation.line, u.citation.end)))],
          tooltip: vscode.l10n.t('Show the citations of {0}', lens.label),
        }
      : { title, command: '' };
    return lens;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerCitationCodeLens(selector: vscode.DocumentSelector, service: CorpusService, manuscripts: ManuscriptIndex): vscode.Disposable {
  const provider = new CitationCodeLensProvider(service, manuscripts);
  return vscode.Disposable.from(provider, vscode.languages.registerCodeLensProvider(selector, provider));
}
