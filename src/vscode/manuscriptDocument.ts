/**
 * The Markdown document a writing command works on: a URI argument, else the active editor's.
 * A report the extension opened (Works Never Cited) is never the manuscript: with one active,
 * the command works on the manuscript the report was made from.
 */
import * as vscode from 'vscode';
import { note } from './notes';

/** Report document URI → the manuscript it reports on. */
const reports = new Map<string, vscode.Uri>();

/** Remembers a report the extension wrote and the manuscript it is about. */
export function markAsReport(report: vscode.Uri, manuscript: vscode.Uri): void {
  reports.set(report.toString(), manuscript);
}

export function isReport(uri: vscode.Uri): boolean {
  return reports.has(uri.toString());
}

export async function manuscriptDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  const isManuscript = (d: vscode.TextDocument | undefined) => !!d && d.languageId === 'markdown' && !isReport(d.uri);
  const active = vscode.window.activeTextEditor?.document;
  const source = active && reports.get(active.uri.toString());
  let doc: vscode.TextDocument | undefined;
  if (isManuscript(active)) doc = active;
  else if (source) doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString()) ?? (await vscode.workspace.openTextDocument(source).then(undefined, () => undefined));
  else if (!active) doc = vscode.window.visibleTextEditors.find((e) => isManuscript(e.document))?.document;
  if (!doc || !isManuscript(doc)) {
    note(vscode.l10n.t('open a Markdown manuscript first.'));
    return undefined;
  }
  return doc;
}
