/**
 * The live-log model behind the editor tab, against the fake cluster over real TLS: batched
 * appends of only the new text, the first line's state, a retry, the outcome, a change of files,
 * and no more requests once it is disposed (the tab closed).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCluster } from '../fake/cluster';
import { crunchRunTime } from '../fake/processLogs';
import { LiveLog } from '../../src/model/liveLog';
import { clientOf, waitUntil } from './helpers';

let cluster: FakeCluster;
before(async () => {
  cluster = await FakeCluster.start();
});
after(() => cluster.stop());

let clock = Date.UTC(2026, 11, 1, 12, 0, 0);
const stamped = (text: string) => `${crunchRunTime((clock += 1000))} ${text}\n`;

function process(name: string) {
  const container = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
  const cr = cluster.createObject({ kind: 'arvados#containerRequest', name, state: 'Committed', priority: 1, container_uuid: container, log_uuid: null }).object.uuid as string;
  return { cr, container };
}

function open(uuid: string) {
  const { api } = clientOf(cluster);
  const log = new LiveLog(api, uuid, { flushMs: 20, runningIntervalMs: 30, waitingIntervalMs: 30 });
  const appends: string[] = [];
  const statuses: string[] = [];
  const ends: unknown[] = [];
  log.onAppend((text) => appends.push(text));
  log.onStatus((s) => statuses.push(s));
  log.onEnd((e) => ends.push(e));
  log.start();
  return { log, api, appends, statuses, ends, close: () => (log.dispose(), api.dispose()) };
}

test('appends carry only new text, in batches; the state and the name come from the request', async () => {
  const p = process('align-reads');
  const v = open(p.cr);
  await waitUntil('running', () => v.statuses.some((s) => s === `Running on container ${p.container}`));
  assert.equal(v.log.name, 'align-reads');
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('one') + stamped('two'));
  await waitUntil('first batch', () => v.appends.length >= 1);
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('three'));
  await waitUntil('second batch', () => v.appends.join('').includes('three'));
  const all = v.appends.join('');
  assert.equal(all.split('\n').filter(Boolean).length, 3, 'each line once');
  assert.ok(!v.appends.at(-1)!.includes('one'), 'a later append does not repeat earlier text');
  assert.match(all, /^stderr {4}\S+Z one$/m);
  v.close();
});

test('a retry and the outcome; the files can be changed', async () => {
  const p = process('variant-call');
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('attempt 1'));
  cluster.writeProcessLog(p.container, 'stdout.txt', stamped('stdout line'));
  const v = open(p.cr);
  await waitUntil('attempt 1', () => v.appends.join('').includes('attempt 1'));
  assert.ok(!v.appends.join('').includes('stdout line'), 'stdout.txt is not among the default files');
  v.log.setFiles(['stderr.txt', 'stdout.txt']);
  await waitUntil('stdout', () => v.appends.join('').includes('stdout line'));
  const second = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
  cluster.writeProcessLog(second, 'stderr.txt', stamped('attempt 2'));
  cluster.updateObject(p.container, { state: 'Cancelled' });
  cluster.updateObject(p.cr, { container_uuid: second, log_uuid: cluster.createObject({ kind: 'arvados#collection', name: 'log' }).object.uuid });
  await waitUntil('attempt 2', () => v.appends.join('').includes('attempt 2'));
  assert.ok(v.log.watchedUuids.includes(second), 'events about the new container poke it');
  cluster.updateObject(second, { state: 'Complete', exit_code: 1 });
  cluster.updateObject(p.cr, { state: 'Final' });
  v.log.poke();
  await waitUntil('the end', () => v.ends.length === 1);
  assert.deepEqual(v.ends[0], { kind: 'failed', exitCode: 1 });
  assert.equal(v.log.status, 'Finished: failed with exit code 1');
  v.close();
});

test('once disposed (the tab closed), it makes no more requests', async () => {
  const p = process('long-running');
  const v = open(p.cr);
  await waitUntil('running', () => v.statuses.length > 0 && v.log.status.startsWith('Running'));
  v.close();
  await new Promise((r) => setTimeout(r, 100));
  const n = cluster.apiRequests.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(cluster.apiRequests.length, n);
});
