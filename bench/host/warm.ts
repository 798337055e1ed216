/**
 * The warm-restart phase of the host benchmark (bench/host/run.ts runs it): one launch of the real
 * extension host per call, on a run dir that run.ts keeps between launches (same user data, so the
 * same workspace storage and warm-start cache; see scripts/host/lib.js `makeRunDirs({ reuse })`).
 *
 * - `CORPUS_CITE_BENCH_WARM=prime`: the first launch. The library is in the workspace before the
 *   window opens (copied in from library.bib.source if it is not); the suite opens the manuscript,
 *   waits for the cold index and for the warm-start cache to be written, and notes which work to ask
 *   for next time.
 * - `CORPUS_CITE_BENCH_WARM=warm`: a restart. From opening the manuscript (which activates the
 *   extension) it asks for completions of one work's key every 20 ms until one is answered with
 *   that work, then waits for the index to be ready; the timings, the process's CPU time (all its
 *   threads: the index worker's too), the main thread's own CPU time and the longest event-loop
 *   block go to CORPUS_CITE_BENCH_OUT as JSON.
 *
 * Timings are reported, never asserted; the run fails only when it could not measure (no
 * extension, no cache, a completion that never came).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { type BlockStats, blockSampler, profiler, waitFor } from './suite';

interface Api {
  whenIndexed(): Promise<void>;
  readonly works: readonly { id: string; 'citation-label': string }[];
  readonly indexCacheFile: string | undefined;
  readonly state: string;
  requestSamples(kind: string): readonly { start: number; ms: number }[];
}

/** What to ask for on the restart (written by the prime launch into the workspace). */
interface WarmQuery {
  id: string;
  works: number;
}

/** CPU time of this process (all its threads) and of the extension host's main thread, ms. */
interface Cpu {
  processMs: number;
  mainMs: number | undefined;
}

export interface WarmLaunchResult {
  phase: 'prime' | 'warm';
  load: number[];
  works: number;
  /** Opening the manuscript (which activates the extension) → `activate()` resolved. */
  activateMs: number;
  /**
   * Activation → the first completion that lists the asked-for work (warm only), end to end
   * through the workbench (`vscode.executeCompletionItemProvider`: all Markdown completion
   * providers, the built-in Markdown extension's too, which starts with the manuscript).
   */
  firstCompletionMs: number;
  /** Activation → the answer to a completion only Markdown's provider is asked for, sent with the first request (warm only). */
  floorMs: number;
  /** Completion requests made until then, and how many came back without works. */
  polls: number;
  /** Activation → all works in the editor: from then on our completion provider answers with them (seen every 5 ms). */
  worksMs: number;
  /** Activation → the index is ready (no indexing running or pending). */
  readyMs: number;
  /** CPU used from opening the manuscript to the first completion, and to ready. */
  cpuAtCompletion: Cpu;
  cpuAtReady: Cpu;
  /** The cache file's size, bytes. */
  cacheBytes: number;
  blocks: BlockStats;
  memory: { heapMB: number; rssMB: number };
}

const EXTENSION_ID = 'corpus-cite.corpus-cite';

function mainThreadMs(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

function cpuSince(p0: NodeJS.CpuUsage, m0: number | undefined): Cpu {
  const p = process.cpuUsage(p0);
  const m = mainThreadMs();
  return { processMs: (p.user + p.system) / 1000, mainMs: m !== undefined && m0 !== undefined ? m - m0 : undefined };
}

async function launch(folder: string, phase: 'prime' | 'warm'): Promise<WarmLaunchResult> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  if (ext.isActive) throw new Error('the extension was already active when the suite started: the timing would start late');
  const load = os.loadavg();
  const minWorks = Number(fs.readFileSync(path.join(folder, 'expected-works.txt'), 'utf8'));
  const queryFile = path.join(folder, 'warm-query.json');
  const library = path.join(folder, 'library.bib');
  let query: WarmQuery | undefined;
  if (phase === 'prime') {
    if (!fs.existsSync(library)) await fs.promises.copyFile(path.join(folder, 'library.bib.source'), library);
    fs.rmSync(queryFile, { force: true });
  } else {
    query = JSON.parse(fs.readFileSync(queryFile, 'utf8')) as WarmQuery;
  }

  const sampler = blockSampler();
  const prof = profiler(`warm-${phase}-${process.pid}`); // CORPUS_CITE_BENCH_PROFILE=dir: a CPU profile of the main thread
  const p0 = process.cpuUsage();
  const m0 = mainThreadMs();
  const tOpen = performance.now();
  const manuscript = await vscode.workspace.openTextDocument(path.join(folder, 'review.md'));
  await vscode.window.showTextDocument(manuscript);
  const api = await ext.activate();
  const tAct = performance.now();

  let firstCompletionMs = NaN;
  let worksMs = NaN;
  // When the works are in (from then on our completion provider answers with them), looked at
  // every 5 ms apart from the completion requests, which go through the workbench and wait for
  // every completion provider of Markdown, the built-in Markdown language server's too.
  const worksTimer = setInterval(() => {
    if (api.works.length >= minWorks) {
      worksMs = performance.now() - tAct;
      clearInterval(worksTimer);
    }
  }, 5);
  let polls = 0;
  /** Each completion request through the workbench: sent and answered, ms after activation. */
  const requests: [number, number][] = [];
  let cpuAtCompletion: Cpu = { processMs: NaN, mainMs: undefined };
  /**
   * The workbench's own floor: a completion asked with a trigger character only Markdown's
   * provider takes (`#`, a heading link; ours is not asked), sent with the first request.
   */
  let floorMs = NaN;
  let floor: Promise<void> = Promise.resolve();
  if (query) {
    const id = query.id;
    // Both documents at once: opening them one after the other sent the requests ~0.5 s later.
    const [doc, linkDoc] = await Promise.all([
      vscode.workspace.openTextDocument({ language: 'markdown', content: `As shown [@${id}` }),
      vscode.workspace.openTextDocument({ language: 'markdown', content: '# Methods\n\nSee [the methods](#' }),
    ]);
    const linkPos = linkDoc.positionAt(linkDoc.getText().length);
    floor = Promise.resolve(vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', linkDoc.uri, linkPos, '#')).then(() => {
      floorMs = performance.now() - tAct;
    });
    const pos = doc.positionAt(doc.getText().length);
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`no completion listed ${id} within 300 s`);
      polls++;
      const sent = performance.now() - tAct;
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
      requests.push([sent, performance.now() - tAct]);
      const hit = list.items.some((i) => {
        const text = typeof i.insertText === 'string' ? i.insertText : i.insertText instanceof vscode.SnippetString ? i.insertText.value : '';
        return text.includes(`@${id}`);
      });
      if (hit) {
        firstCompletionMs = performance.now() - tAct;
        cpuAtCompletion = cpuSince(p0, m0);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await floor;
  await waitFor(`${minWorks} works`, () => api.works.length >= minWorks);
  clearInterval(worksTimer);
  if (Number.isNaN(worksMs)) worksMs = performance.now() - tAct;
  await api.whenIndexed();
  const readyMs = performance.now() - tAct;
  const cpuAtReady = cpuSince(p0, m0);
  const blocks = sampler.stop();
  await prof.stop();
  const memory = process.memoryUsage();
  const cacheFile = api.indexCacheFile;
  if (!cacheFile) throw new Error('no warm-start cache file (no workspace storage?)');

  if (phase === 'prime') {
    // The next launch asks for a work from the middle of the list: not the first chunk's.
    const w = api.works[Math.floor(api.works.length / 2)];
    fs.writeFileSync(queryFile, JSON.stringify({ id: w.id, works: api.works.length } satisfies WarmQuery));
    // The cache is written a few seconds after indexing settles; the restart needs it.
    const since = Date.now() - (performance.now() - tOpen);
    await waitFor('the warm-start cache written', () => fs.existsSync(cacheFile) && fs.statSync(cacheFile).mtimeMs > since, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
  } else if (!fs.existsSync(cacheFile)) throw new Error(`the warm-start cache ${cacheFile} is missing on the restart`);

  const r: WarmLaunchResult = {
    phase,
    load,
    works: api.works.length,
    activateMs: tAct - tOpen,
    firstCompletionMs,
    floorMs,
    polls,
    worksMs,
    readyMs,
    cpuAtCompletion,
    cpuAtReady,
    cacheBytes: fs.statSync(cacheFile).size,
    blocks,
    memory: { heapMB: memory.heapUsed / 1048576, rssMB: memory.rss / 1048576 },
  };
  console.log(
    `${phase}: ${r.works} works; activated in ${r.activateMs.toFixed(0)} ms; first completion ${r.firstCompletionMs.toFixed(0)} ms after activation (${polls} requests), all works ${r.worksMs.toFixed(0)} ms, ready ${r.readyMs.toFixed(0)} ms; ` +
      `Markdown's own completion (the floor) answered at ${floorMs.toFixed(0)}; requests sent → answered ${requests.map(([a, b]) => `${a.toFixed(0)}→${b.toFixed(0)}`).join(', ')}; our provider ran at ${api
        .requestSamples('completion')
        .map((q) => `${(q.start - tAct).toFixed(0)} (${q.ms.toFixed(1)} ms)`)
        .join(', ')}; ` +
      `CPU to ready ${r.cpuAtReady.processMs.toFixed(0)} ms (main thread ${r.cpuAtReady.mainMs?.toFixed(0) ?? '?'}); longest block ${blocks.maxBlockMs.toFixed(0)} ms; load ${load.map((x) => x.toFixed(1)).join(' ')}`,
  );
  return r;
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('no workspace folder');
  const phase = process.env.CORPUS_CITE_BENCH_WARM === 'prime' ? 'prime' : 'warm';
  const out = process.env.CORPUS_CITE_BENCH_OUT ?? path.join(folder, `host-warm-${phase}.json`);
  fs.rmSync(out, { force: true });
  try {
    const result = await launch(folder, phase);
    fs.writeFileSync(out, JSON.stringify(result, null, 2));
    console.log('INTEGRATION-RESULT passed=1 failed=0');
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    console.log('INTEGRATION-RESULT passed=0 failed=1');
    throw e;
  }
}
