/**
 * The corpus problems in the Problems panel (one diagnostic collection) and in the log (one line
 * per new problem), both capped (core/index/problemReport.ts). It owns the collection and what was
 * logged; where a file is and how it is shown come from the corpus files.
 */
import * as vscode from 'vscode';
import type { Problem } from '../core/model/model';
import { planProblems } from '../core/index/problemReport';
import { problemMessage } from '../core/model/problemText';
import { DIAGNOSTIC_SOURCE } from './ids';

/** New problems named one by one in the log per rebuild; the rest are counted. */
export const MAX_LOGGED_PROBLEMS = 50;
/** Problems shown per corpus file in the Problems panel; the rest are counted in one more. */
export const MAX_DIAGNOSTICS_PER_FILE = 500;

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export interface ProblemFiles {
  /** The URI of a file named in `Problem.file`. */
  uriOf(file: string): vscode.Uri | undefined;
  /** The file's path for display. */
  displayPath(file: string): string;
}

export class CorpusProblems implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('corpusCite');
  private logged: ReadonlySet<string> = new Set();

  constructor(
    private readonly files: ProblemFiles,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Shows the problems of a rebuild; unchanged ones (the usual case) cost one comparison. */
  publish(problems: readonly Problem[]): void {
    const plan = planProblems(problems, this.logged, { maxLogged: MAX_LOGGED_PROBLEMS, maxPerFile: MAX_DIAGNOSTICS_PER_FILE });
    if (!plan) return;
    const shown = new Map<string, string>();
    // In the display language: the core's problems carry their English template and arguments.
    const translated = new Map<Problem, string>();
    const text = (p: Problem): string => {
      let s = translated.get(p);
      if (s === undefined) translated.set(p, (s = problemMessage(p, (m, ...a) => vscode.l10n.t(m, ...a))));
      return s;
    };
    for (const p of plan.toLog) {
      let display = shown.get(p.file);
      if (display === undefined) shown.set(p.file, (display = this.files.displayPath(p.file)));
      const line = `[problem] ${display}:${p.line} ${text(p)}`;
      if (p.severity === 'error') this.log.error(line);
      else if (p.severity === 'warning') this.log.warn(line);
      else this.log.info(line);
    }
    if (plan.notLogged) this.log.warn(`[problem] ${vscode.l10n.t('… and {0} more new problems: see the Problems panel', plan.notLogged)}`);
    this.logged = plan.keys;
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const [file, { shown: list, more }] of plan.byFile) {
      const uri = this.files.uriOf(file);
      if (!uri) continue;
      const k = uri.toString();
      let entry = byUri.get(k);
      if (!entry) byUri.set(k, (entry = { uri, list: [] }));
      for (const p of list) {
        const line = Math.max(0, p.line - 1);
        const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), text(p), SEVERITY[p.severity]);
        d.source = DIAGNOSTIC_SOURCE;
        entry.list.push(d);
      }
      // VS Code itself drops everything past 1,000 per file, after the cost of sending it.
      if (more) {
        const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, Number.MAX_SAFE_INTEGER), vscode.l10n.t('{0} more problems in this file are not listed.', more), vscode.DiagnosticSeverity.Information);
        d.source = DIAGNOSTIC_SOURCE;
        entry.list.push(d);
      }
    }
    this.diagnostics.clear();
    for (const { uri, list } of byUri.values()) this.diagnostics.set(uri, list);
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}
