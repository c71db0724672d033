/**
 * Polling, fallback from the websocket, and the errors a user can make: a bad token, an untrusted
 * certificate, a wrong host, API errors. Against the fake cluster over real TLS sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { FakeCluster } from '../fake/cluster';
import { subscribe } from '../../src/arvados/subscribe';
import { PollClient } from '../../src/arvados/pollClient';
import { ApiClient } from '../../src/arvados/rest';
import { ConnectError, FeatureNotEnabledError, InvalidTokenError, ApiError } from '../../src/arvados/errors';
import type { Filter } from '../../src/arvados/types';
import { clientOf, record, waitUntil, strictlyIncreasing, allOutput } from './helpers';

let cluster: FakeCluster;
let mine: string;
let other: string;

before(async () => {
  cluster = await FakeCluster.start({ sendTimeoutMs: 300 });
  mine = cluster.createObject({ kind: 'arvados#collection', name: 'mine' }).object.uuid as string;
  other = cluster.createObject({ kind: 'arvados#collection', name: 'other' }).object.uuid as string;
});
after(() => cluster.stop());

test('a cluster that publishes no websocket URL is polled', async () => {
  cluster.setWebsocketEnabled(false);
  try {
    const { api, logger } = clientOf(cluster);
    const { stream } = await subscribe(api, { pollIntervalMs: 50, logger });
    const r = record(stream);
    assert.equal(stream.transport, 'poll');
    assert.match(logger.text(), /publishes no websocket URL: polling/);
    await waitUntil('first round', () => cluster.apiRequests.some((q) => q.path === '/arvados/v1/logs'));
    await new Promise((res) => setTimeout(res, 120));
    const rows = cluster.emitBatch(5, { object_uuid: mine });
    await waitUntil('polled events', () => r.events.length >= 5);
    assert.deepEqual(r.events.map((e) => e.id), rows.map((x) => x.id));
    await stream.close();
    api.dispose();
  } finally {
    cluster.setWebsocketEnabled(true);
  }
});

test('no websocket and polling turned off is a clear error', async () => {
  cluster.setWebsocketEnabled(false);
  try {
    const { api } = clientOf(cluster);
    await assert.rejects(subscribe(api, { pollFallback: false }), (e: Error) => e instanceof FeatureNotEnabledError && /publishes no websocket URL/.test(e.message));
    api.dispose();
  } finally {
    cluster.setWebsocketEnabled(true);
  }
});

test('a websocket that cannot be opened falls back to polling (e.g. a proxy that blocks upgrades)', async () => {
  cluster.rejectUpgrades(true);
  try {
    const { api, logger } = clientOf(cluster);
    const { stream } = await subscribe(api, { pollIntervalMs: 50, logger });
    assert.equal(stream.transport, 'poll');
    assert.match(logger.text(), /websocket is unavailable .*503.*polling the logs API instead/);
    await stream.close();
    const { api: api2 } = clientOf(cluster);
    await assert.rejects(subscribe(api2, { pollFallback: false }), (e: Error) => e instanceof ConnectError && /503.*Polling is turned off/.test(e.message));
    api.dispose();
    api2.dispose();
  } finally {
    cluster.rejectUpgrades(false);
  }
});

test('ARVADOS_DISABLE_WEBSOCKETS makes it poll', async () => {
  const { api } = clientOf(cluster, { disableWebsockets: true });
  const { stream } = await subscribe(api, { pollIntervalMs: 50 });
  assert.equal(stream.transport, 'poll');
  await stream.close();
  api.dispose();
});

test('polling keeps going through 5xx errors and loses nothing', async () => {
  const { api } = clientOf(cluster);
  const poll = new PollClient(api, { intervalMs: 30 });
  const r = record(poll);
  poll.subscribe([['object_uuid', '=', mine]]);
  poll.start();
  await waitUntil('cursor set', () => poll.ready);
  const rows = cluster.emitBatch(3, { object_uuid: mine });
  // More failures than the client retries (3): a whole round fails and is reported, then it recovers.
  cluster.failNextApiCalls(6, 503, ['/arvados/v1/logs']);
  const more = cluster.emitBatch(3, { object_uuid: mine });
  await waitUntil('all six', () => r.events.length >= 6, 10_000);
  assert.deepEqual(r.events.map((e) => e.id), [...rows, ...more].map((x) => x.id));
  assert.ok(r.errors.some((m) => /Polling failed \(1 in a row\).*503/.test(m)), r.errors.join('\n'));
  assert.equal(poll.state.status, 'polling');
  await poll.close();
  api.dispose();
});

test('two poll subscriptions do not skip each other’s events (one cursor each)', async () => {
  const { api } = clientOf(cluster);
  const poll = new PollClient(api, { intervalMs: 40 });
  const r = record(poll);
  const a: Filter = [['object_uuid', '=', mine]];
  const b: Filter = [['object_uuid', '=', other]];
  poll.subscribe(a);
  poll.subscribe(b);
  poll.start();
  await waitUntil('cursors set', () => poll.ready);
  const expected: number[] = [];
  for (let i = 0; i < 20; i++) {
    expected.push(cluster.emit({ object_uuid: i % 3 ? mine : other }).id);
    if (i % 5 === 0) await new Promise((res) => setTimeout(res, 15)); // land between the two subscriptions' reads
  }
  cluster.emit({ object_uuid: 'zzzzz-4zz18-nobodyknowsthis' }); // matches neither
  await waitUntil('all 20', () => r.events.length >= 20, 10_000);
  await new Promise((res) => setTimeout(res, 150));
  assert.deepEqual(r.events.map((e) => e.id).sort((x, y) => x - y), expected);
  assert.equal(new Set(r.events.map((e) => e.id)).size, r.events.length, 'none twice');
  for (const f of [mine, other]) assert.ok(strictlyIncreasing(r.events.filter((e) => e.object_uuid === f).map((e) => e.id)), 'in order per subscription');
  await poll.close();
  api.dispose();
});

test('an event matching two poll subscriptions is delivered once', async () => {
  const { api } = clientOf(cluster);
  const poll = new PollClient(api, { intervalMs: 40 });
  const r = record(poll);
  poll.subscribe([['object_uuid', '=', mine]]);
  poll.subscribe([['event_type', 'in', ['create']]]);
  poll.start();
  await waitUntil('cursors set', () => poll.ready);
  const both = cluster.emit({ object_uuid: mine, event_type: 'create' });
  const marker = cluster.emit({ object_uuid: mine, event_type: 'update' });
  await waitUntil('marker', () => r.events.some((e) => e.id === marker.id));
  await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(r.events.map((e) => e.id), [both.id, marker.id]);
  await poll.close();
  api.dispose();
});

test('polling a backlog pages until caught up, with the same filter results as the websocket', async () => {
  const start = cluster.lastLogId;
  const rows = cluster.emitBatch(2500, (i) => ({ object_uuid: i % 2 ? mine : other, event_type: i % 3 ? 'update' : 'create' }));
  const filter: Filter = [['object_uuid', '=', mine], ['event_type', '!=', 'create']];
  const { api } = clientOf(cluster);
  const poll = new PollClient(api, { intervalMs: 10_000 });
  const r = record(poll);
  poll.subscribe(filter, start);
  poll.start();
  const want = rows.filter((x) => x.object_uuid === mine && x.event_type !== 'create').map((x) => x.id);
  await waitUntil('backlog', () => r.events.length >= want.length, 20_000);
  assert.deepEqual(r.events.map((e) => e.id), want);
  assert.ok(poll.requests <= 5, `paged in few requests (${poll.requests})`);
  await poll.close();
  api.dispose();
});

test('a bad token is one clear error, reported once, not retried', async () => {
  const bad = 'v2/zzzzz-gj3su-000000000000000/thisisnotavalidsecretatall';
  const { api } = clientOf(cluster, { token: bad });
  const before = cluster.apiRequests.filter((q) => q.path === '/arvados/v1/users/current').length;
  await assert.rejects(subscribe(api), (e: Error) => {
    allOutput.push(e.message);
    return e instanceof InvalidTokenError && /API token was refused .*401/.test(e.message) && !e.message.includes('thisisnotavalidsecret');
  });
  const after = cluster.apiRequests.filter((q) => q.path === '/arvados/v1/users/current').length;
  assert.equal(after - before, 1, 'asked once');
  api.dispose();
});

test('a token refused mid-stream closes the poll client once, with the error', async () => {
  const { api } = clientOf(cluster, { token: 'v2/zzzzz-gj3su-000000000000000/revokedrevokedrevoked' });
  const poll = new PollClient(api, { intervalMs: 20 });
  const r = record(poll);
  poll.subscribe([]);
  poll.start();
  await waitUntil('closed', () => poll.state.status === 'closed', 5000);
  const anonymous = () => cluster.apiRequests.filter((q) => q.user === null).length;
  const n = anonymous();
  await new Promise((res) => setTimeout(res, 150));
  assert.equal(anonymous(), n, 'no more requests after a 401');
  assert.equal(r.states.filter((s) => s === 'closed').length, 1);
  const st = poll.state;
  assert.ok(st.status === 'closed' && st.error instanceof InvalidTokenError);
  api.dispose();
});

test('an untrusted certificate is refused with a message saying what to do; insecure mode accepts it', async () => {
  const { api } = clientOf(cluster, { caFile: undefined });
  await assert.rejects(subscribe(api), (e: Error) => {
    allOutput.push(e.message);
    return e instanceof ConnectError && /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/.test(e.message) && /ARVADOS_API_HOST_INSECURE/.test(e.message);
  });
  api.dispose();
  const { api: insecure } = clientOf(cluster, { caFile: undefined, insecure: true });
  const { stream } = await subscribe(insecure, {});
  assert.equal(stream.transport, 'websocket');
  await stream.close();
  insecure.dispose();
});

test('a wrong host is a clear error after a few retries', async () => {
  const free = await new Promise<number>((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
  const { api } = clientOf(cluster, { apiHost: `127.0.0.1:${free}` });
  await assert.rejects(subscribe(api), (e: Error) => e instanceof ConnectError && /refused the connection \(ECONNREFUSED\)/.test(e.message));
  const api2 = new ApiClient({ apiHost: 'no-such-host.invalid', token: 'x1234', insecure: false, disableWebsockets: false, sources: {} }, { retry: { retries: 0 } });
  await assert.rejects(api2.currentUser(), (e: Error) => e instanceof ConnectError && /Cannot resolve the host name of no-such-host.invalid/.test(e.message));
  api.dispose();
  api2.dispose();
});

test('REST errors carry the status and the server’s errors text; only retryable statuses are retried', async () => {
  const { api } = clientOf(cluster);
  cluster.failNextApiCalls(2, 503, ['/arvados/v1/users/current']);
  const user = await api.currentUser();
  assert.equal(user.uuid, cluster.users.active.uuid, '503s were retried');
  const n = cluster.apiRequests.length;
  await assert.rejects(api.listLogs({ filters: [['nonsense', '=', 1]] as Filter }), (e: Error) => {
    return e instanceof ApiError && e.status === 422 && e.errors.some((x) => /Invalid attribute 'nonsense'/.test(x)) && /HTTP 422/.test(e.message);
  });
  assert.equal(cluster.apiRequests.length - n, 1, 'a 422 is not retried');
  await assert.rejects(api.getObject('zzzzz-4zz18-000000000000404'), (e: Error) => e instanceof ApiError && e.status === 404);
  api.dispose();
});

test('long filter lists go as POST with _method=GET', async () => {
  const { api } = clientOf(cluster);
  const many = Array.from({ length: 80 }, (_, i) => `zzzzz-4zz18-${String(i).padStart(15, '0')}`);
  const res = await api.listLogs({ filters: [['object_uuid', 'in', [mine, ...many]]], limit: 1 });
  assert.ok(Array.isArray(res.items));
  const last = cluster.apiRequests.filter((q) => q.path === '/arvados/v1/logs').at(-1)!;
  assert.equal(last.method, 'POST');
  assert.equal(last.effectiveMethod, 'GET');
  api.dispose();
});

test('nothing the engine printed or raised in these tests contains the token', () => {
  const text = allOutput.join('\n');
  assert.ok(text.length > 0);
  for (const user of [cluster.users.active, cluster.users.other]) {
    const secret = user.token.split('/')[2];
    assert.ok(!text.includes(secret), 'secret part');
    assert.ok(!text.includes(encodeURIComponent(user.token)), 'encoded token');
  }
  for (const s of ['thisisnotavalidsecretatall', 'revokedrevokedrevoked']) assert.ok(!text.includes(s));
});

test('one TLS context per CA for the whole process: clients share it, and it still trusts only that CA', async () => {
  const { api: a } = clientOf(cluster);
  const { api: b } = clientOf(cluster);
  assert.ok(a.tls.secureContext, 'a context is built for the extra CA');
  assert.equal(a.tls.secureContext, b.tls.secureContext, 'the second client reuses the first one’s context');
  const { stream } = await subscribe(b, {});
  assert.equal(stream.transport, 'websocket', 'the websocket connects with the shared context');
  assert.ok((await a.currentUser()).uuid, 'so does HTTPS');
  await stream.close();
  a.dispose();
  b.dispose();
  // A CA file of another CA (a public root, which did not sign the fake's certificate): its own
  // context, which does not trust this server.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-other-ca-'));
  const otherCa = path.join(dir, 'ca.pem');
  fs.writeFileSync(otherCa, tls.rootCertificates[0]);
  const { api: wrong } = clientOf(cluster, { caFile: otherCa });
  assert.notEqual(wrong.tls.secureContext, a.tls.secureContext);
  await assert.rejects(wrong.currentUser(), (e: Error) => e instanceof ConnectError && /is not trusted/.test(e.message));
  wrong.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
