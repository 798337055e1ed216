/**
 * Reader throughput: for every folder of ../shared/format-samples, an input of ~10,000 records
 * made by repeating that folder's sample records (titles, DOIs and keys varied per copy so the
 * records stay distinct), timed through parseText (median of a few runs).
 *
 *   node --import tsx bench/readers.ts [--records 10000] [--runs 5] [format ...]
 *
 * Prints a markdown table: MB/s and records/s per format. A format no reader knows yet shows
 * 0 records (it just calls parseText and counts what comes back).
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { parseText } from '../src/core/parsers/index';

const SAMPLES = path.resolve(__dirname, '../../shared/format-samples');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i !== -1 ? Number(process.argv[i + 1]) : dflt;
}
const TARGET = arg('--records', 10_000);
const RUNS = arg('--runs', 5);
const only = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));

interface Input {
  text: string;
  copies: number;
}

/** JSON samples: items collected and repeated inside one array (OpenAlex as a results page). */
function jsonInput(format: string, texts: string[]): Input | undefined {
  const items: unknown[] = [];
  for (const t of texts) {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch {
      return undefined;
    }
    const d = data as Record<string, unknown>;
    if (Array.isArray(data)) items.push(...data);
    else if (d && Array.isArray(d.results)) items.push(...d.results);
    else if (d && Array.isArray(d.data)) items.push(...d.data);
    else if (d && Array.isArray(d.items)) items.push(...d.items);
    else items.push(data);
  }
  if (!items.length) return undefined;
  const copies = Math.ceil(TARGET / items.length);
  const out: string[] = [];
  for (let c = 0; c < copies; c++) {
    for (const item of items) {
      // Vary every title and DOI-like string of the copy; ids too.
      const s = JSON.stringify(item)
        .replace(/("(?:title|display_name)"\s*:\s*")/g, `$1Copy ${c} `)
        .replace(/(10\.\d{4,9}\/[^"\s\\]+)/g, `$1.c${c}`)
        .replace(/("id"\s*:\s*")([^"]*)"/g, `$1$2-c${c}"`);
      out.push(s);
    }
  }
  const body = out.join(',\n');
  return { text: format === 'openalex-json' ? `{"meta": {"count": ${out.length}}, "results": [\n${body}\n]}` : `[\n${body}\n]`, copies };
}

/** XML samples: the content of the root element repeated inside one root. */
function xmlInput(text: string, copies: number): string {
  const body = text.replace(/^\uFEFF/, '');
  const decl = /^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?/.exec(body)?.[0] ?? '';
  const rest = body.slice(decl.length);
  const open = /^\s*<([\w:.-]+)[^>]*>/.exec(rest);
  if (!open) return body.repeat(copies);
  const close = rest.lastIndexOf(`</${open[1]}>`);
  if (close === -1) return body.repeat(copies);
  const inner = rest.slice(open[0].length, close);
  const parts: string[] = [];
  for (let c = 0; c < copies; c++) parts.push(vary(inner, c));
  return `${decl}${open[0]}${parts.join('\n')}</${open[1]}>\n`;
}

/** Titles, DOIs and keys of one copy of a text sample made distinct. */
function vary(text: string, c: number): string {
  return text
    .replace(/^(TI {2}- |T1 {2}- |TI |%T |T1 |TI- )(.*)$/gm, `$1Copy ${c} $2`)
    .replace(/(\btitle\s*=\s*[{"])/gi, `$1Copy ${c} `)
    .replace(/(<(?:ArticleTitle|BookTitle|title|dc:title|full_title)(?:\s[^>]*)?>)/g, `$1Copy ${c} `)
    .replace(/(10\.\d{4,9}\/[^\s"<>{}]+)/g, `$1.c${c}`)
    .replace(/^(@\w+\s*\{\s*)([^,\s]+),/gm, `$1$2c${c},`)
    .replace(/^(PMID- |ID {2}- |UT )(\S+)/gm, `$1$2${c}`);
}

function buildInput(format: string, files: string[]): Input | undefined {
  const raw = files.map((f) => fs.readFileSync(f));
  const texts = raw.map((b) => b.toString('utf8'));
  if (format.endsWith('json')) return jsonInput(format, texts);
  // Records in one copy of all samples: what we read, else what Zotero reads.
  let perCopy = 0;
  for (let i = 0; i < files.length; i++) perCopy += parseText(texts[i], files[i]).records.length;
  if (!perCopy) {
    for (const f of files) {
      try {
        perCopy += (JSON.parse(fs.readFileSync(f.replace(/\.[^.]+$/, '.expected.json'), 'utf8')) as unknown[]).length;
      } catch {
        perCopy++;
      }
    }
  }
  const copies = Math.max(1, Math.ceil(TARGET / Math.max(1, perCopy)));
  const isXml = texts.every((t) => /^\s*(?:\uFEFF)?</.test(t));
  if (format === 'marc') return { text: texts.join('').repeat(copies), copies }; // binary lengths must stay right
  if (isXml) {
    // One XML document per format: the first sample's root, with every sample's records in it.
    const first = texts[0];
    const inner = texts.map((t) => xmlInput(t, 1)).map((t) => {
      const open = /<([\w:.-]+)[^>]*>/.exec(t.replace(/^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?/, ''));
      if (!open) return t;
      const start = t.indexOf(open[0]) + open[0].length;
      const end = t.lastIndexOf(`</${open[1]}>`);
      return end > start ? t.slice(start, end) : t;
    });
    const wrapper = xmlInput(first, 1);
    const open = /<([\w:.-]+)[^>]*>/.exec(wrapper.replace(/^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?/, ''));
    if (!open) return { text: first.repeat(copies), copies };
    const head = wrapper.slice(0, wrapper.indexOf(open[0]) + open[0].length);
    const parts: string[] = [];
    for (let c = 0; c < copies; c++) for (const x of inner) parts.push(vary(x, c));
    return { text: `${head}${parts.join('\n')}</${open[1]}>\n`, copies };
  }
  const parts: string[] = [];
  for (let c = 0; c < copies; c++) for (const t of texts) parts.push(vary(t.replace(/^\uFEFF/, ''), c));
  return { text: parts.join('\n\n'), copies };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const DEBUG = process.env.BENCH_DEBUG === "1";
const rows: string[] = [];
rows.push('| format | MB | records | median ms | MB/s | records/s |');
rows.push('|---|---:|---:|---:|---:|---:|');
for (const format of fs.readdirSync(SAMPLES).sort()) {
  const dir = path.join(SAMPLES, format);
  if (!fs.statSync(dir).isDirectory() || (only.length && !only.includes(format))) continue;
  const files = fs.readdirSync(dir).filter((f) => !f.endsWith('.expected.json') && !f.startsWith('.') && !/\.md$/i.test(f)).sort().map((f) => path.join(dir, f));
  if (!files.length) continue;
  const input = buildInput(format, files);
  if (!input) {
    rows.push(`| ${format} | — | — | — | — | — |`);
    continue;
  }
  const bytes = Buffer.byteLength(input.text, 'utf8');
  const name = `bench-${format}`;
  let records = 0;
  const times: number[] = [];
  const warm = parseText(input.text, name); // warm-up
  if (DEBUG) console.error(format, warm.format, warm.problems.slice(0, 3));
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const out = parseText(input.text, name);
    times.push(performance.now() - t0);
    records = out.records.length;
  }
  const ms = median(times);
  const mb = bytes / 1048576;
  rows.push(`| ${format} | ${mb.toFixed(1)} | ${records} | ${ms.toFixed(0)} | ${records ? (mb / (ms / 1000)).toFixed(1) : '—'} | ${records ? Math.round(records / (ms / 1000)).toLocaleString('en-US') : '—'} |`);
}
console.log(`Readers over ~${TARGET.toLocaleString('en-US')} records built from ../shared/format-samples (median of ${RUNS} runs, node ${process.version})\n`);
console.log(rows.join('\n'));
