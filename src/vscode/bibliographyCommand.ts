/**
 * "Insert or Update Bibliography": the works cited in the manuscript, formatted by citation-js in
 * the index worker (style from `corpusCite.bibliographyStyle`, Markdown), written between the
 * bibliography markers as one WorkspaceEdit, so a single undo takes it back and running the
 * command again replaces the block in place.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { bibliographyEdit, incompleteEntryNotes } from '../core/bibliographyBlock';
import { citedWorks } from '../core/manuscript';
import { readCitationMeta } from '../core/previewCitations';
import type { CorpusService } from './corpusService';
import { CommandIds } from './ids';
import { manuscriptDocument } from './manuscriptDocument';
import { ensureTrusted, note } from './notes';

/** What the command did; returned to callers (and tests). */
export type BibliographyResult = 'inserted' | 'updated' | 'unchanged' | 'no-citations' | 'refused' | 'failed';

export function registerBibliographyCommand(service: CorpusService, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.updateBibliography, async (arg?: unknown): Promise<BibliographyResult | undefined> => {
    const title = vscode.l10n.t('Insert or Update Bibliography');
    const doc = await manuscriptDocument(arg);
    if (!doc) return undefined;
    if (!ensureTrusted(title)) return 'refused';
    await service.whenIndexed();
    const works = citedWorks(doc.getText(), service.lookup);
    if (!works.length) {
      note(vscode.l10n.t('{0} cites no work of the corpus; no bibliography written.', vscode.workspace.asRelativePath(doc.uri)));
      return 'no-citations';
    }
    // The manuscript's own `csl:` wins, as in the preview and in Pandoc; a relative path is the manuscript's.
    const csl = readCitationMeta(doc.getText()).csl;
    const style = csl && doc.uri.scheme === 'file' && /\.csl$/i.test(csl) && !path.isAbsolute(csl) ? path.join(path.dirname(doc.uri.fsPath), csl) : (csl ?? service.settings.bibliographyStyle);
    let body: string;
    try {
      body = await service.exportText(works, 'bibliography', style, 'markdown');
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`[bibliography] formatting ${works.length} works failed: ${msg}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Corpus Cite: the bibliography could not be formatted ({0}).', msg));
      return 'failed';
    }
    // Entries that lack essentials say so, in a comment under the list.
    const notes = incompleteEntryNotes(works, (m, ...args) => vscode.l10n.t(m, ...args));
    if (notes.length) body = `${body.trimEnd()}\n\n${notes.join('\n')}`;
    // The edit is computed from the text as it is now (the user may have typed meanwhile).
    const text = doc.getText();
    const edit = bibliographyEdit(text, body);
    if (text.slice(edit.start, edit.end) === edit.newText) {
      note(vscode.l10n.t('the bibliography is up to date.'));
      return 'unchanged';
    }
    const replacing = edit.end > edit.start;
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(doc.positionAt(edit.start), doc.positionAt(edit.end)), edit.newText);
    if (!(await vscode.workspace.applyEdit(we))) return 'failed';
    log.info(`[bibliography] ${replacing ? 'updated' : 'inserted'} ${works.length} entries (${style}) in ${vscode.workspace.asRelativePath(doc.uri)}`);
    note(replacing ? vscode.l10n.t('updated the bibliography ({0} works).', works.length) : vscode.l10n.t('inserted a bibliography of {0} works.', works.length));
    return replacing ? 'updated' : 'inserted';
  });
}
