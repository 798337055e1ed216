/**
 * The real export samples in `../shared/format-samples/<format>/` (Zotero's import test cases,
 * `NN.<ext>` beside `NN.expected.json`) and a comparison of what we read with what Zotero reads.
 *
 * Compared fields: title, authors in order (family names), year, journal (container), volume,
 * issue, pages, DOI — only where Zotero's item has the field. Normalisation is deliberately mild
 * (case, punctuation, dash kinds, white space): a value that differs only in typography agrees.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildCorpus } from '../../../src/core/build/corpus';
import { parseFile } from '../../../src/core/build/loadFiles';
import type { ParsedFile, Work } from '../../../src/core/model/model';

/** `../shared/format-samples` beside the repository (CI lays `shared/` there). */
export const SAMPLES_DIR = path.resolve(__dirname, '../../../../shared/format-samples');

export interface Sample {
  format: string;
  input: string;
  expected: ZoteroItem[];
}

export interface ZoteroItem {
  itemType?: string;
  title?: string;
  creators?: { lastName?: string; firstName?: string; name?: string; creatorType?: string; fieldMode?: number }[];
  date?: string;
  publicationTitle?: string;
  bookTitle?: string;
  proceedingsTitle?: string;
  volume?: string;
  issue?: string;
  pages?: string;
  DOI?: string;
  [k: string]: unknown;
}

/** Every sample of one format folder (empty when `shared/` is not beside the repository). */
export function listSamples(format: string): Sample[] {
  const dir = path.join(SAMPLES_DIR, format);
  if (!fs.existsSync(dir)) return [];
  const out: Sample[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.endsWith('.expected.json')) continue;
    const stem = name.replace(/\.[^.]+$/, '');
    const exp = path.join(dir, `${stem}.expected.json`);
    if (!fs.existsSync(exp)) continue;
    out.push({ format, input: path.join(dir, name), expected: JSON.parse(fs.readFileSync(exp, 'utf8')) as ZoteroItem[] });
  }
  return out;
}

export type Field = 'title' | 'authors' | 'year' | 'journal' | 'volume' | 'issue' | 'pages' | 'DOI';
export const FIELDS: readonly Field[] = ['title', 'authors', 'year', 'journal', 'volume', 'issue', 'pages', 'DOI'];

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/<\/?[a-z][^>]*>/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');

function expectedValue(item: ZoteroItem, f: Field): string | undefined {
  switch (f) {
    case 'title':
      return item.title ? fold(item.title) : undefined;
    case 'authors': {
      const a = (item.creators ?? []).filter((c) => (c.creatorType ?? 'author') === 'author');
      return a.length ? a.map((c) => fold(c.lastName ?? c.name ?? '')).join('|') : undefined;
    }
    case 'year': {
      // Zotero keeps RIS's placeholder year 0000; we read it as no date (issue 10), so it is not compared.
      const m = /\b(\d{4})\b/.exec(item.date ?? '');
      return m && m[1] !== '0000' ? m[1] : undefined;
    }
    case 'journal': {
      const j = item.publicationTitle ?? item.bookTitle ?? item.proceedingsTitle;
      return typeof j === 'string' && j ? fold(j) : undefined;
    }
    case 'pages':
      return item.pages ? item.pages.replace(/[\u2010-\u2015]/g, '-').replace(/\s+/g, '') : undefined;
    case 'DOI':
      return item.DOI ? item.DOI.toLowerCase() : undefined;
    default: {
      const v = item[f];
      return typeof v === 'string' && v ? fold(v) : undefined;
    }
  }
}

function ourValue(w: Work, f: Field): string | undefined {
  switch (f) {
    case 'title':
      return w.title ? fold(w.title) : undefined;
    case 'authors':
      return w.author?.length ? w.author.map((a) => fold(a.family ?? a.literal ?? '')).join('|') : undefined;
    case 'year': {
      const y = w.issued?.['date-parts']?.[0]?.[0];
      return y === undefined ? undefined : String(y);
    }
    case 'journal':
      return w['container-title'] ? fold(w['container-title']) : undefined;
    case 'pages':
      return w.page ? w.page.replace(/[\u2010-\u2015]/g, '-').replace(/\s+/g, '') : undefined;
    case 'DOI':
      return w.DOI ? w.DOI.toLowerCase() : undefined;
    default: {
      const v = w[f];
      return typeof v === 'string' && v ? fold(v) : undefined;
    }
  }
}

export interface SampleReport {
  input: string;
  format?: string;
  recognised: boolean;
  expectedItems: number;
  records: number;
  lost: string[];
  /** Two or more expected items matched to one work. */
  merged: string[];
  compared: number;
  agreed: number;
  differences: { item: string; field: Field; expected: string; ours: string | undefined }[];
}

/** Index one sample file on its own and compare its records with Zotero's items. */
export function compareSample(sample: Sample): SampleReport & { parsed: ParsedFile; works: Work[] } {
  const parsed = parseFile(sample.input);
  const corpus = buildCorpus([parsed]);
  // In file order, so that items with the same title (synthetic "every tag" files) pair in order.
  const firstLine = (w: Work) => Math.min(...w['x-corpus'].sources.filter((s) => s.relation === 'record').map((s) => s.line));
  const works = corpus.works.filter((w) => w['x-corpus'].kind === 'record' && w['x-corpus'].sources.some((s) => s.relation === 'record')).sort((a, b) => firstLine(a) - firstLine(b));
  const report: SampleReport = {
    input: path.relative(SAMPLES_DIR, sample.input),
    format: parsed.format,
    recognised: parsed.format !== undefined,
    expectedItems: sample.expected.length,
    records: works.length,
    lost: [],
    merged: [],
    compared: 0,
    agreed: 0,
    differences: [],
  };
  const used = new Map<Work, string>();
  sample.expected.forEach((item, i) => {
    const label = `${report.input}#${i + 1} ${item.title?.slice(0, 40) ?? ''}`;
    const t = expectedValue(item, 'title');
    const doi = expectedValue(item, 'DOI');
    let w = works.find((x) => !used.has(x) && doi !== undefined && ourValue(x, 'DOI') === doi);
    w ??= works.find((x) => !used.has(x) && t !== undefined && ourValue(x, 'title') === t);
    w ??= sample.expected.length === works.length ? works[i] : undefined;
    if (!w) {
      const again = works.find((x) => t !== undefined && ourValue(x, 'title') === t);
      if (again) report.merged.push(`${label} (into ${used.get(again)})`);
      else report.lost.push(label);
      return;
    }
    used.set(w, label);
    for (const f of FIELDS) {
      const e = expectedValue(item, f);
      if (e === undefined || e === '') continue;
      report.compared++;
      const o = ourValue(w, f);
      if (o === e) report.agreed++;
      else report.differences.push({ item: label, field: f, expected: e, ours: o });
    }
  });
  return { ...report, parsed, works };
}

/** All samples of a format, summed: the figures the format's test asserts and prints. */
export function compareFormat(format: string): { samples: number; reports: SampleReport[]; compared: number; agreed: number; lost: string[]; merged: string[]; unrecognised: string[] } {
  const reports = listSamples(format).map((s) => {
    const { parsed: _p, works: _w, ...r } = compareSample(s);
    return r;
  });
  return {
    samples: reports.length,
    reports,
    compared: reports.reduce((n, r) => n + r.compared, 0),
    agreed: reports.reduce((n, r) => n + r.agreed, 0),
    lost: reports.flatMap((r) => r.lost),
    merged: reports.flatMap((r) => r.merged),
    unrecognised: reports.filter((r) => !r.recognised).map((r) => r.input),
  };
}

/** One line per format for the test output, and the differences for a closing note. */
export function formatReport(format: string, r: ReturnType<typeof compareFormat>): string {
  const pct = r.compared ? ((100 * r.agreed) / r.compared).toFixed(1) : '—';
  const diffs = r.reports.flatMap((x) => x.differences).map((d) => `    ${d.item} ${d.field}: expected ${JSON.stringify(d.expected)} got ${JSON.stringify(d.ours)}`);
  return [`${format}: ${r.samples} files, ${r.agreed}/${r.compared} fields agree (${pct} %), lost ${r.lost.length}, merged ${r.merged.length}, unrecognised ${r.unrecognised.length}`, ...diffs].join('\n');
}
