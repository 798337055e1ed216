// The writing workflow in a real extension host: diagnostics and quick fixes, go to definition,
// references, CodeLens and "cited N×" in the tree, the bibliography (apply, re-run, undo),
// exports read back by pandoc, the coverage report, settings, and the palette. Works on a
// manuscript of its own (zz-writing.md) beside the fixture's review.md; removes what it made.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api, activate, labelOf, ourDiagnostics, positionOf, setText, sleep, waitFor } from './helpers';

const MANUSCRIPT = [
  '# Draft',
  '',
  'Peer support is contested [@gillard2022; @perkins2019] and tested (Voronka, 2019).',
  'Typos: [@voronk2019] and (Voronka, 2018, p. 5) and [@perkin2018].',
  'Not citations: `[@incode2000]`, mail peer@example.org, [a link](https://example.org/@nolink2000).',
  '',
  '```',
  '[@fenced2000] (Fenced, 2000)',
  '```',
  '',
  'Again [@gillard2022].',
  '',
].join('\n');

let api: Api;
let root: string;
let doc: vscode.TextDocument;
const created: string[] = [];

async function diagnosticsFor(uri: vscode.Uri, n: number): Promise<vscode.Diagnostic[]> {
  return waitFor(`${n} diagnostics on ${path.basename(uri.fsPath)}`, () => {
    const d = ourDiagnostics(uri);
    return d.length === n ? d : undefined;
  });
}

/** The quick fixes for a range (polled: the workbench learns of new diagnostics a moment later). */
async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  let last: vscode.CodeAction[] = [];
  await waitFor('quick fixes', async () => {
    last = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range);
    return last.some((a) => a.title === 'Search the corpus…');
  }, 10_000).catch(() => undefined);
  return last.filter((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value);
}

function countIn(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('Writing workflow', function () {
  this.timeout(90_000);

  before(async () => {
    ({ api, root } = await activate());
    const file = path.join(root, 'zz-writing.md');
    fs.writeFileSync(file, MANUSCRIPT);
    created.push(file);
    doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of created) fs.rmSync(f, { recursive: true, force: true });
    await vscode.workspace.getConfiguration('corpusCite').update('citationStyle', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', undefined, vscode.ConfigurationTarget.Workspace);
  });

  describe('diagnostics and quick fixes', () => {
    it('warns about unknown citations only, never in code, links or e-mail', async () => {
      const diags = await diagnosticsFor(doc.uri, 3);
      const texts = diags.map((d) => doc.getText(d.range)).sort();
      assert.deepStrictEqual(texts, ['@perkin2018', '@voronk2019', 'Voronka, 2018, p. 5']);
      for (const d of diags) {
        assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
        assert.strictEqual(d.code, 'unknown-citation');
        assert.match(d.message, /^Unknown citation/);
      }
      assert.match(diags.find((d) => doc.getText(d.range) === '@voronk2019')!.message, /no work in the corpus has the key “voronk2019”/);
    });

    it('replaces a Pandoc typo with the nearest work, as @id', async () => {
      const d = ourDiagnostics(doc.uri).find((x) => doc.getText(x.range) === '@voronk2019')!;
      const actions = await codeActions(doc.uri, d.range);
      const titles = actions.map((a) => a.title);
      assert.strictEqual(titles[0], 'Replace with @voronka2019 (Voronka 2019)', titles.join(' | '));
      assert.ok(actions[0].isPreferred);
      assert.ok(titles.includes('Search the corpus…'));
      assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
      assert.ok(doc.getText().includes('Typos: [@voronka2019] and'));
      await diagnosticsFor(doc.uri, 2);
    });

    it('replaces an author–date typo with author–date text, keeping the locator', async () => {
      const d = ourDiagnostics(doc.uri).find((x) => doc.getText(x.range).startsWith('Voronka, 2018'))!;
      const actions = await codeActions(doc.uri, d.range);
      const fix = actions.find((a) => a.title === 'Replace with Voronka, 2019, p. 5 (Voronka 2019)');
      assert.ok(fix, actions.map((a) => a.title).join(' | '));
      assert.ok(await vscode.workspace.applyEdit(fix.edit!));
      assert.ok(doc.getText().includes('and (Voronka, 2019, p. 5) and'));
      await diagnosticsFor(doc.uri, 1);
    });

    it('“Search the corpus…” opens a quick pick ranked by the search index and replaces with the pick', async () => {
      const d = ourDiagnostics(doc.uri).find((x) => doc.getText(x.range) === '@perkin2018')!;
      const search = (await codeActions(doc.uri, d.range)).find((a) => a.title === 'Search the corpus…');
      assert.ok(search?.command, 'no search action');
      // The quick pick opens pre-filled with `perkin`; accept its first (best) item.
      const running = vscode.commands.executeCommand<boolean>(search.command.command, ...(search.command.arguments ?? []));
      await sleep(1500);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      assert.strictEqual(await running, true);
      assert.ok(doc.getText().includes('and [@perkins2019].'), doc.lineAt(3).text);
      await diagnosticsFor(doc.uri, 0);
    });

    it('also replaces with a given work id (the command behind the quick pick)', async () => {
      await setText(doc, doc.getText().replace('Again [@gillard2022].', 'Again [@gilard2022] and [@gillard2022].'));
      const [d] = await diagnosticsFor(doc.uri, 1);
      const search = (await codeActions(doc.uri, d.range)).find((a) => a.title === 'Search the corpus…')!;
      assert.strictEqual(await vscode.commands.executeCommand(search.command!.command, ...search.command!.arguments!, 'gillard2022'), true);
      assert.ok(doc.getText().includes('Again [@gillard2022] and [@gillard2022].'));
      await diagnosticsFor(doc.uri, 0);
    });

    it('clears the diagnostics of a closed document', async () => {
      const file = path.join(root, 'zz-closing.md');
      fs.writeFileSync(file, 'Unknown [@nobody1999].\n');
      created.push(file);
      const other = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(other);
      await diagnosticsFor(other.uri, 1);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor('the diagnostics to go', () => ourDiagnostics(other.uri).length === 0, 30_000);
      await vscode.window.showTextDocument(doc);
    });
  });

  describe('navigation', () => {
    it('goes from a citation to the record’s line in its corpus file', async () => {
      const pos = positionOf(doc, '@gillard2022', 3);
      const locs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, pos);
      assert.strictEqual(locs.length, 1);
      const l = locs[0];
      const uri = 'targetUri' in l ? l.targetUri : l.uri;
      const range = 'targetRange' in l ? l.targetRange : l.range;
      assert.match(uri.fsPath, /corpus[\\/]000_6ad9d3d0f971004f\.txt$/);
      assert.strictEqual(range.start.line, 0);
      if ('originSelectionRange' in l && l.originSelectionRange) assert.strictEqual(doc.getText(l.originSelectionRange), '@gillard2022');
    });

    it('goes from a cited-only work to the sentence citing it', async () => {
      const voronka = api.works.find((w) => w.id === 'voronka2019')!;
      const ctx = voronka['x-corpus'].contexts[0];
      const locs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, positionOf(doc, '(Voronka, 2019)', 3));
      assert.strictEqual(locs.length, 1);
      const l = locs[0];
      assert.strictEqual(('targetUri' in l ? l.targetUri : l.uri).fsPath, ctx.file);
      assert.strictEqual(('targetRange' in l ? l.targetRange : l.range).start.line, ctx.line - 1);
    });

    it('finds every citation of a work across the workspace’s Markdown files', async () => {
      const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, positionOf(doc, '@gillard2022', 3));
      const review = path.join(root, 'review.md');
      const expected = countIn(doc.getText(), '@gillard2022') + countIn(fs.readFileSync(review, 'utf8'), '@gillard2022');
      // (VS Code's own Markdown extension adds a reference of its own: the bracket as a link label.)
      const citations = async (locs: vscode.Location[]) => {
        const out: string[] = [];
        for (const r of locs) {
          if (!r.uri.fsPath.endsWith('.md')) continue;
          const text = (await vscode.workspace.openTextDocument(r.uri)).getText(r.range);
          if (text === '@gillard2022') out.push(`${r.uri.fsPath}:${r.range.start.line}:${r.range.start.character}`);
        }
        return out;
      };
      const inMarkdown = await citations(refs);
      assert.strictEqual(inMarkdown.length, expected, refs.map((r) => `${r.uri.fsPath}:${r.range.start.line}`).join('\n'));
      assert.strictEqual(new Set(inMarkdown).size, expected, 'a citation is listed twice');
      assert.ok(inMarkdown.some((r) => r.startsWith(review)));
      assert.ok(refs.some((r) => /corpus[\\/]000_6ad9d3d0f971004f\.txt$/.test(r.uri.fsPath) && r.range.start.line === 0), 'the declaration is missing');
      // From the record's line in the corpus file, the same citations.
      const corpusFile = vscode.Uri.file(path.join(root, 'corpus', '000_6ad9d3d0f971004f.txt'));
      await vscode.workspace.openTextDocument(corpusFile);
      const fromRecord = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', corpusFile, new vscode.Position(0, 0));
      assert.deepStrictEqual((await citations(fromRecord)).sort(), [...inMarkdown].sort());
    });

    it('shows “cited N times” as a CodeLens on the record and reference lines of a corpus file', async () => {
      const corpusFile = vscode.Uri.file(path.join(root, 'corpus', '000_6ad9d3d0f971004f.txt'));
      const expected = countIn(doc.getText(), '@gillard2022') + countIn(fs.readFileSync(path.join(root, 'review.md'), 'utf8'), '@gillard2022');
      await vscode.workspace.openTextDocument(corpusFile); // the command needs the document loaded
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', corpusFile, 200);
      const titles = lenses.map((l) => l.command?.title ?? '');
      const gillard = lenses.find((l) => l.command?.title.startsWith('Gillard 2022:'));
      assert.ok(gillard, titles.join(' | '));
      assert.strictEqual(gillard.range.start.line, 0);
      assert.strictEqual(gillard.command!.title, `Gillard 2022: cited ${expected} times in Markdown`);
      assert.strictEqual(gillard.command!.command, 'editor.action.showReferences');
      assert.strictEqual((gillard.command!.arguments![2] as vscode.Location[]).length, expected);
      // Related papers listed by a record get one each, on their own lines.
      const wos = vscode.Uri.file(path.join(root, 'corpus', '001_668661611aab099a.txt'));
      await vscode.workspace.openTextDocument(wos);
      const wosLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wos, 200);
      const wosTitles = wosLenses.map((l) => `${l.range.start.line + 1} ${l.command?.title}`);
      // review.md cites (Mackay et al., 2022).
      assert.ok(wosTitles.includes('1 Mackay 2022: cited once in Markdown'), wosTitles.join(' | '));
      assert.ok(wosTitles.includes('49 Byrom 2018: not cited in Markdown yet'), wosTitles.join(' | '));
      assert.ok(wosLenses.length >= 5, wosTitles.join(' | '));
    });

    it('shows “cited N×” in the tree, and keeps it up to date as the manuscript changes', async () => {
      const counts = await api.citationCounts();
      const item = () => {
        api.tree.setGrouping('file');
        for (const g of api.tree.getChildren()) {
          const n = api.tree.getChildren(g).find((x) => x.work?.id === 'perkins2019');
          if (n) return api.tree.getTreeItem(n);
        }
        return undefined;
      };
      const before = counts.get('perkins2019')!;
      assert.ok(before >= 2, `perkins2019 is cited ${before} times`);
      await waitFor('the count in the tree', () => String(item()?.description).startsWith(`cited ${before}× · `) && item());
      await setText(doc, doc.getText() + 'More [@perkins2019].\n');
      await waitFor('the new count in the tree', () => String(item()?.description).startsWith(`cited ${before + 1}× · Where is peer support going?`), 10_000);
    });
  });

  describe('bibliography', () => {
    it('inserts the bibliography of the cited works as one edit, updates it in place, and one undo reverts an update', async () => {
      await vscode.window.showTextDocument(doc);
      const original = doc.getText();
      assert.strictEqual(await vscode.commands.executeCommand('corpusCite.updateBibliography'), 'inserted');
      const once = doc.getText();
      assert.ok(once.startsWith(original.trimEnd()), 'the manuscript text changed');
      assert.match(once, /## References\n\n<!-- corpus-cite:bibliography:start -->\n/);
      assert.match(once, /^Gillard, S\. \(2022\)\. Guest editorial.*\*Advances in Mental Health\*, \*20\*\(1\), 87–90\./m);
      assert.match(once, /^Perkins, R\., & Repper, J\. \(2019\)\. Where is peer support going\?/m);
      assert.strictEqual(countIn(once, 'corpus-cite:bibliography:start'), 1);
      // No diagnostics from the entries.
      await sleep(500);
      assert.deepStrictEqual(ourDiagnostics(doc.uri).map((d) => doc.getText(d.range)), []);

      // Again: nothing to do.
      assert.strictEqual(await vscode.commands.executeCommand('corpusCite.updateBibliography'), 'unchanged');
      assert.strictEqual(doc.getText(), once);

      // A new citation, then an update in place.
      await setText(doc, once.replace('Again [@gillard2022]', 'Again [@gillard2022] and [@moore2021]'));
      const edited = doc.getText();
      assert.strictEqual(await vscode.commands.executeCommand('corpusCite.updateBibliography'), 'updated');
      const twice = doc.getText();
      assert.strictEqual(countIn(twice, 'corpus-cite:bibliography:start'), 1);
      assert.strictEqual(countIn(twice, '## References'), 1);
      assert.match(twice, /^Moore, T\. \(2021\)\. More ‘milk’/m);
      assert.strictEqual(countIn(twice, 'Gillard, S. (2022).'), 1);

      // One undo takes the whole update back.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('undo');
      await waitFor('the undo', () => doc.getText() === edited, 5000);
    });

    it('writes the bibliography in the corpusCite.bibliographyStyle', async () => {
      await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', 'vancouver', vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor('the Vancouver bibliography', async () => {
          await vscode.commands.executeCommand('corpusCite.updateBibliography', doc.uri);
          return /^1\. |^Gillard S\. Guest editorial/m.test(doc.getText());
        }, 10_000);
      } finally {
        await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });
  });

  describe('export', () => {
    const out = () => path.join(root, 'zz-export');

    before(() => {
      fs.mkdirSync(out(), { recursive: true });
      created.push(out());
    });

    it('exports the cited works as CSL-JSON that pandoc --citeproc reads with every citation resolved', async () => {
      const target = vscode.Uri.file(path.join(out(), 'refs.json'));
      fs.writeFileSync(target.fsPath, 'old contents\n');
      const written = await vscode.commands.executeCommand<vscode.Uri>('corpusCite.exportCitedWorks', 'csl-json', target, doc.uri);
      assert.strictEqual(written?.fsPath, target.fsPath);
      const items = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as { id: string }[];
      assert.deepStrictEqual(items.map((i) => i.id).sort(), ['gillard2022', 'moore2021', 'perkins2019', 'voronka2019']);
      assert.deepStrictEqual(fs.readdirSync(out()).filter((f) => f.endsWith('.tmp')), [], 'a temporary file was left behind');
      const md = path.join(out(), 'manuscript.md');
      fs.writeFileSync(md, doc.getText());
      const r = spawnSync('pandoc', ['--citeproc', '--bibliography', target.fsPath, '-t', 'plain', md], { encoding: 'utf8' });
      assert.ok(!r.error, 'pandoc is not installed');
      assert.strictEqual(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /not found|WARNING/i, r.stderr);
      assert.match(r.stdout, /\(Gillard 2022; Perkins and Repper 2019\)/);
    });

    it('exports BibTeX that pandoc reads, and RIS', async () => {
      const bib = vscode.Uri.file(path.join(out(), 'refs.bib'));
      assert.ok(await vscode.commands.executeCommand('corpusCite.exportCitedWorks', 'bibtex', bib, doc.uri));
      const text = fs.readFileSync(bib.fsPath, 'utf8');
      assert.match(text, /@article\{gillard2022,/);
      const md = path.join(out(), 'manuscript.md');
      const r = spawnSync('pandoc', ['--citeproc', '--bibliography', bib.fsPath, '-t', 'plain', md], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /not found/i, r.stderr);
      const ris = vscode.Uri.file(path.join(out(), 'refs.ris'));
      assert.ok(await vscode.commands.executeCommand('corpusCite.exportCitedWorks', 'ris', ris, doc.uri));
      assert.match(fs.readFileSync(ris.fsPath, 'utf8'), /^ID {2}- moore2021$/m);
      // refs.bib and refs.ris match the corpus globs, but an export is never read back.
      await sleep(1500);
      await api.whenIndexed();
      assert.ok(!api.works.some((w) => w['x-corpus'].sources.some((s) => s.file.includes(`${path.sep}zz-export${path.sep}`))), 'an export was indexed');
      // Exporting again over the same file works.
      assert.ok(await vscode.commands.executeCommand('corpusCite.exportCitedWorks', 'bibtex', bib, doc.uri));
    });

    it('refuses to write over a corpus file or a folder, and leaves it as it was', async () => {
      const corpusFile = path.join(root, 'corpus', 'zz-export-target.csl.json');
      const content = JSON.stringify([{ id: 'zztarget', type: 'book', title: 'A corpus file that must not be overwritten' }]);
      fs.writeFileSync(corpusFile, content);
      created.push(corpusFile);
      await waitFor('the corpus file indexed', () => api.works.some((w) => w.title === 'A corpus file that must not be overwritten'));
      await api.whenIndexed();
      assert.strictEqual(await vscode.commands.executeCommand('corpusCite.exportCitedWorks', 'csl-json', vscode.Uri.file(corpusFile), doc.uri), undefined);
      assert.strictEqual(fs.readFileSync(corpusFile, 'utf8'), content);
      const folder = path.join(out(), 'a-folder.json');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'keep.txt'), 'keep');
      assert.strictEqual(await vscode.commands.executeCommand('corpusCite.exportCitedWorks', 'csl-json', vscode.Uri.file(folder), doc.uri), undefined);
      assert.strictEqual(fs.readFileSync(path.join(folder, 'keep.txt'), 'utf8'), 'keep');
      assert.deepStrictEqual(fs.readdirSync(out()).filter((f) => f.endsWith('.tmp')), []);
    });
  });

  describe('coverage', () => {
    it('reports the corpus records the manuscript never cites', async () => {
      const ids = await vscode.commands.executeCommand<string[]>('corpusCite.showUncitedWorks', doc.uri);
      assert.ok(ids.includes('mackay2022') && ids.includes('byrom2018'), ids.join(', '));
      assert.ok(!ids.includes('gillard2022') && !ids.includes('perkins2019') && !ids.includes('moore2021'));
      assert.ok(!ids.includes('voronka2019'), 'a cited-only work is not a record');
      const report = vscode.window.activeTextEditor!.document;
      assert.strictEqual(report.languageId, 'markdown');
      assert.match(report.getText(), /^# Works never cited in zz\\-writing\\\.md/);
      assert.match(report.getText(), /\| Mackay 2022 \| 2022 \|/);
      await sleep(600);
      assert.deepStrictEqual(ourDiagnostics(report.uri), []);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  });

  describe('settings and palette', () => {
    it('a bad setting value falls back to its default with one warning', async () => {
      const cfg = () => vscode.workspace.getConfiguration('corpusCite');
      const logged = api.settingWarningLines;
      await cfg().update('citationStyle', 'chicago', vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor('the warning', () => api.settingWarnings.some((w) => /corpusCite\.citationStyle/.test(w)));
        assert.strictEqual(api.settingWarnings.length, 1);
        assert.strictEqual(api.settingWarningLines, logged + 1);
        // Pandoc citations still (the default).
        const pos = new vscode.Position(doc.lineCount - 1, 0);
        await setText(doc, doc.getText() + 'See @voron');
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(pos.line, 'See @voron'.length));
        const item = list.items.find((i) => labelOf(i) === 'Voronka 2019');
        assert.strictEqual(item?.insertText, '[@voronka2019]');
        // Another setting changes: the warning is not logged again.
        await cfg().update('bibliographyStyle', 'harvard1', vscode.ConfigurationTarget.Workspace);
        await sleep(500);
        assert.strictEqual(api.settingWarningLines, logged + 1);
      } finally {
        await cfg().update('citationStyle', undefined, vscode.ConfigurationTarget.Workspace);
        await cfg().update('bibliographyStyle', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('the warning to go', () => api.settingWarnings.length === 0);
    });

    it('contributes every command with a title and the category “Corpus Cite”, and registers it', async () => {
      const ext = vscode.extensions.getExtension('corpus-cite.corpus-cite')!;
      const commands = ext.packageJSON.contributes.commands as { command: string; title: string; category: string }[];
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const id of ['corpusCite.insertCitation', 'corpusCite.updateBibliography', 'corpusCite.exportCitedWorks', 'corpusCite.showUncitedWorks', 'corpusCite.reindex']) {
        const c = commands.find((x) => x.command === id);
        assert.ok(c, `${id} is not contributed`);
        assert.ok(c.title && !/^%/.test(c.title), `${id} has no (localized) title: ${c.title}`);
        assert.strictEqual(c.category, 'Corpus Cite');
        assert.ok(registered.has(id), `${id} is not registered`);
      }
    });
  });
});
