import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLoopSample, LoopMonitor } from '../../../src/model/loopMonitor';

test('the loop monitor samples delay and heap, and stops', async () => {
  const lines: string[] = [];
  const m = new LoopMonitor((line) => lines.push(line), 60_000);
  m.start();
  assert.ok(m.running);
  await new Promise((r) => setTimeout(r, 30));
  const s = m.sample();
  assert.ok(s && s.heapUsedMb > 0);
  assert.match(lines[0], /^event loop delay p50 [\d.]+ ms p99 [\d.]+ ms max [\d.]+ ms; heap used [\d.]+ MB/);
  m.stop();
  assert.equal(m.sample(), undefined);
  assert.match(formatLoopSample({ p50Ms: 1, p99Ms: 2, maxMs: 3, heapUsedMb: 4, rssMb: 5 }), /p50 1\.0 ms/);
});
