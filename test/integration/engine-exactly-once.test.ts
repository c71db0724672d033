/**
 * Every event exactly once, on every path: rows that commit out of id order (over the websocket,
 * while polling, across a reconnect), filters removed or added while a gap is being filled, a
 * poll round that stops half-way, close() in the middle of a catch-up, history streamed page by
 * page with a bounded number of held frames, and the backfill cap counted in events. Against the
 * fake cluster over real TLS sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster, type ApiRequestRecord } from '../fake/cluster';
import { subscribe, type SubscribeOptions } from '../../src/arvados/subscribe';
import { EventClient } from '../../src/arvados/eventClient';
import { PollClient } from '../../src/arvados/pollClient';
import type { Filter } from '../../src/arvados/types';
import { clientOf, record, waitUntil } from './helpers';

let cluster: FakeCluster;
let mine: string;
let other: string;

before(async () => {
  cluster = await FakeCluster.start({ sendTimeoutMs: 300 });
  mine = cluster.createObject({ kind: 'arvados#collection', name: 'late.bam' }).object.uuid as string;
  other = cluster.createObject({ kind: 'arvados#collection', name: 'other.bam' }).object.uuid as string;
});
after(() => cluster.stop());

const fast = { reconnectInitialMs: 5, reconnectMaxMs: 40, pollFallback: false } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function follow(options: SubscribeOptions = {}) {
  const { api, logger } = clientOf(cluster);
  const seen = cluster.subscribeMessages.length;
  const { stream } = await subscribe(api, { ...fast, logger, ...options });
  const r = record(stream);
  if (stream.transport === 'websocket') {
    const n = (options.filters ?? [[]]).length;
    await waitUntil('subscriptions received', () => cluster.subscribeMessages.length >= seen + n);
    await waitUntil('live', () => stream.state.status === 'live');
  }
  const done = async () => {
    await stream.close();
    api.dispose();
  };
  return { api, logger, stream, r, done };
}

const ids = (evs: Array<{ id: number }>) => evs.map((e) => e.id);
const once = (list: number[], id: number) => list.filter((x) => x === id).length;
const logsRequests = () => cluster.apiRequests.filter((q) => q.path === '/arvados/v1/logs').length;

// ---------------------------------------------------------------------------------------------
// 1. Rows that commit out of id order

test('over the websocket, a row that commits after a higher id is delivered, once', async () => {
  const { r, done } = await follow({ filters: [[['object_uuid', '=', mine]]] });
  const late = cluster.reserveLogId();
  const high = cluster.emit({ object_uuid: mine });
  await waitUntil('the higher id', () => ids(r.events).includes(high.id));
  cluster.emit({ id: late, object_uuid: mine });
  const marker = cluster.emit({ object_uuid: mine });
  await waitUntil('the marker', () => ids(r.events).includes(marker.id));
  await sleep(100);
  assert.deepEqual(ids(r.events), [high.id, late, marker.id]);
  await done();
});

test('while polling, a row that commits after a higher id is delivered, once', async () => {
  const { r, stream, done } = await follow({ transport: 'poll', pollIntervalMs: 30, filters: [[['object_uuid', '=', mine]]] });
  await waitUntil('first round', () => (stream as PollClient).ready);
  const late = cluster.reserveLogId();
  const high = cluster.emit({ object_uuid: mine });
  await waitUntil('the higher id', () => ids(r.events).includes(high.id));
  cluster.emit({ id: late, object_uuid: mine });
  await waitUntil('the late row', () => ids(r.events).includes(late), 3_000);
  const rounds = logsRequests();
  await waitUntil('three more rounds', () => logsRequests() >= rounds + 6);
  assert.deepEqual(ids(r.events), [high.id, late], 'each once');
  await done();
});

test('across a reconnect, a row that commits late during the outage is delivered, once', async () => {
  const { r, stream, done } = await follow({ filters: [[['object_uuid', '=', mine]]] });
  const late = cluster.reserveLogId();
  const high = cluster.emit({ object_uuid: mine });
  await waitUntil('the higher id', () => ids(r.events).includes(high.id));
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  await waitUntil('reconnecting', () => stream.state.status === 'reconnecting');
  cluster.emit({ id: late, object_uuid: mine });
  const during = cluster.emit({ object_uuid: mine });
  cluster.rejectUpgrades(false);
  await waitUntil('live again', () => stream.state.status === 'live' && ids(r.events).includes(during.id), 5_000);
  const marker = cluster.emit({ object_uuid: mine });
  await waitUntil('the marker', () => ids(r.events).includes(marker.id));
  const got = ids(r.events);
  assert.equal(once(got, late), 1, `the late row once: ${got.join(',')}`);
  assert.deepEqual([...got].sort((a, b) => a - b), [late, high.id, during.id, marker.id]);
  await done();
});

// ---------------------------------------------------------------------------------------------
// 2. Removing a filter during a catch-up

test("removing one filter while a gap is being filled does not skip another filter's gap", async () => {
  const a: Filter = [['object_uuid', '=', other]];
  const b: Filter = [['object_uuid', '=', mine]];
  const { r, stream, done } = await follow({ filters: [a, b] });
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  await waitUntil('reconnecting', () => stream.state.status === 'reconnecting');
  const gapB = cluster.emitBatch(3, { object_uuid: mine });
  cluster.advanceClock(11 * 60_000); // beyond the replay: only the logs API has them
  let removed = false;
  const onRequest = (q: ApiRequestRecord) => {
    if (!removed && q.path === '/arvados/v1/logs' && (q.query.filters ?? '').includes(other)) {
      removed = true;
      stream.unsubscribe(a); // while A's gap is being read
    }
  };
  cluster.events.on('request', onRequest);
  cluster.rejectUpgrades(false);
  try {
    await waitUntil('the gap of B', () => gapB.every((row) => ids(r.events).includes(row.id)), 5_000);
  } finally {
    cluster.events.off('request', onRequest);
  }
  assert.ok(removed, 'the filter was removed during the catch-up');
  await done();
});

// ---------------------------------------------------------------------------------------------
// 3. Polling keeps every subscription's resume point

test('a poll round stopped half-way by errors loses nothing after a restart from lastEventId', async () => {
  const a: Filter = [['object_uuid', '=', mine]];
  const b: Filter = [['object_uuid', '=', other]];
  const { api, logger } = clientOf(cluster);
  const first = new PollClient(api, { intervalMs: 40, logger });
  first.subscribe(a);
  first.subscribe(b);
  const r1 = record(first);
  first.start();
  await waitUntil('first round', () => first.ready);
  await sleep(60);
  // B's event has the lower id: a resume point taken from A's read alone would pass over it.
  const evB = cluster.emit({ object_uuid: other });
  const evA = cluster.emit({ object_uuid: mine });
  // Let the next round read one filter, then fail every logs request after it.
  let failing = false;
  const onRequest = (q: ApiRequestRecord) => {
    if (!failing && q.path === '/arvados/v1/logs' && (q.query.filters ?? '').includes(mine)) {
      failing = true;
      cluster.failNextApiCalls(1000, 503, ['/arvados/v1/logs']);
    }
  };
  cluster.events.on('request', onRequest);
  await waitUntil('a failed round', () => r1.errors.length > 0, 5_000);
  cluster.events.off('request', onRequest);
  await first.close();
  cluster.clearApiFailures();
  const resumeFrom = first.lastEventId;
  const second = new PollClient(api, { intervalMs: 40, logger });
  second.subscribe(a, resumeFrom);
  second.subscribe(b, resumeFrom);
  const r2 = record(second);
  second.start();
  await waitUntil('both events', () => [...ids(r1.events), ...ids(r2.events)].includes(evB.id) && [...ids(r1.events), ...ids(r2.events)].includes(evA.id), 5_000);
  const all = [...ids(r1.events), ...ids(r2.events)];
  assert.equal(once(all, evA.id), 1, 'A once across the restart');
  assert.equal(once(all, evB.id), 1, 'B once across the restart');
  await second.close();
  api.dispose();
});

// ---------------------------------------------------------------------------------------------
// 4. A filter added on a live connection

test('a filter added on a live connection misses nothing committed before the server applies it', async () => {
  const creates: Filter = [['event_type', 'in', ['create']]];
  const updates: Filter = [['event_type', 'in', ['update']]];
  const { r, stream, done } = await follow({ filters: [creates] });
  stream.subscribe(updates);
  // Committed at once, while the subscribe message is still on its way: the server does not send it.
  const early = cluster.emit({ object_uuid: mine, event_type: 'update' });
  await waitUntil('the early update', () => ids(r.events).includes(early.id), 5_000);
  const later = cluster.emit({ object_uuid: mine, event_type: 'update' });
  await waitUntil('a later update', () => ids(r.events).includes(later.id));
  assert.deepEqual(ids(r.events), [early.id, later.id]);
  await done();
});

// ---------------------------------------------------------------------------------------------
// 5. close() during a catch-up

test('close() during a catch-up: nothing is requested or delivered after it returns', async () => {
  const { r, stream, api } = await follow({ filters: [[['object_uuid', '=', mine]]] });
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  await waitUntil('reconnecting', () => stream.state.status === 'reconnecting');
  cluster.emitBatch(5, { object_uuid: mine });
  // The logs API fails: the catch-up retries with sleeps in between.
  cluster.failNextApiCalls(1000, 503, ['/arvados/v1/logs']);
  const before = logsRequests();
  cluster.rejectUpgrades(false);
  await waitUntil('the catch-up has started', () => logsRequests() > before, 5_000);
  const delivered = r.events.length;
  await stream.close();
  const after = cluster.apiRequests.length;
  await sleep(400);
  cluster.clearApiFailures();
  cluster.emitBatch(3, { object_uuid: mine });
  await sleep(200);
  assert.equal(cluster.apiRequests.length, after, 'no request after close');
  assert.equal(r.events.length, delivered, 'no event after close');
  api.dispose();
});

test('close() while the first request is in flight opens no socket', async () => {
  const { api } = clientOf(cluster);
  const client = new EventClient(api, { websocketUrl: cluster.websocketUrl });
  client.subscribe([]);
  const sockets = cluster.wsConnectionsTotal;
  const opening = client.open();
  await client.close();
  await opening.catch(() => undefined);
  await sleep(200);
  assert.equal(cluster.wsConnectionsTotal, sockets, 'no websocket was opened');
  api.dispose();
});

test('the poll client delivers no page after close()', async () => {
  const { api, logger } = clientOf(cluster);
  const client = new PollClient(api, { intervalMs: 20, pageSize: 100, logger });
  client.subscribe([['object_uuid', '=', mine]]);
  const r = record(client);
  client.start();
  await waitUntil('first round', () => client.ready);
  cluster.emitBatch(500, { object_uuid: mine });
  let closing: Promise<void> | undefined;
  let deliveredAtClose = -1;
  const onRequest = (q: ApiRequestRecord) => {
    if (!closing && q.path === '/arvados/v1/logs' && q.query.order === '["id asc"]') {
      deliveredAtClose = r.events.length;
      closing = client.close();
    }
  };
  cluster.events.on('request', onRequest);
  await waitUntil('closing', () => closing !== undefined, 5_000);
  await closing;
  cluster.events.off('request', onRequest);
  const requests = cluster.apiRequests.length;
  await sleep(200);
  assert.equal(r.events.length, deliveredAtClose, 'the page in flight was not delivered');
  assert.equal(cluster.apiRequests.length, requests);
  api.dispose();
});

// ---------------------------------------------------------------------------------------------
// 6. History streams, in bounded memory

test('a long history is delivered page by page: the first events arrive before the last page is read', async () => {
  const start = cluster.lastLogId;
  cluster.emitBatch(2_000, { object_uuid: mine });
  const { api, logger } = clientOf(cluster);
  let requestsAtFirst = -1;
  const before = logsRequests();
  const { stream } = await subscribe(api, {
    ...fast,
    logger,
    lastLogId: start,
    pageSize: 100,
    filters: [[['object_uuid', '=', mine]]],
    onEvent: () => {
      if (requestsAtFirst < 0) requestsAtFirst = logsRequests();
    },
  });
  const r = record(stream);
  await waitUntil('live', () => stream.state.status === 'live', 10_000);
  assert.ok(requestsAtFirst > 0 && requestsAtFirst < before + 6, `first event after ${requestsAtFirst - before} of ~20 page requests`);
  assert.ok(r.events.length >= 1_990);
  await stream.close();
  api.dispose();
});

test('a flood while the gap is filled, with few frames held, still goes live and loses nothing', async () => {
  const { r, stream, done } = await follow({ filters: [[['object_uuid', '=', mine]]], maxHeld: 20, pageSize: 50 });
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  await waitUntil('reconnecting', () => stream.state.status === 'reconnecting');
  const expected = cluster.emitBatch(300, { object_uuid: mine }).map((x) => x.id);
  cluster.advanceClock(11 * 60_000);
  cluster.rejectUpgrades(false);
  // Keep committing while the gap is read.
  const flood = cluster.emitStream(600, { object_uuid: mine }, { intervalMs: 1 });
  expected.push(...(await flood).map((x) => x.id));
  await waitUntil('live', () => stream.state.status === 'live', 15_000);
  await waitUntil('every event', () => r.events.length >= expected.length, 10_000);
  const got = ids(r.events);
  assert.equal(new Set(got).size, got.length, 'none twice');
  assert.deepEqual([...got].sort((a, b) => a - b), expected);
  await done();
});

// ---------------------------------------------------------------------------------------------
// 7. The backfill cap counts matching events

test('maxBackfill counts matching events, not rows read, and counts each skipped event once', async () => {
  // Half the rows match; the API cannot apply the condition, so the client reads every row.
  const finalOnly: Filter = [['object_uuid', '=', mine], ['properties.new_attributes.state', '=', 'Final']];
  const alsoMine: Filter = [['object_uuid', '=', mine], ['properties.new_attributes.state', 'in', ['Final', 'Missing']]];
  const { r, stream, done } = await follow({ filters: [finalOnly, alsoMine], maxBackfill: 10 });
  cluster.rejectUpgrades(true);
  cluster.cutConnections();
  await waitUntil('reconnecting', () => stream.state.status === 'reconnecting');
  const rows = cluster.emitBatch(40, (i) => ({ object_uuid: mine, properties: { new_attributes: { state: i % 2 ? 'Final' : 'Committed' } } }));
  cluster.advanceClock(11 * 60_000);
  cluster.rejectUpgrades(false);
  await waitUntil('live again', () => stream.state.status === 'live', 10_000);
  const matching = rows.filter((_, i) => i % 2).map((x) => x.id);
  assert.deepEqual(ids(r.events), matching.slice(10), 'the newest 10 matching events');
  assert.deepEqual(r.skipped, [10], 'the 10 older matching events, once each');
  await done();
});
