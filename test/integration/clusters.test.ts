/**
 * Several clusters at once, with the real engine against two fake clusters whose event ids and
 * UUID suffixes collide on purpose (both start at id 1, same seed): each cluster's events reach
 * its own context only, positions are kept per cluster, cutting one leaves the other streaming,
 * a restart resumes both without loss, and a profile's token never reaches the other host.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { ClusterSet, followedEntries, type ClusterEntry } from '../../src/model/clusters';
import { FollowedCluster, openerOf } from '../../src/model/followedCluster';
import { listProfiles, profileHost, type ArvadosEvent } from '../../src/arvados';
import { runCli } from '../../src/cli';
import { MemoryStore } from '../helpers/memoryStore';
import { RecordingLogger, waitUntil } from './helpers';
import { PassThrough } from 'node:stream';

let a: FakeCluster;
let b: FakeCluster;
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  // The same seed: both fakes make the same UUID suffixes and the same event ids, only the cluster ids differ.
  [a, b] = await Promise.all([FakeCluster.start({ clusterId: 'aaaaa', sendTimeoutMs: 300 }), FakeCluster.start({ clusterId: 'bbbbb', sendTimeoutMs: 300 })]);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-clusters-'));
  const dir = path.join(home, 'arvados');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'aaaaa.conf'), `ARVADOS_API_HOST=${a.host}\nARVADOS_API_TOKEN=${a.users.active.token}\n`);
  fs.writeFileSync(path.join(dir, 'bbbbb.conf'), `ARVADOS_API_HOST=${b.host}\nARVADOS_API_TOKEN=${b.users.active.token}\n`);
  // No default cluster: no ARVADOS_API_HOST, no settings.conf.
  env = { HOME: home, XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: path.join(home, 'none'), SSL_CERT_FILE: a.certFile };
});
after(async () => {
  await Promise.all([a.stop(), b.stop()]);
  fs.rmSync(home, { recursive: true, force: true });
});

const SETTINGS = { transport: 'auto' as const, pollIntervalMs: 200, maxBackfill: 1000 };

function clusterSet(store: MemoryStore) {
  const logger = new RecordingLogger();
  const profiles = listProfiles(env).map((p) => ({ ...p, host: profileHost(p) }));
  const { entries, problems } = followedEntries(['aaaaa', 'bbbbb'], undefined, profiles);
  assert.deepEqual(problems, []);
  const received = new Map<string, ArvadosEvent[]>();
  const set = new ClusterSet<FollowedCluster>((entry: ClusterEntry) => {
    const open = openerOf(entry, async () => undefined, env);
    const c = new FollowedCluster(entry, { open: open ?? (() => Promise.reject(new Error('no default cluster here'))), store, logger, settings: SETTINGS, bufferSize: 1000, feedIntervalMs: 20, persistIntervalMs: 50 });
    const list: ArvadosEvent[] = [];
    received.set(entry.key, list);
    c.feed.onBatch((batch) => list.push(...batch.events));
    return c;
  });
  set.update(entries.filter((e) => e.source.kind !== 'default'));
  return { set, received, logger, of: (key: string) => received.get(key)! };
}

const live = async (c: FollowedCluster) => waitUntil(`${c.entry.key} live`, () => c.connection.connectionKey === 'live');

test('two clusters with colliding event ids: each event reaches its own cluster only, once', async () => {
  const collA = a.createObject({ kind: 'arvados#collection', name: 'on A' }).object.uuid as string;
  const collB = b.createObject({ kind: 'arvados#collection', name: 'on B' }).object.uuid as string;
  assert.equal(collA.slice(5), collB.slice(5), 'the fakes make the same UUID suffixes');
  const store = new MemoryStore();
  const { set, of } = clusterSet(store);
  const [ca, cb] = set.all;
  assert.deepEqual(set.all.map((c) => c.entry.key), ['profile:aaaaa', 'profile:bbbbb']);
  await Promise.all(set.all.map((c) => c.connection.connect()));
  await Promise.all(set.all.map(live));
  assert.equal(ca.clusterId, 'aaaaa');
  assert.equal(cb.clusterId, 'bbbbb');
  assert.equal(set.forUuid(collB), cb, 'an object belongs to the cluster its UUID names');

  const rowsA = [a.updateObject(collA, { name: 'A1' }), a.updateObject(collA, { name: 'A2' })];
  const rowsB = [b.updateObject(collB, { name: 'B1' }), b.updateObject(collB, { name: 'B2' })];
  assert.deepEqual(rowsA.map((r) => r.id), rowsB.map((r) => r.id), 'the event ids collide');
  await waitUntil('both clusters\' events', () => of('profile:aaaaa').length >= 2 && of('profile:bbbbb').length >= 2);
  await new Promise((r) => setTimeout(r, 200));
  const names = (key: string) => of(key).map((e) => e.properties.new_attributes?.name);
  assert.deepEqual(names('profile:aaaaa'), ['A1', 'A2']);
  assert.deepEqual(names('profile:bbbbb'), ['B1', 'B2']);
  assert.ok(of('profile:aaaaa').every((e) => e.object_uuid.startsWith('aaaaa-')));
  assert.ok(of('profile:bbbbb').every((e) => e.object_uuid.startsWith('bbbbb-')));
  // Names are per cluster too: the same suffix is two objects.
  assert.equal(ca.objects.nameOf(collA), 'A2');
  assert.equal(cb.objects.nameOf(collB), 'B2');
  set.dispose();
});

test('cutting one cluster does not disturb the other; positions are per cluster; a restart resumes both', async () => {
  const collA = a.createObject({ kind: 'arvados#collection', name: 'cut A' }).object.uuid as string;
  const collB = b.createObject({ kind: 'arvados#collection', name: 'steady B' }).object.uuid as string;
  const store = new MemoryStore();
  const first = clusterSet(store);
  const [ca, cb] = first.set.all;
  await Promise.all(first.set.all.map((c) => c.connection.connect()));
  await Promise.all(first.set.all.map(live));
  const connectionsB = b.wsConnectionsTotal;

  // A goes away: its websocket is refused and its REST answers 503, for a while.
  a.setWebsocketEnabled(false);
  a.failNextApiCalls(1_000_000, 503);
  a.cutConnections();
  await waitUntil('A reconnecting', () => ca.connection.connectionKey !== 'live');
  const duringB: Array<{ id: number }> = [];
  for (let i = 0; i < 20; i++) duringB.push(b.updateObject(collB, { name: `B during ${i}` }));
  const missedA = [a.updateObject(collA, { name: 'A while cut 1' }), a.updateObject(collA, { name: 'A while cut 2' })];
  await waitUntil('B\'s events while A is down', () => first.of('profile:bbbbb').some((e) => e.id === duringB.at(-1)!.id));
  assert.equal(cb.connection.connectionKey, 'live', 'B stays live');
  assert.equal(b.wsConnectionsTotal, connectionsB, 'B never reconnected');
  const bIds = first.of('profile:bbbbb').map((e) => e.id);
  assert.deepEqual(bIds, duringB.map((r) => r.id), 'B: every event, once, in order');

  // A comes back: its gap arrives once.
  a.clearApiFailures();
  a.setWebsocketEnabled(true);
  await waitUntil('A\'s gap', () => missedA.every((r) => first.of('profile:aaaaa').some((e) => e.id === r.id && e.object_uuid === collA)), 20_000);
  const aIds = first.of('profile:aaaaa').map((e) => e.id);
  assert.equal(new Set(aIds).size, aIds.length, 'A: no duplicates');

  // Positions are kept per host.
  await first.set.all[0].connection.dispose();
  await first.set.all[1].connection.dispose();
  const keys = [...store.values.keys()].filter((k) => k.startsWith('arvados.position/')).sort();
  assert.deepEqual(keys, [`arvados.position/${a.host}`, `arvados.position/${b.host}`].sort());
  assert.equal(store.get(`arvados.position/${a.host}`), missedA[1].id);
  assert.equal(store.get(`arvados.position/${b.host}`), duringB.at(-1)!.id);
  first.set.dispose();

  // While "VS Code is closed", both clusters move on; the restart resumes both, without loss.
  const laterA = a.updateObject(collA, { name: 'A after restart' });
  const laterB = b.updateObject(collB, { name: 'B after restart' });
  const second = clusterSet(store);
  await Promise.all(second.set.all.map((c) => c.connection.connect()));
  await waitUntil('both gaps after the restart', () => second.of('profile:aaaaa').some((e) => e.id === laterA.id) && second.of('profile:bbbbb').some((e) => e.id === laterB.id));
  assert.deepEqual(second.of('profile:aaaaa').map((e) => e.id), [laterA.id], 'A resumes after its own position');
  assert.deepEqual(second.of('profile:bbbbb').map((e) => e.id), [laterB.id], 'B resumes after its own position');
  second.set.dispose();
});

test('a profile\'s token never reaches the other cluster (both fakes record every request)', async () => {
  a.wireRequests.length = 0;
  b.wireRequests.length = 0;
  const store = new MemoryStore();
  const { set } = clusterSet(store);
  await Promise.all(set.all.map((c) => c.connection.connect()));
  await Promise.all(set.all.map(live));
  set.dispose();
  // And the CLI with --profile.
  for (const profile of ['aaaaa', 'bbbbb']) {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const code = await runCli(['--profile', profile, '--id', '1', '--quiet'], {
      stdout: new PassThrough(), stderr, env, stopSignal: new Promise((r) => setTimeout(() => r('SIGINT'), 500)),
    });
    assert.equal(code, 0, err);
  }
  const tokenA = a.users.active.token;
  const tokenB = b.users.active.token;
  assert.notEqual(tokenA, tokenB);
  assert.ok(a.wireRequests.length > 3 && b.wireRequests.length > 3, 'both clusters were used');
  const sentTo = (c: FakeCluster) => new Set(c.wireRequests.flatMap((r) => r.tokens));
  assert.deepEqual([...sentTo(a)], [tokenA], 'A only ever got its own token');
  assert.deepEqual([...sentTo(b)], [tokenB], 'B only ever got its own token');
  for (const r of a.wireRequests) assert.ok(!r.tokens.includes(tokenB));
});
