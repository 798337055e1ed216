/**
 * Local files are read with Node's fs (no round trip through the workbench); other schemes
 * (virtual workspaces) through `workspace.fs`.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { overSizeProblem, readRegularFile } from '../core/io/readFile';
import type { Problem } from '../core/model/model';

type FileProblem = Omit<Problem, 'file'>;

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

/** The warning for a file over `corpusCite.maxFileSizeMB` (the core's, with the setting as written). */
export function tooBigProblem(size: number, maxMB: number): FileProblem {
  return overSizeProblem(size, maxMB * 1048576, String(maxMB));
}

/**
 * A corpus file's bytes, or the one problem that kept them out. Files on disk: regular files only
 * (a FIFO or device is never opened), at most the cap whatever stat said. Other schemes:
 * `workspace.fs` has no bounded read, so a provider whose stat under-reports is held to the cap
 * once the bytes are here (they are dropped, not parsed).
 */
export async function readCorpusFile(uri: vscode.Uri, maxMB: number): Promise<{ bytes: Uint8Array } | { problem: FileProblem }> {
  const max = maxMB * 1048576;
  try {
    const read = uri.scheme === 'file' ? await readRegularFile(uri.fsPath, max) : { bytes: await readBytes(uri) };
    if ('problem' in read) return { problem: read.problem };
    return read.bytes.byteLength > max ? { problem: tooBigProblem(read.bytes.byteLength, maxMB) } : { bytes: read.bytes };
  } catch (e) {
    return { problem: { line: 1, severity: 'error', message: vscode.l10n.t('Could not read the file ({0}).', e instanceof Error ? e.message : String(e)) } };
  }
}
