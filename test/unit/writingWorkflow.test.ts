/**
 * The core of the editor's writing workflow: unknown citations and their fixes, cited works,
 * navigation targets, citation counts, the coverage report, atomic writes, and the exports the
 * index worker makes for the editor.
 */
import * as assert from 'assert';
import { writeAtomically, type AtomicFileSystem } from '../../src/core/atomic';
import { formatBibliography, htmlToMarkdown } from '../../src/core/bibliography';
import { applyEdit, bibliographyEdit, BIB_END, BIB_START, incompleteEntryNotes, missingEssentials } from '../../src/core/bibliographyBlock';
import { citationReplacement, nearestFixes, unknownCitations } from '../../src/core/citationFixes';
import { uncitedReport } from '../../src/core/coverage';
import { IndexSession } from '../../src/core/indexWorker';
import { WorkLookup } from '../../src/core/lookup';
import { checkManuscript, citedWorks, findManuscriptCitations, resolveManuscript } from '../../src/core/manuscript';
import type { Work } from '../../src/core/model';
import { countCitations, definitionTarget, sentenceRange, workEntriesByFile } from '../../src/core/navigation';
import { buildCorpus } from '../../src/core/corpus';
import { parseText } from '../../src/core/parsers';
import * as fs from 'fs';
import * as path from 'path';
import { worksAtCursor } from '../../src/vscode/citationText';
import { corpusOf, SEEDS, work } from './helpers/corpus';

const corpus = () => corpusOf(SEEDS);
const lookup = () => new WorkLookup(corpus().works);

/** The citation of `text` covering `needle`, and the text of its range. */
function citationOf(text: string, needle: string) {
  const line = text.split('\n').findIndex((l) => l.includes(needle));
  const col = text.split('\n')[line].indexOf(needle);
  const c = findManuscriptCitations(text).find((x) => x.line === line && x.start <= col && col < x.end);
  assert.ok(c, `no citation at ${needle}`);
  return { c, rangeText: text.split('\n')[c.line].slice(c.start, c.end) };
}

describe('unknown citations', () => {
  it('finds unknown Pandoc and author–date citations, never in code, links or e-mail', () => {
    const text = [
      'Known [@gillard2022] and (Voronka, 2019) and Slade et al. (2017).',
      'Unknown [@voronk2019] and (Voronka, 2018) and Nobody et al. (2001).',
      '`[@incode2000]` and mail me@example.org and [a link](https://x.org/@nolink2000) and <https://y.org/@auto1999>.',
      '```',
      '[@fenced2000] (Fenced, 2000)',
      '```',
      '',
      '    [@indented2000]',
    ].join('\n');
    const unknown = unknownCitations(text, lookup());
    assert.deepStrictEqual(
      unknown.map((c) => `${c.line}:${c.kind}:${c.key}`),
      ['1:pandoc:voronk2019', '1:authorDate:Voronka 2018', '1:authorDate:Nobody 2001'],
    );
  });

  it('never reads the generated bibliography block as citations', () => {
    const doc = 'Text [@gillard2022].\n';
    const body = 'Slade, M., et al. (2017). Title (Nobody, 2001). *Journal*.\n\nNobody et al. (1999) wrote [@ghost2000].';
    const withBib = applyEdit(doc, bibliographyEdit(doc, body));
    assert.ok(withBib.includes(BIB_START) && withBib.includes(BIB_END));
    assert.deepStrictEqual(unknownCitations(withBib, lookup()), []);
    assert.deepStrictEqual(findManuscriptCitations(withBib).map((c) => c.key), ['gillard2022']);
  });
});

describe('quick-fix replacements', () => {
  it('keeps the Pandoc form: @id, -@id and braces', () => {
    const voronka = work(corpus(), 'voronka2019');
    let t = 'See [@voronk2019, p. 3].';
    let { c, rangeText } = citationOf(t, '@voronk');
    assert.strictEqual(rangeText, '@voronk2019');
    assert.strictEqual(citationReplacement(c, rangeText, voronka), '@voronka2019');
    t = 'As [-@voronk2019] says.';
    ({ c, rangeText } = citationOf(t, '@voronk'));
    assert.strictEqual(citationReplacement(c, rangeText, voronka), '-@voronka2019');
    const odd = { ...voronka, id: 'odd.key.' } as Work;
    assert.strictEqual(citationReplacement(c, rangeText, odd), '-@{odd.key.}');
  });

  it('writes author–date text in the same form, keeping a locator', () => {
    const voronka = work(corpus(), 'voronka2019');
    let t = 'Peers are tested (Voronka, 2018, p. 5; Mead & Filson, 2017).';
    let { c, rangeText } = citationOf(t, 'Voronka, 2018');
    assert.strictEqual(rangeText, 'Voronka, 2018, p. 5');
    assert.strictEqual(citationReplacement(c, rangeText, voronka), 'Voronka, 2019, p. 5');
    const slade = work(corpus(), 'slade2017');
    t = 'As Slade et al. (2016) describe.';
    ({ c, rangeText } = citationOf(t, 'Slade'));
    assert.strictEqual(rangeText, 'Slade et al. (2016)');
    assert.strictEqual(citationReplacement(c, rangeText, slade), 'Slade et al. (2017)');
    assert.strictEqual(applyEdit(t, { start: c.start, end: c.end, newText: citationReplacement(c, rangeText, slade) }), 'As Slade et al. (2017) describe.');
  });

  it('offers the nearest works, nearest first, without a no-op', () => {
    const t = 'Unknown [@voronk2019] and (Voronka, 2018).';
    const p = citationOf(t, '@voronk');
    const fixes = nearestFixes(p.c, p.rangeText, corpus().works);
    assert.ok(fixes.length >= 1 && fixes.length <= 3);
    assert.strictEqual(fixes[0].text, '@voronka2019');
    const a = citationOf(t, 'Voronka, 2018');
    assert.strictEqual(nearestFixes(a.c, a.rangeText, corpus().works)[0].text, 'Voronka, 2019');
  });
});

describe('cited works, counts and navigation', () => {
  const text = 'A [@gillard2022; @perkins2019]. B (Voronka, 2019). C [@gillard2022]. D [@nobody1999].';

  it('lists each cited work once, in the order of first citation', () => {
    assert.deepStrictEqual(
      citedWorks(text, lookup()).map((w) => w.id),
      ['gillard2022', 'perkins2019', 'voronka2019'],
    );
  });

  it('go to definition takes the one citation under the cursor, not its whole bracket', () => {
    const line = 'A [@gillard2022; @perkins2019] and (Voronka, 2019; Slade et al., 2017).';
    const at = (needle: string) => worksAtCursor([line], 0, 0, line.indexOf(needle) + 2, lookup())?.works.map((w) => w.id);
    assert.deepStrictEqual(at('@perkins'), ['perkins2019']);
    assert.deepStrictEqual(at('@gillard'), ['gillard2022']);
    assert.deepStrictEqual(at('Slade'), ['slade2017']);
    assert.deepStrictEqual(worksAtCursor(['As argued by Voronka 2019, peers.'], 0, 0, 15, lookup())?.works.map((w) => w.id), ['voronka2019']);
  });

  it('counts citations per work across manuscripts', () => {
    const counts = countCitations([...resolveManuscript(text, lookup()), ...resolveManuscript('Again [@perkins2019].', lookup())]);
    assert.strictEqual(counts.get('gillard2022'), 2);
    assert.strictEqual(counts.get('perkins2019'), 2);
    assert.strictEqual(counts.get('voronka2019'), 1);
    assert.strictEqual(counts.get('nobody1999'), undefined);
  });

  it('leads a record to its record line and a cited-only work to the sentence citing it', () => {
    const gillard = definitionTarget(work(corpus(), 'gillard2022'));
    assert.ok(gillard && /000_6ad9d3d0f971004f\.txt$/.test(gillard.file) && gillard.line === 1, JSON.stringify(gillard));
    const v = work(corpus(), 'voronka2019');
    const target = definitionTarget(v);
    assert.ok(target);
    const ctx = v['x-corpus'].contexts[0];
    assert.deepStrictEqual(target, { file: ctx.file, line: ctx.line, sentence: ctx.sentence, citation: ctx.text });
    // The sentence is found in the file's 3,000-character line, to be selected.
    const text = fs.readFileSync(ctx.file, 'utf8');
    const r = sentenceRange(text, ctx.line, target.sentence, target.citation);
    assert.ok(r, 'the sentence is not found');
    const line = text.split(/\r?\n/)[r.start.line];
    assert.strictEqual(r.start.line, ctx.line - 1);
    assert.ok(r.start.character > 0 && line.slice(r.start.character, r.end.character).startsWith('It has been suggested'));
    assert.ok(line.slice(r.start.character, r.end.character).endsWith('(Voronka, 2019).'));
  });

  it('finds a citing sentence wrapped over lines, else the citation, else nothing', () => {
    const text = 'Intro.\nFirst part of the\n  sentence (Smith,\n2020) ends.\nMore.';
    assert.deepStrictEqual(sentenceRange(text, 3, 'First part of the sentence (Smith, 2020) ends.', '(Smith, 2020)'), { start: { line: 1, character: 0 }, end: { line: 3, character: 11 } });
    assert.deepStrictEqual(sentenceRange(text, 3, 'A sentence edited since.', '(Smith, 2020)'), { start: { line: 2, character: 11 }, end: { line: 3, character: 5 } });
    assert.strictEqual(sentenceRange(text, 3, 'Gone.', '(Jones, 2001)'), undefined);
    assert.strictEqual(sentenceRange('', 9, 'x', 'y'), undefined);
  });

  it('leads a record found in two files to the file ranked first, whatever order they were indexed in', () => {
    const text = fs.readFileSync(path.join(SEEDS, '000_6ad9d3d0f971004f.txt'), 'utf8');
    const mine = '/work/corpus/gillard.txt';
    const sample = '/ext/fixtures/seeds/gillard.txt';
    const rank = (f: string) => (f === mine ? 0 : 1);
    for (const order of [[sample, mine], [mine, sample]]) {
      const c = buildCorpus(order.map((f) => parseText(text, f)));
      const g = work(c, 'gillard2022');
      assert.deepStrictEqual(new Set(g['x-corpus'].sources.filter((s) => s.relation === 'record').map((s) => s.file)), new Set([mine, sample]), 'the duplicate is merged');
      assert.deepStrictEqual(definitionTarget(g, rank), { file: mine, line: 1 }, order.join(' then '));
      // Without a rank, the first indexed file wins.
      assert.strictEqual(definitionTarget(g)?.file, order[0]);
    }
  });

  it('lists the lines of a corpus file that name works', () => {
    const byFile = workEntriesByFile(corpus().works);
    const gFile = [...byFile.keys()].find((f) => /000_6ad9d3d0f971004f\.txt$/.test(f))!;
    const entries = byFile.get(gFile)!;
    assert.ok(entries.some((e) => e.workId === 'gillard2022' && e.relation === 'record' && e.line === 1));
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1].line <= entries[i].line, 'entries are sorted by line');
    for (const list of byFile.values()) for (const e of list) assert.notStrictEqual(e.relation as string, 'citation');
  });
});

describe('coverage report', () => {
  it('lists the records never cited, escaped, with ids in code spans', () => {
    const report = checkManuscript('Only [@gillard2022].', lookup());
    const records = corpus().works.filter((w) => w['x-corpus'].kind === 'record').length;
    const md = uncitedReport('review.md', report, records);
    assert.match(md, /^# Works never cited in review\\\.md/);
    assert.match(md, new RegExp(`${report.uncited.length} of ${records} corpus records are never cited`));
    assert.match(md, /\| Mackay 2022 \| 2022 \| .* \| `mackay2022` \|/);
    assert.doesNotMatch(md, /`gillard2022`/);
    // The report itself holds no citation.
    assert.deepStrictEqual(findManuscriptCitations(md), []);
    const hostile = { ...report.uncited[0], title: 'A | B [x](command:evil) <script>' } as Work;
    const md2 = uncitedReport('r.md', { citations: [], uncited: [hostile] }, 1);
    assert.doesNotMatch(md2, /\]\(command:|<script>| \| B /);
  });

  it('says when every record is cited', () => {
    assert.match(uncitedReport('r.md', { citations: [], uncited: [] }, 0), /Every record of the corpus is cited\./);
  });
});

describe('writeAtomically', () => {
  /** An in-memory file system that can be told to fail. */
  function memFs(fail: { write?: boolean; rename?: boolean } = {}) {
    const files = new Map<string, string>();
    const fs: AtomicFileSystem<string> = {
      writeFile: async (f, data) => {
        if (fail.write) throw new Error('disk full');
        files.set(f, new TextDecoder().decode(data));
      },
      rename: async (from, to) => {
        if (fail.rename) throw new Error('rename refused');
        const v = files.get(from);
        if (v === undefined) throw new Error('ENOENT');
        files.delete(from);
        files.set(to, v);
      },
      delete: async (f) => {
        if (!files.delete(f)) throw new Error('ENOENT');
      },
      sibling: (f, name) => f.replace(/[^/]*$/, name),
      basename: (f) => f.replace(/^.*\//, ''),
    };
    return { fs, files };
  }
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('replaces the file through a temporary sibling', async () => {
    const { fs, files } = memFs();
    files.set('/d/refs.json', 'old');
    await writeAtomically(fs, '/d/refs.json', bytes('new'), 'x');
    assert.deepStrictEqual([...files], [['/d/refs.json', 'new']]);
  });

  for (const failure of ['write', 'rename'] as const) {
    it(`leaves the old file untouched and no temporary file when the ${failure} fails`, async () => {
      const { fs, files } = memFs({ [failure]: true });
      files.set('/d/refs.json', 'old');
      await assert.rejects(writeAtomically(fs, '/d/refs.json', bytes('new'), 'x'));
      assert.deepStrictEqual([...files], [['/d/refs.json', 'old']]);
    });
  }
});

describe('exports made by the index worker for the editor', () => {
  const works = () => ['gillard2022', 'perkins2019', 'voronka2019'].map((id) => work(corpus(), id));

  it('CSL-JSON without x-corpus', () => {
    const r = new IndexSession().handle({ id: 1, kind: 'export', works: works(), format: 'csl-json' });
    assert.ok(r.kind === 'text');
    const items = JSON.parse(r.text) as Record<string, unknown>[];
    assert.deepStrictEqual(items.map((i) => i.id), ['gillard2022', 'perkins2019', 'voronka2019']);
    assert.ok(items.every((i) => !('x-corpus' in i)));
  });

  it('numbered styles keep their numbers in Markdown', () => {
    const md = formatBibliography(works(), 'vancouver', 'markdown');
    assert.match(md, /^1\. Gillard S\. Guest editorial/m);
    assert.match(md, /^2\. Perkins R, Repper J\./m);
  });

  it('hostile text in a Markdown bibliography stays text: no link, image, HTML or code', () => {
    const md = htmlToMarkdown(
      '<div class="csl-bib-body"><div class="csl-entry">A &#60;script&#62;alert(1)&#60;/script&#62; [x](command:evil) ![i](http://e/x.png) `c` <i>Journal</i>, <b>4</b> &#38; q</div></div>',
    );
    assert.strictEqual(md, 'A \\<script\\>alert(1)\\</script\\> \\[x\\](command:evil) !\\[i\\](http://e/x.png) \\`c\\` *Journal*, **4** & q');
  });

  it('a Markdown bibliography in the requested style', () => {
    const r = new IndexSession().handle({ id: 2, kind: 'export', works: works(), format: 'bibliography', style: 'apa', output: 'markdown' });
    assert.ok(r.kind === 'text');
    assert.match(r.text, /^Gillard, S\. \(2022\)\./m);
    assert.match(r.text, /\*Advances in Mental Health\*/);
    assert.strictEqual(r.text.trim().split(/\n\n/).length, 3);
  });
});

describe('bibliography entries that lack essentials', () => {
  it('are named in a comment: works known only from a citation, records without a title, author or year', () => {
    const c = corpusOf(SEEDS);
    const v = work(c, 'voronka2019');
    assert.deepStrictEqual(missingEssentials(v), ['title']);
    assert.deepStrictEqual(incompleteEntryNotes([v, work(c, 'gillard2022')]), ['<!-- Voronka 2019 is known only from a citation: add its record to complete this entry. -->']);
    const bare = { ...work(c, 'gillard2022'), author: [], issued: undefined, 'citation-label': 'A--B n.d.' } as Work;
    assert.deepStrictEqual(incompleteEntryNotes([bare]), ['<!-- A- -B n.d. has no author, year: add it to its record to complete this entry. -->']);
  });
});
