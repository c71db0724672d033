import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../../src/arvados/emitter';

test('one listener: called with the value; a throw goes to onListenerError', () => {
  const e = new Emitter<number>();
  const seen: number[] = [];
  const sub = e.event((v) => seen.push(v));
  e.fire(1);
  const errors: unknown[] = [];
  const bad = new Emitter<number>();
  bad.event(() => {
    throw new Error('boom');
  });
  bad.fire(2, (err) => errors.push(err));
  assert.deepEqual(seen, [1]);
  assert.equal((errors[0] as Error).message, 'boom');
  sub.dispose();
  e.fire(3);
  assert.deepEqual(seen, [1], 'no call after the only listener left');
});

test('two listeners, then one again after a dispose: each call reaches exactly the subscribed ones', () => {
  const e = new Emitter<string>();
  const a: string[] = [];
  const b: string[] = [];
  const subA = e.event((v) => a.push(v));
  const subB = e.event((v) => b.push(v));
  e.fire('x');
  subA.dispose();
  e.fire('y');
  subB.dispose();
  e.event((v) => a.push(`again ${v}`));
  e.fire('z');
  assert.deepEqual(a, ['x', 'again z']);
  assert.deepEqual(b, ['x', 'y']);
});

test('a listener that subscribes another during fire: the new one is not called for that value', () => {
  const e = new Emitter<number>();
  const seen: string[] = [];
  e.event((v) => {
    seen.push(`first ${v}`);
    if (v === 1) e.event((w) => seen.push(`second ${w}`));
  });
  e.fire(1);
  e.fire(2);
  assert.deepEqual(seen, ['first 1', 'first 2', 'second 2']);
});

test('dispose() removes every listener, the single one too', () => {
  const e = new Emitter<number>();
  let calls = 0;
  e.event(() => calls++);
  e.dispose();
  e.fire(1);
  assert.equal(calls, 0);
});

test('a detail given to fire reaches every listener, one or several, after the value', () => {
  const e = new Emitter<number, string>();
  const seen: string[] = [];
  e.event((v, d) => seen.push(`a ${v} ${d}`));
  e.fire(1, undefined, 'one');
  e.fire(2);
  e.event((v, d) => seen.push(`b ${v} ${d}`));
  e.fire(3, undefined, 'three');
  assert.deepEqual(seen, ['a 1 one', 'a 2 undefined', 'a 3 three', 'b 3 three']);
});
