// Shared pieces of the extension-host harness: find the VS Code server installed by
// install-code-server.sh, start it in its own process group with fresh per-run dirs, open its
// web workbench in Debian's chromium through playwright-core, and clean everything up.
// Plain CommonJS, no dependencies besides playwright-core. See scripts/host/README.md.
'use strict';

const cp = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_VERSION = '4.100.3';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Workbench settings that keep runs quiet and screenshots stable. */
const WORKBENCH_SETTINGS = {
  // Light+, not Light Modern: with the server installed under the extension development path
  // (.vscode-test/ inside the project) the web workbench resolves a light theme to Light+
  // anyway (measured); naming it keeps every run the same.
  'workbench.colorTheme': 'Default Light+',
  'editor.minimap.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.cursorBlinking': 'solid',
  'workbench.editor.enablePreview': false,
  // The port finder of a remote window runs a child process every few seconds in the extension
  // host (a fork of the whole process: 40–100 ms stalls in the host benchmark, none of them ours).
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
};

function log(prefix, msg) {
  process.stderr.write(`[${prefix}] ${msg}\n`);
}

/** Locates server-main.js of the installed VS Code server, or explains how to install it. */
function findServer(version = process.env.CODE_SERVER_VERSION || DEFAULT_VERSION) {
  const dir = path.join(ROOT, '.vscode-test', `code-server-${version}`);
  const serverMain = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  if (!fs.existsSync(path.join(dir, '.corpus-cite-installed')) || !fs.existsSync(serverMain)) {
    throw new Error(`VS Code server (code-server ${version}) is not installed: run \`npm run host:install\` first`);
  }
  const product = JSON.parse(fs.readFileSync(path.join(path.dirname(path.dirname(serverMain)), 'product.json'), 'utf8'));
  return { version, dir, serverMain, vscodeVersion: product.version };
}

function chromiumPath() {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(p)) {
    throw new Error(`${p} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return p;
}

/** A free port (`want`: that one, or reject when it is taken). */
function freePort(want = 0) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(want, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Fresh, short per-run dirs under /tmp (unix socket paths must stay < 108 bytes):
 * server data, user data, extensions, browser profile, XDG_* and TMPDIR.
 *
 * `reuse`: an existing (or new) base dir to use instead of a fresh one, for a second launch on
 * the same user data (a restart: the workspace storage, and so the warm-start cache, is kept).
 * Only the browser profile and TMPDIR start empty again: the web workbench would otherwise
 * restore the last session's editors from the profile and activate the extension before the
 * suite runs. The caller keeps (and finally removes) such a dir itself.
 */
function makeRunDirs(tag, { reuse } = {}) {
  if (reuse) {
    fs.mkdirSync(reuse, { recursive: true, mode: 0o700 });
    for (const sub of ['b', 't']) fs.rmSync(path.join(reuse, sub), { recursive: true, force: true });
  }
  const base = reuse ? path.resolve(reuse) : fs.mkdtempSync(path.join(fs.existsSync('/tmp') ? '/tmp' : os.tmpdir(), `cc${tag}-`));
  const d = {
    base,
    serverData: path.join(base, 's'),
    userData: path.join(base, 'u'),
    extensions: path.join(base, 'e'),
    browser: path.join(base, 'b'),
    tmp: path.join(base, 't'),
    xdgConfig: path.join(base, 'x', 'c'),
    xdgData: path.join(base, 'x', 'd'),
    xdgCache: path.join(base, 'x', 'k'),
    xdgState: path.join(base, 'x', 's'),
    xdgRuntime: path.join(base, 'x', 'r'),
  };
  for (const [k, v] of Object.entries(d)) if (k !== 'base') fs.mkdirSync(v, { recursive: true, mode: 0o700 });
  return d;
}

/**
 * Writes the workbench settings. With the VS Code server from code-server the user's settings
 * live on the server in <user-data-dir>/User/settings.json (measured: a window-scoped setting
 * there applies; <server-data-dir>/data/Machine/settings.json does not affect the window).
 */
function writeSettings(dirs, extra = {}) {
  const dir = path.join(dirs.userData, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...WORKBENCH_SETTINGS, ...extra }, null, 2));
}

/** The environment for the server and the browser: no leaked npm/VS Code variables, fresh XDG. */
function cleanEnv(dirs) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NPM_|VSCODE_|ELECTRON_|INIT_CWD$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_STATE_HOME: dirs.xdgState,
    XDG_RUNTIME_DIR: dirs.xdgRuntime,
  });
  return env;
}

function serverArgs(server, dirs, port) {
  return [
    server.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-telemetry',
    '--telemetry-level', 'off',
    '--disable-workspace-trust',
    '--skip-welcome',
    '--force-disable-user-env', // do not spawn a login shell to resolve the environment (~2 s)
    '--server-data-dir', dirs.serverData,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--logsPath', path.join(dirs.serverData, 'logs'),
  ];
}

/** Installs a .vsix into the run's extensions dir with the server's own CLI. */
function installVsix(server, dirs, vsix) {
  const abs = path.resolve(vsix);
  if (!fs.existsSync(abs)) throw new Error(`no such .vsix: ${abs}`);
  const r = cp.spawnSync(process.execPath, [
    server.serverMain,
    '--accept-server-license-terms',
    '--server-data-dir', dirs.serverData,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--install-extension', abs,
    '--force',
  ], { env: cleanEnv(dirs), encoding: 'utf8', timeout: 120000 });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`--install-extension ${abs} failed (status ${r.status}):\n${out}`);
  }
  return out.trim();
}

/**
 * Starts the server detached (its own process group) and resolves once it listens.
 * Output goes to `logFile`; `onLine` sees each line too.
 */
function startServer(server, dirs, port, { logFile, onLine } = {}) {
  const child = cp.spawn(process.execPath, serverArgs(server, dirs, port), {
    cwd: dirs.base,
    env: cleanEnv(dirs),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Last resort if the runner dies without its clean-up: never leave the server group behind.
  const reap = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', reap);
  const out = logFile ? fs.createWriteStream(logFile) : null;
  let ready = false;
  const ready$ = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('VS Code server did not start listening within 60 s')), 60000);
    const onData = (buf) => {
      const text = buf.toString();
      if (out) out.write(text);
      for (const line of text.split(/\r?\n/)) {
        if (!line) continue;
        if (onLine) onLine(line);
        if (!ready && /Extension host agent listening on|HTTP server listening on/.test(line)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (out) out.end();
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`VS Code server exited before listening (code ${code}, signal ${signal})`));
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return { child, ready: ready$ };
}

/** SIGTERM the server's process group, then SIGKILL whatever is left after `graceMs`. */
async function killGroup(child, graceMs = 3000) {
  if (!child || child.pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const until = Date.now() + graceMs;
  while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Launches Debian's chromium headless with a fresh profile; returns the persistent context. */
async function launchBrowser(dirs, { width = 1280, height = 800 } = {}) {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    throw new Error('playwright-core is missing: run `npm install` (it is a devDependency) or `npm run host:install`');
  }
  return chromium.launchPersistentContext(dirs.browser, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    env: cleanEnv(dirs),
    viewport: { width, height },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    timeout: 60000,
  });
}

/**
 * The workbench URL. `payload` pairs [name, absolute path] become vscode-remote URIs the web
 * workbench reads (extensionDevelopmentPath, extensionTestsPath); `plain` pairs go in as they are.
 */
function workbenchUrl(port, folder, payload = [], plain = []) {
  const authority = `127.0.0.1:${port}`;
  const params = new URLSearchParams();
  params.set('folder', folder);
  const pairs = [...payload.map(([k, p]) => [k, `vscode-remote://${authority}${p}`]), ...plain];
  if (pairs.length) params.set('payload', JSON.stringify(pairs));
  return `http://${authority}/?${params.toString()}`;
}

function timestamp() {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Copies the workspace folder into the run dir (<base>/w/<same name>), so that tests and
 * screenshots that write into it (settings, new corpus files, edits) never touch the
 * repository's fixture and parallel runs do not see each other's files. `keepExisting`: a copy
 * already there (a reused run dir) is used as it is.
 */
function copyWorkspace(folder, dirs, { keepExisting = false } = {}) {
  const dst = path.join(dirs.base, 'w', path.basename(folder));
  // A reused run dir keeps its copy as the last launch left it (same files, same mtimes).
  if (keepExisting && fs.existsSync(dst)) return dst;
  fs.cpSync(folder, dst, { recursive: true, dereference: true });
  for (const f of walk(dst)) fs.chmodSync(f.path, f.dir ? 0o755 : 0o644); // seeds may be read-only
  return dst;
}

function* walk(dir) {
  yield { path: dir, dir: true };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield { path: p, dir: false };
  }
}

/** Copies a directory tree (logs only: small files); ignores errors. */
function copyTree(src, dst) {
  try {
    if (fs.existsSync(src)) fs.cpSync(src, dst, { recursive: true, dereference: false });
  } catch {
    /* best effort */
  }
}

function rmrf(p) {
  try {
    fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

module.exports = {
  ROOT,
  CHROMIUM_ARGS,
  WORKBENCH_SETTINGS,
  log,
  findServer,
  chromiumPath,
  freePort,
  makeRunDirs,
  writeSettings,
  copyWorkspace,
  cleanEnv,
  installVsix,
  startServer,
  killGroup,
  launchBrowser,
  workbenchUrl,
  timestamp,
  copyTree,
  rmrf,
};
