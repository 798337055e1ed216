/**
 * The extension's bundle is loaded through a V8 code cache (src/codeCache.ts, src/loader.ts):
 * a later start takes the cache, and anything wrong with it (truncated, corrupted, another
 * bundle's, refused by V8, a folder that cannot be written) is a normal compile, never a crash or
 * stale code.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { codeCacheFile, loadBundle, loadWithCodeCache } from '../../src/codeCache';
import type { WorkerLoaderData } from '../../src/workerLoader';

/** A CommonJS bundle with enough code for V8 to cache, that uses require, module and __dirname. */
function bundleText(answer: number): string {
  const fns = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x.map((y) => y * ${i} + ${answer}).filter(Boolean).length; }`).join('\n');
  return `'use strict';
const path = require('path');
const helper = require('./helper.js');
${fns}
let calls = 0;
module.exports = { answer: () => ${answer}, dir: () => path.basename(__dirname), helper, sum: () => f199([1, 2, 3]), calls: () => ++calls };
`;
}

describe('the code cache of the extension bundle', () => {
  let dir: string;
  let bundle: string;
  let cacheDir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-codecache-'));
    bundle = path.join(dir, 'dist', 'main.js');
    cacheDir = path.join(dir, 'storage', 'code-cache');
    fs.mkdirSync(path.dirname(bundle), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'helper.js'), 'module.exports = "helped";');
    fs.writeFileSync(bundle, bundleText(42));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  type Api = { answer(): number; dir(): string; helper: string; sum(): number; calls(): number };
  const check = (exports: unknown, answer = 42) => {
    const api = exports as Api;
    assert.strictEqual(api.answer(), answer);
    assert.strictEqual(api.dir(), 'dist', '__dirname is the bundle folder');
    assert.strictEqual(api.helper, 'helped', 'require resolves next to the bundle');
    assert.strictEqual(api.sum(), 3);
  };
  const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);

  it('runs the bundle as require would, writes a cache, and takes it on the next start', () => {
    const first = loadWithCodeCache(bundle, cacheDir);
    check(first.exports);
    assert.strictEqual(first.status, 'none');
    assert.ok(first.needsWrite);
    assert.deepStrictEqual(cacheFiles(), [], 'nothing is written before write()');
    const w = first.write();
    assert.ok(w.written, JSON.stringify(w));
    assert.deepStrictEqual(cacheFiles(), [path.basename(codeCacheFile(cacheDir, bundle, bundleText(42)))]);
    assert.deepStrictEqual(first.write(), { written: false, reason: 'already written' });

    const second = loadWithCodeCache(bundle, cacheDir);
    assert.strictEqual(second.status, 'used');
    assert.strictEqual(second.needsWrite, false);
    check(second.exports);
    // Each load is its own module instance, as a fresh process would have.
    assert.strictEqual((second.exports as Api).calls(), 1);
  });

  it('a corrupted or truncated cache file is compiled without it and rewritten', () => {
    loadWithCodeCache(bundle, cacheDir).write();
    const file = codeCacheFile(cacheDir, bundle, bundleText(42));
    const good = fs.readFileSync(file);

    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    fs.writeFileSync(file, flipped);
    const corrupted = loadWithCodeCache(bundle, cacheDir);
    assert.strictEqual(corrupted.status, 'invalid');
    check(corrupted.exports);
    assert.ok(corrupted.needsWrite);
    assert.ok(corrupted.write().written);
    assert.strictEqual(loadWithCodeCache(bundle, cacheDir).status, 'used', 'rewritten');

    for (const bytes of [good.subarray(0, good.length >> 1), good.subarray(0, 20), Buffer.alloc(0)]) {
      fs.writeFileSync(file, bytes);
      const truncated = loadWithCodeCache(bundle, cacheDir);
      assert.strictEqual(truncated.status, 'invalid', `${bytes.length} bytes`);
      check(truncated.exports);
    }
  });

  it('an updated bundle never runs the old code: it gets its own cache, and the old one is removed', () => {
    loadWithCodeCache(bundle, cacheDir).write();
    const old = cacheFiles();
    // Same length, other code: V8's own check (the source's length) would not see the change.
    fs.writeFileSync(bundle, bundleText(43));
    assert.strictEqual(bundleText(43).length, bundleText(42).length);
    const updated = loadWithCodeCache(bundle, cacheDir);
    assert.strictEqual(updated.status, 'none');
    check(updated.exports, 43);
    assert.ok(updated.write().written);
    const now = cacheFiles();
    assert.strictEqual(now.length, 1);
    assert.notDeepStrictEqual(now, old);
    assert.strictEqual(loadWithCodeCache(bundle, cacheDir).status, 'used');
  });

  it('data that V8 refuses (here another source\'s, under this bundle\'s name) is recompiled and rewritten', () => {
    loadWithCodeCache(bundle, cacheDir).write();
    const data = fs.readFileSync(codeCacheFile(cacheDir, bundle, bundleText(42)));
    const longer = `${bundleText(42)}\nmodule.exports.extra = 1;\n`;
    fs.writeFileSync(bundle, longer);
    fs.writeFileSync(codeCacheFile(cacheDir, bundle, longer), data);
    const refused = loadWithCodeCache(bundle, cacheDir);
    assert.strictEqual(refused.status, 'rejected');
    check(refused.exports);
    assert.strictEqual((refused.exports as { extra?: number }).extra, 1);
    assert.ok(refused.needsWrite);
    assert.ok(refused.write().written);
    assert.strictEqual(loadWithCodeCache(bundle, cacheDir).status, 'used');
  });

  it('two bundles share a cache folder without removing each other\'s caches', () => {
    const other = path.join(dir, 'dist', 'worker.js');
    fs.writeFileSync(other, bundleText(7));
    assert.ok(loadWithCodeCache(bundle, cacheDir).write().written);
    assert.ok(loadWithCodeCache(other, cacheDir).write().written);
    assert.strictEqual(cacheFiles().length, 2);
    assert.strictEqual(loadWithCodeCache(bundle, cacheDir).status, 'used');
    const w = loadWithCodeCache(other, cacheDir);
    assert.strictEqual(w.status, 'used');
    check(w.exports, 7);
  });

  it('the index worker\'s loader runs its bundle in the thread, writes the cache, and the next worker takes it', async () => {
    const workerBundle = path.join(dir, 'dist', 'worker.js');
    fs.writeFileSync(workerBundle, `${bundleText(5)}\nrequire('worker_threads').parentPort.postMessage(module.exports.answer() + module.exports.sum());\n`);
    const loaderSource = path.resolve(__dirname, '../../src/workerLoader.ts');
    const run = async (): Promise<unknown> => {
      const data: WorkerLoaderData = { bundle: workerBundle, codeCacheDir: cacheDir, writeDelayMs: 0 };
      const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(loaderSource)});`, { eval: true, workerData: data });
      const answer = await new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
      await new Promise((r) => setTimeout(r, 300)); // past the write
      await w.terminate();
      return answer;
    };
    assert.strictEqual(await run(), 8);
    const file = codeCacheFile(cacheDir, workerBundle, fs.readFileSync(workerBundle, 'utf8'));
    const first = fs.statSync(file);
    assert.ok(first.size > 1000);
    assert.strictEqual(await run(), 8);
    const second = fs.statSync(file);
    // A cache that was used is not written again (a refused or broken one would be).
    assert.deepStrictEqual([second.ino, second.mtimeMs], [first.ino, first.mtimeMs]);
  });

  it('a cache folder that cannot be made is reported by write(), never thrown; no folder means no cache', () => {
    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.writeFileSync(cacheDir, 'a file where the folder should be');
    const blocked = loadWithCodeCache(bundle, cacheDir);
    check(blocked.exports);
    const w = blocked.write();
    assert.strictEqual(w.written, false);
    assert.match((w as { reason: string }).reason, /EEXIST|ENOTDIR/);

    const off = loadWithCodeCache(bundle, undefined);
    assert.strictEqual(off.status, 'off');
    assert.strictEqual(off.needsWrite, false);
    check(off.exports);
  });

  it('loadBundle: no folder is a plain require; the bundle\'s own error is thrown once, not retried by require', () => {
    const plain = loadBundle(bundle, undefined);
    assert.strictEqual(plain.status, 'off');
    assert.strictEqual(plain.needsWrite, false);
    check(plain.exports);
    assert.strictEqual(plain.exports, require(bundle), 'required: the module is in require.cache');
    assert.deepStrictEqual(cacheFiles(), []);

    const cached = loadBundle(bundle, cacheDir);
    assert.strictEqual(cached.status, 'none');
    assert.ok(cached.write().written);
    assert.strictEqual(loadBundle(bundle, cacheDir).status, 'used');

    const counter = path.join(dir, 'runs.txt');
    fs.writeFileSync(bundle, `require('fs').appendFileSync(${JSON.stringify(counter)}, 'x'); throw new Error('broke');`);
    assert.throws(() => loadBundle(bundle, cacheDir), /broke/);
    assert.strictEqual(fs.readFileSync(counter, 'utf8'), 'x', 'the bundle ran once');
  });

  it('an error of the bundle\'s own top level propagates, marked as the bundle\'s', () => {
    fs.writeFileSync(bundle, 'throw new TypeError("the bundle broke");');
    assert.throws(() => loadWithCodeCache(bundle, cacheDir), (e: Error & { fromBundle?: boolean }) => e instanceof TypeError && e.fromBundle === true && /the bundle broke/.test(e.message));
    fs.writeFileSync(bundle, 'this is not JavaScript(');
    assert.throws(() => loadWithCodeCache(bundle, cacheDir), (e: Error & { fromBundle?: boolean }) => e instanceof SyntaxError && !e.fromBundle);
  });
});
