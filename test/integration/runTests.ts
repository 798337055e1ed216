// The standard @vscode/test-electron entry for the integration suite.
//
// By default it drives the stand-in executable scripts/host/code-standin.sh, which runs the suite
// in the VS Code server's extension host (scripts/host/run-integration.js; needs
// `npm run host:install` once): desktop VS Code cannot be downloaded everywhere.
// With CORPUS_CITE_VSCODE=desktop, runTests downloads desktop VS Code instead
// (CORPUS_CITE_VSCODE_VERSION picks the version, default: stable; on a headless Linux run it
// under xvfb-run).
//
// Run: tsc -p tsconfig.integration.json && node out/test/integration/runTests.js
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const desktop = process.env.CORPUS_CITE_VSCODE === 'desktop';
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [path.join(root, 'test', 'fixtures-workspace'), '--disable-extensions'],
      ...(desktop
        ? { version: process.env.CORPUS_CITE_VSCODE_VERSION || 'stable' }
        : { vscodeExecutablePath: path.join(root, 'scripts', 'host', 'code-standin.sh') }),
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

void main();
