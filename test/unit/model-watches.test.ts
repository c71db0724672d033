import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../src/model/scheduler';
import { MemoryStore, STORE_KEYS } from '../../src/model/store';
import { isWatchableUuid, MAX_WATCHES, WatchList, type Watch } from '../../src/model/watches';
import { COLLECTION, CONTAINER, CR, ev, resetIds } from './model-fixtures';

test('watches are added once, persisted and restored', () => {
  const store = new MemoryStore();
  const w = new WatchList(store, new ManualScheduler());
  let changes = 0;
  w.onDidChange(() => changes++);
  assert.equal(w.add(CR, { name: 'run' }), true);
  assert.equal(w.add(CR), false);
  assert.equal(w.get(CR)?.kind, 'arvados#containerRequest', 'kind from the uuid');
  assert.equal(changes, 1);
  assert.deepEqual(store.get<Watch[]>(STORE_KEYS.watches)?.map((x) => x.uuid), [CR]);
  const again = new WatchList(store, new ManualScheduler());
  assert.equal(again.get(CR)?.name, 'run');
  assert.equal(again.remove(CR), true);
  assert.equal(again.remove(CR), false);
  assert.deepEqual(store.get(STORE_KEYS.watches), []);
});

test('events update the name and last known state; persistence is throttled', () => {
  resetIds();
  const store = new MemoryStore();
  const clock = new ManualScheduler();
  const w = new WatchList(store, clock);
  w.add(CR);
  assert.equal(w.observe(ev({ object_uuid: CONTAINER, new: { state: 'Running' } })), false, 'not watched');
  assert.equal(w.observe(ev({ object_uuid: CR, old: { state: 'Uncommitted' }, new: { state: 'Committed', name: 'my run' } })), true);
  assert.equal(w.get(CR)?.state, 'Committed');
  assert.equal(w.get(CR)?.name, 'my run');
  w.setOutcome(CR, { status: 'failed', exitCode: 1 });
  assert.equal(w.get(CR)?.outcome, 'failed (exit code 1)');
  w.observe(ev({ object_uuid: CR, old: { state: 'Committed' }, new: { state: 'Final' } }));
  assert.equal(w.get(CR)?.state, 'Final');
  assert.equal(w.get(CR)?.name, 'my run', 'a name once seen is kept');
  assert.equal(w.get(CR)?.outcome, undefined, 'a new state makes the old outcome stale');
  assert.notEqual(store.get<Watch[]>(STORE_KEYS.watches)?.[0].state, 'Final', 'not written yet');
  clock.advance(1000);
  assert.equal(store.get<Watch[]>(STORE_KEYS.watches)?.[0].state, 'Final');
});

test('trash, restore and delete show as states', () => {
  resetIds();
  const w = new WatchList(new MemoryStore(), new ManualScheduler());
  w.add(COLLECTION);
  w.observe(ev({ object_uuid: COLLECTION, old: { is_trashed: false }, new: { is_trashed: true } }));
  assert.equal(w.get(COLLECTION)?.state, 'trashed');
  w.observe(ev({ object_uuid: COLLECTION, old: { is_trashed: true }, new: { is_trashed: false } }));
  assert.equal(w.get(COLLECTION)?.state, undefined);
  w.observe(ev({ object_uuid: COLLECTION, event_type: 'delete', old: { name: 'x' } }));
  assert.equal(w.get(COLLECTION)?.state, 'deleted');
  w.flush();
});

test('the list is bounded, and only uuids are watchable', () => {
  const w = new WatchList(new MemoryStore(), new ManualScheduler());
  for (let i = 0; i < MAX_WATCHES; i++) w.add(`zzzzz-4zz18-${String(i).padStart(15, '0')}`);
  assert.throws(() => w.add(CR), RangeError);
  assert.ok(isWatchableUuid(` ${CR} `));
  assert.ok(!isWatchableUuid('d41d8cd98f00b204e9800998ecf8427e+0'));
  assert.ok(!isWatchableUuid('zzzzz'));
});

test('garbage in the store is ignored', () => {
  const store = new MemoryStore();
  store.update(STORE_KEYS.watches, [{ uuid: CR, kind: 'arvados#containerRequest' }, 'x', null, { nope: 1 }]);
  assert.deepEqual(new WatchList(store).list().map((w) => w.uuid), [CR]);
});
