/**
 * Heavy modules (citation-js, the citation map's graph layout) are bundled into files of their
 * own and required on first use, so that neither activation nor the index worker's start pays for
 * them. From the sources (tests, tsx) the TypeScript module beside the caller is taken instead.
 */
import * as path from 'path';

/**
 * `dir/<bundle>` when it loads (the caller's `__dirname` is `dist/` in a bundle), else
 * `dir/<source>`; throws naming `what` when neither does. The computed path keeps esbuild from
 * inlining the module into the caller's bundle.
 */
export function requireBundled<T>(dir: string, bundle: string, source: string, what: string): T {
  let lastError: unknown;
  for (const c of [path.join(dir, bundle), path.join(dir, source)]) {
    try {
      const req = require;
      return req(c) as T;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`${what} could not be loaded (${lastError instanceof Error ? lastError.message : String(lastError)})`);
}
