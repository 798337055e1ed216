/**
 * FROZEN REFERENCE (test only): the corpus builder as it was at main 5336ad8, before the issue-15
 * restructure; test/unit/builderEquivalence.test.ts compares src/core/build/corpus.ts with it.
 * Do not edit except to follow renames of what it imports.
 *
 * Builds the corpus model from parsed files: records, the works they list (related papers,
 * references), the works they cite in running text; duplicates merged; keys assigned.
 */
import { extractCitations, MAX_CITATIONS_PER_BLOCK } from './referenceCitations';
import { baseId, baseLabel, isCitekey, suffixLetters, yearOf } from '../../../src/core/model/keys';
import type { CitationContext, CslFields, Name, ParsedFile, ParsedRecord, Problem, SourceFormat, SourceRef, Work } from '../../../src/core/model/model';
import { fold, nameKey } from '../../../src/core/model/names';
import { problemText } from '../../../src/core/model/problemText';

type Origin = 'record' | 'related' | 'reference' | 'citation';

interface Node {
  origin: Origin;
  csl: CslFields;
  groupAuthors?: string[];
  translatedTitle?: string;
  etAl?: boolean;
  yearSuffix?: string;
  inferred: string[];
  extra?: Record<string, string>;
  source: SourceRef;
  /** For citation stubs: the citing node and the context. */
  citedBy?: number;
  context?: Omit<CitationContext, 'by'>;
  /** Parent node for related/reference children. */
  parent?: number;
  /** Folded author families, computed once (see famOf). */
  fam?: string[];
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

function families(csl: CslFields): string[] {
  return (csl.author ?? []).map((a) => fold(nameKey(a))).filter(Boolean);
}

/** families() of a node's own CSL, memoised: nodes' CSL is not changed while merging. */
function famOf(n: Node): string[] {
  return (n.fam ??= families(n.csl));
}

/** Same first author and, where both lists name them, no co-author contradicts the other list. */
function authorsCompatible(a: Node, b: Node): boolean {
  const fa = famOf(a);
  const fb = famOf(b);
  if (!fa.length || !fb.length || fa[0] !== fb[0]) return false;
  const [short, long] = fa.length <= fb.length ? [fa, fb] : [fb, fa];
  const longSet = new Set(long);
  if (!short.every((f) => longSet.has(f))) return false;
  // Two complete lists of different length are different author teams; a one-name citation
  // ("Smith, 2019") may stand for any team led by that author.
  const complete = (n: Node, len: number) => n.origin !== 'citation' || (!n.etAl && len > 1);
  if (fa.length !== fb.length && complete(a, fa.length) && complete(b, fb.length)) {
    if (a.origin === 'citation' || b.origin === 'citation') return false;
  }
  return true;
}

function stubName(s: string): Name {
  return / /.test(s.trim()) ? { literal: s.trim() } : { family: s.trim() };
}

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

/** Folded titles that may name the same work: equal, one the other without its subtitle, or one missing. */
function titlesCompatible(a: string, b: string): boolean {
  if (!a || !b || a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 12 && long.startsWith(short + ' ');
}

/** Title (folded, given), year, first author and venue (journal or book, else publisher) of a record, when it has all four. */
function identityKey(n: Node, title: string): string | undefined {
  const year = yearOf(n.csl);
  const first = famOf(n)[0];
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

interface Corpus {
  works: Work[];
  problems: Problem[];
  byId: Map<string, Work>;
}

/** Turns parsed files into works: extract citations, merge duplicates, assign keys, link. */
export function referenceBuildCorpus(files: readonly ParsedFile[], extraProblems: readonly Problem[] = []): Corpus {
  const nodes: Node[] = [];
  const problems: Problem[] = [...extraProblems];

  const addRecord = (rec: ParsedRecord, file: string, format: SourceFormat, origin: Origin, parent?: number): number => {
    const idx = nodes.length;
    const sourceKey = origin === 'record' && rec.sourceKey !== undefined && isCitekey(rec.sourceKey) ? rec.sourceKey : undefined;
    nodes.push({
      origin,
      csl: rec.csl,
      groupAuthors: rec.groupAuthors,
      translatedTitle: rec.translatedTitle,
      inferred: rec.inferred ?? [],
      extra: rec.extra,
      source: { file, line: rec.line, format, fields: rec.fieldLines, relation: origin === 'citation' ? 'citation' : origin },
      parent,
      sourceKey,
    });
    if (sourceKey !== undefined) nodes[idx].source.key = sourceKey;
    for (const child of rec.children ?? []) addRecord(child.record, file, format, child.relation, idx);
    for (const block of rec.textBlocks ?? []) {
      const cites = extractCitations(block);
      if (cites.truncated) problems.push({ file, line: block.line, severity: 'info', ...problemText('More than {0} citations in one block of text: took the first {1}.', MAX_CITATIONS_PER_BLOCK, cites.length) });
      for (const c of cites) {
        nodes.push({
          origin: 'citation',
          csl: { type: 'article', author: c.authors.map(stubName), ...(c.year ? { issued: { 'date-parts': [[c.year]] } } : {}) },
          etAl: c.etAl,
          yearSuffix: c.yearSuffix,
          inferred: [],
          source: { file, line: c.line, format, relation: 'citation' },
          citedBy: idx,
          context: { sentence: c.sentence, text: c.text, file, line: c.line, ...(c.locator ? { locator: c.locator } : {}) },
        });
      }
    }
    return idx;
  };
  for (const f of files) {
    problems.push(...f.problems);
    for (const r of f.records) addRecord(r, f.file, f.format ?? 'markdown', 'record');
  }

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
  const recByDoi = new Map<string, number[]>();
  const recByTitle = new Map<string, number[]>();
  for (const i of records) {
    const n = nodes[i];
    const d = normDoi(n.csl.DOI);
    if (d) push(recByDoi, d, i);
    const t = n.csl.title ? fold(n.csl.title) : '';
    if (t) push(recByTitle, t, i);
  }
  const doiConflicts = new Map<number, number>();
  for (const [doi, list] of recByDoi) {
    if (list.length < 2 || !isValidDoi(doi)) continue;
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
    if (list.length < 2) continue;
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
    if (d) for (const r of recByDoi.get(d) ?? []) targets.add(uf.find(r));
    if (t) {
      for (const r of recByTitle.get(t) ?? []) {
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

  // 2. Citation stubs: join the one full work with the same first author and year; else other stubs.
  const byAuthorYear = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    const f = famOf(n)[0];
    const y = yearOf(n.csl);
    if (!f || y === undefined) return;
    const k = `${f}|${y}`;
    const list = byAuthorYear.get(k);
    if (list) list.push(i);
    else byAuthorYear.set(k, [i]);
  });
  for (const [key, list] of byAuthorYear) {
    const stubs = list.filter((i) => nodes[i].origin === 'citation');
    if (!stubs.length) continue;
    const full = list.filter((i) => nodes[i].origin !== 'citation');
    for (const s of stubs) {
      const fullMatches = [...new Set(full.filter((f) => authorsCompatible(nodes[s], nodes[f])).map((f) => uf.find(f)))];
      if (fullMatches.length === 1) {
        uf.union(s, fullMatches[0]);
        continue;
      }
      if (fullMatches.length > 1) {
        problems.push({ file: nodes[s].source.file, line: nodes[s].source.line, severity: 'info', ...problemText('Citation {0} matches {1} works; kept it apart.', nodes[s].context?.text ?? key, fullMatches.length) });
      }
      for (const o of stubs) {
        if (o === s) continue;
        const sameSuffix = !nodes[s].yearSuffix || !nodes[o].yearSuffix || nodes[s].yearSuffix === nodes[o].yearSuffix || nodes[s].citedBy !== nodes[o].citedBy;
        if (!fullMatches.length && sameSuffix && authorsCompatible(nodes[s], nodes[o])) {
          uf.union(s, o);
          break;
        }
      }
    }
  }

  // 3. One work per cluster.
  const clusters = new Map<number, number[]>();
  nodes.forEach((_, i) => {
    const r = uf.find(i);
    const c = clusters.get(r);
    if (c) c.push(i);
    else clusters.set(r, [i]);
  });
  const roots = [...clusters.keys()];
  const clusterOf = new Int32Array(nodes.length);
  roots.forEach((r, ci) => {
    for (const i of clusters.get(r)!) clusterOf[i] = ci;
  });

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
  const drafts: Draft[] = roots.map((r) => {
    const members = clusters.get(r)!.slice().sort((a, b) => RANK[nodes[a].origin] - RANK[nodes[b].origin] || a - b);
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

  inferFromDoiSiblings(drafts);

  // 4. Keys, ordered within a collision group by the work's own content only.
  const keys = assignKeys(
    drafts,
    (d) => ({ label: baseLabel(d.csl, d.groupAuthors), id: baseId(d.csl, d.groupAuthors) }),
    (d) => {
      const parts = d.csl.issued?.['date-parts']?.[0] ?? [];
      const date = parts.map((p) => String(p).padStart(4, '0')).join('-');
      const src = nodes[d.members[0]].source;
      return [date, fold(d.csl.title ?? ''), normDoi(d.csl.DOI) ?? '', families(d.csl).join(' '), src.file, String(src.line).padStart(8, '0')].join('\u0000');
    },
  );

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

  // 5. Relations and contexts.
  // Sets are made on first use: most works have no relations of most kinds.
  interface Rel { citedBy?: Set<number>; cites?: Set<number>; related?: Set<number>; referencedBy?: Set<number>; contexts: CitationContext[] }
  const rel: Rel[] = drafts.map(() => ({ contexts: [] }));
  const seenContexts = new Set<string>();
  nodes.forEach((n, i) => {
    const me = clusterOf[i];
    if (n.origin === 'citation' && n.citedBy !== undefined) {
      const by = clusterOf[n.citedBy];
      if (by === me) return;
      (rel[me].citedBy ??= new Set()).add(by);
      (rel[by].cites ??= new Set()).add(me);
      // The same sentence citing the same work twice (a repeated paragraph) is one context.
      const seenKey = `${me}\u0000${by}\u0000${n.context!.sentence}`;
      if (seenContexts.has(seenKey)) return;
      seenContexts.add(seenKey);
      rel[me].contexts.push({ by: keys[by].id, ...n.context! });
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

  const ids = (s: Set<number> | undefined) => (s ? [...s].map((c) => keys[c].id).sort() : []);
  const works: Work[] = drafts.map((d, ci) => {
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
    return { ...d.csl, id: keys[ci].id, 'citation-label': keys[ci].label, type: d.csl.type as string, 'x-corpus': x };
  });
  works.sort((a, b) => (a['citation-label'] < b['citation-label'] ? -1 : a['citation-label'] > b['citation-label'] ? 1 : 0));
  const byId = new Map<string, Work>();
  for (const w of works) {
    byId.set(w.id, w);
    for (const a of w['x-corpus'].aliases ?? []) byId.set(a, w);
  }
  return { works, problems, byId };
}

/**
 * A record without a journal whose DOI names the same journal (`10.1080/18387357.…`) as a work
 * that has one takes that journal, marked inferred.
 */
function inferFromDoiSiblings(drafts: { csl: CslFields; inferred: Set<string> }[]): void {
  const stem = (doi: string | undefined) => (doi ? /^(10\.\d{4,9}\/(\d{7}[\dXx]))\./.exec(doi.toLowerCase()) : null);
  const journals = new Map<string, Set<string>>();
  for (const d of drafts) {
    const m = stem(d.csl.DOI);
    const j = d.csl['container-title'];
    if (m && j) {
      const set = journals.get(m[1]) ?? new Set<string>();
      set.add(j);
      journals.set(m[1], set);
    }
  }
  for (const d of drafts) {
    const m = stem(d.csl.DOI);
    if (!m) continue;
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

// assignKeys of src/core/model/keys.ts as it was at main 5336ad8 (src/core/model/keys.ts now has
// an array form of it for the restructured builder).
interface Keyed {
  label: string;
  id: string;
}

/**
 * Assigns labels and ids to works. `sortKey` orders works inside a collision group; it must
 * depend only on the work itself.
 */
function assignKeys<T>(items: readonly T[], base: (t: T) => { label: string; id: string }, sortKey: (t: T) => string): Keyed[] {
  const bases = items.map(base);
  const groups = new Map<string, number[]>();
  bases.forEach((b, i) => {
    const g = groups.get(b.id);
    if (g) g.push(i);
    else groups.set(b.id, [i]);
  });
  const out: Keyed[] = bases.map((b) => ({ ...b }));
  const taken = new Set(groups.keys());
  for (const [, idx] of groups) {
    if (idx.length < 2) continue;
    const keys = idx.map((i) => sortKey(items[i]));
    const order = idx.map((i, k) => ({ i, key: keys[k] })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    // Labels that already differ (two anonymous works, “Review of the literature” n.d. and
    // “Review of recovery” n.d., share the id stem `reviewnd`) need no letter; only the ids do.
    const labelsDiffer = new Set(idx.map((i) => bases[i].label)).size === idx.length;
    let letter = 0;
    for (const { i } of order) {
      // Skip a suffixed id that another work already has as its base (`smith2020a` is a real key).
      let sfx = suffixLetters(letter++);
      while (taken.has(bases[i].id + sfx)) sfx = suffixLetters(letter++);
      const label = labelsDiffer ? bases[i].label : bases[i].label + (bases[i].label.endsWith('n.d.') ? '-' : '') + sfx;
      out[i] = { label, id: bases[i].id + sfx };
      taken.add(out[i].id);
    }
  }
  return out;
}
