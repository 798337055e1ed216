/**
 * The warm-start cache: one file in the workspace's storage (`index-cache.v1`), read and written
 * by the index session, salted with the extension's version so that an update indexes afresh.
 * This part decides when: opened just after activation, written a few seconds after indexing
 * settles. No workspace storage (no folder open, or a virtual one): no cache.
 */
import * as path from 'path';
import type * as vscode from 'vscode';
import { CACHE_FILE } from '../core/index/cacheFile';
import type { IndexClient } from './indexClient';

/** Quiet time after indexing before the warm-start cache is written. */
const CACHE_SAVE_DELAY_MS = 3000;

export class WarmCache implements vscode.Disposable {
  private _enabled = false;
  /** Whether the cache holds the last session's corpus: unknown until the index session answers `cache-open`. */
  private _found: boolean | undefined;
  private settle: () => void = () => undefined;
  /** Resolves when the index session has answered whether the cache holds a corpus. */
  readonly opened = new Promise<void>((resolve) => (this.settle = resolve));
  private _file: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly client: IndexClient,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Whether files unchanged since the last session are asked of the cache first. */
  get enabled(): boolean {
    return this._enabled;
  }
  /**
   * Whether the works may come from the cache shortly: it is in use and either holds a corpus
   * or has not said yet.
   */
  get mayHoldCorpus(): boolean {
    return this._enabled && this._found !== false;
  }
  /** The cache file, when there is one. */
  get file(): string | undefined {
    return this._file;
  }

  /** Opens the cache in the index session (`enabled`: setting corpusCite.indexCache). */
  open(context: vscode.ExtensionContext, enabled: boolean): void {
    const dir = context.storageUri;
    if (!dir || dir.scheme !== 'file' || !enabled) return this.settle();
    const salt = String((context.extension.packageJSON as { version?: unknown }).version ?? '');
    this._enabled = true;
    this._file = path.join(dir.fsPath, CACHE_FILE);
    this.client.request({ kind: 'cache-open', dir: dir.fsPath, salt }).then(
      (r) => {
        this._found = r.kind === 'cache-opened' && r.valid;
        this.settle();
        if (r.kind === 'cache-opened' && r.note) this.log.warn(`[index] ${r.note}`);
        else this.log.info(`[index] warm-start cache ${this._found ? 'found' : 'not found (or from another version)'} in ${dir.fsPath}`);
      },
      (e: unknown) => {
        this._enabled = false;
        this.settle();
        this.log.warn(`[index] warm-start cache not used: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }

  /** After indexing settles (`busy` false), the worker writes the cache for the next session (off this thread). */
  scheduleSave(busy: () => boolean): void {
    if (!this._enabled) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      if (this.disposed) return;
      if (busy()) return this.scheduleSave(busy);
      const t0 = Date.now();
      this.client.request({ kind: 'cache-save' }).then(
        (r) => {
          if (r.kind === 'error') this.log.warn(`[index] could not write the warm-start cache: ${r.message.split('\n')[0]}`);
          else this.log.debug(`[index] warm-start cache written in ${Date.now() - t0} ms`);
        },
        (e: unknown) => this.log.warn(`[index] could not write the warm-start cache: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, CACHE_SAVE_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
  }
}
