/**
 * The session with a test double of the engine's EventStream (FakeStream, see model-fixtures):
 * filter semantics, connect/close/reconnect, pause/resume, batching and persistence. The real
 * streams are exercised against the fake cluster in test/integration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ConnectError, FilterError, InvalidTokenError, type Filter } from '../../src/arvados';
import type { OpenRequest, Opened } from '../../src/model/connection';
import { ManualScheduler } from '../../src/model/scheduler';
import { connectionKey, Session, type EventBatch, type SessionSettings, type SessionStatus } from '../../src/model/session';
import { MemoryStore, STORE_KEYS } from '../../src/model/store';
import { CR, ev, FakeStream, resetIds, USER } from './model-fixtures';

const SETTINGS: SessionSettings = { transport: 'auto', pollIntervalMs: 15_000, maxBackfill: 100, bufferSize: 100 };
const flush = () => new Promise((r) => setImmediate(r));

interface Rig {
  session: Session;
  store: MemoryStore;
  clock: ManualScheduler;
  streams: FakeStream[];
  requests: Array<OpenRequest & { resume?: number }>;
  /** open() waits for this, when set. */
  gate?: Promise<void>;
  batches: EventBatch[];
  statuses: SessionStatus[];
  /** The next open() fails with this, once. */
  failNext?: Error;
  host: string;
  stream(): FakeStream;
}

function rig(opts: { store?: MemoryStore; settings?: Partial<SessionSettings>; host?: string } = {}): Rig {
  const r = { streams: [], requests: [], batches: [], statuses: [], host: opts.host ?? 'zzzzz.example' } as unknown as Rig;
  r.store = opts.store ?? new MemoryStore();
  r.clock = new ManualScheduler(1_000_000);
  r.session = new Session(
    {
      store: r.store,
      scheduler: r.clock,
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
    { ...SETTINGS, ...opts.settings },
  );
  r.session.onBatch((b) => r.batches.push(b));
  r.session.onStatus((s) => r.statuses.push(s));
  r.stream = () => r.streams[r.streams.length - 1];
  return r;
}

const keys = (filters: readonly Filter[]) => filters.map((f) => JSON.stringify(f));

test('no filters means one subscription to everything', async () => {
  const r = rig();
  await r.session.connect();
  assert.deepEqual(r.requests[0].filters, [[]]);
  assert.deepEqual(r.session.filters, []);
  assert.equal(r.session.connectionKey, 'live');
  assert.equal(r.session.isOpen, true);
});

test('the first filter narrows, more filters add, removing the last widens back, all without reconnecting', async () => {
  const r = rig();
  await r.session.connect();
  const s = r.stream();
  const a: Filter = [['event_type', 'in', ['update']]];
  const b: Filter = [['object_uuid', '=', CR]];
  assert.deepEqual(r.session.addFilter(a), { filter: a, added: true });
  assert.deepEqual(keys(s.filters), keys([a]), 'the [] subscription is replaced');
  assert.deepEqual(s.calls, [`subscribe ${JSON.stringify(a)}`, 'unsubscribe []'], 'the new one first: nothing is missed between');
  r.session.addFilter(JSON.stringify(b));
  assert.deepEqual(keys(s.filters), keys([a, b]));
  r.session.removeFilter(a);
  assert.deepEqual(keys(s.filters), keys([b]));
  r.session.removeFilter(b);
  assert.deepEqual(keys(s.filters), ['[]'], 'no filters: everything again');
  assert.equal(r.streams.length, 1, 'one connection throughout');
  assert.equal(s.closed, false);
});

test('an invalid filter throws FilterError and changes nothing; duplicates are not added twice', async () => {
  const r = rig();
  await r.session.connect();
  const s = r.stream();
  assert.throws(() => r.session.addFilter('[["event_type","in"'), FilterError);
  assert.throws(() => r.session.addFilter([['nope', '=', 1]]), FilterError);
  assert.deepEqual(r.session.filters, []);
  assert.deepEqual(s.calls, []);
  const f: Filter = [['event_type', 'in', ['create']]];
  r.session.addFilter(f);
  assert.deepEqual(r.session.addFilter([['event_type', 'IN', ['create']]]), { filter: f, added: false }, 'normalized before comparing');
  assert.equal(r.session.filters.length, 1);
  assert.equal(r.session.removeFilter([['id', '=', 1]]), false);
  assert.equal(r.session.removeFilter('not json'), false);
});

test('adding [] means everything: it clears the filters', async () => {
  const r = rig();
  r.session.addFilter([['event_type', 'in', ['create']]]);
  assert.equal(r.session.addFilter([]).added, true);
  assert.deepEqual(r.session.filters, []);
  assert.equal(r.session.addFilter('[]').added, false);
});

test('filters persist, are restored at startup and subscribed on connect', async () => {
  const store = new MemoryStore();
  const r1 = rig({ store });
  const f: Filter = [['object_uuid', 'is_a', 'arvados#collection']];
  r1.session.addFilter(f);
  assert.deepEqual(store.get(STORE_KEYS.filters), [f]);
  store.update(STORE_KEYS.filters, [f, 'garbage', [['bad', '=', 1]], []]);
  const r2 = rig({ store });
  assert.deepEqual(r2.session.filters, [f], 'unparseable and empty saved filters are dropped');
  await r2.session.connect();
  assert.deepEqual(r2.requests[0].filters, [f]);
});

test('filter changes while closed apply on the next connect; changes while connecting are reconciled', async () => {
  const r = rig();
  const f: Filter = [['event_type', 'in', ['delete']]];
  r.session.addFilter(f);
  const connecting = r.session.connect();
  r.session.clearFilters();
  await connecting;
  assert.deepEqual(keys(r.stream().filters), ['[]']);
});

test('events reach the views in batches, at most one per 250 ms; onEvent sees each one at once', async () => {
  resetIds();
  const r = rig();
  const seen: number[] = [];
  r.session.onEvent((e) => seen.push(e.id));
  await r.session.connect();
  for (let i = 0; i < 10; i++) r.stream().emit(ev());
  assert.equal(seen.length, 10);
  assert.equal(r.batches.length, 0);
  r.clock.advance(0);
  assert.equal(r.batches.length, 1);
  assert.equal(r.batches[0].events.length, 10);
  for (let i = 0; i < 10; i++) {
    r.stream().emit(ev());
    r.clock.advance(10);
  }
  assert.equal(r.batches.length, 1, 'the next batch waits for the interval');
  r.clock.advance(250);
  assert.equal(r.batches.length, 2);
  assert.ok(r.session.rate() > 0);
});

test('a flood larger than the buffer is bounded: the oldest are dropped and counted', async () => {
  resetIds();
  const r = rig({ settings: { bufferSize: 100 } });
  await r.session.connect();
  for (let i = 0; i < 1000; i++) r.stream().emit(ev());
  r.clock.advance(0);
  assert.equal(r.batches[0].events.length, 100);
  assert.equal(r.batches[0].dropped, 900);
  assert.equal(r.batches[0].events[99].id, 1000);
});

test('pause keeps the connection, counts what arrives (bounded) and resume shows it', async () => {
  resetIds();
  const r = rig({ settings: { bufferSize: 5 } });
  await r.session.connect();
  r.stream().emit(ev());
  r.session.pause();
  assert.equal(r.batches.length, 1, 'what came before the pause is shown at once');
  for (let i = 0; i < 8; i++) r.stream().emit(ev());
  r.clock.advance(5000);
  assert.equal(r.batches.length, 1, 'the views do not move while paused');
  assert.equal(r.session.pausedCount, 8);
  assert.equal(r.stream().closed, false);
  r.session.resume();
  assert.equal(r.batches.length, 2);
  assert.deepEqual(r.batches[1].events.map((e) => e.id), [5, 6, 7, 8, 9]);
  assert.equal(r.batches[1].dropped, 3);
  assert.equal(r.session.pausedCount, 0);
  r.session.resume();
  assert.equal(r.batches.length, 2, 'resume twice is harmless');
});

test('close means closed: nothing is delivered and nothing reconnects until connect', async () => {
  resetIds();
  const r = rig();
  await r.session.connect();
  const first = r.stream();
  await r.session.close();
  assert.equal(first.closed, true);
  assert.equal(r.session.status.kind, 'closed');
  assert.equal(r.session.isOpen, false);
  assert.throws(() => first.emit(ev()), 'the double refuses delivery after close');
  r.clock.advance(60_000);
  assert.equal(r.streams.length, 1);
  await r.session.connect();
  assert.equal(r.streams.length, 2);
});

test('every (re)connection resumes after the last event id seen on that host, across restarts', async () => {
  resetIds();
  const store = new MemoryStore();
  const r = rig({ store });
  await r.session.connect();
  assert.equal(r.requests[0].resume, undefined, 'nothing seen yet: start from now');
  r.stream().emit(ev({ id: 41 }));
  r.stream().emit(ev({ id: 42 }));
  await r.session.reconnect();
  assert.equal(r.requests[1].resume, 42);
  assert.equal(r.requests[1].lastLogIdFor('other.example'), undefined, 'ids of one cluster mean nothing on another');
  r.stream().emit(ev({ id: 50 }));
  await r.session.close();
  await r.session.connect();
  assert.equal(r.requests[2].resume, 50);
  r.stream().emit(ev({ id: 60 }));
  r.clock.advance(2000);
  assert.deepEqual(store.get(STORE_KEYS.lastEventId), { host: 'zzzzz.example', id: 60 }, 'persisted, throttled');
  await r.session.dispose();
  // A new window (reload): the same store.
  const again = rig({ store });
  await again.session.connect();
  assert.equal(again.requests[0].resume, 60);
  assert.equal(again.session.lastEventId, 60);
});

test('the last event id is written at most once per persist interval', async () => {
  resetIds();
  const store = new MemoryStore();
  let writes = 0;
  const update = store.update.bind(store);
  store.update = (k, v) => {
    if (k === STORE_KEYS.lastEventId) writes++;
    update(k, v);
  };
  const r = rig({ store });
  await r.session.connect();
  for (let i = 1; i <= 1000; i++) {
    r.stream().emit(ev({ id: i }));
    if (i % 10 === 0) r.clock.advance(10);
  }
  r.clock.advance(2000);
  assert.ok(writes <= 1000 / 200 + 2, `${writes} writes`);
  assert.equal(store.get<{ id: number }>(STORE_KEYS.lastEventId)?.id, 1000);
});

test('connect failures become the status: unconfigured for ConfigError, error otherwise', async () => {
  const r = rig();
  r.failNext = new ConfigError('No Arvados ARVADOS_API_HOST is set.');
  await r.session.connect();
  assert.deepEqual(r.session.status, { kind: 'unconfigured', message: 'No Arvados ARVADOS_API_HOST is set.' });
  assert.equal(connectionKey(r.session.status), 'unconfigured');
  r.failNext = new ConnectError('The TLS certificate of zzzzz.example is not trusted', 'SELF_SIGNED_CERT_IN_CHAIN');
  await r.session.connect();
  assert.equal(r.session.status.kind, 'error');
  assert.equal(r.session.status.kind === 'error' && r.session.status.cause, 'certificate');
  r.failNext = new ConnectError('zzzzz.example refused the connection (ECONNREFUSED)', 'ECONNREFUSED');
  await r.session.connect();
  assert.equal(r.session.status.kind === 'error' && r.session.status.cause, 'unreachable');
  r.failNext = new InvalidTokenError('The API token was refused by zzzzz.example (401)', 401);
  await r.session.connect();
  assert.equal(r.session.status.kind === 'error' && r.session.status.cause, 'token');
  r.failNext = new Error('something else');
  await r.session.connect();
  assert.equal(r.session.status.kind === 'error' && r.session.status.cause, 'other');
  assert.equal(r.session.connectionKey, 'error');
  await r.session.connect();
  assert.equal(r.session.connectionKey, 'live');
});

test('a stream the engine closes (token refused) becomes an error; its state changes show meanwhile', async () => {
  const r = rig();
  await r.session.connect();
  r.stream().setState({ status: 'reconnecting', transport: 'websocket', attempt: 2, delayMs: 400, reason: 'code 1006' });
  assert.equal(r.session.connectionKey, 'reconnecting');
  r.stream().setState({ status: 'closed', reason: 'refused', error: new Error('The API token was refused') });
  await flush();
  assert.deepEqual(r.session.status, { kind: 'error', message: 'The API token was refused', cause: 'token' });
  assert.equal(r.session.isOpen, false);
});

test('close during connect wins: the late stream is closed and delivers nothing', async () => {
  const r = rig();
  let open!: () => void;
  r.gate = new Promise((resolve) => (open = resolve));
  const connecting = r.session.connect();
  await flush();
  assert.equal(r.session.status.kind, 'connecting');
  const closing = r.session.close();
  open();
  await Promise.all([connecting, closing]);
  assert.equal(r.session.status.kind, 'closed');
  assert.equal(r.stream().closed, true);
  assert.equal(r.session.isOpen, false);
});

test('skips and non-fatal errors are passed on', async () => {
  const r = rig();
  const skipped: number[] = [];
  const errors: string[] = [];
  r.session.onSkipped((n) => skipped.push(n));
  r.session.onError((e) => errors.push(e.message));
  await r.session.connect();
  r.stream().skip(12);
  r.stream().error(new Error('poll failed'));
  assert.deepEqual(skipped, [12]);
  assert.deepEqual(errors, ['poll failed']);
});

test('a throwing listener does not break delivery', async () => {
  resetIds();
  const r = rig();
  r.session.onEvent(() => {
    throw new Error('boom');
  });
  const seen: number[] = [];
  r.session.onEvent((e) => seen.push(e.id));
  await r.session.connect();
  r.stream().emit(ev());
  assert.equal(seen.length, 1);
});

test('a smaller buffer setting bounds the batch queue and the paused backlog', async () => {
  resetIds();
  const r = rig({ settings: { bufferSize: 10 } });
  await r.session.connect();
  r.session.pause();
  for (let i = 0; i < 10; i++) r.stream().emit(ev());
  r.session.updateSettings({ bufferSize: 4 });
  r.session.resume();
  const last = r.batches[r.batches.length - 1];
  assert.equal(last.events.length, 4);
  assert.equal(last.dropped, 6);
});

test('background filters (watched objects) are followed under narrow filters, but not shown', async () => {
  resetIds();
  const r = rig();
  const seen: number[] = [];
  r.session.onEvent((e) => seen.push(e.id));
  const watchFilter: Filter = [['object_uuid', 'in', ['zzzzz-4zz18-000000000000001']]];
  r.session.setBackgroundFilters([watchFilter]);
  await r.session.connect();
  assert.deepEqual(keys(r.stream().filters), ['[]'], 'no filters: everything covers the watched objects too');
  const narrow: Filter = [['object_uuid', '=', CR]];
  r.session.addFilter(narrow);
  assert.deepEqual(keys(r.stream().filters), keys([narrow, watchFilter]));
  r.stream().emit(ev({ object_uuid: CR }));
  r.stream().emit(ev({ object_uuid: 'zzzzz-4zz18-000000000000001' }));
  r.clock.advance(0);
  assert.deepEqual(seen, [1, 2], 'notifications see both');
  assert.deepEqual(r.batches.flatMap((b) => b.events.map((e) => e.id)), [1], 'the views only what the user asked for');
  r.session.setBackgroundFilters([]);
  assert.deepEqual(keys(r.stream().filters), keys([narrow]));
  r.session.setBackgroundFilters([watchFilter, narrow]);
  assert.deepEqual(keys(r.stream().filters), keys([narrow, watchFilter]), 'no duplicate subscriptions');
  r.session.clearFilters();
  assert.deepEqual(keys(r.stream().filters), ['[]']);
  assert.throws(() => r.session.setBackgroundFilters([[['bad', '=', 1]]]), FilterError);
});
