/**
 * The extension's settings as now in force: read through zod (core/settings.ts), bad values fall
 * back to their defaults with one log line per warning while it stands, and listeners hear of
 * each change with the settings before and after.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { type Settings, SETTINGS_SECTION, SETTING_KEYS, parseSettings } from '../core/settings';
import type { StyleOptions } from '../core/styles';

/** Reads settings through zod; bad values fall back to defaults with a warning. */
export function readSettings(): { settings: Settings; warnings: string[] } {
  const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) raw[key] = cfg.get(key);
  return parseSettings(raw);
}

export class CorpusSettings implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<{ before: Settings; after: Settings }>();
  /** Fires after the settings of this extension changed (`current` is already the new ones). */
  readonly onDidChange = this._onDidChange.event;
  private _current: Settings;
  private warningsLogged = new Set<string>();
  private _warningLines = 0;
  private readonly disposables: vscode.Disposable[] = [this._onDidChange];

  constructor(private readonly log: vscode.LogOutputChannel) {
    const { settings, warnings } = readSettings();
    this._current = settings;
    this.logWarnings(warnings);
  }

  get current(): Settings {
    return this._current;
  }
  /** The warnings about bad setting values now in force (each is logged once). */
  get warnings(): readonly string[] {
    return [...this.warningsLogged];
  }
  /** How many setting warnings were logged since activation. */
  get warningLines(): number {
    return this._warningLines;
  }

  /** Starts following configuration changes. */
  start(): void {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
        const before = this._current;
        const { settings, warnings } = readSettings();
        this._current = settings;
        this.logWarnings(warnings);
        this._onDidChange.fire({ before, after: settings });
      }),
    );
  }

  /** Where the user's CSL styles are: `corpusCite.styleFolders`, relative ones against the first workspace folder. */
  styleOptions(baseDir?: string): StyleOptions {
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const folders = this._current.styleFolders.map((f) => (root && !path.isAbsolute(f) ? path.join(root, f) : f));
    return { folders, baseDir: baseDir ?? root };
  }

  /** Logs each setting warning once, however often the configuration changes while it stands. */
  private logWarnings(warnings: readonly string[]): void {
    for (const w of warnings) {
      if (this.warningsLogged.has(w)) continue;
      this.log.warn(`[settings] ${w}`);
      this._warningLines++;
    }
    this.warningsLogged = new Set(warnings);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
