// Files that are not on disk (virtual workspaces, remote file systems) are read through
// `workspace.fs`, which has no bounded read: a provider whose `stat` under-reports a file's size
// must not get past the size cap (issue 12). The document and its bibliographies live in an
// in-memory file system registered by this test; the bibliography names one honest file and one
// whose `stat` says 200 bytes while its content is over the cap.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { type Api, activate, waitFor } from './helpers';

const SCHEME = 'ccmem';

class MemoryFs implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  constructor(private readonly files: Map<string, { bytes: Uint8Array; statSize?: number }>) {}
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    if (uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 1, mtime: 1, size: f.statSize ?? f.bytes.byteLength };
  }
  readDirectory(): [string, vscode.FileType][] {
    return [...this.files.keys()].map((p) => [p.slice(1), vscode.FileType.File]);
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const f = this.files.get(uri.path);
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return f.bytes;
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  writeFile(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('read-only');
  }
}

const entry = (key: string, title: string) => `@article{${key},\n  author = {Virtual, Vera},\n  title = {${title}},\n  journal = {Journal of Memory},\n  year = {2003}\n}\n`;

describe('Files read through workspace.fs (virtual workspaces)', function () {
  this.timeout(120_000);
  let api: Api;
  const disposables: vscode.Disposable[] = [];

  before(async () => {
    ({ api } = await activate());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('corpusCite').update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
    for (const d of disposables) d.dispose();
  });

  it('a file whose stat under-reports its size is still held to the size cap; the honest one is indexed', async () => {
    const enc = new TextEncoder();
    let big = '';
    for (let i = 0; big.length < 1.5 * 1048576; i++) big += entry(`liar${i}`, `An oversized virtual record number ${i}`);
    const files = new Map<string, { bytes: Uint8Array; statSize?: number }>([
      ['/review.md', { bytes: enc.encode('---\ntitle: Virtual draft\nbibliography: [honest.bib, liar.bib]\n---\n\nText [@honest2003].\n') }],
      ['/honest.bib', { bytes: enc.encode(entry('honest2003', 'An honest virtual record')) }],
      ['/liar.bib', { bytes: enc.encode(big), statSize: 200 }],
    ]);
    disposables.push(vscode.workspace.registerFileSystemProvider(SCHEME, new MemoryFs(files), { isReadonly: true }));
    await vscode.workspace.getConfiguration('corpusCite').update('maxFileSizeMB', 1, vscode.ConfigurationTarget.Workspace);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: '/review.md' }));
    assert.strictEqual(doc.languageId, 'markdown');
    await vscode.window.showTextDocument(doc);
    await waitFor('the honest virtual record', () => api.works.some((w) => w.title === 'An honest virtual record'), 60_000);
    const liar = vscode.Uri.from({ scheme: SCHEME, path: '/liar.bib' });
    const d = await waitFor('a size problem on liar.bib', () => vscode.languages.getDiagnostics(liar).find((x) => /over the 1 MB limit/.test(x.message)), 60_000);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(!api.works.some((w) => w.title?.startsWith('An oversized virtual record')), 'no record of the oversized file is indexed');
  });
});
