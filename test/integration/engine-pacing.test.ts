/**
 * A burst of frames is handled a bounded number per event-loop turn: a socket read can hold
 * thousands of frames, and handling them all in one callback keeps every other callback of the
 * process (the extension host's views, other extensions) waiting. Real websocket, real TLS.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster } from '../fake/cluster';
import { EventClient, FRAMES_PER_TURN } from '../../src/arvados/eventClient';
import { clientOf, record, waitUntil } from './helpers';

let cluster: FakeCluster;
before(async () => {
  cluster = await FakeCluster.start({ clientQueueSize: 100_000 });
});
after(async () => {
  await cluster.stop();
});

test('20,000 frames at once: every one delivered, in order, at most a bounded number per event-loop turn', async () => {
  const { api, logger } = clientOf(cluster);
  const client = new EventClient(api, { websocketUrl: cluster.websocketUrl, logger });
  const r = record(client);
  client.subscribe([]);
  await client.open();
  await waitUntil('live', () => client.state.status === 'live');
  // Counts the events delivered between two turns of the event loop.
  let inTurn = 0;
  let most = 0;
  let ticking = true;
  client.onEvent(() => {
    inTurn++;
  });
  const tick = () => {
    most = Math.max(most, inTurn);
    inTurn = 0;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const mine = cluster.createObject({ kind: 'arvados#collection', name: 'burst.bam' }).object.uuid as string;
  const updates = () => r.events.filter((e) => e.object_uuid === mine && e.event_type === 'update');
  const rows = cluster.emitBatch(20_000, { object_uuid: mine, event_type: 'update' });
  await waitUntil('every event', () => updates().length >= rows.length, 60_000).catch((err) => assert.fail(`${err.message}: ${r.events.length} of ${rows.length}; ${r.states.join(' ')}; ${logger.text()}`));
  ticking = false;
  assert.deepEqual(updates().map((e) => e.id), rows.map((row) => row.id));
  assert.equal(new Set(r.events.map((e) => e.id)).size, r.events.length, 'no event twice');
  // A read that ends inside the limit's last frame may finish its chunk: one TLS record (16 KiB) more.
  assert.ok(most <= FRAMES_PER_TURN + 100, `${most} events in one turn (limit ${FRAMES_PER_TURN})`);
  await client.close();
  api.dispose();
});
