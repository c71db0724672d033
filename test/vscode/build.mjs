// Builds the in-host suite for VS Code's extension host: test/vscode/*.ts → out/test/vscode/*.js
// (CommonJS; `vscode` and `mocha` stay external). Every test file shares one fixture module
// (out/test/vscode/fixture.js, holding the fake cluster), so `./fixture` stays a require.
//   node test/vscode/build.mjs        (or import { buildInHostSuite } from it)
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const OUT_DIR = join(REPO, 'out', 'test', 'vscode');
/** What VS Code loads as the extension tests (`--extensionTestsPath`). */
export const TESTS_ENTRY = join(OUT_DIR, 'index.js');

const sharedFixture = {
  name: 'shared-fixture',
  setup(build) {
    build.onResolve({ filter: /^\.\/fixture$/ }, (args) =>
      (resolve(args.importer) === join(HERE, 'fixture.ts') ? undefined : { path: './fixture.js', external: true }));
  },
};

/** Builds the suite; resolves to the path of its entry (TESTS_ENTRY). */
export async function buildInHostSuite() {
  rmSync(OUT_DIR, { recursive: true, force: true });
  const entryPoints = readdirSync(HERE).filter((f) => f === 'index.ts' || f === 'fixture.ts' || f.endsWith('.test.ts')).map((f) => join(HERE, f));
  await esbuild.build({
    entryPoints,
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['vscode', 'mocha', 'ws', 'bufferutil', 'utf-8-validate'],
    plugins: [sharedFixture],
  });
  return TESTS_ENTRY;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildInHostSuite());
}
