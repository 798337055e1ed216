/**
 * The package's `main` (dist/extension.js): loads the extension's bundle (dist/main.js, built
 * from src/extension.ts) through a V8 code cache in the extension's global storage (see
 * codeCache.ts), then hands over to it. It imports nothing of the bundle and not `vscode`, so it
 * stays a few kilobytes.
 *
 * - A start without a usable cache writes one a little after activation, from a timer that never
 *   keeps a process alive, once the bundle's start-up code has run (so its functions are in it).
 * - In a development host (F5) the bundle is required as usual, for the debugger's source maps.
 * - Anything wrong with the cache path itself falls back to `require`; an error of the bundle's
 *   own code is not retried.
 */
import * as path from 'path';
import { loadBundle, type CodeCacheStatus, type CodeCacheWriteResult } from './codeCache';

/** What the loader needs of `vscode.ExtensionContext` (types only, to keep `vscode` out). */
interface LoaderContext {
  extensionMode: number;
  globalStorageUri: { fsPath: string };
  subscriptions: { dispose(): unknown }[];
}

/** What the bundle's activate receives besides the context, for its log. */
export interface BootInfo {
  codeCache: CodeCacheStatus;
  /** The code cache's folder (the index worker's bundle keeps its cache there too); undefined: none. */
  cacheDir: string | undefined;
  compileMs: number;
  whenCacheWritten: Promise<CodeCacheWriteResult | undefined>;
}

interface Bundle {
  activate(context: unknown, boot?: BootInfo): unknown;
  deactivate?(): unknown;
}

/** How long after activation the cache is written (the start-up work has run by then). */
const WRITE_DELAY_MS = 2000;
const DEVELOPMENT = 2; // vscode.ExtensionMode.Development

let bundle: Bundle | undefined;
let boot: BootInfo | undefined;

/** For the tests: how this start loaded the bundle. */
export function codeCacheInfo(): BootInfo | undefined {
  return boot;
}

export function activate(context: LoaderContext): unknown {
  const cacheDir = context.extensionMode === DEVELOPMENT ? undefined : path.join(context.globalStorageUri.fsPath, 'code-cache');
  const loaded = loadBundle(path.join(__dirname, 'main.js'), cacheDir, module);
  bundle = loaded.exports as Bundle;
  let whenCacheWritten: Promise<CodeCacheWriteResult | undefined> = Promise.resolve(undefined);
  if (loaded.needsWrite) {
    whenCacheWritten = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(loaded.write()), WRITE_DELAY_MS);
      timer.unref?.();
      context.subscriptions.push({ dispose: () => (clearTimeout(timer), resolve(undefined)) });
    });
  }
  boot = { codeCache: loaded.status, cacheDir, compileMs: loaded.compileMs, whenCacheWritten };
  return bundle.activate(context, boot);
}

export function deactivate(): unknown {
  return bundle?.deactivate?.();
}
