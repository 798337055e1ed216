/**
 * Writing a file atomically: the data goes to a temporary file beside the target, which is
 * flushed to disk and renamed over it, and the folder is flushed too, so a reader (or the disk
 * after a power cut) sees the old file or the new one, never half of one.
 *
 * - `writeFileAtomicSync` / `writeFileAtomicAsync`: local files through Node's `fs` (CLI, the
 *   index cache, the extension's exports of local files). They refuse to replace a file the user
 *   cannot write (read-only mode bits count even for root, as `cp -i`/editors treat them), keep
 *   the replaced file's mode and (as root) owner, write through a symbolic link to its target,
 *   and remove the temporary files that a killed earlier run left beside the target.
 * - `writeAtomically`: the same steps through any file system (the editor's workspace file system
 *   in virtual workspaces), where flushing is the file system's business.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type ProblemText, problemText } from '../model/problemText';

/** Temporary files are `.<name>.<pid>.<random>.corpus-cite.tmp` beside the target. */
const TEMP_SUFFIX = '.corpus-cite.tmp';

/** Temporary files of this process that exist right now (removed on SIGINT/SIGTERM, see below). */
const liveTemps = new Set<string>();

/** A write that was refused before anything was written: the message says why, in a sentence (`text`: its l10n template). */
export class WriteRefused extends Error {
  constructor(readonly text: ProblemText) {
    super(text.message);
  }
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}${TEMP_SUFFIX}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files of earlier writes of `file` whose process is gone (a `kill -9`, a power
 * cut): ours (`.<name>.<pid>.<rand>.corpus-cite.tmp`) and those of earlier versions
 * (`.<name>.<pid>.<ms>.tmp`). Returns how many were removed. Never throws.
 */
export function removeStaleTemps(file: string): number {
  const dir = path.dirname(file);
  const base = escapeRegExp(path.basename(file));
  const ours = new RegExp(`^\\.${base}\\.(\\d+)\\.[a-z0-9]+${escapeRegExp(TEMP_SUFFIX)}$`);
  const old = new RegExp(`^\\.${base}\\.(\\d+)\\.\\d{10,}\\.tmp$`);
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = ours.exec(name) ?? old.exec(name);
    if (!m) continue;
    const full = path.join(dir, name);
    if (liveTemps.has(full) || processAlive(Number(m[1]))) continue;
    try {
      fs.unlinkSync(full);
      removed++;
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

interface Target {
  /** The path written: the target itself, or what its symbolic link points to. */
  file: string;
  /** The replaced file's mode and owner, kept on the new one. */
  existing?: fs.Stats;
}

/** Decides where a write goes and refuses targets that must not be replaced. */
function resolveTarget(file: string): Target {
  let real = file;
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new WriteRefused(problemText('{0} cannot be reached ({1}); nothing was written.', file, code ?? 'error'));
    // A dangling symbolic link: write the file it names, as `echo > link` would.
    try {
      const link = fs.readlinkSync(file);
      real = path.resolve(path.dirname(file), link);
    } catch {
      real = file;
    }
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(real);
  } catch {
    st = undefined;
  }
  if (st && !st.isFile()) throw new WriteRefused(problemText('{0} is not a regular file (a folder, device or pipe); nothing was written.', file));
  if (st) {
    let writable = (st.mode & 0o222) !== 0;
    if (writable) {
      try {
        fs.accessSync(real, fs.constants.W_OK);
      } catch {
        writable = false;
      }
    }
    if (!writable) throw new WriteRefused(problemText('{0} is read-only; it was not replaced. Make it writable or choose another file.', file));
  }
  return { file: real, existing: st };
}

function keepModeAndOwner(fd: number, existing: fs.Stats | undefined): void {
  if (!existing) return;
  try {
    fs.fchmodSync(fd, existing.mode & 0o7777);
  } catch {
    // a file system without modes
  }
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    try {
      fs.fchownSync(fd, existing.uid, existing.gid);
    } catch {
      // a file system without owners
    }
  }
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) cannot flush a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // never created, or already gone
  }
}

/** Writes `data` to `file` atomically and durably (see the module comment). Throws `WriteRefused` or the I/O error. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const target = resolveTarget(file);
  removeStaleTemps(target.file);
  const tmp = tempName(target.file);
  // Parts are written one after the other: a large file (the index cache) is never joined in memory.
  const parts = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  liveTemps.add(tmp);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
    keepModeAndOwner(fd, target.existing);
    for (const bytes of parts) {
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target.file);
    liveTemps.delete(tmp);
    syncFolder(path.dirname(target.file));
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    removeQuietly(tmp);
    liveTemps.delete(tmp);
    throw e;
  }
}

/** The asynchronous form of `writeFileAtomicSync`, for the extension host. */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  const target = resolveTarget(file);
  removeStaleTemps(target.file);
  const tmp = tempName(target.file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  liveTemps.add(tmp);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx', 0o666);
    keepModeAndOwner(handle.fd, target.existing);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target.file);
    liveTemps.delete(tmp);
    syncFolder(path.dirname(target.file));
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    removeQuietly(tmp);
    liveTemps.delete(tmp);
    throw e;
  }
}

/**
 * For a command-line process: while `run` writes, SIGINT/SIGTERM wait for it (a synchronous write
 * cannot be interrupted half-way anyway); afterwards any temporary file still there is removed
 * and the process ends as the signal asked. Not for the extension host, whose signals are VS Code's.
 */
export function withSignalCleanup<T>(run: () => T): T {
  let pending: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    pending ??= sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const t of liveTemps) removeQuietly(t);
    liveTemps.clear();
    if (pending) process.kill(process.pid, pending);
  }
}

/** The few operations `writeAtomically` needs; `U` is the file system's name for a file. */
export interface AtomicFileSystem<U> {
  writeFile(file: U, data: Uint8Array): Promise<void>;
  /** Renames, replacing `to` if it exists. */
  rename(from: U, to: U): Promise<void>;
  delete(file: U): Promise<void>;
  /** A file named `name` in the folder of `file`. */
  sibling(file: U, name: string): U;
  basename(file: U): string;
}

/** Writes `data` to `target` through a temporary sibling file and a rename, through any file system. */
export async function writeAtomically<U>(afs: AtomicFileSystem<U>, target: U, data: Uint8Array, unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`): Promise<void> {
  const tmp = afs.sibling(target, `.${afs.basename(target)}.${unique}.tmp`);
  try {
    await afs.writeFile(tmp, data);
    await afs.rename(tmp, target);
  } catch (e) {
    try {
      await afs.delete(tmp);
    } catch {
      // never created, or already gone
    }
    throw e;
  }
}
