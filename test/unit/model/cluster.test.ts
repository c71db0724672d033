/**
 * The connection model with a test double of the engine's EventStream (FakeStream, see
 * test/helpers/fixtures), composed as the extension composes it: ClusterConnection, the user's
 * filters as one owner, and the Events view's feed. Owners and tags, filter semantics,
 * connect/close/reconnect, pause/resume, batching and the position per host. The real streams are
 * exercised against the fake cluster in test/integration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ConnectError, FilterError, InvalidTokenError, type Filter, type Logger } from '../../../src/arvados';
import { ClusterConnection, connectionKey, type ClusterStatus, type FollowedEvent } from '../../../src/model/cluster';
import type { ConnectionSettings, OpenRequest, Opened } from '../../../src/model/connection';
import { EventFeed, type EventBatch } from '../../../src/model/eventFeed';
import { storeKey } from '../../../src/model/store';
import { USER_FILTERS_OWNER, UserFilters } from '../../../src/model/userFilters';
import { CR, ev, FakeStream, resetIds, USER } from '../../helpers/fixtures';
import { ManualScheduler } from '../../helpers/manualScheduler';
import { MemoryStore } from '../../helpers/memoryStore';

const SETTINGS: ConnectionSettings = { transport: 'auto', pollIntervalMs: 15_000, maxBackfill: 100 };
const flush = () => new Promise((r) => setImmediate(r));

interface Rig {
  connection: ClusterConnection;
  filters: UserFilters;
  feed: EventFeed;
  store: MemoryStore;
  clock: ManualScheduler;
  streams: FakeStream[];
  requests: Array<OpenRequest & { resume?: number }>;
  /** open() waits for this, when set. */
  gate?: Promise<void>;
  batches: EventBatch[];
  statuses: ClusterStatus[];
  /** The next open() fails with this, once. */
  failNext?: Error;
  host: string;
  stream(): FakeStream;
}

function rig(opts: { store?: MemoryStore; bufferSize?: number; host?: string; logger?: Logger } = {}): Rig {
  const r = { streams: [], requests: [], batches: [], statuses: [], host: opts.host ?? 'zzzzz.example' } as unknown as Rig;
  r.store = opts.store ?? new MemoryStore();
  r.clock = new ManualScheduler(1_000_000);
  r.connection = new ClusterConnection(
    {
      store: r.store,
      scheduler: r.clock,
      logger: opts.logger,
      open: async (req): Promise<Opened> => {
        r.requests.push({ ...req, filters: structuredClone(req.filters), resume: req.lastLogIdFor(r.host) });
        if (r.gate) await r.gate;
        if (r.failNext) {
          const err = r.failNext;
          r.failNext = undefined;
          throw err;
        }
        const stream = new FakeStream(req.filters);
        const resume = req.lastLogIdFor(r.host);
        if (resume) stream.lastEventId = resume;
        r.streams.push(stream);
        return {
          stream,
          user: { uuid: USER, username: 'active' },
          workbenchUrl: 'https://wb.example',
          host: r.host,
          api: { getObject: async () => ({}) as never, list: async () => ({ items: [] }) as never, redact: (s: string) => s, dispose() {}, host: r.host } as never,
        };
      },
    },
    SETTINGS,
  );
  r.filters = new UserFilters(r.store, r.connection, r.host);
  r.feed = new EventFeed(r.connection, { owner: USER_FILTERS_OWNER, bufferSize: opts.bufferSize ?? 100, scheduler: r.clock });
  r.feed.onBatch((b) => r.batches.push(b));
  r.connection.onStatus((s) => r.statuses.push(s));
  r.stream = () => r.streams[r.streams.length - 1];
  return r;
}

const keys = (filters: readonly Filter[]) => filters.map((f) => JSON.stringify(f));

test('no filters means one subscription to everything', async () => {
  const r = rig();
  await r.connection.connect();
  assert.deepEqual(r.requests[0].filters, [[]]);
  assert.deepEqual(r.filters.list, []);
  assert.equal(r.connection.connectionKey, 'live');
  assert.equal(r.connection.isOpen, true);
});

test('the first filter narrows, more filters add, removing the last widens back, all without reconnecting', async () => {
  const r = rig();
  await r.connection.connect();
  const s = r.stream();
  const a: Filter = [['event_type', 'in', ['update']]];
  const b: Filter = [['object_uuid', '=', CR]];
  assert.deepEqual(r.filters.add(a), { filter: a, added: true });
  assert.deepEqual(keys(s.filters), keys([a]), 'the [] subscription is replaced');
  assert.deepEqual(s.calls, [`subscribe ${JSON.stringify(a)}`, 'unsubscribe []'], 'the new one first: nothing is missed between');
  r.filters.add(JSON.stringify(b));
  assert.deepEqual(keys(s.filters), keys([a, b]));
  r.filters.remove(a);
  assert.deepEqual(keys(s.filters), keys([b]));
  r.filters.remove(b);
  assert.deepEqual(keys(s.filters), ['[]'], 'no filters: everything again');
  assert.equal(r.streams.length, 1, 'one connection throughout');
  assert.equal(s.closed, false);
});

test('an invalid filter throws FilterError and changes nothing; duplicates are not added twice', async () => {
  const r = rig();
  await r.connection.connect();
  const s = r.stream();
  assert.throws(() => r.filters.add('[["event_type","in"'), FilterError);
  assert.throws(() => r.filters.add([['nope', '=', 1]]), FilterError);
  assert.throws(() => r.connection.follow('someone', [[['nope', '=', 1]]]), FilterError);
  assert.deepEqual(r.filters.list, []);
  assert.deepEqual(s.calls, []);
  const f: Filter = [['event_type', 'in', ['create']]];
  r.filters.add(f);
  assert.deepEqual(r.filters.add([['event_type', 'IN', ['create']]]), { filter: f, added: false }, 'normalized before comparing');
  assert.equal(r.filters.list.length, 1);
  assert.equal(r.filters.remove([['id', '=', 1]]), false);
  assert.equal(r.filters.remove('not json'), false);
});

test('adding [] means everything: it clears the filters', () => {
  const r = rig();
  r.filters.add([['event_type', 'in', ['create']]]);
  assert.equal(r.filters.add([]).added, true);
  assert.deepEqual(r.filters.list, []);
  assert.equal(r.filters.add('[]').added, false);
});

test('filters persist per cluster, are restored at startup and subscribed on connect', async () => {
  const store = new MemoryStore();
  const r1 = rig({ store });
  const f: Filter = [['object_uuid', 'is_a', 'arvados#collection']];
  r1.filters.add(f);
  assert.deepEqual(store.get(storeKey('filters', 'zzzzz.example')), [f]);
  store.update(storeKey('filters', 'zzzzz.example'), [f, 'garbage', [['bad', '=', 1]], []]);
  const r2 = rig({ store });
  assert.deepEqual(r2.filters.list, [f], 'unparseable and empty saved filters are dropped');
  await r2.connection.connect();
  assert.deepEqual(r2.requests[0].filters, [f]);
  assert.deepEqual(rig({ store, host: 'other.example' }).filters.list, [], 'another cluster has its own');
});

test('filter changes while closed apply on the next connect; changes while connecting are reconciled', async () => {
  const r = rig();
  const f: Filter = [['event_type', 'in', ['delete']]];
  r.filters.add(f);
  const connecting = r.connection.connect();
  r.filters.clear();
  await connecting;
  assert.deepEqual(keys(r.stream().filters), ['[]']);
});

test('events reach the view in batches, at most one per 200 ms; onEvent sees each one at once', async () => {
  resetIds();
  const r = rig();
  const seen: number[] = [];
  r.connection.onEvent((e) => seen.push(e.event.id));
  await r.connection.connect();
  for (let i = 0; i < 10; i++) r.stream().emit(ev());
  assert.equal(seen.length, 10);
  assert.equal(r.batches.length, 0);
  r.clock.advance(0);
  assert.equal(r.batches.length, 1);
  assert.equal(r.batches[0].events.length, 10);
  for (let i = 0; i < 19; i++) {
    r.stream().emit(ev());
    r.clock.advance(10);
  }
  assert.equal(r.batches.length, 1, 'the next batch waits 200 ms');
  r.stream().emit(ev());
  r.clock.advance(10);
  assert.equal(r.batches.length, 2);
  assert.equal(r.batches[1].events.length, 20);
  assert.ok(r.feed.rate() > 0);
  assert.equal(r.feed.lastEventAt, ev({ id: 30 }).event_at);
});

test('a flood larger than the buffer is bounded: the oldest are dropped and counted', async () => {
  resetIds();
  const r = rig({ bufferSize: 100 });
  await r.connection.connect();
  for (let i = 0; i < 1000; i++) r.stream().emit(ev());
  r.clock.advance(0);
  assert.equal(r.batches[0].events.length, 100);
  assert.equal(r.batches[0].dropped, 900);
  assert.equal(r.batches[0].events[99].id, 1000);
});

test('pause keeps the connection, counts what arrives (bounded) and resume shows it', async () => {
  resetIds();
  const r = rig({ bufferSize: 5 });
  const paused: boolean[] = [];
  r.feed.onCounts((c) => paused.push(c.paused));
  await r.connection.connect();
  r.stream().emit(ev());
  r.feed.pause();
  assert.equal(r.batches.length, 1, 'what came before the pause is shown at once');
  assert.deepEqual(paused, [true], 'Pause is told at once');
  for (let i = 0; i < 8; i++) r.stream().emit(ev());
  r.clock.advance(5000);
  assert.equal(r.batches.length, 1, 'the view does not move while paused');
  assert.deepEqual(r.feed.counts, { paused: true, pausedCount: 8, skipped: 0 });
  assert.equal(r.stream().closed, false);
  r.feed.resume();
  assert.equal(paused.at(-1), false, 'Resume is told at once');
  assert.equal(r.batches.length, 2);
  assert.deepEqual(r.batches[1].events.map((e) => e.id), [5, 6, 7, 8, 9]);
  assert.equal(r.batches[1].dropped, 3);
  assert.equal(r.feed.counts.pausedCount, 0);
  r.feed.resume();
  assert.equal(r.batches.length, 2, 'resume twice is harmless');
});

test('counts reach the view at most 4 times a second, and after every change', async () => {
  resetIds();
  const r = rig();
  const counts: Array<{ pausedCount: number; skipped: number }> = [];
  r.feed.onCounts((c) => counts.push(c));
  await r.connection.connect();
  r.feed.pause();
  assert.deepEqual(counts, [{ paused: true, pausedCount: 0, skipped: 0 }], 'Pause at once');
  for (let i = 0; i < 50; i++) r.stream().emit(ev());
  r.stream().skip(7);
  r.clock.advance(249);
  assert.equal(counts.length, 1, 'then at most once per 250 ms');
  r.clock.advance(1);
  assert.deepEqual(counts.at(-1), { paused: true, pausedCount: 50, skipped: 7 });
  r.feed.clearCounts();
  r.clock.advance(250);
  assert.equal(counts.at(-1)?.skipped, 0, 'a cleared view counts again from zero');
});

test('close means closed: nothing is delivered and nothing reconnects until connect', async () => {
  resetIds();
  const r = rig();
  await r.connection.connect();
  const first = r.stream();
  await r.connection.close();
  assert.equal(first.closed, true);
  assert.equal(r.connection.status.kind, 'closed');
  assert.equal(r.connection.isOpen, false);
  assert.throws(() => first.emit(ev()), 'the double refuses delivery after close');
  r.clock.advance(60_000);
  assert.equal(r.streams.length, 1);
  await r.connection.reconnectUnlessClosed();
  assert.equal(r.streams.length, 1, 'a settings change does not reopen a closed connection');
  await r.connection.connect();
  assert.equal(r.streams.length, 2);
  await r.connection.reconnectUnlessClosed();
  assert.equal(r.streams.length, 3, 'but it does reconnect an open one');
});

test('every (re)connection resumes after the last event id read on that host, across restarts', async () => {
  resetIds();
  const store = new MemoryStore();
  const r = rig({ store });
  await r.connection.connect();
  assert.equal(r.requests[0].resume, undefined, 'nothing seen yet: start from now');
  r.stream().emit(ev({ id: 41 }));
  r.stream().emit(ev({ id: 42 }));
  await r.connection.reconnect();
  assert.equal(r.requests[1].resume, 42);
  assert.equal(r.requests[1].lastLogIdFor('other.example'), undefined, 'ids of one cluster mean nothing on another');
  r.stream().emit(ev({ id: 50 }));
  await r.connection.close();
  await r.connection.connect();
  assert.equal(r.requests[2].resume, 50);
  r.stream().emit(ev({ id: 60 }));
  r.clock.advance(2000);
  assert.equal(store.get(storeKey('position', 'zzzzz.example')), 60, 'persisted per host, throttled');
  await r.connection.dispose();
  // A new window (reload): the same store.
  const again = rig({ store });
  await again.connection.connect();
  assert.equal(again.requests[0].resume, 60);
});

test('two clusters keep their own positions', async () => {
  resetIds();
  const store = new MemoryStore();
  const r = rig({ store, host: 'a.example' });
  await r.connection.connect();
  r.stream().emit(ev({ id: 500 }));
  r.host = 'b.example';
  await r.connection.reconnect();
  assert.equal(r.requests[1].resume, undefined, 'b was never read');
  assert.equal(r.connection.host, 'b.example');
  r.stream().emit(ev({ id: 7 }));
  await r.connection.close();
  assert.equal(store.get(storeKey('position', 'a.example')), 500);
  assert.equal(store.get(storeKey('position', 'b.example')), 7, 'a smaller id on another cluster is its own');
  r.host = 'a.example';
  await r.connection.connect();
  assert.equal(r.requests[2].resume, 500);
});

test('the last event id is written at most once per persist interval', async () => {
  resetIds();
  const store = new MemoryStore();
  let writes = 0;
  const update = store.update.bind(store);
  const key = storeKey('position', 'zzzzz.example');
  store.update = (k, v) => {
    if (k === key) writes++;
    update(k, v);
  };
  const r = rig({ store });
  await r.connection.connect();
  for (let i = 1; i <= 1000; i++) {
    r.stream().emit(ev({ id: i }));
    if (i % 10 === 0) r.clock.advance(10);
  }
  r.clock.advance(2000);
  assert.ok(writes <= 1000 / 200 + 2, `${writes} writes`);
  assert.equal(store.get(key), 1000);
});

test('dispose saves the position before anything is awaited', async () => {
  resetIds();
  const store = new MemoryStore();
  const r = rig({ store });
  await r.connection.connect();
  r.stream().emit(ev({ id: 77 }));
  const disposing = r.connection.dispose();
  assert.equal(store.get(storeKey('position', 'zzzzz.example')), 77, 'written synchronously');
  await disposing;
});

test('connect failures become the status: unconfigured for ConfigError, waiting for what may pass, error otherwise', async () => {
  const r = rig();
  r.failNext = new ConfigError('No Arvados ARVADOS_API_HOST is set.');
  await r.connection.connect();
  assert.deepEqual(r.connection.status, { kind: 'unconfigured', message: 'No Arvados ARVADOS_API_HOST is set.' });
  assert.equal(connectionKey(r.connection.status), 'unconfigured');
  r.failNext = new ConnectError('The TLS certificate of zzzzz.example is not trusted', 'SELF_SIGNED_CERT_IN_CHAIN');
  await r.connection.connect();
  assert.equal(r.connection.status.kind, 'error');
  assert.equal(r.connection.status.kind === 'error' && r.connection.status.cause, 'certificate');
  r.failNext = new ConnectError('zzzzz.example refused the connection (ECONNREFUSED)', 'ECONNREFUSED');
  await r.connection.connect();
  const waiting = r.connection.status as ClusterStatus;
  assert.equal(waiting.kind === 'waiting' && waiting.cause, 'unreachable');
  assert.equal(r.connection.connectionKey, 'waiting');
  r.failNext = new InvalidTokenError('The API token was refused by zzzzz.example (401)', 401);
  await r.connection.connect();
  assert.equal(r.connection.status.kind === 'error' && r.connection.status.cause, 'token');
  r.failNext = new Error('something else');
  await r.connection.connect();
  assert.equal(r.connection.status.kind === 'error' && r.connection.status.cause, 'other');
  assert.equal(r.connection.connectionKey, 'error');
  await r.connection.connect();
  assert.equal(r.connection.connectionKey, 'live');
});

test('a stream the engine closes (token refused) becomes an error; its state changes show meanwhile', async () => {
  const r = rig();
  await r.connection.connect();
  r.stream().setState({ status: 'reconnecting', transport: 'websocket', attempt: 2, delayMs: 400, reason: 'code 1006' });
  assert.equal(r.connection.connectionKey, 'reconnecting');
  r.stream().setState({ status: 'closed', reason: 'refused', error: new Error('The API token was refused') });
  await flush();
  assert.deepEqual(r.connection.status, { kind: 'error', message: 'The API token was refused', cause: 'token', host: 'zzzzz.example' });
  assert.equal(r.connection.isOpen, false);
});

test('a first connection that fails while the host is down tries again by itself, with capped backoff, until it connects', async () => {
  const r = rig();
  const down = () => new ConnectError('zzzzz.example refused the connection (ECONNREFUSED)', 'ECONNREFUSED');
  r.failNext = down();
  await r.connection.connect();
  const first = r.connection.status;
  assert.equal(first.kind, 'waiting');
  assert.ok(first.kind === 'waiting' && first.attempt === 1 && first.retryAt > r.clock.now(), 'it says when the next try is');
  // Down for a while: every retry fails, and the waits grow to the cap (15 s) but no further.
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    const st = r.connection.status;
    assert.equal(st.kind, 'waiting');
    if (st.kind !== 'waiting') return;
    waits.push(st.retryAt - r.clock.now());
    r.failNext = down();
    r.clock.advance(st.retryAt - r.clock.now());
    await flush();
    await flush();
  }
  assert.ok(waits.every((w) => w <= 15_000), `capped: ${waits}`);
  assert.ok(waits[waits.length - 1] >= 7_500, `backed off: ${waits}`);
  assert.equal(r.requests.length, 9, 'one attempt per retry, none between');
  // The host is back: the next retry connects, with nothing called by the user.
  const st = r.connection.status;
  assert.ok(st.kind === 'waiting');
  r.clock.advance(st.retryAt - r.clock.now());
  await flush();
  assert.equal(r.connection.connectionKey, 'live');
  assert.equal(r.clock.pending > 0, true, 'only the position timer is left');
});

test('a refused token or an untrusted certificate waits for the user: no retry', async () => {
  for (const err of [new InvalidTokenError('The API token was refused by zzzzz.example (401)', 401), new ConnectError('The TLS certificate of zzzzz.example is not trusted', 'SELF_SIGNED_CERT_IN_CHAIN')]) {
    const r = rig();
    r.failNext = err;
    await r.connection.connect();
    assert.equal(r.connection.status.kind, 'error');
    r.clock.advance(10 * 60_000);
    await flush();
    assert.equal(r.requests.length, 1, 'nothing tried again');
  }
});

test('close while waiting for the host: nothing tries again; retryNow tries at once', async () => {
  const r = rig();
  r.failNext = new ConnectError('down', 'ECONNREFUSED');
  await r.connection.connect();
  r.connection.retryNow();
  await flush();
  assert.equal(r.requests.length, 2, 'retryNow tried at once');
  assert.equal(r.connection.connectionKey, 'live');
  r.failNext = new ConnectError('down', 'ECONNREFUSED');
  await r.connection.reconnect();
  assert.equal(r.connection.status.kind, 'waiting');
  await r.connection.close();
  r.clock.advance(10 * 60_000);
  await flush();
  assert.equal(r.requests.length, 3);
  assert.equal(r.connection.status.kind, 'closed');
});

test('close during connect wins: the late stream is closed and delivers nothing', async () => {
  const r = rig();
  let open!: () => void;
  r.gate = new Promise((resolve) => (open = resolve));
  const connecting = r.connection.connect();
  await flush();
  assert.equal(r.connection.status.kind, 'connecting');
  const closing = r.connection.close();
  open();
  await Promise.all([connecting, closing]);
  assert.equal(r.connection.status.kind, 'closed');
  assert.equal(r.stream().closed, true);
  assert.equal(r.connection.isOpen, false);
});

test('skips are passed on and counted by the feed', async () => {
  const r = rig();
  const skipped: number[] = [];
  r.connection.onSkipped((n) => skipped.push(n));
  await r.connection.connect();
  r.stream().skip(12);
  assert.deepEqual(skipped, [12]);
  assert.equal(r.feed.counts.skipped, 12);
});

test('a throwing listener does not break delivery', async () => {
  resetIds();
  const r = rig();
  r.connection.onEvent(() => {
    throw new Error('boom');
  });
  const seen: number[] = [];
  r.connection.onEvent((e) => seen.push(e.event.id));
  await r.connection.connect();
  r.stream().emit(ev());
  assert.equal(seen.length, 1);
});

test('a smaller buffer setting bounds the batch queue and the paused backlog', async () => {
  resetIds();
  const r = rig({ bufferSize: 10 });
  await r.connection.connect();
  r.feed.pause();
  for (let i = 0; i < 10; i++) r.stream().emit(ev());
  r.feed.resize(4);
  r.feed.resume();
  const last = r.batches[r.batches.length - 1];
  assert.equal(last.events.length, 4);
  assert.equal(last.dropped, 6);
});

test('other owners are followed under narrow filters; each event is tagged with the owners it matches', async () => {
  resetIds();
  const r = rig();
  const tagged: Array<[number, string[]]> = [];
  r.connection.onEvent((e: FollowedEvent) => tagged.push([e.event.id, [...e.owners].sort()]));
  const watchFilter: Filter = [['object_uuid', 'in', ['zzzzz-4zz18-000000000000001']]];
  const watched = r.connection.follow('watched', [watchFilter]);
  await r.connection.connect();
  assert.deepEqual(keys(r.stream().filters), ['[]'], 'no filters: everything covers the watched objects too');
  const narrow: Filter = [['object_uuid', '=', CR]];
  r.filters.add(narrow);
  assert.deepEqual(keys(r.stream().filters).sort(), keys([narrow, watchFilter]).sort());
  r.stream().emit(ev({ object_uuid: CR }));
  r.stream().emit(ev({ object_uuid: 'zzzzz-4zz18-000000000000001' }));
  r.clock.advance(0);
  assert.deepEqual(tagged, [[1, [USER_FILTERS_OWNER]], [2, ['watched']]], 'everyone sees both, tagged');
  assert.deepEqual(r.batches.flatMap((b) => b.events.map((e) => e.id)), [1], 'the view only what the user asked for');
  const both = r.connection.follow('notifications', [watchFilter, narrow]);
  assert.equal(keys(r.stream().filters).length, 2, 'no duplicate subscriptions');
  r.stream().emit(ev({ object_uuid: CR }));
  assert.deepEqual(tagged.at(-1), [3, ['notifications', USER_FILTERS_OWNER]]);
  watched.dispose();
  both.dispose();
  assert.deepEqual(keys(r.stream().filters), keys([narrow]));
  watched.dispose();
  assert.deepEqual(keys(r.stream().filters), keys([narrow]), 'disposing twice is harmless');
  r.filters.clear();
  assert.deepEqual(keys(r.stream().filters), ['[]']);
});

test('a feature can follow on its own and stop: the seam a new view uses', async () => {
  resetIds();
  const r = rig();
  r.filters.add([['object_uuid', '=', CR]]);
  await r.connection.connect();
  const logs: number[] = [];
  const sub = r.connection.onEvent((e) => e.owners.has('liveLog') && logs.push(e.event.id));
  const following = r.connection.follow('liveLog', [[['event_type', 'in', ['stderr']]]]);
  assert.ok(r.stream().calls.includes('subscribe [["event_type","in",["stderr"]]]'));
  r.stream().emit(ev({ object_uuid: 'zzzzz-dz642-000000000000009', event_type: 'stderr' }));
  following.dispose();
  sub.dispose();
  assert.deepEqual(logs, [1]);
  assert.equal(r.stream().calls.at(-1), 'unsubscribe [["event_type","in",["stderr"]]]');
});

test('the Output says each reconnect once, though the engine repeats the state while it makes the attempt', async () => {
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const r = rig({ logger });
  await r.connection.connect();
  const reconnecting = { status: 'reconnecting', transport: 'websocket', attempt: 1, delayMs: 400, reason: 'the server closed the connection (code 1006)' } as const;
  r.stream().setState(reconnecting);
  r.stream().setState(reconnecting); // the engine, as its attempt starts
  r.stream().setState({ ...reconnecting, attempt: 2, delayMs: 800 });
  r.stream().setState({ status: 'live', transport: 'websocket' });
  r.stream().setState({ ...reconnecting, attempt: 1 });
  const said = lines.filter((l) => l.startsWith('Reconnecting'));
  assert.deepEqual(said.map((l) => l.slice(0, 25)), ['Reconnecting (attempt 1, ', 'Reconnecting (attempt 2, ', 'Reconnecting (attempt 1, ']);
});
