/**
 * The packaged extension: `npm run package` (production build + `vsce package`) makes
 * corpus-cite.vsix, which must hold only what users need — the bundles, media, the sample corpus,
 * README, LICENSE, CHANGELOG, package files and translations — and stay small.
 * CORPUS_CITE_SKIP_PACKAGE=1 skips the build (about a minute) and lists an existing vsix.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/corpus';

const VSIX = path.join(ROOT, 'corpus-cite.vsix');

/** Every file the package may hold (paths inside the vsix). */
const ALLOWED = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/package\.nls(\.[a-z-]+)?\.json$/,
  /^extension\/readme\.md$/,
  /^extension\/changelog\.md$/,
  /^extension\/LICENSE\.txt$/,
  /^extension\/dist\/(extension|main|indexWorker|indexWorkerLoader|citation|citationLayout|yaml)\.js$/,
  // The citation map's webview: its script and style, the panel's one resource root.
  /^extension\/dist\/webview\/citationMap\.(js|css)$/,
  /^extension\/media\/(corpus\.svg|icon\.png|preview\.css|screenshots\/[a-z-]+\.png)$/,
  // The shipped CSL styles and locales, with their licence notice (media/csl/README.md).
  /^extension\/media\/csl\/(README\.md|styles\/[a-z0-9-]+\.csl|locales\/locales-[A-Za-z-]+\.xml)$/,
  /^extension\/fixtures\/seeds\/[^/]+\.txt$/,
  /^extension\/l10n\/bundle\.l10n\.[a-z-]+\.json$/,
];

/** Files it must hold. */
const REQUIRED = [
  'extension/package.json',
  'extension/package.nls.json',
  'extension/package.nls.zh-cn.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/main.js',
  'extension/dist/indexWorker.js',
  'extension/dist/indexWorkerLoader.js',
  'extension/dist/citation.js',
  'extension/dist/citationLayout.js',
  'extension/dist/yaml.js',
  'extension/dist/webview/citationMap.js',
  'extension/dist/webview/citationMap.css',
  'extension/media/icon.png',
  'extension/media/corpus.svg',
  'extension/media/preview.css',
  'extension/media/csl/README.md',
  'extension/media/csl/styles/apa.csl',
  'extension/media/csl/styles/china-national-standard-gb-t-7714-2015-numeric.csl',
  'extension/media/csl/locales/locales-zh-CN.xml',
  'extension/l10n/bundle.l10n.zh-cn.json',
];

describe('the packaged extension (corpus-cite.vsix)', function () {
  this.timeout(240_000);
  let entries: { name: string; size: number }[] = [];

  before(function () {
    if (process.env.CORPUS_CITE_SKIP_PACKAGE === '1') {
      if (!fs.existsSync(VSIX)) this.skip();
    } else {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const r = spawnSync(npm, ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.strictEqual(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /WARNING/i, r.stderr);
    }
    const list = spawnSync('unzip', ['-l', VSIX], { encoding: 'utf8' });
    assert.strictEqual(list.status, 0, list.stderr);
    entries = list.stdout
      .split('\n')
      .map((l) => /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ size: Number(m[1]), name: m[2].trim() }));
  });

  it('holds only what users need', () => {
    const unexpected = entries.filter((e) => !ALLOWED.some((re) => re.test(e.name))).map((e) => e.name);
    assert.deepStrictEqual(unexpected, [], `unexpected files in the vsix: ${unexpected.join(', ')}`);
    const names = new Set(entries.map((e) => e.name));
    for (const r of REQUIRED) assert.ok(names.has(r), `${r} is missing from the vsix`);
    assert.ok(entries.some((e) => e.name.startsWith('extension/fixtures/seeds/')), 'the sample corpus is missing');
    assert.ok(!entries.some((e) => e.name.endsWith('.map')), 'source maps are shipped');
  });

  it('is small, and its bundles are the production build', () => {
    const packed = fs.statSync(VSIX).size;
    const unpacked = entries.reduce((n, e) => n + e.size, 0);
    console.log(`      corpus-cite.vsix: ${entries.length} files, ${(packed / 1024).toFixed(0)} KB packed, ${(unpacked / 1024).toFixed(0)} KB unpacked`);
    for (const e of entries) if (e.name.startsWith('extension/dist/')) console.log(`        ${e.name.slice('extension/'.length)}: ${(e.size / 1024).toFixed(0)} KB`);
    assert.ok(packed < 2 * 1024 * 1024, `the vsix is ${packed} bytes`);
    // dist/extension.js is the loader (src/loader.ts): it must not pull the bundle into itself.
    const loader = entries.find((e) => e.name === 'extension/dist/extension.js')!;
    assert.ok(loader.size < 16 * 1024, `dist/extension.js is ${loader.size} bytes: the loader bundled more than codeCache.ts?`);
    const main = entries.find((e) => e.name === 'extension/dist/main.js')!;
    assert.ok(main.size < 400 * 1024, `dist/main.js is ${main.size} bytes: citation-js or the parsers were bundled into it?`);
  });

  it('declares what a user sees: icon, l10n, capabilities, localized contributions', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & { capabilities: Record<string, { supported: unknown; description?: string }> };
    assert.strictEqual(pkg.icon, 'media/icon.png');
    assert.strictEqual(pkg.l10n, './l10n');
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.description);
    assert.ok(['limited', true].includes(pkg.capabilities.virtualWorkspaces.supported as string | boolean));
  });
});
