/**
 * How long the extension host's own steps take: a step that holds the event loop for longer than
 * 50 ms is logged (nothing else, typing included, runs meanwhile), and provider requests keep
 * their durations for the host benchmark. No `vscode` import: unit-tested in Node.
 */

import * as fs from 'fs';
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
  /** The same for the requests' time less the time this thread waited for a CPU in them (with a wait clock only). */
  onCpu?: { p50: number; p99: number; max: number };
}

/** One provider request: when it started (the `now` clock), how long it took, and how long the thread waited for a CPU meanwhile. */
export interface RequestSample {
  start: number;
  ms: number;
  /** Time this thread was ready to run but waited for a CPU during the request, ms (with a wait clock only). */
  waitedMs?: number;
}

/**
 * The time this thread has waited for a CPU, ms: the kernel's run delay, the second field of
 * `/proc/thread-self/schedstat` (Linux); undefined elsewhere. On a busy machine a request's wall
 * time includes such waits; this tells them apart (the host benchmark turns it on). The kernel
 * adds each wait when the thread gets the CPU back, so the figure is exact at every read (the
 * first field, time on a CPU, moves only at scheduler ticks: 4 ms here, too coarse for a
 * request). A read costs ~10 µs.
 */
export function threadWaitClock(): (() => number | undefined) | undefined {
  const file = '/proc/thread-self/schedstat';
  const read = (): number | undefined => {
    try {
      const v = Number(fs.readFileSync(file, 'utf8').split(' ')[1]);
      return Number.isFinite(v) ? v / 1e6 : undefined;
    } catch {
      return undefined;
    }
  };
  return read() === undefined ? undefined : read;
}

/** Host-side steps longer than this are logged as slow. */
export const SLOW_STEP_MS = 50;
/** Slow steps kept for `takeSlowSteps`, and durations kept per request kind. */
const MAX_SLOW_STEPS = 100;
const MAX_LATENCIES = 2000;

function figures(list: readonly number[]): LatencyFigures {
  const s = [...list].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { p50: at(50), p99: at(99), max: s[s.length - 1], n: s.length };
}

export class HostTiming {
  private readonly slow: { what: string; ms: number }[] = [];
  private readonly latencies = new Map<string, RequestSample[]>();

  constructor(
    private readonly log: InfoLog,
    private readonly now: () => number = () => performance.now(),
    /** The time this thread has waited for a CPU, ms (see `threadWaitClock`): then each request also notes its waits. */
    private readonly waitedMs?: () => number | undefined,
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
    const start = this.now();
    const wait0 = this.waitedMs?.();
    return this.timed(`a ${kind} request`, fn, (ms) => {
      let list = this.latencies.get(kind);
      if (!list) this.latencies.set(kind, (list = []));
      const sample: RequestSample = { start, ms };
      const wait1 = wait0 === undefined ? undefined : this.waitedMs?.();
      if (wait0 !== undefined && wait1 !== undefined) sample.waitedMs = wait1 - wait0;
      list.push(sample);
      if (list.length > MAX_LATENCIES) list.splice(0, list.length - MAX_LATENCIES);
    });
  }

  /** p50 / p99 / max of the last requests of each kind, ms (see `timedRequest`). */
  requestLatency(): Record<string, LatencyFigures> {
    const out: Record<string, LatencyFigures> = {};
    for (const [kind, list] of this.latencies) {
      const wall = figures(list.map((r) => r.ms));
      const ran = list.every((r) => r.waitedMs !== undefined) ? figures(list.map((r) => r.ms - r.waitedMs!)) : undefined;
      out[kind] = { ...wall, ...(ran ? { onCpu: { p50: ran.p50, p99: ran.p99, max: ran.max } } : {}) };
    }
    return out;
  }

  /** The last requests of a kind, oldest first (see `timedRequest`). */
  requestSamples(kind: string): readonly RequestSample[] {
    return [...(this.latencies.get(kind) ?? [])];
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
