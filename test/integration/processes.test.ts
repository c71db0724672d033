/**
 * The Processes model (src/model/processes) with the real engine against the fake cluster over
 * real sockets: N events about requests and their containers are read with at most
 * ceil(N/100) + a small constant list requests, the user's recent top-level requests are listed
 * at startup, and cancelling sets priority 0, with 403 and 422 refusals told apart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { railsTime } from '../fake/time';
import { ClusterConnection } from '../../src/model/cluster';
import { createOpener } from '../../src/model/connection';
import { ObjectFacts } from '../../src/model/objects';
import { cancelRequest, CancelRefused } from '../../src/model/processes/cancel';
import { ProcessTree } from '../../src/model/processes/tree';
import { MemoryStore } from '../helpers/memoryStore';
import { RecordingLogger, waitUntil } from './helpers';

let cluster: FakeCluster;
let home: string;

before(async () => {
  cluster = await FakeCluster.start({ sendTimeoutMs: 300, clientQueueSize: 10_000 });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-processes-'));
});
after(async () => {
  await cluster.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

async function connected() {
  const env = { HOME: home, XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile };
  const logger = new RecordingLogger();
  const connection = new ClusterConnection({ open: createOpener(async () => undefined, env), store: new MemoryStore(), logger }, { transport: 'websocket', pollIntervalMs: 200, maxBackfill: 10_000 });
  const objects = new ObjectFacts({ api: () => connection.api, user: () => connection.user });
  const tree = new ProcessTree({ api: () => connection.api, userUuid: () => connection.user?.uuid, names: objects.names, logger });
  const observing = tree.observe(connection);
  const following = connection.follow('processes', [[['object_uuid', 'is_a', ['arvados#containerRequest', 'arvados#container']]]]);
  await connection.connect();
  await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0) && connection.connectionKey === 'live', 5000, 'live');
  return {
    connection, tree, objects, logger,
    async close() {
      observing.dispose();
      following.dispose();
      tree.dispose();
      objects.dispose();
      await connection.dispose();
    },
  };
}

const detailCalls = (since: number) =>
  cluster.apiRequests.filter((r) => r.seq > since && r.effectiveMethod === 'GET' && /^\/arvados\/v1\/(containers|container_requests)\/?$/.test(r.path));

test('N events about requests and their containers cost at most ceil(N/100) + 3 list requests', async () => {
  const s = await connected();
  try {
    const project = cluster.createProject(cluster.users.active, 'Batch');
    const workflowContainer = cluster.createObject({ kind: 'arvados#container', state: 'Running' }).object.uuid as string;
    const workflow = cluster.createObject({ kind: 'arvados#containerRequest', owner_uuid: project.uuid as string, name: 'big workflow', state: 'Committed', priority: 1, container_uuid: workflowContainer }).object.uuid as string;
    await waitUntil('the workflow', () => s.tree.node(workflow)?.container?.state === 'Running');
    const since = cluster.apiRequests.length;
    // 300 steps: each step's request create and its container create, in one burst: N = 600 events.
    const steps: string[] = [];
    const containers: Array<[string, string]> = [];
    let n = 0;
    for (let i = 0; i < 300; i++) {
      const c = cluster.putObject({ kind: 'arvados#container', state: i % 3 === 0 ? 'Complete' : 'Running', exit_code: i % 3 === 0 ? (i % 2) : null, finished_at: i % 3 === 0 ? railsTime(cluster.nowMs() + 60_000) : null }).uuid as string;
      const { object } = cluster.createObject({ kind: 'arvados#containerRequest', owner_uuid: project.uuid as string, name: `step_${i}`, state: i % 3 === 0 ? 'Final' : 'Committed', priority: 1, requesting_container_uuid: workflowContainer, container_uuid: c });
      cluster.recordChange(c, 'create');
      steps.push(object.uuid as string);
      containers.push([object.uuid as string, c]);
      n += 2;
    }
    await waitUntil('every step with its container', () => steps.every((u) => s.tree.node(u)?.container !== undefined), 20_000);
    const calls = detailCalls(since);
    const bound = Math.ceil(n / 100) + 3;
    assert.ok(calls.length <= bound, `${calls.length} list requests for ${n} events (bound ${bound}): ${calls.map((c) => c.path).join(' ')}`);
    assert.equal(s.tree.children(workflow).length, 300, 'every step under the workflow');
    const counts = Object.fromEntries(s.tree.counts(workflow));
    assert.deepEqual(counts, { Failed: 50, Running: 200, Completed: 50 });
    // Containers read as their request's name, for every view (the Events view's labels).
    for (const [req, c] of containers.slice(0, 5)) assert.equal(s.objects.nameOf(c), s.tree.node(req)!.request.name);
    // Cached: another event about one step reads that step again, nothing else.
    const again = cluster.apiRequests.length;
    cluster.updateObject(steps[1]!, { priority: 2 });
    await waitUntil('the step read again', () => s.tree.node(steps[1]!)?.request.priority === 2);
    assert.equal(detailCalls(again).length, 1);
  } finally {
    await s.close();
  }
});

test("startup lists the user's recent top-level requests, newest first, limited", async () => {
  const s = await connected();
  try {
    for (let i = 0; i < 6; i++) {
      cluster.advanceClock(1000);
      cluster.putObject({ kind: 'arvados#containerRequest', name: `recent ${i}`, state: 'Committed', priority: 1 });
    }
    const since = cluster.apiRequests.length;
    const count = await s.tree.loadRecent(5);
    assert.equal(count, 5);
    const call = cluster.apiRequests.find((r) => r.seq > since && r.path === '/arvados/v1/container_requests');
    assert.ok(call);
    const params = { ...call.query, ...call.form } as Record<string, string>;
    assert.deepEqual(JSON.parse(params.filters!), [['requesting_container_uuid', '=', null]]);
    assert.deepEqual(JSON.parse(params.order!), ['created_at desc']);
    assert.ok(s.tree.roots().every((r) => !r.request.requesting_container_uuid), 'top-level only');
    assert.deepEqual(s.tree.roots().map((r) => r.request.name), ['recent 5', 'recent 4', 'recent 3', 'recent 2', 'recent 1']);
  } finally {
    await s.close();
  }
});

test('cancel sets priority 0 (recorded by the fake); 403 and 422 refusals say so', async () => {
  const s = await connected();
  try {
    const c = cluster.createObject({ kind: 'arvados#container', state: 'Running' }).object.uuid as string;
    const mine = cluster.createObject({ kind: 'arvados#containerRequest', name: 'to cancel', state: 'Committed', priority: 500, container_uuid: c }).object.uuid as string;
    const updated = await cancelRequest(s.connection.api!, mine);
    assert.equal(updated.priority, 0);
    assert.deepEqual(cluster.clientUpdates.at(-1), { uuid: mine, user: cluster.users.active.uuid, attrs: { priority: 0 } });
    assert.equal(cluster.getObject(mine)?.priority, 0);

    const theirs = cluster.createObject({ kind: 'arvados#containerRequest', owner_uuid: cluster.users.other.uuid, name: 'not mine', state: 'Committed', priority: 500 }).object.uuid as string;
    cluster.share(theirs, cluster.users.active);
    await assert.rejects(cancelRequest(s.connection.api!, theirs), (err: unknown) => err instanceof CancelRefused && err.status === 403 && /refused.*403/.test(err.message));
    assert.equal(cluster.getObject(theirs)?.priority, 500, 'unchanged');

    const done = cluster.createObject({ kind: 'arvados#containerRequest', name: 'finished', state: 'Final', priority: 500 }).object.uuid as string;
    await assert.rejects(cancelRequest(s.connection.api!, done), (err: unknown) => err instanceof CancelRefused && err.status === 422 && /Final/.test(err.message));
  } finally {
    await s.close();
  }
});
