/**
 * Local files are read with Node's fs (no round trip through the workbench); other schemes
 * (virtual workspaces) through `workspace.fs`.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';

/** The name a file goes by in the core (`ParsedFile.file`, `SourceRef.file`). */
export function fileName(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

export async function statFile(uri: vscode.Uri): Promise<{ type: vscode.FileType; mtime: number; size: number }> {
  if (uri.scheme !== 'file') return vscode.workspace.fs.stat(uri);
  const st = await fs.promises.stat(uri.fsPath);
  return { type: st.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File, mtime: st.mtimeMs, size: st.size };
}

export async function readBytes(uri: vscode.Uri): Promise<Uint8Array> {
  return uri.scheme === 'file' ? fs.promises.readFile(uri.fsPath) : vscode.workspace.fs.readFile(uri);
}
