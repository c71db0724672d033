import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../helpers/manualScheduler';
import { storeKey } from '../../../src/model/store';
import { MemoryStore } from '../../helpers/memoryStore';
import { isWatchableUuid, MAX_WATCHES, WatchList, type Watch } from '../../../src/model/watches';
import { COLLECTION, CONTAINER, CR, ev, resetIds } from '../../helpers/fixtures';

test('watches are added once, persisted and restored', () => {
  const store = new MemoryStore();
  const w = new WatchList(store, new ManualScheduler());
  let changes = 0;
  w.onDidChange(() => changes++);
  assert.equal(w.add(CR, { name: 'run' }), true);
  assert.equal(w.add(CR), false);
  assert.equal(w.get(CR)?.kind, 'arvados#containerRequest', 'kind from the uuid');
  assert.equal(changes, 1);
  assert.deepEqual(store.get<Watch[]>(storeKey('watches', undefined))?.map((x) => x.uuid), [CR]);
  const again = new WatchList(store, new ManualScheduler());
  assert.equal(again.get(CR)?.name, 'run');
  assert.equal(again.remove(CR), true);
  assert.equal(again.remove(CR), false);
  assert.deepEqual(store.get(storeKey('watches', undefined)), []);
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
  assert.notEqual(store.get<Watch[]>(storeKey('watches', undefined))?.[0].state, 'Final', 'not written yet');
  clock.advance(1000);
  assert.equal(store.get<Watch[]>(storeKey('watches', undefined))?.[0].state, 'Final');
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
  store.update(storeKey('watches', undefined), [{ uuid: CR, kind: 'arvados#containerRequest' }, 'x', null, { nope: 1 }]);
  assert.deepEqual(new WatchList(store).list().map((w) => w.uuid), [CR]);
});

test('watched objects are followed on the connection while there are any, as one owner', () => {
  const follows: string[] = [];
  const connection = {
    follow(owner: string, filters: readonly unknown[]) {
      const entry = `${owner} ${JSON.stringify(filters)}`;
      follows.push(`+${entry}`);
      return { dispose: () => follows.push(`-${entry}`) };
    },
  };
  const w = new WatchList(new MemoryStore(), new ManualScheduler());
  const following = w.follow(connection);
  assert.deepEqual(follows, ['+watched []']);
  w.add(CR);
  w.add(COLLECTION);
  assert.deepEqual(follows.slice(1), [
    `+watched [[["object_uuid","in",["${CR}"]]]]`,
    '-watched []',
    `+watched [[["object_uuid","in",["${COLLECTION}","${CR}"]]]]`,
    `-watched [[["object_uuid","in",["${CR}"]]]]`,
  ], 'the new filters first, then the old go; uuids sorted');
  const before = follows.length;
  w.observe(ev({ object_uuid: CR, new: { state: 'Committed' } }));
  assert.equal(follows.length, before, 'a change of state follows nothing new');
  following.dispose();
  assert.equal(follows.at(-1), `-watched [[["object_uuid","in",["${COLLECTION}","${CR}"]]]]`);
  w.add(CONTAINER);
  assert.equal(follows.at(-1), `-watched [[["object_uuid","in",["${COLLECTION}","${CR}"]]]]`, 'nothing after dispose');
  w.flush();
});

test('watches are kept per cluster; rescope loads the other cluster\'s', async () => {
  const store = new MemoryStore();
  const a = new WatchList(store, new ManualScheduler(), 'a.example');
  a.add(CR);
  let changes = 0;
  a.onDidChange(() => changes++);
  await a.rescope('b.example');
  assert.equal(a.size, 0, 'b has none');
  assert.equal(changes, 1);
  a.add(COLLECTION);
  assert.deepEqual(store.get<Watch[]>(storeKey('watches', 'a.example'))?.map((x) => x.uuid), [CR]);
  assert.deepEqual(store.get<Watch[]>(storeKey('watches', 'b.example'))?.map((x) => x.uuid), [COLLECTION]);
  await a.rescope('a.example');
  assert.deepEqual(a.list().map((x) => x.uuid), [CR]);
});
