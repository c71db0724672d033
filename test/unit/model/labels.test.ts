import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeMarkdown, eventDescription, eventIcon, eventLabel, eventLogLine, eventTooltip, NameBook, nameFromEvent, relativeTime, stateChangeOf, stateOf,
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

test('the description is event type · kind in words · relative time', () => {
  resetIds();
  const e = ev({ event_type: 'update', event_at: '2026-01-01T00:00:00Z' });
  assert.equal(eventDescription(e, Date.parse('2026-01-01T00:00:30Z')), 'update · container request · 30 s ago');
  assert.equal(eventDescription(ev({ object_kind: '', object_uuid: 'x', event_type: '' }), 0).split(' · ').slice(0, 2).join(' · '), '(no type) · unknown kind');
});

test('states and state changes', () => {
  assert.equal(stateOf(ev({ old: { state: 'Committed' }, new: { state: 'Final' } })), 'Final');
  assert.equal(stateOf(ev({ old: { state: 'Committed' } })), 'Committed');
  assert.equal(stateChangeOf(ev({ old: { state: 'Committed' }, new: { state: 'Final' } })), 'Committed → Final');
  assert.equal(stateChangeOf(ev({ old: { state: 'Final' }, new: { state: 'Final' } })), 'Final');
  assert.equal(stateChangeOf(ev({})), undefined);
});

test('icons follow the state (running, finished, cancelled, trashed), else the event type', () => {
  assert.deepEqual(eventIcon(ev({ object_uuid: CONTAINER, new: { state: 'Running' } })), { id: 'play-circle', color: 'charts.blue' });
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } })), { id: 'pass' }, 'no color without a known outcome');
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } }), { status: 'succeeded', exitCode: 0 }), { id: 'pass', color: 'testing.iconPassed' });
  assert.deepEqual(eventIcon(ev({ new: { state: 'Final' } }), { status: 'failed', exitCode: 2 }), { id: 'error', color: 'testing.iconFailed' });
  assert.deepEqual(eventIcon(ev({ object_uuid: CONTAINER, new: { state: 'Cancelled' } })), { id: 'circle-slash', color: 'charts.yellow' });
  assert.deepEqual(eventIcon(ev({ object_uuid: COLLECTION, new: { is_trashed: true } })), { id: 'trash', color: 'disabledForeground' });
  assert.equal(eventIcon(ev({ event_type: 'delete' })).id, 'trash');
  assert.equal(eventIcon(ev({ event_type: 'create', object_uuid: COLLECTION, new: { name: 'x' } })).id, 'add');
  assert.equal(eventIcon(ev({ event_type: 'file_download' })).id, 'cloud-download');
  assert.equal(eventIcon(ev({ event_type: 'dispatch', properties: { text: 'failed' } })).color, 'testing.iconFailed');
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
