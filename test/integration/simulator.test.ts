/**
 * The simulated cluster (test/fake/simulator.ts, scripts/simulate.ts): its history obeys the
 * Arvados state machines (protocol §7.2, §7.3, tables written out here independently of the
 * simulator's own), the other user's work stays invisible to the active user's token, a seed
 * fixes the history, it can flood, and the script prints its settings and stops cleanly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { FakeCluster, FakeLogRow } from '../fake/cluster';
import { RawWs, request } from '../fake/rawClient';
import { Simulator, startSimulatedCluster } from '../fake/simulator';

const CR = 'arvados#containerRequest';
const CONTAINER = 'arvados#container';

/** Legal state changes, from the protocol notes; `null` is "created". */
const LEGAL_CR: Record<string, string[]> = {
  null: ['Uncommitted', 'Committed'],
  Uncommitted: ['Committed'],
  Committed: ['Final'],
  Final: [],
};
const LEGAL_CONTAINER: Record<string, string[]> = {
  null: ['Queued'],
  Queued: ['Locked', 'Cancelled'],
  Locked: ['Queued', 'Running', 'Cancelled'],
  Running: ['Complete', 'Cancelled'],
  Complete: ['Cancelled'],
  Cancelled: [],
};

type A = Record<string, any>;
const props = (r: FakeLogRow) => (r.properties ?? {}) as { old_attributes?: A | null; new_attributes?: A | null; text?: string };

/** Steps `sim` until it has written at least `events` rows. */
function stepUntil(sim: Simulator, events: number): void {
  while (sim.stats.events < events) sim.step();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulator: the history it writes', () => {
  let cluster: FakeCluster;
  let rows: FakeLogRow[];

  before(async () => {
    cluster = await FakeCluster.start();
    const sim = new Simulator(cluster, { seed: 'state-machines' });
    stepUntil(sim, 8000);
    rows = cluster.logRows();
  });
  after(() => cluster.stop());

  test('requests and containers change state only along legal transitions', () => {
    let checked = 0;
    for (const r of rows) {
      if (r.object_kind !== CR && r.object_kind !== CONTAINER) continue;
      if (r.event_type !== 'create' && r.event_type !== 'update') continue;
      const { old_attributes: o, new_attributes: n } = props(r);
      const from = r.event_type === 'create' ? 'null' : String(o!.state);
      const to = String(n!.state);
      if (from === to) continue;
      const legal = r.object_kind === CR ? LEGAL_CR : LEGAL_CONTAINER;
      assert.ok(legal[from]?.includes(to), `row ${r.id}: ${r.object_kind} ${r.object_uuid} ${from} -> ${to}`);
      checked++;
    }
    assert.ok(checked > 1000, `only ${checked} state changes`);
  });

  test('a request goes Final only when its container is Complete, or Cancelled with no retry left; a retry gets a new container', () => {
    const containerState = new Map<string, string>();
    let finals = 0;
    let retries = 0;
    let failures = 0;
    for (const r of rows) {
      const { old_attributes: o, new_attributes: n } = props(r);
      if (r.object_kind === CONTAINER && n) containerState.set(r.object_uuid!, n.state);
      if (r.object_kind !== CR || r.event_type !== 'update') continue;
      if (o!.container_uuid && n!.container_uuid !== o!.container_uuid) {
        retries++;
        assert.equal(containerState.get(o!.container_uuid), 'Cancelled', `row ${r.id}: retried while the old container was not Cancelled`);
        assert.equal(containerState.has(n!.container_uuid), false, `row ${r.id}: the retry reuses a container`);
        assert.equal(n!.state, 'Committed', `row ${r.id}: a retrying request stays Committed`);
        assert.equal(n!.container_count, o!.container_count + 1);
        assert.ok(n!.container_count <= n!.container_count_max);
        assert.ok(n!.priority > 0, `row ${r.id}: a cancelled request retried`);
      }
      if (o!.state !== 'Final' && n!.state === 'Final') {
        finals++;
        const state = containerState.get(n!.container_uuid);
        if (state === 'Cancelled') {
          assert.ok(n!.priority === 0 || n!.container_count >= n!.container_count_max, `row ${r.id}: Final on a Cancelled container with a retry left`);
        } else {
          assert.equal(state, 'Complete', `row ${r.id}: Final while its container is ${state}`);
          const container = cluster.getObject(n!.container_uuid)!;
          if (container.exit_code === 0 && container.state === 'Complete') assert.match(String(n!.output_uuid), /^zzzzz-4zz18-/);
          if (container.exit_code !== 0) failures++;
        }
      }
    }
    assert.ok(finals > 200, `${finals} requests went Final`);
    assert.ok(retries > 5, `${retries} retries`);
    assert.ok(failures > 5, `${failures} failed requests`);
  });

  test('child requests name a Running container of another request as requesting_container_uuid', () => {
    const containerState = new Map<string, string>();
    const containerOf = new Map<string, string>(); // container -> request
    let children = 0;
    for (const r of rows) {
      const n = props(r).new_attributes;
      if (r.object_kind === CONTAINER && n) containerState.set(r.object_uuid!, n.state);
      if (r.object_kind !== CR || !n) continue;
      if (n.container_uuid) containerOf.set(n.container_uuid, r.object_uuid!);
      if (r.event_type === 'create' && n.requesting_container_uuid) {
        children++;
        const parent = containerOf.get(n.requesting_container_uuid);
        assert.ok(parent && parent !== r.object_uuid, `row ${r.id}: no request runs ${n.requesting_container_uuid}`);
        assert.equal(containerState.get(n.requesting_container_uuid), 'Running', `row ${r.id}: the requesting container is not Running`);
      }
    }
    assert.ok(children > 50, `${children} child requests`);
  });

  test('workflows nest: some steps are sub-workflows whose own container submits sub-steps', () => {
    const requestOfContainer = new Map<string, string>();
    const parentOf = new Map<string, string>(); // request -> parent request
    let nested = 0;
    let failedSteps = 0;
    for (const r of rows) {
      const n = props(r).new_attributes;
      if (r.object_kind !== CR || !n) continue;
      if (n.container_uuid) requestOfContainer.set(n.container_uuid, r.object_uuid!);
      if (r.event_type === 'create' && n.requesting_container_uuid) {
        const parent = requestOfContainer.get(n.requesting_container_uuid)!;
        parentOf.set(r.object_uuid!, parent);
        if (parentOf.has(parent)) nested++;
      }
    }
    for (const r of rows) {
      if (r.object_kind === CONTAINER && props(r).new_attributes?.state === 'Complete' && props(r).new_attributes?.exit_code !== 0) {
        const req = requestOfContainer.get(r.object_uuid!);
        if (req && parentOf.has(req)) failedSteps++;
      }
    }
    assert.ok(nested > 5, `${nested} sub-steps (a step's step)`);
    assert.ok(failedSteps > 0, `${failedSteps} failed steps`);
  });

  test('the mix covers every kind of change a client meets', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      const { old_attributes: o, new_attributes: n, text } = props(r);
      seen.add(`${r.object_kind} ${r.event_type}`);
      if (r.object_kind === CR && n?.state === 'Uncommitted') seen.add('draft');
      if (r.object_kind === CR && o && n && o.priority > 0 && n.priority === 0) seen.add('cancel');
      if (r.object_kind === 'arvados#collection' && n?.is_trashed === true && o?.is_trashed === false) seen.add('trash');
      if (r.object_kind === 'arvados#collection' && o && n && o.name !== n.name) seen.add('rename');
      if (r.object_kind === 'arvados#collection' && o && n && o.portable_data_hash !== n.portable_data_hash) seen.add('new pdh');
      if (r.object_kind === CONTAINER && o?.state === 'Locked' && n?.state === 'Queued') seen.add('unlock');
      if (r.event_type === 'dispatch') assert.match(text ?? '', /container zzzzz-dz642-/);
    }
    for (const want of [
      'arvados#group create', 'arvados#group update', `${CR} create`, `${CR} update`, `${CR} delete`, `${CONTAINER} create`, `${CONTAINER} update`,
      `${CONTAINER} dispatch`, 'arvados#collection create', 'arvados#collection update', 'arvados#collection delete',
      'draft', 'cancel', 'trash', 'rename', 'new pdh', 'unlock',
    ]) {
      assert.ok(seen.has(want), `no ${want} in the history`);
    }
  });

  test('every object is stored: GET returns its current attributes', async () => {
    const token = cluster.users.admin.token;
    const final = [...rows].reverse().find((r) => r.object_kind === CR && props(r).new_attributes?.state === 'Final' && props(r).new_attributes?.output_uuid);
    assert.ok(final);
    const res = await request(cluster, `/arvados/v1/container_requests/${final.object_uuid}`, { token });
    assert.equal(res.status, 200, res.text);
    const cr = res.body;
    assert.equal(cr.state, 'Final');
    for (const k of ['container_uuid', 'output_uuid', 'log_uuid', 'container_count', 'requesting_container_uuid', 'name']) assert.ok(k in cr, k);
    const c = await request(cluster, `/arvados/v1/containers/${cr.container_uuid}`, { token });
    assert.equal(c.status, 200, c.text);
    assert.ok(['Complete', 'Cancelled'].includes(c.body.state));
    assert.equal(typeof c.body.exit_code, 'number');
    const out = await request(cluster, `/arvados/v1/collections/${cr.output_uuid}`, { token });
    assert.equal(out.status, 200, out.text);
    assert.match(out.body.portable_data_hash, /^[0-9a-f]{32}\+\d+$/);
    assert.equal(out.body.properties.container_request, cr.uuid);
    assert.equal(out.body.portable_data_hash, c.body.output, "the output collection holds the container's output");
    const log = await request(cluster, `/arvados/v1/collections/${cr.log_uuid}`, { token });
    assert.equal(log.body.portable_data_hash, c.body.log);
  });
});

describe('simulator: permissions', () => {
  test("the active user's token never sees the other user's work, over the websocket or the logs API", async () => {
    const cluster = await FakeCluster.start({ clientQueueSize: 10_000 });
    try {
      const { active, other } = cluster.users;
      const sockets = await Promise.all(
        [active, other].map(async (u) => {
          const ws = RawWs.connect(cluster, u.token);
          await ws.opened;
          ws.send({ method: 'subscribe' });
          await ws.waitUntil(() => ws.frames.includes('{"status":200}'));
          return ws;
        }),
      );
      const sim = new Simulator(cluster, { seed: 'permissions' });
      // Small bursts, each delivered before the next: the fake checks permission as it sends.
      while (sim.stats.events < 2500) {
        for (let i = 0; i < 10; i++) sim.step();
        await cluster.waitFor(() => cluster.wsSessions().every((s) => s.queued === 0), 5000, 'queues to drain');
      }

      // Whose is each row, worked out from the rows alone: projects by their owners, requests and
      // collections by their project, containers by the requests that use them.
      const rows = cluster.logRows();
      const ownerOf = new Map<string, string>([[active.uuid, active.uuid], [other.uuid, other.uuid]]);
      const rowOwner = new Map<number, string>();
      for (const r of rows) {
        const { old_attributes: o, new_attributes: n } = props(r);
        const attrs = n ?? o!;
        if (r.event_type !== 'dispatch' && r.object_kind !== CONTAINER) ownerOf.set(r.object_uuid!, ownerOf.get(attrs.owner_uuid)!);
        if (r.object_kind === CR && n?.container_uuid) ownerOf.set(n.container_uuid, ownerOf.get(r.object_uuid!)!);
        const user = ownerOf.get(r.object_uuid!);
        assert.ok(user, `row ${r.id}: cannot tell whose ${r.object_uuid} is`);
        rowOwner.set(r.id, user);
      }
      const idsOf = (u: string) => rows.filter((r) => rowOwner.get(r.id) === u).map((r) => r.id);
      const [activeIds, otherIds] = [idsOf(active.uuid), idsOf(other.uuid)];
      assert.ok(otherIds.length > 200, `the other user did little: ${otherIds.length} rows`);
      assert.ok(activeIds.length > otherIds.length, 'the active user is the busier one');

      // Each socket got exactly its user's rows.
      for (const [ws, want] of [[sockets[0]!, activeIds], [sockets[1]!, otherIds]] as const) {
        await ws.waitUntil(() => ws.events.length >= want.length, 5000, `${want.length} events`);
        await sleep(100);
        assert.deepEqual(ws.events.map((e) => e.id), want);
      }

      // The logs API: none of the other user's rows (some rows of retried containers are hidden
      // too, as on a real cluster: a container is readable through the request that uses it).
      const listed: number[] = [];
      for (let last = 0; ; ) {
        const res = await request(cluster, '/arvados/v1/logs', { token: active.token, query: { filters: [['id', '>', last]], order: 'id asc', limit: 1000 } });
        assert.equal(res.status, 200, res.text);
        if (!res.body.items.length) break;
        for (const item of res.body.items) listed.push(item.id);
        last = listed.at(-1)!;
      }
      const otherSet = new Set(otherIds);
      assert.deepEqual(listed.filter((id) => otherSet.has(id)), []);
      assert.ok(listed.length > activeIds.length * 0.9, `${listed.length} of ${activeIds.length} rows listed`);
      await Promise.all(sockets.map((s) => s.close()));
    } finally {
      await cluster.stop();
    }
  });
});

describe('simulator: determinism', () => {
  const projection = (rows: FakeLogRow[]) =>
    rows.map((r) => {
      const { old_attributes: o, new_attributes: n, text } = props(r);
      return [r.uuid, r.event_type, r.object_kind, r.object_uuid, n?.name ?? o?.name ?? text, o?.state, n?.state, n?.container_uuid, n?.exit_code];
    });

  async function history(clusterSeed: string, simSeed: string | number, events = 2000) {
    const cluster = await FakeCluster.start({ seed: clusterSeed });
    try {
      const sim = new Simulator(cluster, { seed: simSeed });
      stepUntil(sim, events);
      return { rows: projection(cluster.logRows()), stats: sim.stats };
    } finally {
      await cluster.stop();
    }
  }

  test('the same seed gives the same history, UUIDs included; another seed another one', async () => {
    const a = await history('c', 42);
    const b = await history('c', '42');
    assert.deepEqual(b.rows, a.rows);
    assert.deepEqual(b.stats, a.stats);
    const c = await history('c', 43);
    assert.notDeepEqual(c.rows.map((r) => r.slice(1, 3)), a.rows.map((r) => r.slice(1, 3)));
    // Object UUIDs come from the simulator's seed; only log row UUIDs come from the fake's.
    const d = await history('another fake seed', 42);
    assert.deepEqual(d.rows.map((r) => r.slice(1)), a.rows.map((r) => r.slice(1)));
  });

  test('wall time does not matter: the history is the same stepped at once or run in real time', async () => {
    const stepped = await history('c', 'timing', 300);
    const { cluster, simulator, stop } = await startSimulatedCluster({ seed: 'timing', rate: 0, warmupSeconds: 0, cluster: { seed: 'c' } });
    try {
      await simulator.run({ rate: 3000, maxEvents: 300 });
      stepUntil(simulator, 300);
      assert.deepEqual(projection(cluster.logRows()).slice(0, 300), stepped.rows.slice(0, 300));
    } finally {
      await stop();
    }
  });
});

describe('simulator: pace', () => {
  test('a flood: thousands of events per second (a loose bound; timings belong in benchmarks)', async () => {
    const { simulator, stop } = await startSimulatedCluster({ seed: 'flood', rate: 0, warmupSeconds: 0 });
    try {
      await simulator.run({ rate: 1_000_000, durationMs: 2000 });
      assert.ok(simulator.stats.events > 500, `${simulator.stats.events} events in 2 s`);
    } finally {
      await stop();
    }
  });

  test('a trickle stays a trickle, and stop() or an abort ends a run promptly', async () => {
    const { simulator, running, stop } = await startSimulatedCluster({ seed: 'trickle', rate: 2, warmupSeconds: 600 });
    try {
      const before = simulator.stats.events;
      assert.ok(before > 100, `warm-up wrote ${before} events`);
      await sleep(1500);
      assert.ok(simulator.stats.events - before < 60, `${simulator.stats.events - before} events in 1.5 s at rate 2`);
      const t0 = Date.now();
      simulator.stop();
      await running;
      assert.ok(Date.now() - t0 < 1000);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t1 = Date.now();
      await simulator.run({ rate: 1, signal: ac.signal });
      assert.ok(Date.now() - t1 < 1000);
    } finally {
      await stop();
    }
  });
});

describe('scripts/simulate.ts', () => {
  const script = path.join(__dirname, '..', '..', 'scripts', 'simulate.ts');

  function launch(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const output = async (re: RegExp, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(stdout)) {
        if (Date.now() > deadline) throw new Error(`no ${re} in stdout: ${stdout}\nstderr: ${stderr}`);
        await sleep(20);
      }
      return stdout;
    };
    return { child, exited, output, stderr: () => stderr };
  }

  function get(host: string, certFile: string, urlPath: string, token: string): Promise<{ status: number; body: any }> {
    const [hostname, port] = host.split(':');
    return new Promise((resolve, reject) => {
      https
        .get({ hostname, port: Number(port), path: urlPath, headers: { Authorization: `Bearer ${token}` }, ca: fs.readFileSync(certFile) }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        })
        .on('error', reject);
    });
  }

  test('--json prints one line of settings that work, and SIGTERM stops it with exit 0', async () => {
    const p = launch(['--port', '0', '--json', '--rate', '50', '--warmup', '60', '--quiet']);
    try {
      const line = (await p.output(/\n/)).split('\n')[0]!;
      const s = JSON.parse(line);
      assert.match(s.host, /^127\.0\.0\.1:\d+$/);
      assert.match(s.token, /^v2\/zzzzz-gj3su-[a-z0-9]{15}\/[a-z0-9]+$/);
      assert.ok(fs.existsSync(s.certFile));
      assert.ok(s.workbench2Url);
      const me = await get(s.host, s.certFile, '/arvados/v1/users/current', s.token);
      assert.equal(me.status, 200);
      assert.equal(me.body.uuid, s.userUuid);
      const logs = await get(s.host, s.certFile, '/arvados/v1/logs?limit=5', s.token);
      assert.ok(logs.body.items.length > 0, 'the warm-up wrote history');
      assert.match(p.stderr(), /^ARVADOS_API_HOST=127\.0\.0\.1:\d+$/m, 'people read the settings on stderr');
    } finally {
      p.child.kill('SIGTERM');
    }
    assert.deepEqual(await p.exited, { code: 0, signal: null });
  });

  test('without --json, stdout has ARVADOS_API_HOST / ARVADOS_API_TOKEN / SSL_CERT_FILE lines; Ctrl-C exits 0', async () => {
    const p = launch(['--port', '0', '--seed', 'cli', '--warmup', '0', '--quiet']);
    try {
      const out = await p.output(/Ctrl-C/);
      assert.match(out, /^ARVADOS_API_HOST=127\.0\.0\.1:\d+$/m);
      assert.match(out, /^ARVADOS_API_TOKEN=v2\/\S+$/m);
      assert.match(out, /^SSL_CERT_FILE=\S+\.pem$/m);
      assert.match(out, /ARVADOS_API_HOST_INSECURE=1/);
    } finally {
      p.child.kill('SIGINT');
    }
    assert.deepEqual(await p.exited, { code: 0, signal: null });
  });

  test('bad options: a usage message and exit 2', async () => {
    const p = launch(['--rate', 'fast']);
    const { code } = await p.exited;
    assert.equal(code, 2);
    assert.match(p.stderr(), /--rate must be a number/);
  });
});
