// Hostile text, bad files and file churn in a real extension host: completion documentation and
// tree items render hostile records inert; a broken corpus file shows in the Problems panel
// with a readable message; after 1,000 rapid writes, delete/recreate, rename-over and a move out
// of the corpus and back, the extension's index equals a fresh index of the final files.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { buildCorpus } from '../../src/core/build/corpus';
import { parseBytes } from '../../src/core/build/loadFiles';
import type { ParsedFile } from '../../src/core/model/model';
import { type Api, BIDI, activate, assertOnlyCardCommands, labelOf, ourDiagnostics, settle, setText, waitFor } from './helpers';

let api: Api;
let root: string;
let extensionPath: string;
const created: string[] = [];

function corpusPath(name: string): string {
  return path.join(root, 'corpus', name);
}

function write(file: string, content: string | Buffer): void {
  fs.writeFileSync(file, content);
  if (!created.includes(file)) created.push(file);
}

function csl(id: string, title: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify([{ id, type: 'article-journal', title, author: [{ family: 'Churn', given: 'Cora' }], issued: { 'date-parts': [[2001]] }, ...extra }]);
}

describe('Robustness', function () {
  this.timeout(180_000);

  before(async () => {
    ({ api, root, extensionPath } = await activate());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of created.reverse()) fs.rmSync(f, { recursive: true, force: true });
  });

  describe('hostile text', () => {
    const LONG = 'x'.repeat(100_000);
    const HOSTILE_TITLE = 'Hostile\u202e gnp.exe [x](command:workbench.action.files.delete) <script>alert(1)</script> ![img](http://evil.example/x.png)';

    before(async () => {
      write(
        corpusPath('zz-hostile-completion.csl.json'),
        JSON.stringify([
          {
            id: 'hostilecompletion2020',
            type: 'article-journal',
            title: HOSTILE_TITLE,
            abstract: `Click [x](command:evil) or <script>alert(1)</script> or ![i](http://evil.example/x.png) <a href="command:evil">here</a> <img src=x onerror=alert(1)> \u2066isolate\u2069 \u202aembed\u202c ${LONG}`,
            author: [{ family: 'Hostilecompletion', given: '<b>Eve</b>\u202e' }],
            'container-title': `[Journal](command:evil) ${LONG}`,
            keyword: `<img src=x>; [k](command:evil); ${LONG}`,
            issued: { 'date-parts': [[2020]] },
          },
        ]),
      );
      await waitFor('the hostile record', () => api.works.find((w) => w.id === 'hostilecompletion2020'), 30_000);
      await api.whenIndexed();
    });

    it('keeps the text as it is in the data', () => {
      const w = api.works.find((x) => x.id === 'hostilecompletion2020')!;
      assert.strictEqual(w.title, HOSTILE_TITLE);
    });

    it('renders the completion item’s documentation inert and bounded', async () => {
      const file = path.join(root, 'zz-hostile.md');
      write(file, '\n');
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      await setText(doc, 'See @hostilecompl');
      const position = new vscode.Position(0, 'See @hostilecompl'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position, undefined, 20);
      const item = list.items.find((i) => labelOf(i) === 'Hostilecompletion 2020');
      assert.ok(item, `no item: ${list.items.map(labelOf).join(', ')}`);
      // Detail and label are plain text: no bidi controls, bounded.
      assert.doesNotMatch(String(item.detail), BIDI);
      assert.ok(String(item.detail).length <= 301, `detail is ${String(item.detail).length} characters`);
      const doc2 = item.documentation;
      assert.ok(doc2 instanceof vscode.MarkdownString, 'no Markdown documentation (resolve did not run?)');
      const v = doc2.value;
      assert.ok(!doc2.isTrusted, 'documentation is trusted');
      assert.ok(!doc2.supportHtml, 'documentation allows HTML');
      assert.ok(!doc2.supportThemeIcons, 'documentation renders theme icons');
      assert.doesNotMatch(v, /\]\(command:/, 'a command link survived');
      assert.doesNotMatch(v, /!\[/, 'an image survived');
      assert.doesNotMatch(v, /(^|[^\\])\[/, 'an unescaped [ survived');
      assert.doesNotMatch(v, /<[a-z/!]/i, 'raw HTML survived');
      assert.doesNotMatch(v, /https?:\/\/evil/, 'a bare link survived');
      assert.doesNotMatch(v, BIDI, 'a bidi control survived');
      assert.match(v, /Hostile/);
      assert.ok(v.length < 12_000, `documentation is ${v.length} characters`);
    });

    it('renders the hover inert and bounded', async () => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath.endsWith('zz-hostile.md'))!;
      await setText(doc, 'See [@hostilecompletion2020] here.');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 8));
      const md = hovers.flatMap((h) => h.contents).filter((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString);
      assert.ok(md.length > 0, 'no hover');
      for (const m of md) {
        assertOnlyCardCommands(m, ['hostilecompletion2020']);
        assert.doesNotMatch(m.value, /!\[|<[a-z/!]|https?:\/\/evil/i);
        assert.doesNotMatch(m.value, BIDI);
        assert.ok(m.value.length < 12_000);
      }
    });

    it('shows tree items as plain, bounded text without bidi controls', () => {
      api.tree.setGrouping('file');
      const group = api.tree.getChildren().find((g) => api.tree.getChildren(g).some((n) => n.work?.id === 'hostilecompletion2020'))!;
      const node = api.tree.getChildren(group).find((n) => n.work?.id === 'hostilecompletion2020')!;
      const item = api.tree.getTreeItem(node);
      const description = String(item.description);
      assert.doesNotMatch(labelOf(item) + description, BIDI);
      assert.ok(description.length <= 230, `description is ${description.length} characters`);
      for (const child of api.tree.getChildren(node)) {
        const c = api.tree.getTreeItem(child);
        const text = `${labelOf(c)} ${String(c.description ?? '')}`;
        assert.doesNotMatch(text, BIDI);
        assert.ok(text.length < 1000, `a detail row is ${text.length} characters`);
      }
    });
  });

  describe('bad corpus files', () => {
    it('shows a broken BibTeX entry in the Problems panel with its line and a readable message; the good entries are indexed', async () => {
      const src = path.join(extensionPath, 'fixtures', 'bad', 'bibtex-broken-and-duplicate.bib');
      const file = corpusPath('zz-broken.bib');
      write(file, fs.readFileSync(src));
      const uri = vscode.Uri.file(file);
      const diags = await waitFor('diagnostics on zz-broken.bib', () => {
        const d = ourDiagnostics(uri);
        return d.length >= 2 ? d : undefined;
      }, 30_000);
      const lines = diags.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
      assert.deepStrictEqual(lines, [9, 22], diags.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
      for (const d of diags) {
        assert.ok(d.message.length > 20 && d.message.length < 400, d.message);
        assert.doesNotMatch(d.message, /\n\s+at |TypeError|undefined|\[object/);
      }
      await waitFor('the good entries', () => ['A good entry', 'The entry after the broken one'].every((t) => api.works.some((w) => w.title === t)));
    });

    // Runs in a host started with a Chinese display language (npm run test:integration:zh).
    describe('in Simplified Chinese (zh-cn host)', () => {
      before(function () {
        if (vscode.env.language !== 'zh-cn') this.skip();
      });

      it('shows the problems of a broken BibTeX file in Chinese in the Problems panel', async () => {
        const src = path.join(extensionPath, 'fixtures', 'bad', 'bibtex-broken-and-duplicate.bib');
        const file = corpusPath('zz-broken-zh.bib');
        write(file, fs.readFileSync(src));
        const uri = vscode.Uri.file(file);
        const diags = await waitFor('diagnostics on zz-broken-zh.bib', () => {
          const d = ourDiagnostics(uri);
          return d.length >= 2 ? d : undefined;
        }, 30_000);
        const messages = diags.map((d) => d.message).sort();
        assert.ok(messages.some((m) => m === '从此处开始的条目花括号不配对；已跳过'), messages.join('\n'));
        assert.ok(messages.some((m) => m === '重复的键“good2019”（第 1 行也有）；两条均保留'), messages.join('\n'));
        for (const m of messages) assert.doesNotMatch(m.replace('good2019', ''), /[A-Za-z]{2,}/, m);
      });
    });

    it('lists the first 500 problems of a file with thousands, and counts the rest', async () => {
      // 620 entries without a citation key, and one good entry at the end.
      const bib = Array.from({ length: 620 }, (_, i) => `@article{,\n  title = {Keyless ${i}}\n}\n`).join('') + '@article{zzlastgood,\n  title = {The last good entry},\n  author = {Good, Gail},\n  year = {2020}\n}\n';
      const file = corpusPath('zz-many-problems.bib');
      write(file, bib);
      const uri = vscode.Uri.file(file);
      const diags = await waitFor('diagnostics on zz-many-problems.bib', () => {
        const d = ourDiagnostics(uri);
        return d.length > 500 ? d : undefined;
      }, 30_000);
      assert.strictEqual(diags.length, 501);
      const more = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Information);
      assert.deepStrictEqual(more.map((d) => d.message), ['120 more problems in this file are not listed.']);
      assert.strictEqual(diags.filter((d) => /no citation key/.test(d.message)).length, 500);
      await waitFor('the good entry', () => api.works.some((w) => w.id === 'zzlastgood'));
      fs.rmSync(file, { force: true });
      await waitFor('the problems gone', () => ourDiagnostics(uri).length === 0, 30_000);
    });
  });

  describe('file churn', () => {
    it('after rapid writes, delete and recreate, rename-over and a move out and back, the index equals a fresh index', async () => {
      const churn = corpusPath('zz-churn.csl.json');
      const recreated = corpusPath('zz-recreated.csl.json');
      const renamed = corpusPath('zz-renamed.csl.json');
      // `.json` (not `.csl.json`): only the corpus folder glob takes it, so moving it out removes it.
      const moved = corpusPath('zz-moved.json');
      const outside = path.join(root, 'zz-outside');
      fs.mkdirSync(outside, { recursive: true });
      created.push(outside);
      write(churn, csl('zzchurn', 'Churn version 0'));
      write(recreated, csl('zzrecreated', 'Recreated before'));
      write(renamed, csl('zzrenamed', 'Renamed before'));
      write(moved, csl('zzmoved', 'Moved record'));
      await waitFor('the churn files indexed', () => ['Churn version 0', 'Recreated before', 'Renamed before', 'Moved record'].every((t) => api.works.some((w) => w.title === t)), 30_000);

      // 1,000 rapid writes.
      for (let i = 1; i <= 1000; i++) fs.writeFileSync(churn, csl('zzchurn', `Churn version ${i}`));
      // Delete and recreate with other content.
      fs.rmSync(recreated);
      fs.writeFileSync(recreated, csl('zzrecreated', 'Recreated after'));
      // Zotero's atomic export: write a temporary file, rename it over the export.
      const tmp = corpusPath('.zz-renamed.csl.json.tmp');
      fs.writeFileSync(tmp, csl('zzrenamed', 'Renamed after'));
      fs.renameSync(tmp, renamed);
      // Out of the corpus folder, let the index notice, and back.
      const away = path.join(outside, 'zz-moved.json');
      fs.renameSync(moved, away);
      await waitFor('the moved record to leave', () => !api.works.some((w) => w.title === 'Moved record'), 30_000);
      fs.renameSync(away, moved);
      // A whole folder moved out of the corpus and back (VS Code reports only the folder).
      const sub = corpusPath('zz-sub');
      fs.mkdirSync(sub, { recursive: true });
      created.push(sub);
      fs.writeFileSync(path.join(sub, 'inner.json'), csl('zzinner', 'Inner record of a folder'));
      await waitFor('the folder’s record', () => api.works.some((w) => w.title === 'Inner record of a folder'), 30_000);
      const subAway = path.join(outside, 'zz-sub');
      fs.renameSync(sub, subAway);
      await waitFor('the folder’s record to leave with it', () => !api.works.some((w) => w.title === 'Inner record of a folder'), 30_000);
      fs.renameSync(subAway, sub);
      await waitFor('the folder’s record to come back', () => api.works.some((w) => w.title === 'Inner record of a folder'), 30_000);
      // A folder deleted with its corpus file.
      const doomed = corpusPath('zz-doomed');
      fs.mkdirSync(doomed, { recursive: true });
      fs.writeFileSync(path.join(doomed, 'doomed.json'), csl('zzdoomed', 'Record in a doomed folder'));
      await waitFor('the doomed record', () => api.works.some((w) => w.title === 'Record in a doomed folder'), 30_000);
      fs.rmSync(doomed, { recursive: true });
      // And a burst that ends in a delete.
      const gone = corpusPath('zz-gone.csl.json');
      for (let i = 0; i < 50; i++) fs.writeFileSync(gone, csl('zzgone', `Gone ${i}`));
      fs.rmSync(gone);

      await waitFor('the final versions', () => ['Churn version 1000', 'Recreated after', 'Renamed after', 'Moved record'].every((t) => api.works.some((w) => w.title === t)), 60_000);
      await settle(api, 2000);

      // A fresh index of the final files, with the extension's own core.
      const files = new Set<string>();
      const globs = vscode.workspace.getConfiguration('corpusCite').get<string[]>('corpus')!;
      for (const g of globs) for (const u of await vscode.workspace.findFiles(g, '**/{node_modules,.git}/**')) files.add(u.fsPath);
      // The sample corpus, if an earlier suite opened it.
      const seeds = path.join(extensionPath, 'fixtures', 'seeds');
      if (api.works.some((w) => w['x-corpus'].sources.some((s) => s.file.startsWith(seeds + path.sep)))) for (const f of fs.readdirSync(seeds)) files.add(path.join(seeds, f));
      const parsed: ParsedFile[] = [...files].sort().map((f) => parseBytes(fs.readFileSync(f), f));
      const fresh = buildCorpus(parsed);

      const summary = (works: readonly { id: string; title?: string; 'x-corpus': { sources: { file: string; line: number; relation: string }[] } }[]) =>
        works
          .map((w) => `${w.id} | ${w.title ?? ''} | ${w['x-corpus'].sources.map((s) => `${s.file}:${s.line}:${s.relation}`).sort().join(' ')}`)
          .sort();
      const ours = summary(api.works);
      const theirs = summary(fresh.works);
      const missing = theirs.filter((x) => !ours.includes(x));
      const extra = ours.filter((x) => !theirs.includes(x));
      assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] }, 'the index differs from a fresh index of the final files');
      assert.ok(!api.works.some((w) => /^Gone /.test(w.title ?? '')), 'a deleted file is still indexed');
      assert.ok(!api.works.some((w) => w.title === 'Record in a doomed folder'), 'a file of a deleted folder is still indexed');
      assert.strictEqual(api.works.filter((w) => /^Churn version/.test(w.title ?? '')).length, 1);
    });
  });
});
