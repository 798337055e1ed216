/**
 * Pandoc as the judge of our BibTeX/BibLaTeX reading (issue 11). `pandoc -f bibtex -t csljson`
 * (or `-f biblatex`) on real .bib files nobody here wrote — the Zotero/Better BibTeX exports in
 * ../shared/bench-data, Nelson Beebe's bibliographies and biblatex-examples.bib from Debian's
 * texlive-bibtex-extra — compared entry by entry with our parse:
 *  - every key Pandoc resolves is a key we read, and a work's id;
 *  - title, authors, year, container, volume, pages and DOI agree, except in the classes of
 *    disagreement listed below, each with the side that is right.
 * Agreement figures are printed per file. Set PANDOC_JUDGE_ALL=1 to add the big files (tugboat,
 * printing-history: another ~15 s).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildCorpus } from '../../src/core/build/corpus';
import { citekeyText } from '../../src/core/model/keys';
import type { ParsedFile } from '../../src/core/model/model';
import { parseText } from '../../src/core/parsers';
import { compare, type Comparison, type DisagreementClass, FIELDS, type PandocReading, pandocRead, pandocVersion, type Variant } from './helpers/pandocBib';

const BENCH = path.resolve(__dirname, '../../../shared/bench-data');
const TEXMF = '/usr/share/texlive/texmf-dist/bibtex/bib';
const BEEBE = path.join(TEXMF, 'beebe');
const BIBLATEX_EXAMPLES = path.join(TEXMF, 'biblatex/biblatex/biblatex-examples.bib');

/** The files and the dialect Pandoc reads each in (BibLaTeX files in both). */
function judged(): { file: string; variant: Variant }[] {
  const out: { file: string; variant: Variant }[] = [];
  for (const f of ['bbt-1296.bib', 'bbt-1436-3.bib']) out.push({ file: path.join(BENCH, f), variant: 'bibtex' });
  const beebe = ['texbook1', 'texbook2', 'texbook3', 'texgraph', 'texjourn', 'texnique', 'font', 'typeset', 'serif', 'type', 'epodd'];
  if (process.env.PANDOC_JUDGE_ALL) beebe.push('tugboat', 'printing-history');
  for (const f of beebe) out.push({ file: path.join(BEEBE, `${f}.bib`), variant: 'bibtex' });
  out.push({ file: BIBLATEX_EXAMPLES, variant: 'biblatex' }, { file: BIBLATEX_EXAMPLES, variant: 'bibtex' });
  const only = process.env.PANDOC_JUDGE_ONLY;
  return out.filter((j) => fs.existsSync(j.file) && (!only || path.basename(j.file).includes(only)));
}

/** `\word` (or the discretionary hyphen `\-`) followed by a brace group (after optional blanks). */
const COMMAND_WITH_GROUP = /\\(?:[A-Za-z]+|-)\s*\{/;

/** Whether `short` is `long` with some characters left out. */
function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long[j] === short[i]) i++;
  return i === short.length && short.length < long.length;
}

/** The raw value of `field` in an entry's text (first line of it is enough for the tests below). */
function rawField(entry: string, field: string): string {
  const m = new RegExp(`^\\s*${field}\\s*=(.*)$`, 'im').exec(entry);
  return m ? m[1] : '';
}

/**
 * The known disagreements, each with the side that is right. Everything else must agree.
 * (Pandoc sentence-cases English titles in CSL-JSON — "The book title" — and joins `number` and
 * `issue`: case does not count here and issue is not compared, so neither needs a class.)
 */
const CLASSES: DisagreementClass[] = [
  {
    name: 'math',
    reason: 'Pandoc keeps TeX math as its source (`x^2`, `\\pi`, `5\\times7`); we write Unicode where it has the character (x², π, 5×7). Ours is right for display.',
    test: ({ entry }) => entry.includes('$'),
  },
  {
    name: 'command drops its group',
    reason:
      'Pandoc drops a command together with the brace group after it (`\\emdash {A}`, `\\textendash{{Microsoft Word}}`, `\\smash{\\TeX}`, a @preamble macro like `\\booktitle{…}`); we keep the group\'s text, which TeX prints. Ours is right.',
    test: ({ field, pandoc, ours, entry }) => (field === 'title' || field === 'container' || field === 'author') && pandoc !== undefined && ours !== undefined && isSubsequence(pandoc, ours) && COMMAND_WITH_GROUP.test(entry),
  },
  {
    name: 'user macros',
    reason: 'A macro of the file\'s own @preamble or bibnames.sty (`\\POSTSCRIPT`, `\\METAFONT`, `\\acro`, `\\kern`): neither reader can expand it; Pandoc drops it, we drop the command and keep its argument. Neither is right.',
    test: ({ field, pandoc, ours, entry }) => (field === 'title' || field === 'container' || field === 'author') && pandoc !== undefined && ours !== undefined && (isSubsequence(ours, pandoc) || isSubsequence(pandoc, ours)) && /\\[A-Za-z]{2,}/.test(entry),
  },
  {
    name: 'open year',
    reason: 'An open-ended year (`1987--`, `"1987" # "\\unskip--"`): Pandoc drops the whole date; we keep the year it starts. Ours is right.',
    test: ({ field, pandoc, ours, entry }) => field === 'year' && pandoc === undefined && ours !== undefined && /--|\\unskip/.test(rawField(entry, 'year')),
  },
  {
    name: 'year with words',
    reason: 'A year that is not a bare number (`1992 (or 1993??)`, `1979, 1980`): Pandoc drops the date; we keep its first four-digit year. Ours is right.',
    test: ({ field, pandoc, ours, entry }) => field === 'year' && pandoc === undefined && ours !== undefined && rawField(entry, 'year').includes(ours),
  },
  {
    name: 'no year',
    reason: 'A year of `??` or `19xx`: Pandoc reads the year 0; we read no year. Ours is right.',
    test: ({ field, pandoc, ours }) => field === 'year' && pandoc === '0' && ours === undefined,
  },
  {
    name: 'crossref title mapping',
    reason:
      'A paper\'s `crossref` to a @proceedings without a `booktitle` field: BibLaTeX (Biber) makes the proceedings\' `title` the paper\'s `booktitle`; Pandoc\'s BibTeX reader copies fields by name only and leaves the paper without a container. We follow Biber. Ours is right.',
    test: ({ field, pandoc, ours, entry }) => field === 'container' && pandoc === undefined && ours !== undefined && /^\s*crossref\s*=/im.test(entry),
  },
  {
    name: 'BibTeX name grammar',
    reason:
      'BibTeX\'s name grammar: a brace group is one token (`{van Greunen}` is the family name), `~` separates tokens, a token\'s case is its first letter\'s (`G. L. (George L.) Sicherman`: family Sicherman). Pandoc splits brace groups, joins at `~`/`\\slash` and moves particles. We follow BibTeX (and Biber). Ours is right.',
    test: ({ field, pandoc, ours }) => {
      if (field !== 'author' || pandoc === undefined || ours === undefined) return false;
      const p = pandoc.split('|');
      const o = ours.split('|');
      if (p[p.length - 1] === 'others' && o.length === p.length - 1) p.pop();
      return p.length === o.length && p.every((x, i) => x === o[i] || x.endsWith(o[i]) || o[i].endsWith(x));
    },
  },
  {
    name: 'and others',
    reason: '`and others` is "et al.": Pandoc lists a person named "others"; we mark the work et al. Ours is right.',
    test: ({ field, pandoc, ours }) => field === 'author' && pandoc !== undefined && (pandoc === 'others' ? ours === undefined : pandoc === `${ours}|others`),
  },
  {
    name: 'dotless i',
    reason: '`\\"{\\i}`, `\\\'{\\i}`: Pandoc keeps the dotless ı under the accent (ı̈); we compose ï, í. Ours is right.',
    test: ({ pandoc, ours }) => pandoc !== undefined && ours !== undefined && pandoc.includes('ı') && pandoc.replace(/ı/g, 'i') === ours,
  },
  {
    name: 'fjournal',
    reason: 'MathSciNet and Beebe entries give `fjournal` (the full journal name) beside `journal` (its abbreviation): we take `fjournal` as the journal and `journal` as its short form (issue 10); Pandoc ignores `fjournal`. Ours is right: CSL has `container-title-short` for the abbreviation.',
    test: ({ field, entry }) => field === 'container' && /^\s*fjournal\s*=/im.test(entry),
  },
  {
    name: 'doi: prefix',
    reason: 'A DOI written `doi:10.…`: Pandoc keeps the prefix; we strip it. Ours is right.',
    test: ({ field, pandoc, ours }) => field === 'DOI' && pandoc === `doi:${ours}`,
  },
  {
    name: 'maintitle',
    reason:
      'A volume of a multi-volume work: Pandoc makes the work\'s `maintitle` the title (the volume\'s own in `volume-title`); we keep the volume\'s own title, which is what it is searched and cited by. Both are CSL; Pandoc\'s renders a reference better.',
    test: ({ field, entry }) => field === 'title' && /^\s*maintitle\s*=/im.test(entry),
  },
  {
    name: '% in a value',
    reason: 'Pandoc takes a `%` inside a value for a TeX comment and loses the rest of the line (or the file: it then rejects it); BibTeX does not. Ours is right.',
    test: ({ pandoc, ours, entry }) => entry.includes('%') && pandoc !== undefined && ours !== undefined && isSubsequence(pandoc, ours),
  },
];

interface FileResult {
  name: string;
  variant: Variant;
  reading: PandocReading;
  parsed: ParsedFile;
  cmp: Comparison;
}

describe('BibTeX read as Pandoc reads it (pandoc -t csljson as the judge)', function () {
  this.timeout(600_000);
  const version = pandocVersion();
  const results: FileResult[] = [];

  before(async function () {
    if (!version) {
      console.log('    pandoc is not installed: the BibTeX judge is skipped (scripts/setup-test-env.sh installs it)');
      this.skip();
    }
    const jobs = judged();
    if (!fs.existsSync(BEEBE)) console.log('    texlive-bibtex-extra is not installed: judging the bench-data files only (scripts/setup-test-env.sh installs it)');
    const next = { i: 0 };
    const worker = async () => {
      for (;;) {
        const j = jobs[next.i++];
        if (!j) return;
        const text = fs.readFileSync(j.file, 'utf8');
        const parsed = parseText(text, j.file);
        // Pandoc rejects a whole file for one bad entry: hand it the file without the entries we
        // reject too (each is one error Problem here), then blank whatever else it rejects.
        const ours = parsed.problems.filter((p) => p.severity === 'error').map((p) => p.line);
        const reading = await pandocRead(j.file, j.variant, 40, ours);
        const cmp = compare(reading.items, parsed.records, text, CLASSES, new Set(reading.blanked.map((b) => b.key)));
        results.push({ name: path.basename(j.file), variant: j.variant, reading, parsed, cmp });
      }
    };
    await Promise.all([worker(), worker()]);
    results.sort((a, b) => a.name.localeCompare(b.name) || a.variant.localeCompare(b.variant));
    console.log(`    ${version}; agreement per file (agreeing / compared, where either side has the field):`);
    for (const r of results) {
      const cells = FIELDS.map((f) => `${f} ${r.cmp.agreed[f]}/${r.cmp.compared[f]}`).join(', ');
      const known = new Map<string, number>();
      for (const d of r.cmp.differences) if (d.cls) known.set(d.cls, (known.get(d.cls) ?? 0) + 1);
      console.log(`    ${r.name} (${r.variant}): ${r.cmp.entries} entries; ${cells}`);
      if (known.size) console.log(`      known classes: ${[...known].map(([k, n]) => `${k} ${n}`).join(', ')}`);
      if (r.reading.blanked.length) console.log(`      Pandoc rejected the file at ${r.reading.blanked.length} entries (blanked, not compared), e.g. ${r.reading.blanked.slice(0, 3).map((b) => `${b.key}:${b.line}`).join(', ')}`);
    }
  });

  it('reads every file Pandoc reads', () => {
    for (const r of results) assert.strictEqual(r.reading.failure, undefined, `${r.name} (${r.variant}): ${r.reading.failure}`);
    assert.ok(results.length > 0);
  });

  it('every key Pandoc resolves is the key of a record we read', () => {
    for (const r of results) {
      const keys = new Set(r.parsed.records.map((x) => x.sourceKey));
      const missing = r.reading.items.map((i) => i.id).filter((k) => !keys.has(k));
      assert.deepStrictEqual(missing.slice(0, 20), [], `${r.name} (${r.variant}): ${missing.length} of Pandoc's keys are not keys of our records`);
    }
  });

  // DEPENDS ON THE MERGE-RULES CHANGE (issue 11, corpus.ts: distinct entries of one file are never
  // merged, merged works keep every key). The probe below tells whether it has landed: if it has,
  // every key must be a work's id (or alias) and no work may hold two entries of one file; if not,
  // the keys lost must be exactly those of entries merged into another entry's work (the state
  // the issue reports), so this test fails in either state when the keys go missing for any other
  // reason. Lead: after merging, the probe should report "landed" and the strict branch run.
  it('every key Pandoc resolves is a work id of the corpus built from the file, and no two entries share a work', () => {
    const probe = buildCorpus([parseText('@article{a1, title = {One title for two entries here}, author = {Lee, A}, year = 2020}\n@article{a2, title = {One title for two entries here}, author = {Lee, A}, year = 2020}\n', 'probe.bib')]);
    const landed = probe.works.length === 2;
    console.log(`      merge-rules change ${landed ? 'landed: strict check' : 'not landed yet: checking that only merged entries lose their keys'}`);
    for (const r of results) {
      if (r.variant !== 'bibtex' && results.some((o) => o.name === r.name && o.variant === 'bibtex')) continue;
      const corpus = buildCorpus([r.parsed]);
      const ids = new Set<string>();
      for (const w of corpus.works) {
        ids.add(w.id);
        const aliases = (w as { aliases?: unknown }).aliases ?? (w['x-corpus'] as { aliases?: unknown }).aliases;
        if (Array.isArray(aliases)) for (const a of aliases) ids.add(String(a));
      }
      const missing = r.reading.items.map((i) => i.id).filter((k) => !ids.has(k));
      // Works holding two or more entries of the file, by the entries' lines.
      const mergedLines = new Set<number>();
      for (const w of corpus.works) {
        const lines = w['x-corpus'].sources.filter((s) => s.relation === 'record').map((s) => s.line);
        if (lines.length > 1) for (const l of lines) mergedLines.add(l);
      }
      if (landed) {
        assert.deepStrictEqual(missing.slice(0, 20), [], `${r.name}: ${missing.length} of Pandoc's keys are not work ids (${citekeyText(missing[0] ?? 'x')}…)`);
        assert.strictEqual(mergedLines.size, 0, `${r.name}: ${mergedLines.size} entries share a work with another entry of the file`);
      } else {
        const lineOf = new Map(r.parsed.records.map((x) => [x.sourceKey, x.line]));
        const unexplained = missing.filter((k) => !mergedLines.has(lineOf.get(k) ?? -1));
        if (missing.length) console.log(`      ${r.name}: ${missing.length} of ${r.reading.items.length} keys lost to merged entries (${mergedLines.size} entries in merged works)`);
        assert.deepStrictEqual(unexplained.slice(0, 20), [], `${r.name}: keys lost without a merge`);
      }
    }
  });

  it('title, authors, year, container, volume, pages and DOI agree but for the listed classes', () => {
    const unexplained: string[] = [];
    for (const r of results) {
      for (const d of r.cmp.differences) {
        if (!d.cls) unexplained.push(`${r.name} (${r.variant}) ${d.key}:${d.line} ${d.field}: Pandoc ${JSON.stringify(d.pandoc)}, ours ${JSON.stringify(d.ours)}`);
      }
    }
    if (unexplained.length) console.log(`      unexplained:\n        ${unexplained.slice(0, 60).join('\n        ')}`);
    assert.deepStrictEqual(unexplained.slice(0, 20), [], `${unexplained.length} disagreements outside the listed classes`);
  });

  it('Pandoc reads our @key / @{key} for the keys it would cut short (zhang_, ANSI:phigs+)', () => {
    const keys = ['zhang_', 'ANSI:phigs+', 'Anonymous:TB21-2-', 'a--b', 'smith2020', 'müller:2018'];
    const md = keys.map((k) => `[${citekeyText(k)}]`).join('\n\n');
    const ast = JSON.parse(execFileSync('pandoc', ['-f', 'markdown', '-t', 'json'], { input: md, encoding: 'utf8' })) as unknown;
    const found: string[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') {
        const o = x as { citationId?: string };
        if (typeof o.citationId === 'string') found.push(o.citationId);
        Object.values(x).forEach(walk);
      }
    };
    walk(ast);
    assert.deepStrictEqual(found, keys);
    assert.strictEqual(citekeyText('zhang_'), '@zhang_');
    assert.strictEqual(citekeyText('ANSI:phigs+'), '@{ANSI:phigs+}');
  });
});
