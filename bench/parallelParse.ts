/**
 * The parse stage of a cold index on one thread and on the parse pool (src/core/build/parsePool.ts),
 * alternately in one process: wall and process CPU (all threads), the load average, and what
 * moving the parses back from the threads costs (structured clone: v8 serialize + deserialize of
 * the same parses, timed on this thread). The pool's threads run the bundle dist/indexWorker.js (npm run build first).
 *
 *   npx tsx bench/parallelParse.ts bench/data/bib-50000.bib bench/data/layouts-50000 [rounds]
 */
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { expandPaths, parseFile } from '../src/core/build/loadFiles';
import { parseFilesPooled } from '../src/core/build/parallelParse';
import { ParsePool } from '../src/core/build/parsePool';

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args[args.length - 1] ?? '') ? Number(args.pop()) : 3;
const entry = { file: path.join(__dirname, '..', 'dist', 'indexWorker.js'), eval: false };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => unknown) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
};
for (const p of args) {
  const { files, raw } = expandPaths([p]);
  const one: { wall: number; cpu: number }[] = [];
  const pooled: { wall: number; cpu: number }[] = [];
  const load: number[] = [];
  let parsed: unknown;
  for (let r = 0; r < rounds; r++) {
    load.push(os.loadavg()[0]);
    // A new pool each round: its threads' start is part of the cost, as in a cold index.
    const pool = new ParsePool({ entry });
    pooled.push(time(() => parseFilesPooled(files, {}, raw, pool)));
    pool.close();
    one.push(time(() => (parsed = files.map((f) => parseFile(f, {}, raw.get(f))))));
  }
  const clone = time(() => v8.deserialize(v8.serialize(parsed)));
  const f = (xs: { wall: number; cpu: number }[]) => `${Math.round(median(xs.map((x) => x.wall)))} / ${Math.round(median(xs.map((x) => x.cpu)))}`;
  console.log(`${p} (${files.length} files, ${rounds} rounds, load ${load.map((l) => l.toFixed(1)).join(' ')}; ${new ParsePool({ entry }).size} threads)`);
  console.log(`  one thread, wall / CPU ms: ${f(one)}   (each: ${one.map((x) => Math.round(x.wall)).join(', ')})`);
  console.log(`  pool,       wall / CPU ms: ${f(pooled)}   (each: ${pooled.map((x) => Math.round(x.wall)).join(', ')})`);
  console.log(`  structured clone of the parses (serialize + deserialize here), wall / CPU ms: ${Math.round(clone.wall)} / ${Math.round(clone.cpu)}`);
}
