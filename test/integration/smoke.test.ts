import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'corpus-cite.corpus-cite'; // publisher.name from package.json

describe('Corpus Cite in a real extension host', () => {
  it('is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers its corpusCite.* commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    const ours = commands.filter((c) => c.startsWith('corpusCite.'));
    assert.ok(ours.length > 0, 'no command starting with corpusCite. is registered');
  });
});
