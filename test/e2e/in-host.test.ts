/**
 * Runs the in-host suite (test/vscode, mocha inside the extension host against the real `vscode`
 * API) in a code-server workbench, the way `npm run test:desktop` runs it in a desktop VS Code:
 * the repository is the extension under development, out/test/vscode/index.js the extension
 * tests. Each in-host test is reported here as a subtest, so the closing counts include them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { InHostResults } from '../vscode/index';
import { startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
/** The whole suite takes seconds; this bounds a runner that never reports. */
const EXIT_TIMEOUT_MS = 300_000;

async function buildSuite(): Promise<string> {
  // A computed specifier keeps TypeScript (CommonJS here) from resolving the .mjs itself.
  const mod = await import(pathToFileURL(join(REPO, 'test', 'vscode', 'build.mjs')).href) as { buildInHostSuite(): Promise<string> };
  return mod.buildInHostSuite();
}

test('in-host suite (test/vscode) in code-server\'s extension host', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(join(REPO, 'dist', 'extension.mjs')), 'build the extension first (npm run build)');
  const testsPath = await buildSuite();
  const tmp = mkdtempSync(join(tmpdir(), 'arv-in-host-results-'));
  const resultsFile = join(tmp, 'results.json');
  let wb: Workbench | undefined;
  let exitCode: number | string;
  const started = Date.now();
  try {
    wb = await startWorkbench({
      extensionTests: { developmentPath: REPO, testsPath },
      env: { ARVADOS_IN_HOST_RESULTS: resultsFile },
    });
    let timer: NodeJS.Timeout | undefined;
    exitCode = await Promise.race([
      wb.extensionTestsExit!,
      new Promise<string>((r) => { timer = setTimeout(() => r('timeout'), EXIT_TIMEOUT_MS); }),
    ]).finally(() => clearTimeout(timer));
    if (!existsSync(resultsFile)) {
      throw new Error(`the in-host runner wrote no results (exit: ${exitCode}); code-server's output:\n${wb.codeServer.output()}`);
    }
  } finally {
    await wb?.close();
  }
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as InHostResults;
  rmSync(tmp, { recursive: true, force: true });
  t.diagnostic(`${results.appName} ${results.vscodeVersion}: ${results.tests.length} in-host tests in ${results.durationMs} ms (workbench start to exit: ${Date.now() - started} ms)`);

  for (const r of results.tests) {
    await t.test(r.titlePath.join(' › '), { skip: r.state === 'pending' ? 'pending in the in-host suite' : false }, (st) => {
      st.diagnostic(`${r.durationMs} ms in the extension host`);
      if (r.state === 'failed') throw new Error(r.error ?? 'failed');
    });
  }
  assert.deepEqual(results.errors, [], 'failures outside the tests');
  assert.ok(results.tests.length > 0, 'no in-host test ran');
  assert.equal(exitCode, 0, 'the in-host runner\'s exit code');
});
