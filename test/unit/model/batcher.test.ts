import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../../src/model/batcher';
import { ManualScheduler } from '../../helpers/manualScheduler';

function setup(maxItems = 100, intervalMs = 250) {
  const clock = new ManualScheduler(1000);
  const flushes: Array<{ at: number; items: number[]; dropped: number }> = [];
  const b = new Batcher<number>({ intervalMs, maxItems, scheduler: clock, flush: (items, dropped) => flushes.push({ at: clock.now(), items, dropped }) });
  return { clock, flushes, b };
}

test('a lone push is flushed on the next tick, not after the interval', () => {
  const { clock, flushes, b } = setup();
  b.push(1);
  b.push(2);
  assert.equal(flushes.length, 0, 'nothing is flushed synchronously');
  clock.advance(0);
  assert.deepEqual(flushes, [{ at: 1000, items: [1, 2], dropped: 0 }]);
});

test('a flood is flushed at most once per interval', () => {
  const { clock, flushes, b } = setup(100_000);
  let n = 0;
  // 10 000 pushes a second for 2 seconds, in 1 ms steps.
  for (let ms = 0; ms < 2000; ms++) {
    for (let i = 0; i < 10; i++) b.push(n++);
    clock.advance(1);
  }
  clock.advance(1000);
  assert.ok(flushes.length <= 2000 / 250 + 2, `${flushes.length} flushes`);
  for (let i = 1; i < flushes.length; i++) assert.ok(flushes[i].at - flushes[i - 1].at >= 250, 'flushes are 250 ms apart');
  const all = flushes.flatMap((f) => f.items);
  assert.equal(all.length, n, 'nothing lost under the bound');
  assert.deepEqual(all.slice(0, 5), [0, 1, 2, 3, 4], 'in order');
});

test('the queue is bounded: the oldest are dropped and counted', () => {
  const { clock, flushes, b } = setup(3);
  for (let i = 0; i < 10; i++) b.push(i);
  assert.equal(b.pending, 3);
  clock.advance(0);
  assert.deepEqual(flushes[0], { at: 1000, items: [7, 8, 9], dropped: 7 });
  b.push(10);
  clock.advance(0);
  assert.equal(flushes.length, 1, 'the next flush waits for the interval');
  clock.advance(250);
  assert.deepEqual(flushes[1].items, [10]);
  assert.equal(flushes[1].dropped, 0);
});

test('flushNow ignores the rate limit; discard and dispose drop the queue', () => {
  const { clock, flushes, b } = setup();
  b.push(1);
  b.flushNow();
  b.push(2);
  b.flushNow();
  assert.equal(flushes.length, 2);
  b.push(3);
  b.discard();
  clock.advance(1000);
  assert.equal(flushes.length, 2);
  b.dispose();
  b.push(4);
  clock.advance(1000);
  assert.equal(flushes.length, 2);
  assert.equal(clock.pending, 0);
});

test('shrinking the bound drops the oldest queued items', () => {
  const { clock, flushes, b } = setup(10);
  for (let i = 0; i < 6; i++) b.push(i);
  b.resize(2);
  clock.advance(0);
  assert.deepEqual(flushes[0], { at: 1000, items: [4, 5], dropped: 4 });
});

test('with a window: at most N flushes in any window, a push after a quiet spell at once', () => {
  const clock = new ManualScheduler(1000);
  const at: number[] = [];
  const b = new Batcher<number>({ intervalMs: 100, window: { flushes: 4, ms: 1050 }, maxItems: 1000, scheduler: clock, flush: () => at.push(clock.now()) });
  // A flood: a push every 5 ms for 5 s.
  for (let ms = 0; ms < 5000; ms += 5) {
    b.push(ms);
    clock.advance(5);
  }
  clock.advance(2000);
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 100, 'at least 100 ms apart');
  for (let i = 4; i < at.length; i++) assert.ok(at[i] - at[i - 4] >= 1050, `5 flushes within ${at[i] - at[i - 4]} ms`);
  assert.ok(at.length >= 18, `the flood still flushes about 4 times a second (${at.length} in 5 s)`);
  // Quiet, then one push: flushed on the next tick.
  const before = at.length;
  b.push(1);
  clock.advance(0);
  assert.equal(at.length, before + 1);
});

test('a window for batches only: lone items 202 ms apart each go at once, a flood still gets at most 4 flushes in any window', () => {
  const clock = new ManualScheduler(1000);
  const flushes: Array<{ at: number; items: number[] }> = [];
  const b = new Batcher<number>({ intervalMs: 200, window: { flushes: 4, ms: 1050, batchesOnly: true }, maxItems: 1000, scheduler: clock, flush: (items) => flushes.push({ at: clock.now(), items }) });
  // A trickle of 5 a second: every item is shown the moment it arrives, none waits for a window.
  for (let i = 0; i < 20; i++) {
    b.push(i);
    const pushedAt = clock.now();
    clock.advance(0);
    assert.deepEqual(flushes.at(-1), { at: pushedAt, items: [i] }, `item ${i} flushed at once`);
    clock.advance(202);
  }
  // Two items 100 ms apart: the second waits for the interval (VS Code's tree debounce), never less.
  clock.advance(1000);
  b.push(100);
  clock.advance(100);
  b.push(101);
  clock.advance(200);
  assert.ok(flushes.at(-1)!.at - flushes.at(-2)!.at >= 200, 'at least 200 ms apart');
  // A flood: a push every 5 ms for 5 s. Its flushes carry many items, and the window holds.
  clock.advance(2000);
  const floodStart = flushes.length;
  for (let ms = 0; ms < 5000; ms += 5) {
    b.push(ms);
    clock.advance(5);
  }
  clock.advance(2000);
  const at = flushes.slice(floodStart).map((f) => f.at);
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 200, 'at least 200 ms apart');
  for (let i = 4; i < at.length; i++) assert.ok(at[i] - at[i - 4] >= 1050, `5 flushes within ${at[i] - at[i - 4]} ms`);
  assert.ok(at.length >= 18, `the flood still flushes about 4 times a second (${at.length} in 5 s)`);
});

test('the gate opens after a consumer timer of the same length armed during the flush (VS Code tree view debounce)', async () => {
  // Real timers: the order in which Node runs two 200 ms timers armed in one tick, not a duration.
  const order: string[] = [];
  let consumerTimerPending = false;
  const b = new Batcher<number>({
    intervalMs: 200,
    maxItems: 10,
    flush: (items) => {
      order.push(`flush ${items.join(',')}${consumerTimerPending ? ' (consumer still waiting)' : ''}`);
      consumerTimerPending = true;
      setTimeout(() => {
        consumerTimerPending = false;
        order.push('consumer ready');
      }, 200);
    },
  });
  b.push(1);
  await new Promise((r) => setTimeout(r, 20));
  b.push(2);
  await new Promise((r) => setTimeout(r, 450));
  b.dispose();
  assert.deepEqual(order.slice(0, 3), ['flush 1', 'consumer ready', 'flush 2']);
});
