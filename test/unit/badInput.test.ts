/**
 * Bad input never crashes the index, never hides good records, and every bad file or entry is
 * reported once with file, line and a message a person understands.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildCorpus } from '../../src/core/build/corpus';
import { indexPaths, parseFile } from '../../src/core/build/loadFiles';
import { ParsedFileSchema } from '../../src/core/model/model';
import { ROOT, SEEDS } from './helpers/corpus';

const BAD = path.join(ROOT, 'fixtures', 'bad');
const bad = (name: string) => path.join(BAD, name);
const seedIds = () => indexPaths([SEEDS]).works.filter((w) => w['x-corpus'].kind === 'record' && w['x-corpus'].sources.some((s) => s.relation === 'record'));

describe('bad input', () => {
  const c = () => indexPaths([BAD]);

  it('every parser output validates against the zod schema', () => {
    for (const f of fs.readdirSync(BAD)) ParsedFileSchema.parse(parseFile(bad(f)));
  });

  it('reports each bad file once, with line and a readable message', () => {
    const problems = c().problems.filter((p) => p.severity !== 'info');
    const by = (name: string) => problems.filter((p) => p.file === bad(name));
    assert.match(by('s2-cut-mid-string.txt')[0].message, /not valid JSON/);
    assert.strictEqual(by('s2-cut-mid-string.txt').length, 1);
    assert.match(by('s2-wrong-types.txt')[0].message, /Ignored fields with unexpected types: authors, doi, journal/);
    assert.match(by('binary-named.txt')[0].message, /binary/);
    assert.match(by('empty.txt')[0].message, /Empty file/);
    const bib = by('bibtex-broken-and-duplicate.bib');
    assert.deepStrictEqual(bib.map((p) => p.line).sort((a, b) => a - b), [9, 22], JSON.stringify(bib));
    assert.strictEqual(by('ris-no-end-tag.ris').length, 1);
    assert.strictEqual(by('ris-no-end-tag.ris')[0].line, 8);
    assert.ok(by('csl-missing-id.json').length >= 2, JSON.stringify(by('csl-missing-id.json')));
    for (const p of problems) {
      assert.ok(p.line >= 1);
      assert.doesNotMatch(p.message, /\n\s+at |TypeError|undefined/, p.message);
    }
  });

  it('indexes every good record, decoding UTF-16 LE/BE, GB18030, BOM, CR and NUL files', () => {
    const titles = new Set(c().works.map((w) => w.title));
    for (const t of ['A good entry', 'The entry after the broken one', 'A second entry with the same key', 'A properly ended RIS record', 'A RIS record without an end tag', 'A CSL item with an id', 'A CSL item without an id', 'A record with wrong types']) {
      assert.ok(titles.has(t), `missing "${t}"`);
    }
    // The re-encoded seeds come out exactly as the UTF-8 originals.
    const strip = (w: object) => JSON.stringify({ ...w, 'x-corpus': undefined });
    const originals = new Map(seedIds().map((w) => [w.title, strip(w)]));
    const decoded = c().works.filter((w) => originals.has(w.title) && w['x-corpus'].kind === 'record' && w['x-corpus'].sources.some((s) => s.relation === 'record'));
    const formats = decoded.flatMap((w) => w['x-corpus'].sources.filter((s) => s.relation === 'record').map((s) => path.basename(s.file))).sort();
    assert.deepStrictEqual(formats, ['emerald-bare-cr.txt', 'emerald-utf16be.txt', 's2-nul-bytes.txt', 'scienceopen-bom.txt', 'scienceopen-utf16le.txt', 'wos-gb18030.txt']);
    const moore = c().works.find((w) => w.title?.startsWith('More ‘milk’'))!;
    assert.strictEqual(moore.DOI, '10.1111/hex.13151');
    assert.strictEqual(moore.PMID, '33314538');
    const mackay = c().works.find((w) => w.DOI === '10.1080/18387357.2022.2033128')!;
    assert.strictEqual(mackay.author!.length, 15);
    assert.strictEqual(mackay.keyword, 'Peer support, peer research, mental health, lived experience, value-led');
    const perkins = c().works.find((w) => w.title === 'Where is peer support going?')!;
    assert.strictEqual(perkins['container-title'], 'Mental Health and Social Inclusion');
    assert.match(perkins.abstract!, /^Peer support is not new\./);
  });

  describe('large and hostile files (generated)', function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bad-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('a 25 MB text file with no records: one warning, bounded time', () => {
      const f = path.join(dir, 'big.txt');
      const line = 'lorem ipsum dolor sit amet (not, a citation) 20122016 '.repeat(20) + '\n';
      fs.writeFileSync(f, line.repeat(Math.ceil((25 * 1048576) / line.length)));
      const p = parseFile(f);
      assert.strictEqual(p.records.length, 0);
      assert.strictEqual(p.problems.length, 1);
      assert.match(p.problems[0].message, /Not a recognised corpus format/);
    });

    it('over the size cap: skipped with a clear message', () => {
      const f = path.join(dir, 'cap.bib');
      fs.writeFileSync(f, '@misc{a, title={x}}\n'.repeat(100_000));
      const p = parseFile(f, { maxFileBytes: 1024 * 1024 });
      assert.strictEqual(p.records.length, 0);
      assert.match(p.problems[0].message, /over the 1 MB limit \(setting corpusCite\.maxFileSizeMB\)/);
    });

    it('a record with 10,000 authors and a 1 MB abstract', () => {
      const authors = Array.from({ length: 10_000 }, (_, i) => ({ family: `Author${i}`, given: 'A.' }));
      const abstract = 'Peer support matters (Voronka, 2019). '.repeat(Math.ceil(1048576 / 38));
      const f = path.join(dir, 'huge.json');
      fs.writeFileSync(f, JSON.stringify([{ id: 'huge', type: 'article-journal', title: 'Huge', author: authors, abstract, issued: { 'date-parts': [[2020]] } }]));
      const c = buildCorpus([parseFile(f)]);
      const w = c.works.find((x) => x.title === 'Huge')!;
      assert.strictEqual(w.author!.length, 10_000);
      assert.strictEqual(w.abstract!.length, abstract.length);
      assert.strictEqual(c.byId.get('voronka2019')!['x-corpus'].contexts.length, 1, 'one sentence repeated is one context');
    });
  });
});
