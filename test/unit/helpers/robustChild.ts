/**
 * Runs the CLI's indexing in a child process for the robustness tests (test/unit/robustRead.test.ts):
 * a case that hangs or blows up memory ends this process, not mocha. Prints one JSON line:
 * the works (id, title length, source file), the problems, time and peak memory.
 *   node --import tsx test/unit/helpers/robustChild.ts PATH...
 */
import { indexPaths } from '../../../src/core/build/loadFiles';

const t0 = Date.now();
const c = indexPaths(process.argv.slice(2));
// Everything that crosses to the editor or into the cache is serialised: it must not throw.
JSON.stringify(c.works);
structuredClone(c.works);
process.stdout.write(
  JSON.stringify({
    works: c.works.map((w) => ({ id: w.id, kind: w['x-corpus'].kind, title: (w.title ?? '').slice(0, 200), titleLength: (w.title ?? '').length, file: w['x-corpus'].sources[0]?.file })),
    problems: c.problems,
    missing: c.missing,
    ms: Date.now() - t0,
    rssMB: Math.round(process.memoryUsage().rss / 1048576),
  }) + '\n',
);
