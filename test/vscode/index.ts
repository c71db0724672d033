/**
 * The in-host test runner: VS Code loads this module as the extension tests
 * (`--extensionTestsPath`, built to out/test/vscode/index.js) and awaits run(); a rejection is a
 * failed run. The same module serves both runners:
 * - `npm run test:desktop` (test/vscode/run-desktop.ts): @vscode/test-electron, a desktop VS Code;
 * - test/e2e/in-host.test.ts (part of `npm test`): code-server, whose web workbench runs
 *   extension tests in its Node extension host too.
 *
 * Mocha (BDD) runs every `*.test.js` next to this file. When ARVADOS_IN_HOST_RESULTS names a file,
 * the outcome of each test is written there as JSON (see InHostResults), for a runner to report.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { activeWhenTestsLoaded, teardown } from './fixture';

export interface InHostTest {
  /** Suite titles, then the test's title. */
  titlePath: string[];
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface InHostResults {
  vscodeVersion: string;
  appName: string;
  /** See fixture.ts. */
  activeWhenTestsLoaded: boolean;
  durationMs: number;
  tests: InHostTest[];
  /** Failures outside any test (a hook, loading a file). */
  errors: string[];
}

export async function run(): Promise<void> {
  const started = Date.now();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec' });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, f));

  const tests: InHostTest[] = [];
  const errors: string[] = [];
  const describeError = (err: unknown) => (err instanceof Error ? err.stack ?? err.message : String(err));
  let failures = 0;
  try {
    failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run((n) => resolve(n));
        runner.on('pass', (t) => tests.push({ titlePath: t.titlePath(), state: 'passed', durationMs: t.duration ?? 0 }));
        runner.on('pending', (t) => tests.push({ titlePath: t.titlePath(), state: 'pending', durationMs: 0 }));
        runner.on('fail', (t, err) => {
          // A failing hook is reported as a "test" of type hook: keep it apart.
          if ((t as unknown as { type: string }).type === 'hook') errors.push(`${t.fullTitle()}: ${describeError(err)}`);
          else tests.push({ titlePath: t.titlePath(), state: 'failed', durationMs: t.duration ?? 0, error: describeError(err) });
        });
      } catch (e) {
        reject(e);
      }
    });
  } catch (e) {
    errors.push(`loading the tests: ${describeError(e)}`);
  } finally {
    await teardown().catch((e) => errors.push(`teardown: ${describeError(e)}`));
  }

  const results: InHostResults = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    activeWhenTestsLoaded,
    durationMs: Date.now() - started,
    tests,
    errors,
  };
  const out = process.env.ARVADOS_IN_HOST_RESULTS;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  if (failures || errors.length) {
    throw new Error(`${failures} in-host test(s) failed${errors.length ? `; ${errors.join('\n')}` : ''}`);
  }
  if (!tests.length) throw new Error('no in-host test ran');
}
