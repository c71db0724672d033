/**
 * The extension's connection model (src/model/cluster.ts, with the user's filters and the Events
 * view's feed) with the real engine against the fake cluster:
 * zero configuration from the environment, filters narrowing and widening on a live connection,
 * close/connect and restarts resuming after the last event id, bad tokens, and the outcome
 * lookups notifications use.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { ClusterConnection } from '../../src/model/cluster';
import { createOpener, type ConnectionSettings } from '../../src/model/connection';
import { EventFeed, type EventBatch } from '../../src/model/eventFeed';
import { ObjectFacts } from '../../src/model/objects';
import { USER_FILTERS_OWNER, UserFilters } from '../../src/model/userFilters';
import { MemoryStore } from '../helpers/memoryStore';
import { containerRequestOutcome } from '../../src/arvados/outcome';
import { resolveWorkbenchUrl } from '../../src/arvados/workbench';
import type { ArvadosEvent } from '../../src/arvados';
import { RecordingLogger, waitUntil } from './helpers';

let cluster: FakeCluster;
let home: string;
let mine: string;
let other: string;

before(async () => {
  cluster = await FakeCluster.start({ sendTimeoutMs: 300 });
  mine = cluster.createObject({ kind: 'arvados#collection', name: 'reads.bam' }).object.uuid as string;
  other = cluster.createObject({ kind: 'arvados#collection', name: 'other.vcf' }).object.uuid as string;
  // An empty HOME: no settings.conf of whoever runs the tests.
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-session-'));
});
after(async () => {
  await cluster.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

const SETTINGS: ConnectionSettings = { transport: 'auto', pollIntervalMs: 200, maxBackfill: 1000 };

function envFor(token = cluster.users.active.token): NodeJS.ProcessEnv {
  return { HOME: home, XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: token, SSL_CERT_FILE: cluster.certFile };
}

function sessionOf(opts: { env?: NodeJS.ProcessEnv; store?: MemoryStore; stored?: Record<string, string>; settings?: Partial<ConnectionSettings> } = {}) {
  const logger = new RecordingLogger();
  const store = opts.store ?? new MemoryStore();
  const open = createOpener(async (host) => opts.stored?.[host], opts.env ?? envFor());
  const session = new ClusterConnection({ open, store, logger }, { ...SETTINGS, ...opts.settings });
  const filters = new UserFilters(store, session, cluster.host, logger);
  const feed = new EventFeed(session, { owner: USER_FILTERS_OWNER, bufferSize: 1000, intervalMs: 20, logger });
  const events: ArvadosEvent[] = [];
  const batches: EventBatch[] = [];
  feed.onBatch((b) => (batches.push(b), events.push(...b.events)));
  return { session, filters, store, logger, events, batches };
}

const ids = (evs: ArvadosEvent[]) => evs.map((e) => e.id);

/** Waits until the server has registered every open socket's subscriptions. */
const subscribed = () => cluster.waitFor(() => cluster.wsSessions().length > 0 && cluster.wsSessions().every((x) => x.subscriptions > 0), 5000, 'subscriptions');

test('zero configuration: ARVADOS_API_HOST, ARVADOS_API_TOKEN and SSL_CERT_FILE are enough', async () => {
  const { session, events, logger } = sessionOf();
  await session.connect();
  await subscribed();
  await cluster.waitFor(() => session.connectionKey === 'live', 5000, 'live');
  assert.equal(session.user?.uuid, cluster.users.active.uuid);
  assert.equal(session.workbenchUrl, cluster.workbench2Url.replace(/\/+$/, ''));
  const row = cluster.updateObject(mine, { name: 'reads-v2.bam' });
  await waitUntil('the event', () => events.some((e) => e.id === row.id));
  assert.equal(events.find((e) => e.id === row.id)?.properties.new_attributes?.name, 'reads-v2.bam');
  await session.dispose();
  assert.ok(!logger.text().includes(cluster.users.active.token.split('/')[2]), 'never the token');
});

test('filters narrow and widen on the open connection, without reconnecting', async () => {
  const { session, filters, events } = sessionOf();
  await session.connect();
  await subscribed();
  const connections = cluster.wsConnectionsTotal;
  filters.add([['object_uuid', '=', mine]]);
  await waitUntil('the subscribe message', () => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes(mine)));
  cluster.updateObject(other, { name: 'ignored' });
  const wanted = cluster.updateObject(mine, { name: 'wanted' });
  await waitUntil('the wanted event', () => events.some((e) => e.id === wanted.id));
  assert.ok(!events.some((e) => e.object_uuid === other && e.id > wanted.id - 2), 'the other object is filtered out');
  filters.remove([['object_uuid', '=', mine]]);
  await new Promise((r) => setTimeout(r, 100));
  const widened = cluster.updateObject(other, { name: 'seen again' });
  await waitUntil('everything again', () => events.some((e) => e.id === widened.id));
  assert.equal(cluster.wsConnectionsTotal, connections, 'no new connection for filter changes');
  await session.dispose();
});

test('close means closed; connect again delivers the gap once, in order', async () => {
  const { session, events } = sessionOf();
  await session.connect();
  await subscribed();
  const before = cluster.updateObject(mine, { name: 'before close' });
  await waitUntil('before', () => events.some((e) => e.id === before.id));
  await session.close();
  const during = [cluster.updateObject(mine, { name: 'during 1' }), cluster.updateObject(mine, { name: 'during 2' })];
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!events.some((e) => e.id === during[0].id), 'nothing arrives while closed');
  await session.connect();
  const afterRow = cluster.updateObject(mine, { name: 'after' });
  await waitUntil('after', () => events.some((e) => e.id === afterRow.id));
  const seen = ids(events);
  assert.deepEqual(seen.filter((id) => id >= before.id), [before.id, during[0].id, during[1].id, afterRow.id]);
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  await session.dispose();
});

test('a restart resumes after the persisted last event id', async () => {
  const store = new MemoryStore();
  const first = sessionOf({ store });
  await first.session.connect();
  await subscribed();
  const seen = cluster.updateObject(mine, { name: 'seen' });
  await waitUntil('seen', () => first.events.some((e) => e.id === seen.id));
  await first.session.dispose();
  const missed = cluster.updateObject(mine, { name: 'while VS Code was closed' });
  const second = sessionOf({ store });
  await second.session.connect();
  await waitUntil('the missed event', () => second.events.some((e) => e.id === missed.id));
  assert.ok(!second.events.some((e) => e.id === seen.id), 'what was seen is not repeated');
  await second.session.dispose();
});

test('polling transport: filters and resume work the same', async () => {
  const { session, events } = sessionOf({ settings: { transport: 'poll' } });
  await session.connect();
  assert.equal(session.connectionKey, 'polling');
  await new Promise((r) => setTimeout(r, 300)); // the first round finds "now"
  const row = cluster.updateObject(mine, { name: 'polled' });
  await waitUntil('the polled event', () => events.some((e) => e.id === row.id), 5000);
  await session.dispose();
});

test('a refused token is an error that does not show the token; no host is unconfigured', async () => {
  const bad = 'v2/zzzzz-gj3su-000000000000000/notavalidsecretatall0123456789';
  const { session, logger } = sessionOf({ env: envFor(bad) });
  await session.connect();
  assert.equal(session.status.kind, 'error');
  const message = session.status.kind === 'error' ? session.status.message : '';
  assert.match(message, /refused/);
  assert.ok(!message.includes('notavalidsecret') && !logger.text().includes('notavalidsecret'));
  const none = sessionOf({ env: { HOME: home, XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: home } });
  await none.session.connect();
  assert.equal(none.session.status.kind, 'unconfigured');
});

test('a token stored for the host (SecretStorage) wins over the environment', async () => {
  const env = envFor('v2/zzzzz-gj3su-000000000000000/wrongwrongwrongwrongwrong');
  const { session } = sessionOf({ env, stored: { [cluster.host]: cluster.users.active.token } });
  await session.connect();
  await cluster.waitFor(() => session.connectionKey === 'live', 5000, 'live');
  await session.dispose();
  const elsewhere = sessionOf({ env: envFor('v2/zzzzz-gj3su-000000000000000/wrongwrongwrongwrongwrong'), stored: { 'other.example': cluster.users.active.token } });
  await elsewhere.session.connect();
  assert.equal(elsewhere.session.status.kind, 'error', 'a token stored for another host is not sent here');
});

test('the outcome of a finished request and the Workbench page of a container, from the cluster', async () => {
  const { session } = sessionOf();
  await session.connect();
  const container = cluster.createObject({ kind: 'arvados#container', state: 'Complete', exit_code: 3 }).object.uuid as string;
  const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'align', state: 'Final', container_uuid: container }).object.uuid as string;
  assert.deepEqual(await containerRequestOutcome(session.api!, cr), { status: 'failed', exitCode: 3, containerUuid: container });
  assert.equal(await resolveWorkbenchUrl(session.api!, session.workbenchUrl!, container), `${session.workbenchUrl}/processes/${cr}`);
  await session.dispose();
});

test('ownership through projects, read from the cluster in list requests (uuid in [...])', async () => {
  const { session } = sessionOf();
  await session.connect();
  const me = cluster.users.active.uuid;
  const top = cluster.createObject({ kind: 'arvados#group', group_class: 'project', name: 'top', owner_uuid: me }).object.uuid as string;
  const inner = cluster.createObject({ kind: 'arvados#group', group_class: 'project', name: 'inner', owner_uuid: top }).object.uuid as string;
  const facts = new ObjectFacts({ api: () => session.api, user: () => session.user });
  const event = (owner: string) => ({ id: 1, uuid: '', object_uuid: '', object_kind: '', object_owner_uuid: owner, event_type: 'update', event_at: '', properties: {} });
  const before = cluster.apiRequests.length;
  assert.deepEqual(await Promise.all([facts.isMine(event(inner)), facts.isMine(event(top)), facts.isMine(event(me))]), [true, true, true]);
  const lists = cluster.apiRequests.slice(before).filter((r) => r.path === '/arvados/v1/groups');
  assert.ok(lists.length >= 1 && lists.length <= 2, `${lists.length} list requests`);
  facts.dispose();
  await session.dispose();
});
