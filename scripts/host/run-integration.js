#!/usr/bin/env node
// Runs the integration mocha suite inside a real VS Code extension host: the VS Code server
// from `code-server` (installed by install-code-server.sh) with the smoke-test driver on, its
// web workbench opened in headless chromium with ?folder=...&payload=... carrying
// extensionDevelopmentPath / extensionTestsPath. The suite's output arrives through the page
// function codeAutomationLog and the extension host's exit code through codeAutomationExit.
//
// Usage: node scripts/host/run-integration.js [options] [folder]
//   --extensionDevelopmentPath=<dir>  extension under test (default: project root)
//   --extensionTestsPath=<file>       suite entry exporting run() (default: out/test/integration/index)
//   --folder=<dir> | <dir>            workspace folder to open (default: test/fixtures-workspace)
//   --no-copy                         open the folder itself (default: a fresh copy in the run dir)
//   --run-dir=<dir>                   use (and keep) this run dir: a later run on the same dir is a
//                                     restart (same user data and workspace storage, same copy)
//   --timeout=<seconds>               fail after this long (default 180, env CORPUS_CITE_HOST_TIMEOUT)
//   --keep-logs                       keep the run's logs in .vscode-test/logs even when it passes
//   --verbose                         also echo the server's and the browser's own output
//   --locale=<tag>                    display language reported to extensions (zh-cn; env CORPUS_CITE_HOST_LOCALE)
// Desktop flags that @vscode/test-electron adds (--no-sandbox, --user-data-dir=..., ...) are ignored.
// Prints `INTEGRATION-RESULT passed=N failed=M` as its last line; exits with the host's code.
'use strict';

const fs = require('fs');
const path = require('path');
const util = require('util');
const lib = require('./lib');

const TAG = 'integration';
/** Workbench chatter that reaches codeAutomationLog besides the suite's output (kept in the log). */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
  /^Creation of workbench contribution '.*' took \d+ms/,
  /^\[Service Worker\]/,
  /ENOTFOUND (open-vsx\.org|marketplace\.visualstudio\.com|.*\.vscode-cdn\.net|update\.code\.visualstudio\.com)/,
  /^Canceled(: Canceled)?$/,
  /vsda/,
];

function parseArgs(argv) {
  const o = {
    extensionDevelopmentPath: lib.ROOT,
    extensionTestsPath: path.join(lib.ROOT, 'out', 'test', 'integration', 'index'),
    folder: path.join(lib.ROOT, 'test', 'fixtures-workspace'),
    timeout: Number(process.env.CORPUS_CITE_HOST_TIMEOUT || 180),
    keepLogs: false,
    copy: true,
    runDir: undefined,
    verbose: !!process.env.CORPUS_CITE_HOST_VERBOSE,
    locale: process.env.CORPUS_CITE_HOST_LOCALE ? process.env.CORPUS_CITE_HOST_LOCALE.toLowerCase() : undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      o.folder = path.resolve(a);
      continue;
    }
    const [, key, inline] = m;
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (key) {
      case 'extensionDevelopmentPath': o.extensionDevelopmentPath = path.resolve(value()); break;
      case 'extensionTestsPath': o.extensionTestsPath = path.resolve(value()); break;
      case 'folder': o.folder = path.resolve(value()); break;
      case 'timeout': o.timeout = Number(value()); break;
      case 'keep-logs': o.keepLogs = true; break;
      case 'no-copy': o.copy = false; break;
      case 'run-dir': o.runDir = path.resolve(value()); break;
      case 'verbose': o.verbose = true; break;
      case 'help':
        process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 19).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      // Flags @vscode/test-electron passes to a desktop VS Code; the run makes its own dirs.
      case 'no-sandbox': case 'disable-gpu-sandbox': case 'disable-updates': case 'skip-welcome':
      case 'skip-release-notes': case 'disable-workspace-trust': case 'new-window': case 'disable-gpu':
      case 'disable-extensions': // built-in extensions stay enabled in the web workbench either way
        break;
      case 'locale': o.locale = String(value()).toLowerCase(); break;
      case 'user-data-dir': case 'extensions-dir':
        value();
        break;
      default:
        lib.log(TAG, `ignoring unsupported argument ${a}`);
    }
  }
  if (!(o.timeout > 0)) throw new Error(`bad --timeout ${o.timeout}`);
  return o;
}

function resolveTestsEntry(p) {
  for (const c of [p, `${p}.js`, path.join(p, 'index.js')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return p;
  }
  throw new Error(`extensionTestsPath ${p} does not exist (compile the suite first: tsc -p tsconfig.integration.json)`);
}

async function main() {
  const started = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  // The suite checks English texts; in another language only the tests written for it run
  // (their titles say the language: "in Simplified Chinese"), unless a grep is given.
  if (opts.locale && !process.env.CORPUS_CITE_TEST_GREP) process.env.CORPUS_CITE_TEST_GREP = opts.locale.startsWith('zh') ? 'Chinese' : opts.locale;
  resolveTestsEntry(opts.extensionTestsPath);
  if (!fs.existsSync(opts.folder)) throw new Error(`workspace folder ${opts.folder} does not exist`);
  const pkgJson = path.join(opts.extensionDevelopmentPath, 'package.json');
  if (!fs.existsSync(pkgJson)) throw new Error(`extensionDevelopmentPath ${opts.extensionDevelopmentPath} has no package.json`);
  const main = JSON.parse(fs.readFileSync(pkgJson, 'utf8')).main;
  if (main && !['', '.js', '.cjs'].some((ext) => fs.existsSync(path.resolve(opts.extensionDevelopmentPath, main + ext)))) {
    lib.log(TAG, `warning: the extension's main ${main} does not exist (run \`npm run build\`?)`);
  }

  const server = lib.findServer();
  lib.chromiumPath();
  const dirs = lib.makeRunDirs('i', { reuse: opts.runDir });
  lib.writeSettings(dirs);
  const folder = opts.copy ? lib.copyWorkspace(opts.folder, dirs, { keepExisting: !!opts.runDir }) : opts.folder;
  const logDir = path.join(lib.ROOT, '.vscode-test', 'logs', `${TAG}-${lib.timestamp()}`);
  const testLog = [];
  const browserLog = [];
  let result = null; // { passed, failed } from the suite's INTEGRATION-RESULT line
  let exitCode = null;
  let failure = null;
  let serverProc = null;
  let context = null;
  let page = null;
  let hostLogs = [];
  let finish;
  const finished = new Promise((r) => (finish = r));

  const onSignal = (sig) => {
    failure = `interrupted by ${sig}`;
    finish();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(() => {
    failure = `timed out after ${opts.timeout} s`;
    finish();
  }, opts.timeout * 1000);

  const phase = (what) => {
    if (opts.verbose) lib.log(TAG, `${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  };
  const emit = (level, text) => {
    testLog.push(text);
    const m = /INTEGRATION-RESULT passed=(\d+) failed=(\d+)/.exec(text);
    if (m) {
      result = { passed: Number(m[1]), failed: Number(m[2]) };
      return; // printed once, at the very end
    }
    (level === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
  };

  try {
    // The web workbench names the workspace storage after the folder's vscode-remote URI, whose
    // authority holds the port: a restart on a reused run dir needs the same port to find the
    // same storage (and the extension's warm-start cache in it).
    const portFile = opts.runDir ? path.join(dirs.base, 'port') : undefined;
    const lastPort = portFile && fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, 'utf8')) : 0;
    const port = lastPort ? await lib.freePort(lastPort).catch(() => { throw new Error(`port ${lastPort} of the reused run dir is taken: its workspace storage would not be found`); }) : await lib.freePort();
    if (portFile) fs.writeFileSync(portFile, String(port));
    lib.log(TAG, `VS Code ${server.vscodeVersion} server (code-server ${server.version}) on 127.0.0.1:${port}, run dir ${dirs.base}`);
    const s = lib.startServer(server, dirs, port, {
      logFile: path.join(dirs.base, 'server.log'),
      onLine: opts.verbose ? (l) => lib.log('server', l) : undefined,
    });
    serverProc = s.child;
    serverProc.on('exit', (code, signal) => {
      if (exitCode === null && !failure) {
        failure = `VS Code server exited (code ${code}, signal ${signal})`;
        finish();
      }
    });
    await Promise.race([s.ready, finished]);
    if (failure) throw new Error(failure);
    phase('server listening');

    context = await lib.launchBrowser(dirs);
    page = context.pages()[0] || (await context.newPage());
    if (opts.locale) {
      // A display language without a language pack (none can be fetched here): the workbench
      // keeps its English texts but reports the language, so the extension host's
      // vscode.env.language and the extensions' l10n bundles follow it.
      await page.addInitScript((lang) => {
        Object.defineProperty(globalThis, '_VSCODE_NLS_LANGUAGE', { get: () => lang, set: () => {}, configurable: false });
      }, opts.locale);
    }
    phase('browser up');
    page.on('console', (msg) => {
      const line = `[${msg.type()}] ${msg.text()}`;
      browserLog.push(line);
      if (opts.verbose) lib.log('browser', line);
    });
    page.on('pageerror', (err) => {
      browserLog.push(`[pageerror] ${err.stack || err}`);
      if (opts.verbose) lib.log('browser', `[pageerror] ${err}`);
    });
    page.on('crash', () => {
      failure = 'the workbench page crashed';
      finish();
    });
    await page.exposeFunction('codeAutomationLog', (level, args) => {
      const parts = Array.isArray(args) ? args : [args];
      const text = util.format(...parts);
      const noise = WORKBENCH_NOISE.some((re) => re.test(text));
      if (noise) {
        testLog.push(`(workbench) ${text}`);
        if (opts.verbose) lib.log('workbench', text);
        return;
      }
      for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) emit(level, line);
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      exitCode = typeof code === 'number' ? code : Number(code) || 0;
      hostLogs = Array.isArray(logs) ? logs : [];
      finish();
    });

    const url = lib.workbenchUrl(port, folder, [
      ['extensionDevelopmentPath', opts.extensionDevelopmentPath],
      ['extensionTestsPath', opts.extensionTestsPath],
    ]);
    fs.writeFileSync(path.join(dirs.base, 'url.txt'), `${url}\n`);
    lib.log(TAG, `opening the workbench on ${opts.copy ? 'a copy of ' : ''}${path.relative(lib.ROOT, opts.folder) || '.'}, tests ${path.relative(lib.ROOT, opts.extensionTestsPath)}`);
    await Promise.race([page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 }), finished]);
    phase('workbench page loaded');
    await finished;
  } catch (e) {
    failure = failure || (e && e.message) || String(e);
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  const ok = !failure && exitCode === 0;
  if (!ok || opts.keepLogs) {
    fs.mkdirSync(logDir, { recursive: true });
    if (page && !page.isClosed()) {
      await page.screenshot({ path: path.join(logDir, 'screen.png'), timeout: 10000 }).catch(() => {});
    }
    fs.writeFileSync(path.join(logDir, 'test-output.log'), testLog.join('\n') + '\n');
    fs.writeFileSync(path.join(logDir, 'browser-console.log'), browserLog.join('\n') + '\n');
    for (const l of hostLogs) {
      if (!l || typeof l.relativePath !== 'string') continue;
      const dst = path.join(logDir, 'workbench-logs', path.normalize(l.relativePath).replace(/^(\.\.[/\\])+/, ''));
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.writeFileSync(dst, String(l.contents ?? ''));
    }
  }
  if (context) await context.close().catch(() => {});
  await lib.killGroup(serverProc);
  if (!ok || opts.keepLogs) {
    lib.copyTree(path.join(dirs.base, 'server.log'), path.join(logDir, 'server.log'));
    lib.copyTree(path.join(dirs.base, 'url.txt'), path.join(logDir, 'url.txt'));
    lib.copyTree(path.join(dirs.serverData, 'logs'), path.join(logDir, 'server-logs'));
  }
  if (!opts.runDir) lib.rmrf(dirs.base);

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  let code;
  if (failure) {
    lib.log(TAG, `FAILED: ${failure}`);
    code = 1;
  } else {
    code = exitCode;
    lib.log(TAG, `extension host exited with code ${exitCode}`);
  }
  if (!ok || opts.keepLogs) lib.log(TAG, `logs kept in ${path.relative(lib.ROOT, logDir)}`);
  lib.log(TAG, `finished in ${secs} s`);
  if (!result) {
    lib.log(TAG, 'the suite reported no INTEGRATION-RESULT line: counting the run as one failure');
    result = { passed: 0, failed: 1 };
  } else if (code !== 0 && result.failed === 0) {
    result.failed = 1; // e.g. the host failed after the suite passed: never report a failed run as green
  }
  process.stdout.write(`INTEGRATION-RESULT passed=${result.passed} failed=${result.failed}\n`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    lib.log(TAG, `FAILED: ${e && e.stack ? e.stack : e}`);
    process.stdout.write('INTEGRATION-RESULT passed=0 failed=1\n');
    process.exit(1);
  },
);
