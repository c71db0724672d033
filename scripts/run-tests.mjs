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
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join(dir, f));
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
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code, signal) => {
  const count = (k) => Number((tail.match(new RegExp(`^\\S+ ${k} (\\d+)$`, 'm')) || [])[1] || 0);
  // A test cancelled by a failing hook counts as failed: it did not pass.
  console.log(`tests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
  process.exit(code ?? (signal ? 1 : 0));
});
