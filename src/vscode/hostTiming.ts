/**
 * How long the extension host's own steps take: a step that holds the event loop for longer than
 * 50 ms is logged (nothing else, typing included, runs meanwhile), and provider requests keep
 * their durations for the host benchmark. No `vscode` import: unit-tested in Node.
 */

import type { ReceivedBuild } from '../core/index/receiveBuild';

/** What one indexing pass did and how long each part took, for its line in the log. */
export interface PassFigures {
  files: number;
  works: number;
  problems: number;
  findMs: number;
  parsed: number;
  cached: number;
  inWorker: boolean;
  parseMs: number;
  built: ReceivedBuild;
  totalMs: number;
}

/** The log line of one indexing pass. */
export function passSummary(f: PassFigures): string {
  const b = f.built;
  return (
    `[index] ${f.files} files, ${f.works} works, ${f.problems} problems; ` +
    `${f.findMs ? `searched the globs in ${f.findMs} ms, ` : ''}parsed ${f.parsed} file(s) ${f.inWorker ? 'in a worker' : 'in-process'} in ${f.parseMs} ms` +
    `${f.cached ? ` (${f.cached} more unchanged since the last session, from the cache)` : ''}, ` +
    `${b.corpusFromCache ? 'took the corpus from the cache' : 'built the corpus'} in ${b.corpusMs} ms and its search index in ${b.searchMs} ms, ` +
    `received it in one message, taken in in ${b.chunks} slices in ${Math.round(b.fetchMs)} ms (longest step here ${Math.round(b.longestChunkMs)} ms) (${f.totalMs} ms in all)`
  );
}

/** The one log method this needs (a vscode.LogOutputChannel has it). */
export interface InfoLog {
  info(message: string): void;
}

export interface LatencyFigures {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

/** Host-side steps longer than this are logged as slow. */
export const SLOW_STEP_MS = 50;
/** Slow steps kept for `takeSlowSteps`, and durations kept per request kind. */
const MAX_SLOW_STEPS = 100;
const MAX_LATENCIES = 2000;

export class HostTiming {
  private readonly slow: { what: string; ms: number }[] = [];
  private readonly latencies = new Map<string, number[]>();

  constructor(
    private readonly log: InfoLog,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs a step of the extension host's own work and notes it when it was slow (see `noteStep`). */
  timed<T>(what: string, fn: () => T, done?: (ms: number) => void): T {
    const t0 = this.now();
    try {
      return fn();
    } finally {
      const ms = this.now() - t0;
      this.noteStep(what, ms);
      done?.(ms);
    }
  }

  /**
   * Runs a provider request (completion, hover) and keeps its duration: the host benchmark
   * reads them beside the end-to-end figures, which also count the workbench's round trip.
   */
  timedRequest<T>(kind: string, fn: () => T): T {
    return this.timed(`a ${kind} request`, fn, (ms) => {
      let list = this.latencies.get(kind);
      if (!list) this.latencies.set(kind, (list = []));
      list.push(ms);
      if (list.length > MAX_LATENCIES) list.splice(0, list.length - MAX_LATENCIES);
    });
  }

  /** p50 / p99 / max of the last requests of each kind, ms (see `timedRequest`). */
  requestLatency(): Record<string, LatencyFigures> {
    const out: Record<string, LatencyFigures> = {};
    for (const [kind, list] of this.latencies) {
      const s = [...list].sort((a, b) => a - b);
      const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
      out[kind] = { p50: at(50), p99: at(99), max: s[s.length - 1], n: s.length };
    }
    return out;
  }

  /** Notes a step measured elsewhere: over 50 ms, it is logged and kept (see `timed`). */
  noteStep(what: string, ms: number): void {
    if (ms <= SLOW_STEP_MS) return;
    this.slow.push({ what, ms });
    if (this.slow.length > MAX_SLOW_STEPS) this.slow.shift();
    this.log.info(`[perf] ${what} held the extension host for ${Math.round(ms)} ms`);
  }

  /** Steps over 50 ms since the last call (for the host benchmark and tests). */
  takeSlowSteps(): { what: string; ms: number }[] {
    return this.slow.splice(0);
  }
}
