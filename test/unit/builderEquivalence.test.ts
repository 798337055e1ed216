/**
 * The corpus builder (src/core/build/corpus.ts, restructured for issue 15) gives exactly what the
 * builder before the restructure gave (a frozen copy in helpers/referenceCorpus.ts): the same
 * works in the same order (ids, labels, aliases, every CSL field, x-corpus with its sources,
 * relations, contexts and inferred fields), the same problems in the same order, the same byId
 * map. On the fixtures, the real libraries of ../shared/bench-data (alone, together and in
 * reversed order, so cross-file merging and key claims are exercised), and a generated library
 * (BibTeX with citations in abstracts, CSL-JSON, the four record layouts with related papers and
 * references).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildCorpus } from '../../src/core/build/corpus';
import { expandPaths, parseFile } from '../../src/core/build/loadFiles';
import type { ParsedFile, Problem } from '../../src/core/model/model';
import { REAL, generate } from '../../bench/generate';
import { ROOT, SEEDS, VARIED } from './helpers/corpus';
import { referenceBuildCorpus } from './helpers/referenceCorpus';

const FIX = path.join(ROOT, 'fixtures');

interface Library {
  name: string;
  paths: string[];
  reversed?: boolean;
}

function libraries(): Library[] {
  const out: Library[] = [
    { name: 'fixtures/seeds', paths: [SEEDS] },
    { name: 'fixtures/varied', paths: [VARIED] },
    { name: 'fixtures/formats', paths: [path.join(FIX, 'formats')] },
    { name: 'fixtures/bad', paths: [path.join(FIX, 'bad')] },
    { name: 'fixtures/csv', paths: [path.join(FIX, 'csv')] },
    { name: 'all fixtures', paths: [SEEDS, VARIED, path.join(FIX, 'formats'), path.join(FIX, 'bad'), path.join(FIX, 'csv')] },
    { name: 'all fixtures, files reversed', paths: [SEEDS, VARIED, path.join(FIX, 'formats'), path.join(FIX, 'bad'), path.join(FIX, 'csv')], reversed: true },
  ];
  const real = ['bbt-1436-3.bib', 'bbt-1296.bib', 'muccigrosso-zotero.csl.json'].map((f) => path.join(REAL, f)).filter((p) => fs.existsSync(p));
  for (const p of real) out.push({ name: path.basename(p), paths: [p] });
  if (real.length > 1) {
    out.push({ name: 'real libraries together', paths: real });
    out.push({ name: 'real libraries together, reversed', paths: real, reversed: true });
  }
  return out;
}

function parse(lib: Library): { files: ParsedFile[]; problems: Problem[] } {
  const { files, problems, raw } = expandPaths(lib.paths);
  const names = lib.reversed ? [...files].reverse() : files;
  return { files: names.map((f) => parseFile(f, { maxFileBytes: 2 ** 31 }, raw.get(f))), problems };
}

/** Builds with both builders, each from its own parse (so neither sees what the other did to its input). */
function compare(lib: Library): void {
  const a = parse(lib);
  const b = parse(lib);
  const want = referenceBuildCorpus(a.files, a.problems);
  const got = buildCorpus(b.files, b.problems);
  assert.ok(want.works.length > 0 || lib.name.includes('bad'), `${lib.name}: no works`);
  assert.deepStrictEqual(
    got.works.map((w) => w.id),
    want.works.map((w) => w.id),
    `${lib.name}: ids in order`,
  );
  for (let i = 0; i < want.works.length; i++) assert.deepStrictEqual(got.works[i], want.works[i], `${lib.name}: work ${want.works[i].id}`);
  assert.deepStrictEqual(got.problems, want.problems, `${lib.name}: problems`);
  assert.deepStrictEqual([...got.byId.keys()], [...want.byId.keys()], `${lib.name}: byId keys`);
  for (const [k, w] of want.byId) assert.strictEqual(got.byId.get(k)?.id, w.id, `${lib.name}: byId ${k}`);
}

describe('the corpus builder gives what the builder before the issue-15 restructure gave', function () {
  this.timeout(600000);
  for (const lib of libraries()) it(lib.name, () => compare(lib));

  // Generated from the real libraries (bench/generate.ts; deterministic, cached under bench/data/).
  const N = 3000;
  const haveReal = fs.existsSync(path.join(REAL, 'bbt-1436-3.bib')) && fs.existsSync(path.join(REAL, 'muccigrosso-zotero.csl.json'));
  (haveReal ? it : it.skip)(`generated library of ${N} (BibTeX + CSL-JSON + record layouts)`, () => {
    const set = generate([N])[N];
    compare({ name: 'generated bib', paths: [set.bib] });
    compare({ name: 'generated layouts', paths: [set.layouts] });
    compare({ name: 'generated all', paths: [set.bib, set.csl, set.layouts] });
    compare({ name: 'generated all, reversed', paths: [set.bib, set.csl, set.layouts], reversed: true });
  });
});

// The warm cache and the index worker keep parsed files and build from them again: the builder
// must leave them as they were (works take values from the parsed records — author lists, field
// lines — but never change them, nor add to the records' own objects).
describe('the corpus builder leaves the parsed files it builds from unchanged', function () {
  this.timeout(600000);
  const libs = libraries().filter((l) => !l.reversed);
  for (const lib of libs) {
    it(lib.name, () => {
      const { files, problems } = parse(lib);
      const before = structuredClone(files);
      const first = buildCorpus(files, problems);
      assert.deepStrictEqual(files, before, `${lib.name}: parsed files after one build`);
      const second = buildCorpus(files, problems);
      assert.deepStrictEqual(files, before, `${lib.name}: parsed files after two builds`);
      assert.deepStrictEqual(second.works, first.works, `${lib.name}: a second build from the same parse`);
      assert.deepStrictEqual(second.problems, first.problems, `${lib.name}: problems of a second build`);
    });
  }
});
