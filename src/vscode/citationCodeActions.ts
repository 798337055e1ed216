/**
 * Quick fixes for an unknown citation: replace it with one of the nearest works (in the same
 * form: `@id` stays Pandoc, author–date text stays author–date), or search the corpus in a quick
 * pick (command `corpusCite.replaceCitation`, also callable with a work id).
 */
import * as vscode from 'vscode';
import { citationReplacement, nearestFixes } from '../core/manuscript/citationFixes';
import type { ManuscriptCitation } from '../core/manuscript/manuscript';
import type { CitationDiagnostics } from './citationDiagnostics';
import type { CorpusService } from './corpusService';
import { CommandIds, DIAGNOSTIC_SOURCE, UNKNOWN_CITATION_CODE } from './ids';
import { note } from './notes';
import { pickWork } from './workQuickPick';

export class CitationCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly service: CorpusService,
    private readonly diagnostics: CitationDiagnostics,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE || d.code !== UNKNOWN_CITATION_CODE) continue;
      const c = this.diagnostics.citationAt(doc, d.range);
      if (!c) continue;
      const rangeText = doc.getText(d.range);
      nearestFixes(c, rangeText, this.service.works).forEach((fix, i) => {
        const action = new vscode.CodeAction(vscode.l10n.t('Replace with {0} ({1})', fix.text, fix.work['citation-label']), vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, d.range, fix.text);
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        out.push(action);
      });
      const search = new vscode.CodeAction(vscode.l10n.t('Search the corpus…'), vscode.CodeActionKind.QuickFix);
      search.command = { command: CommandIds.replaceCitation, title: search.title, arguments: [doc.uri, d.range, c] };
      search.diagnostics = [d];
      out.push(search);
    }
    return out;
  }
}

/**
 * `corpusCite.replaceCitation(uri, range, citation, workId?)`: replaces the citation at `range`
 * by a citation of the work `workId`, or of the work the user picks.
 */
export function registerReplaceCitationCommand(service: CorpusService): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.replaceCitation, async (uri: vscode.Uri, range: vscode.Range, citation: ManuscriptCitation, workId?: string) => {
    if (!(uri instanceof vscode.Uri) || !(range instanceof vscode.Range) || !citation) return false;
    const doc = await vscode.workspace.openTextDocument(uri);
    const before = doc.getText(range);
    // Pre-fill the search with what is likely right in the citation: the name, not the year.
    const query = citation.kind === 'pandoc' ? citation.key.replace(/\d+[a-z]?$/, '') : (citation.authors?.[0] ?? '');
    const work = workId ? service.corpus.byId.get(workId) : await pickWork(service, vscode.l10n.t('Replace {0} with', before), query);
    if (!work) return false;
    if (doc.getText(range) !== before) {
      note(vscode.l10n.t('the citation changed meanwhile; nothing replaced.'));
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, range, citationReplacement(citation, before, work));
    return vscode.workspace.applyEdit(edit);
  });
}

export function registerCitationCodeActions(selector: vscode.DocumentSelector, service: CorpusService, diagnostics: CitationDiagnostics): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerCodeActionsProvider(selector, new CitationCodeActionProvider(service, diagnostics), { providedCodeActionKinds: CitationCodeActionProvider.kinds }),
    registerReplaceCitationCommand(service),
  );
}
