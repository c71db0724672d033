// Bundles the extension and the CLI with esbuild. `--watch` rebuilds on change; `--meta` writes
// dist/<name>.meta.json (esbuild's metafile: what each input adds to a bundle; esbuild.github.io/analyze).
import * as esbuild from 'esbuild';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

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
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  metafile: process.argv.includes('--meta'),
  plugins: [wsClientOnly],
  // ws loads these optional native helpers only if present; never bundle them.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
};

const builds = [
  // Minified: half the size to read and compile at activation (the source map keeps stack traces readable).
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', minify: true },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (process.argv.includes('--watch')) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  if (common.metafile) results.forEach((r, i) => writeFileSync(builds[i].outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(r.metafile)));
}
