/**
 * "Show Works Never Cited" (coverage, for systematic reviews): a Markdown report, opened beside
 * the manuscript, of the corpus records the manuscript does not cite. Returns the ids listed.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { uncitedReport } from '../core/coverage';
import { checkManuscript } from '../core/manuscript';
import { headOf } from '../core/workStore';
import type { CitationDiagnostics } from './citationDiagnostics';
import type { CorpusService } from './corpusService';
import { CommandIds } from './ids';
import { manuscriptDocument, markAsReport } from './manuscriptDocument';

export function registerCoverageCommand(service: CorpusService, diagnostics: CitationDiagnostics): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.showUncitedWorks, async (arg?: unknown): Promise<string[] | undefined> => {
    const doc = await manuscriptDocument(arg);
    if (!doc) return undefined;
    await service.whenIndexed();
    const report = checkManuscript(doc.getText(), service.lookup);
    const records = service.works.filter((w) => headOf(w).role !== 'cited').length;
    const name = doc.uri.scheme === 'untitled' ? doc.uri.path : path.posix.basename(doc.uri.path);
    const content = uncitedReport(name, report, records, (m, ...args) => vscode.l10n.t(m, ...args));
    // An untitled document with a name, so its tab says what it is ("Works never cited in
    // review.md", the report's own extension), not the first line with its Markdown escapes;
    // saving it proposes that name beside the manuscript.
    const title = vscode.l10n.t('Works never cited in {0}', name.replace(/\.(?:md|markdown)$/i, '')).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
    const dir = doc.uri.scheme === 'file' ? path.dirname(doc.uri.fsPath) : undefined;
    const reportUri = dir ? vscode.Uri.file(path.join(dir, `${title}.md`)).with({ scheme: 'untitled' }) : undefined;
    const reportDoc = reportUri ? await vscode.workspace.openTextDocument(reportUri) : await vscode.workspace.openTextDocument({ language: 'markdown', content });
    if (reportUri) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(reportDoc.uri, new vscode.Range(0, 0, reportDoc.lineCount, 0), content);
      await vscode.workspace.applyEdit(edit);
      if (reportDoc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(reportDoc, 'markdown');
    }
    // The report names works in its table; it is not a manuscript to check, count or export.
    markAsReport(reportDoc.uri, doc.uri);
    diagnostics.ignore(reportDoc.uri);
    await vscode.window.showTextDocument(reportDoc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return report.uncited.map((w) => w.id);
  });
}
