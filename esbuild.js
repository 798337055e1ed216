// Bundles the extension and the CLI into dist/. `--production` minifies, `--watch` rebuilds.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** citation-js can fetch DOIs over the network; we never do, so its fetch modules become stubs. */
const noFetch = {
  name: 'no-fetch',
  setup(build) {
    build.onResolve({ filter: /^(sync-fetch|node-fetch|fetch-ponyfill)$/ }, (args) => ({ path: args.path, namespace: 'no-fetch' }));
    build.onLoad({ filter: /.*/, namespace: 'no-fetch' }, () => ({
      contents: 'module.exports = function () { throw new Error("Corpus Cite works offline: network fetch is disabled"); };',
      loader: 'js',
    }));
  },
};

/**
 * `vscode` stays external, but through one in-bundle module that re-exports it. Without it
 * esbuild gives every importing file its own `__toESM(require('vscode'))`, a copy of the whole API
 * object's properties each (31 files: most of the bundle's load time with the bench's stub).
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [noFetch],
  metafile: true,
};

const entries = [
  // The package's main: a few KB that load dist/main.js through a V8 code cache (src/loader.ts).
  { entryPoints: ['src/loader.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/extension.ts'], outfile: 'dist/main.js', external: ['vscode'], plugins: [noFetch, vscodeOnce] },
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/core/index/indexWorker.ts'], outfile: 'dist/indexWorker.js' },
  // The index worker's entry: loads dist/indexWorker.js through the code cache (src/workerLoader.ts).
  { entryPoints: ['src/workerLoader.ts'], outfile: 'dist/indexWorkerLoader.js' },
  // citation-js in its own file, required on first use (see src/core/format/bibliography.ts).
  { entryPoints: ['src/core/format/citationJsImpl.ts'], outfile: 'dist/citation.js' },
  // js-yaml, required on the first front matter read (see src/core/preview/previewCitations.ts).
  { entryPoints: ['src/core/preview/yamlImpl.ts'], outfile: 'dist/yaml.js' },
  // The citation map's layout (graphology), required by the index worker on the first map.
  { entryPoints: ['src/core/format/citationLayout.ts'], outfile: 'dist/citationLayout.js' },
  // The citation map's webview (sigma, WebGL): a browser script, loaded only by the map's panel.
  // Its folder is the panel's one localResourceRoot.
  {
    entryPoints: ['src/webview/citationMap.ts'],
    outdir: 'dist/webview',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    plugins: [],
    loader: { '.css': 'css' },
  },
];

async function main() {
  const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
