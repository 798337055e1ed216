// The corpus stage alone (issue 15): parses the files once, then times buildCorpus in this
// process (wall and CPU, and the builder's own phase marks). Run in fresh processes, e.g.
//   for i in 1 2 3 4 5; do node --import tsx bench/corpusStage.ts bench/data/bib-50000.bib; done
// Prints one JSON line: works, wall, cpu, load average, phases. CORPUS_STAGE_MARK=1 also prints when
// the build starts (ms since the process started), to cut a `node --trace-gc` log to the build.
import * as os from 'os';
import { buildCorpus } from '../src/core/build/corpus';
import { expandPaths, parseFile } from '../src/core/build/loadFiles';

const paths = process.argv.slice(2);
const ref = process.env.CORPUS_STAGE_REF; // a module path exporting referenceBuildCorpus, to time the old builder
const { files, problems, raw } = expandPaths(paths);
const parsed = files.map((f) => parseFile(f, { maxFileBytes: 2 ** 31 }, raw.get(f)));
const build: typeof buildCorpus = ref ? (require(ref) as { referenceBuildCorpus: typeof buildCorpus }).referenceBuildCorpus : buildCorpus;
const load = os.loadavg()[0];
const phases: Record<string, number> = {};
if (process.env.CORPUS_STAGE_MARK) console.log(`build starts at ${Math.round(performance.now())} ms`);
const c0 = process.cpuUsage();
const t0 = performance.now();
const corpus = build(parsed, problems, phases);
const wall = performance.now() - t0;
const cu = process.cpuUsage(c0);
console.log(JSON.stringify({ works: corpus.works.length, problems: corpus.problems.length, wall: Math.round(wall), cpu: Math.round((cu.user + cu.system) / 1000), load: +load.toFixed(2), phases }));
