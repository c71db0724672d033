import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsModel, isGroup } from '../../../src/model/eventsModel';
import { eventId, groupId, groupKey, GroupIndex, groupLabel, isGroupBy } from '../../../src/model/grouping';
import { NameBook } from '../../../src/model/labels';
import type { ArvadosEvent } from '../../../src/arvados';
import { COLLECTION, CONTAINER, CR, CR2, ev, resetIds } from '../../helpers/fixtures';

test('group keys and ids are stable', () => {
  const e = ev({ object_uuid: CR, event_type: 'update' });
  assert.equal(groupKey(e, 'object'), CR);
  assert.equal(groupKey(e, 'kind'), 'arvados#containerRequest');
  assert.equal(groupKey(e, 'eventType'), 'update');
  assert.equal(groupId('object', CR), `group:object:${CR}`);
  assert.equal(eventId(ev({ id: 7 })), 'event:7');
  assert.ok(isGroupBy('kind'));
  assert.ok(!isGroupBy('nope'));
});

test('the group index follows additions and evictions, reporting only what changed', () => {
  resetIds();
  const idx = new GroupIndex('object');
  const a1 = ev({ object_uuid: CR });
  const b1 = ev({ object_uuid: CR2 });
  let change = idx.apply([a1, b1], []);
  assert.equal(change.structureChanged, true, 'new groups need the root');
  assert.deepEqual(change.changed, [], 'new groups come with the root refresh');
  const groupA = idx.get(CR)!;
  const a2 = ev({ object_uuid: CR });
  change = idx.apply([a2], []);
  assert.equal(change.structureChanged, false);
  assert.deepEqual(change.changed, [groupA], 'only the group that gained an event');
  assert.equal(idx.get(CR), groupA, 'the same group object: its tree id and expansion survive');
  assert.deepEqual(groupA.newestFirst().map((e) => e.id), [a2.id, a1.id]);
  change = idx.apply([], [a1]);
  assert.deepEqual(change.changed, [groupA]);
  assert.equal(groupA.size, 1);
  change = idx.apply([], [b1]);
  assert.equal(change.structureChanged, true, 'an emptied group disappears');
  assert.equal(idx.get(CR2), undefined);
});

test('object groups are newest first by creation; kind and type groups alphabetical', () => {
  resetIds();
  const byObject = new GroupIndex('object');
  byObject.apply([ev({ object_uuid: CR }), ev({ object_uuid: CR2 }), ev({ object_uuid: CR })], []);
  assert.deepEqual(byObject.list().map((g) => g.key), [CR2, CR], 'order does not change when an old group gains events');
  const byKind = new GroupIndex('kind');
  byKind.apply([ev({ object_uuid: CR }), ev({ object_uuid: COLLECTION }), ev({ object_uuid: CONTAINER })], []);
  assert.deepEqual(byKind.list().map((g) => groupLabel(g)), ['collection', 'container', 'container request']);
});

test('group labels: names for objects, kinds in words, event types', () => {
  resetIds();
  const names = new NameBook();
  names.set(CR, 'my workflow');
  const idx = new GroupIndex('object');
  idx.apply([ev({ object_uuid: CR }), ev({ object_uuid: CR2 }), ev({ object_uuid: '' })], []);
  assert.equal(groupLabel(idx.get(CR)!, names), 'my workflow');
  assert.equal(groupLabel(idx.get(CR2)!, names), CR2);
  assert.equal(groupLabel(idx.get('')!, names), '(no object)');
  const types = new GroupIndex('eventType');
  types.apply([ev({ event_type: '' })], []);
  assert.equal(groupLabel(types.get('')!), '(no event type)');
});

test('the flat model asks for one root refresh per batch, and none for an empty batch', () => {
  resetIds();
  const m = new EventsModel(3);
  assert.deepEqual(m.add([]), { kind: 'none' });
  assert.deepEqual(m.add([ev(), ev()]), { kind: 'root' });
  assert.deepEqual(m.roots().map((n) => (n as ArvadosEvent).id), [2, 1]);
  m.add([ev(), ev()]);
  assert.equal(m.dropped, 1);
  assert.deepEqual(m.roots().map((n) => (n as ArvadosEvent).id), [4, 3, 2]);
  assert.deepEqual(m.add([], 5), { kind: 'none' });
  assert.equal(m.dropped, 6, 'drops upstream of the buffer are counted');
});

test('the grouped model refreshes only changed groups, and the root when groups come or go', () => {
  resetIds();
  const m = new EventsModel(4, 'object');
  assert.equal(m.add([ev({ object_uuid: CR }), ev({ object_uuid: CR2 })]).kind, 'root');
  const change = m.add([ev({ object_uuid: CR })]);
  assert.equal(change.kind, 'groups');
  assert.deepEqual(change.kind === 'groups' && change.groups.map((g) => g.key), [CR]);
  // The buffer is full after one more: eviction of CR2's only event removes its group.
  m.add([ev({ object_uuid: CR })]);
  assert.equal(m.add([ev({ object_uuid: CR })]).kind, 'groups', 'the evicted event was CR\'s first: CR changes, no group goes');
  assert.equal(m.add([ev({ object_uuid: CR })]).kind, 'root', 'CR2 lost its last event');
  const roots = m.roots();
  assert.equal(roots.length, 1);
  assert.ok(isGroup(roots[0]));
  assert.equal(m.children(roots[0]).length, 4);
  assert.equal(m.parentOf(m.children(roots[0])[0]), roots[0]);
});

test('switching grouping rebuilds from the buffer; clear and resize keep the index in step', () => {
  resetIds();
  const m = new EventsModel(10);
  m.add([ev({ object_uuid: CR, event_type: 'create' }), ev({ object_uuid: CR2, event_type: 'update' }), ev({ object_uuid: CR, event_type: 'update' })]);
  m.setGroupBy('eventType');
  assert.deepEqual(m.roots().map((g) => (isGroup(g) ? g.key : '')), ['create', 'update']);
  m.setGroupBy('none');
  assert.equal(m.roots().length, 3);
  m.setGroupBy('object');
  assert.deepEqual(m.resize(1), { kind: 'root' });
  assert.equal(m.roots().length, 1);
  m.clear();
  assert.deepEqual(m.roots(), []);
  assert.equal(m.get(3), undefined);
});

test('a flood into many groups falls back to one root refresh', () => {
  resetIds();
  const m = new EventsModel(1000, 'object');
  const uuids = Array.from({ length: 60 }, (_, i) => `zzzzz-xvhdp-${String(i).padStart(15, '0')}`);
  m.add(uuids.map((u) => ev({ object_uuid: u })));
  assert.equal(m.add(uuids.map((u) => ev({ object_uuid: u }))).kind, 'root');
});
