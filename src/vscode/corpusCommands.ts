/**
 * The commands of the Corpus view and the palette. Work commands take the tree node they were
 * invoked on, a work id, or nothing (then the tree's selection, else a quick pick).
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { formatCitation } from '../core/render';
import { definitionRange } from './citationDefinitionProvider';
import { insideCitationGroup } from './citationText';
import { citationAtPosition } from './citationHoverProvider';
import type { CorpusService } from './corpusService';
import { type CorpusTreeProvider, GROUPINGS, type TreeNode } from './corpusTreeProvider';
import { showFilterPick } from './filterQuickPick';
import { CommandIds, ViewIds } from './ids';
import { note } from './notes';
import { pickWork as pickWorkFromCorpus } from './workQuickPick';

interface Deps {
  service: CorpusService;
  tree: CorpusTreeProvider;
  view: vscode.TreeView<TreeNode>;
  log: vscode.LogOutputChannel;
}

function isNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && 'type' in x && 'id' in x;
}


export function registerCorpusCommands({ service, tree, view, log }: Deps): vscode.Disposable {
  const pickWork = (title: string) => pickWorkFromCorpus(service, title);

  const workOf = async (arg: unknown, title: string): Promise<Work | undefined> => {
    if (isNode(arg) && arg.type === 'work') return arg.work;
    if (typeof arg === 'string') return service.corpus.byId.get(arg);
    const selected = view.visible ? view.selection.find((n) => n.type === 'work') : undefined;
    if (selected && selected.type === 'work') return selected.work;
    return pickWork(title);
  };

  const withWork = (title: string, fn: (w: Work) => Promise<void> | void) => async (arg: unknown) => {
    const w = await workOf(arg, title);
    if (!w) return;
    try {
      await fn(w);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`[command] ${title} for ${w.id} failed: ${msg}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Corpus Cite: {0} failed ({1}).', title, msg));
    }
  };

  const register = (id: string, fn: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, fn);

  return vscode.Disposable.from(
    register(CommandIds.groupBy, async (arg: unknown) => {
      if (typeof arg === 'string' && GROUPINGS.some((g) => g.id === arg)) {
        tree.setGrouping(arg as (typeof GROUPINGS)[number]['id']);
        return;
      }
      const pick = await vscode.window.showQuickPick(
        GROUPINGS.map((g) => ({ label: g.label, detail: g.detail, id: g.id, picked: g.id === tree.grouping, description: g.id === tree.grouping ? vscode.l10n.t('current') : undefined })),
        { title: vscode.l10n.t('Group the corpus by') },
      );
      if (pick) tree.setGrouping(pick.id);
    }),
    register(CommandIds.filter, async (arg: unknown) => {
      if (typeof arg === 'string') tree.setFilter(arg);
      else await showFilterPick(service, tree, view);
    }),
    // The same live filter, under the filled filter icon that says a filter is on.
    register(CommandIds.editFilter, () => showFilterPick(service, tree, view)),
    register(CommandIds.clearFilter, () => tree.setFilter(undefined)),
    register(CommandIds.revealCurrent, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return note(vscode.l10n.t('no editor is active.'));
      await service.whenIndexed();
      const hit = citationAtPosition(editor.document, editor.selection.active, service.lookup);
      if (!hit) return note(vscode.l10n.t('no known citation at the cursor.'));
      let node = tree.findWorkNode(hit.works[0].id);
      if (!node && tree.filter !== undefined) {
        tree.setFilter(undefined);
        node = tree.findWorkNode(hit.works[0].id);
      }
      if (!node) return note(vscode.l10n.t('{0} is not in this grouping.', hit.works[0]['citation-label']));
      const target = node;
      await tree.whileRevealing(() => view.reveal(target, { select: true, focus: false, expand: true }));
    }),
    register(
      CommandIds.insertCitation,
      withWork(vscode.l10n.t('Insert Citation'), async (w) => {
        const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
        if (!editor) return note(vscode.l10n.t('open a document to insert a citation into.'));
        const style = service.settings.citationStyle;
        await editor.edit((b) => {
          for (const sel of editor.selections) {
            const before = editor.document.lineAt(sel.start.line).text.slice(0, sel.start.character);
            b.replace(sel, formatCitation(w, style, { insideBrackets: insideCitationGroup(before, style) }));
          }
        });
        await vscode.window.showTextDocument(editor.document, editor.viewColumn);
      }),
    ),
    register(
      CommandIds.openSource,
      withWork(vscode.l10n.t('Open Source Record'), async (w) => {
        // Where go to definition leads: the record (the workspace's own copy first), else the
        // related or reference entry, else the sentence citing it.
        const loc = await definitionRange(w, service);
        if (!loc) return note(vscode.l10n.t('{0} has no source file.', w['citation-label']));
        await vscode.window.showTextDocument(loc.uri, { selection: loc.range, preview: true });
      }),
    ),
    register(
      CommandIds.copyCitation,
      withWork(vscode.l10n.t('Copy Citation'), async (w) => {
        const text = formatCitation(w, service.settings.citationStyle, { insideBrackets: false });
        await vscode.env.clipboard.writeText(text);
        note(vscode.l10n.t('copied {0}', text));
      }),
    ),
    register(
      CommandIds.copyBibtex,
      withWork(vscode.l10n.t('Copy BibTeX'), async (w) => {
        await vscode.env.clipboard.writeText(await service.exportText([w], 'bibtex'));
        note(vscode.l10n.t('copied the BibTeX of {0}', w['citation-label']));
      }),
    ),
    register(
      CommandIds.copyBibliographyEntry,
      withWork(vscode.l10n.t('Copy Bibliography Entry'), async (w) => {
        await vscode.env.clipboard.writeText((await service.exportText([w], 'bibliography', service.settings.bibliographyStyle)).trim());
        note(vscode.l10n.t('copied the {0} entry of {1}', service.settings.bibliographyStyle, w['citation-label']));
      }),
    ),
    register(
      CommandIds.openDoi,
      withWork(vscode.l10n.t('Open DOI'), async (w) => {
        const doi = w.DOI?.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
        if (!doi) return note(vscode.l10n.t('{0} has no DOI.', w['citation-label']));
        await vscode.env.openExternal(vscode.Uri.from({ scheme: 'https', authority: 'doi.org', path: `/${doi}` }));
      }),
    ),
    register(CommandIds.reindex, () => service.reindex()),
    register(CommandIds.openSampleCorpus, async () => {
      await service.openSampleCorpus();
      await service.whenIndexed();
      await vscode.commands.executeCommand(`${ViewIds.corpus}.focus`);
    }),
    register(CommandIds.closeSampleCorpus, async () => {
      await service.closeSampleCorpus();
      await service.whenIndexed();
    }),
    register(CommandIds.showLog, () => log.show(true)),
  );
}
