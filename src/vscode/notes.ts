/** How commands tell the user about routine outcomes and refusals, without modal popups. */
import * as vscode from 'vscode';

/** A short note in the status bar. */
export function note(text: string): void {
  vscode.window.setStatusBarMessage(vscode.l10n.t('Corpus Cite: {0}', text), 4000);
}

/**
 * Writing files is refused in an untrusted workspace (reading and indexing stay on): the command
 * says so and offers the workspace trust editor. (`workspace.requestWorkspaceTrust` is a
 * proposed API, not available to a published extension.) Returns whether to go on.
 */
export function ensureTrusted(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(vscode.l10n.t('{0}: Corpus Cite writes files only in a trusted workspace. Trust this workspace, then run the command again.', action), manage)
    .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
