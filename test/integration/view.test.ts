// What the user sees around the tree, in a real extension host: the status-bar item while the
// corpus indexes and once it is ready, the view's header (description, title actions) and the
// live filter. Files it creates in the workspace are removed again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api as BaseApi, activate, labelOf, settle, sleep, waitFor } from './helpers';

interface Api extends BaseApi {
  readonly statusBar: { text: string; tooltip: string; command: string | undefined; visible: boolean };
  readonly treeView: vscode.TreeView<{ type: string; work?: { id: string } }>;
  readonly tree: BaseApi['tree'] & { whenReady(): Promise<void>; readonly filter: string | undefined; readonly grouping: string };
  readonly filterPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
}

let api: Api;
let root: string;

/** Runs `action`, then waits for the next rebuild and for indexing to be over. */
async function afterRebuild(action: () => unknown): Promise<void> {
  let changes = 0;
  const sub = api.onDidChange(() => changes++);
  try {
    await action();
    await waitFor('a rebuild', () => changes > 0, 60_000);
    await api.whenIndexed();
  } finally {
    sub.dispose();
  }
}

/** `n` one-record RIS files in corpus/<dir>/ (the default globs take `**‍/corpus/**‍/*.ris`). */
function writeRisFiles(dir: string, n: number): string {
  const folder = path.join(root, 'corpus', dir);
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) {
    const ris = ['TY  - JOUR', `AU  - Progressa, Ida${i}`, `TI  - Counting record number ${i}`, `PY  - ${1980 + (i % 40)}`, 'JO  - Journal of Status Bars', 'ER  - ', ''].join('\n');
    fs.writeFileSync(path.join(folder, `r${String(i).padStart(3, '0')}.ris`), ris);
  }
  return folder;
}

describe('Corpus view and status bar', function () {
  this.timeout(120_000);

  before(async () => {
    const a = await activate();
    api = a.api as Api;
    root = a.root;
  });

  describe('status bar', () => {
    it('counts the files while it indexes, then shows the works; a click shows the Corpus view', async () => {
      const folder = writeRisFiles('zz-progress', 240);
      try {
        await afterRebuild(() => undefined);
        await waitFor('the new records', () => api.works.some((w) => w.title === 'Counting record number 239'), 60_000);
        await api.whenIndexed();
        // Re-index by hand (every file read again) and watch the item meanwhile.
        const texts = new Set<string>();
        let done = false;
        const watch = (async () => {
          while (!done) {
            texts.add(api.statusBar.text);
            await sleep(2);
          }
        })();
        await afterRebuild(() => vscode.commands.executeCommand('corpusCite.reindex'));
        done = true;
        await watch;
        const seen = [...texts];
        const counting = seen.map((t) => /^\$\(sync~spin\) Corpus: indexing ([\d,]+) \/ ([\d,]+) files$/.exec(t)).filter((m) => m !== null);
        assert.ok(counting.length > 0, `no file count among: ${seen.join(' | ')}`);
        for (const m of counting) assert.ok(Number(m[1].replace(/,/g, '')) < Number(m[2].replace(/,/g, '')) && Number(m[2].replace(/,/g, '')) >= 240, m[0]);
        for (const t of seen) {
          assert.match(t, /^(\$\(sync~spin\) Corpus: (indexing( [\d,]+ \/ [\d,]+ (files|works))?…?|merging records…|looking for corpus files…)|\$\(book\) Corpus: [\d,]+ works?)$/, `unexpected text ${t}`);
        }
        // Ready: the work count, and the tooltip names the files.
        const n = api.works.length;
        assert.strictEqual(api.statusBar.text, `$(book) Corpus: ${n.toLocaleString('en')} works`);
        assert.match(api.statusBar.tooltip, new RegExp(`${n.toLocaleString('en')} works from [\\d,]+ corpus files`));
        assert.ok(api.statusBar.visible);
      } finally {
        // The deletions arrive in batches: wait until every record is gone and indexing settled.
        fs.rmSync(folder, { recursive: true, force: true });
        await waitFor('the records gone', () => !api.works.some((w) => w.title?.startsWith('Counting record number')), 60_000);
        await settle(api);
      }
      assert.strictEqual(api.statusBar.text, `$(book) Corpus: ${api.works.length.toLocaleString('en')} works`);

      // The click: the Corpus view comes to the front.
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the Explorer in front', () => !api.treeView.visible, 10_000);
      assert.strictEqual(api.statusBar.command, 'corpusCite.corpus.focus');
      await vscode.commands.executeCommand(api.statusBar.command);
      await waitFor('the Corpus view shown', () => api.treeView.visible, 10_000);
    });
  });

  describe('view header and live filter', () => {
    afterEach(async () => {
      api.filterPick?.hide();
      api.tree.setFilter(undefined);
      api.tree.setGrouping('file');
      await api.tree.whenReady();
    });

    /** Opens the filter (Filter… in the view's title), types `value`, waits for its rows. */
    async function openFilter(value: string, rowFor: (items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined): Promise<{ pick: vscode.QuickPick<vscode.QuickPickItem>; row: vscode.QuickPickItem }> {
      void vscode.commands.executeCommand('corpusCite.filter');
      const pick = await waitFor('the filter quick pick', () => api.filterPick, 10_000);
      pick.value = value;
      const row = await waitFor(`the rows for “${value}”`, () => rowFor(pick.items), 10_000);
      return { pick, row };
    }

    /**
     * Makes `item` the active row and presses Enter. The extension host sends a quick pick's
     * changes to the workbench on a zero-delay timer, while the accept command goes at once: so
     * the test waits a macrotask (and a little more) for the active row to arrive first.
     */
    async function accept(pick: vscode.QuickPick<vscode.QuickPickItem>, item: vscode.QuickPickItem): Promise<void> {
      pick.activeItems = [item];
      await sleep(100);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }

    it('says the grouping and the filter in the view’s description', async () => {
      api.tree.setGrouping('year');
      assert.strictEqual(api.treeView.description, 'by year');
      // The header of a view alone in its container shows no description: the message says it too.
      assert.strictEqual(api.treeView.message, 'Grouped by year.');
      api.tree.setFilter('peer support');
      assert.match(String(api.treeView.message), /^Grouped by year\. Filter “peer support”: \d+ of \d+ works\.$/);
      assert.strictEqual(api.treeView.description, 'by year · “peer support”');
      api.tree.setGrouping('cited');
      assert.strictEqual(api.treeView.description, 'by cited works · “peer support”');
      api.tree.setFilter('a filter far longer than the header has room for');
      assert.strictEqual(api.treeView.description, 'by cited works · “a filter far longer…”');
      assert.match(String(api.treeView.message), /a filter far longer than the header has room for/, 'the message above the tree has it whole');
      api.tree.setFilter(undefined);
      assert.strictEqual(api.treeView.description, 'by cited works');
    });

    it('lists the matching works as the user types and reveals the chosen one in the tree', async () => {
      api.tree.setGrouping('year');
      await api.tree.whenReady();
      const { pick, row } = await openFilter('voron', (items) => items.find((i) => i.label === 'Voronka 2019'));
      // Mid-word: the search index matched "voron", and the first row filters the tree.
      assert.match(pick.items[0].label, /Filter the tree: “voron”/);
      assert.match(String(pick.items[0].description), /^\d+ works?$/);
      await accept(pick, row);
      await waitFor('Voronka 2019 selected in the tree', () => api.treeView.selection[0]?.work?.id === 'voronka2019', 10_000);
      assert.ok(api.treeView.visible, 'the Corpus view is shown');
      assert.strictEqual(api.tree.filter, undefined, 'choosing a work does not filter the tree');
    });

    it('filters the tree on Enter, opening the groups that hold the hits; an empty filter clears it', async () => {
      api.tree.setGrouping('year');
      await api.tree.whenReady();
      const { pick } = await openFilter('peer support', (items) => (items.length > 2 && /“peer support”/.test(items[0].label) ? items[0] : undefined));
      await accept(pick, pick.items[0]);
      await waitFor('the filter set', () => api.tree.filter === 'peer support', 10_000);
      // The first pick is gone (its hide has come back from the workbench) before the next opens:
      // a workbench still restoring focus from the first could otherwise close the second.
      await waitFor('the first filter pick hidden', () => api.filterPick === undefined, 10_000);
      await api.tree.whenReady();
      assert.strictEqual(api.treeView.description, 'by year · “peer support”');
      const roots = api.tree.getChildren();
      assert.ok(roots.length > 0);
      for (const r of roots) assert.strictEqual(api.tree.getTreeItem(r).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, labelOf(api.tree.getTreeItem(r)));

      // Opened again: the filter is pre-filled; emptied, the first row clears it.
      void vscode.commands.executeCommand('corpusCite.filter');
      const again = await waitFor('the filter quick pick', () => api.filterPick, 10_000);
      assert.notStrictEqual(again, pick, 'a new quick pick');
      let hiddenBeforeEnter = false;
      let accepting = false;
      const sub = again.onDidHide(() => (hiddenBeforeEnter ||= !accepting));
      try {
        assert.strictEqual(again.value, 'peer support');
        again.value = '';
        const clear = await waitFor('the Clear row', () => again.items.find((i) => /Clear the filter/.test(i.label)), 10_000);
        await sleep(100);
        assert.ok(!hiddenBeforeEnter, 'the filter pick closed by itself before Enter');
        accepting = true;
        await accept(again, clear);
        await waitFor(`the filter cleared (the pick ${hiddenBeforeEnter ? 'closed before Enter' : 'took Enter'}; active ${again.activeItems.map((i) => i.label).join(', ')})`, () => api.tree.filter === undefined, 10_000);
      } finally {
        sub.dispose();
      }
      assert.strictEqual(api.treeView.description, 'by year');
      for (const r of api.tree.getChildren()) assert.strictEqual(api.tree.getTreeItem(r).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    });
  });
});
