/**
 * Pandoc as the judge of our BibTeX reading: `pandoc -f bibtex|biblatex -t csljson` on a real
 * .bib file, compared entry by entry (by key) with our parse of the same file.
 *
 * Pandoc 2.x rejects a whole file for one entry it cannot parse (an unbalanced brace, a `%` in a
 * value, which it takes for a comment). Then the entry at the error's line is blanked out (lines
 * kept, so every other line number stays) and Pandoc runs again; the blanked entries are listed
 * and not compared.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CslFields, Name, ParsedRecord } from '../../../src/core/model/model';

export type Variant = 'bibtex' | 'biblatex';

export interface PandocItem extends CslFields {
  id: string;
}

export function pandocVersion(): string | undefined {
  const r = spawnSync('pandoc', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('pandoc', args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => resolve({ status: -1, stdout: '', stderr: String(e) }));
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

export interface PandocReading {
  items: PandocItem[];
  /** Entries blanked out because Pandoc rejected the file there: their first line and the error. */
  blanked: { line: number; key: string; error: string }[];
  /** Set when Pandoc still failed after the repairs. */
  failure?: string;
}

const ENTRY_START = /^\s*@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]*)/;

/**
 * Pandoc's reading of `file`, blanking out the entries it rejects (at most `maxRepairs`). The
 * entries starting at `preBlank` lines are blanked first, but only when Pandoc rejects the file
 * as it is (each rejection costs a run of Pandoc over the whole file).
 */
export async function pandocRead(file: string, variant: Variant, maxRepairs = 40, preBlank: readonly number[] = []): Promise<PandocReading> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blanked: PandocReading['blanked'] = [];
  const tmp = path.join(os.tmpdir(), `pandoc-judge-${process.pid}-${variant}-${path.basename(file)}`);
  let input = file;
  const blank = (at: number, error: string) => {
    let start = at;
    while (start > 0 && !ENTRY_START.test(lines[start])) start--;
    let end = at + 1;
    while (end < lines.length && !ENTRY_START.test(lines[end])) end++;
    const key = ENTRY_START.exec(lines[start])?.[2] ?? '';
    blanked.push({ line: start + 1, key, error });
    for (let i = start; i < end; i++) lines[i] = '';
  };
  try {
    if (preBlank.length) {
      const r = await run(['-f', variant, '-t', 'csljson', input]);
      if (r.status === 0) return { items: JSON.parse(r.stdout) as PandocItem[], blanked };
      for (const line of preBlank) if (ENTRY_START.test(lines[line - 1] ?? '')) blank(line - 1, 'we reject this entry too');
      fs.writeFileSync(tmp, lines.join('\n'));
      input = tmp;
    }
    for (let attempt = 0; ; attempt++) {
      const r = await run(['-f', variant, '-t', 'csljson', input]);
      if (r.status === 0) return { items: JSON.parse(r.stdout) as PandocItem[], blanked };
      const m = /\(line (\d+), column (\d+)\)/.exec(r.stderr);
      if (!m || attempt >= maxRepairs) return { items: [], blanked, failure: r.stderr.trim().split('\n')[0] };
      let at = Number(m[1]) - 1;
      // "unexpected '@'" at the start of an entry: the entry before it ran into it.
      if (Number(m[2]) === 1 && /^\s*@/.test(lines[at] ?? '')) at--;
      blank(at, r.stderr.trim().split('\n')[1] ?? r.stderr.trim());
      fs.writeFileSync(tmp, lines.join('\n'));
      input = tmp;
    }
  } finally {
    if (fs.existsSync(tmp)) fs.unlinkSync(tmp);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

export type Field = 'title' | 'author' | 'year' | 'container' | 'volume' | 'page' | 'DOI';
export const FIELDS: readonly Field[] = ['title', 'author', 'year', 'container', 'volume', 'page', 'DOI'];

/** Case, accents, punctuation, white space and rich-text tags do not count. */
export function fold(s: string): string {
  return s
    .replace(/<\/?(?:i|b|sup|sub|span)(?:\s[^>]*)?>/g, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const nameOf = (n: Name) => fold(n.family ?? n.literal ?? '');

export function fieldValue(c: CslFields, f: Field): string | undefined {
  switch (f) {
    case 'title':
      return c.title ? fold(c.title) : undefined;
    case 'author':
      return c.author?.length ? c.author.map(nameOf).join('|') : undefined;
    case 'year': {
      const y = c.issued?.['date-parts']?.[0]?.[0];
      if (y !== undefined) return String(y);
      const m = /\b(\d{4})\b/.exec(c.issued?.literal ?? '');
      return m ? m[1] : undefined;
    }
    case 'container':
      return c['container-title'] ? fold(c['container-title']) : undefined;
    case 'volume':
      return c.volume ? fold(String(c.volume)) : undefined;
    case 'page':
      return c.page ? String(c.page).replace(/[\u2010-\u2015-]+/g, '-').replace(/\s+/g, '') : undefined;
    case 'DOI':
      return c.DOI ? c.DOI.toLowerCase().replace(/^https?:\/\/(?:dx\.)?doi\.org\//, '') : undefined;
  }
}

export interface Difference {
  key: string;
  line: number;
  field: Field;
  pandoc?: string;
  ours?: string;
  /** The known class it falls in, or undefined. */
  cls?: string;
}

export interface Comparison {
  /** Entries compared (in both readings). */
  entries: number;
  compared: Record<Field, number>;
  agreed: Record<Field, number>;
  differences: Difference[];
}

/** One known class of disagreement: which side is right and how to recognise it. */
export interface DisagreementClass {
  name: string;
  /** Which side is right, and why. */
  reason: string;
  test: (d: { field: Field; pandoc?: string; ours?: string; rawPandoc: CslFields; rawOurs: CslFields; entry: string }) => boolean;
}

/** The entry's source text, from its line to the next record's line. */
export function entryTexts(text: string, records: ParsedRecord[]): Map<ParsedRecord, string> {
  const lines = text.split('\n');
  const starts = records.map((r) => r.line).sort((a, b) => a - b);
  const out = new Map<ParsedRecord, string>();
  for (const r of records) {
    const i = starts.indexOf(r.line);
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : lines.length;
    out.set(r, lines.slice(r.line - 1, Math.min(end, r.line - 1 + 400)).join('\n'));
  }
  return out;
}

export function compare(items: PandocItem[], records: ParsedRecord[], text: string, classes: readonly DisagreementClass[], skip: ReadonlySet<string>): Comparison {
  const ours = new Map<string, ParsedRecord>();
  for (const r of records) if (r.sourceKey !== undefined && !ours.has(r.sourceKey)) ours.set(r.sourceKey, r);
  const texts = entryTexts(text, records);
  const zero = () => Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>;
  const cmp: Comparison = { entries: 0, compared: zero(), agreed: zero(), differences: [] };
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id) || skip.has(item.id)) continue;
    seen.add(item.id);
    const rec = ours.get(item.id);
    if (!rec) continue;
    cmp.entries++;
    for (const f of FIELDS) {
      const p = fieldValue(item, f);
      const o = fieldValue(rec.csl, f);
      if (p === undefined && o === undefined) continue;
      cmp.compared[f]++;
      if (p === o) {
        cmp.agreed[f]++;
        continue;
      }
      const entry = texts.get(rec) ?? '';
      const cls = classes.find((c) => c.test({ field: f, pandoc: p, ours: o, rawPandoc: item, rawOurs: rec.csl, entry }));
      cmp.differences.push({ key: item.id, line: rec.line, field: f, pandoc: p, ours: o, cls: cls?.name });
    }
  }
  return cmp;
}
