/**
 * Writing a file atomically through any file system (Node's, or the editor's workspace file
 * system for virtual workspaces): the data goes to a temporary file beside the target, which is
 * then renamed over it. If anything fails, the temporary file is removed and the target is left
 * as it was.
 */

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

/** Writes `data` to `target` through a temporary sibling file and a rename. */
export async function writeAtomically<U>(fs: AtomicFileSystem<U>, target: U, data: Uint8Array, unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`): Promise<void> {
  const tmp = fs.sibling(target, `.${fs.basename(target)}.${unique}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  } catch (e) {
    try {
      await fs.delete(tmp);
    } catch {
      // never created, or already gone
    }
    throw e;
  }
}
