/** The Markdown document a writing command works on: a URI argument, else the active editor's. */
import * as vscode from 'vscode';
import { note } from './notes';

export async function manuscriptDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  const doc = vscode.window.activeTextEditor?.document ?? vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown')?.document;
  if (!doc || doc.languageId !== 'markdown') {
    note(vscode.l10n.t('open a Markdown manuscript first.'));
    return undefined;
  }
  return doc;
}
