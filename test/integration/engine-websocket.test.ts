/**
 * The websocket client against the fake cluster over real TLS sockets: client-side filtering,
 * reconnects without loss or duplicates, clean closes, queue overflow, long gaps, dead sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster } from '../fake/cluster';
import { subscribe } from '../../src/arvados/subscribe';
import { EventClient } from '../../src/arvados/eventClient';
import { clientOf, record, waitUntil, strictlyIncreasing, type RecordingLogger } from './helpers';
import type { SubscribeOptions } from '../../src/arvados/subscribe';
import type { Filter } from '../../src/arvados/types';

let cluster: FakeCluster;
let mine: string; // a collection the active user owns
let other: string; // another collection the active user owns

before(async () => {
  cluster = await FakeCluster.start({ sendTimeoutMs: 300 });
  mine = cluster.createObject({ kind: 'arvados#collection', name: 'reads.bam' }).object.uuid as string;
  other = cluster.createObject({ kind: 'arvados#collection', name: 'other.vcf' }).object.uuid as string;
});
after(() => cluster.stop());

const fast = { reconnectInitialMs: 5, reconnectMaxMs: 40, pollFallback: false } as const;

/** Subscribes as the active user and records what arrives; waits until the server has every subscription. */
async function follow(options: SubscribeOptions = {}) {
  const { api, logger } = clientOf(cluster);
  const seen = cluster.subscribeMessages.length;
  const { stream } = await subscribe(api, { ...fast, logger, ...options });
  const r = record(stream);
  const n = (options.filters ?? [[]]).length;
  await waitUntil('subscriptions received', () => cluster.subscribeMessages.length >= seen + n);
  const done = async () => {
    await stream.close();
    api.dispose();
  };
  return { api, logger: logger as RecordingLogger, stream, r, done };
}

test('conditions the server ignores are applied by the client', async () => {
  const filter: Filter = [['object_uuid', '=', mine], ['event_type', '=', 'update']];
  const { stream, r, done } = await follow({ filters: [filter] });
  const sent = cluster.subscribeMessages.at(-1)!.message as { filters: unknown };
  assert.deepEqual(sent.filters, filter, 'the whole filter is sent (the server keeps what it honours)');
  cluster.emit({ object_uuid: other, event_type: 'update' });
  cluster.emit({ object_uuid: mine, event_type: 'create' });
  const wanted = cluster.emit({ object_uuid: mine, event_type: 'update' });
  const marker = cluster.emit({ object_uuid: mine, event_type: 'update' });
  await waitUntil('the marker', () => r.events.some((e) => e.id === marker.id));
  assert.deepEqual(r.events.map((e) => e.id), [wanted.id, marker.id]);
  // The server did send the others: the client dropped them.
  await waitUntil('deliveries', () => cluster.deliveries.filter((d) => d.id >= wanted.id - 2).length >= 4);
  await done();
});

test('status replies and keepalives are never delivered as events', async () => {
  const { stream, r, logger, done } = await follow();
  await new Promise((res) => setTimeout(res, 800)); // a few 300 ms keepalives
  assert.deepEqual(r.events, []);
  assert.equal(stream.state.status, 'live', 'keepalives keep the socket alive');
  await done();
});

test('100 forced disconnects during a stream: zero lost, zero duplicated, in order', async () => {
  const filter: Filter = [['object_uuid', 'in', [mine]]];
  const connectionsBefore = cluster.wsConnectionsTotal;
  const { stream, r, done } = await follow({ filters: [filter] });
  const expected: number[] = [];
  let total = cluster.wsConnectionsTotal;
  for (let i = 0; i < 100; i++) {
    // Wait for the connection that replaced the one cut last time.
    await waitUntil(`live before cut ${i}`, () => stream.state.status === 'live' && cluster.wsConnectionsTotal > total - (i === 0 ? 1 : 0));
    total = cluster.wsConnectionsTotal;
    for (let k = 0; k < 3; k++) expected.push(cluster.emit({ object_uuid: mine }).id);
    cluster.emit({ object_uuid: other }); // not wanted
    if (i % 10 === 9) cluster.closeConnections(); // some clean closes too
    else cluster.cutConnections();
    // Events while the client is away: the replay or the logs API must bring them.
    for (let k = 0; k < 2; k++) expected.push(cluster.emit({ object_uuid: mine }).id);
  }
  await waitUntil('every event', () => r.events.length >= expected.length, 30_000);
  await new Promise((res) => setTimeout(res, 100));
  const ids = r.events.map((e) => e.id);
  assert.equal(ids.length, expected.length, 'nothing lost, nothing twice');
  assert.deepEqual(ids, expected);
  assert.ok(strictlyIncreasing(ids));
  assert.ok(cluster.wsConnectionsTotal - connectionsBefore >= 100, `it really reconnected (${cluster.wsConnectionsTotal - connectionsBefore} connections)`);
  assert.ok(r.states.includes('reconnecting 1'), 'reconnecting state with its attempt count');
  const resubscribes = cluster.subscribeMessages.filter((m) => (m.message as { last_log_id?: number }).last_log_id !== undefined);
  assert.ok(resubscribes.length >= 100, 'each reconnect resubscribes with last_log_id');
  await done();
});

test('a clean server close is followed by a reconnect, and the user close is final', async () => {
  const { stream, r, logger, done } = await follow();
  const before = cluster.wsConnectionsTotal;
  cluster.closeConnections(1000);
  await waitUntil('reconnected', () => cluster.wsConnectionsTotal > before && stream.state.status === 'live');
  const ev = cluster.emit({ object_uuid: mine });
  await waitUntil('event after reconnect', () => r.events.some((e) => e.id === ev.id));
  await done();
  const total = cluster.wsConnectionsTotal;
  cluster.emit({ object_uuid: mine });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(cluster.wsConnectionsTotal, total, 'close means closed: no reconnect');
  assert.equal(cluster.wsConnectionCount, 0);
  assert.equal(stream.state.status, 'closed');
  assert.equal(r.events.at(-1)!.id, ev.id, 'nothing received after close');
});

test('a queue-overflow disconnect loses nothing', async () => {
  const { stream, r, logger, done } = await follow();
  await waitUntil('live', () => stream.state.status === 'live');
  const overflowsBefore = cluster.overflowDisconnects;
  cluster.stallWrites(60_000);
  const rows = cluster.emitBatch(200, { object_uuid: mine });
  await waitUntil('the server dropped the slow client', () => cluster.overflowDisconnects > overflowsBefore);
  cluster.stallWrites(0);
  await waitUntil('all 200', () => r.events.length >= 200, 10_000);
  assert.deepEqual(r.events.map((e) => e.id), rows.map((x) => x.id));
  await done();
});

test('a gap longer than the 10-minute replay window is backfilled from the logs API', async () => {
  const { stream, r, logger, done } = await follow();
  const first = cluster.emit({ object_uuid: mine });
  await waitUntil('first', () => r.events.length === 1);
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  const missed = [cluster.emit({ object_uuid: mine }).id, cluster.emit({ object_uuid: mine }).id];
  cluster.advanceClock(11 * 60_000); // the outage lasts 11 minutes
  cluster.rejectUpgrades(false);
  await waitUntil('live again', () => stream.state.status === 'live', 10_000);
  const later = cluster.emit({ object_uuid: mine }).id;
  await waitUntil('all', () => r.events.length >= 4);
  assert.deepEqual(r.events.map((e) => e.id), [first.id, ...missed, later]);
  const overWebsocket = new Set(cluster.deliveries.map((d) => d.id));
  assert.ok(!missed.some((id) => overWebsocket.has(id)), 'the server did not replay them (too old): they came from the logs API');
  const resumed = cluster.subscribeMessages.map((m) => (m.message as { last_log_id?: number }).last_log_id);
  assert.ok(resumed.includes(first.id), 'resubscribed after the last event delivered');
  await done();
});

test('a backfill larger than maxBackfill keeps the newest and counts what it skipped', async () => {
  const { stream, r, logger, done } = await follow({ maxBackfill: 10 });
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  const rows = cluster.emitBatch(25, { object_uuid: mine });
  cluster.rejectUpgrades(false);
  await waitUntil('live again', () => stream.state.status === 'live' && r.events.length >= 10, 10_000);
  assert.deepEqual(r.events.map((e) => e.id), rows.slice(15).map((x) => x.id));
  assert.deepEqual(r.skipped, [15]);
  await done();
});

test('resuming from a last id after a restart delivers the events in between, once', async () => {
  const rows = cluster.emitBatch(5, { object_uuid: mine });
  const { stream, r, logger, done } = await follow({ lastLogId: rows[1].id });
  await waitUntil('backfilled', () => r.events.length >= 3 && stream.state.status === 'live');
  assert.deepEqual(r.events.map((e) => e.id), rows.slice(2).map((x) => x.id));
  await done();
});

test('several subscriptions are ORed and each event arrives once; unsubscribe narrows', async () => {
  const a: Filter = [['object_uuid', '=', mine]];
  const b: Filter = [['event_type', 'in', ['create']]];
  const { stream, r, done, logger } = await follow({ filters: [a, b] });
  const e1 = cluster.emit({ object_uuid: mine, event_type: 'update' }); // a
  const e2 = cluster.emit({ object_uuid: other, event_type: 'create' }); // b
  const e3 = cluster.emit({ object_uuid: mine, event_type: 'create' }); // both
  cluster.emit({ object_uuid: other, event_type: 'update' }); // neither
  await waitUntil('three', () => r.events.length >= 3).catch((e) => { console.log(r.errors, r.states, r.events.map((x) => x.id), logger.lines); throw e; });
  assert.deepEqual(r.events.map((e) => e.id), [e1.id, e2.id, e3.id]);
  assert.equal(stream.unsubscribe(b), true);
  await waitUntil('unsubscribe answered', () => cluster.subscribeMessages.some((m) => (m.message as { method?: string }).method === 'unsubscribe'));
  const e5 = cluster.emit({ object_uuid: other, event_type: 'create' });
  const e6 = cluster.emit({ object_uuid: mine, event_type: 'update' });
  await waitUntil('e6', () => r.events.some((e) => e.id === e6.id));
  assert.ok(!r.events.some((e) => e.id === e5.id), 'the removed filter no longer admits events');
  assert.deepEqual(r.errors, [], 'the unsubscribe matched on the server (no 400)');
  await done();
});

test('a silent socket (no frame for about twice the keepalive) is treated as dead and replaced', async () => {
  const { stream, r, logger, done } = await follow({ deadAfterMs: 700 });
  await waitUntil('live', () => stream.state.status === 'live');
  const before = cluster.wsConnectionsTotal;
  cluster.stallWrites(60_000); // nothing more reaches the client, not even keepalives
  await waitUntil('a new connection', () => cluster.wsConnectionsTotal > before, 5_000);
  cluster.stallWrites(0);
  assert.match(logger.text(), /No frame from the websocket server .* treating the connection as dead/);
  const ev = cluster.emit({ object_uuid: mine });
  await waitUntil('event on the new socket', () => r.events.some((e) => e.id === ev.id), 5_000);
  await done();
});

test('the websocket URL carries the token URL-encoded as api_token, and logs show it masked', async () => {
  const { logger, done } = await follow();
  await done();
  assert.match(logger.text(), /Connecting to wss:\/\/127\.0\.0\.1:\d+\/websocket\?api_token=\*\*\*/);
  const secret = cluster.users.active.token.split('/')[2];
  assert.ok(!logger.text().includes(secret));
});

test('EventClient on its own: subscribing a malformed filter throws a FilterError', async () => {
  const { api } = clientOf(cluster);
  const c = new EventClient(api, { websocketUrl: cluster.websocketUrl });
  assert.throws(() => c.subscribe('[["object_uuid","==","x"]]'), /unknown operator '=='/);
  assert.throws(() => c.subscribe('{"not":"a list"}'), /must be a list of conditions/);
  await c.close();
  api.dispose();
});

test('an event committed while the first subscribe is in flight is not lost', async () => {
  const { api } = clientOf(cluster);
  const seen: number[] = [];
  // Emit as soon as the server sees the upgrade, before it has read the subscribe message.
  const onConnection = () => void seen.push(cluster.emit({ object_uuid: mine }).id);
  cluster.events.once('connection', onConnection);
  const { stream } = await subscribe(api, { ...fast });
  const r = record(stream);
  await waitUntil('the early event', () => seen.length === 1 && r.events.some((e) => e.id === seen[0]), 5_000);
  await stream.close();
  api.dispose();
});
