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
import { manuscriptDocument } from './manuscriptDocument';

export function registerCoverageCommand(service: CorpusService, diagnostics: CitationDiagnostics): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.showUncitedWorks, async (arg?: unknown): Promise<string[] | undefined> => {
    const doc = await manuscriptDocument(arg);
    if (!doc) return undefined;
    await service.whenIndexed();
    const report = checkManuscript(doc.getText(), service.lookup);
    const records = service.works.filter((w) => headOf(w).role !== 'cited').length;
    const name = doc.uri.scheme === 'untitled' ? doc.uri.path : path.posix.basename(doc.uri.path);
    const content = uncitedReport(name, report, records, (m, ...args) => vscode.l10n.t(m, ...args));
    const reportDoc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    // The report names works in its table; it is not a manuscript to check or count.
    diagnostics.ignore(reportDoc.uri);
    await vscode.window.showTextDocument(reportDoc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return report.uncited.map((w) => w.id);
  });
}
