#!/usr/bin/env node
// Looks at Corpus Cite as a user would and takes the README screenshots: the VS Code server
// (installed by install-code-server.sh) without a test payload, its web workbench in headless
// chromium driven by Playwright. Opens test/fixtures-workspace, opens review.md, focuses the
// Corpus view from the command palette (tree.png), hovers `@gillard2022` and waits for the
// hover with its actions (hover.png), types `[@peer support` on the line `Peer support is ` and
// waits for the suggest widget with its details pane (completion.png). The typed text is never
// saved. Then it groups the tree by cited works (tree-cited.png), opens the citation map (Show
// Citation Map), waits until its webview has drawn the graph and picks a work with the map's
// search box (Gillard 2022, the record that cites most), so its links are lit and the side list says what it cites (map.png), and writes 1,500 record files
// into the workspace copy to catch the status bar and the view's progress while they are indexed
// (indexing.png). Then writes two short manuscripts into the (copied) workspace, one in APA and
// one with `csl: gb-t-7714-2015-numeric`, opens each with the Markdown preview to the side (side
// bar hidden) and waits, inside the preview's webview, for formatted citations and the reference
// list (preview-apa.png, preview-gbt.png).
// A widget that never appears fails the run (exit 1) and leaves a picture of the screen and the
// logs in .vscode-test/logs/screenshots-<time>/.
//
// Usage: node scripts/host/screenshots.js [options]
//   --vsix <file>        install this packaged extension (--install-extension) instead of
//                        loading the project as extensionDevelopmentPath
//   --extensionDevelopmentPath=<dir>  extension folder to load (default: project root)
//   --folder=<dir>       workspace (default: test/fixtures-workspace)
//   --file=<name>        Markdown file to open in it (default: review.md)
//   --out=<dir>          where the PNGs go (default: media/screenshots)
//   --only=<a,b>         take only some of: tree, completion, hover, tree-cited, indexing, map, preview-apa, preview-gbt
//   --map-search=<text>  the work the map shot picks with the map's search box (default: gillard 2022)
//   --timeout=<seconds>  how long to wait for each widget (default 30)
//   --width=<px> --height=<px>  window size (default 1280x800)
//   --verbose            echo the server's and the browser's output
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const TAG = 'screenshots';
const SHOTS = ['tree', 'completion', 'hover', 'tree-cited', 'indexing', 'map', 'preview-apa', 'preview-gbt'];
/** Record files written for indexing.png: enough for a few seconds of indexing. */
const INDEXING_FILES = 1500;

/** `n` small RIS records with varied authors, titles and years (deterministic). */
function writeLibrary(dir, n) {
  const families = ['Smith', 'Nguyen', 'Okafor', 'Larsen', 'Tanaka', 'Moreau', 'Silva', 'Kowalski', 'Haddad', 'Brennan', 'Iyer', 'Fischer'];
  const given = ['Anna', 'Ben', 'Chen', 'Dara', 'Elif', 'Femi', 'Greta', 'Hugo'];
  const words = ['peer', 'support', 'recovery', 'services', 'outcomes', 'community', 'mental', 'health', 'lived', 'experience', 'workforce', 'trial'];
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const w = (k) => words[(i * 7 + k * 5) % words.length];
    const ris = ['TY  - JOUR', `AU  - ${families[i % families.length]}, ${given[(i >> 2) % given.length]}`, `TI  - ${w(0)[0].toUpperCase()}${w(0).slice(1)} ${w(1)} and ${w(2)} ${w(3)}: study ${i}`, `PY  - ${1990 + (i % 35)}`, 'JO  - Journal of Peer Support', 'ER  - ', ''].join('\n');
    fs.writeFileSync(path.join(dir, `rec${String(i).padStart(5, '0')}.ris`), ris);
  }
}

/** The manuscripts of the preview shots (keys of the fixture corpus), and a text each preview must show once formatted. */
const PREVIEW_BODY = [
  '# Peer support: a short review',
  '',
  'Peer support rests on mutuality, but the peer',
  'role changes once it is professionalised',
  '[@gillard2022; @mackay2022]. Peer workers must',
  'prove that they are well enough to be trusted',
  'and unwell enough to stay authentic',
  '(Voronka, 2019).',
  '',
  '@perkins2019 ask where the movement is heading.',
  'Staff who work alongside peer workers describe',
  'gains and friction [see @nash2022, p. 356]; the',
  'challenges peer workers report are stable over',
  'a decade [@kemp2012; @moore2021]. Evaluations',
  'span student services [@byrom2018], and',
  'Lu et al. [-@lu2023] validate a scale for',
  'adolescents.',
  '',
];
const PREVIEWS = [
  {
    shot: 'preview-apa',
    file: 'preview-apa.md',
    text: ['---', 'title: Peer support in mental health services', 'reference-section-title: References', '---', '', ...PREVIEW_BODY].join('\n'),
    expect: ['(Gillard, 2022; Mackay et al., 2022)', '(see Nash et al., 2022, p. 356)', 'Perkins, R., & Repper, J. (2019). Where is peer support going?'],
  },
  {
    shot: 'preview-gbt',
    file: 'preview-gbt.md',
    text: ['---', 'title: Peer support in mental health services', 'csl: gb-t-7714-2015-numeric', 'reference-section-title: 参考文献', '---', '', ...PREVIEW_BODY].join('\n'),
    expect: ['[1,2]', '[5,6]', 'PERKINS R, REPPER J. Where is peer support going?[J/OL]'],
  },
];

function parseArgs(argv) {
  const o = {
    vsix: null,
    extensionDevelopmentPath: lib.ROOT,
    folder: path.join(lib.ROOT, 'test', 'fixtures-workspace'),
    file: 'review.md',
    out: path.join(lib.ROOT, 'media', 'screenshots'),
    only: SHOTS,
    timeout: 30,
    width: 1280,
    height: 800,
    verbose: !!process.env.CORPUS_CITE_HOST_VERBOSE,
    // Two words: the rows (label, authors, title and journal) and the details pane of the first.
    completionPrefix: '[@peer support',
    // A record: its card has the formatted entry and the actions (Open DOI too).
    hoverText: '@gillard2022',
    mapSearch: 'gillard 2022',
    viewName: 'Corpus',
    viewId: 'corpusCite.corpus',
  };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const [, key, inline] = m;
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (key) {
      case 'vsix': o.vsix = path.resolve(value()); break;
      case 'extensionDevelopmentPath': o.extensionDevelopmentPath = path.resolve(value()); break;
      case 'folder': o.folder = path.resolve(value()); break;
      case 'file': o.file = value(); break;
      case 'out': o.out = path.resolve(value()); break;
      case 'only': o.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case 'timeout': o.timeout = Number(value()); break;
      case 'width': o.width = Number(value()); break;
      case 'height': o.height = Number(value()); break;
      case 'map-search': o.mapSearch = value(); break;
      case 'verbose': o.verbose = true; break;
      case 'help':
        process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 21).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option --${key}`);
    }
  }
  for (const s of o.only) if (!SHOTS.includes(s)) throw new Error(`--only: unknown shot ${s}`);
  if (!(o.timeout > 0)) throw new Error('bad --timeout');
  return o;
}

class StepError extends Error {}

async function main() {
  const started = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const filePath = path.join(opts.folder, opts.file);
  if (!fs.existsSync(filePath)) throw new Error(`${filePath} does not exist`);
  const server = lib.findServer();
  lib.chromiumPath();
  const dirs = lib.makeRunDirs('s');
  lib.writeSettings(dirs, {
    'editor.wordBasedSuggestions': 'off', // the suggest rows must come from the extension
    'editor.hover.delay': 200,
    'files.autoSave': 'off', // the script types into review.md; never write it back
    'workbench.editor.empty.hint': 'hidden',
    'workbench.layoutControl.enabled': false,
    'window.commandCenter': false,
    'chat.commandCenter.enabled': false,
  });
  const logDir = path.join(lib.ROOT, '.vscode-test', 'logs', `${TAG}-${lib.timestamp()}`);
  const browserLog = [];
  const ms = opts.timeout * 1000;
  const step = (msg) => lib.log(TAG, `${((Date.now() - started) / 1000).toFixed(1)} s: ${msg}`);
  let serverProc = null;
  let context = null;
  let page = null;
  let failure = null;
  const taken = [];

  try {
    const payload = [];
    if (opts.vsix) {
      step(`installing ${path.relative(lib.ROOT, opts.vsix)}`);
      lib.log(TAG, lib.installVsix(server, dirs, opts.vsix).split('\n').pop());
    } else {
      const pkg = JSON.parse(fs.readFileSync(path.join(opts.extensionDevelopmentPath, 'package.json'), 'utf8'));
      if (pkg.main && !['', '.js'].some((x) => fs.existsSync(path.resolve(opts.extensionDevelopmentPath, pkg.main + x)))) {
        throw new Error(`the extension's main ${pkg.main} does not exist: run \`npm run build\` first`);
      }
      payload.push(['extensionDevelopmentPath', opts.extensionDevelopmentPath]);
    }
    const folder = lib.copyWorkspace(opts.folder, dirs); // typing and tests never touch the fixture
    // The preview manuscripts exist before the workbench opens: Quick Open's file index, built at
    // start, did not always list files written later (seen on a loaded machine).
    for (const p of PREVIEWS.filter((x) => opts.only.includes(x.shot))) fs.writeFileSync(path.join(folder, p.file), p.text);
    const port = await lib.freePort();
    const s = lib.startServer(server, dirs, port, {
      logFile: path.join(dirs.base, 'server.log'),
      onLine: opts.verbose ? (l) => lib.log('server', l) : undefined,
    });
    serverProc = s.child;
    await s.ready;
    step(`VS Code ${server.vscodeVersion} server on 127.0.0.1:${port}`);

    context = await lib.launchBrowser(dirs, { width: opts.width, height: opts.height });
    page = context.pages()[0] || (await context.newPage());
    page.on('console', (msg) => {
      browserLog.push(`[${msg.type()}] ${msg.text()}`);
      if (opts.verbose) lib.log('browser', `[${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => browserLog.push(`[pageerror] ${err.stack || err}`));
    page.setDefaultTimeout(ms);

    /** Waits for `locator` to be visible, or fails the step with `what`. */
    const expect = async (locator, what) => {
      try {
        await locator.first().waitFor({ state: 'visible', timeout: ms });
      } catch {
        throw new StepError(`${what} did not appear within ${opts.timeout} s`);
      }
      return locator.first();
    };
    const runCommand = async (label) => {
      await page.keyboard.press('F1');
      const input = await expect(page.locator('.quick-input-widget .quick-input-box input'), 'the command palette');
      await input.fill(`>${label}`);
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label });
      await (await expect(row, `the command "${label}" in the palette`)).click();
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: ms }).catch(() => {});
    };
    const shot = async (name, { keepMouse = false } = {}) => {
      if (!keepMouse) {
        await page.mouse.move(opts.width - 3, Math.round(opts.height / 2)); // no stray hover or tooltip
        await page.waitForTimeout(300);
      }
      fs.mkdirSync(opts.out, { recursive: true });
      const file = path.join(opts.out, `${name}.png`);
      await page.screenshot({ path: file });
      taken.push(path.relative(lib.ROOT, file));
      step(`saved ${path.relative(lib.ROOT, file)}`);
    };

    await page.goto(lib.workbenchUrl(port, folder, payload), { waitUntil: 'domcontentloaded', timeout: 60000 });
    await expect(page.locator('.monaco-workbench .part.editor'), 'the workbench');
    await expect(page.locator('.explorer-folders-view .monaco-list-row', { hasText: opts.file }), `${opts.file} in the explorer`);
    step('workbench ready');

    // Open the Markdown file with Quick Open.
    await page.keyboard.press('Control+P');
    const qo = await expect(page.locator('.quick-input-widget .quick-input-box input'), 'Quick Open');
    await qo.fill(opts.file);
    await expect(page.locator('.quick-input-widget .monaco-list-row', { hasText: opts.file }), `${opts.file} in Quick Open`);
    await page.keyboard.press('Enter');
    const editor = await expect(page.locator('.editor-group-container.active .monaco-editor .view-lines'), `the editor of ${opts.file}`);
    await expect(page.locator('.tab.active', { hasText: opts.file }), `the ${opts.file} tab`);
    step(`${opts.file} open`);
    await runCommand('Notifications: Clear All Notifications').catch(() => {});

    // The Corpus view, focused from the palette.
    await runCommand(`Focus on ${opts.viewName} View`);
    // The view's pane: its header title is the view name (a description may follow in a span),
    // and its header icon carries a class made from the view id (corpusCite.corpus).
    const pane = page.locator('.pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^\\s*${opts.viewName}\\s*$`, 'i') }) })
      .or(page.locator('.pane', { has: page.locator(`.pane-header .icon.view-${opts.viewId.replace(/\\./g, '-')}`) }));
    await expect(pane, `the ${opts.viewName} view`);
    await expect(pane.locator('.monaco-list-row'), `a row in the ${opts.viewName} tree`);
    await page.waitForTimeout(500); // let the tree finish rendering its rows
    if (opts.only.includes('tree')) await shot('tree');

    // Hover over the citation text.
    if (opts.only.includes('hover')) {
      await page.mouse.move(5, 5);
      const box = await page.evaluate((needle) => {
        const root = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
        if (!root) return null;
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n.textContent.replace(/\u00a0/g, ' ');
          const i = text.indexOf(needle.split(/[ ,]/)[0]);
          if (i < 0) continue;
          const range = document.createRange();
          range.setStart(n, i);
          range.setEnd(n, Math.min(text.length, i + 3));
          const r = range.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
        return null;
      }, opts.hoverText);
      if (!box) throw new StepError(`"${opts.hoverText}" is not visible in the editor`);
      await page.mouse.move(box.x, box.y, { steps: 4 });
      await expect(page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: /\S/ }), 'the hover');
      // The first hover may come before the style engine is ready (the card then has no
      // formatted entry): hover again once it is.
      await page.mouse.move(5, 5);
      await page.waitForTimeout(1500);
      await page.mouse.move(box.x, box.y, { steps: 4 });
      await expect(page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: /Open Source Record/ }), 'the hover with its actions');
      await page.waitForTimeout(300);
      await shot('hover', { keepMouse: true });
    }
    // Completion: go to the line "Peer support is " and type the citation prefix.
    const lines = fs.readFileSync(filePath, 'utf8').split(/\r?\n/);
    let lineNo = lines.findIndex((l) => /^Peer support is\s*$/.test(l)) + 1;
    if (lineNo === 0) lineNo = lines.length; // no such line: the end of the file
    await editor.click();
    await page.keyboard.press('Control+G');
    const gl = await expect(page.locator('.quick-input-widget .quick-input-box input'), 'Go to Line');
    await gl.fill(`:${lineNo}`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    if (opts.only.includes('completion')) {
      await page.keyboard.type(opts.completionPrefix, { delay: 60 });
      const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
      try {
        await rows.first().waitFor({ state: 'visible', timeout: Math.min(ms, 5000) });
      } catch {
        await page.keyboard.press('Control+Space'); // not opened by a trigger character: ask
        await expect(rows, 'the suggest widget with completion rows');
      }
      // The details pane: Ctrl+Space on an open list shows it beside the rows (remembered).
      if (!(await page.locator('.editor-widget.suggest-widget.visible.docs-side, .editor-widget.suggest-widget.visible.docs-below').count())) {
        await page.keyboard.press('Control+Space');
      }
      await page.waitForTimeout(600);
      await shot('completion');
      await page.keyboard.press('Escape');
    }

    // The tree grouped by cited works (the Group By… quick pick, as a user picks it).
    if (opts.only.includes('tree-cited')) {
      await runCommand('Corpus Cite: Group By…');
      await (await expect(page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Cited works' }), 'the "Cited works" grouping')).click();
      await expect(pane.locator('.monaco-list-row', { hasText: /cited by/ }), 'a cited work in the tree');
      await page.waitForTimeout(500);
      await shot('tree-cited');
    }

    // The citation map: the panel's webview draws the graph with sigma; picking a work with the
    // map's search box selects it (its links stay lit, the side list says what it cites).
    if (opts.only.includes('map')) {
      await page.keyboard.press('Escape');
      await runCommand('Corpus Cite: Show Citation Map');
      const end = Date.now() + ms;
      let frame = null;
      let hub = null;
      while (!hub && Date.now() < end) {
        for (const f of page.frames()) {
          hub = await f
            .evaluate(() => {
              const note = document.getElementById('note');
              const canvas = document.querySelector('#graph canvas');
              return note && canvas && /works shown/.test(note.textContent || '') ? true : null;
            })
            .catch(() => null);
          if (hub) {
            frame = f;
            break;
          }
        }
        if (!hub) await page.waitForTimeout(250);
      }
      if (!frame) throw new StepError('the citation map drawn in its webview');
      await page.waitForTimeout(800); // the first frames of sigma
      // Find the work with the search box, as a user would, and pick it.
      await frame.locator('#search').fill(opts.mapSearch);
      await frame.locator('#matches .row').first().waitFor({ state: 'visible', timeout: ms }).catch(() => {
        throw new StepError('a search match on the map');
      });
      await frame.locator('#search').press('Enter');
      await frame.locator('#side h2').waitFor({ state: 'visible', timeout: ms }).catch(() => {
        throw new StepError('the side list of the selected work');
      });
      await page.waitForTimeout(900); // the camera's move
      await shot('map');
      await runCommand('View: Close Editor'); // the map; review.md (typed into, never saved) stays
    }

    // Indexing: thousands of new record files arrive; the status bar counts, the view shows progress.
    if (opts.only.includes('indexing')) {
      writeLibrary(path.join(folder, 'corpus', 'zz-library'), INDEXING_FILES);
      step(`wrote ${INDEXING_FILES} record files`);
      const counting = page.locator('.statusbar-item', { hasText: /Corpus: indexing [\d,]+ \/ [\d,]+/ });
      await expect(counting, 'the status bar counting while indexing');
      await page.waitForTimeout(400);
      await shot('indexing');
      // Indexing thousands of files on a loaded machine can take a minute.
      await page.locator('.statusbar-item', { hasText: /Corpus: [\d,]+ works/ }).first().waitFor({ state: 'visible', timeout: Math.max(ms, 180000) }).catch(() => {
        throw new StepError('the status bar never showed the work count after indexing');
      });
      step('indexed');
    }

    // The Markdown preview beside the editor: formatted citations and the reference list.
    const previews = PREVIEWS.filter((p) => opts.only.includes(p.shot));
    if (previews.length) {
      await page.keyboard.press('Escape');
      await runCommand('File: Revert File'); // review.md as on disk again: no typed text, nothing to save
      await runCommand('View: Toggle Primary Side Bar Visibility');
    }
    for (const p of previews) {
      await runCommand('View: Close All Editors'); // one editor and its preview, side by side
      await page.locator('.tab').first().waitFor({ state: 'detached', timeout: ms }).catch(() => {});
      await page.keyboard.press('Control+P');
      const q = await expect(page.locator('.quick-input-widget .quick-input-box input'), 'Quick Open');
      await q.fill(p.file);
      await expect(page.locator('.quick-input-widget .monaco-list-row', { hasText: p.file }), `${p.file} in Quick Open`);
      await page.keyboard.press('Enter');
      await expect(page.locator('.tab.active', { hasText: p.file }), `the ${p.file} tab`);
      await runCommand('Markdown: Open Preview to the Side');
      // The preview is a webview (nested iframes): wait for a frame showing this style's text, formatted.
      const end = Date.now() + ms;
      let ready = false;
      while (!ready && Date.now() < end) {
        for (const f of page.frames()) {
          ready = await f
            .evaluate((want) => {
              const text = document.body ? document.body.innerText.replace(/\s+/g, ' ') : '';
              return !!document.querySelector('#refs .csl-entry') && !document.querySelector('.corpus-cite-pending') && want.every((w) => text.includes(w));
            }, p.expect)
            .catch(() => false);
          if (ready) break;
        }
        if (!ready) await page.waitForTimeout(250);
      }
      if (!ready) throw new StepError(`the preview of ${p.file} with formatted citations (${p.expect.join(' / ')})`);
      await page.waitForTimeout(500); // fonts and layout settle
      await shot(p.shot);
    }

  } catch (e) {
    failure = e instanceof StepError ? e.message : (e && e.stack) || String(e);
  }

  if (failure) {
    fs.mkdirSync(logDir, { recursive: true });
    if (page && !page.isClosed()) {
      await page.screenshot({ path: path.join(logDir, 'screen.png'), timeout: 10000 }).catch(() => {});
      const html = await page.content().catch(() => '');
      if (html) fs.writeFileSync(path.join(logDir, 'page.html'), html);
    }
    fs.writeFileSync(path.join(logDir, 'browser-console.log'), browserLog.join('\n') + '\n');
  }
  if (context) await context.close().catch(() => {});
  await lib.killGroup(serverProc);
  if (failure) {
    lib.copyTree(path.join(dirs.base, 'server.log'), path.join(logDir, 'server.log'));
    lib.copyTree(path.join(dirs.serverData, 'logs'), path.join(logDir, 'server-logs'));
  }
  lib.rmrf(dirs.base);
  if (failure) {
    lib.log(TAG, `FAILED: ${failure}`);
    lib.log(TAG, `screen and logs in ${path.relative(lib.ROOT, logDir)}`);
    return 1;
  }
  lib.log(TAG, `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${taken.join(', ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    lib.log(TAG, `FAILED: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
