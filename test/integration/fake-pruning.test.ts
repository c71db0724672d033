/**
 * The fake cluster's logs table is pruned the way an API server prunes it with AuditLogs.MaxAge
 * (`services/api/lib/audit_logs.rb`): after a log row is committed, at most once per MaxAge/14,
 * the audit rows (create, update, destroy, delete) created more than MaxAge ago are deleted.
 * Pruned rows are gone from the logs API and from the websocket's last_log_id replay; ids keep
 * counting up. `logMaxRows` is the fake's own backstop on top of that. The simulator turns both
 * on by default, so long runs stay bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { RawWs, request } from '../fake/rawClient';
import { startSimulatedCluster } from '../fake/simulator';

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ids the logs API lists for the active user after `afterId`, in id order (one page). */
async function listedIds(c: FakeCluster, afterId: number): Promise<number[]> {
  const res = await request(c, '/arvados/v1/logs', {
    token: c.users.active.token,
    query: { filters: [['id', '>', afterId]], order: ['id asc'], limit: 1000 },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.items.map((r: { id: number }) => r.id);
}

async function withCluster(options: Parameters<typeof FakeCluster.start>[0], fn: (c: FakeCluster, collection: string) => Promise<void>): Promise<void> {
  const c = await FakeCluster.start({ firstLogId: 1000, ...options });
  try {
    // Readable by the active user, so that its events are delivered over the websocket too.
    const collection = c.putObject({ kind: 'arvados#collection', name: 'pruned.txt' }).uuid as string;
    await fn(c, collection);
  } finally {
    await c.stop();
  }
}

describe('fake cluster: pruning the logs table (AuditLogs.MaxAge)', () => {
  test('off by default, as on a cluster with AuditLogs.MaxDeleteBatch 0: old rows stay', async () => {
    await withCluster({}, async (c, collection) => {
      const old = c.emit({ object_uuid: collection, created_at: c.nowMs() - 30 * 24 * 60 * MINUTE });
      c.advanceClock(60 * MINUTE);
      c.emit({ object_uuid: collection });
      assert.equal(c.logRowCount, 2);
      assert.deepEqual((await listedIds(c, 0))[0], old.id);
    });
  });

  test('rows older than the max age are gone from the logs API, GET and the replay; younger ones stay', async () => {
    await withCluster({ auditLogsMaxAgeMs: 6 * MINUTE }, async (c, collection) => {
      const old = c.emitBatch(3, { object_uuid: collection });
      // Not an audit event type: the API server's sweep leaves it alone.
      const dispatch = c.emit({ object_uuid: collection, event_type: 'dispatch' });
      c.advanceClock(3 * MINUTE);
      const young = c.emitBatch(2, { object_uuid: collection });
      // The clock moving does not delete anything by itself: the sweep follows a commit.
      c.advanceClock(4 * MINUTE);
      assert.equal(c.logRowCount, 6);
      const trigger = c.emit({ object_uuid: collection });

      const kept = [dispatch, ...young, trigger].map((r) => r.id);
      assert.deepEqual(await listedIds(c, 0), kept);
      assert.deepEqual(c.logRows().map((r) => r.id), kept);
      assert.equal(c.logRowCount, kept.length);
      const gone = await request(c, `/arvados/v1/logs/${old[0]!.uuid}`, { token: c.users.active.token });
      assert.equal(gone.status, 404);
      const there = await request(c, `/arvados/v1/logs/${young[0]!.uuid}`, { token: c.users.active.token });
      assert.equal(there.status, 200);
      assert.equal(there.body.id, young[0]!.id);

      // The old rows are 7 minutes old, inside the 10-minute replay window: only pruning hides them.
      const ws = RawWs.connect(c, c.users.active.token);
      await ws.opened;
      ws.send({ method: 'subscribe', last_log_id: old[0]!.id - 1 });
      await ws.waitUntil(() => ws.events.length >= kept.length);
      await sleep(100);
      assert.deepEqual(ws.events.map((e) => e.id), kept);
      await ws.close();

      // Ids keep counting up from the highest ever taken.
      const next = c.emit({ object_uuid: collection });
      assert.equal(next.id, trigger.id + 1);
      assert.equal(c.lastLogId, next.id);
    });
  });

  test('a long run stays bounded: about one max age of rows, with few sweeps', async () => {
    const maxAge = 6 * MINUTE;
    const step = 30_000;
    const perStep = 500;
    await withCluster({ auditLogsMaxAgeMs: maxAge }, async (c, collection) => {
      let highest = 0;
      for (let i = 0; i < 60; i++) {
        const rows = c.emitBatch(perStep, { object_uuid: collection });
        assert.ok(rows[0]!.id > highest, 'ids stay monotonic');
        highest = rows.at(-1)!.id;
        // A sweep runs at most every maxAge/14, so at most that much more than maxAge is kept.
        const bound = ((maxAge + maxAge / 14) / step + 1) * perStep;
        assert.ok(c.logRowCount <= bound, `${c.logRowCount} rows stored after ${i + 1} steps (bound ${bound})`);
        c.advanceClock(step);
      }
      assert.ok(c.logRowCount >= (maxAge / step) * perStep, `${c.logRowCount} rows: pruned too much`);
      // Amortised: one sweep per maxAge/14 of fake time at most, not one per row.
      assert.ok(c.auditLogSweeps <= (60 * step) / (maxAge / 14) + 1, `${c.auditLogSweeps} sweeps`);
      const oldest = Date.parse(c.logRows()[0]!.created_at);
      assert.ok(c.nowMs() - oldest <= maxAge + maxAge / 14 + step, 'the oldest row kept is not much older than the max age');
      assert.equal(c.lastLogId, highest);
    });
  });

  test('logMaxRows caps the table whatever the rows’ ages, dropping the oldest first', async () => {
    await withCluster({ logMaxRows: 1000 }, async (c, collection) => {
      const rows = c.emitBatch(5000, (i) => ({ object_uuid: collection, event_type: i % 2 ? 'update' : 'dispatch' }));
      assert.ok(c.logRowCount <= 1000, `${c.logRowCount} rows`);
      assert.ok(c.logRowCount >= 900, `${c.logRowCount} rows`);
      const ids = await listedIds(c, 0);
      assert.equal(ids.at(-1), rows.at(-1)!.id);
      assert.deepEqual(ids, rows.slice(rows.length - ids.length).map((r) => r.id));
      // A row committed late with a reserved id still finds its place.
      const reserved = c.reserveLogId();
      c.emit({ object_uuid: collection });
      c.emit({ id: reserved, object_uuid: collection });
      assert.ok(c.logRows().some((r) => r.id === reserved));
    });
  });

  test('the simulator prunes by default: an hour of history keeps about ten minutes of rows', async () => {
    const { cluster, simulator, stop } = await startSimulatedCluster({ seed: 'pruning', rate: 0, warmupSeconds: 0 });
    try {
      // An hour of virtual time at 1 event/s, each row stamped with the time it would have had.
      const events = simulator.warmUp(3600, 1);
      assert.ok(events > 3000, `${events} events written`);
      const kept = cluster.logRowCount;
      // Ten minutes at about 1 event/s, plus a sweep interval and the (unpruned) dispatch rows.
      assert.ok(kept < 1200, `${kept} of ${events} rows kept`);
      const oldest = Date.parse(cluster.logRows().find((r) => r.event_type !== 'dispatch')!.created_at);
      assert.ok(cluster.nowMs() - oldest < 11 * MINUTE, `the oldest audit row is ${Math.round((cluster.nowMs() - oldest) / 1000)} s old`);
    } finally {
      await stop();
    }
  });

  test('npm run simulate -- --log-max-age: an hour of warm-up leaves about that age of rows', async () => {
    const repo = path.join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'scripts', 'simulate.ts'), '--json', '--quiet', '--port', '0', '--rate', '1', '--warmup', '3600', '--log-max-age', '5m'],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('\n')) {
        if (Date.now() > deadline) throw new Error(`no settings line from simulate.ts: ${stdout}`);
        await sleep(20);
      }
      const s = JSON.parse(stdout.split('\n')[0]!) as { host: string; token: string; certFile: string };
      const [hostname, port] = s.host.split(':');
      const count = await new Promise<number>((resolve, reject) => {
        https
          .get({ hostname, port: Number(port), path: '/arvados/v1/logs?limit=0&count=exact', headers: { Authorization: `Bearer ${s.token}` }, ca: fs.readFileSync(s.certFile) }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(JSON.parse(text).items_available));
          })
          .on('error', reject);
      });
      // The active user sees most of about 5.4 minutes at ~1 event/s (of ~3,600 written).
      assert.ok(count > 100 && count < 600, `${count} rows listed`);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
