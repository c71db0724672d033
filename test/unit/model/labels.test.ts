import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeMarkdown, eventAccessibleLabel, eventDescription, eventIcon, eventLabel, eventLogLine, eventTooltip, NameBook, nameFromEvent, relativeTime, stateChangeOf, stateOf,
} from '../../../src/model/labels';
import { CONTAINER, COLLECTION, CR, ev, resetIds } from '../../helpers/fixtures';

test('the label is new_attributes.name, else old_attributes.name, else a name seen, else the uuid', () => {
  resetIds();
  const names = new NameBook();
  assert.equal(eventLabel(ev({ new: { name: 'new' }, old: { name: 'old' } }), names), 'new');
  assert.equal(eventLabel(ev({ new: { state: 'Final' }, old: { name: 'old' } }), names), 'old');
  assert.equal(eventLabel(ev({ new: { name: '' }, old: { name: '  ' } }), names), CR, 'empty names do not count');
  names.learn(ev({ new: { name: 'seen before' } }));
  assert.equal(eventLabel(ev({ new: { state: 'Final' } }), names), 'seen before');
  assert.equal(eventLabel(ev({ object_uuid: CONTAINER }), names), CONTAINER);
  assert.equal(eventLabel(ev({ object_uuid: '', uuid: 'zzzzz-57u5n-aaaaaaaaaaaaaaa' })), 'zzzzz-57u5n-aaaaaaaaaaaaaaa');
  assert.equal(nameFromEvent(ev({ new: { name: 42 } })), undefined, 'non-string names are ignored');
});

test('the name book is bounded and keeps the latest name', () => {
  const names = new NameBook(2);
  names.set('a', '1');
  names.set('b', '2');
  names.set('a', '3');
  names.set('c', '4');
  assert.equal(names.get('a'), '3');
  assert.equal(names.get('b'), undefined);
  assert.equal(names.size, 2);
});

test('relative times read naturally', () => {
  const now = Date.UTC(2026, 0, 2);
  assert.equal(relativeTime(now - 1000, now), 'just now');
  assert.equal(relativeTime(now - 42_000, now), '42 s ago');
  assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago');
  assert.equal(relativeTime(now - 3 * 3600_000, now), '3 h ago');
  assert.equal(relativeTime(now - 2 * 86400_000, now), '2 d ago');
  assert.equal(relativeTime(now - 90 * 86400_000, now), '2025-10-04');
  assert.equal(relativeTime(NaN, now), 'unknown time');
});

test('the description puts the most useful first: state and outcome, relative time, then event type and kind', () => {
  resetIds();
  const e = ev({ event_type: 'update', event_at: '2026-01-01T00:00:00Z' });
  assert.equal(eventDescription(e, Date.parse('2026-01-01T00:00:30Z')), '30 s ago · update · container request');
  assert.equal(eventDescription(ev({ object_kind: '', object_uuid: 'x', event_type: '' }), 0).split(' · ').slice(1, 3).join(' · '), '(no type) · unknown kind');
  const final = ev({ event_type: 'update', event_at: '2026-01-01T00:00:00Z', old: { state: 'Committed' }, new: { state: 'Final' } });
  const at = Date.parse('2026-01-01T00:00:05Z');
  assert.equal(eventDescription(final, at), 'Committed → Final · 5 s ago · update · container request', 'the outcome not known yet');
  assert.equal(eventDescription(final, at, { status: 'failed', exitCode: 1 }), 'Committed → Final · failed, exit 1 · 5 s ago · update · container request');
  assert.equal(eventDescription(final, at, { status: 'succeeded', exitCode: 0 }).split(' · ')[1], 'succeeded');
  assert.equal(eventDescription(ev({ event_type: 'update', new: { state: 'Running' } }), at).split(' · ')[0], 'Running', 'no outcome before the end');
});

test("a row's accessible text carries the state and the outcome that the icon shows", () => {
  resetIds();
  const names = new NameBook();
  const at = Date.parse('2026-01-01T00:00:00Z');
  const committed = ev({ event_type: 'update', event_at: '2026-01-01T00:00:00Z', new: { name: 'align-reads', state: 'Committed' } });
  const failed = ev({ event_type: 'update', event_at: '2026-01-01T00:00:00Z', old: { state: 'Committed' }, new: { name: 'align-reads', state: 'Final' } });
  assert.equal(eventAccessibleLabel(committed, names, at), 'align-reads, container request, update, Committed, just now');
  assert.equal(eventAccessibleLabel(failed, names, at, { status: 'failed', exitCode: 1 }), 'align-reads, container request, update, Committed to Final, failed, exit 1, just now');
  assert.notEqual(eventAccessibleLabel(committed, names, at), eventAccessibleLabel(failed, names, at, { status: 'failed', exitCode: 1 }));
  const container = ev({ object_uuid: CONTAINER, object_kind: 'arvados#container', event_type: 'update', event_at: '2026-01-01T00:00:00Z', new: { state: 'Complete' } });
  assert.match(eventAccessibleLabel(container, names, at, { status: 'failed', exitCode: 1 }), /Complete, failed, exit 1/);
  assert.deepEqual(eventIcon(container, { status: 'failed', exitCode: 1 }), { id: 'error', color: 'arvados.failed' }, 'the failure icon and colour, not a tick');
  assert.equal(eventIcon(container).id, 'circle-large-filled', 'no tick while the exit code is unknown');
  assert.equal(eventAccessibleLabel(ev({ event_type: 'delete', event_at: '2026-01-01T00:00:00Z' }), names, at).split(', ')[3], 'deleted');
});

test('states and state changes', () => {
  assert.equal(stateOf(ev({ old: { state: 'Committed' }, new: { state: 'Final' } })), 'Final');
  assert.equal(stateOf(ev({ old: { state: 'Committed' } })), 'Committed');
  assert.equal(stateChangeOf(ev({ old: { state: 'Committed' }, new: { state: 'Final' } })), 'Committed → Final');
  assert.equal(stateChangeOf(ev({ old: { state: 'Final' }, new: { state: 'Final' } })), 'Final');
  assert.equal(stateChangeOf(ev({})), undefined);
});

test('icons follow the state (running, finished, cancelled, trashed), else the event type', () => {
  assert.deepEqual(eventIcon(ev({ object_uuid: CONTAINER, new: { state: 'Running' } })), { id: 'play-circle', color: 'arvados.running' });
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } })), { id: 'circle-large-filled' }, 'no tick and no color without a known outcome');
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } }), { status: 'succeeded', exitCode: 0 }), { id: 'pass', color: 'arvados.succeeded' });
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } }), { status: 'failed', exitCode: 2 }), { id: 'error', color: 'arvados.failed' });
  assert.deepEqual(eventIcon(ev({ object_uuid: CONTAINER, new: { state: 'Cancelled' } })), { id: 'circle-slash', color: 'arvados.cancelled' });
  assert.deepEqual(eventIcon(ev({ object_uuid: COLLECTION, new: { is_trashed: true } })), { id: 'trash', color: 'arvados.trashed' });
  assert.equal(eventIcon(ev({ event_type: 'delete' })).id, 'trash');
  assert.equal(eventIcon(ev({ event_type: 'create', object_uuid: COLLECTION, new: { name: 'x' } })).id, 'add');
  assert.equal(eventIcon(ev({ event_type: 'file_download' })).id, 'cloud-download');
  assert.equal(eventIcon(ev({ event_type: 'dispatch', properties: { text: 'failed' } })).color, 'arvados.failed');
  assert.equal(eventIcon(ev({ event_type: 'something new' })).id, 'symbol-event');
});

test('the tooltip lists every field and escapes what the cluster sent', () => {
  resetIds();
  const e = ev({ new: { name: '*bold* [link](x)', state: 'Final' }, old: { state: 'Committed' } });
  const md = eventTooltip(e, undefined, { status: 'failed', exitCode: 1 }, 'failed (exit code 1)');
  for (const field of ['id', 'event_type', 'event_at', 'object_uuid', 'object_kind', 'object_owner_uuid', 'uuid', 'state', 'outcome']) {
    assert.ok(md.includes(`\`${field}\``), field);
  }
  assert.ok(md.includes('\\*bold\\*'));
  assert.ok(md.includes('```json'));
  assert.ok(md.includes('Committed → Final'));
  assert.equal(escapeMarkdown('a_b'), 'a\\_b');
});

test('one output line per event, with its name and state change', () => {
  const e = ev({ id: 42, event_type: 'update', new: { name: 'my run', state: 'Final' }, old: { state: 'Committed' } });
  assert.equal(eventLogLine(e), `#42 update container request ${CR} "my run" Committed → Final`);
  assert.ok(!eventLogLine(ev({ id: 1, new: { name: 'a\nb' } })).includes('\n'));
});
