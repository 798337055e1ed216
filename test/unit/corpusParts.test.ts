/**
 * The logic of the corpus service's parts that runs without the editor: which files are in the
 * corpus and what a change of membership asks to re-index (core/io/corpusMembership.ts), the caps
 * of the problem report (core/index/problemReport.ts), and the host timing (src/vscode/hostTiming.ts).
 */
import * as assert from 'assert';
import { CorpusMembership } from '../../src/core/io/corpusMembership';
import type { Problem } from '../../src/core/model/model';
import { planProblems, problemKey } from '../../src/core/index/problemReport';
import * as cp from 'child_process';
import * as os from 'os';
import { HostTiming, passSummary, threadWaitClock } from '../../src/vscode/hostTiming';

describe('CorpusMembership (which files are in the corpus)', () => {
  it('takes glob, front-matter and sample files, never an output', () => {
    const m = new CorpusMembership(['file:///w/refs.bib']);
    m.setGlobFiles(['file:///w/a.bib', 'file:///w/refs.bib']);
    m.setFrontMatter('file:///w/paper.md', ['file:///w/lib.json']);
    m.setSample(['file:///ext/seeds/s.ris']);
    assert.ok(m.has('file:///w/a.bib'));
    assert.ok(m.has('file:///w/lib.json'));
    assert.ok(m.has('file:///ext/seeds/s.ris'));
    assert.ok(!m.has('file:///w/refs.bib'), 'an export target is never read back');
    assert.ok(!m.has('file:///w/other.bib'));
    assert.deepStrictEqual([...m.named()].sort(), ['file:///ext/seeds/s.ris', 'file:///w/a.bib', 'file:///w/lib.json', 'file:///w/refs.bib']);
  });

  it('ranks the workspace’s own files first, then front matter, then the sample', () => {
    const m = new CorpusMembership();
    m.setSample(['s', 'both']);
    m.setFrontMatter('doc', ['f', 'both']);
    m.addGlobFile('g');
    assert.deepStrictEqual(['g', 'f', 's', 'both', 'x'].map((k) => m.rank(k)), [0, 1, 2, 1, 3]);
  });

  it('reports the bibliographies a front-matter edit adds and removes, and nothing when it names the same', () => {
    const m = new CorpusMembership();
    assert.deepStrictEqual(m.setFrontMatter('doc', ['a', 'b']), { added: ['a', 'b'], removed: [] });
    assert.strictEqual(m.setFrontMatter('doc', ['b', 'a']), undefined);
    assert.deepStrictEqual(m.setFrontMatter('doc', ['b', 'c']), { added: ['c'], removed: ['a'] });
    assert.ok(!m.has('a') && m.has('c'));
    assert.deepStrictEqual(m.setFrontMatter('doc', []), { added: [], removed: ['b', 'c'] });
    assert.deepStrictEqual([...m.frontMatterFiles()], []);
  });

  it('keeps a bibliography another open document still names when one closes', () => {
    const m = new CorpusMembership();
    m.setFrontMatter('one', ['shared', 'only1']);
    m.setFrontMatter('two', ['shared']);
    assert.deepStrictEqual(m.forgetFrontMatter('one').sort(), ['only1', 'shared']);
    assert.deepStrictEqual(m.forgetFrontMatter('one'), []);
    assert.ok(m.has('shared') && !m.has('only1'));
    assert.deepStrictEqual([...m.frontMatterFiles()], ['shared']);
  });

  it('a missing file leaves the globs and the sample, but a named bibliography stays named', () => {
    const m = new CorpusMembership();
    m.setGlobFiles(['g']);
    m.setSample(['s']);
    m.setFrontMatter('doc', ['f']);
    for (const k of ['g', 's', 'f']) m.forgetMissing(k);
    assert.deepStrictEqual(['g', 's', 'f'].map((k) => m.has(k)), [false, false, true]);
  });

  it('finds a named bibliography under a folder, and closing the sample returns what it held', () => {
    const m = new CorpusMembership();
    m.setFrontMatter('doc', ['file:///w/refs/lib.bib']);
    assert.ok(m.frontMatterUnder('file:///w/refs/'));
    assert.ok(!m.frontMatterUnder('file:///w/ref/'));
    m.setSample(['s1', 's2']);
    assert.deepStrictEqual(m.setSample([]), ['s1', 's2']);
    assert.ok(!m.has('s1'));
  });

  it('adds an output once, keeping the order', () => {
    const m = new CorpusMembership(['a']);
    assert.strictEqual(m.addOutput('a'), false);
    assert.strictEqual(m.addOutput('b'), true);
    assert.deepStrictEqual(m.outputList(), ['a', 'b']);
  });
});

describe('planProblems (the capped problem report)', () => {
  const problem = (file: string, line: number, severity: Problem['severity'] = 'error'): Problem => ({ file, line, severity, message: `bad entry at ${line}` });
  const caps = { maxLogged: 3, maxPerFile: 2 };

  it('lists the first problems of each file and counts the rest', () => {
    const problems = [problem('a', 1), problem('b', 1), problem('a', 2), problem('a', 3), problem('a', 4)];
    const plan = planProblems(problems, new Set(), caps)!;
    assert.deepStrictEqual([...plan.byFile.keys()], ['a', 'b']);
    assert.deepStrictEqual(plan.byFile.get('a')!.shown.map((p) => p.line), [1, 2]);
    assert.strictEqual(plan.byFile.get('a')!.more, 2);
    assert.strictEqual(plan.byFile.get('b')!.more, 0);
    assert.strictEqual(plan.keys.size, 5);
  });

  it('names only new problems in the log, up to the cap, and counts the others', () => {
    const old = [problem('a', 1), problem('a', 2)];
    const plan = planProblems([...old, problem('a', 3), problem('b', 1), problem('b', 2), problem('b', 3), problem('c', 9, 'info')], new Set(old.map(problemKey)), caps)!;
    assert.deepStrictEqual(plan.toLog.map((p) => `${p.file}:${p.line}`), ['a:3', 'b:1', 'b:2']);
    assert.strictEqual(plan.notLogged, 2);
  });

  it('plans nothing when the problems are the ones already shown, in any order', () => {
    const problems = [problem('a', 1), problem('b', 2, 'warning')];
    const first = planProblems(problems, new Set(), caps)!;
    assert.strictEqual(planProblems([...problems].reverse(), first.keys, caps), undefined);
    // One fewer, or one changed in severity, is a change.
    assert.ok(planProblems(problems.slice(1), first.keys, caps));
    assert.ok(planProblems([problem('a', 1), problem('b', 2, 'error')], first.keys, caps));
  });

  it('a problem fixed and back again is logged again', () => {
    const p = problem('a', 1);
    const withIt = planProblems([p], new Set(), caps)!;
    const without = planProblems([], withIt.keys, caps)!;
    assert.deepStrictEqual(without.byFile.size, 0);
    assert.deepStrictEqual(planProblems([p], without.keys, caps)!.toLog, [p]);
  });
});

describe('HostTiming (slow steps and request durations)', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('logs and keeps steps over 50 ms only, and hands them over once', () => {
    const lines: string[] = [];
    const c = clock();
    const timing = new HostTiming({ info: (m) => lines.push(m) }, c.now);
    assert.strictEqual(timing.timed('quick', () => (c.advance(50), 1)), 1);
    timing.timed('slow', () => c.advance(51.4));
    timing.noteStep('measured elsewhere', 120);
    assert.deepStrictEqual(lines, ['[perf] slow held the extension host for 51 ms', '[perf] measured elsewhere held the extension host for 120 ms']);
    assert.deepStrictEqual(timing.takeSlowSteps().map((s) => s.what), ['slow', 'measured elsewhere']);
    assert.deepStrictEqual(timing.takeSlowSteps(), []);
  });

  it('notes a step that throws, and passes the error on', () => {
    const c = clock();
    const timing = new HostTiming({ info: () => undefined }, c.now);
    assert.throws(() =>
      timing.timed('failing', () => {
        c.advance(60);
        throw new Error('boom');
      }),
    /boom/);
    assert.deepStrictEqual(timing.takeSlowSteps(), [{ what: 'failing', ms: 60 }]);
  });

  it('gives p50, p99 and max of the last 2,000 requests of each kind', () => {
    const c = clock();
    const timing = new HostTiming({ info: () => undefined }, c.now);
    for (let i = 1; i <= 100; i++) timing.timedRequest('hover', () => c.advance(i));
    timing.timedRequest('completion', () => c.advance(7));
    assert.deepStrictEqual(timing.requestLatency(), { hover: { p50: 50, p99: 99, max: 100, n: 100 }, completion: { p50: 7, p99: 7, max: 7, n: 1 } });
    for (let i = 0; i < 2500; i++) timing.timedRequest('completion', () => c.advance(1));
    assert.strictEqual(timing.requestLatency().completion.n, 2000);
    assert.strictEqual(timing.requestLatency().completion.max, 1, 'the oldest dropped');
  });

  it('with a wait clock, keeps how long each request waited for a CPU beside its wall time', () => {
    const c = clock();
    let waited = 0;
    const timing = new HostTiming({ info: () => undefined }, c.now, () => waited);
    // Ran the whole time, then waited for a CPU for 9 of 10 ms.
    timing.timedRequest('completion', () => c.advance(2));
    timing.timedRequest('completion', () => (c.advance(10), (waited += 9)));
    assert.deepStrictEqual(timing.requestSamples('completion'), [
      { start: 0, ms: 2, waitedMs: 0 },
      { start: 2, ms: 10, waitedMs: 9 },
    ]);
    assert.deepStrictEqual(timing.requestLatency().completion, { p50: 2, p99: 10, max: 10, n: 2, onCpu: { p50: 1, p99: 2, max: 2 } });
    // Without a clock there is no CPU figure, and a clock that fails leaves it out.
    const plain = new HostTiming({ info: () => undefined }, c.now);
    plain.timedRequest('hover', () => c.advance(1));
    assert.deepStrictEqual(plain.requestSamples('hover'), [{ start: 12, ms: 1 }]);
    assert.strictEqual(plain.requestLatency().hover.onCpu, undefined);
    const failing = new HostTiming({ info: () => undefined }, c.now, () => undefined);
    failing.timedRequest('hover', () => c.advance(1));
    assert.strictEqual(failing.requestLatency().hover.onCpu, undefined);
  });

  it('reads how long this thread waited for a CPU from the kernel where there is one (Linux)', async function () {
    const read = threadWaitClock();
    if (!read) this.skip();
    const a = read!()!;
    // Sleeping is not waiting for a CPU: the clock must not count it.
    await new Promise((r) => setTimeout(r, 30));
    const b = read!()!;
    assert.ok(Number.isFinite(a) && b >= a, `${a} then ${b}`);
    assert.ok(b - a < 25, `a 30 ms sleep counted as ${b - a} ms of waiting`);
    // One busy process per core beside this thread spinning: it must wait for a CPU some of the time.
    const cores = os.cpus().length;
    if (cores > 8) return;
    const busy = Array.from({ length: cores }, () => cp.spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 1500);'], { stdio: 'ignore' }));
    try {
      await new Promise((r) => setTimeout(r, 150));
      const c0 = read!()!;
      const t = performance.now();
      let x = 0;
      while (performance.now() - t < 400) x += Math.sqrt(x + 1);
      const waited = read!()! - c0;
      assert.ok(x > 0 && waited > 5 && waited < 400, `waited ${waited} ms of a 400 ms spin beside ${cores} busy processes`);
    } finally {
      for (const p of busy) p.kill();
    }
  });

  it('says in one log line what an indexing pass did, saying only what happened', () => {
    const built = { corpusFromCache: false, corpusMs: 120, searchMs: 30, chunks: 3, fetchMs: 40.4, longestChunkMs: 4.2 } as Parameters<typeof passSummary>[0]['built'];
    const line = passSummary({ files: 4, works: 38, problems: 0, findMs: 0, parsed: 4, cached: 0, inWorker: true, parseMs: 55, built, totalMs: 260 });
    assert.strictEqual(line, '[index] 4 files, 38 works, 0 problems; parsed 4 file(s) in a worker in 55 ms, built the corpus in 120 ms and its search index in 30 ms, received it in one message, taken in in 3 slices in 40 ms (longest step here 4 ms) (260 ms in all)');
    const warm = passSummary({ files: 4, works: 38, problems: 1, findMs: 7, parsed: 0, cached: 4, inWorker: false, parseMs: 2, built: { ...built, corpusFromCache: true }, totalMs: 50 });
    assert.match(warm, /searched the globs in 7 ms, parsed 0 file\(s\) in-process in 2 ms \(4 more unchanged since the last session, from the cache\), took the corpus from the cache/);
  });
});
