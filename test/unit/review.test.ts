/**
 * The sample review `fixtures/review.md`, written with the extension's completion: its citations
 * are all known and in the form completion inserts, its bibliography block is exactly what
 * "Insert or Update Bibliography" generates today (core bibliographyEdit + formatBibliography, as
 * the index worker runs them), and Debian's `pandoc --citeproc` renders it from the CLI's
 * CSL-JSON export with no unresolved citation.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatBibliography } from '../../src/core/format/bibliography';
import { applyEdit, bibliographyEdit, BIB_END, BIB_START } from '../../src/core/format/bibliographyBlock';
import { IndexSession } from '../../src/core/index/indexWorker';
import { WorkLookup } from '../../src/core/search/lookup';
import { checkManuscript, citedWorks } from '../../src/core/manuscript/manuscript';
import { formatCitation } from '../../src/core/format/render';
import { corpusOf, ROOT, SEEDS } from './helpers/corpus';

const REVIEW = path.join(ROOT, 'fixtures', 'review.md');
const CLI = path.join(ROOT, 'dist', 'cli.js');

describe('the sample review fixtures/review.md', function () {
  this.timeout(60_000);
  const text = fs.readFileSync(REVIEW, 'utf8');
  const lookup = () => new WorkLookup(corpusOf(SEEDS).works);

  it('cites only works of the sample corpus, as completion writes them, and has no bibliography: field', () => {
    const report = checkManuscript(text, lookup());
    assert.deepStrictEqual(report.unknown.map((u) => u.text), []);
    assert.ok(report.citations.length >= 15, `${report.citations.length} citations`);
    for (const c of report.citations) {
      assert.strictEqual(c.kind, 'pandoc', `${c.text} is not a Pandoc citation`);
      const w = lookup().id(c.works[0])!;
      assert.strictEqual(c.text.replace(/^-/, ''), formatCitation(w, 'pandoc', { insideBrackets: true }));
    }
    assert.ok(report.citations.some((c) => lookup().id(c.works[0])!['x-corpus'].kind === 'cited'), 'cites no cited-only work');
    assert.doesNotMatch(text, /^bibliography:/m);
  });

  it('holds the bibliography the extension’s command generates today', () => {
    const works = citedWorks(text, lookup());
    const body = formatBibliography(works, 'apa', 'markdown');
    // The command formats in the index worker: the same text.
    const viaWorker = new IndexSession().handle({ id: 1, kind: 'export', works, format: 'bibliography', style: 'apa', output: 'markdown' });
    assert.ok(viaWorker.kind === 'text');
    assert.strictEqual(viaWorker.text, body);
    const edit = bibliographyEdit(text, body);
    assert.ok(text.slice(edit.start, edit.end).startsWith(BIB_START) && text.slice(edit.start, edit.end).endsWith(BIB_END), 'the markers are not where the block is');
    if (applyEdit(text, edit) !== text) {
      assert.strictEqual(text.slice(edit.start, edit.end), edit.newText, 'fixtures/review.md is out of date: run the command (or bibliographyEdit) again');
    }
  });

  it('renders with pandoc --citeproc from the CLI’s CSL-JSON export, every citation resolved', function () {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` (npm test does)');
    if (spawnSync('pandoc', ['--version']).error) assert.fail('pandoc is not installed (apt-get install -y pandoc)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-review-'));
    try {
      const refs = path.join(dir, 'refs.json');
      const exp = spawnSync(process.execPath, [CLI, 'export', '--format', 'csl-json', '--out', refs, SEEDS], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(exp.status, 0, exp.stderr);
      for (const extra of [[], ['-M', 'suppress-bibliography=true']]) {
        const r = spawnSync('pandoc', ['--citeproc', '--bibliography', refs, ...extra, '-t', 'plain', '--wrap=none', REVIEW], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /not found|WARNING/i, r.stderr);
        assert.doesNotMatch(r.stdout, /\?\?|@[a-z]+\d{4}/, 'an unresolved citation is left in the output');
        for (const s of ['(Mead and Filson 2017)', '(Gillard 2022)', 'Perkins and Repper (2019)', '(Voronka 2019)', 'Mental Health Task Force 2016']) {
          assert.ok(r.stdout.includes(s), `${s} missing from:\n${r.stdout}`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
