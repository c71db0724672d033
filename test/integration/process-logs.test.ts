/**
 * Live process logs from the container request log endpoint of the fake cluster, over real TLS:
 * the engine's follower (growth, partial lines, merge order, retries onto a new container, the
 * outcome at Final, 503s, 404s, a refused token, a server without the endpoint) and the
 * `arvados-events logs` subcommand run as a user runs it (exit statuses, SIGINT, a 40 MB log
 * printed with --all in bounded memory).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { crunchRunTime } from '../fake/processLogs';
import { ProcessLogFollower, type ProcessLogOptions, type ProcessPhase } from '../../src/arvados/processLog';
import { FeatureNotEnabledError, InvalidTokenError } from '../../src/arvados/errors';
import { clientOf, waitUntil } from './helpers';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-logs-home-'));
let cluster: FakeCluster;

before(async () => {
  cluster = await FakeCluster.start();
  spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
});
after(async () => {
  await cluster.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

let clock = Date.UTC(2026, 11, 1, 10, 0, 0);
/** A crunch-run style line: an RFC 3339 timestamp with nanoseconds, then the text. */
function stamped(text: string): string {
  clock += 1000;
  return `${crunchRunTime(clock)} ${text}\n`;
}

/** A committed request on a running container, with a log collection. */
function runningProcess(name = 'align-reads'): { cr: string; container: string } {
  const container = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
  const cr = cluster.createObject({ kind: 'arvados#containerRequest', name, state: 'Committed', priority: 1, container_uuid: container, log_uuid: cluster.createObject({ kind: 'arvados#collection', name: `log of ${name}` }).object.uuid }).object.uuid as string;
  return { cr, container };
}

function finish(p: { cr: string; container: string }, state: 'Complete' | 'Cancelled', exitCode: number | null): void {
  cluster.updateObject(p.container, { state, exit_code: exitCode });
  cluster.updateObject(p.cr, { state: 'Final' });
}

function followerOf(uuid: string, over: Partial<ProcessLogOptions> = {}, token?: string) {
  const { api, logger } = clientOf(cluster, token ? { token } : {});
  const lines: string[] = [];
  const phases: ProcessPhase[] = [];
  const f = new ProcessLogFollower(api, uuid, {
    follow: true,
    fromStart: true,
    runningIntervalMs: 40,
    waitingIntervalMs: 40,
    logger,
    onLines: (ls) => void lines.push(...ls.map((l) => `${l.file} ${l.text.replace(/^\S+ /, '')}`)),
    onPhase: (p) => void phases.push(p),
    ...over,
  });
  const done = f.run();
  done.catch(() => undefined);
  return { f, api, lines, phases, done, logger, stop: () => (f.close(), api.dispose()) };
}

test('lines appear as the process writes them; a partial line waits for its end', async () => {
  const p = runningProcess();
  const { lines, stop } = followerOf(p.cr);
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('loading index') + stamped('aligning ch').slice(0, -1));
  await waitUntil('the first line', () => lines.length >= 1);
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(lines, ['stderr.txt loading index'], 'the partial line is held');
  cluster.writeProcessLog(p.container, 'stderr.txt', 'r1\n' + stamped('done chr1'));
  await waitUntil('the rest', () => lines.length >= 3);
  assert.deepEqual(lines, ['stderr.txt loading index', 'stderr.txt aligning chr1', 'stderr.txt done chr1']);
  stop();
});

test('files are merged by timestamp; a continuation line stays with its line', async () => {
  const p = runningProcess();
  const a = stamped('crunch-run: starting');
  const b = stamped('Traceback (most recent call last):') + '  File "x.py", line 1\n';
  const c = stamped('crunch-run: container exited');
  const d = stamped('ValueError: bad input');
  cluster.writeProcessLog(p.container, 'crunch-run.txt', a + c);
  cluster.writeProcessLog(p.container, 'stderr.txt', b + d);
  const { lines, stop } = followerOf(p.cr);
  await waitUntil('all lines', () => lines.length >= 5);
  assert.deepEqual(lines, [
    'crunch-run.txt crunch-run: starting',
    'stderr.txt Traceback (most recent call last):',
    'stderr.txt   File "x.py", line 1',
    'crunch-run.txt crunch-run: container exited',
    'stderr.txt ValueError: bad input',
  ]);
  stop();
});

test('a retry: the old container is drained first, then the new one is followed from its start', async () => {
  const p = runningProcess('variant-call');
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('attempt 1 line 1'));
  const { lines, phases, stop } = followerOf(p.cr);
  await waitUntil('first attempt', () => lines.length >= 1);
  // The old container writes its last line and is cancelled; the request moves to a new container.
  const second = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('attempt 1 killed'));
  cluster.writeProcessLog(second, 'stderr.txt', stamped('attempt 2 line 1'));
  cluster.updateObject(p.container, { state: 'Cancelled' });
  cluster.updateObject(p.cr, { container_uuid: second });
  await waitUntil('second attempt', () => lines.includes('stderr.txt attempt 2 line 1'));
  assert.deepEqual(lines, ['stderr.txt attempt 1 line 1', 'stderr.txt attempt 1 killed', 'stderr.txt attempt 2 line 1']);
  assert.ok(phases.some((ph) => ph.phase === 'running' && ph.containerUuid === second), 'reports the new container');
  stop();
});

test('at Final: one last read, then the outcome (failed with its exit code)', async () => {
  const p = runningProcess();
  const { lines, done, phases, stop } = followerOf(p.cr, { runningIntervalMs: 10_000 });
  await waitUntil('running', () => phases.some((ph) => ph.phase === 'running'));
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('last words'));
  finish(p, 'Complete', 2);
  const f = (await Promise.race([done, new Promise((r) => setTimeout(r, 100)).then(() => 'pending')])) as unknown;
  assert.equal(f, 'pending', 'waits for its interval (no event told it)');
  stop();
  const again = followerOf(p.cr, { runningIntervalMs: 10_000 });
  assert.deepEqual(await again.done, { kind: 'failed', exitCode: 2 });
  assert.deepEqual(again.lines, ['stderr.txt last words']);
  assert.deepEqual(again.phases.at(-1), { phase: 'finished', containerUuid: p.container, outcome: { kind: 'failed', exitCode: 2 } });
  again.stop();
  void lines;
});

test('poke() reads at once (an event about the request arrived)', async () => {
  const p = runningProcess();
  const { lines, done, phases, f, stop } = followerOf(p.cr, { runningIntervalMs: 60_000 });
  await waitUntil('running', () => phases.some((ph) => ph.phase === 'running'));
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('written'));
  f.poke();
  await waitUntil('read at once', () => lines.length === 1, 2_000);
  finish(p, 'Complete', 0);
  f.poke();
  assert.deepEqual(await done, { kind: 'succeeded' });
  stop();
});

test('a cancelled request ends as cancelled; a request without a container waits for one', async () => {
  const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'queued', state: 'Committed', priority: 1, container_uuid: null, log_uuid: null }).object.uuid as string;
  const { phases, done, stop } = followerOf(cr);
  await waitUntil('waiting', () => phases.some((ph) => ph.phase === 'waiting'));
  cluster.updateObject(cr, { state: 'Final', priority: 0 });
  assert.deepEqual(await done, { kind: 'cancelled' });
  stop();
});

test('503s are retried with backoff; 404 (a file not written yet) is no error', async () => {
  const p = runningProcess();
  const { lines, stop, logger } = followerOf(p.cr, { files: ['stderr.txt', 'stdout.txt'] });
  await new Promise((r) => setTimeout(r, 100)); // stdout.txt never written: 404s
  cluster.failNextApiCalls(3, 503, [`/arvados/v1/container_requests/${p.cr}`]);
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('after the outage'));
  await waitUntil('the line', () => lines.length === 1, 30_000);
  // The retries are logged as they happen, which on a busy machine may come after the line.
  await waitUntil('the 503s logged', () => /503/.test(logger.text()), 30_000);
  cluster.writeProcessLog(p.container, 'stdout.txt', stamped('now stdout'));
  await waitUntil('stdout', () => lines.length === 2, 5_000);
  assert.deepEqual(lines, ['stderr.txt after the outage', 'stdout.txt now stdout']);
  stop();
});

test('a refused token ends with InvalidTokenError; a server without the endpoint with FeatureNotEnabledError', async () => {
  const p = runningProcess();
  const bad = followerOf(p.cr, {}, 'v2/zzzzz-gj3su-000000000000000/wrong');
  await assert.rejects(bad.done, InvalidTokenError);
  bad.stop();
  cluster.processLogs.davSupported = false;
  try {
    const old = followerOf(p.cr);
    await assert.rejects(old.done, (e: Error) => e instanceof FeatureNotEnabledError && /no container request log endpoint/.test(e.message));
    old.stop();
  } finally {
    cluster.processLogs.davSupported = true;
  }
});

test('a container UUID is resolved to its request', async () => {
  const p = runningProcess('by-container');
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('hello'));
  const { lines, f, stop } = followerOf(p.container, { follow: false });
  await waitUntil('read', () => lines.length === 1);
  assert.equal(f.requestUuid, p.cr);
  stop();
});

// ---------------------------------------------------------------------------------------------
// The CLI

function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile };
}

function runCli(args: string[], opts: { untilLines?: number; signal?: NodeJS.Signals; sampleRss?: boolean } = {}) {
  const child = spawn(process.execPath, [cli, 'logs', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let count = 0;
  let peakRssKb = 0;
  child.stdout.on('data', (d: Buffer) => {
    count += d.toString().split('\n').length - 1;
    if (out.length < 1_000_000) out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const sampler = opts.sampleRss
    ? setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peakRssKb = Math.max(peakRssKb, Number(m[1]));
        } catch {
          // exited
        }
      }, 20)
    : undefined;
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve(code);
    }),
  );
  return { child, exit, out: () => out, err: () => err, count: () => count, peakRssKb: () => peakRssKb };
}

test('CLI: without -f it prints what is there and exits 0; lines are "<file> <line>"', async () => {
  const p = runningProcess();
  cluster.writeProcessLog(p.container, 'crunch-run.txt', stamped('crunch-run: hello'));
  cluster.writeProcessLog(p.container, 'stderr.txt', stamped('tool: hello'));
  const r = runCli([p.cr, '-q']);
  assert.equal(await r.exit, 0);
  assert.match(r.out(), /^crunch-run\.txt \S+Z crunch-run: hello\nstderr\.txt \S+Z tool: hello\n$/);
});

test('CLI: -f exits 3 when the request fails, 0 when it succeeds', async () => {
  const failing = runningProcess();
  const r1 = runCli(['-f', '--poll-interval', '0.05', failing.cr]);
  await waitUntil('running', () => /Running on container/.test(r1.err()), 10_000);
  cluster.writeProcessLog(failing.container, 'stderr.txt', stamped('Segmentation fault'));
  finish(failing, 'Complete', 139);
  assert.equal(await r1.exit, 3);
  assert.match(r1.out(), /stderr\.txt \S+ Segmentation fault/);
  assert.match(r1.err(), /failed with exit code 139/);
  const ok = runningProcess();
  const r2 = runCli(['-f', '--poll-interval', '0.05', ok.cr]);
  await waitUntil('running', () => /Running on container/.test(r2.err()), 10_000);
  finish(ok, 'Complete', 0);
  assert.equal(await r2.exit, 0);
});

test('CLI: exit 1 without a log endpoint (says so), 2 on usage errors, 0 after SIGINT', async () => {
  const p = runningProcess();
  cluster.processLogs.davSupported = false;
  try {
    const r = runCli([p.cr]);
    assert.equal(await r.exit, 1);
    assert.match(r.err(), /no container request log endpoint/);
  } finally {
    cluster.processLogs.davSupported = true;
  }
  assert.equal(await runCli(['not-a-uuid']).exit, 2);
  assert.equal(await runCli([]).exit, 2);
  assert.equal(await runCli(['--files', '', p.cr]).exit, 2);
  const following = runCli(['-f', p.cr]);
  await waitUntil('running', () => /Running on container/.test(following.err()), 10_000);
  following.child.kill('SIGINT');
  assert.equal(await following.exit, 0);
});

test('CLI: a 40 MB log printed with --all, every line once, in bounded memory', async () => {
  const p = runningProcess('big');
  const line = 'x'.repeat(70);
  const lines = 400_000; // ~40 MB with timestamps
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) {
    parts.push(`2026-12-01T11:00:00.${String(i).padStart(9, '0')}Z ${i} ${line}\n`);
    if (parts.length === 10_000) cluster.writeProcessLog(p.container, 'stderr.txt', parts.splice(0).join(''));
  }
  cluster.writeProcessLog(p.container, 'stderr.txt', parts.join(''));
  assert.ok((cluster.processLogs.size(p.container, 'stderr.txt') ?? 0) > 38 * 1024 * 1024);
  finish(p, 'Complete', 0);
  const r = runCli(['--all', '-q', p.cr], { sampleRss: true });
  assert.equal(await r.exit, 0);
  assert.equal(r.count(), lines, 'every line once');
  assert.ok(r.peakRssKb() > 0 && r.peakRssKb() < 200 * 1024, `peak RSS ${Math.round(r.peakRssKb() / 1024)} MB`);
});
