import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring } from '../../../src/model/ring';
import { LruMap } from '../../../src/model/lru';

test('a ring keeps its newest items and evicts the oldest', () => {
  const r = new Ring<number>(3);
  assert.equal(r.push(1), undefined);
  r.push(2);
  r.push(3);
  assert.equal(r.push(4), 1);
  assert.deepEqual(r.oldestFirst(), [2, 3, 4]);
  assert.deepEqual(r.newestFirst(), [4, 3, 2]);
  assert.equal(r.size, 3);
  assert.equal(r.at(0), 2);
  assert.equal(r.at(3), undefined);
  assert.equal(r.shift(), 2);
  assert.deepEqual(r.oldestFirst(), [3, 4]);
});

test('resizing a ring keeps the newest and returns the evicted, oldest first', () => {
  const r = new Ring<number>(5);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.resize(2), [1, 2, 3]);
  assert.deepEqual(r.oldestFirst(), [4, 5]);
  assert.deepEqual(r.resize(4), []);
  r.push(6);
  r.push(7);
  assert.equal(r.push(8), 4);
  assert.deepEqual(r.oldestFirst(), [5, 6, 7, 8]);
  assert.throws(() => new Ring(0), RangeError);
});

test('an LRU map forgets the least recently used entries past its capacity', () => {
  const m = new LruMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.get('a'), 1); // a is now the most recent
  m.set('c', 3);
  assert.equal(m.has('b'), false);
  assert.equal(m.peek('a'), 1);
  assert.equal(m.size, 2);
});
