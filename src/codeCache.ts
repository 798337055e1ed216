/**
 * Loads a CommonJS bundle through V8's code cache, so that later starts skip compiling it.
 *
 * Node 20 (VS Code's extension host) has no `module.enableCompileCache`, and compiling the
 * extension's 200 KB bundle is most of its activation (16–20 ms measured here, against ~2 ms with
 * a code cache; see bench/RESULTS.md, tenth session). So the package's `main` is a small loader
 * (src/loader.ts) that compiles the bundle with `vm.Script` and `cachedData` kept in the
 * extension's global storage, and writes that data back after a first start without it.
 *
 * The cache is only ever an optimisation, so every failure falls back to compiling as `require`
 * would, silently:
 * - the file name holds a SHA-1 of the bundle's text, Node's version and the architecture, so
 *   an updated extension or another Node never reads stale code (V8's own check is only the
 *   source's length, its version and its flags);
 * - the file holds a SHA-1 of its data, checked before V8 sees it (release V8 does not verify
 *   its payload's checksum), so a truncated or corrupted file is recompiled, not deserialised;
 * - data that V8 rejects anyway (`cachedDataRejected`) is rewritten;
 * - writes go to a temporary file renamed into place, and the same bundle's older caches are removed.
 * No `vscode` import: this runs before the extension's bundle, and in plain Node for its tests.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** none: no cache yet; used: V8 took it; rejected: V8 refused it; invalid: our checksum failed; off: not asked. */
export type CodeCacheStatus = 'none' | 'used' | 'rejected' | 'invalid' | 'off';

export interface LoadedBundle {
  exports: unknown;
  status: CodeCacheStatus;
  /** Milliseconds spent reading the bundle and its cache and compiling it. */
  compileMs: number;
  /** True when a cache should be written (none, rejected or invalid). */
  needsWrite: boolean;
  /** Writes the cache now (after the bundle has run, so lazily compiled functions are in it). */
  write(): CodeCacheWriteResult;
}

export type CodeCacheWriteResult = { written: true; bytes: number; file: string } | { written: false; reason: string };

const SUFFIX = '.v8cache';
/** Each bundle's caches are `<bundle file name>-<key>.v8cache`, so bundles can share a folder. */
const prefixOf = (bundlePath: string): string => `${path.basename(bundlePath)}-`;
const SUM_BYTES = 20;

const sha1 = (data: string | Uint8Array): Buffer => createHash('sha1').update(data).digest();

/** The cache file for the bundle `bundlePath` with this text, in this Node, inside `cacheDir`. */
export function codeCacheFile(cacheDir: string, bundlePath: string, source: string): string {
  const key = createHash('sha1').update(source).update(`\0${process.version}\0${process.arch}\0${process.versions.v8}`).digest('hex');
  return path.join(cacheDir, `${prefixOf(bundlePath)}${key}${SUFFIX}`);
}

function readCache(file: string): { data?: Buffer; invalid: boolean } {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch {
    return { invalid: false };
  }
  if (raw.length <= SUM_BYTES) return { invalid: true };
  const data = raw.subarray(SUM_BYTES);
  if (!sha1(data).equals(raw.subarray(0, SUM_BYTES))) return { invalid: true };
  return { data, invalid: false };
}

/**
 * Compiles and runs the CommonJS file `bundlePath` as `require` would (its own `module`,
 * `exports`, `require`, `__filename`, `__dirname`), with a code cache in `cacheDir`; `cacheDir`
 * undefined compiles without one. Errors thrown by the bundle's own top level propagate, marked
 * `fromBundle: true` (anything else thrown here is the loading's, and `require` can be tried).
 */
export function loadWithCodeCache(bundlePath: string, cacheDir: string | undefined, parent?: NodeModule): LoadedBundle {
  const t0 = performance.now();
  const source = fs.readFileSync(bundlePath, 'utf8');
  const file = cacheDir ? codeCacheFile(cacheDir, bundlePath, source) : undefined;
  const cached = file ? readCache(file) : { invalid: false };
  const script = new vm.Script(Module.wrap(source), { filename: bundlePath, cachedData: cached.data });
  const status: CodeCacheStatus = !file ? 'off' : cached.invalid ? 'invalid' : !cached.data ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const compileMs = performance.now() - t0;

  const M = Module as unknown as { new (id: string, parent?: NodeModule): NodeModule; _nodeModulePaths(dir: string): string[] };
  const mod = new M(bundlePath, parent);
  mod.filename = bundlePath;
  mod.paths = M._nodeModulePaths(path.dirname(bundlePath));
  const req = Module.createRequire(bundlePath);
  const fn = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: NodeModule, filename: string, dirname: string) => void;
  try {
    fn.call(mod.exports, mod.exports, req, mod, bundlePath, path.dirname(bundlePath));
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { fromBundle: true });
  }
  mod.loaded = true;

  let done = false;
  return {
    exports: mod.exports,
    status,
    compileMs,
    needsWrite: !!file && status !== 'used',
    write(): CodeCacheWriteResult {
      if (!file) return { written: false, reason: 'no cache folder' };
      if (done) return { written: false, reason: 'already written' };
      done = true;
      const dir = path.dirname(file);
      try {
        const data = script.createCachedData();
        fs.mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, Buffer.concat([sha1(data), data]));
        fs.renameSync(tmp, file);
        for (const name of fs.readdirSync(dir)) {
          const other = path.join(dir, name);
          if (other !== file && name.startsWith(prefixOf(bundlePath))) fs.rmSync(other, { force: true });
        }
        return { written: true, bytes: data.length, file };
      } catch (e) {
        return { written: false, reason: e instanceof Error ? e.message : String(e) };
      }
    },
  };
}

/**
 * What both loaders (src/loader.ts, src/workerLoader.ts) do: `loadWithCodeCache`, falling back to
 * a plain `require` when the cache path itself fails (an error of the bundle's own code is
 * re-thrown, not retried); `cacheDir` undefined requires the bundle as usual (status `off`).
 */
export function loadBundle(bundlePath: string, cacheDir: string | undefined, parent?: NodeModule): LoadedBundle {
  if (cacheDir) {
    try {
      return loadWithCodeCache(bundlePath, cacheDir, parent);
    } catch (e) {
      if ((e as { fromBundle?: boolean }).fromBundle) throw e;
    }
  }
  const t0 = performance.now();
  const exports: unknown = require(bundlePath);
  return { exports, status: 'off', compileMs: performance.now() - t0, needsWrite: false, write: () => ({ written: false, reason: 'not loaded through the code cache' }) };
}
