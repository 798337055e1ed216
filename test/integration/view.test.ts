// What the user sees around the tree, in a real extension host: the status-bar item while the
// corpus indexes and once it is ready, the view's header (description, title actions) and the
// live filter. Files it creates in the workspace are removed again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api as BaseApi, activate, sleep, waitFor } from './helpers';

interface Api extends BaseApi {
  readonly statusBar: { text: string; tooltip: string; command: string | undefined; visible: boolean };
  readonly treeView: vscode.TreeView<unknown>;
  readonly tree: BaseApi['tree'] & { whenReady(): Promise<void>; readonly filter: string | undefined; readonly grouping: string };
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
        await afterRebuild(() => fs.rmSync(folder, { recursive: true, force: true }));
      }
      assert.ok(!api.works.some((w) => w.title === 'Counting record number 239'));
      assert.strictEqual(api.statusBar.text, `$(book) Corpus: ${api.works.length.toLocaleString('en')} works`);

      // The click: the Corpus view comes to the front.
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the Explorer in front', () => !api.treeView.visible, 10_000);
      assert.strictEqual(api.statusBar.command, 'corpusCite.corpus.focus');
      await vscode.commands.executeCommand(api.statusBar.command);
      await waitFor('the Corpus view shown', () => api.treeView.visible, 10_000);
    });
  });
});
