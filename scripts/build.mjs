// Bundles the extension and the CLI with esbuild. `--watch` rebuilds on change; `--meta` writes
// dist/<name>.meta.json (esbuild's metafile: what each input adds to a bundle; esbuild.github.io/analyze).
//
// The extension is ES modules, split (esbuild splits only ESM; VS Code ≥ 1.100 loads an `.mjs`
// main with import()): dist/extension.mjs and the chunks it imports statically load at activation;
// each `await import()` in src is a chunk under dist/chunks/ loaded when first needed (the event
// streams with the first connection, a command's implementation when it first runs). Code that
// two of them use lives in one shared chunk, never twice.
import * as esbuild from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(REPO, 'src');

// The engine uses ws's client only: bundle lib/websocket.js, not its index (which adds the
// server and the stream wrapper). A file path, since ws's package exports name only its index.
const wsClientOnly = {
  name: 'ws-client-only',
  setup(build) {
    const file = join(dirname(require.resolve('ws/package.json')), 'lib', 'websocket.js');
    build.onResolve({ filter: /^ws$/ }, () => ({ path: file }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: REPO,
  plugins: [wsClientOnly],
  // ws loads these optional native helpers only if present; never bundle them.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
};

/** The extension's build into `outdir` (dist by default). */
export function extensionBuild(outdir = join(REPO, 'dist')) {
  return {
    ...common,
    entryPoints: { extension: join(SRC, 'extension.ts') },
    outdir,
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // ws is CommonJS: its require() calls (Node built-ins) need a require in an ES module.
    banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
    // Minified: half the size to read and compile at activation (the source map keeps stack traces readable).
    minify: true,
  };
}

const builds = [
  extensionBuild(),
  { ...common, format: 'cjs', entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const metafile = process.argv.includes('--meta');
  // Chunk names carry a hash: old ones would pile up.
  rmSync(join(REPO, 'dist', 'chunks'), { recursive: true, force: true });
  if (process.argv.includes('--watch')) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, metafile })));
    const names = ['extension', 'cli'];
    if (metafile) results.forEach((r, i) => writeFileSync(join(REPO, 'dist', `${names[i]}.meta.json`), JSON.stringify(r.metafile)));
  }
}
