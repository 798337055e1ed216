// Shared pieces of the writing and robustness suites (not a test file: index.ts loads *.test.js).
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'corpus-cite.corpus-cite';

export interface WorkLike {
  id: string;
  title?: string;
  'citation-label': string;
  'x-corpus': {
    kind: 'record' | 'cited';
    sources: { file: string; line: number; relation: string }[];
    contexts: { file: string; line: number; by: string }[];
    citedBy: string[];
  };
}
export interface TreeNodeLike {
  type: 'group' | 'work' | 'detail' | 'relation';
  id: string;
  work?: WorkLike;
}
export interface Api {
  whenIndexed(): Promise<void>;
  onDidChange: vscode.Event<void>;
  readonly works: readonly WorkLike[];
  readonly state: string;
  readonly settingWarnings: readonly string[];
  readonly settingWarningLines: number;
  citationCounts(): Promise<ReadonlyMap<string, number>>;
  tree: {
    getChildren(node?: TreeNodeLike): TreeNodeLike[];
    getTreeItem(node: TreeNodeLike): vscode.TreeItem;
    setGrouping(g: string): void;
    setFilter(text: string | undefined): void;
  };
}

export async function activate(): Promise<{ api: Api; root: string; extensionPath: string }> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  await api.whenIndexed();
  return { api, root: vscode.workspace.workspaceFolders![0].uri.fsPath, extensionPath: ext.extensionPath };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the corpus has not been rebuilt for `quietMs` and nothing is pending. */
export async function settle(api: Api, quietMs = 1500, timeoutMs = 60_000): Promise<void> {
  let last = Date.now();
  const sub = api.onDidChange(() => (last = Date.now()));
  try {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await api.whenIndexed();
      if (Date.now() - last >= quietMs) return;
      if (Date.now() > end) throw new Error('the corpus never settled');
      await sleep(100);
    }
  } finally {
    sub.dispose();
  }
}

/** Our diagnostics on a document. */
export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Corpus Cite');
}

export function labelOf(item: vscode.TreeItem | vscode.CompletionItem): string {
  const l = item.label;
  if (typeof l === 'string') return l;
  return l ? l.label : '';
}

/** The position of `needle` (plus `offset` characters) in a document. */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 1): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${path.basename(doc.uri.fsPath)} has no ${JSON.stringify(needle)}`);
  return doc.positionAt(i + offset);
}

/** Replaces the whole text of a document (in memory). */
export async function setText(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit failed');
}

/** Unicode bidirectional controls (embeddings, overrides, isolates, marks). */
export const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The commands a hover card may link to (src/vscode/workCard.ts CARD_COMMANDS). */
export const CARD_COMMANDS = ['corpusCite.openSource', 'corpusCite.copyCitation', 'corpusCite.copyBibtex', 'corpusCite.openDoi'];

/**
 * A hover card runs no HTML and no link but our card actions: trusted for those command ids
 * only, each command link one of them with one argument, a work id of `workIds`.
 */
export function assertOnlyCardCommands(m: vscode.MarkdownString, workIds: readonly string[]): void {
  assert.ok(!m.supportHtml, 'the card allows HTML');
  const trusted = m.isTrusted;
  if (typeof trusted === 'object') {
    for (const c of trusted.enabledCommands) assert.ok(CARD_COMMANDS.includes(c), `the card enables ${c}`);
  } else assert.ok(!trusted, 'the card is trusted for every command');
  for (const link of m.value.matchAll(/\]\((command:[^)]*)\)/g)) {
    const mm = /^command:([\w.]+)\?([^\s"]*)$/.exec(link[1]);
    assert.ok(mm, `a command link of another shape: ${link[1]}`);
    assert.ok(CARD_COMMANDS.includes(mm[1]), `a link to ${mm[1]}`);
    const args = JSON.parse(decodeURIComponent(mm[2])) as unknown;
    assert.ok(Array.isArray(args) && args.length === 1 && workIds.includes(String(args[0])), `arguments ${mm[2]}`);
  }
}
