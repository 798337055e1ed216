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

  it('loads its bundle through the V8 code cache, and writes one for the next start', async function () {
    this.timeout(20_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    // The package's main is the loader (src/loader.ts); this is the instance the host loaded.
    const loader = require(path.join(ext.extensionPath, 'dist', 'extension.js')) as {
      codeCacheInfo(): { codeCache: string; compileMs: number; whenCacheWritten: Promise<{ written: boolean; file?: string; reason?: string } | undefined> } | undefined;
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
  });

  it('registers its corpusCite.* commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    const ours = commands.filter((c) => c.startsWith('corpusCite.'));
    assert.ok(ours.length > 0, 'no command starting with corpusCite. is registered');
  });
});
