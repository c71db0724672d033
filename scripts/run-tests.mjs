// Runs the test suites with Node's own test runner in one invocation, so the closing
// "# pass N / # fail N" lines count every test. Usage: run-tests.mjs [unit|integration|e2e ...]
import { readdirSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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
mkdirSync('test-results', { recursive: true });
const tap = join('test-results', 'tap.txt');
const r = spawnSync(
  process.execPath,
  // A failing test that leaves a socket open must not hang the run: force the exit, bound each test.
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-timeout=600000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files],
  { stdio: 'inherit' },
);
// A plain closing line, counted from the TAP copy of the run.
const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
const count = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) || [])[1] || 0);
console.log(`tests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
process.exit(r.status ?? 1);
