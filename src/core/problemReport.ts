/**
 * What to report of a rebuild's problems: which new ones the log names (a capped number, the
 * rest counted) and which the Problems panel lists per file (a capped number, the rest counted in
 * one more entry). A library with thousands of broken entries must not hold the editor while it
 * logs or sends them all. Pure: the editor side (src/vscode/corpusProblems.ts) turns the plan
 * into log lines and diagnostics.
 */
import type { Problem } from './model';

export interface ProblemCaps {
  /** New problems named one by one in the log per rebuild. */
  maxLogged: number;
  /** Problems listed per file in the Problems panel. */
  maxPerFile: number;
}

export interface ProblemPlan {
  /** The keys of all problems now standing (the `previous` of the next call). */
  keys: Set<string>;
  /** New problems to name in the log, in order. */
  toLog: Problem[];
  /** New problems past `maxLogged`, only counted. */
  notLogged: number;
  /** Per file (as `Problem.file`), in order of first problem: the ones to list and how many more there are. */
  byFile: Map<string, { shown: Problem[]; more: number }>;
}

/** A problem's identity across rebuilds. */
export const problemKey = (p: Problem): string => `${p.file}\u0000${p.line}\u0000${p.severity}\u0000${p.message}`;

/** The report of `problems`, or undefined when they are the ones of `previous` (nothing to log or send). */
export function planProblems(problems: readonly Problem[], previous: ReadonlySet<string>, caps: ProblemCaps): ProblemPlan | undefined {
  if (problems.length === previous.size && problems.every((p) => previous.has(problemKey(p)))) return undefined;
  const keys = new Set<string>();
  const toLog: Problem[] = [];
  let fresh = 0;
  const byFile = new Map<string, { shown: Problem[]; more: number }>();
  for (const p of problems) {
    const key = problemKey(p);
    keys.add(key);
    if (!previous.has(key) && ++fresh <= caps.maxLogged) toLog.push(p);
    let entry = byFile.get(p.file);
    if (!entry) byFile.set(p.file, (entry = { shown: [], more: 0 }));
    if (entry.shown.length < caps.maxPerFile) entry.shown.push(p);
    else entry.more++;
  }
  return { keys, toLog, notLogged: Math.max(0, fresh - caps.maxLogged), byFile };
}
