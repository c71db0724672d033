/**
 * `npm run test:desktop`: the in-host suite (test/vscode) in a desktop VS Code, with
 * @vscode/test-electron. It downloads a VS Code build into .vscode-test/ (internet needed),
 * unless VSCODE_EXECUTABLE names one already installed. VSCODE_TEST_VERSION picks the build
 * ('stable' by default; e.g. '1.100.0', the oldest that package.json's engines accept: the first to load an ES module extension).
 * Without a display (Linux CI), run it under `xvfb-run -a`.
 *
 * The same suite runs inside code-server as part of `npm test` (test/e2e/in-host.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTests } from '@vscode/test-electron';
import type { InHostResults } from './index';

const REPO = resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  if (!existsSync(join(REPO, 'dist', 'extension.mjs'))) throw new Error('build the extension first (npm run build)');
  // A computed specifier keeps TypeScript (CommonJS here) from resolving the .mjs itself.
  const { buildInHostSuite } = await import(pathToFileURL(join(REPO, 'test', 'vscode', 'build.mjs')).href) as { buildInHostSuite(): Promise<string> };
  const extensionTestsPath = await buildInHostSuite();
  // A fresh profile and workspace each run: no settings, state or extensions of earlier runs.
  const tmp = mkdtempSync(join(tmpdir(), 'arv-desktop-tests-'));
  const workspace = join(tmp, 'workspace');
  const resultsFile = join(tmp, 'results.json');
  mkdirSync(workspace);
  try {
    let code = 0;
    try {
      await runTests({
        version: process.env.VSCODE_TEST_VERSION || 'stable',
        vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
        extensionDevelopmentPath: REPO,
        extensionTestsPath,
        extensionTestsEnv: { ARVADOS_IN_HOST_RESULTS: resultsFile },
        launchArgs: [
          `--user-data-dir=${join(tmp, 'user-data')}`,
          `--extensions-dir=${join(tmp, 'extensions')}`,
          '--disable-extensions',
          workspace,
        ],
      });
    } catch (e) {
      console.error(`test-electron: ${(e as Error).message}`);
      if (!process.env.VSCODE_EXECUTABLE && /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|download/i.test(String(e))) {
        console.error('Downloading VS Code failed: this runner needs internet access, or VSCODE_EXECUTABLE set to an installed VS Code. '
          + 'Without either, the same suite runs in code-server: node scripts/run-tests.mjs e2e (test/e2e/in-host.test.ts).');
      }
      code = 1;
    }
    if (existsSync(resultsFile)) {
      const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as InHostResults;
      const count = (s: string) => r.tests.filter((t) => t.state === s).length;
      for (const t of r.tests.filter((x) => x.state === 'failed')) console.error(`✖ ${t.titlePath.join(' › ')}\n${t.error}`);
      for (const e of r.errors) console.error(`✖ ${e}`);
      console.log(`${r.appName} ${r.vscodeVersion}, ${r.durationMs} ms`);
      console.log(`tests: ${count('passed')} passed, ${count('failed') + r.errors.length} failed, ${count('pending')} skipped`);
    } else {
      console.error('The in-host suite wrote no results (VS Code did not start, or the runner did not load).');
      code = 1;
    }
    return code;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
