/**
 * src/core is laid out by stage (ARCHITECTURE.md): each folder may import only from its own
 * folder and from the stages below it, never upward, and nothing in src/core imports `vscode`
 * or the editor side. The order here is the one ARCHITECTURE.md documents (checked below).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'src/core');
/** Lowest first. */
const STAGES = ['model', 'io', 'parsers', 'build', 'search', 'format', 'manuscript', 'preview', 'index', 'tree'];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}
const SPEC = /(?:from|import|require(?:\.resolve)?)\s*\(?\s*['"]([^'"]+)['"]/g;
const importsIn = (text: string): string[] => [...text.matchAll(SPEC)].map((m) => m[1]);
const stageOf = (abs: string): string => path.relative(CORE, abs).split(path.sep)[0];

/** What breaks the layering in these files (absolute path → source text). */
function violations(sources: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [f, text] of sources) {
    const from = STAGES.indexOf(stageOf(f));
    for (const spec of importsIn(text)) {
      if (spec === 'vscode' || spec.startsWith('vscode/')) {
        bad.push(`${path.relative(ROOT, f)} imports vscode`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(f), spec);
      if (!target.startsWith(CORE + path.sep)) {
        bad.push(`${path.relative(ROOT, f)} imports ${spec} outside src/core`);
        continue;
      }
      const to = STAGES.indexOf(stageOf(target));
      if (to > from) bad.push(`${path.relative(ROOT, f)} (${STAGES[from]}) imports ${spec} (${STAGES[to]}, a higher stage)`);
    }
  }
  return bad;
}

describe('src/core layers', () => {
  const all = files(CORE);

  it('every file sits in a known stage folder (none left flat in src/core)', () => {
    const misplaced = all.filter((f) => !STAGES.includes(stageOf(f)) || path.dirname(f) === CORE);
    assert.deepStrictEqual(misplaced.map((f) => path.relative(ROOT, f)), []);
    for (const s of STAGES) assert.ok(fs.existsSync(path.join(CORE, s)), `stage folder ${s} exists`);
    assert.ok(all.length > 60, `found ${all.length} core files`);
  });

  it('imports run only downward through the stages, never to vscode or the editor side', () => {
    assert.deepStrictEqual(violations(new Map(all.map((f) => [f, fs.readFileSync(f, 'utf8')]))), []);
  });

  it('the rule sees an upward import, an editor import and vscode (so it cannot pass vacuously)', () => {
    const at = (rel: string) => path.join(CORE, rel);
    const found = violations(new Map([
      [at('model/x.ts'), "import { IndexSession } from '../index/indexWorker';\nimport { fold } from './names';"],
      [at('search/y.ts'), "import * as vscode from 'vscode';\nimport type { Work } from '../model/model';"],
      [at('build/z.ts'), "const t = require('../../vscode/corpusService');"],
    ]));
    assert.deepStrictEqual(found, [
      'src/core/model/x.ts (model) imports ../index/indexWorker (index, a higher stage)',
      'src/core/search/y.ts imports vscode',
      'src/core/build/z.ts imports ../../vscode/corpusService outside src/core',
    ]);
  });

  it('ARCHITECTURE.md names every stage folder, in this order', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
    const at = STAGES.map((s) => doc.indexOf('`' + s + '/`'));
    assert.ok(at.every((i) => i >= 0), `missing: ${STAGES.filter((_, i) => at[i] < 0).join(', ')}`);
    assert.deepStrictEqual([...at].sort((a, b) => a - b), at, 'stages listed lowest first');
  });
});
