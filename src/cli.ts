/**
 * corpus-cite: the corpus core from a terminal.
 *
 *   corpus-cite index [--json] PATH...
 *   corpus-cite export --format csl-json|bibtex|ris [--out FILE] PATH...
 *   corpus-cite bib --style apa|vancouver|harvard1 [--format text|html|markdown] PATH...
 *   corpus-cite check [--json] MANUSCRIPT.md --corpus PATH...
 */
import * as fs from 'fs';
import { BIB_STYLES, type BibStyle, exportBibtex, exportCslJson, exportRis, formatBibliography } from './core/bibliography';
import { indexPaths } from './core/loadFiles';
import { WorkLookup } from './core/lookup';
import { checkManuscript } from './core/manuscript';
import type { Problem, Work } from './core/model';
import { writeFileAtomic } from './core/atomicWrite';

const USAGE = `Usage:
  corpus-cite index [--json] PATH...
  corpus-cite export --format csl-json|bibtex|ris [--out FILE] PATH...
  corpus-cite bib --style apa|vancouver|harvard1 [--format text|html|markdown] PATH...
  corpus-cite check [--json] MANUSCRIPT.md --corpus PATH...
PATH is a corpus file or a folder (searched recursively).
check --json prints {"citations": [...], "unknown": [...], "uncited": [ids]}; a citation is
{kind, key, text, line, start, end (0-based), works: [ids]} plus bracketed/meta/nocite/... for Pandoc keys.`;

class UsageError extends Error {}

interface Args {
  command: string;
  flags: Map<string, string | true>;
  positional: string[];
}

const VALUE_FLAGS = new Set(['--format', '--style', '--corpus', '--out', '--max-file-mb']);
const BOOL_FLAGS = new Set(['--json', '--with-corpus', '--quiet', '--help']);

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') throw new UsageError('');
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const corpus: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined];
      if (VALUE_FLAGS.has(name)) {
        const v = inline ?? rest[++i];
        if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value.`);
        if (name === '--corpus') {
          corpus.push(v);
          // `--corpus a b c`: following non-flag arguments are corpus paths too.
          while (rest[i + 1] !== undefined && !rest[i + 1].startsWith('--')) corpus.push(rest[++i]);
        } else flags.set(name, v);
      } else if (BOOL_FLAGS.has(name)) flags.set(name, true);
      else throw new UsageError(`Unknown option ${name}.`);
    } else positional.push(a);
  }
  if (corpus.length) flags.set('--corpus', corpus.join('\u0000'));
  return { command, flags, positional };
}

function progress(msg: string, quiet: boolean): void {
  if (!quiet) process.stderr.write(msg + '\n');
}

function load(paths: string[], args: Args) {
  if (!paths.length) throw new UsageError('Give at least one corpus file or folder.');
  const quiet = args.flags.has('--quiet');
  const t0 = Date.now();
  const mb = args.flags.get('--max-file-mb');
  const maxFileBytes = typeof mb === 'string' ? Number(mb) * 1048576 : undefined;
  if (maxFileBytes !== undefined && !(maxFileBytes > 0)) throw new UsageError('--max-file-mb needs a positive number.');
  const corpus = indexPaths(paths, { maxFileBytes });
  if (corpus.missing.length) throw new UsageError(`No such file or folder: ${corpus.missing.join(', ')}`);
  progress(`Indexed ${corpus.works.length} works from ${paths.join(', ')} in ${Date.now() - t0} ms (${corpus.problems.length} problems).`, quiet);
  return corpus;
}

function problemLine(p: Problem): string {
  return `${p.file}:${p.line}: ${p.severity}: ${p.message}`;
}

function table(works: readonly Work[]): string {
  const rows = works.map((w) => {
    const src = w['x-corpus'].sources[0];
    const title = (w.title ?? '').replace(/\s+/g, ' ');
    return [w['citation-label'], w['x-corpus'].kind, title.length > 60 ? title.slice(0, 59) + '…' : title, src ? `${src.file.split(/[\\/]/).pop()}:${src.line}` : ''];
  });
  const head = ['LABEL', 'KIND', 'TITLE', 'SOURCE'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => [...r[i]].length))));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i] - [...c].length)))).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}

function write(text: string, args: Args): void {
  const out = args.flags.get('--out');
  if (typeof out === 'string') writeFileAtomic(out, text);
  else process.stdout.write(text);
}

function run(argv: string[]): number {
  const args = parseArgs(argv);
  if (args.flags.has('--help')) throw new UsageError('');
  switch (args.command) {
    case 'index': {
      const c = load(args.positional, args);
      if (args.flags.has('--json')) process.stdout.write(JSON.stringify({ works: c.works, problems: c.problems }, null, 2) + '\n');
      else {
        process.stdout.write(table(c.works));
        for (const p of c.problems) process.stderr.write(problemLine(p) + '\n');
      }
      return 0;
    }
    case 'export': {
      const format = args.flags.get('--format') ?? 'csl-json';
      if (format !== 'csl-json' && format !== 'bibtex' && format !== 'ris') throw new UsageError(`--format must be csl-json, bibtex or ris, not "${String(format)}".`);
      const c = load(args.positional, args);
      for (const p of c.problems) if (p.severity === 'error') process.stderr.write(problemLine(p) + '\n');
      write(format === 'csl-json' ? exportCslJson(c.works, args.flags.has('--with-corpus')) : format === 'bibtex' ? exportBibtex(c.works) : exportRis(c.works), args);
      return 0;
    }
    case 'bib': {
      const style = (args.flags.get('--style') ?? 'apa') as string;
      if (!BIB_STYLES.includes(style as BibStyle)) throw new UsageError(`--style must be one of ${BIB_STYLES.join(', ')}, not "${style}".`);
      const format = (args.flags.get('--format') ?? 'text') as string;
      if (!['text', 'html', 'markdown'].includes(format)) throw new UsageError(`--format must be text, html or markdown, not "${format}".`);
      const c = load(args.positional, args);
      write(formatBibliography(c.works, style as BibStyle, format as 'text' | 'html' | 'markdown'), args);
      return 0;
    }
    case 'check': {
      const [manuscript] = args.positional;
      if (!manuscript || args.positional.length > 1) throw new UsageError('check takes one manuscript: corpus-cite check MANUSCRIPT.md --corpus PATH...');
      const corpusArg = args.flags.get('--corpus');
      if (typeof corpusArg !== 'string') throw new UsageError('check needs --corpus PATH...');
      let text: string;
      try {
        text = fs.readFileSync(manuscript, 'utf8');
      } catch (e) {
        throw new UsageError(`Cannot read ${manuscript} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
      const c = load(corpusArg.split('\u0000'), args);
      const report = checkManuscript(text, new WorkLookup(c.works));
      if (args.flags.has('--json')) {
        process.stdout.write(JSON.stringify({ citations: report.citations, unknown: report.unknown, uncited: report.uncited.map((w) => w.id) }, null, 2) + '\n');
      } else {
        for (const u of report.unknown) process.stdout.write(`${manuscript}:${u.line + 1}:${u.start + 1}: unknown citation ${u.text}\n`);
        for (const w of report.uncited) process.stdout.write(`never cited: ${w['citation-label']} (@${w.id}) ${w.title ?? ''}\n`);
        process.stdout.write(`${report.citations.length} citations, ${report.unknown.length} unknown, ${report.uncited.length} corpus records never cited.\n`);
      }
      return report.unknown.length ? 1 : 0;
    }
    default:
      throw new UsageError(`Unknown command "${args.command}".`);
  }
}

function main(): void {
  try {
    process.exitCode = run(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(e.message ? `corpus-cite: ${e.message}\n${USAGE}\n` : `${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`corpus-cite: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

main();
