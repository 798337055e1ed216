/**
 * The export formats added in issue 10, in the real extension host: one file of each dropped
 * into the workspace's corpus folder is found by the default globs, indexed, shown in the Corpus
 * view and offered by completion in a Markdown draft; removing them takes them out again.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api, type TreeNodeLike, activate, settle, waitFor } from './helpers';

/** One fixture per new reader (the project's own, varied as real exports vary). */
const FILES: { fixture: string; name: string; format: string }[] = [
  { fixture: 'formats/pubmed-peer-support.txt', name: 'pubmed-peersuppor-set.nbib', format: 'medline' },
  { fixture: 'formats/pubmed-structured.xml', name: 'pubmed_result.xml', format: 'pubmed-xml' },
  { fixture: 'formats/savedrecs-peer-support.txt', name: 'savedrecs.txt', format: 'wos-tagged' },
  { fixture: 'formats/ovid-embase-medline.txt', name: 'ovid-embase.txt', format: 'ovid' },
  { fixture: 'formats/endnote-library.xml', name: 'endnote-library.xml', format: 'endnote-xml' },
  { fixture: 'formats/endnote-refer.txt', name: 'refer-export.enw', format: 'refer' },
  { fixture: 'formats/refworks-export.txt', name: 'refworks.txt', format: 'refworks' },
  { fixture: 'formats/crossref-unixsd.xml', name: 'crossref.xml', format: 'crossref-xml' },
  { fixture: 'formats/mods-catalogue.xml', name: 'catalogue-mods.xml', format: 'mods' },
  { fixture: 'formats/zotero-library.rdf', name: 'zotero-library.rdf', format: 'zotero-rdf' },
  { fixture: 'formats/marcxml-catalogue.xml', name: 'catalogue-marc.xml', format: 'marcxml' },
  { fixture: 'csv/scopus-export.csv', name: 'scopus.csv', format: 'csv' },
  { fixture: 'formats/datacite-single.json', name: 'datacite.json', format: 'datacite-json' },
  { fixture: 'formats/openalex-results.json', name: 'openalex.json', format: 'openalex-json' },
];

interface SourceLike {
  file: string;
  format: string;
  relation: string;
}

function treeWorkIds(api: Api): Set<string> {
  const ids = new Set<string>();
  const visit = (node: TreeNodeLike | undefined, depth: number) => {
    for (const child of api.tree.getChildren(node)) {
      if (child.type === 'work' && child.work) ids.add(child.work.id);
      else if (child.type === 'group' && depth < 4) visit(child, depth + 1);
    }
  };
  visit(undefined, 0);
  return ids;
}

describe('every new export format in the workspace', function () {
  this.timeout(180_000);
  let api: Api;
  let root: string;
  let extensionPath: string;
  const written: string[] = [];

  before(async () => {
    ({ api, root, extensionPath } = await activate());
  });

  after(async () => {
    for (const f of written) fs.rmSync(f, { force: true });
    await waitFor('the new formats gone', () => !api.works.some((w) => ((w as unknown as { 'x-corpus': { sources: SourceLike[] } })['x-corpus'].sources ?? []).some((s) => written.includes(s.file))), 60_000);
    await settle(api);
  });

  it('indexes each, shows its records in the Corpus view and completes them in Markdown', async () => {
    for (const f of FILES) {
      const target = path.join(root, 'corpus', f.name);
      fs.copyFileSync(path.join(extensionPath, 'fixtures', f.fixture), target);
      written.push(target);
    }
    const sourcesOf = (w: unknown) => ((w as { 'x-corpus': { sources: SourceLike[] } })['x-corpus'].sources ?? []) as SourceLike[];
    const recordOf = (file: string) => api.works.find((w) => sourcesOf(w).some((s) => s.file === file && s.relation === 'record'));
    await waitFor('a record from every new file', () => written.every((file) => recordOf(file)), 90_000);
    await settle(api);
    api.tree.setGrouping('file');
    const inTree = treeWorkIds(api);
    const draft = await vscode.workspace.openTextDocument({ language: 'markdown', content: '' });
    const missing: string[] = [];
    for (const [i, f] of FILES.entries()) {
      const w = recordOf(written[i])!;
      const src = sourcesOf(w).find((s) => s.file === written[i])!;
      assert.strictEqual(src.format, f.format, `${f.name} read as ${src.format}`);
      if (!inTree.has(w.id)) missing.push(`${f.name}: ${w.id} not in the tree`);
      const family = (w as { author?: { family?: string; literal?: string }[] }).author?.[0]?.family ?? w.title?.split(/\s+/)[0] ?? w.id;
      const query = family.normalize('NFKD').replace(/[^\p{L}\p{N}]/gu, '').slice(0, 6).toLowerCase();
      const edit = new vscode.WorkspaceEdit();
      const text = `See [@${query}`;
      edit.replace(draft.uri, new vscode.Range(0, 0, draft.lineCount, 0), text);
      assert.ok(await vscode.workspace.applyEdit(edit));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', draft.uri, new vscode.Position(0, text.length), '@', 500);
      const labels = list.items.map((it) => (typeof it.label === 'string' ? it.label : it.label.label));
      if (!labels.includes(w['citation-label'])) missing.push(`${f.name}: "${query}" does not complete ${w['citation-label']} (got ${labels.slice(0, 5).join(', ')})`);
    }
    api.tree.setGrouping('file');
    assert.deepStrictEqual(missing, []);
  });
});
