/**
 * The command-line follower, run as a user runs it: `node dist/cli.js` in a child process,
 * against the fake cluster. Exit codes, output format, filters, history, signals, and the token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeCluster } from '../fake/cluster';
import { waitUntil } from './helpers';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
let cluster: FakeCluster;
let mine: string;
let other: string;
const printed: string[] = []; // everything any CLI run printed, searched for the token at the end
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-cli-home-'));

function env(over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return e;
}

/** Runs the CLI to completion (for commands that end by themselves). Asynchronously: the fake cluster lives in this process. */
function runToEnd(args: string[], e = env()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      printed.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a follower; collects its stdout lines. */
function follow(args: string[], e = env()): { child: ChildProcess; lines: string[]; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => (printed.push(lines.join('\n'), err), res(code))));
  return { child, lines, stderr: () => err, exit };
}

before(async () => {
  spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  cluster = await FakeCluster.start({ sendTimeoutMs: 500 });
  mine = cluster.createObject({ kind: 'arvados#containerRequest', name: 'align sample 1' }).object.uuid as string;
  other = cluster.createObject({ kind: 'arvados#collection', name: 'reads' }).object.uuid as string;
});
after(() => cluster.stop());

test('--help and --version', async () => {
  const h = await runToEnd(['--help']);
  assert.equal(h.code, 0);
  for (const opt of ['--profile', '--uuid', '--filters', '--start-time', '--id', '--poll-interval', '--no-poll', '--help', '--version']) assert.ok(h.stdout.includes(opt), opt);
  const v = await runToEnd(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^arvados-events \d+\.\d+\.\d+\n$/);
});

test('usage errors exit 2 with a message', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['-f', '[["event_type","=="'], /--filters: The filter is not valid JSON/],
    [['-f', '[["colour","=","red"]]'], /unknown attribute 'colour'/],
    [['-f', '[["event_type","in","create"]]'], /condition 1.*'in'.*list/i],
    [['--poll-interval', '5', '--no-poll'], /cannot be used together/],
    [['--poll-interval', 'soon'], /--poll-interval needs a number/],
    [['-i', 'abc'], /--id needs a whole number/],
    [['-s', 'yesterday'], /--start-time: cannot read "yesterday" as a time/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--profile', '../settings'], /--profile needs a profile name/],
    [['logs', '--profile', 'a/b', 'zzzzz-xvhdp-0123456789abcde'], /--profile needs a profile name/],
  ];
  for (const [args, message] of cases) {
    const r = await runToEnd(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', 'nothing on stdout');
  }
});

test('cannot connect: exit 1 with the reason (no config, bad token, untrusted certificate, no websocket with --no-poll, unreachable host)', async () => {
  const noConfig = await runToEnd([], env({ ARVADOS_API_HOST: undefined, ARVADOS_API_TOKEN: undefined }));
  assert.equal(noConfig.code, 1);
  assert.match(noConfig.stderr, /No Arvados ARVADOS_API_HOST or ARVADOS_API_TOKEN is set/);

  const badToken = await runToEnd([], env({ ARVADOS_API_TOKEN: 'v2/zzzzz-gj3su-000000000000000/wrongwrongwrongwrong' }));
  assert.equal(badToken.code, 1);
  assert.match(badToken.stderr, /API token was refused/);
  assert.ok(!badToken.stderr.includes('wrongwrongwrongwrong'));

  const untrusted = await runToEnd([], env({ SSL_CERT_FILE: undefined }));
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);

  cluster.setWebsocketEnabled(false);
  try {
    const noWs = await runToEnd(['--no-poll']);
    assert.equal(noWs.code, 1);
    assert.match(noWs.stderr, /publishes no websocket URL/);
  } finally {
    cluster.setWebsocketEnabled(true);
  }

  // A profile that is not there names the folders it looked in and the profiles it found.
  const noProfile = await runToEnd(['--profile', 'qqqqq']);
  assert.equal(noProfile.code, 1);
  assert.match(noProfile.stderr, /No Arvados profile "qqqqq": there is no qqqqq\.conf in .*arvados/);

  const unreachable = await runToEnd(['--retries', '0'], env({ ARVADOS_API_HOST: '127.0.0.1:1' }));
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /refused the connection/);
});

test('follows events: one JSON object per line with the event fields only; -u filters client-side; SIGINT exits 0', async () => {
  const f = follow(['-u', mine]);
  await waitUntil('connected', () => /Connected/.test(f.stderr()), 10_000);
  const a = cluster.emit({ object_uuid: other, event_type: 'update' });
  const b = cluster.updateObject(mine, { state: 'Committed' });
  const c = cluster.updateObject(mine, { state: 'Final' });
  await waitUntil('two lines', () => f.lines.length >= 2, 10_000);
  f.child.kill('SIGINT');
  assert.equal(await f.exit, 0);
  const events = f.lines.map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.id), [b.id, c.id], `not ${a.id}: the server ignores object_uuid, the client does not`);
  assert.deepEqual(Object.keys(events[0]).sort(), ['event_at', 'event_type', 'id', 'object_kind', 'object_owner_uuid', 'object_uuid', 'properties', 'uuid']);
  assert.equal(events[1].properties.new_attributes.state, 'Final');
  assert.ok(!f.lines.some((l) => /"status"/.test(l)), 'no status replies');
});

test('--id N prints past events from id N on, then live ones; SIGTERM exits 0', async () => {
  const rows = cluster.emitBatch(4, { object_uuid: other });
  const f = follow(['-i', String(rows[1].id), '-f', JSON.stringify([['object_uuid', '=', other]])]);
  await waitUntil('history', () => f.lines.length >= 3, 10_000);
  const live = cluster.emit({ object_uuid: other });
  await waitUntil('live', () => f.lines.length >= 4, 10_000);
  f.child.kill('SIGTERM');
  assert.equal(await f.exit, 0);
  assert.deepEqual(f.lines.map((l) => JSON.parse(l).id), [rows[1].id, rows[2].id, rows[3].id, live.id]);
});

test('--start-time prints events created since then, whatever the time format', async () => {
  cluster.advanceClock(60_000);
  const since = cluster.now().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''); // "YYYY-MM-DD hh:mm:ss", as arv-ws documents
  cluster.advanceClock(1000);
  const rows = cluster.emitBatch(3, { object_uuid: other });
  const f = follow(['-s', since, '-u', other]);
  await waitUntil('history', () => f.lines.length >= 3, 10_000);
  f.child.kill('SIGINT');
  assert.equal(await f.exit, 0);
  assert.deepEqual(f.lines.map((l) => JSON.parse(l).id), rows.map((r) => r.id));
});

test('polls when the websocket is off, at --poll-interval', async () => {
  cluster.setWebsocketEnabled(false);
  try {
    const f = follow(['--poll-interval', '0.1', '-u', other]);
    await waitUntil('polling', () => /polling the logs API/.test(f.stderr()), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const rows = cluster.emitBatch(2, { object_uuid: other });
    await waitUntil('polled', () => f.lines.length >= 2, 10_000);
    f.child.kill('SIGINT');
    assert.equal(await f.exit, 0);
    assert.deepEqual(f.lines.map((l) => JSON.parse(l).id), rows.map((r) => r.id));
  } finally {
    cluster.setWebsocketEnabled(true);
  }
});

test('the CLI never printed the token', () => {
  const text = printed.join('\n');
  assert.ok(text.length > 100);
  const token = cluster.users.active.token;
  for (const needle of [token, token.split('/')[2], encodeURIComponent(token), 'wrongwrongwrongwrong']) assert.ok(!text.includes(needle), needle);
});
