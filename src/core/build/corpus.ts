/**
 * Builds the corpus model from parsed files: records, the works they list (related papers,
 * references), the works they cite in running text; duplicates merged; keys assigned.
 */
import { extractCitations, MAX_CITATIONS_PER_BLOCK, type ExtractedCitation } from './citations';
import { assignKeys, baseId, baseLabel, isCitekey, suffixLetters, yearOf } from '../model/keys';
import type { CitationContext, CslFields, Name, ParsedFile, ParsedRecord, Problem, SourceFormat, SourceRef, Work } from '../model/model';
import { fold, nameKey } from '../model/names';
import { problemText } from '../model/problemText';

type Origin = 'record' | 'related' | 'reference' | 'citation';

/**
 * The nodes (full records, the entries they list, the citations found in their text) as
 * parallel arrays, one entry per node: ~97,000 nodes at 50k works, and an object each would be
 * copied by every young-generation collection the build goes through (issue 15).
 */
class Nodes {
  readonly origin: Origin[] = [];
  /** A record's CSL as parsed (never changed here); undefined for a citation stub (see cslOf). */
  readonly csl: (CslFields | undefined)[] = [];
  /** The parsed record of a record or listed entry (read only). */
  readonly rec: (ParsedRecord | undefined)[] = [];
  /** Citation stubs: the names as written, the year, "et al.", the year's letter. */
  readonly authors: (string[] | undefined)[] = [];
  readonly stubYear: (number | undefined)[] = [];
  readonly etAl: boolean[] = [];
  readonly yearSuffix: (string | undefined)[] = [];
  /** The node's entry in its work's x-corpus.sources. */
  readonly source: SourceRef[] = [];
  /** Citation stubs: the citing node (-1 for none) and the context (its `by` is filled in when it is taken into a work). */
  readonly citedBy: number[] = [];
  readonly context: (CitationContext | undefined)[] = [];
  /** Listed entries: the record that lists them (-1 for none). */
  readonly parent: number[] = [];
  /** The citekey the source gave (BibTeX key, CSL-JSON id), when it is usable as one. */
  readonly sourceKey: (string | undefined)[] = [];
  /** Folded author families and the first of them, computed once (see fam, firstFam). */
  private readonly fams: (string[] | undefined)[] = [];
  private readonly firsts: (string | undefined)[] = [];

  get length(): number {
    return this.origin.length;
  }

  add(origin: Origin, rec: ParsedRecord | undefined, source: SourceRef, parent: number, sourceKey: string | undefined): number {
    this.origin.push(origin);
    this.csl.push(rec?.csl);
    this.rec.push(rec);
    this.authors.push(undefined);
    this.stubYear.push(undefined);
    this.etAl.push(false);
    this.yearSuffix.push(undefined);
    this.source.push(source);
    this.citedBy.push(-1);
    this.context.push(undefined);
    this.parent.push(parent);
    this.sourceKey.push(sourceKey);
    this.fams.push(undefined);
    this.firsts.push(undefined);
    return this.origin.length - 1;
  }

  addStub(c: ExtractedCitation, source: SourceRef, citedBy: number, context: CitationContext): void {
    const i = this.add('citation', undefined, source, -1, undefined);
    this.authors[i] = c.authors;
    this.stubYear[i] = c.year || undefined;
    this.etAl[i] = c.etAl;
    this.yearSuffix[i] = c.yearSuffix;
    this.citedBy[i] = citedBy;
    this.context[i] = context;
  }

  /**
   * The node's CSL. A citation stub's is made each time it is asked for, which is once, when its
   * work is drafted: most stubs join a record, and their CSL is not kept beyond that.
   */
  cslOf(i: number): CslFields {
    const have = this.csl[i];
    if (have) return have;
    const csl: CslFields = { type: 'article', author: this.authors[i]!.map(stubName) };
    const year = this.stubYear[i];
    if (year) csl.issued = { 'date-parts': [[year]] };
    return csl;
  }

  /** yearOf the node's CSL. */
  year(i: number): number | undefined {
    return this.origin[i] === 'citation' ? this.stubYear[i] : yearOf(this.csl[i]!);
  }

  /** The node's folded author families, empty ones left out (families() of its CSL). */
  fam(i: number): string[] {
    let f = this.fams[i];
    if (f) return f;
    const stub = this.authors[i];
    if (stub) {
      f = [];
      for (const s of stub) {
        const k = buildFold(s.trim()); // nameKey(stubName(s))
        if (k) f.push(k);
      }
    } else f = families(this.csl[i]!, buildFold);
    return (this.fams[i] = f);
  }

  /** fam(i)[0], or '' when no author has a family name: folds only as far as the first one. */
  firstFam(i: number): string {
    const have = this.firsts[i];
    if (have !== undefined) return have;
    const f = this.fams[i];
    if (f) return (this.firsts[i] = f[0] ?? '');
    let first = '';
    const stub = this.authors[i];
    if (stub) for (let k = 0; k < stub.length && !first; k++) first = buildFold(stub[k].trim());
    else {
      const authors = this.csl[i]!.author;
      if (authors) for (let k = 0; k < authors.length && !first; k++) first = buildFold(nameKey(authors[k]));
    }
    return (this.firsts[i] = first);
  }

  /** Same first author and, where both lists name them, no co-author contradicts the other list. */
  authorsCompatible(a: number, b: number): boolean {
    const fa = this.fam(a);
    // A one-name citation ("Smith, 2019") is compatible with any list it leads (what the general
    // case below gives it): only b's first name is needed, not its whole list folded.
    if (fa.length === 1 && this.origin[a] === 'citation') return this.firstFam(b) === fa[0];
    const fb = this.fam(b);
    if (!fa.length || !fb.length || fa[0] !== fb[0]) return false;
    if (fa.length <= fb.length ? !includesAll(fa, fb) : !includesAll(fb, fa)) return false;
    // Two complete lists of different length are different author teams; a one-name citation
    // ("Smith, 2019") may stand for any team led by that author.
    const complete = (n: number, len: number) => this.origin[n] !== 'citation' || (!this.etAl[n] && len > 1);
    if (fa.length !== fb.length && complete(a, fa.length) && complete(b, fb.length)) {
      if (this.origin[a] === 'citation' || this.origin[b] === 'citation') return false;
    }
    return true;
  }
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

function includesAll(short: readonly string[], long: readonly string[]): boolean {
  if (long.length > 16) {
    const set = new Set(long);
    for (const f of short) if (!set.has(f)) return false;
    return true;
  }
  for (const f of short) if (!long.includes(f)) return false;
  return true;
}

function stubName(s: string): Name {
  const t = s.trim();
  return t.includes(' ') ? { literal: t } : { family: t };
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
/** A draft's x-corpus relations until pass 6 sets them (never left in a work). */
const LATER = NO_STRINGS as string[];

function normDoi(d: string | undefined): string | undefined {
  return d ? d.trim().toLowerCase().replace(/^https?:\/\/(?:dx\.)?doi\.org\//, '') : undefined;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * A hash of what `fold` keeps of a title, its letters and digits (lower-cased), without making a
 * string for an ASCII title: titles with equal folds have equal hashes (the converse is checked
 * by folding). -1 when the fold is empty.
 */
function titleHash(t: string): number {
  if (!ASCII_ONLY.test(t)) return foldedHash(fold(t));
  let h = 0;
  let any = false;
  for (let i = 0; i < t.length; i++) {
    let c = t.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32; // A-Z → a-z, as toLowerCase
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) continue;
    h = (Math.imul(h, 31) + c) | 0;
    any = true;
  }
  return any ? h & 0x3fffffff : -1;
}

/** titleHash of a string `fold` gave: its characters other than spaces. */
function foldedHash(f: string): number {
  let h = 0;
  let any = false;
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    if (c === 32) continue;
    h = (Math.imul(h, 31) + c) | 0;
    any = true;
  }
  return any ? h & 0x3fffffff : -1;
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

function pushIndex<K>(map: Map<K, number | number[]>, key: K, i: number): void {
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
function identityKey(nodes: Nodes, i: number, title: string): string | undefined {
  const csl = nodes.csl[i]!;
  const year = yearOf(csl);
  const first = nodes.firstFam(i);
  const venue = fold(csl['container-title'] ?? csl.publisher ?? '');
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
  const nodes = new Nodes();
  const problems: Problem[] = [...extraProblems];

  // 0. Nodes: every record, the entries it lists, and the citations in its running text.
  const addRecord = (rec: ParsedRecord, file: string, format: SourceFormat, origin: Origin, parent: number): number => {
    const sourceKey = origin === 'record' && rec.sourceKey !== undefined && isCitekey(rec.sourceKey) ? rec.sourceKey : undefined;
    const source: SourceRef = { file, line: rec.line, format, fields: rec.fieldLines, relation: origin === 'citation' ? 'citation' : origin };
    if (sourceKey !== undefined) source.key = sourceKey;
    const idx = nodes.add(origin, rec, source, parent, sourceKey);
    if (rec.children) for (const child of rec.children) addRecord(child.record, file, format, child.relation, idx);
    if (rec.textBlocks) for (const block of rec.textBlocks) {
      const cites = extractCitations(block);
      if (cites.truncated) problems.push({ file, line: block.line, severity: 'info', ...problemText('More than {0} citations in one block of text: took the first {1}.', MAX_CITATIONS_PER_BLOCK, cites.length) });
      for (const c of cites) {
        const context: CitationContext = { by: '', sentence: c.sentence, text: c.text, file, line: c.line };
        if (c.locator) context.locator = c.locator;
        nodes.addStub(c, { file, line: c.line, format, relation: 'citation' }, idx, context);
      }
    }
    return idx;
  };
  for (const f of files) {
    problems.push(...f.problems);
    for (const r of f.records) addRecord(r, f.file, f.format ?? 'markdown', 'record', -1);
  }
  const { origin, source } = nodes;

  mark('nodes');
  // 1. Full records. Two records of one file are never one work (a user's own .bib with two
  //    keys has two entries, and Pandoc resolves both). Across files, two records are one work
  //    only on strong evidence: the same valid DOI and compatible titles, or the same title,
  //    year, first author and venue with no volume, issue, pages or type against it. The same
  //    DOI on different titles is conflicting evidence: kept apart, a warning on each line.
  const uf = new UnionFind(nodes.length);
  /** The files of a cluster's records, for clusters of more than one (see filesOf). */
  const recordFiles = new Map<number, Set<string>>();
  const filesOf = (root: number): Set<string> | string => recordFiles.get(root) ?? source[root].file;
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
  /** A full record's CSL (records and listed entries have the parser's). */
  const cslOf = (i: number): CslFields => nodes.csl[i]!;
  // Records by DOI (as normDoi gives it) and by title: by the hash of their folded title
  //  (titleHash), and only where two records share one, by the folded title itself (folding
  //  every title made ~90 MB of strings at 50k works; most titles are one record's).
  //  A key of one record holds its index, of several an array (most keys have one record).
  const recByDoi = new Map<string, number | number[]>();
  const recByTitleHash = new Map<number, number | number[]>();
  const titleHashes: number[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    if (origin[i] !== 'record') continue;
    const csl = cslOf(i);
    const d = normDoi(csl.DOI);
    if (d) pushIndex(recByDoi, d, i);
    const h = (titleHashes[i] = csl.title ? titleHash(csl.title) : -1);
    if (h !== -1) pushIndex(recByTitleHash, h, i);
  }
  const titleFolds: (string | undefined)[] = new Array(nodes.length);
  const foldedTitle = (i: number): string => (titleFolds[i] ??= fold(cslOf(i).title ?? ''));
  /** Records by folded title, for titles whose hash more than one record has. */
  const recByTitle = new Map<string, number[]>();
  for (let i = 0; i < nodes.length; i++) {
    if (origin[i] !== 'record' || titleHashes[i] === -1) continue;
    if (typeof recByTitleHash.get(titleHashes[i]) !== 'number') push(recByTitle, foldedTitle(i), i);
  }
  const doiConflicts = new Map<number, number>();
  // (Maps are walked with forEach here and below: for-of over entries makes an array per entry.)
  recByDoi.forEach((list, doi) => {
    if (typeof list === 'number' || !isValidDoi(doi)) return;
    const titles = list.map((i) => fold(cslOf(i).title ?? ''));
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        if (titlesCompatible(titles[a], titles[b])) {
          if (source[list[a]].file !== source[list[b]].file) joinRecords(list[a], list[b]);
        } else {
          if (!doiConflicts.has(list[a])) doiConflicts.set(list[a], list[b]);
          if (!doiConflicts.has(list[b])) doiConflicts.set(list[b], list[a]);
        }
      }
      if (list.length > 50) break; // a DOI on very many records is boilerplate: compare with the first only
    }
  });
  for (const [i, j] of doiConflicts) {
    const n = source[i];
    const o = source[j];
    const doi = String(normDoi(cslOf(i).DOI));
    const text =
      o.file === n.file
        ? problemText('Same DOI {0} as the record at line {1}, but a different title; kept them apart as two works.', doi, o.line)
        : problemText('Same DOI {0} as the record at {1}:{2}, but a different title; kept them apart as two works.', doi, o.file, o.line);
    problems.push({ file: n.file, line: n.line, severity: 'warning', ...text });
  }
  const byIdentity = new Map<string, number[]>();
  recByTitle.forEach((list, title) => {
    if (list.length < 2) return;
    for (const i of list) {
      const id = identityKey(nodes, i, title);
      if (id) push(byIdentity, id, i);
    }
  });
  for (const list of byIdentity.values()) {
    if (list.length < 2 || list.length > 50) continue;
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const ca = cslOf(list[a]);
        const cb = cslOf(list[b]);
        if (source[list[a]].file === source[list[b]].file || !detailsAgree(ca, cb)) continue;
        const da = validDoi(ca.DOI);
        const db = validDoi(cb.DOI);
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
  for (let i = 0; i < nodes.length; i++) {
    if (origin[i] !== 'related' && origin[i] !== 'reference') continue;
    const csl = cslOf(i);
    const d = normDoi(csl.DOI);
    const t = titleKey(csl.title);
    const y = yearOf(csl);
    const targets = new Set<number>();
    if (d) for (const r of indices(recByDoi.get(d))) targets.add(uf.find(r));
    if (t) {
      for (const r of indices(recByTitleHash.get(foldedHash(t)))) {
        if (foldedTitle(r) !== t) continue; // another title with the same hash
        const yr = yearOf(cslOf(r));
        const dr = normDoi(cslOf(r).DOI);
        if ((y !== undefined && yr !== undefined && y !== yr) || (d && dr && d !== dr)) continue;
        targets.add(uf.find(r));
      }
    }
    if (targets.size === 1) {
      uf.union(i, [...targets][0]);
      continue;
    }
    if (targets.size > 1) continue;
    if (d) {
      const j = byDoi.get(d);
      if (j === undefined) byDoi.set(d, i);
      else uf.union(i, j);
    }
    if (t) push(byTitle, t, i);
  }
  // Title matches chain through entries without a year; check the clusters, not just the pair,
  // so "T (2021)" ~ "T (no year)" ~ "T (2019)" does not fuse the 2019 and 2021 works.
  const clusterYear = new Map<number, number>();
  const clusterDoi = new Map<number, string>();
  for (const list of byTitle.values()) {
    for (const i of list) {
      const r = uf.find(i);
      const y = yearOf(cslOf(i));
      if (y !== undefined) clusterYear.set(r, y);
      const d = normDoi(cslOf(i).DOI);
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
    if (origin[i] !== 'citation') continue;
    const f = nodes.firstFam(i);
    const y = nodes.year(i);
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
      if (origin[i] === 'citation') continue;
      const f = nodes.firstFam(i);
      if (!f) continue;
      const byYear = groupOf.get(f);
      if (!byYear) continue;
      const y = nodes.year(i);
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
      fullMatches.length = 0;
      if (full.length) {
        const sig = (nodes.etAl[s] ? '1' : '0') + nodes.fam(s).join('\u0000');
        let compatible = compatibleFull.get(sig);
        if (!compatible) {
          compatible = [];
          for (const f of full) if (nodes.authorsCompatible(s, f)) compatible.push(f);
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
        problems.push({ file: source[s].file, line: source[s].line, severity: 'info', ...problemText('Citation {0} matches {1} works; kept it apart.', nodes.context[s]?.text ?? `${fam}|${year}`, fullMatches.length) });
        continue;
      }
      for (const o of stubs) {
        if (o === s) continue;
        const ss = nodes.yearSuffix[s];
        const so = nodes.yearSuffix[o];
        const sameSuffix = !ss || !so || ss === so || nodes.citedBy[s] !== nodes.citedBy[o];
        if (sameSuffix && nodes.authorsCompatible(s, o)) {
          uf.union(s, o);
          break;
        }
      }
    }
  }

  mark('2 stubs');
  // 3. One work per cluster, drafted: its CSL (the object that becomes the work) and its
  //    x-corpus in the final key order (the relations are filled in by pass 6).
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
  const inferredOf = (m: number): readonly string[] => nodes.rec[m]?.inferred ?? NO_STRINGS;
  const extraOf = (m: number): Record<string, string> | undefined => nodes.rec[m]?.extra;
  /** The draft's CSL, per cluster: a copy (parsed records are not changed), or a lone stub's own. */
  const drafts: CslFields[] = new Array(clusterMembers.length);
  const xs: Work['x-corpus'][] = new Array(clusterMembers.length);
  for (let c = 0; c < clusterMembers.length; c++) {
    const members = clusterMembers[c];
    if (members.length > 1) members.sort((a, b) => RANK[origin[a]] - RANK[origin[b]] || a - b);
    const head = members[0];
    const csl: CslFields = members.length === 1 && origin[head] === 'citation' ? nodes.cslOf(head) : {};
    const inferred: string[] = [];
    if (members.length === 1) {
      if (origin[head] !== 'citation') {
        // One record: its fields without the empty ones.
        const src = nodes.csl[head]!;
        const check = inferredOf(head).length > 0;
        for (const k in src) {
          const v = src[k];
          if (v === undefined || v === '') continue;
          csl[k] = v;
          if (check && inferredOf(head).includes(k)) inferred.push(k);
        }
      }
    } else {
      // Several nodes, best first: each field from the first that has it, with two exceptions.
      const fromNode: Record<string, number> = {};
      for (const m of members) {
        // A citation stub gives only fields the draft lacks so far (type, author, and issued if
        // it has a year); most stubs join a record that has them all, and need no CSL made.
        if (origin[m] === 'citation' && csl.type !== undefined && csl.author !== undefined && (csl.issued !== undefined || !nodes.stubYear[m])) continue;
        const src = nodes.cslOf(m);
        // for-in over a plain object: the keys of Object.entries, in its order, without its arrays.
        for (const k in src) {
          const v = src[k];
          if (v === undefined || v === '') continue;
          const have = csl[k];
          if (have === undefined) {
            csl[k] = v;
            fromNode[k] = m;
          } else if (k === 'author' && Array.isArray(v) && Array.isArray(have) && v.length > have.length && RANK[origin[m]] <= RANK[origin[fromNode[k]]] + 1 && origin[m] !== 'citation') {
            csl[k] = v; // a longer author list from a listing beats a shorter one
            fromNode[k] = m;
          } else if (k === 'container-title' && typeof have === 'string' && typeof v === 'string' && isShouting(have) && !isShouting(v) && fold(have) === fold(v)) {
            csl[k] = v; // "BMC Psychology" beats "BMC PSYCHOLOGY"
          }
        }
      }
      for (const k in fromNode) if (inferredOf(fromNode[k]).includes(k)) inferred.push(k);
    }
    // csl is this draft's own object: set its type in place (same keys, same order as a copy).
    csl.type = typeof csl.type === 'string' ? csl.type : 'article';
    drafts[c] = csl;

    let kind: 'record' | 'cited' = 'cited';
    let groupAuthors: string[] | undefined;
    let translatedTitle: string | undefined;
    let extra: Record<string, string> | undefined;
    let recordEtAl = false;
    let everyEtAl = true;
    for (const m of members) {
      const o = origin[m];
      if (o === 'record' || o === 'related') kind = 'record';
      const rec = nodes.rec[m];
      groupAuthors ||= rec?.groupAuthors;
      translatedTitle ||= rec?.translatedTitle;
      const ex = extraOf(m);
      if (ex) for (const k in ex) (extra ??= {})[k] = ex[k];
      if (o === 'record' && ex?.etAl === 'true') recordEtAl = true;
      if (!nodes.etAl[m]) everyEtAl = false;
    }
    // A citation stub: "et al." when every citation said so; a record: when its author list
    // ends in "and others" (BibTeX), so the author list is known to be incomplete.
    const etAl = origin[head] === 'citation' ? everyEtAl : recordEtAl;
    const x: Work['x-corpus'] = {
      kind,
      citedBy: LATER,
      cites: LATER,
      related: LATER,
      referencedBy: LATER,
      contexts: [],
      sources: members.map((m) => source[m]),
      inferred,
    };
    if (translatedTitle) x.translatedTitle = translatedTitle;
    if (groupAuthors) x.groupAuthors = groupAuthors;
    if (etAl) x.etAl = true;
    if (extra) x.extra = extra;
    xs[c] = x;
  }

  mark('3 drafts');
  inferFromDoiSiblings(drafts, xs);

  mark('doiSiblings');
  // 4. Keys, ordered within a collision group by the work's own content only.
  const { labels, ids } = assignKeys(
    drafts.length,
    (c) => baseLabel(drafts[c], xs[c].groupAuthors),
    (c) => baseId(drafts[c], xs[c].groupAuthors),
    (c) => {
      const d = drafts[c];
      const parts = d.issued?.['date-parts']?.[0] ?? [];
      const date = parts.map((p) => String(p).padStart(4, '0')).join('-');
      const src = xs[c].sources[0];
      return [date, fold(d.title ?? ''), normDoi(d.DOI) ?? '', families(d, buildFold).join(' '), src.file, String(src.line).padStart(8, '0')].join('\u0000');
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
  /** Per key, the node(s) that claim it (the node's cluster is the claiming work). */
  const claims = new Map<string, number | number[]>();
  const byPlace = (a: number, b: number) => {
    const x = source[a];
    const y = source[b];
    return x.file !== y.file ? (x.file < y.file ? -1 : 1) : x.line - y.line;
  };
  for (const members of clusterMembers) {
    if (members.length === 1) {
      const key = nodes.sourceKey[members[0]];
      if (key !== undefined) pushIndex(claims, key, members[0]);
      continue;
    }
    // Several keyed records (only full records have keys): by file path and line, whatever
    // order the files came in.
    const keyed = members.filter((m) => nodes.sourceKey[m] !== undefined);
    if (keyed.length > 1) keyed.sort(byPlace);
    const mine: string[] = [];
    for (const m of keyed) {
      const key = nodes.sourceKey[m]!;
      if (mine.includes(key)) continue;
      mine.push(key);
      pushIndex(claims, key, m);
    }
  }
  const owned: (string[] | undefined)[] = new Array(drafts.length);
  if (claims.size) {
    const later = (a: SourceRef, b: SourceRef) => (a.file !== b.file ? a.file > b.file : a.line > b.line);
    claims.forEach((claim, key) => {
      if (typeof claim === 'number') {
        (owned[clusterOf[claim]] ??= []).push(key);
        return;
      }
      let win = claim[0];
      for (const m of claim) if (later(source[m], source[win])) win = m;
      (owned[clusterOf[win]] ??= []).push(key);
      const there = source[win];
      for (const m of claim) {
        if (m === win) continue;
        const here = source[m];
        if (here.file === there.file) continue; // the parser has said so
        problems.push({ file: here.file, line: here.line, severity: 'warning', ...problemText('The key {0} is also the key of a different entry ({1}:{2}); @{0} refers to that one.', key, there.file, there.line) });
      }
    });
    // Claims were made per draft in file and line order, so `owned` lists are in it.
    const taken = new Set(ids);
    for (let c = 0; c < ids.length; c++) {
      const mine = owned[c];
      if (mine) {
        ids[c] = mine[0];
        continue;
      }
      if (!claims.has(ids[c])) continue;
      let n = 0;
      let id: string;
      do id = `${ids[c]}${suffixLetters(n++)}`;
      while (taken.has(id) || claims.has(id));
      taken.add(id);
      ids[c] = id;
    }
  }

  mark('4b claims');
  // 5. Relations and contexts. Per work, the works it is cited by, cites, is related to and is
  //    referenced by, as cluster numbers collected with repeats (made unique in pass 6); a list
  //    is made on first use: most works have no relations of most kinds.
  const citedBy: (number[] | undefined)[] = new Array(drafts.length);
  const cites: (number[] | undefined)[] = new Array(drafts.length);
  const related: (number[] | undefined)[] = new Array(drafts.length);
  const referencedBy: (number[] | undefined)[] = new Array(drafts.length);
  const seenContexts = new Map<number, string | Set<string>>();
  for (let i = 0; i < nodes.length; i++) {
    const me = clusterOf[i];
    const citing = nodes.citedBy[i];
    const parent = nodes.parent[i];
    if (origin[i] === 'citation' && citing !== -1) {
      const by = clusterOf[citing];
      if (by === me) continue;
      (citedBy[me] ??= []).push(by);
      (cites[by] ??= []).push(me);
      // The same sentence citing the same work twice (a repeated paragraph) is one context.
      // Sentences seen per (cited, citing) pair, keyed by the pair as one number: the one
      // sentence, or a Set once there are two (most pairs have one).
      const context = nodes.context[i]!;
      const pair = me * drafts.length + by;
      const sentence = context.sentence;
      const seen = seenContexts.get(pair);
      if (seen === undefined) seenContexts.set(pair, sentence);
      else if (typeof seen === 'string') {
        if (seen === sentence) continue;
        seenContexts.set(pair, new Set([seen, sentence]));
      } else {
        if (seen.has(sentence)) continue;
        seen.add(sentence);
      }
      // The node's own context object becomes the work's (each node gives at most one).
      context.by = ids[by];
      xs[me].contexts.push(context);
    } else if (parent !== -1) {
      const p = clusterOf[parent];
      if (p === me) continue;
      if (origin[i] === 'related') {
        (related[me] ??= []).push(p);
        (related[p] ??= []).push(me);
      } else if (origin[i] === 'reference') {
        (citedBy[me] ??= []).push(p);
        (referencedBy[me] ??= []).push(p);
        (cites[p] ??= []).push(me);
      }
    }
  }

  mark('5 relations');
  // 6. Works: the draft CSL completed in place (the same keys in the same order as a spread of
  //    it with these four after), sorted by label.
  /** The ids of a list of works, each once (a stamp per work marks it seen), sorted. */
  const seen = new Int32Array(drafts.length);
  let stamp = 0;
  const idsOf = (list: number[] | undefined): string[] => {
    if (!list) return [];
    if (list.length === 1) return [ids[list[0]]];
    stamp++;
    const out: string[] = [];
    for (const c of list) {
      if (seen[c] === stamp) continue;
      seen[c] = stamp;
      out.push(ids[c]);
    }
    return out.sort();
  };
  const built: Work[] = new Array(drafts.length);
  for (let c = 0; c < drafts.length; c++) {
    const x = xs[c];
    x.citedBy = idsOf(citedBy[c]);
    x.cites = idsOf(cites[c]);
    x.related = idsOf(related[c]);
    x.referencedBy = idsOf(referencedBy[c]);
    if (x.inferred.length > 1) x.inferred.sort();
    const mine = owned[c];
    if (mine && mine.length > 1) x.aliases = mine.slice(1);
    const w = drafts[c] as Work;
    w.id = ids[c];
    w['citation-label'] = labels[c];
    w.type = drafts[c].type as string;
    w['x-corpus'] = x;
    built[c] = w;
  }
  // By label, ties in draft order (a stable sort of draft indices over a plain array of labels:
  // works are large objects whose property reads in a comparator cost more than the compare).
  const order = built.map((_, i) => i);
  order.sort((a, b) => {
    const la = labels[a];
    const lb = labels[b];
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
function inferFromDoiSiblings(drafts: readonly CslFields[], xs: readonly { inferred: string[] }[]): void {
  const stem = (doi: string | undefined) => (doi ? /^(10\.\d{4,9}\/(\d{7}[\dXx]))\./.exec(doi.toLowerCase()) : null);
  const journals = new Map<string, Set<string>>();
  // Each draft's stem once (the DOI does not change in between).
  const stems: (RegExpExecArray | null)[] = new Array(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const csl = drafts[i];
    const m = (stems[i] = stem(csl.DOI));
    const j = csl['container-title'];
    if (m && j) {
      const set = journals.get(m[1]) ?? new Set<string>();
      set.add(j);
      journals.set(m[1], set);
    }
  }
  const infer = (i: number, field: string) => {
    if (!xs[i].inferred.includes(field)) xs[i].inferred.push(field);
  };
  for (let i = 0; i < drafts.length; i++) {
    const m = stems[i];
    if (!m) continue;
    const csl = drafts[i];
    if (!csl['container-title']) {
      const names = journals.get(m[1]);
      if (names && names.size === 1) {
        csl['container-title'] = [...names][0];
        infer(i, 'container-title');
      }
    }
    if (!csl.ISSN) {
      csl.ISSN = `${m[2].slice(0, 4)}-${m[2].slice(4).toUpperCase()}`;
      infer(i, 'ISSN');
    }
  }
}
