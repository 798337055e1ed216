/**
 * Builds the corpus model from parsed files: records, the works they list (related papers,
 * references), the works they cite in running text; duplicates merged; keys assigned.
 */
import { extractCitations, MAX_CITATIONS_PER_BLOCK } from './citations';
import { assignKeys, baseId, baseLabel, isCitekey, suffixLetters, yearOf } from '../model/keys';
import type { CitationContext, CslFields, Name, ParsedFile, ParsedRecord, Problem, SourceFormat, SourceRef, Work } from '../model/model';
import { fold, nameKey } from '../model/names';
import { problemText } from '../model/problemText';

type Origin = 'record' | 'related' | 'reference' | 'citation';

interface Node {
  origin: Origin;
  csl: CslFields;
  groupAuthors?: string[];
  translatedTitle?: string;
  etAl?: boolean;
  yearSuffix?: string;
  inferred: readonly string[];
  extra?: Record<string, string>;
  source: SourceRef;
  /** For citation stubs: the citing node and the context (its `by` is filled in when it is taken into a work). */
  citedBy?: number;
  context?: CitationContext;
  /** Parent node for related/reference children. */
  parent?: number;
  /** Folded author families, computed once (see famOf). */
  fam?: string[];
  /** famOf(n)[0] ('' for none), computed once without the rest of the list (see firstFam). */
  first?: string;
  /** The citekey the source gave (BibTeX key, CSL-JSON id), when it is usable as one. */
  sourceKey?: string;
}

/** Rank of an origin when fields disagree: a full record wins. */
const RANK: Record<Origin, number> = { record: 0, related: 1, reference: 2, citation: 3 };

class UnionFind {
  private readonly p: Int32Array;
  constructor(n: number) {
    this.p = new Int32Array(n);
    for (let i = 0; i < n; i++) this.p[i] = i;
  }
  find(a: number): number {
    while (this.p[a] !== a) {
      this.p[a] = this.p[this.p[a]];
      a = this.p[a];
    }
    return a;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.p[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * `fold` of name keys, memoised for one build: ~97,000 nodes at 50k works name ~60,000
 * distinct authors many times over (issue 15 counted 486,000 folds of names).
 */
type NameFold = (s: string) => string;
function nameFolder(): NameFold {
  const memo = new Map<string, string>();
  return (s) => {
    let f = memo.get(s);
    if (f === undefined) {
      f = fold(s);
      memo.set(s, f);
    }
    return f;
  };
}

/** The folded family names of the authors, empty ones left out. */
function families(csl: CslFields, foldName: NameFold = fold): string[] {
  const out: string[] = [];
  const authors = csl.author;
  if (!authors) return out;
  for (let i = 0; i < authors.length; i++) {
    const f = foldName(nameKey(authors[i]));
    if (f) out.push(f);
  }
  return out;
}

/** Set by buildCorpus for the length of one build (the builder is synchronous). */
let buildFold: NameFold = fold;

/** families() of a node's own CSL, memoised: nodes' CSL is not changed while merging. */
function famOf(n: Node): string[] {
  return (n.fam ??= families(n.csl, buildFold));
}

/** famOf(n)[0], or '' when no author has a family name: folds only as far as the first one. */
function firstFam(n: Node): string {
  if (n.first !== undefined) return n.first;
  if (n.fam) return (n.first = n.fam[0] ?? '');
  const authors = n.csl.author;
  let first = '';
  if (authors) {
    for (let i = 0; i < authors.length && !first; i++) first = buildFold(nameKey(authors[i]));
  }
  return (n.first = first);
}

function includesAll(short: readonly string[], long: readonly string[]): boolean {
  if (long.length > 16) {
    const set = new Set(long);
    for (const f of short) if (!set.has(f)) return false;
    return true;
  }
  for (const f of short) if (!long.includes(f)) return false;
  return true;
}

/** Same first author and, where both lists name them, no co-author contradicts the other list. */
function authorsCompatible(a: Node, b: Node): boolean {
  const fa = famOf(a);
  const fb = famOf(b);
  if (!fa.length || !fb.length || fa[0] !== fb[0]) return false;
  if (fa.length <= fb.length ? !includesAll(fa, fb) : !includesAll(fb, fa)) return false;
  // Two complete lists of different length are different author teams; a one-name citation
  // ("Smith, 2019") may stand for any team led by that author.
  const complete = (n: Node, len: number) => n.origin !== 'citation' || (!n.etAl && len > 1);
  if (fa.length !== fb.length && complete(a, fa.length) && complete(b, fb.length)) {
    if (a.origin === 'citation' || b.origin === 'citation') return false;
  }
  return true;
}

function stubName(s: string): Name {
  const t = s.trim();
  return t.includes(' ') ? { literal: t } : { family: t };
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

function normDoi(d: string | undefined): string | undefined {
  return d ? d.trim().toLowerCase().replace(/^https?:\/\/(?:dx\.)?doi\.org\//, '') : undefined;
}

function titleKey(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const k = fold(t);
  return k.length >= 20 ? k : undefined;
}

/** Whether a DOI as `normDoi` gives it has the form of one (`10.` registrant code `/` suffix). */
function isValidDoi(d: string): boolean {
  return /^10\.\d+(?:\.\d+)*\/\S+$/.test(d);
}

/** A DOI as `normDoi` gives it, if it has the form of one. */
function validDoi(d: string | undefined): string | undefined {
  const n = normDoi(d);
  return n && isValidDoi(n) ? n : undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pushIndex(map: Map<string, number | number[]>, key: string, i: number): void {
  const have = map.get(key);
  if (have === undefined) map.set(key, i);
  else if (typeof have === 'number') map.set(key, [have, i]);
  else have.push(i);
}

const NO_INDICES: readonly number[] = Object.freeze([]);
const indices = (v: number | number[] | undefined): readonly number[] => (v === undefined ? NO_INDICES : typeof v === 'number' ? [v] : v);

/** Folded titles that may name the same work: equal, one the other without its subtitle, or one missing. */
function titlesCompatible(a: string, b: string): boolean {
  if (!a || !b || a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 12 && long.startsWith(short + ' ');
}

/** Title (folded, given), year, first author and venue (journal or book, else publisher) of a record, when it has all four. */
function identityKey(n: Node, title: string): string | undefined {
  const year = yearOf(n.csl);
  const first = firstFam(n);
  const venue = fold(n.csl['container-title'] ?? n.csl.publisher ?? '');
  return title && year !== undefined && first && venue ? `${title}\u0000${year}\u0000${first}\u0000${venue}` : undefined;
}

const firstPage = (p: string) => fold(p.split(/[-\u2010-\u2015,]/)[0]);

/** No volume, issue, first page or type that one record has says otherwise in the other. */
function detailsAgree(a: CslFields, b: CslFields): boolean {
  const differ = (x: unknown, y: unknown, norm: (s: string) => string = fold) => typeof x === 'string' && typeof y === 'string' && x !== '' && y !== '' && norm(x) !== norm(y);
  return !differ(a.volume, b.volume) && !differ(a.issue, b.issue) && !differ(a.page, b.page, firstPage) && !differ(a.type, b.type, (s) => s);
}

function isShouting(s: string): boolean {
  const l = s.replace(/[^\p{L}]/gu, '');
  return l.length > 3 && l === l.toUpperCase();
}

export interface Corpus {
  works: Work[];
  problems: Problem[];
  byId: Map<string, Work>;
}

/** Turns parsed files into works: extract citations, merge duplicates, assign keys, link. */
export function buildCorpus(files: readonly ParsedFile[], extraProblems: readonly Problem[] = [], phases?: Record<string, number>): Corpus {
  // Phase marks for bench/corpusStage.ts (ms per pass); nothing is timed unless asked.
  let lastMark = phases ? performance.now() : 0;
  const mark = (name: string): void => {
    if (!phases) return;
    const now = performance.now();
    phases[name] = Math.round(now - lastMark);
    lastMark = now;
  };
  buildFold = nameFolder();
  try {
    return build(files, extraProblems, mark);
  } finally {
    buildFold = fold;
  }
}

function build(files: readonly ParsedFile[], extraProblems: readonly Problem[], mark: (name: string) => void): Corpus {
  const nodes: Node[] = [];
  const problems: Problem[] = [...extraProblems];

  const addRecord = (rec: ParsedRecord, file: string, format: SourceFormat, origin: Origin, parent?: number): number => {
    const idx = nodes.length;
    const sourceKey = origin === 'record' && rec.sourceKey !== undefined && isCitekey(rec.sourceKey) ? rec.sourceKey : undefined;
    // Every node has every field, in one order, so that the passes below see one object shape.
    nodes.push({
      origin,
      csl: rec.csl,
      groupAuthors: rec.groupAuthors,
      translatedTitle: rec.translatedTitle,
      etAl: undefined,
      yearSuffix: undefined,
      inferred: rec.inferred ?? NO_STRINGS,
      extra: rec.extra,
      source: { file, line: rec.line, format, fields: rec.fieldLines, relation: origin === 'citation' ? 'citation' : origin },
      citedBy: undefined,
      context: undefined,
      parent,
      fam: undefined,
      first: undefined,
      sourceKey,
    });
    if (sourceKey !== undefined) nodes[idx].source.key = sourceKey;
    if (rec.children) for (const child of rec.children) addRecord(child.record, file, format, child.relation, idx);
    if (rec.textBlocks) for (const block of rec.textBlocks) {
      const cites = extractCitations(block);
      if (cites.truncated) problems.push({ file, line: block.line, severity: 'info', ...problemText('More than {0} citations in one block of text: took the first {1}.', MAX_CITATIONS_PER_BLOCK, cites.length) });
      for (const c of cites) {
        const csl: CslFields = { type: 'article', author: c.authors.map(stubName) };
        if (c.year) csl.issued = { 'date-parts': [[c.year]] };
        const context: CitationContext = { by: '', sentence: c.sentence, text: c.text, file, line: c.line };
        if (c.locator) context.locator = c.locator;
        nodes.push({
          origin: 'citation',
          csl,
          groupAuthors: undefined,
          translatedTitle: undefined,
          etAl: c.etAl,
          yearSuffix: c.yearSuffix,
          inferred: NO_STRINGS,
          extra: undefined,
          source: { file, line: c.line, format, relation: 'citation' },
          citedBy: idx,
          context,
          parent: undefined,
          fam: undefined,
          first: undefined,
          sourceKey: undefined,
        });
      }
    }
    return idx;
  };
  for (const f of files) {
    problems.push(...f.problems);
    for (const r of f.records) addRecord(r, f.file, f.format ?? 'markdown', 'record');
  }

  mark('nodes');
  // 1. Full records. Two records of one file are never one work (a user's own .bib with two
  //    keys has two entries, and Pandoc resolves both). Across files, two records are one work
  //    only on strong evidence: the same valid DOI and compatible titles, or the same title,
  //    year, first author and venue with no volume, issue, pages or type against it. The same
  //    DOI on different titles is conflicting evidence: kept apart, a warning on each line.
  const uf = new UnionFind(nodes.length);
  /** The files of a cluster's records, for clusters of more than one (see filesOf). */
  const recordFiles = new Map<number, Set<string>>();
  const filesOf = (root: number): Set<string> | string => recordFiles.get(root) ?? nodes[root].source.file;
  const disjoint = (ra: number, rb: number): boolean => {
    const fa = filesOf(ra);
    const fb = filesOf(rb);
    if (typeof fa === 'string') return typeof fb === 'string' ? fa !== fb : !fb.has(fa);
    if (typeof fb === 'string') return !fa.has(fb);
    for (const f of fa) if (fb.has(f)) return false;
    return true;
  };
  /** Joins two clusters of records unless they share a file. */
  const joinRecords = (a: number, b: number): boolean => {
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) return true;
    if (!disjoint(ra, rb)) return false;
    const merged = new Set<string>();
    for (const r of [ra, rb]) {
      const f = filesOf(r);
      if (typeof f === 'string') merged.add(f);
      else for (const x of f) merged.add(x);
      recordFiles.delete(r);
    }
    uf.union(ra, rb);
    recordFiles.set(uf.find(ra), merged);
    return true;
  };
  const records: number[] = [];
  nodes.forEach((n, i) => {
    if (n.origin === 'record') records.push(i);
  });
  // Records by DOI (as normDoi gives it) and by folded title, each computed once per record.
  //  A key of one record holds its index, of several an array (most keys have one record).
  const recByDoi = new Map<string, number | number[]>();
  const recByTitle = new Map<string, number | number[]>();
  for (const i of records) {
    const n = nodes[i];
    const d = normDoi(n.csl.DOI);
    if (d) pushIndex(recByDoi, d, i);
    const t = n.csl.title ? fold(n.csl.title) : '';
    if (t) pushIndex(recByTitle, t, i);
  }
  const doiConflicts = new Map<number, number>();
  for (const [doi, list] of recByDoi) {
    if (typeof list === 'number' || !isValidDoi(doi)) continue;
    const titles = list.map((i) => fold(nodes[i].csl.title ?? ''));
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        if (titlesCompatible(titles[a], titles[b])) {
          if (nodes[list[a]].source.file !== nodes[list[b]].source.file) joinRecords(list[a], list[b]);
        } else {
          if (!doiConflicts.has(list[a])) doiConflicts.set(list[a], list[b]);
          if (!doiConflicts.has(list[b])) doiConflicts.set(list[b], list[a]);
        }
      }
      if (list.length > 50) break; // a DOI on very many records is boilerplate: compare with the first only
    }
  }
  for (const [i, j] of doiConflicts) {
    const n = nodes[i];
    const o = nodes[j];
    const doi = String(normDoi(n.csl.DOI));
    const text =
      o.source.file === n.source.file
        ? problemText('Same DOI {0} as the record at line {1}, but a different title; kept them apart as two works.', doi, o.source.line)
        : problemText('Same DOI {0} as the record at {1}:{2}, but a different title; kept them apart as two works.', doi, o.source.file, o.source.line);
    problems.push({ file: n.source.file, line: n.source.line, severity: 'warning', ...text });
  }
  const byIdentity = new Map<string, number[]>();
  for (const [title, list] of recByTitle) {
    if (typeof list === 'number') continue;
    for (const i of list) {
      const id = identityKey(nodes[i], title);
      if (id) push(byIdentity, id, i);
    }
  }
  for (const list of byIdentity.values()) {
    if (list.length < 2 || list.length > 50) continue;
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const na = nodes[list[a]];
        const nb = nodes[list[b]];
        if (na.source.file === nb.source.file || !detailsAgree(na.csl, nb.csl)) continue;
        const da = validDoi(na.csl.DOI);
        const db = validDoi(nb.csl.DOI);
        if (da && db && da !== db) continue;
        joinRecords(list[a], list[b]);
      }
    }
  }

  mark('1 records');
  // 1b. A related-paper or reference-list entry joins the one record with its DOI, or with its
  //     title and a compatible year; several records that could be meant: it stays apart.
  //     Entries that name no record join each other on the same DOI, or the same title with
  //     compatible years.
  const byDoi = new Map<string, number>();
  const byTitle = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    if (n.origin !== 'related' && n.origin !== 'reference') return;
    const d = normDoi(n.csl.DOI);
    const t = titleKey(n.csl.title);
    const y = yearOf(n.csl);
    const targets = new Set<number>();
    if (d) for (const r of indices(recByDoi.get(d))) targets.add(uf.find(r));
    if (t) {
      for (const r of indices(recByTitle.get(t))) {
        const yr = yearOf(nodes[r].csl);
        const dr = normDoi(nodes[r].csl.DOI);
        if ((y !== undefined && yr !== undefined && y !== yr) || (d && dr && d !== dr)) continue;
        targets.add(uf.find(r));
      }
    }
    if (targets.size === 1) {
      uf.union(i, [...targets][0]);
      return;
    }
    if (targets.size > 1) return;
    if (d) {
      const j = byDoi.get(d);
      if (j === undefined) byDoi.set(d, i);
      else uf.union(i, j);
    }
    if (t) push(byTitle, t, i);
  });
  // Title matches chain through entries without a year; check the clusters, not just the pair,
  // so "T (2021)" ~ "T (no year)" ~ "T (2019)" does not fuse the 2019 and 2021 works.
  const clusterYear = new Map<number, number>();
  const clusterDoi = new Map<number, string>();
  for (const list of byTitle.values()) {
    for (const i of list) {
      const r = uf.find(i);
      const y = yearOf(nodes[i].csl);
      if (y !== undefined) clusterYear.set(r, y);
      const d = normDoi(nodes[i].csl.DOI);
      if (d) clusterDoi.set(r, d);
    }
  }
  for (const list of byTitle.values()) {
    if (list.length > 50) continue; // a title shared by very many entries is boilerplate, not a duplicate
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const ra = uf.find(list[a]);
        const rb = uf.find(list[b]);
        if (ra === rb) continue;
        const ya = clusterYear.get(ra);
        const yb = clusterYear.get(rb);
        const da = clusterDoi.get(ra);
        const db = clusterDoi.get(rb);
        if ((ya !== undefined && yb !== undefined && ya !== yb) || (da && db && da !== db)) continue;
        uf.union(ra, rb);
        const r = uf.find(ra);
        const y = ya ?? yb;
        const d = da ?? db;
        if (y !== undefined) clusterYear.set(r, y);
        if (d) clusterDoi.set(r, d);
      }
    }
  }

  mark('1b listed');
  // 2. Citation stubs: join the one full work with the same first author and year; else other stubs.
  //    Groups by (first author, year), made from the stubs (interned first author → year → group),
  //    then the full nodes join the groups that exist; groups are taken in the order of their
  //    first node, as a map over all nodes keyed by `author|year` would give them.
  interface StubGroup { first: number; stubs: number[]; full: number[]; fam: string; year: number }
  const groups: StubGroup[] = [];
  const groupOf = new Map<string, Map<number, StubGroup>>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.origin !== 'citation') continue;
    const f = firstFam(n);
    const y = yearOf(n.csl);
    if (!f || y === undefined) continue;
    let byYear = groupOf.get(f);
    if (!byYear) groupOf.set(f, (byYear = new Map()));
    const g = byYear.get(y);
    if (g) g.stubs.push(i);
    else {
      const ng: StubGroup = { first: i, stubs: [i], full: [], fam: f, year: y };
      byYear.set(y, ng);
      groups.push(ng);
    }
  }
  if (groups.length) {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.origin === 'citation') continue;
      const f = firstFam(n);
      if (!f) continue;
      const byYear = groupOf.get(f);
      if (!byYear) continue;
      const y = yearOf(n.csl);
      if (y === undefined) continue;
      const g = byYear.get(y);
      if (!g) continue;
      if (!g.full.length && i < g.first) g.first = i;
      g.full.push(i);
    }
    groups.sort((a, b) => a.first - b.first);
  }
  const fullMatches: number[] = [];
  /** Per group: the full nodes compatible with stubs of one author list and et-al flag (they are all alike to authorsCompatible). */
  const compatibleFull = new Map<string, number[]>();
  for (const { stubs, full, fam, year } of groups) {
    compatibleFull.clear();
    for (const s of stubs) {
      const ns = nodes[s];
      fullMatches.length = 0;
      if (full.length) {
        const sig = (ns.etAl ? '1' : '0') + famOf(ns).join('\u0000');
        let compatible = compatibleFull.get(sig);
        if (!compatible) {
          compatible = [];
          for (const f of full) if (authorsCompatible(ns, nodes[f])) compatible.push(f);
          compatibleFull.set(sig, compatible);
        }
        for (const f of compatible) {
          const r = uf.find(f);
          if (!fullMatches.includes(r)) fullMatches.push(r);
        }
      }
      if (fullMatches.length === 1) {
        uf.union(s, fullMatches[0]);
        continue;
      }
      if (fullMatches.length > 1) {
        problems.push({ file: ns.source.file, line: ns.source.line, severity: 'info', ...problemText('Citation {0} matches {1} works; kept it apart.', ns.context?.text ?? `${fam}|${year}`, fullMatches.length) });
        continue;
      }
      for (const o of stubs) {
        if (o === s) continue;
        const no = nodes[o];
        const sameSuffix = !ns.yearSuffix || !no.yearSuffix || ns.yearSuffix === no.yearSuffix || ns.citedBy !== no.citedBy;
        if (sameSuffix && authorsCompatible(ns, no)) {
          uf.union(s, o);
          break;
        }
      }
    }
  }

  mark('2 stubs');
  // 3. One work per cluster.
  //    A cluster's root is its lowest node (UnionFind.union keeps the lower root), so clusters
  //    numbered at their roots in node order are numbered in order of their first node.
  const clusterOf = new Int32Array(nodes.length);
  const clusterSize: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const r = uf.find(i);
    if (r === i) {
      clusterOf[i] = clusterSize.length;
      clusterSize.push(1);
    } else {
      const c = clusterOf[r];
      clusterOf[i] = c;
      clusterSize[c]++;
    }
  }
  /** Each cluster's members in node order. */
  const clusterMembers: number[][] = clusterSize.map((n) => new Array<number>(n));
  const filled = new Int32Array(clusterSize.length);
  for (let i = 0; i < nodes.length; i++) {
    const c = clusterOf[i];
    clusterMembers[c][filled[c]++] = i;
  }

  interface Draft {
    csl: CslFields;
    members: number[];
    kind: 'record' | 'cited';
    groupAuthors?: string[];
    translatedTitle?: string;
    etAl?: boolean;
    inferred: Set<string>;
    extra?: Record<string, string>;
  }
  const drafts: Draft[] = clusterMembers.map((members) => {
    if (members.length === 1) return singleDraft(members);
    members.sort((a, b) => RANK[nodes[a].origin] - RANK[nodes[b].origin] || a - b);
    const csl: CslFields = {};
    const inferred = new Set<string>();
    const fromNode: Record<string, number> = {};
    for (const m of members) {
      const n = nodes[m];
      const src = n.csl;
      // for-in over a plain object: the keys of Object.entries, in its order, without its arrays.
      for (const k in src) {
        const v = src[k];
        if (v === undefined || v === '') continue;
        const have = csl[k];
        if (have === undefined) {
          csl[k] = v;
          fromNode[k] = m;
        } else if (k === 'author' && Array.isArray(v) && Array.isArray(have) && v.length > have.length && RANK[n.origin] <= RANK[nodes[fromNode[k]].origin] + 1 && n.origin !== 'citation') {
          csl[k] = v; // a longer author list from a listing beats a shorter one
          fromNode[k] = m;
        } else if (k === 'container-title' && typeof have === 'string' && typeof v === 'string' && isShouting(have) && !isShouting(v) && fold(have) === fold(v)) {
          csl[k] = v; // "BMC Psychology" beats "BMC PSYCHOLOGY"
        }
      }
    }
    for (const [k, m] of Object.entries(fromNode)) if (nodes[m].inferred.includes(k)) inferred.add(k);
    const head = nodes[members[0]];
    const kind = members.some((m) => nodes[m].origin === 'record' || nodes[m].origin === 'related') ? 'record' : 'cited';
    const extra = Object.assign({}, ...members.map((m) => nodes[m].extra ?? {})) as Record<string, string>;
    // csl is this draft's own object: set its type in place (same keys, same order as a copy).
    csl.type = typeof csl.type === 'string' ? csl.type : 'article';
    return {
      csl,
      members,
      kind,
      groupAuthors: members.map((m) => nodes[m].groupAuthors).find(Boolean),
      translatedTitle: members.map((m) => nodes[m].translatedTitle).find(Boolean),
      // A citation stub: "et al." when every citation said so; a record: when its author list
      // ends in "and others" (BibTeX), so the author list is known to be incomplete.
      etAl: head.origin === 'citation' ? members.every((m) => nodes[m].etAl) : members.some((m) => nodes[m].origin === 'record' && nodes[m].extra?.etAl === 'true') || undefined,
      inferred,
      extra: Object.keys(extra).length ? extra : undefined,
    };
  });

  mark('3 drafts');
  /** The draft of a cluster of one node: what the general case gives for one member. */
  function singleDraft(members: number[]): Draft {
    const m = members[0];
    const n = nodes[m];
    const src = n.csl;
    const csl: CslFields = {};
    const inferred = new Set<string>();
    const check = n.inferred.length > 0;
    for (const k in src) {
      const v = src[k];
      if (v === undefined || v === '') continue;
      csl[k] = v;
      if (check && n.inferred.includes(k)) inferred.add(k);
    }
    csl.type = typeof csl.type === 'string' ? csl.type : 'article';
    let extra: Record<string, string> | undefined;
    if (n.extra) for (const k in n.extra) (extra ??= {})[k] = n.extra[k];
    return {
      csl,
      members,
      kind: n.origin === 'record' || n.origin === 'related' ? 'record' : 'cited',
      groupAuthors: n.groupAuthors || undefined,
      translatedTitle: n.translatedTitle || undefined,
      etAl: n.origin === 'citation' ? !!n.etAl : (n.origin === 'record' && n.extra?.etAl === 'true') || undefined,
      inferred,
      extra,
    };
  }

  inferFromDoiSiblings(drafts);

  mark('doiSiblings');
  // 4. Keys, ordered within a collision group by the work's own content only.
  const keys = assignKeys(
    drafts,
    (d) => ({ label: baseLabel(d.csl, d.groupAuthors), id: baseId(d.csl, d.groupAuthors) }),
    (d) => {
      const parts = d.csl.issued?.['date-parts']?.[0] ?? [];
      const date = parts.map((p) => String(p).padStart(4, '0')).join('-');
      const src = nodes[d.members[0]].source;
      return [date, fold(d.csl.title ?? ''), normDoi(d.csl.DOI) ?? '', families(d.csl, buildFold).join(' '), src.file, String(src.line).padStart(8, '0')].join('\u0000');
    },
  );

  mark('4 keys');
  // 4b. A work with the citekey of its own export (a BibTeX key, a CSL-JSON id) goes by that key:
  //     the user's manuscript cites it so, and Pandoc with the same .bib resolves it so. The
  //     label stays `Voronka 2019`. A work merged from several keyed records keeps every key:
  //     the first is its id, the others its aliases. A key several works claim (the same key
  //     on two entries) goes, as in Pandoc, to the last entry (by file path, then line); the
  //     others keep their other keys, or a made-up id. A made-up id that a key now holds
  //     moves to the next letter.
  const claims = new Map<string, { draft: number; node: number }[]>();
  const byPlace = (a: number, b: number) => {
    const x = nodes[a].source;
    const y = nodes[b].source;
    return x.file !== y.file ? (x.file < y.file ? -1 : 1) : x.line - y.line;
  };
  drafts.forEach((d, i) => {
    let keyed = d.members.length === 1 ? (nodes[d.members[0]].sourceKey !== undefined ? d.members : []) : d.members.filter((m) => nodes[m].sourceKey !== undefined);
    // Several keyed records (only full records have keys): by file path and line, whatever
    // order the files came in.
    if (keyed.length > 1) keyed = keyed.sort(byPlace);
    const mine: string[] = [];
    for (const m of keyed) {
      const key = nodes[m].sourceKey!;
      if (mine.includes(key)) continue;
      mine.push(key);
      push(claims, key, { draft: i, node: m });
    }
  });
  const owned: (string[] | undefined)[] = new Array(drafts.length);
  if (claims.size) {
    const later = (a: SourceRef, b: SourceRef) => (a.file !== b.file ? a.file > b.file : a.line > b.line);
    for (const [key, list] of claims) {
      let win = list[0];
      for (const c of list) if (later(nodes[c.node].source, nodes[win.node].source)) win = c;
      (owned[win.draft] ??= []).push(key);
      for (const c of list) {
        if (c === win) continue;
        const here = nodes[c.node].source;
        const there = nodes[win.node].source;
        if (here.file === there.file) continue; // the parser has said so
        problems.push({ file: here.file, line: here.line, severity: 'warning', ...problemText('The key {0} is also the key of a different entry ({1}:{2}); @{0} refers to that one.', key, there.file, there.line) });
      }
    }
    // Claims were made per draft in file and line order, so `owned` lists are in it.
    const taken = new Set(keys.map((k) => k.id));
    const citekeys = new Set(claims.keys());
    keys.forEach((k, i) => {
      const mine = owned[i];
      if (mine) {
        keys[i] = { label: k.label, id: mine[0] };
        return;
      }
      if (!citekeys.has(k.id)) return;
      let n = 0;
      let id: string;
      do id = `${k.id}${suffixLetters(n++)}`;
      while (taken.has(id) || citekeys.has(id));
      taken.add(id);
      keys[i] = { label: k.label, id };
    });
  }

  mark('4b claims');
  // 5. Relations and contexts.
  // Sets are made on first use: most works have no relations of most kinds.
  interface Rel { citedBy?: Set<number>; cites?: Set<number>; related?: Set<number>; referencedBy?: Set<number>; contexts: CitationContext[] }
  const rel: Rel[] = drafts.map(() => ({ contexts: [] }));
  const seenContexts = new Map<number, string | Set<string>>();
  nodes.forEach((n, i) => {
    const me = clusterOf[i];
    if (n.origin === 'citation' && n.citedBy !== undefined) {
      const by = clusterOf[n.citedBy];
      if (by === me) return;
      (rel[me].citedBy ??= new Set()).add(by);
      (rel[by].cites ??= new Set()).add(me);
      // The same sentence citing the same work twice (a repeated paragraph) is one context.
      // Sentences seen per (cited, citing) pair, keyed by the pair as one number: the one
      // sentence, or a Set once there are two (most pairs have one).
      const pair = me * drafts.length + by;
      const sentence = n.context!.sentence;
      const seen = seenContexts.get(pair);
      if (seen === undefined) seenContexts.set(pair, sentence);
      else if (typeof seen === 'string') {
        if (seen === sentence) return;
        seenContexts.set(pair, new Set([seen, sentence]));
      } else {
        if (seen.has(sentence)) return;
        seen.add(sentence);
      }
      // The node's own context object becomes the work's (each node gives at most one).
      n.context!.by = keys[by].id;
      rel[me].contexts.push(n.context!);
    } else if (n.parent !== undefined) {
      const p = clusterOf[n.parent];
      if (p === me) return;
      if (n.origin === 'related') {
        (rel[me].related ??= new Set()).add(p);
        (rel[p].related ??= new Set()).add(me);
      } else if (n.origin === 'reference') {
        (rel[me].citedBy ??= new Set()).add(p);
        (rel[me].referencedBy ??= new Set()).add(p);
        (rel[p].cites ??= new Set()).add(me);
      }
    }
  });

  mark('5 relations');
  const ids = (s: Set<number> | undefined) => (s ? [...s].map((c) => keys[c].id).sort() : []);
  const built: Work[] = drafts.map((d, ci) => {
    const x: Work['x-corpus'] = {
      kind: d.kind,
      citedBy: ids(rel[ci].citedBy),
      cites: ids(rel[ci].cites),
      related: ids(rel[ci].related),
      referencedBy: ids(rel[ci].referencedBy),
      contexts: rel[ci].contexts,
      sources: d.members.map((m) => nodes[m].source),
      inferred: [...d.inferred].sort(),
    };
    if (d.translatedTitle) x.translatedTitle = d.translatedTitle;
    if (d.groupAuthors) x.groupAuthors = d.groupAuthors;
    if (d.etAl) x.etAl = true;
    if (d.extra) x.extra = d.extra;
    const mine = owned[ci];
    if (mine && mine.length > 1) x.aliases = mine.slice(1);
    // The draft's csl is its own object, used no more: made the work in place (the same keys in
    // the same order as a spread of it with these four after).
    const w = d.csl as Work;
    w.id = keys[ci].id;
    w['citation-label'] = keys[ci].label;
    w.type = d.csl.type as string;
    w['x-corpus'] = x;
    return w;
  });
  // By label, ties in draft order (a stable sort of draft indices over a plain array of labels:
  // works are large objects whose property reads in a comparator cost more than the compare).
  const order = built.map((_, i) => i);
  order.sort((a, b) => {
    const la = keys[a].label;
    const lb = keys[b].label;
    return la < lb ? -1 : la > lb ? 1 : a - b;
  });
  const works = order.map((i) => built[i]);
  const byId = new Map<string, Work>();
  for (const w of works) {
    byId.set(w.id, w);
    for (const a of w['x-corpus'].aliases ?? []) byId.set(a, w);
  }
  mark('works');
  return { works, problems, byId };
}

/**
 * A record without a journal whose DOI names the same journal (`10.1080/18387357.…`) as a work
 * that has one takes that journal, marked inferred.
 */
function inferFromDoiSiblings(drafts: { csl: CslFields; inferred: Set<string> }[]): void {
  const stem = (doi: string | undefined) => (doi ? /^(10\.\d{4,9}\/(\d{7}[\dXx]))\./.exec(doi.toLowerCase()) : null);
  const journals = new Map<string, Set<string>>();
  // Each draft's stem once (the DOI does not change in between).
  const stems: (RegExpExecArray | null)[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i];
    const m = (stems[i] = stem(d.csl.DOI));
    const j = d.csl['container-title'];
    if (m && j) {
      const set = journals.get(m[1]) ?? new Set<string>();
      set.add(j);
      journals.set(m[1], set);
    }
  }
  for (let i = 0; i < drafts.length; i++) {
    const m = stems[i];
    if (!m) continue;
    const d = drafts[i];
    if (!d.csl['container-title']) {
      const names = journals.get(m[1]);
      if (names && names.size === 1) {
        d.csl['container-title'] = [...names][0];
        d.inferred.add('container-title');
      }
    }
    if (!d.csl.ISSN) {
      d.csl.ISSN = `${m[2].slice(0, 4)}-${m[2].slice(4).toUpperCase()}`;
      d.inferred.add('ISSN');
    }
  }
}
