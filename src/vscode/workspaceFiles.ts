/**
 * Finding files by glob in the workspace folders. Folders on disk are walked in the extension
 * host (core/io/glob.ts): `findFiles` starts one ripgrep process per call, and on Linux starting one
 * forks the whole extension host, 40–130 ms in which nothing else runs in it (bench/host).
 * Other folders (virtual workspaces) go through `findFiles`. `node_modules` and `.git` are never
 * searched.
 */
import * as vscode from 'vscode';
import { findMatchingFiles } from '../core/io/glob';
import type { Problem } from '../core/model/model';
import { yieldToEventLoop } from '../core/tree/slices';

const EXCLUDE_GLOB = '**/{node_modules,.git}/**';

/** `onProblem`: what the walk of a folder on disk passed over (see core/io/glob.ts `report`). */
export async function findWorkspaceFiles(globs: readonly string[], opts: { maxFiles?: number; onError?: (what: string, e: unknown) => void; onProblem?: (p: Problem) => void } = {}): Promise<vscode.Uri[]> {
  const failed = (what: string) => (e: unknown) => {
    opts.onError?.(what, e);
    return [] as vscode.Uri[];
  };
  const lists = await Promise.all(
    (vscode.workspace.workspaceFolders ?? []).flatMap((folder) =>
      folder.uri.scheme === 'file'
        ? [findMatchingFiles(folder.uri.fsPath, globs, { pause: yieldToEventLoop, maxFiles: opts.maxFiles, report: opts.onProblem }).then((files) => files.map((f) => vscode.Uri.file(f)), failed(`searching ${folder.uri.fsPath}`))]
        : globs.map((glob) => Promise.resolve(vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), EXCLUDE_GLOB, opts.maxFiles)).catch(failed(`glob ${JSON.stringify(glob)}`))),
    ),
  );
  const all = lists.flat();
  return opts.maxFiles === undefined ? all : all.slice(0, opts.maxFiles);
}
