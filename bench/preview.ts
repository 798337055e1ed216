/**
 * `npm run bench:preview`: the Markdown preview's cost on a 10,000-word manuscript with 300
 * citations (every Pandoc form, some author–date text) over a 1,000-work corpus, in APA and
 * Vancouver. Prints a markdown table (with the load average); not a test, nothing gates on it.
 *
 *   node --import tsx bench/preview.ts [--runs 15] [--cold-runs 5]
 *
 * What the extension does on a refresh: markdown-it parses the document and our core rule
 * (markdownItCitations) scans it, builds the clusters and the request key, takes the formatted
 * citations from its cache (they depend only on what is cited, how, the style and the corpus)
 * and splices them into the tokens. citeproc runs in the index worker only when the key changes
 * (a citation was edited), and once per style to build its engine (the first render).
 *
 *   - baseline: markdown-it alone on the same text (what VS Code's preview costs without us);
 *   - refresh, prose edited: plugin on, formatted citations cached → "added to a refresh";
 *   - citation edited: the worker's renderCitations with the style's engine already built;
 *   - first render: a fresh process, citation-js loaded, the engine built, all 300 formatted.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import { performance } from 'perf_hooks';
import MarkdownIt from 'markdown-it';
import { citationJs } from '../src/core/format/bibliography';
import type { RenderRequest, RenderResult } from '../src/core/format/citationJsImpl';
import { buildCorpus } from '../src/core/build/corpus';
import { WorkLookup } from '../src/core/search/lookup';
import { type PreviewCorpus, citationsPlugin } from '../src/core/preview/markdownItCitations';
import { parseText } from '../src/core/parsers/index';
import { citationClusters } from '../src/core/preview/previewCitations';
import { resolveStyle } from '../src/core/format/styles';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i !== -1 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 15);
const COLD_RUNS = arg('--cold-runs', 5);
const WORKS = 1000;
const WORDS = 10_000;
const CITATIONS = 300;
const STYLES = ['apa', 'vancouver'];

/** A seeded PRNG (mulberry32): the same manuscript and corpus every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILIES = ['Smith', 'Jones', 'Garcia', 'Chen', 'Müller', 'Okafor', 'Nakamura', 'Rossi', 'Dubois', 'Kowalski', 'Silva', 'Haddad', 'Ivanova', 'Lindqvist', 'Mensah', 'Park'];
const GIVEN = ['Ann', 'Ben', 'Chao', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ines', 'Jun'];
const WORDS_POOL = 'peer support mental health services recovery workers lived experience evaluation community values outcomes qualitative study staff training policy practice mutuality professional role authenticity research participants findings review evidence'.split(' ');

function corpusBib(r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < WORKS; i++) {
    const n = 1 + Math.floor(r() * 4);
    const authors = Array.from({ length: n }, () => `${pick(FAMILIES)}, ${pick(GIVEN)}`).join(' and ');
    const title = Array.from({ length: 6 + Math.floor(r() * 8) }, () => pick(WORDS_POOL)).join(' ');
    const year = 1990 + Math.floor(r() * 34);
    const type = r() < 0.8 ? 'article' : 'book';
    const venue = type === 'article' ? `journal = {Journal of ${pick(WORDS_POOL)} ${pick(WORDS_POOL)}}, volume = {${1 + Math.floor(r() * 40)}}, number = {${1 + Math.floor(r() * 6)}}, pages = {${10 + i}--${20 + i}}, doi = {10.1234/bench.${i}}` : `publisher = {${pick(FAMILIES)} Press}, address = {London}`;
    out.push(`@${type}{w${i}, author = {${authors}}, title = {${title[0].toUpperCase()}${title.slice(1)}}, year = {${year}}, ${venue}}`);
  }
  return out.join('\n');
}

/** ~10,000 words in paragraphs of ~120 under headings, with 300 citations of every form. */
function manuscript(r: () => number, authorDate: string[]): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const key = () => `w${Math.floor(r() * 400)}`; // 400 of the works cited, some many times
  const forms: (() => string)[] = [
    () => `[@${key()}]`,
    () => `[@${key()}]`,
    () => `[@${key()}; @${key()}, p. ${1 + Math.floor(r() * 300)}]`,
    () => `[see @${key()}, chap. ${1 + Math.floor(r() * 12)}]`,
    () => `[-@${key()}]`,
    () => `@${key()}`,
    () => `@${key()} [p. ${1 + Math.floor(r() * 99)}]`,
    () => pick(authorDate),
  ];
  const slots = new Set<number>();
  while (slots.size < CITATIONS) slots.add(Math.floor(r() * WORDS));
  const paras: string[] = ['---', 'title: A benchmark review', 'reference-section-title: References', '---', ''];
  let words: string[] = [];
  for (let w = 0; w < WORDS; w++) {
    words.push(pick(WORDS_POOL));
    if (slots.has(w)) words.push(pick(forms)());
    if (words.length >= 120 && r() < 0.2) {
      if (r() < 0.15) paras.push(`## ${pick(WORDS_POOL)} and ${pick(WORDS_POOL)}`, '');
      paras.push(`${words.join(' ')}.`, '');
      words = [];
    }
  }
  paras.push(`${words.join(' ')}.`, '');
  return paras.join('\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function setup() {
  const r = rng(20261203);
  const corpus = buildCorpus([parseText(corpusBib(r), 'bench-preview.bib')]);
  const lookup = new WorkLookup(corpus.works);
  const authorDate = corpus.works.slice(0, 40).map((w) => {
    const a = w.author ?? [];
    const y = w.issued?.['date-parts']?.[0]?.[0];
    return a.length === 1 ? `(${a[0].family}, ${y})` : a.length === 2 ? `(${a[0].family} & ${a[1].family}, ${y})` : `(${a[0].family} et al., ${y})`;
  });
  const text = manuscript(r, authorDate);
  return { corpus, lookup, text };
}

/** The extension's arrangement: results cached by request key; a miss is formatted (here in this thread, timed apart). */
function previewCorpus(env: ReturnType<typeof setup>, styleName: string, onMiss: (ms: number) => void): PreviewCorpus {
  const style = resolveStyle(styleName)!;
  const cache = new Map<string, RenderResult>();
  return {
    work: (k) => env.lookup.id(k),
    authorDate: (c) => (c.authors?.length ? env.lookup.authorYear(c.authors[0], c.year, c.yearSuffix) : []),
    records: () => env.corpus.works,
    version: () => 1,
    style: () => ({ style }),
    render: (req: RenderRequest, key: string) => {
      const hit = cache.get(key);
      if (hit) return hit;
      const t0 = performance.now();
      const out = citationJs().renderCitations(req);
      onMiss(performance.now() - t0);
      cache.set(key, out);
      return out;
    },
  };
}

function cold(styleName: string): void {
  const env = setup();
  let engineMs = 0;
  const md = new MarkdownIt({ html: true });
  const pc = previewCorpus(env, styleName, (ms) => (engineMs = ms));
  citationsPlugin(md, () => pc);
  const t0 = performance.now();
  citationJs(); // citation-js and citeproc loaded (the worker does this once, at its first format)
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const html = md.render(env.text, {});
  const totalMs = performance.now() - t1;
  process.stdout.write(`RESULT ${JSON.stringify({ loadMs, engineMs, totalMs, formatted: (html.match(/<span class="citation[ "]/g) ?? []).length })}\n`);
}

function main(): void {
  const load0 = os.loadavg();
  const env = setup();
  const kinds = new Map<string, number>();
  for (const c of citationClusters(env.text)) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  const words = env.text.replace(/^---[\s\S]*?---/, '').split(/\s+/).filter((w) => /\p{L}/u.test(w) && !w.includes('@')).length;
  const rows: string[] = [];
  let clusters = 0;
  for (const styleName of STYLES) {
    // First render, each in a fresh process: load citation-js, build the engine, format everything.
    const colds: { loadMs: number; engineMs: number; totalMs: number; formatted: number }[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--cold', styleName], { encoding: 'utf8' });
      const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`cold run failed: ${r.stderr}`);
      colds.push(JSON.parse(line.slice(7)) as (typeof colds)[number]);
    }
    clusters = colds[0].formatted;

    const misses: number[] = [];
    const md = new MarkdownIt({ html: true });
    const pc = previewCorpus(env, styleName, (ms) => misses.push(ms));
    citationsPlugin(md, () => pc);
    const plain = new MarkdownIt({ html: true });
    md.render(env.text, {}); // the engine built, the document's citations formatted once
    misses.length = 0;
    const base: number[] = [];
    const withPlugin: number[] = [];
    // What VS Code's Markdown language server has the editor do on edits: a parse, no render.
    const parseBase: number[] = [];
    const parseWith: number[] = [];
    const time = (into: number[], fn: () => unknown) => {
      const t = performance.now();
      fn();
      into.push(performance.now() - t);
    };
    for (let i = 0; i < RUNS; i++) {
      // A keystroke in the prose: the text changes, no citation does.
      const edited = env.text.replace('peer', `peer${'x'.repeat(i + 1)}`);
      time(base, () => plain.render(edited, {}));
      time(withPlugin, () => md.render(edited, {}));
      time(parseBase, () => plain.parse(edited, {}));
      time(parseWith, () => md.parse(edited, {}));
    }
    const cachedMisses = misses.length;
    // A citation edited: the key changes and the worker formats the document again (engine built).
    const reformat: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const edited = env.text.replace(/\[@w\d+\]/, `[@w${500 + i}]`);
      const before = misses.length;
      md.render(edited, {});
      if (misses.length > before) reformat.push(misses[misses.length - 1]);
    }
    const b = median(base);
    const p = median(withPlugin);
    rows.push(
      `| ${styleName} | ${fmt(median(colds.map((c) => c.loadMs)))} | ${fmt(median(colds.map((c) => c.engineMs)))} | ${fmt(median(colds.map((c) => c.totalMs)))} | ${fmt(b)} | ${fmt(p)} | **${fmt(p - b)}** | ${fmt(median(reformat))} | ${fmt(median(parseWith) - median(parseBase))} |`,
    );
    if (cachedMisses) rows.push(`| (${styleName}: ${cachedMisses} prose edits re-formatted: the cache key is wrong) | | | | | | | | |`);
  }
  const load1 = os.loadavg();
  const out = [
    `Manuscript: ${words.toLocaleString('en')} words, ${clusters} citations rendered (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}: brackets with locators, prefixes and \`[-@a]\`, narrative \`@a\` and \`@a [p. 4]\`, author–date text) over a ${WORKS.toLocaleString('en')}-work corpus; ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, Node ${process.version}, load average ${load0.map((x) => x.toFixed(1)).join(' ')} → ${load1.map((x) => x.toFixed(1)).join(' ')}. Medians: first render of ${COLD_RUNS} fresh processes, the rest of ${RUNS} renders.`,
    '',
    '| style | load citation-js (ms) | build engine + format all (ms) | first render with plugin (ms) | markdown-it alone (ms) | refresh, prose edited (ms) | **added by the plugin (ms)** | citation edited: re-format in the worker (ms) | a parse alone (the Markdown language server’s, on edits): added by the plugin (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  process.stdout.write(`${out}\n`);
}

if (process.argv.includes('--cold')) cold(process.argv[process.argv.indexOf('--cold') + 1]);
else main();
