import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBuffer } from '../../../src/model/eventBuffer';
import { ev, resetIds } from '../../helpers/fixtures';

test('the buffer reads newest first and evicts the oldest when full, counting them as dropped', () => {
  resetIds();
  const b = new EventBuffer(3);
  const events = [ev(), ev(), ev(), ev(), ev()];
  const change = b.pushAll(events);
  assert.deepEqual(b.newestFirst().map((e) => e.id), [5, 4, 3]);
  assert.deepEqual(b.oldestFirst().map((e) => e.id), [3, 4, 5]);
  assert.equal(b.size, 3);
  assert.equal(b.dropped, 2);
  // Events 1 and 2 came and went in the same batch: reported in neither list.
  assert.deepEqual(change.added.map((e) => e.id), [3, 4, 5]);
  assert.deepEqual(change.evicted, []);
  assert.equal(b.get(1), undefined);
  assert.equal(b.get(4)?.id, 4);
  assert.equal(b.newest()?.id, 5);
});

test('eviction across batches is reported with the evicted events', () => {
  resetIds();
  const b = new EventBuffer(2);
  b.pushAll([ev(), ev()]);
  const change = b.pushAll([ev()]);
  assert.deepEqual(change.added.map((e) => e.id), [3]);
  assert.deepEqual(change.evicted.map((e) => e.id), [1]);
  assert.equal(b.dropped, 1);
});

test('an id is never held twice', () => {
  resetIds();
  const b = new EventBuffer(10);
  const e = ev();
  b.pushAll([e]);
  const change = b.pushAll([{ ...e }, ev({ id: e.id })]);
  assert.equal(b.size, 1);
  assert.deepEqual(change.added, []);
});

test('clear empties the buffer and resets the dropped count; upstream drops are added', () => {
  resetIds();
  const b = new EventBuffer(1);
  b.pushAll([ev(), ev()]);
  b.addDropped(5);
  assert.equal(b.dropped, 6);
  b.clear();
  assert.equal(b.size, 0);
  assert.equal(b.dropped, 0);
  assert.equal(b.has(2), false);
});

test('shrinking evicts the oldest and counts them; growing keeps everything', () => {
  resetIds();
  const b = new EventBuffer(5);
  b.pushAll([ev(), ev(), ev(), ev()]);
  assert.deepEqual(b.resize(2).map((e) => e.id), [1, 2]);
  assert.equal(b.dropped, 2);
  assert.equal(b.has(1), false);
  b.resize(10);
  assert.deepEqual(b.newestFirst().map((e) => e.id), [4, 3]);
});
