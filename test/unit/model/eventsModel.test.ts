import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsModel, FLAT_PAGE, isOlder, OlderEvents, type EventsNode } from '../../../src/model/eventsModel';
import type { ArvadosEvent } from '../../../src/arvados';
import { CR, ev, resetIds } from '../../helpers/fixtures';

const idsOf = (nodes: EventsNode[]) => nodes.map((n) => (isOlder(n) ? `older ${n.start}+${n.count}` : (n as ArvadosEvent).id));

test('the flat view shows the newest FLAT_PAGE events and one "older events" node for the rest, read when expanded', () => {
  resetIds();
  const m = new EventsModel(5000);
  const n = 2 * FLAT_PAGE + 500;
  m.add(Array.from({ length: n }, () => ev({ object_uuid: CR })));
  const roots = m.roots();
  assert.equal(roots.length, FLAT_PAGE + 1);
  assert.equal((roots[0] as ArvadosEvent).id, n, 'newest first');
  assert.equal((roots[FLAT_PAGE - 1] as ArvadosEvent).id, n - FLAT_PAGE + 1);
  const older = roots[FLAT_PAGE];
  assert.ok(isOlder(older));
  assert.deepEqual([older.start, older.count], [FLAT_PAGE, n - FLAT_PAGE]);
  // Expanding it: the next page, and a further node for what is older still.
  const next = m.children(older);
  assert.equal(next.length, FLAT_PAGE + 1);
  assert.equal((next[0] as ArvadosEvent).id, n - FLAT_PAGE);
  const last = next[FLAT_PAGE];
  assert.ok(isOlder(last));
  assert.deepEqual(idsOf(m.children(last)).slice(-2), [2, 1], 'the oldest at the very end');
  assert.equal(m.children(last).length, 500, 'no further node when all fit');
  // Every event is reachable exactly once.
  assert.equal(new Set([...roots, ...next, ...m.children(last)].filter((x) => !isOlder(x))).size, n);
  // reveal: each event's parent is the node it sits under.
  assert.equal(m.parentOf(roots[0]), undefined);
  const parent = m.parentOf(next[0]);
  assert.ok(isOlder(parent) && parent.start === FLAT_PAGE);
  const grand = m.parentOf(m.children(last)[0]);
  assert.ok(isOlder(grand) && grand.start === 2 * FLAT_PAGE);
  assert.ok(isOlder(m.parentOf(last)) && (m.parentOf(last) as OlderEvents).start === FLAT_PAGE);
  assert.equal(m.parentOf(older), undefined, 'the first "older" node is at the root');
});

test('no "older events" node while everything fits, nor when grouped', () => {
  resetIds();
  const m = new EventsModel(5000);
  m.add(Array.from({ length: FLAT_PAGE }, () => ev({ object_uuid: CR })));
  assert.equal(m.roots().filter(isOlder).length, 0);
  m.add([ev({ object_uuid: CR })]);
  assert.equal(m.roots().filter(isOlder).length, 1);
  m.setGroupBy('object');
  assert.equal(m.roots().length, 1, 'one group');
  assert.equal(m.roots().filter(isOlder).length, 0);
  assert.deepEqual(m.children(new OlderEvents(FLAT_PAGE, 1)), [], 'a stale "older" node has no children when grouped');
});
