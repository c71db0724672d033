import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storeKey } from '../../../src/model/store';
import { USER_FILTERS_OWNER, UserFilters } from '../../../src/model/userFilters';
import { MemoryStore } from '../../helpers/memoryStore';

function recorder() {
  const log: string[] = [];
  return {
    log,
    follow(owner: string, filters: readonly unknown[]) {
      const entry = `${owner} ${JSON.stringify(filters)}`;
      log.push(`+${entry}`);
      return { dispose: () => log.push(`-${entry}`) };
    },
  };
}

test('the user\'s filters are one owner: everything while empty, the new list before the old goes', () => {
  const connection = recorder();
  const filters = new UserFilters(new MemoryStore(), connection, 'a.example');
  filters.add([['event_type', 'in', ['create']]]);
  assert.deepEqual(connection.log, [
    `+${USER_FILTERS_OWNER} [[]]`,
    `+${USER_FILTERS_OWNER} [[["event_type","in",["create"]]]]`,
    `-${USER_FILTERS_OWNER} [[]]`,
  ]);
  filters.dispose();
  assert.equal(connection.log.at(-1), `-${USER_FILTERS_OWNER} [[["event_type","in",["create"]]]]`);
});

test('filters are kept per cluster; rescope loads the other cluster\'s, migrating legacy ones', async () => {
  const store = new MemoryStore();
  store.update('arvados.filters', [[['event_type', 'in', ['delete']]]]);
  const connection = recorder();
  const filters = new UserFilters(store, connection, undefined);
  assert.equal(filters.list.length, 1, 'no cluster known yet: the legacy list');
  let changes = 0;
  filters.onDidChange(() => changes++);
  await filters.rescope('a.example');
  assert.deepEqual(filters.list, [[['event_type', 'in', ['delete']]]], 'moved to the first cluster connected to');
  assert.equal(store.get('arvados.filters'), undefined);
  await filters.rescope('b.example');
  assert.deepEqual(filters.list, []);
  filters.add([['event_type', 'in', ['create']]]);
  assert.deepEqual(store.get(storeKey('filters', 'a.example')), [[['event_type', 'in', ['delete']]]]);
  assert.deepEqual(store.get(storeKey('filters', 'b.example')), [[['event_type', 'in', ['create']]]]);
  assert.equal(changes, 3);
  await filters.rescope('b.example');
  assert.equal(changes, 3, 'the same cluster changes nothing');
  assert.equal(connection.log.at(-1), `-${USER_FILTERS_OWNER} [[]]`);
});
