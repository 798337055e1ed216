// Citing in the real workbench (issue 13): completion rows and their order, a multi-word query
// typed key by key, hover cards with their actions, go to definition of a cited-only work.
// Works on a scratch Markdown file in the fixture workspace, removed in `after`.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api, activate, labelOf, setText, sleep, waitFor } from './helpers';

let api: Api;
let root: string;
let doc: vscode.TextDocument;
let file: string;

/** Our completion items at the end of `text` (one line), in our order. */
async function complete(text: string, trigger?: string): Promise<{ list: vscode.CompletionList; ours: vscode.CompletionItem[] }> {
  await setText(doc, text);
  const position = new vscode.Position(0, text.length);
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position, trigger);
  const labels = new Set(api.works.map((w) => w['citation-label']));
  const ours = list.items.filter((i) => labels.has(labelOf(i)));
  ours.sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
  return { list, ours };
}

const rowLabel = (i: vscode.CompletionItem) => i.label as vscode.CompletionItemLabel;

/** Types `text` into the active editor one character at a time, as a user does. */
async function typeSlowly(text: string, delayMs = 80): Promise<void> {
  for (const ch of text) {
    await vscode.commands.executeCommand('type', { text: ch });
    await sleep(delayMs);
  }
}

/** Opens the scratch document in an editor with `text` and the cursor at its end. */
async function editorWith(text: string): Promise<vscode.TextEditor> {
  await setText(doc, text);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, end);
  return editor;
}

describe('Citing: completion rows, multi-word queries, cards', function () {
  this.timeout(60_000);

  before(async () => {
    ({ api, root } = await activate());
    file = path.join(root, 'cards-scratch.md');
    fs.writeFileSync(file, '\n');
    doc = await vscode.workspace.openTextDocument(file);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file, { force: true });
  });

  describe('completion rows', () => {
    it('say which work: label, authors as detail, title and journal as description, the Reference icon', async () => {
      const { ours, list } = await complete('See [@perkins');
      const first = ours[0];
      assert.strictEqual(labelOf(first), 'Perkins 2019');
      assert.strictEqual(rowLabel(first).detail, '  Perkins, Repper');
      assert.match(rowLabel(first).description ?? '', /^Where is peer support going\? · \S/);
      assert.strictEqual(first.kind, vscode.CompletionItemKind.Reference);
      assert.ok(ours.every((i) => i.kind === vscode.CompletionItemKind.Reference), 'a row without the Reference icon');
      // The details pane shows the card, not a monospace `detail` repeating the title.
      assert.strictEqual(first.detail, undefined);
      assert.strictEqual(list.isIncomplete, true);
    });

    it('are ranked by the search: sortText follows its order, filterText is the typed text for every row', async () => {
      const { ours } = await complete('See [@mead');
      const labels = ours.map(labelOf);
      // First authors named Mead first (records before cited-only works, the newer first), then co-authors.
      const meadFirst = labels.filter((l) => /^Mead /.test(l));
      assert.ok(meadFirst.length > 0, `no Mead rows: ${labels.join(', ')}`);
      assert.deepStrictEqual(labels.slice(0, meadFirst.length), meadFirst, `first authors first: ${labels.join(', ')}`);
      assert.ok(ours.every((i) => i.filterText === '@mead'), 'a row whose filterText is not the typed text');
      const sorts = ours.map((i) => i.sortText ?? '');
      assert.deepStrictEqual([...sorts].sort(), sorts);
      assert.strictEqual(new Set(sorts).size, sorts.length, 'two rows share a sortText');
    });

    it('put the work named by several words on top: [@peer support 2019 → Perkins 2019', async () => {
      const { ours } = await complete('See [@peer support 2019');
      assert.strictEqual(labelOf(ours[0]), 'Perkins 2019');
    });

    it('answer a space inside an open citation, and nothing for a space elsewhere', async () => {
      const inside = await complete('See [@peer ', ' ');
      assert.ok(inside.ours.length > 0, 'no rows after a space inside [@peer');
      assert.ok(inside.ours.every((i) => i.filterText === '@peer '), 'filterText must keep the space');
      for (const text of ['Peer support ', 'As @mead ', 'See [see ']) {
        const { ours } = await complete(text, ' ');
        assert.strictEqual(ours.length, 0, `rows after a space in ${JSON.stringify(text)}`);
      }
    });
  });

  describe('typing in the editor', () => {
    afterEach(async () => {
      await vscode.commands.executeCommand('hideSuggestWidget');
    });

    it('keeps the list open through the spaces of `[@peer support 2019` and offers Perkins 2019 first', async () => {
      await editorWith('Peer support is ');
      await typeSlowly('[@peer support 2019');
      // The suggest widget shows without Ctrl+Space; accepting takes its first row.
      await sleep(600);
      await vscode.commands.executeCommand('acceptSelectedSuggestion');
      const line = await waitFor('the accepted citation', () => (/@perkins2019\]?$/.test(doc.lineAt(0).text) ? doc.lineAt(0).text : undefined), 5000).catch(() => doc.lineAt(0).text);
      assert.match(line, /^Peer support is \[@perkins2019\]?$/);
    });

    it('offers the first author on top when typing `[@mead 2017`', async () => {
      await editorWith('Peer support is ');
      await typeSlowly('[@mead 2017');
      await sleep(600);
      await vscode.commands.executeCommand('acceptSelectedSuggestion');
      const line = await waitFor('the accepted citation', () => (/@mead2017\]?$/.test(doc.lineAt(0).text) ? doc.lineAt(0).text : undefined), 5000).catch(() => doc.lineAt(0).text);
      assert.match(line, /^Peer support is \[@mead2017\]?$/);
    });
  });
});
