import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trimProperties, classifyFrame, eventFromLogRow } from '../../../src/arvados/eventShape';
import { KindTable, kindInWords, defaultKinds } from '../../../src/arvados/kinds';

test('properties are trimmed to the six forwarded attributes, as the websocket server does', () => {
  const full = {
    old_attributes: { state: 'Committed', name: 'wf', priority: 1, output_uuid: null, owner_uuid: 'zzzzz-tpzed-aaaaaaaaaaaaaaa' },
    new_attributes: { state: 'Final', name: 'wf', exit_code: 0, is_trashed: false, requesting_container_uuid: null, portable_data_hash: 'x', modified_at: 't' },
    old_etag: 'a',
    new_etag: 'b',
  };
  assert.deepEqual(trimProperties(full), {
    old_attributes: { state: 'Committed', name: 'wf', owner_uuid: 'zzzzz-tpzed-aaaaaaaaaaaaaaa' },
    new_attributes: { state: 'Final', name: 'wf', is_trashed: false, requesting_container_uuid: null, portable_data_hash: 'x' },
  });
  assert.deepEqual(trimProperties({ old_attributes: null, new_attributes: { name: 'c' } }), { new_attributes: { name: 'c' } });
  assert.deepEqual(trimProperties({ text: 'dispatch failed', extra: 1 }), { text: 'dispatch failed', extra: 1 }, 'text logs are sent whole');
  assert.deepEqual(trimProperties({ reqPath: '/x', collection_uuid: 'c' }), {}, 'other event types send {}');
  assert.deepEqual(trimProperties(null), {});
});

test('frames are told apart by their keys: status, keepalive, event, malformed', () => {
  assert.deepEqual(classifyFrame('{"status":200}'), { type: 'status', status: 200 });
  assert.deepEqual(classifyFrame('{"status":400}'), { type: 'status', status: 400 });
  assert.deepEqual(classifyFrame('{}'), { type: 'keepalive' });
  const ev = classifyFrame(JSON.stringify({ msgID: 3, id: 42, uuid: 'zzzzz-57u5n-000000000000001', object_uuid: 'o', object_owner_uuid: '', object_kind: '', event_type: 'update', event_at: 't', properties: {} }));
  assert.equal(ev.type, 'event');
  assert.equal(ev.type === 'event' && ev.event.id, 42);
  assert.equal(ev.type === 'event' && 'msgID' in ev.event, false, 'msgID is per connection and is dropped');
  assert.equal(classifyFrame('not json').type, 'malformed');
  assert.equal(classifyFrame('[1,2]').type, 'malformed');
  assert.equal(classifyFrame('{"event_type":"x","id":"abc"}').type, 'malformed');
  assert.equal(classifyFrame('{"foo":1}').type, 'malformed');
});

test('an event frame hands over its own text (less msgID) as the JSON of the event only when the event is exactly its parse, on one line', () => {
  // As the server sends it: keys sorted (msgID between id and object_kind), Go's escapes.
  const wire = '{"event_at":"2026-12-01T10:00:00.5Z","event_type":"update","id":42,"msgID":7,"object_kind":"arvados#collection","object_owner_uuid":"zzzzz-tpzed-000000000000001","object_uuid":"zzzzz-4zz18-000000000000001","properties":{"new_attributes":{"name":"a\\u003cb\\u003e.bam"}},"uuid":"zzzzz-57u5n-000000000000042"}';
  const f = classifyFrame(wire);
  assert.ok(f.type === 'event');
  assert.equal(f.json, wire.replace(',"msgID":7', ''), 'the text as sent, without msgID');
  assert.deepEqual(JSON.parse(f.json!), f.event, 'the same event as JSON');
  assert.equal(f.event.properties.new_attributes?.name, 'a<b>.bam');
  // msgID first (another server's order) is cut too.
  const first = classifyFrame('{"msgID":1,"event_at":"t","event_type":"update","id":5,"object_kind":"","object_owner_uuid":"","object_uuid":"o","properties":{},"uuid":"u"}');
  assert.ok(first.type === 'event' && first.json === '{"event_at":"t","event_type":"update","id":5,"object_kind":"","object_owner_uuid":"","object_uuid":"o","properties":{},"uuid":"u"}');
  // Any field the engine fixes, adds or drops: no text (the consumer writes the event's JSON).
  const base = { event_at: 't', event_type: 'update', id: 5, object_kind: '', object_owner_uuid: '', object_uuid: 'o', properties: {}, uuid: 'u' };
  for (const [what, frame] of [
    ['a numeric-text id', { ...base, id: '5' }],
    ['a NULL text field', { ...base, event_at: null }],
    ['properties not a map', { ...base, properties: null }],
    ['a missing field', { ...base, uuid: undefined }],
    ['an extra field', { ...base, summary: 's' }],
  ] as const) {
    const c = classifyFrame(JSON.stringify(frame));
    assert.ok(c.type === 'event', what);
    assert.equal(c.json, undefined, what);
  }
  // Whitespace with line breaks is valid JSON but would split a line of output.
  const pretty = classifyFrame(JSON.stringify(base, null, 1));
  assert.ok(pretty.type === 'event' && pretty.json === undefined && pretty.event.id === 5);
});

test('log rows become events of the websocket shape, without the fields the websocket does not send', () => {
  const ev = eventFromLogRow(
    { id: 7, uuid: 'zzzzz-57u5n-000000000000007', object_uuid: 'zzzzz-xvhdp-000000000000001', object_owner_uuid: null, event_type: 'create', event_at: 'e', created_at: 'c', properties: { new_attributes: { name: 'n', priority: 5 } } },
    (u) => defaultKinds.kindOf(u),
  );
  assert.deepEqual(ev, {
    id: 7,
    uuid: 'zzzzz-57u5n-000000000000007',
    object_uuid: 'zzzzz-xvhdp-000000000000001',
    object_owner_uuid: '',
    object_kind: 'arvados#containerRequest',
    event_type: 'create',
    event_at: 'e',
    properties: { new_attributes: { name: 'n' } },
  });
});

test('kinds: infix table, PDHs, words, and rebuilding from a discovery document', () => {
  assert.equal(defaultKinds.kindOf('zzzzz-dz642-000000000000000'), 'arvados#container');
  assert.equal(defaultKinds.kindOf('d41d8cd98f00b204e9800998ecf8427e+0'), 'arvados#collection');
  assert.equal(defaultKinds.kindOf('zzzzz-qqqqq-000000000000000'), '');
  assert.equal(defaultKinds.kindOf('nonsense'), '');
  assert.equal(kindInWords('arvados#containerRequest'), 'container request');
  assert.equal(kindInWords(''), 'object');
  const t = KindTable.fromDiscovery({ schemas: { Widget: { uuidPrefix: 'wdgt1' } } });
  assert.equal(t.kindOf('zzzzz-wdgt1-000000000000000'), 'arvados#widget');
  assert.equal(t.infixOf('arvados#widget'), 'wdgt1');
});

test('an event frame is read in place: msgID dropped wherever it is, NULL and numbers made text, only the fields of an event, a bad prefix still malformed', () => {
  const first = classifyFrame('{"msgID":7,"id":"42","uuid":null,"object_uuid":"o","object_owner_uuid":3,"object_kind":"","event_type":"update","event_at":"t","properties":null}');
  assert.equal(first.type, 'event');
  if (first.type !== 'event') return;
  assert.deepEqual(first.event, { id: 42, uuid: '', object_uuid: 'o', object_owner_uuid: '3', object_kind: '', event_type: 'update', event_at: 't', properties: {} });
  const middle = classifyFrame('{"id":5,"msgID":9,"uuid":"u","object_uuid":"o","object_owner_uuid":"","object_kind":"","event_type":"create","event_at":"t","properties":{"text":"x"}}');
  assert.equal(middle.type === 'event' && 'msgID' in middle.event, false);
  assert.deepEqual(middle.type === 'event' && middle.event.properties, { text: 'x' });
  // Go's order (keys sorted): msgID after id, cut from the text; a key that only ends in msgID is kept.
  const sorted = classifyFrame('{"event_at":"t","event_type":"update","id":8,"msgID":12,"object_kind":"","object_owner_uuid":"","object_uuid":"o","properties":{"msgID":3},"uuid":"u"}');
  assert.equal(sorted.type === 'event' && 'msgID' in sorted.event, false);
  assert.deepEqual(sorted.type === 'event' && sorted.event.properties, { msgID: 3 }, 'a nested msgID is data');
  const lookalike = classifyFrame('{"event_type":"update","id":9,"a\\"msgID":1,"msgID":2}');
  assert.deepEqual(lookalike.type === 'event' && Object.keys(lookalike.event).sort(), ['event_at', 'event_type', 'id', 'object_kind', 'object_owner_uuid', 'object_uuid', 'properties', 'uuid'], 'an unusual frame: only the fields of an event');
  assert.equal(classifyFrame('{"msgID":5,}').type, 'malformed', 'not turned into a keepalive by dropping msgID');
  assert.equal(classifyFrame('{"id":1,"msgID":5,}').type, 'malformed');
  assert.equal(classifyFrame('{"msgID":5}').type, 'malformed');
  assert.equal(classifyFrame('{"msgID":1,"event_type":"x","id":0}').type, 'malformed');
});
