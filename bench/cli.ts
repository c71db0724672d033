/**
 * Benchmark 2, the CLI's cost per event: `node dist/cli.js -q -u <collection>` writing JSON lines
 * to a pipe, against the floor client (parse each frame, write its text back, batched per
 * event-loop turn), by CPU time per event, on the same server setup in the same run. See
 * bench/lines.ts.
 */
import { existsSync } from 'node:fs';
import { runAsScript } from './lib';
import { CLI, compareWithFloor } from './lines';

export async function run() {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  return compareWithFloor('cli', 0.85);
}

runAsScript(module, run);
