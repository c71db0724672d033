import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../../../src/views/pacer';

test('a listing of 250 items: the first 100 built at once, the rest 100 per event-loop turn, in order', async () => {
  const pacer = new Pacer(100);
  const made: number[] = [];
  pacer.restart();
  const results = Array.from({ length: 250 }, (_, i) => pacer.build(() => (made.push(i), `item ${i}`)));
  assert.equal(made.length, 100, 'the first chunk is built synchronously');
  assert.equal(results[99], 'item 99');
  assert.ok(results[100] instanceof Promise);
  // Other work queued now runs before the later chunks are all built.
  const madeWhenOtherRan = await new Promise<number>((resolve) => setImmediate(() => resolve(made.length)));
  assert.ok(madeWhenOtherRan < 250, `other work ran only after all ${madeWhenOtherRan} items were built`);
  assert.deepEqual(await Promise.all(results), Array.from({ length: 250 }, (_, i) => `item ${i}`));
  assert.deepEqual(made, Array.from({ length: 250 }, (_, i) => i));
  // A new listing starts again at once.
  pacer.restart();
  assert.equal(pacer.build(() => 'again'), 'again');
});
