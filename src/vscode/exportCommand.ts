/**
 * "Export Cited Works": the works cited in the manuscript as CSL-JSON (for Pandoc), BibTeX or
 * RIS, made in the index worker and written atomically (temporary file beside the target, then
 * rename): a failure leaves the old file as it was. The extension never writes a corpus file: a
 * target that is one is refused, and an export target is never indexed (even `refs.bib`).
 * Arguments (all optional): format, target URI (tests pass it instead of the save dialog),
 * manuscript URI.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { type AtomicFileSystem, WriteRefused, writeAtomically, writeFileAtomicAsync } from '../core/io/atomic';
import { problemMessage } from '../core/model/problemText';
import { citedWorks } from '../core/manuscript/manuscript';
import type { CorpusService } from './corpusService';
import { CommandIds } from './ids';
import { manuscriptDocument } from './manuscriptDocument';
import { ensureTrusted, note } from './notes';

export type ExportKind = 'csl-json' | 'bibtex' | 'ris';

const FORMATS: readonly { id: ExportKind; label: string; ext: string; filter: string }[] = [
  { id: 'csl-json', label: 'CSL-JSON', ext: 'json', filter: 'CSL-JSON' },
  { id: 'bibtex', label: 'BibTeX', ext: 'bib', filter: 'BibTeX' },
  { id: 'ris', label: 'RIS', ext: 'ris', filter: 'RIS' },
];

/** Other schemes (virtual workspaces): the workspace file system. */
const workspaceFs: AtomicFileSystem<vscode.Uri> = {
  writeFile: async (u, data) => vscode.workspace.fs.writeFile(u, data),
  rename: async (from, to) => vscode.workspace.fs.rename(from, to, { overwrite: true }),
  delete: async (u) => vscode.workspace.fs.delete(u, { useTrash: false }),
  sibling: (u, name) => vscode.Uri.joinPath(u, '..', name),
  basename: (u) => path.posix.basename(u.path),
};

/** Writes `text` to `target` atomically. */
export async function writeTextAtomically(target: vscode.Uri, text: string): Promise<void> {
  const data = new TextEncoder().encode(text);
  if (target.scheme === 'file') await writeFileAtomicAsync(target.fsPath, data);
  else await writeAtomically(workspaceFs, target, data);
}

async function isDirectory(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

export function registerExportCommand(service: CorpusService, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.exportCitedWorks, async (formatArg?: unknown, targetArg?: unknown, docArg?: unknown): Promise<vscode.Uri | undefined> => {
    const title = vscode.l10n.t('Export Cited Works');
    const doc = await manuscriptDocument(docArg);
    if (!doc) return undefined;
    if (!ensureTrusted(title)) return undefined;
    await service.whenIndexed();
    const works = citedWorks(doc.getText(), service.lookup);
    if (!works.length) {
      note(vscode.l10n.t('{0} cites no work of the corpus; nothing to export.', vscode.workspace.asRelativePath(doc.uri)));
      return undefined;
    }

    let format = FORMATS.find((f) => f.id === formatArg);
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        FORMATS.map((f) => ({ label: f.label, description: `.${f.ext}`, format: f })),
        { title, placeHolder: vscode.l10n.t('Export the {0} works cited in {1} as', works.length, vscode.workspace.asRelativePath(doc.uri)) },
      );
      if (!pick) return undefined;
      format = pick.format;
    }

    let target = targetArg instanceof vscode.Uri ? targetArg : typeof targetArg === 'string' ? vscode.Uri.file(targetArg) : undefined;
    if (!target) {
      const base = path.posix.basename(doc.uri.path).replace(/\.[^.]*$/, '') || 'references';
      const defaultUri = doc.uri.scheme === 'untitled' ? undefined : vscode.Uri.joinPath(doc.uri, '..', `${base}.${format.ext}`);
      target = await vscode.window.showSaveDialog({ title, defaultUri, filters: { [format.filter]: [format.ext] }, saveLabel: vscode.l10n.t('Export') });
      if (!target) return undefined;
    }

    const fail = (message: string) => {
      log.error(`[export] ${target!.toString(true)}: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Corpus Cite: could not export to {0} ({1}).', vscode.workspace.asRelativePath(target!), message));
      return undefined;
    };
    if (service.isCorpusFile(target)) {
      return fail(vscode.l10n.t('it is a corpus file, and Corpus Cite never overwrites those; choose another name'));
    }
    if (await isDirectory(target)) return fail(vscode.l10n.t('it is a folder'));

    try {
      const text = await service.exportText(works, format.id);
      // An export is an output: never indexed, even where a corpus glob matches it.
      await service.markAsOutput(target);
      await writeTextAtomically(target, text);
    } catch (e) {
      return fail(e instanceof WriteRefused ? problemMessage(e.text, (m, ...a) => vscode.l10n.t(m, ...a)) : e instanceof Error ? e.message : String(e));
    }
    log.info(`[export] ${works.length} works as ${format.label} to ${target.toString(true)}`);
    note(vscode.l10n.t('exported {0} works as {1} to {2}.', works.length, format.label, vscode.workspace.asRelativePath(target)));
    return target;
  });
}
