import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasLegacyKeys, isPositionKey, LEGACY_KEYS, migrateLegacyKeys, storeKey } from '../../../src/model/store';
import { MemoryStore } from '../../helpers/memoryStore';

const FILTER = [['event_type', 'in', ['update']]];
const WATCH = { uuid: 'zzzzz-4zz18-000000000000001', kind: 'arvados#collection' };

test('keys name their cluster; without one, the legacy key', () => {
  assert.equal(storeKey('filters', 'ZZZZZ.example:8443'), 'arvados.filters/zzzzz.example:8443');
  assert.equal(storeKey('position', 'a.example'), 'arvados.position/a.example');
  assert.equal(storeKey('watches', undefined), 'arvados.watches');
  assert.ok(isPositionKey(storeKey('position', 'a.example')));
  assert.ok(isPositionKey(LEGACY_KEYS.position));
  assert.ok(!isPositionKey(storeKey('filters', 'a.example')));
});

test('the legacy keys move under the cluster once: the position to its own host, filters and watches to the host connected to', async () => {
  const store = new MemoryStore();
  store.update('arvados.lastEventId', { host: 'old.example', id: 42 });
  store.update('arvados.filters', [FILTER]);
  store.update('arvados.watches', [WATCH]);
  assert.equal(hasLegacyKeys(store), true);
  await migrateLegacyKeys(store, 'new.example');
  assert.equal(hasLegacyKeys(store), false, 'nothing left to move (activation then skips the migration)');
  assert.equal(hasLegacyKeys(new MemoryStore()), false);
  assert.equal(store.get(storeKey('position', 'old.example')), 42);
  assert.deepEqual(store.get(storeKey('filters', 'new.example')), [FILTER]);
  assert.deepEqual(store.get(storeKey('watches', 'new.example')), [WATCH]);
  assert.deepEqual([...store.values.keys()].filter((k) => Object.values(LEGACY_KEYS).includes(k)), [], 'the legacy keys are gone');
  // Once: a second run (the next start) changes nothing.
  store.update(storeKey('filters', 'new.example'), []);
  await migrateLegacyKeys(store, 'new.example');
  assert.deepEqual(store.get(storeKey('filters', 'new.example')), []);
});

test('without a known host, filters and watches wait; a cluster\'s own keys win; garbage is dropped', async () => {
  const store = new MemoryStore();
  store.update('arvados.filters', [FILTER]);
  store.update('arvados.lastEventId', 'garbage');
  await migrateLegacyKeys(store, undefined);
  assert.deepEqual(store.get('arvados.filters'), [FILTER], 'kept until a host is known');
  assert.equal(store.get('arvados.lastEventId'), undefined, 'an unreadable position is dropped');
  store.update(storeKey('filters', 'a.example'), []);
  await migrateLegacyKeys(store, 'a.example');
  assert.deepEqual(store.get(storeKey('filters', 'a.example')), [], 'the cluster\'s own list wins');
  assert.equal(store.get('arvados.filters'), undefined);
  store.update('arvados.lastEventId', { host: 'a.example', id: 5 });
  store.update(storeKey('position', 'a.example'), 9);
  await migrateLegacyKeys(store, 'a.example');
  assert.equal(store.get(storeKey('position', 'a.example')), 9);
});
