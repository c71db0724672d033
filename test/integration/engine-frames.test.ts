/**
 * Frames the fake cluster never sends on purpose: a {"status":400} reply and malformed frames.
 * A scripted `ws` server on loopback speaks them (the REST side is the fake cluster's).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { FakeCluster } from '../fake/cluster';
import { EventClient } from '../../src/arvados/eventClient';
import { clientOf, record, waitUntil } from './helpers';

let cluster: FakeCluster;
let server: WebSocketServer;
let url: string;
const received: string[] = [];

before(async () => {
  cluster = await FakeCluster.start();
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/websocket`;
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      received.push(data.toString());
      socket.send('{"status":400}');
      for (const bad of ['not json', '[1,2]', '{"foo":1}', '{"event_type":"update","id":"abc"}']) socket.send(bad);
      socket.send('{}');
      socket.send(JSON.stringify({ msgID: 1, id: 1_000_000_000, uuid: 'zzzzz-57u5n-000000000000001', object_uuid: 'zzzzz-4zz18-000000000000001', object_owner_uuid: '', object_kind: 'arvados#collection', event_type: 'update', event_at: '2026-11-24T10:00:00Z', properties: {} }));
    });
  });
});
after(async () => {
  server.close();
  await cluster.stop();
});

test('a 400 reply surfaces as an error naming the request; malformed frames are logged and skipped', async () => {
  const { api, logger } = clientOf(cluster);
  const client = new EventClient(api, { websocketUrl: url, logger });
  const r = record(client);
  client.subscribe([['event_type', 'in', ['update']]]);
  await client.open();
  await waitUntil('the valid event', () => r.events.length === 1);
  assert.equal(r.events[0].id, 1_000_000_000);
  const sent = JSON.parse(received[0]);
  assert.equal(sent.method, 'subscribe');
  assert.deepEqual(sent.filters, [['event_type', 'in', ['update']]]);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /answered 400 to subscribe \[\["event_type","in",\["update"\]\]\]/);
  const skipped = logger.lines.filter((l) => /Skipped a malformed websocket frame/.test(l));
  assert.equal(skipped.length, 4, logger.text());
  assert.match(skipped.join('\n'), /not JSON/);
  assert.match(skipped.join('\n'), /event without a valid id/);
  assert.equal(client.state.status, 'live', 'malformed frames do not break the connection');
  await client.close();
  api.dispose();
});
