/**
 * Which files are in the corpus, and why: matched by a corpus glob, named as `bibliography:` in
 * the front matter of an open Markdown document, or part of the bundled sample; minus the files
 * the extension writes (exports), which are never read back. Files are keys (URI strings). Each
 * change returns the keys whose membership may have changed, for the caller to re-index.
 * Pure bookkeeping: the editor side (src/vscode/corpusFiles.ts) watches and feeds it.
 */

export class CorpusMembership {
  private globs = new Set<string>();
  /** Markdown document key → the bibliographies its front matter names. */
  private readonly frontMatter = new Map<string, Set<string>>();
  private sample = new Set<string>();
  private readonly outputs: Set<string>;

  constructor(outputs: Iterable<string> = []) {
    this.outputs = new Set(outputs);
  }

  /** Whether the file belongs in the corpus now. */
  has(key: string): boolean {
    if (this.outputs.has(key)) return false;
    if (this.globs.has(key) || this.sample.has(key)) return true;
    for (const set of this.frontMatter.values()) if (set.has(key)) return true;
    return false;
  }

  /** Every file a reason names (outputs included: `has` rules them out). */
  named(): Set<string> {
    const all = new Set<string>([...this.globs, ...this.sample]);
    for (const set of this.frontMatter.values()) for (const k of set) all.add(k);
    return all;
  }

  /** The workspace's own corpus files 0, front-matter bibliographies 1, the sample 2, other 3. */
  rank(key: string): number {
    if (this.globs.has(key)) return 0;
    for (const set of this.frontMatter.values()) if (set.has(key)) return 1;
    if (this.sample.has(key)) return 2;
    return 3;
  }

  /** The result of a full search of the globs. */
  setGlobFiles(keys: Iterable<string>): void {
    this.globs = new Set(keys);
  }

  /** A glob watcher saw the file created or changed. */
  addGlobFile(key: string): void {
    this.globs.add(key);
  }

  /** The file is gone: it leaves the globs and the sample (a named bibliography stays named). */
  forgetMissing(key: string): void {
    this.globs.delete(key);
    this.sample.delete(key);
  }

  /**
   * A document's front matter now names `keys`: returns the keys added and removed, or
   * undefined when nothing changed.
   */
  setFrontMatter(docKey: string, keys: Iterable<string>): { added: string[]; removed: string[] } | undefined {
    const next = new Set(keys);
    const prev = this.frontMatter.get(docKey) ?? new Set<string>();
    if (next.size === prev.size && [...next].every((k) => prev.has(k))) return undefined;
    if (next.size) this.frontMatter.set(docKey, next);
    else this.frontMatter.delete(docKey);
    return { added: [...next].filter((k) => !prev.has(k)), removed: [...prev].filter((k) => !next.has(k)) };
  }

  /** The document closed: the keys it named (empty when it named none). */
  forgetFrontMatter(docKey: string): string[] {
    const prev = this.frontMatter.get(docKey);
    if (!prev) return [];
    this.frontMatter.delete(docKey);
    return [...prev];
  }

  /** All bibliographies named in front matter now (the files to watch). */
  frontMatterFiles(): Set<string> {
    const wanted = new Set<string>();
    for (const set of this.frontMatter.values()) for (const k of set) wanted.add(k);
    return wanted;
  }

  /** Whether a bibliography named in front matter lies under the folder key `prefix` (ending in `/`). */
  frontMatterUnder(prefix: string): boolean {
    for (const set of this.frontMatter.values()) for (const k of set) if (k.startsWith(prefix)) return true;
    return false;
  }

  /** The sample is now `keys` (empty: closed); returns the keys it had before. */
  setSample(keys: Iterable<string>): string[] {
    const prev = [...this.sample];
    this.sample = new Set(keys);
    return prev;
  }

  /** Marks a file the extension writes; false when it was one already. */
  addOutput(key: string): boolean {
    if (this.outputs.has(key)) return false;
    this.outputs.add(key);
    return true;
  }

  /** The output files, oldest first. */
  outputList(): string[] {
    return [...this.outputs];
  }
}
