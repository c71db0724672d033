/**
 * The connection model (ClusterConnection with the real opener and engine) when the cluster is
 * not there at start-up — a VPN not up yet, a laptop just woken: a real fake cluster whose host
 * is down (nothing listens on its fixed port) comes up 20 s later, and the connection goes live
 * by itself, with no call from the user in between.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { ClusterConnection, type ClusterStatus } from '../../src/model/cluster';
import { createOpener, type ConnectionSettings } from '../../src/model/connection';
import { statusText } from '../../src/model/status';
import { MemoryStore } from '../helpers/memoryStore';
import { subscribe } from '../../src/arvados/subscribe';
import { clientOf, RecordingLogger, waitUntil } from './helpers';
import { freePort } from '../helpers/freePort';

const SETTINGS: ConnectionSettings = { transport: 'auto', pollIntervalMs: 1000, maxBackfill: 1000 };

test('unreachable at start, up 20 s later: connected without any call from the user', { timeout: 90_000 }, async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-resilience-'));
  const cluster = await FakeCluster.down({ port: await freePort(), sendTimeoutMs: 1000 });
  const env = { HOME: home, XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile };
  const logger = new RecordingLogger();
  const session = new ClusterConnection({ open: createOpener(async () => undefined, env), store: new MemoryStore(), logger, expectedHost: cluster.host }, SETTINGS);
  const statuses: ClusterStatus[] = [];
  session.onStatus((s) => statuses.push(s));
  const events: number[] = [];
  session.follow('test', [[]]);
  session.onEvent(({ event }) => events.push(event.id));
  try {
    // The one call a user's window makes at start-up; nothing else is called until the end.
    await session.connect();
    await waitUntil('a waiting state', () => session.status.kind === 'waiting', 10_000);
    const waiting = session.status as Extract<ClusterStatus, { kind: 'waiting' }>;
    assert.equal(waiting.cause, 'unreachable');
    assert.equal(waiting.host, cluster.host);
    assert.ok(waiting.retryAt > Date.now() - 1000, 'it says when the next try is');
    const shown = statusText({ status: session.status, paused: false, pausedCount: 0, rate: 0, host: session.host, now: Date.now() });
    assert.match(shown.text, new RegExp(`waiting for ${cluster.host.replace(/\./g, '\\.')}`));
    assert.match(shown.tooltip, /next try in \d+ s/);

    await new Promise((r) => setTimeout(r, 20_000));
    assert.notEqual(session.status.kind, 'error', 'still trying after 20 s, not given up');
    await cluster.comeUp();
    await waitUntil('live', () => session.connectionKey === 'live', 30_000);
    await cluster.waitFor(() => cluster.wsSessions().some((x) => x.subscriptions > 0), 5000, 'subscribed');
    const row = cluster.createObject({ kind: 'arvados#collection', name: 'after the outage' }).log;
    await waitUntil('an event', () => events.includes(row.id), 10_000);
    assert.ok(statuses.filter((s) => s.kind === 'waiting').length >= 2, 'it tried again more than once while the host was down');
  } finally {
    await session.dispose();
    await cluster.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a 502 from the logs API while catching up is the reason shown, not the socket the client dropped for it', { timeout: 60_000 }, async () => {
  const cluster = await FakeCluster.start({ sendTimeoutMs: 1000 });
  const { api } = clientOf(cluster);
  try {
    const { stream } = await subscribe(api, { reconnectInitialMs: 50, reconnectMaxMs: 200, pollFallback: false });
    const reasons: string[] = [];
    // One reason per reconnect (the engine repeats the state as its attempt starts).
    stream.onState((s) => s.status === 'reconnecting' && reasons.at(-1) !== s.reason && reasons.push(s.reason));
    await waitUntil('live', () => stream.state.status === 'live', 10_000);
    // Every try of the catch-up's first logs request fails (this client retries 3 times).
    cluster.failNextApiCalls(4, 502, ['/arvados/v1/logs']);
    cluster.cutConnections();
    await waitUntil('a second reconnect', () => reasons.length >= 2, 30_000);
    assert.match(reasons[0], /code 1006/, 'the cut itself was a 1006');
    assert.match(reasons[1], /logs API.*HTTP 502/);
    assert.doesNotMatch(reasons[1], /1006|server closed/);
    await waitUntil('live again', () => stream.state.status === 'live', 30_000);
    await stream.close();
  } finally {
    api.dispose();
    await cluster.stop();
  }
});

test('Workbench from the exported config when the discovery document names none', async () => {
  const cluster = await FakeCluster.start({ workbenchInDiscovery: false, workbench2Url: 'https://wb2.config-only.example/' });
  const { api } = clientOf(cluster);
  try {
    assert.equal((await api.discovery()).workbench2Url, '', 'discovery names no Workbench');
    const { stream, workbenchUrl } = await subscribe(api, { pollFallback: false });
    assert.equal(workbenchUrl, 'https://wb2.config-only.example');
    await stream.close();
  } finally {
    api.dispose();
    await cluster.stop();
  }
});
