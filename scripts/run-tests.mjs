// Runs the test suites with Node's own test runner in one invocation, so the closing
// "# pass N / # fail N" lines count every test. Usage: run-tests.mjs [unit|integration|e2e ...]
import { readdirSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const suites = process.argv.slice(2);
const chosen = suites.length ? suites : ['unit', 'integration', 'e2e'];
const files = [];
for (const suite of chosen) {
  const dir = join('test', suite);
  if (!existsSync(dir)) continue;
  // Subfolders too (test/unit/arvados/…), in a stable order.
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) if (f.endsWith('.test.ts')) files.push(join(dir, f));
}
if (!files.length) {
  console.error(`no test files found for ${chosen.join(', ')}`);
  process.exit(1);
}
// Node's spec reporter, passed through; its closing counts are repeated as one plain line.
const child = spawn(
  process.execPath,
  // A failing test that leaves a socket open must not hang the run: force the exit, bound each test.
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-timeout=600000', '--test-reporter=spec', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// The summary lines ("ℹ pass N") come before the details of failures, which can be long: keep
// the last value of each as the output goes by rather than searching a tail of it.
const counts = {};
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    const m = /^\S+ (pass|fail|cancelled|skipped) (\d+)$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
  }
});
child.on('close', (code, signal) => {
  const count = (k) => counts[k] ?? 0;
  // A test cancelled by a failing hook counts as failed: it did not pass.
  console.log(`tests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
  process.exit(code ?? (signal ? 1 : 0));
});
