/**
 * The Corpus tree's rows without the editor (core/treeGroups.ts): grouping by file, year,
 * author, journal, keyword and cited works, shelving of long levels, sorting when a group opens,
 * stable ids, relations, and the work rows kept per work for count refreshes.
 */
import * as assert from 'assert';
import type { Work } from '../../src/core/model';
import { runToEnd } from '../../src/core/slices';
import { SHELF_MAX, TreeBuilder, keywordsOf, sortWorks } from '../../src/core/treeGroups';
import { type GroupNode, type Grouping, type ShelfNode, type TreeNode, type WorkNode, findWorkRow, nodeHolds, rowDescription, shelfUnit } from '../../src/core/treeNodes';
import { xCorpus } from './helpers/builders';

interface Spec {
  id: string;
  label?: string;
  authors?: string[]; // "Family, Given", "Family" or a literal name
  groupAuthors?: string[];
  year?: number;
  venue?: string;
  keyword?: string;
  files?: string[];
  relation?: 'record' | 'related';
  kind?: 'record' | 'cited';
  citedBy?: string[];
  cites?: string[];
}

function work(s: Spec): Work {
  return {
    id: s.id,
    'citation-label': s.label ?? s.id,
    type: 'article-journal',
    author: s.authors?.map((a) => {
      const [family, given] = a.split(', ');
      return a.startsWith('=') ? { literal: a.slice(1) } : given === undefined ? { family } : { family, given };
    }),
    issued: s.year !== undefined ? { 'date-parts': [[s.year]] } : undefined,
    'container-title': s.venue,
    keyword: s.keyword,
    'x-corpus': xCorpus({
      kind: s.kind ?? 'record',
      groupAuthors: s.groupAuthors,
      citedBy: s.citedBy ?? [],
      cites: s.cites ?? [],
      sources: (s.files ?? []).map((file, i) => ({ file, line: i + 1, format: 'bibtex' as const, relation: s.relation ?? 'record' })),
    }),
  } as Work;
}

function builder(grouping: Grouping, works: readonly Work[], display: (f: string) => string = (f) => f.replace(/^\/ws\//, '')): TreeBuilder {
  return new TreeBuilder(grouping, {
    displayPath: display,
    byId: new Map(works.map((w) => [w.id, w])),
    citedNote: (w) => `cited by ${w['x-corpus'].citedBy.length}`,
    texts: { noYear: 'No year', noJournal: 'No journal', noKeywords: 'No keywords', noAuthor: 'No author' },
  });
}

const roots = (b: TreeBuilder, works: readonly Work[]) => runToEnd(b.roots(works));
const groupSummary = (nodes: TreeNode[]) => (nodes as GroupNode[]).map((g) => `${g.label}:${g.works.map((w) => w.id).join(',')}`);

describe('TreeBuilder (the Corpus tree’s rows)', () => {
  it('groups by year, newest first, works without a year last', () => {
    const works = [work({ id: 'a', year: 2001 }), work({ id: 'b', year: 2019 }), work({ id: 'c' }), work({ id: 'd', year: 2019 })];
    const nodes = roots(builder('year', works), works);
    assert.deepStrictEqual(groupSummary(nodes), ['2019:b,d', '2001:a', 'No year:c']);
    assert.deepStrictEqual(nodes.map((n) => n.id), ['year:2019', 'year:2001', 'year:\u0000none']);
  });

  it('groups by source file, a work in two files in both, same names told apart by path', () => {
    const works = [work({ id: 'a', files: ['/ws/x/refs.bib'] }), work({ id: 'b', files: ['/ws/y/refs.bib', '/ws/y/refs.bib', '/ws/lib.ris'] }), work({ id: 'c', files: ['/ws/lib.ris'] })];
    const nodes = roots(builder('file', works), works) as GroupNode[];
    assert.deepStrictEqual(groupSummary(nodes), ['lib.ris:b,c', 'x/refs.bib:a', 'y/refs.bib:b']);
    assert.deepStrictEqual(nodes.map((g) => [g.file, g.order, g.icon]), [
      ['/ws/lib.ris', 'role', 'file'],
      ['/ws/x/refs.bib', 'role', 'file'],
      ['/ws/y/refs.bib', 'role', 'file'],
    ]);
  });

  it('groups authors by family name and first initial; a bare family joins its only person, or stays apart (first) among several', () => {
    const works = [
      work({ id: 'a', authors: ['Repper, Julie'] }),
      work({ id: 'b', authors: ['Repper, J.', 'Mead, Shery'] }),
      work({ id: 'c', authors: ['Repper'] }),
      work({ id: 'd', authors: ['Smith, A.', 'Smith, B.'] }),
      work({ id: 'e', authors: ['Smith'], groupAuthors: ['WHO'] }),
      work({ id: 'f', authors: ['=Ölander Collective'] }),
      work({ id: 'g' }),
    ];
    const nodes = roots(builder('author', works), works);
    assert.deepStrictEqual(groupSummary(nodes), ['Mead, Shery:b', 'Ölander Collective:f', 'Repper, Julie:a,b,c', 'Smith:e', 'Smith, A.:d', 'Smith, B.:d', 'WHO:e', 'No author:g']);
  });

  it('groups journals and keywords case- and accent-insensitively, sorted by the folded name', () => {
    const works = [work({ id: 'a', venue: 'Psychiatric Services', keyword: 'peer support; Recovery' }), work({ id: 'b', venue: 'psychiatric services', keyword: 'récovery, Éthics' }), work({ id: 'c' })];
    assert.deepStrictEqual(groupSummary(roots(builder('journal', works), works)), ['Psychiatric Services:a,b', 'No journal:c']);
    assert.deepStrictEqual(groupSummary(roots(builder('keyword', works), works)), ['Éthics:b', 'peer support:a', 'Recovery:a,b', 'No keywords:c']);
    assert.deepStrictEqual(keywordsOf(works[1]), ['récovery', 'Éthics']);
  });

  it('lists cited-only works by how often they are cited, with the note the editor gives', () => {
    const works = [work({ id: 'r' }), work({ id: 'once', kind: 'cited', citedBy: ['r'] }), work({ id: 'twice', kind: 'cited', citedBy: ['r', 's'] }), work({ id: 'alsoOnce', kind: 'cited', citedBy: ['s'] })];
    const nodes = roots(builder('cited', works), works) as WorkNode[];
    assert.deepStrictEqual(nodes.map((n) => `${n.work.id}:${n.note}`), ['twice:cited by 2', 'alsoOnce:cited by 1', 'once:cited by 1']);
    assert.deepStrictEqual(nodes.map((n) => n.id), ['cited/w:twice', 'cited/w:alsoOnce', 'cited/w:once']);
  });

  it('sorts a group’s works when it opens: by label, or records before related and cited works (file groups)', () => {
    const works = [work({ id: 'c', label: 'C', kind: 'cited' }), work({ id: 'b', label: 'B', files: ['/ws/f'], relation: 'related' }), work({ id: 'a', label: 'Z', files: ['/ws/f'] })];
    assert.deepStrictEqual(sortWorks(works, 'label').map((w) => w.id), ['b', 'c', 'a']);
    assert.deepStrictEqual(sortWorks(works, 'role').map((w) => w.id), ['a', 'b', 'c']);
    const b = builder('file', works);
    const [group] = roots(b, works) as GroupNode[];
    const rows = b.children(group) as WorkNode[];
    assert.deepStrictEqual(rows.map((n) => [n.work.id, n.id, n.parent]), [
      ['a', 'file:/ws/f/w:a', group],
      ['b', 'file:/ws/f/w:b', group],
    ]);
  });

  it('puts more than SHELF_MAX groups on alphabetical shelves, and a shelf opens to its groups', () => {
    const works = Array.from({ length: SHELF_MAX + 20 }, (_, i) => work({ id: `w${i}`, authors: [`${i % 2 ? 'Adams' : 'Baker'}${String(i).padStart(4, '0')}, X.`] }));
    const b = builder('author', works);
    const shelves = roots(b, works) as ShelfNode[];
    assert.deepStrictEqual(shelves.map((s) => `${s.type}:${s.label}:${s.count}`), ['shelf:A:260', 'shelf:B:260']);
    assert.strictEqual(shelves[0].id, 'author/s:A');
    const inA = b.children(shelves[0]) as GroupNode[];
    assert.strictEqual(inA.length, 260);
    assert.ok(inA.every((g) => g.type === 'group' && g.parent === shelves[0] && g.label.startsWith('Adams')));
    assert.ok(nodeHolds(shelves[0], 'w1') && !nodeHolds(shelves[0], 'w0'));
  });

  it('puts the works of a long group on shelves by label', () => {
    const works = Array.from({ length: SHELF_MAX + 1 }, (_, i) => work({ id: `w${i}`, label: `${i % 3 === 0 ? 'Mead' : 'Zhang'} ${i}`, year: 2020 }));
    const b = builder('year', works);
    const [group] = roots(b, works) as GroupNode[];
    const shelves = b.children(group) as ShelfNode[];
    assert.deepStrictEqual(shelves.map((s) => `${s.label}:${s.count}`), ['M:167', 'Z:334']);
    const rows = b.children(shelves[0]) as WorkNode[];
    assert.ok(rows.every((n) => n.type === 'work' && n.work['citation-label'].startsWith('Mead')));
    assert.strictEqual(rows[0].id, 'year:2020/s:M/w:w0');
  });

  it('a file group of one record knows that record (its label goes beside a hash-like file name); a file of several records does not', () => {
    const works = [
      work({ id: 'gillard2022', files: ['/ws/corpus/000_6ad9d3d0f971004f.txt'] }),
      work({ id: 'voronka2019', kind: 'cited', files: ['/ws/corpus/000_6ad9d3d0f971004f.txt'], relation: 'related' }),
      work({ id: 'a', files: ['/ws/refs.bib'] }),
      work({ id: 'b', files: ['/ws/refs.bib'] }),
      work({ id: 'c', kind: 'cited', files: ['/ws/cited-only.txt'], relation: 'related' }),
    ];
    const nodes = roots(builder('file', works), works) as GroupNode[];
    assert.deepStrictEqual(
      nodes.map((g) => `${g.label}:${g.record?.id ?? '-'}`),
      ['cited-only.txt:-', '000_6ad9d3d0f971004f.txt:gillard2022', 'refs.bib:-'],
    );
  });

  it('skips a shelf that would hold one row: the row itself stands among the shelves', () => {
    // 501 authors: 500 Adams… and one Quill → shelves A (500) and, instead of a shelf Q of one, Quill's group.
    const works = [...Array.from({ length: SHELF_MAX }, (_, i) => work({ id: `w${i}`, authors: [`Adams${String(i).padStart(4, '0')}, X.`] })), work({ id: 'q', authors: ['Quill, Ada'] })];
    const b = builder('author', works);
    const top = roots(b, works);
    assert.deepStrictEqual(top.map((n) => `${n.type}:${n.type === 'shelf' || n.type === 'group' ? n.label : ''}`), ['shelf:A', 'group:Quill, Ada']);
    assert.strictEqual(top[1].parent, undefined);
    assert.strictEqual(findWorkRow(top, 'q', (n) => (n.type === 'group' || n.type === 'shelf' ? b.children(n) : []))?.parent, top[1]);
    // The same for works on the shelves of a long group: a letter with one work lists the work.
    const many = [...Array.from({ length: SHELF_MAX }, (_, i) => work({ id: `m${i}`, label: `Mead ${i}`, year: 2020 })), work({ id: 'z', label: 'Zhang 2020', year: 2020 })];
    const by = builder('year', many);
    const [group] = roots(by, many) as GroupNode[];
    const rows = by.children(group);
    assert.deepStrictEqual(rows.map((n) => `${n.type}:${n.type === 'work' ? n.work.id : (n as ShelfNode).label}`), ['shelf:M', 'work:z']);
    assert.strictEqual(rows[1].parent, group);
  });

  it('shelves a work labelled by its title under the title’s letter, not under “#”', () => {
    const many = [...Array.from({ length: SHELF_MAX }, (_, i) => work({ id: `m${i}`, label: `Mead ${i}`, year: 2020 })), work({ id: 'r1', label: '“Review of the literature” n.d.', year: 2020 }), work({ id: 'r2', label: '“Review of recovery” n.d.', year: 2020 })];
    const b = builder('year', many);
    const [group] = roots(b, many) as GroupNode[];
    const shelves = b.children(group) as ShelfNode[];
    assert.deepStrictEqual(shelves.map((s) => `${s.label}:${s.count}`), ['M:500', 'R:2']);
  });

  it('says what a shelf counts: the grouping’s groups (authors, journals…) or works', () => {
    const authors = Array.from({ length: SHELF_MAX + 2 }, (_, i) => work({ id: `w${i}`, authors: [`${i % 2 ? 'Adams' : 'Baker'}${i}, X.`], venue: `${i % 2 ? 'Alpha' : 'Beta'} Journal ${i}`, files: [`/ws/${i % 2 ? 'a' : 'b'}${i}.bib`] }));
    for (const [g, unit] of [
      ['author', 'authors'],
      ['journal', 'journals'],
      ['file', 'files'],
    ] as const) {
      const top = roots(builder(g, authors), authors) as ShelfNode[];
      assert.ok(top.length === 2 && top.every((n) => n.type === 'shelf' && shelfUnit(n) === unit), `${g}: ${top.map((n) => n.type).join()}`);
    }
    const long = Array.from({ length: SHELF_MAX + 2 }, (_, i) => work({ id: `w${i}`, label: `${i % 2 ? 'Mead' : 'Zhang'} ${i}`, year: 2020 }));
    const b = builder('year', long);
    const shelves = b.children((roots(b, long) as GroupNode[])[0]) as ShelfNode[];
    assert.ok(shelves.every((s) => shelfUnit(s) === 'works'));
  });

  it('row descriptions leave empty parts out: no dangling separator', () => {
    assert.strictEqual(rowDescription(['cited 1×', '']), 'cited 1×');
    assert.strictEqual(rowDescription([undefined, 'Title']), 'Title');
    assert.strictEqual(rowDescription(['cited 2×', 'Title']), 'cited 2× · Title');
    assert.strictEqual(rowDescription(['  ', undefined]), '');
  });

  it('lists a relation’s works by label, skipping ids not in the corpus, and keeps every row of a work', () => {
    const works = [work({ id: 'x', cites: ['z', 'missing', 'y'], year: 2000 }), work({ id: 'y', label: 'A' }), work({ id: 'z', label: 'B' })];
    const b = builder('year', works);
    const [g2000] = roots(b, works) as GroupNode[];
    const [xRow] = b.children(g2000) as WorkNode[];
    const rel = { type: 'relation', id: `${xRow.id}/cites`, parent: xRow, label: 'Cites', icon: 'arrow-right', ids: works[0]['x-corpus'].cites } as const;
    const rows = b.children(rel) as WorkNode[];
    assert.deepStrictEqual(rows.map((n) => n.work.id), ['y', 'z']);
    assert.deepStrictEqual([...b.workNodes.keys()].sort(), ['x', 'y', 'z']);
    assert.strictEqual(b.workNodes.get('y')![0].parent, rel);
  });

  it('gives the same ids on a rebuild (so reveal and selection survive a refresh)', () => {
    const works = [work({ id: 'a', year: 2001, authors: ['Mead, S.'] }), work({ id: 'b', year: 2002, authors: ['Mead, Shery'] })];
    const ids = () => {
      const b = builder('author', works);
      return roots(b, works).flatMap((g) => [g.id, ...b.children(g as GroupNode).map((n) => n.id)]);
    };
    assert.deepStrictEqual(ids(), ids());
    assert.deepStrictEqual(ids(), ['author:mead|s', 'author:mead|s/w:a', 'author:mead|s/w:b']);
  });

  it('finds the row of a work for reveal, opening only the shelves and groups that hold it', () => {
    const works = Array.from({ length: SHELF_MAX + 20 }, (_, i) => work({ id: `w${i}`, authors: [`${i % 2 ? 'Adams' : 'Baker'}${String(i).padStart(4, '0')}, X.`] }));
    const b = builder('author', works);
    const top = roots(b, works);
    const opened: string[] = [];
    const childrenOf = (n: TreeNode) => (opened.push(n.id), b.children(n as GroupNode | ShelfNode));
    const row = findWorkRow(top, 'w7', childrenOf)!;
    assert.strictEqual(row.work.id, 'w7');
    assert.deepStrictEqual(opened, ['author/s:A', 'author:adams0007|x']);
    assert.strictEqual(row.parent?.parent?.id, 'author/s:A');
    assert.strictEqual(findWorkRow(top, 'nowhere', childrenOf), undefined);
  });
});
