/**
 * The commands of the Corpus view and the palette. Work commands take the tree node they were
 * invoked on, a work id, or nothing (then the tree's selection, else a quick pick).
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { formatCitation, renderPlain } from '../core/render';
import { insideCitationGroup } from './citationText';
import { citationAtPosition } from './citationHoverProvider';
import type { CorpusService } from './corpusService';
import { type CorpusTreeProvider, GROUPINGS, type TreeNode } from './corpusTreeProvider';
import { CommandIds, ViewIds } from './ids';

interface Deps {
  service: CorpusService;
  tree: CorpusTreeProvider;
  view: vscode.TreeView<TreeNode>;
  log: vscode.LogOutputChannel;
}

function isNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && 'type' in x && 'id' in x;
}

/** A short note in the status bar (commands never open modal popups for routine outcomes). */
function note(text: string): void {
  vscode.window.setStatusBarMessage(`Corpus Cite: ${text}`, 4000);
}

export function registerCorpusCommands({ service, tree, view, log }: Deps): vscode.Disposable {
  /** Lets the user search the corpus in a quick pick (matching done by the search index). */
  const pickWork = async (title: string): Promise<Work | undefined> => {
    await service.whenIndexed();
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { work: Work }>();
    qp.title = title;
    qp.placeholder = 'Search by author, year, title, journal, keyword or DOI';
    qp.matchOnDescription = false;
    const toItems = (works: readonly Work[]) =>
      works.map((w) => ({ label: w['citation-label'], description: w['x-corpus'].kind === 'cited' ? 'cited only' : undefined, detail: renderPlain(w), work: w, alwaysShow: true }));
    const update = (value: string) => {
      qp.items = value.trim() ? toItems(service.search.search(value, 100).results.map((h) => h.work)) : toItems(service.works.filter((w) => w['x-corpus'].kind === 'record').slice(0, 100));
    };
    update('');
    return new Promise<Work | undefined>((resolve) => {
      qp.onDidChangeValue(update);
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.work);
        qp.hide();
      });
      qp.onDidHide(() => {
        resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
  };

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
      void vscode.window.showErrorMessage(`Corpus Cite: ${title} failed (${msg}).`);
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
        GROUPINGS.map((g) => ({ label: g.label, detail: g.detail, id: g.id, picked: g.id === tree.grouping, description: g.id === tree.grouping ? 'current' : undefined })),
        { title: 'Group the corpus by' },
      );
      if (pick) tree.setGrouping(pick.id);
    }),
    register(CommandIds.filter, async (arg: unknown) => {
      const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Filter the corpus', prompt: 'Words matching author, year, title, journal, keyword or DOI', value: tree.filter ?? '' });
      if (text !== undefined) tree.setFilter(text);
    }),
    register(CommandIds.clearFilter, () => tree.setFilter(undefined)),
    register(CommandIds.revealCurrent, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return note('no editor is active.');
      await service.whenIndexed();
      const hit = citationAtPosition(editor.document, editor.selection.active, service.lookup);
      if (!hit) return note('no known citation at the cursor.');
      let node = tree.findWorkNode(hit.works[0].id);
      if (!node && tree.filter !== undefined) {
        tree.setFilter(undefined);
        node = tree.findWorkNode(hit.works[0].id);
      }
      if (!node) return note(`${hit.works[0]['citation-label']} is not in this grouping.`);
      await view.reveal(node, { select: true, focus: false, expand: true });
    }),
    register(
      CommandIds.insertCitation,
      withWork('Insert Citation', async (w) => {
        const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
        if (!editor) return note('open a document to insert a citation into.');
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
      withWork('Open Source', async (w) => {
        const sources = w['x-corpus'].sources;
        const order = ['record', 'related', 'reference', 'citation'];
        const src = [...sources].sort((a, b) => order.indexOf(a.relation) - order.indexOf(b.relation))[0];
        const uri = src && service.uriOf(src.file);
        if (!src || !uri) return note(`${w['citation-label']} has no source file.`);
        const line = Math.max(0, src.line - 1);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
      }),
    ),
    register(
      CommandIds.copyCitation,
      withWork('Copy Citation', async (w) => {
        const text = formatCitation(w, service.settings.citationStyle, { insideBrackets: false });
        await vscode.env.clipboard.writeText(text);
        note(`copied ${text}`);
      }),
    ),
    register(
      CommandIds.copyBibtex,
      withWork('Copy BibTeX', async (w) => {
        await vscode.env.clipboard.writeText(await service.exportText([w], 'bibtex'));
        note(`copied BibTeX of ${w['citation-label']}`);
      }),
    ),
    register(
      CommandIds.copyBibliographyEntry,
      withWork('Copy Bibliography Entry', async (w) => {
        await vscode.env.clipboard.writeText((await service.exportText([w], 'bibliography', service.settings.bibliographyStyle)).trim());
        note(`copied the ${service.settings.bibliographyStyle} entry of ${w['citation-label']}`);
      }),
    ),
    register(
      CommandIds.openDoi,
      withWork('Open DOI', async (w) => {
        const doi = w.DOI?.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
        if (!doi) return note(`${w['citation-label']} has no DOI.`);
        await vscode.env.openExternal(vscode.Uri.from({ scheme: 'https', authority: 'doi.org', path: `/${doi}` }));
      }),
    ),
    register(CommandIds.reindex, () => service.reindex()),
    register(CommandIds.openSampleCorpus, async () => {
      await service.openSampleCorpus();
      await service.whenIndexed();
      await vscode.commands.executeCommand(`${ViewIds.corpus}.focus`);
    }),
    register(CommandIds.showLog, () => log.show(true)),
  );
}
