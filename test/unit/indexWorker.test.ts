import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { IndexSession } from '../../src/core/indexWorker';
import { SEEDS } from './helpers/corpus';

describe('IndexSession (the indexing worker’s state)', () => {
  const files = fs.readdirSync(SEEDS).sort().map((f) => path.join(SEEDS, f));

  it('parses files, builds the corpus, and forgets dropped files', () => {
    const s = new IndexSession();
    files.forEach((file, i) => {
      const r = s.handle({ id: i, kind: 'parse', file, bytes: fs.readFileSync(file) });
      assert.strictEqual(r.kind, 'parsed');
      assert.strictEqual(r.id, i);
    });
    let built = s.handle({ id: 10, kind: 'build' });
    assert.ok(built.kind === 'built');
    const ids = built.works.map((w) => w.id);
    assert.ok(ids.includes('gillard2022') && ids.includes('voronka2019'));

    s.handle({ id: 11, kind: 'drop', file: files[0] });
    built = s.handle({ id: 12, kind: 'build' });
    assert.ok(built.kind === 'built');
    assert.ok(!built.works.some((w) => w.id === 'gillard2022'), 'a dropped file still contributes works');
  });

  it('keeps problems set for a file that could not be read', () => {
    const s = new IndexSession();
    s.handle({ id: 1, kind: 'set', parsed: { file: '/x.bib', records: [], problems: [{ file: '/x.bib', line: 1, severity: 'error', message: 'gone' }] } });
    const built = s.handle({ id: 2, kind: 'build' });
    assert.ok(built.kind === 'built');
    assert.deepStrictEqual(built.problems.map((p) => p.message), ['gone']);
  });

  it('answers an empty file with a problem, not an exception', () => {
    const s = new IndexSession();
    const r = s.handle({ id: 1, kind: 'parse', file: '/empty.bib', bytes: new Uint8Array() });
    assert.strictEqual(r.kind, 'parsed');
    const built = s.handle({ id: 2, kind: 'build' });
    assert.ok(built.kind === 'built' && built.problems.length === 1);
  });

  it('exports BibTeX and formatted entries', function () {
    this.timeout(30_000); // citation-js loads on first use
    const s = new IndexSession();
    const file = files.find((f) => f.includes('002_'))!;
    s.handle({ id: 1, kind: 'parse', file, bytes: fs.readFileSync(file) });
    const built = s.handle({ id: 2, kind: 'build' });
    assert.ok(built.kind === 'built');
    const perkins = built.works.filter((w) => w.id === 'perkins2019');
    const bib = s.handle({ id: 3, kind: 'export', works: perkins, format: 'bibtex' });
    assert.ok(bib.kind === 'text' && /@article\{perkins2019,/.test(bib.text));
    const apa = s.handle({ id: 4, kind: 'export', works: perkins, format: 'bibliography', style: 'apa' });
    assert.ok(apa.kind === 'text' && /^Perkins, R\., & Repper, J\. \(2019\)/.test(apa.text), apa.kind === 'text' ? apa.text : apa.kind);
  });
});
