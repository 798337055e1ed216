// Entry of the integration suite, loaded by the extension host (extensionTestsPath =
// out/test/integration/index): runs mocha over the compiled out/test/integration/**/*.test.js.
// Mocha comes from the project's node_modules (plain Node resolution from out/test/integration/).
// The final `INTEGRATION-RESULT passed=N failed=M` line is read by scripts/host/run-integration.js.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** The compiled tests under `dir`, without stale ones whose .ts source was deleted (tsc never removes them). */
function testFiles(dir: string): string[] {
  const sources = path.resolve(dir, '..', '..', '..', 'test', 'integration');
  const checkSources = fs.existsSync(sources);
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => {
      if (!checkSources || fs.existsSync(path.join(sources, f.replace(/\.js$/, '.ts')))) return true;
      console.log(`(skipping ${f}: its source test/integration/${f.replace(/\.js$/, '.ts')} is gone)`);
      return false;
    })
    .sort()
    .map((f) => path.join(dir, f));
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    grep: process.env.CORPUS_CITE_TEST_GREP || undefined,
  });
  for (const f of testFiles(__dirname)) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats ?? { passes: 0, failures };
        console.log(`INTEGRATION-RESULT passed=${stats.passes} failed=${stats.failures}`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (e) {
      // e.g. a test file that throws while loading
      console.error(e);
      console.log('INTEGRATION-RESULT passed=0 failed=1');
      reject(e);
    }
  });
}
