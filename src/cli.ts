/**
 * corpus-cite: the corpus core from a terminal.
 *
 *   corpus-cite index [--json] PATH...
 *   corpus-cite export --format csl-json|bibtex|ris [--out FILE] PATH...
 *   corpus-cite bib --style NAME|FILE.csl [--format text|html|markdown] PATH...
 *   corpus-cite check [--json] MANUSCRIPT.md --corpus PATH...
 */
import * as fs from 'fs';
import * as path from 'path';
import { WriteRefused, withSignalCleanup, writeFileAtomicSync } from './core/io/atomic';
import { BIB_STYLES, type BibStyle, exportBibtex, exportCslJson, exportRis, formatBibliography } from './core/format/bibliography';
import { decodeBytes, normaliseNewlines } from './core/io/decode';
import { citekeyText } from './core/model/keys';
import { bundleTranslate, localeFromEnv } from './core/format/l10nBundle';
import { resolveStyle } from './core/format/styles';
import { expandPaths } from './core/build/loadFiles';
import { indexPathsPooled } from './core/build/parallelParse';
import { WorkLookup } from './core/search/lookup';
import { checkManuscript } from './core/manuscript/manuscript';
import type { Problem, Work } from './core/model/model';
import { problemMessage } from './core/model/problemText';

/** Human output in the user's language (LANG / LC_ALL / LC_MESSAGES / LANGUAGE), from the extension's l10n bundle. */
const t = bundleTranslate(path.join(__dirname, '..', 'l10n'), localeFromEnv());

/** The usage text: the command lines as they are typed, the sentences in the user's language. */
const USAGE = [
  t('Usage:'),
  '  corpus-cite index [--json] PATH...',
  '  corpus-cite export --format csl-json|bibtex|ris [--out FILE] PATH...',
  '  corpus-cite bib --style NAME|FILE.csl [--format text|html|markdown] PATH...',
  '  corpus-cite check [--json] MANUSCRIPT.md --corpus PATH...',
  t('PATH is a corpus file or a folder (searched recursively).'),
  t('check --json prints {0}; a citation is\n{1} plus bracketed/meta/nocite/... for Pandoc keys.', '{"citations": [...], "unknown": [...], "uncited": [ids]}', '{kind, key, text, line, start, end (0-based), works: [ids]}'),
].join('\n');

/** Severity words of a problem line (`file:line: error: message`, as compilers print them). */
const SEVERITY_WORD: Record<Problem['severity'], string> = { error: t('error'), warning: t('warning'), info: t('info') };

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
        if (v === undefined || v.startsWith('--')) throw new UsageError(t('{0} needs a value.', name));
        if (name === '--corpus') {
          corpus.push(v);
          // `--corpus a b c`: following non-flag arguments are corpus paths too.
          while (rest[i + 1] !== undefined && !rest[i + 1].startsWith('--')) corpus.push(rest[++i]);
        } else flags.set(name, v);
      } else if (BOOL_FLAGS.has(name)) flags.set(name, true);
      else throw new UsageError(t('Unknown option {0}.', name));
    } else positional.push(a);
  }
  if (corpus.length) flags.set('--corpus', corpus.join('\u0000'));
  return { command, flags, positional };
}

/**
 * Text from the corpus or a manuscript shown on a terminal: control characters (C0 but tab and
 * line feed, DEL, C1) and bidirectional overrides are written as visible escapes (`\x1b`,
 * `\u202e`), so a file cannot move the cursor, recolour or rewrite the terminal.
 */
export function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** JSON for stdout: as JSON.stringify, with C1 controls and bidirectional overrides escaped too (still valid JSON). */
function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function progress(msg: string, quiet: boolean): void {
  if (!quiet) process.stderr.write(terminalSafe(msg) + '\n');
}

function load(paths: string[], args: Args) {
  if (!paths.length) throw new UsageError(t('Give at least one corpus file or folder.'));
  const quiet = args.flags.has('--quiet');
  const t0 = Date.now();
  const mb = args.flags.get('--max-file-mb');
  const maxFileBytes = typeof mb === 'string' ? Number(mb) * 1048576 : undefined;
  if (maxFileBytes !== undefined && !(maxFileBytes > 0)) throw new UsageError(t('--max-file-mb needs a positive number.'));
  const corpus = indexPathsPooled(paths, { maxFileBytes });
  if (corpus.missing.length) throw new UsageError(t('No such file or folder: {0}', corpus.missing.join(', ')));
  progress(t('Indexed {0} works from {1} in {2} ms ({3} problems).', corpus.works.length, paths.join(', '), Date.now() - t0, corpus.problems.length), quiet);
  return corpus;
}

function problemLine(p: Problem): string {
  return terminalSafe(`${p.file}:${p.line}: ${SEVERITY_WORD[p.severity]}: ${problemMessage(p, t)}`);
}

/** Terminal columns of a string: East Asian wide characters (CJK, Hangul, full-width forms) take two. */
function columns(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return n;
}

function table(works: readonly Work[]): string {
  const rows = works.map((w) => {
    const src = w['x-corpus'].sources[0];
    const title = (w.title ?? '').replace(/\s+/g, ' ');
    return [w['citation-label'], w['x-corpus'].kind === 'record' ? t('record') : t('cited'), title.length > 60 ? title.slice(0, 59) + '…' : title, src ? `${src.file.split(/[\\/]/).pop()}:${src.line}` : ''];
  });
  const head = [t('LABEL'), t('KIND'), t('TITLE'), t('SOURCE')];
  const widths = head.map((h, i) => Math.min(60, Math.max(columns(h), ...rows.map((r) => columns(r[i])))));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i] - columns(c))))).join('  ');
  return [fmt(head), ...rows.map(fmt)].map(terminalSafe).join('\n') + '\n';
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Refuses an `--out` that is one of the corpus inputs (given by name, found in a given folder, or
 * the same file through a link): the export is derived from the input, and replacing a user's
 * library with it would lose what the export does not carry (`@string`s, comments, file links).
 */
function refuseInputAsOutput(out: string, inputs: readonly string[]): void {
  const real = realOrSelf(out);
  const files = expandPaths(inputs).files;
  if (inputs.some((p) => realOrSelf(p) === real) || files.some((f) => realOrSelf(f) === real)) {
    throw new UsageError(t('--out {0} is one of the corpus files being read; corpus-cite never replaces its input. Choose another file.', out));
  }
}

function write(text: string, args: Args, inputs: readonly string[]): void {
  const out = args.flags.get('--out');
  if (typeof out !== 'string') {
    process.stdout.write(text);
    return;
  }
  refuseInputAsOutput(out, inputs);
  withSignalCleanup(() => writeFileAtomicSync(out, text));
}

function run(argv: string[]): number {
  const args = parseArgs(argv);
  if (args.flags.has('--help')) throw new UsageError('');
  switch (args.command) {
    case 'index': {
      const c = load(args.positional, args);
      if (args.flags.has('--json')) process.stdout.write(terminalSafeJson({ works: c.works, problems: c.problems }) + '\n');
      else {
        process.stdout.write(table(c.works));
        for (const p of c.problems) process.stderr.write(problemLine(p) + '\n');
      }
      return 0;
    }
    case 'export': {
      const format = args.flags.get('--format') ?? 'csl-json';
      if (format !== 'csl-json' && format !== 'bibtex' && format !== 'ris') throw new UsageError(t('--format must be csl-json, bibtex or ris, not "{0}".', String(format)));
      const out = args.flags.get('--out');
      if (typeof out === 'string') refuseInputAsOutput(out, args.positional);
      const c = load(args.positional, args);
      for (const p of c.problems) if (p.severity === 'error') process.stderr.write(problemLine(p) + '\n');
      write(format === 'csl-json' ? exportCslJson(c.works, args.flags.has('--with-corpus')) : format === 'bibtex' ? exportBibtex(c.works) : exportRis(c.works), args, args.positional);
      return 0;
    }
    case 'bib': {
      const style = (args.flags.get('--style') ?? 'apa') as string;
      if (!resolveStyle(style)) throw new UsageError(t('--style must be one of {0}, a style in Zotero\'s styles folder, or a path to a .csl file; not "{1}".', BIB_STYLES.join(', '), style));
      const format = (args.flags.get('--format') ?? 'text') as string;
      if (!['text', 'html', 'markdown'].includes(format)) throw new UsageError(t('--format must be text, html or markdown, not "{0}".', format));
      const out = args.flags.get('--out');
      if (typeof out === 'string') refuseInputAsOutput(out, args.positional);
      const c = load(args.positional, args);
      write(formatBibliography(c.works, style as BibStyle, format as 'text' | 'html' | 'markdown'), args, args.positional);
      return 0;
    }
    case 'check': {
      const [manuscript] = args.positional;
      if (!manuscript || args.positional.length > 1) throw new UsageError(t('check takes one manuscript: corpus-cite check MANUSCRIPT.md --corpus PATH...'));
      const corpusArg = args.flags.get('--corpus');
      if (typeof corpusArg !== 'string') throw new UsageError(t('check needs --corpus PATH...'));
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(manuscript);
      } catch (e) {
        throw new UsageError(t('Cannot read {0} ({1}).', manuscript, (e as NodeJS.ErrnoException).code ?? 'error'));
      }
      const decoded = decodeBytes(bytes);
      if (decoded.binary) throw new UsageError(t('{0} looks like a binary file, not a Markdown manuscript.', manuscript));
      const text = normaliseNewlines(decoded.text);
      const c = load(corpusArg.split('\u0000'), args);
      const report = checkManuscript(text, new WorkLookup(c.works));
      if (args.flags.has('--json')) {
        process.stdout.write(terminalSafeJson({ citations: report.citations, unknown: report.unknown, uncited: report.uncited.map((w) => w.id) }) + '\n');
      } else {
        for (const u of report.unknown) process.stdout.write(terminalSafe(`${manuscript}:${u.line + 1}:${u.start + 1}: ${t('unknown citation {0}', u.text)}`) + '\n');
        for (const w of report.uncited) process.stdout.write(terminalSafe(t('never cited: {0} ({1}) {2}', w['citation-label'], citekeyText(w.id), w.title ?? '')) + '\n');
        process.stdout.write(t('{0} citations, {1} unknown, {2} corpus records never cited.', report.citations.length, report.unknown.length, report.uncited.length) + '\n');
      }
      return report.unknown.length ? 1 : 0;
    }
    default:
      throw new UsageError(t('Unknown command "{0}".', args.command));
  }
}

/** One line for an I/O error a person can act on; undefined for anything else. */
function ioErrorLine(e: unknown, what: string): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return `corpus-cite: ${t('no space left on the device writing {0}; nothing was replaced.', what)}`;
  if (code === 'EDQUOT') return `corpus-cite: ${t('disk quota exceeded writing {0}; nothing was replaced.', what)}`;
  if (code === 'EACCES' || code === 'EPERM') return `corpus-cite: ${t('no permission to write {0}.', what)}`;
  if (code === 'EROFS') return `corpus-cite: ${t('{0} is on a read-only file system.', what)}`;
  if (code === 'EIO') return `corpus-cite: ${t('input/output error writing {0}.', what)}`;
  return undefined;
}

/**
 * Standard output closed early (`corpus-cite index … | head`) ends the process quietly with
 * success; a full device prints one line. Neither prints a stack trace.
 */
function guardStdout(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      const line = ioErrorLine(e, stream === process.stdout ? t('standard output') : t('standard error'));
      try {
        if (stream === process.stdout && line) fs.writeSync(2, line + '\n');
      } catch {
        // standard error is gone too
      }
      process.exit(1);
    });
  }
}

function main(): void {
  guardStdout();
  try {
    process.exitCode = run(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(terminalSafe(e.message ? `corpus-cite: ${e.message}\n${USAGE}` : USAGE) + '\n');
      process.exitCode = 2;
    } else if (e instanceof WriteRefused) {
      process.stderr.write(terminalSafe(`corpus-cite: ${problemMessage(e.text, t)}`) + '\n');
      process.exitCode = 1;
    } else if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') {
      process.exitCode ??= 0;
    } else {
      const out = process.argv.includes('--out') ? String(process.argv[process.argv.indexOf('--out') + 1]) : t('the output');
      process.stderr.write(terminalSafe(ioErrorLine(e, out) ?? `corpus-cite: ${e instanceof Error ? e.message : String(e)}`) + '\n');
      process.exitCode = 1;
    }
  }
}

if (require.main === module) main();
