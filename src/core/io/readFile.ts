/**
 * Reading one corpus file from disk, safely whatever the path names (Node `fs`; no editor API).
 *
 * - Only regular files are read: a FIFO, socket or device (also behind a symbolic link) is
 *   reported and never opened — opening a FIFO waits for a writer forever, `/dev/zero` never
 *   ends. The file is opened with `O_NONBLOCK` and checked again with `fstat` (it may have been
 *   replaced between the two looks).
 * - The read stops at the size cap whatever `stat` said: chunks up to `max + 1` bytes, so a file
 *   that grows while read, or a `/proc`-like file that says it is empty, stays bounded.
 * The answer is the bytes, or a problem a person understands; it never throws.
 */
import * as fs from 'fs';
import type { Problem } from '../model/model';
import { type ProblemText, problemText } from '../model/problemText';

const CHUNK = 1 << 20;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

export type FileRead = { bytes: Buffer; size: number; mtimeMs: number } | { problem: Omit<Problem, 'file'>; size: number; mtimeMs: number };

/** What kind of non-regular file `st` is, in words. */
export function fileKind(st: fs.Stats | fs.Dirent<string | Buffer>): string {
  return fileKindText(st).message;
}

function fileKindText(st: fs.Stats | fs.Dirent<string | Buffer>): ProblemText {
  if (st.isFIFO()) return problemText('a named pipe (FIFO)');
  if (st.isSocket()) return problemText('a socket');
  if (st.isCharacterDevice()) return problemText('a character device');
  if (st.isBlockDevice()) return problemText('a block device');
  if (st.isDirectory()) return problemText('a folder');
  return problemText('not a regular file');
}

export function notRegularProblem(st: fs.Stats | fs.Dirent<string | Buffer>): Omit<Problem, 'file'> {
  return { line: 1, severity: 'warning', ...problemText('This is {0}, not a regular file; skipped it without reading.', fileKindText(st)) };
}

/** A file over the size cap `max` (bytes); `limit` is the cap as the user set it, in MB (the
 *  editor passes its setting as written, e.g. `0.005`). */
export function overSizeProblem(size: number | undefined, max: number, limit = (max / 1048576).toFixed(0)): Omit<Problem, 'file'> {
  const text =
    size === undefined
      ? problemText('File is over the {0} MB limit (setting corpusCite.maxFileSizeMB); skipped it.', limit)
      : problemText('File is {0} MB, over the {1} MB limit (setting corpusCite.maxFileSizeMB); skipped it.', (size / 1048576).toFixed(1), limit);
  return { line: 1, severity: 'warning', ...text };
}

export function ioErrorProblem(e: unknown, what: 'file' | 'folder' | 'path' = 'file'): Omit<Problem, 'file'> {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? problemText('ENOENT: it does not exist, or is a symbolic link to nothing')
      : code === 'EACCES' || code === 'EPERM'
        ? problemText('{0}: permission denied', code)
        : code === 'ELOOP'
          ? problemText('ELOOP: a loop of symbolic links')
          : (code ?? (e as Error).message);
  const text = what === 'folder' ? problemText('Could not read the folder ({0}).', why) : what === 'path' ? problemText('Could not read the path ({0}).', why) : problemText('Could not read the file ({0}).', why);
  return { line: 1, severity: 'error', ...text };
}

/** Reads a regular file, at most `max` bytes (more is a problem). Never throws. */
export function readRegularFileSync(file: fs.PathLike, max: number): FileRead {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    return { problem: ioErrorProblem(e), size: -1, mtimeMs: -1 };
  }
  if (!st.isFile()) return { problem: notRegularProblem(st), size: st.size, mtimeMs: st.mtimeMs };
  if (st.size > max) return { problem: overSizeProblem(st.size, max), size: st.size, mtimeMs: st.mtimeMs };
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK);
    const fst = fs.fstatSync(fd);
    if (!fst.isFile()) return { problem: notRegularProblem(fst), size: fst.size, mtimeMs: fst.mtimeMs };
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      parts.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > max) return { problem: overSizeProblem(undefined, max), size: fst.size, mtimeMs: fst.mtimeMs };
    }
    return { bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts, total), size: total, mtimeMs: fst.mtimeMs };
  } catch (e) {
    return { problem: ioErrorProblem(e), size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The same, asynchronous (the extension host must not block on a slow disk). Never rejects. */
export async function readRegularFile(file: string, max: number): Promise<FileRead> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    return { problem: ioErrorProblem(e), size: -1, mtimeMs: -1 };
  }
  if (!st.isFile()) return { problem: notRegularProblem(st), size: st.size, mtimeMs: st.mtimeMs };
  if (st.size > max) return { problem: overSizeProblem(st.size, max), size: st.size, mtimeMs: st.mtimeMs };
  let h: fs.promises.FileHandle | undefined;
  try {
    h = await fs.promises.open(file, fs.constants.O_RDONLY | NONBLOCK);
    const fst = await h.stat();
    if (!fst.isFile()) return { problem: notRegularProblem(fst), size: fst.size, mtimeMs: fst.mtimeMs };
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
      const { bytesRead: n } = await h.read(buf, 0, buf.length, null);
      if (n <= 0) break;
      parts.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > max) return { problem: overSizeProblem(undefined, max), size: fst.size, mtimeMs: fst.mtimeMs };
    }
    return { bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts, total), size: total, mtimeMs: fst.mtimeMs };
  } catch (e) {
    return { problem: ioErrorProblem(e), size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    await h?.close().catch(() => undefined);
  }
}

const PDF = /\.pdf$/i;
const IMAGE = /\.(?:png|jpe?g|gif|tiff?|svg|webp|bmp|heic)$/i;
const OFFICE = /\.(?:docx?|xlsx?|pptx?|od[tsp]|rtf|pages|numbers|key)$/i;

/**
 * One problem (info) for the files of a folder that no reader knows: named when there are few,
 * counted by kind when there are many (PDFs and images beside records are normal).
 */
export function unknownFilesProblem(folder: string, names: readonly string[]): Problem | undefined {
  if (names.length === 0) return undefined;
  const sorted = [...names].sort();
  if (sorted.length <= 3) {
    return { file: folder, line: 1, severity: 'info', ...problemText('Not a corpus format, not read: {0}.', sorted.join(', ')) };
  }
  const count = (re: RegExp) => sorted.filter((n) => re.test(n)).length;
  const pdf = count(PDF);
  const image = count(IMAGE);
  const office = count(OFFICE);
  const other = sorted.length - pdf - image - office;
  const parts: ProblemText[] = [];
  if (pdf) parts.push(pdf === 1 ? problemText('{0} PDF file', pdf) : problemText('{0} PDF files', pdf));
  if (image) parts.push(image === 1 ? problemText('{0} image', image) : problemText('{0} images', image));
  if (office) parts.push(office === 1 ? problemText('{0} office document', office) : problemText('{0} office documents', office));
  if (other) parts.push(other === 1 ? problemText('{0} other file', other) : problemText('{0} other files', other));
  // At most four kinds, so the list is one of three shapes (each a sentence the translator sees whole).
  const [a, b, c, d] = parts;
  const list = parts.length === 4 ? problemText('{0}, {1}, {2} and {3}', a, b, c, d) : parts.length === 3 ? problemText('{0}, {1} and {2}', a, b, c) : parts.length === 2 ? problemText('{0} and {1}', a, b) : a;
  const examples = sorted.filter((n) => !PDF.test(n) && !IMAGE.test(n) && !OFFICE.test(n)).slice(0, 3);
  const text = examples.length ? problemText('{0} here are not corpus formats; not read (e.g. {1}).', list, examples.join(', ')) : problemText('{0} here are not corpus formats; not read.', list);
  return { file: folder, line: 1, severity: 'info', ...text };
}
