/**
 * Finding the corpus files of a folder on disk without a child process.
 *
 * `vscode.workspace.findFiles` runs ripgrep: one child process per glob, and on Linux starting
 * one forks the whole extension host (measured in bench/host: 40–130 ms in which the host's
 * thread does nothing else, six times over for the six default globs, at activation and at
 * every full scan). For folders on disk the extension walks them itself instead: asynchronous,
 * a few hundred entries at a time, with the glob semantics of VS Code's settings (`**` any
 * number of folders, `*` and `?` within a name, `{a,b}` alternatives, `[a-z]` classes; paths
 * relative to the folder, `/` as separator). Folders named `node_modules` and `.git` are not
 * entered, as the `findFiles` exclude did not.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Problem } from '../model/model';
import { ioErrorProblem, notRegularProblem, unknownFilesProblem } from './readFile';
import { problemText } from '../model/problemText';

const SPECIAL = /[.+^$()|\\]/;

/** A glob (relative to a folder, `/` separated) as an anchored regular expression. */
export function globToRegExp(glob: string, ignoreCase = false): RegExp {
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  let re = '';
  let depth = 0;
  for (let i = 0; i < g.length; ) {
    const c = g[i];
    if (c === '*') {
      const double = g[i + 1] === '*';
      const end = double ? i + 2 : i + 1;
      const wholeSegment = double && (i === 0 || g[i - 1] === '/') && (end === g.length || g[end] === '/');
      if (wholeSegment && end === g.length) {
        re += '.*';
        i = end;
      } else if (wholeSegment) {
        re += '(?:[^/]*/)*'; // any number of folders, none included
        i = end + 1;
      } else {
        re += '[^/]*';
        i = end;
      }
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        i++;
      } else {
        let body = g.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body[0] === '!') body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = close + 1;
      }
    } else if (c === '{') {
      re += '(?:';
      depth++;
      i++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
      i++;
    } else if (c === ',' && depth > 0) {
      re += '|';
      i++;
    } else {
      re += SPECIAL.test(c) || c === '{' || c === '}' || c === ']' ? `\\${c}` : c;
      i++;
    }
  }
  re += ')'.repeat(depth);
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '');
}

export interface WalkOptions {
  /** Match names ignoring case (file systems that do: Windows, macOS). Default: on those platforms. */
  ignoreCase?: boolean;
  /** Folder names not entered. Default: node_modules, .git. */
  skip?: ReadonlySet<string>;
  /** Entries looked at between two pauses. Default 500. */
  batch?: number;
  /** Lets the caller's event loop run; called every `batch` entries. */
  pause?: () => Promise<void>;
  /** Gives up (with what was found) after this many entries. Default 1,000,000. */
  maxEntries?: number;
  /** Stops once this many files are found. */
  maxFiles?: number;
  /**
   * Told what the walk passes over in corpus folders: a matching name that is not a regular
   * file or a link to nothing, a folder it cannot read, and (one problem per folder) the files
   * no glob takes in a corpus folder (see `corpusFolderPatterns`).
   */
  report?: (p: Problem) => void;
}

/**
 * The folder patterns of corpus-folder globs: a glob whose folder part names a folder (the
 * default `corpus` one: any depth, then `corpus`, any depth, then `*.{txt,bib,…}`) makes every
 * file under such a folder one someone meant to index. A glob whose folder part is only
 * wildcards (the default one for `*.bib` anywhere) names no such folder.
 */
export function corpusFolderPatterns(globs: readonly string[], ignoreCase: boolean): RegExp[] {
  const out: RegExp[] = [];
  for (const g of globs) {
    const slash = g.lastIndexOf('/');
    if (slash < 0) continue;
    const folder = g.slice(0, slash);
    if (!folder.split('/').some((seg) => seg && !/[*?[{]/.test(seg))) continue;
    out.push(globToRegExp(`${folder}/*`, ignoreCase));
  }
  return out;
}

const SKIP = new Set(['node_modules', '.git']);

/**
 * The files under `root` whose path relative to it matches one of `globs`: absolute paths,
 * sorted. Symbolic links are followed, after all ordinary folders, and each real folder is
 * walked once: a file reached both ways is found under its own path, a link back up ends there.
 * Unreadable folders are passed over.
 */
export async function findMatchingFiles(root: string, globs: readonly string[], opts: WalkOptions = {}): Promise<string[]> {
  const ignoreCase = opts.ignoreCase ?? (process.platform === 'win32' || process.platform === 'darwin');
  const patterns = globs.map((g) => globToRegExp(g, ignoreCase));
  const skip = opts.skip ?? SKIP;
  const batch = opts.batch ?? 500;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const maxFiles = opts.maxFiles ?? Infinity;
  const found: string[] = [];
  const seen = new Set<string>();
  const seenFiles = new Set<string>();
  const linkedFiles: string[] = [];
  const report = opts.report;
  const folderPatterns = report ? corpusFolderPatterns(globs, ignoreCase) : [];
  const inCorpusFolder = (rel: string) => folderPatterns.some((p) => p.test(rel));
  const matches = (rel: string) => patterns.some((p) => p.test(rel));
  const folders: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  const linked: { abs: string; rel: string }[] = [];
  let entries = 0;
  while ((folders.length || linked.length) && entries < maxEntries && found.length < maxFiles) {
    const { abs, rel } = folders.pop() ?? linked.shift()!;
    let real: string;
    let list: fs.Dirent[];
    try {
      real = await fs.promises.realpath(abs);
      if (seen.has(real)) continue;
      seen.add(real);
      list = await fs.promises.readdir(abs, { withFileTypes: true });
    } catch (e) {
      if (report && inCorpusFolder(rel ? `${rel}/x` : 'x')) report({ file: abs, ...ioErrorProblem(e, 'folder') });
      continue;
    }
    const unknown: string[] = [];
    for (const d of list) {
      if (++entries % batch === 0 && opts.pause) await opts.pause();
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (d.name.includes('\ufffd') && report && (matches(childRel) || inCorpusFolder(childRel))) {
        // Not valid UTF-8 (Node shows such bytes as U+FFFD): the editor cannot name the file to open it.
        report({ file: path.join(abs, d.name), line: 1, severity: 'warning', ...problemText('The file name is not valid UTF-8, so the editor cannot open it; rename it to index it (the command line reads it).') });
        continue;
      }
      const childAbs = path.join(abs, d.name);
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      const link = d.isSymbolicLink();
      let kind: fs.Stats | fs.Dirent = d;
      if (link) {
        try {
          const st = await fs.promises.stat(childAbs);
          isDir = st.isDirectory();
          isFile = st.isFile();
          kind = st;
        } catch (e) {
          // A dangling link, or a loop of them.
          if (report && !d.name.startsWith('.') && (matches(childRel) || inCorpusFolder(childRel))) {
            const code = (e as NodeJS.ErrnoException).code;
            report({ file: childAbs, line: 1, severity: 'warning', ...(code === 'ELOOP' ? problemText('A loop of symbolic links; skipped it.') : problemText('A symbolic link to nothing ({0}); skipped it.', code ?? 'error')) });
          }
          continue;
        }
      }
      if (isDir) {
        if (!skip.has(d.name)) (link ? linked : folders).push({ abs: childAbs, rel: childRel });
      } else if (isFile && matches(childRel)) {
        if (found.length >= maxFiles) continue;
        // Each real file once, under its own path: links to files are looked at after the walk.
        if (link) linkedFiles.push(childAbs);
        else {
          seenFiles.add(path.join(real, d.name));
          found.push(childAbs);
        }
      } else if (!isFile && report && matches(childRel)) report({ file: childAbs, ...notRegularProblem(kind) });
      else if (isFile && report && !d.name.startsWith('.') && inCorpusFolder(childRel)) unknown.push(d.name);
    }
    const u = report && unknownFilesProblem(abs, unknown);
    if (u) report(u);
  }
  for (const f of linkedFiles) {
    if (found.length >= maxFiles) break;
    const realFile = await fs.promises.realpath(f).catch(() => f);
    if (seenFiles.has(realFile)) continue;
    seenFiles.add(realFile);
    found.push(f);
  }
  return found.sort();
}
