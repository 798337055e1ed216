/**
 * Pandoc is the judge of keys: on real .bib files nobody here wrote (the Zotero exports of
 * ../shared/bench-data, Beebe's bibliographies and biblatex-examples.bib from Debian's
 * texlive-bibtex-extra), every key `pandoc -f bibtex|biblatex -t csljson` resolves must be a key
 * of a work here (its id or an alias), found through `checkManuscript`, the function
 * `corpus-cite check` uses, on a manuscript citing every one of them; and no two entries of one
 * file may be one work.
 */
import * as assert from 'assert';
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isCitekey } from '../../src/core/model/keys';
import { buildCorpus } from '../../src/core/build/corpus';
import { parseFile } from '../../src/core/build/loadFiles';
import { WorkLookup } from '../../src/core/search/lookup';
import { checkManuscript } from '../../src/core/manuscript/manuscript';
import { ROOT } from './helpers/corpus';

const BENCH_DATA = process.env.CORPUS_CITE_BENCH_DATA || path.resolve(ROOT, '..', 'shared', 'bench-data');
const TEXMF_BIB = '/usr/share/texlive/texmf-dist/bibtex/bib';

/** The real .bib files on this machine, with the Pandoc reader for each. */
function realBibFiles(): { file: string; reader: 'bibtex' | 'biblatex' }[] {
  const out: { file: string; reader: 'bibtex' | 'biblatex' }[] = [];
  if (fs.existsSync(BENCH_DATA)) for (const f of fs.readdirSync(BENCH_DATA).sort()) if (f.endsWith('.bib')) out.push({ file: path.join(BENCH_DATA, f), reader: 'bibtex' });
  const beebe = path.join(TEXMF_BIB, 'beebe');
  if (fs.existsSync(beebe)) for (const f of fs.readdirSync(beebe).sort()) if (f.endsWith('.bib')) out.push({ file: path.join(beebe, f), reader: 'bibtex' });
  const examples = path.join(TEXMF_BIB, 'biblatex', 'biblatex', 'biblatex-examples.bib');
  if (fs.existsSync(examples)) out.push({ file: examples, reader: 'biblatex' });
  return out;
}

interface Judged {
  file: string;
  /** The ids of Pandoc's CSL-JSON, or why Pandoc could not read the file. */
  keys?: string[];
  error?: string;
}

/** Runs Pandoc on every file, two at a time (most of this test's time is Pandoc's). */
async function judge(files: { file: string; reader: string }[]): Promise<Judged[]> {
  const out: Judged[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const { file, reader } = files[i];
      out[i] = await new Promise<Judged>((resolve) => {
        execFile('pandoc', ['-f', reader, '-t', 'csljson', file], { maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) resolve({ file, error: (stderr || err.message).split('\n').slice(0, 2).join(' ') });
          else resolve({ file, keys: (JSON.parse(stdout) as { id: string }[]).map((x) => String(x.id)) });
        });
      });
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

describe('keys as Pandoc resolves them, on real .bib files', function () {
  this.timeout(300_000); // ≈ 35 s of CPU (mostly Pandoc): minutes on a loaded machine
  const files = realBibFiles();
  let judged: Judged[] = [];

  before(async function () {
    if (spawnSync('pandoc', ['--version']).error) assert.fail('pandoc is not installed (apt-get install -y pandoc; .ci/run does this)');
    if (!files.length) {
      console.log(`      no real .bib files here (${BENCH_DATA}, ${TEXMF_BIB}: apt-get install texlive-bibtex-extra); skipped`);
      this.skip();
    }
    if (!fs.existsSync(BENCH_DATA)) console.log(`      ${BENCH_DATA} is missing: only Debian's files are judged`);
    if (!fs.existsSync(TEXMF_BIB)) console.log(`      ${TEXMF_BIB} is missing (apt-get install texlive-bibtex-extra): only the bench data is judged`);
    judged = await judge(files);
  });

  it('every key Pandoc resolves is a key of a work here (check finds none unknown), and no two entries of one file are one work', () => {
    let total = 0;
    let judgedFiles = 0;
    const failures: string[] = [];
    const grammar: string[] = [];
    for (const j of judged) {
      const name = path.basename(j.file);
      // What `corpus-cite check --corpus FILE` indexes (indexPaths of one file).
      const parsed = parseFile(j.file);
      const c = buildCorpus([parsed]);
      // No two entries of one file share a work: each work has at most one record of the file,
      // and as many works have one as the parser read entries.
      let withRecord = 0;
      for (const w of c.works) {
        const mine = w['x-corpus'].sources.filter((s) => s.relation === 'record' && s.file === j.file);
        if (mine.length > 1) failures.push(`${name}: entries at lines ${mine.map((s) => s.line).join(', ')} are one work (${w.id})`);
        if (mine.length) withRecord++;
      }
      if (withRecord !== parsed.records.length) failures.push(`${name}: ${parsed.records.length} entries read, but ${withRecord} works have one`);
      if (j.error) {
        console.log(`      ${name}: ${parsed.records.length} entries, ${c.works.length} works; Pandoc cannot read it (${j.error}): keys not judged`);
        continue;
      }
      judgedFiles++;
      const keys = [...new Set(j.keys!)].filter((k) => !k.includes('}'));
      total += keys.length;
      const report = checkManuscript(keys.map((k) => `[@{${k}}]`).join('\n') + '\n', new WorkLookup(c.works));
      assert.strictEqual(report.citations.length, keys.length, `${name}: the manuscript cites each key once`);
      const unknown = report.unknown.map((u) => u.key);
      // Keys the key grammar refuses (isCitekey: a key ending in `_`, `-` or `+`) are the key
      // grammar's part of issue 11; counted and listed here, every other key must resolve.
      for (const k of unknown) (isCitekey(k) ? failures : grammar).push(`${name}: @${k}`);
      console.log(`      ${name}: ${keys.length} keys, ${unknown.length} unknown, ${parsed.records.length} entries, ${c.works.length} works`);
    }
    assert.ok(judgedFiles > 0, 'Pandoc read none of the files');
    if (grammar.length) console.log(`      ${grammar.length} keys the citekey grammar refuses: ${grammar.join(', ')}`);
    assert.deepStrictEqual(failures, [], `${failures.length} failures of ${total} keys`);
  });
});
