import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'corpus-cite.corpus-cite'; // publisher.name from package.json

describe('Corpus Cite in a real extension host', () => {
  it('is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('loads its bundle and its index worker\'s through the V8 code cache, and writes them for the next start', async function () {
    this.timeout(30_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    // The package's main is the loader (src/loader.ts); this is the instance the host loaded.
    const loader = require(path.join(ext.extensionPath, 'dist', 'extension.js')) as {
      codeCacheInfo(): { codeCache: string; cacheDir?: string; compileMs: number; whenCacheWritten: Promise<{ written: boolean; file?: string; reason?: string } | undefined> } | undefined;
    };
    const info = loader.codeCacheInfo();
    assert.ok(info, 'the loader did not load the bundle');
    assert.ok(['none', 'used', 'rejected', 'invalid'].includes(info.codeCache), `code cache: ${info.codeCache} (a test host is not a development host)`);
    const written = await info.whenCacheWritten;
    if (info.codeCache === 'used') assert.strictEqual(written, undefined, 'a cache that was used is not rewritten');
    else {
      assert.ok(written?.written, `not written: ${written?.reason}`);
      assert.ok(written.file && fs.statSync(written.file).size > 10_000, `${written.file} is missing or small`);
    }
    // The index worker's bundle (started at activation) keeps its own cache beside it.
    const dir = info.cacheDir!;
    const workerCache = () => fs.readdirSync(dir).find((f) => /^indexWorker\.js-[0-9a-f]{40}\.v8cache$/.test(f));
    for (let t = Date.now(); !workerCache() && Date.now() - t < 12_000; ) await new Promise((r) => setTimeout(r, 200));
    assert.ok(workerCache(), `no index worker cache in ${dir}: ${fs.readdirSync(dir).join(', ')}`);
  });

  it('registers its corpusCite.* commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    const ours = commands.filter((c) => c.startsWith('corpusCite.'));
    assert.ok(ours.length > 0, 'no command starting with corpusCite. is registered');
  });
});
