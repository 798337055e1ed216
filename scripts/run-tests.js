#!/usr/bin/env node
// The test command: build, unit tests in plain Node, integration tests in a real VS Code
// extension host (English, then zh-cn for the Chinese cards); ends with one line "N passed, N failed" summing both.
// CORPUS_CITE_SKIP_INTEGRATION=1 runs the unit tests only (the summary says so).
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, parseTag) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  if (!parseTag) return { ok: r.status === 0 };
  const m = new RegExp(`${parseTag} passed=(\\d+) failed=(\\d+)`).exec(r.stdout ?? '');
  if (!m) return { ok: false, passed: 0, failed: 1, note: `${parseTag} line missing (exit ${r.status})` };
  const failed = Number(m[2]) + (r.status !== 0 && Number(m[2]) === 0 ? 1 : 0);
  return { ok: r.status === 0, passed: Number(m[1]), failed };
}

let passed = 0;
let failed = 0;
const notes = [];

const build = run(npm, ['run', '--silent', 'build']);
if (!build.ok) {
  failed++;
  notes.push('build failed');
} else {
  const unit = run(process.execPath, [path.join(root, 'node_modules/mocha/bin/mocha.js'), '--reporter', path.join(__dirname, 'mocha-count-reporter.js')], 'UNIT-RESULT');
  passed += unit.passed;
  failed += unit.failed;
  if (unit.note) notes.push(unit.note);
  if (process.env.CORPUS_CITE_SKIP_INTEGRATION === '1') notes.push('integration tests skipped (CORPUS_CITE_SKIP_INTEGRATION=1)');
  else {
    // The whole suite in an English host, then the Chinese cards in a zh-cn host (those tests
    // skip themselves in the English run, so without this run they would never be checked).
    for (const script of ['test:integration', 'test:integration:zh']) {
      const integ = run(npm, ['run', '--silent', script], 'INTEGRATION-RESULT');
      passed += integ.passed;
      failed += integ.failed;
      if (integ.note) notes.push(`${script}: ${integ.note}`);
    }
  }
}
for (const n of notes) process.stdout.write(`note: ${n}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
