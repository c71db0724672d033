/**
 * Benchmark 1, engine throughput: how fast the websocket engine (frame → JSON.parse → event shape
 * → client-side filter → dedupe by id → onEvent) takes in events, against a bare `ws` client that
 * only JSON.parses each frame, from the same server in the same run. The client runs in a child
 * process (bench/client.ts); the server in this one. Two ways, each with bare and engine
 * alternating (ABBA) and every ratio taken within a pair of neighbouring runs:
 *
 *  - replay (client-bound): the fake's own frames, recorded once, written at wire speed by the
 *    proxy of bench/replay.ts, which forwards REST to a fake cluster;
 *  - live fake (server-bound on this machine): a fresh fake cluster per run; the client subscribes
 *    and receives a sentinel event (so the engine is live, past its catch-up), is stopped
 *    (SIGSTOP) while `n` events are emitted into the server's queue (clientQueueSize above n, so
 *    nothing overflows), and continued: it drains the backlog as fast as it and the server can.
 *
 * The child times the first to the last measured event and takes its CPU time over the same span;
 * this process takes its own CPU time, to tell whether the server was the bottleneck.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeCluster } from '../test/fake/cluster';
import { testCertificate } from '../test/fake/cert';
import { argsOf, benchCollection, BenchResult, cpuMsSince, emitUpdates, endChild, figure, forkClient, median, nextMessage, progress, runAsScript, updateEvent } from './lib';
import { formatSummary, summarize } from './profile';
import { recordFrames, ReplayProxy, type Recording } from './replay';

interface RunResult {
  mode: string;
  ratePerS: number;
  wallMs: number;
  cpuMs: number;
  /** CPU µs per event in the client. */
  cpuUsPerEvent: number;
  /** Share of one core the server used while the client drained. */
  serverCore: number;
  /** Share of one core the client used (its CPU time over its wall time; GC threads included). */
  clientCore: number;
}

type Mode = 'ws-bare' | 'ws-engine';

function clusterEnv(host: string, token: string, certFile: string): NodeJS.ProcessEnv {
  return { ARVADOS_API_HOST: host, ARVADOS_API_TOKEN: token, SSL_CERT_FILE: certFile, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
}

function result(mode: string, r: any, n: number, serverCpuMs: number, serverWallMs: number): RunResult {
  return { mode, ratePerS: r.ratePerS, wallMs: r.wallMs, cpuMs: r.cpuMs, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore: serverCpuMs / serverWallMs, clientCore: r.cpuMs / r.wallMs };
}

/** Against the live fake cluster: events pre-emitted while the client is stopped, then drained. */
export async function measureLive(mode: Mode, n: number, extraExecArgv: string[] = []): Promise<RunResult> {
  const cluster = await FakeCluster.start({ clientQueueSize: n + 10_000, sendTimeoutMs: 600_000 });
  try {
    const uuid = benchCollection(cluster);
    const child = forkClient({ mode, n, uuid }, clusterEnv(cluster.host, cluster.users.active.token, cluster.certFile), extraExecArgv);
    try {
      await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 30_000, 'the client subscribing');
      const ready = nextMessage(child, (m) => m.type === 'ready');
      cluster.emit(updateEvent(cluster, uuid, 'sentinel.bam'));
      await ready;
      child.kill('SIGSTOP');
      await emitUpdates(cluster, uuid, n);
      const done = nextMessage(child, (m) => m.type === 'done', 300_000);
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      child.kill('SIGCONT');
      const r = await done;
      return result(mode, r, n, cpuMsSince(cpu0), performance.now() - w0);
    } finally {
      await endChild(child);
    }
  } finally {
    await cluster.stop();
  }
}

/** Against the replay proxy: the recorded frames written at once; the client is the bottleneck. */
export async function measureReplay(mode: Mode, proxy: ReplayProxy, recording: Recording, token: string, profile?: string): Promise<RunResult> {
  const n = recording.count;
  const cert = await testCertificate();
  const child = forkClient({ mode, n, uuid: recording.uuid, ...(profile ? { profile } : {}) }, clusterEnv(proxy.host, token, cert.certFile));
  try {
    await nextMessage(child, (m) => m.type === 'ready');
    const done = nextMessage(child, (m) => m.type === 'done', 300_000);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    proxy.blast();
    const r = await done;
    return result(mode, r, n, cpuMsSince(cpu0), performance.now() - w0);
  } finally {
    await endChild(child);
  }
}

/** A serving cluster and a proxy replaying a recording of `n` events; stop() ends both. */
export async function startReplay(n: number): Promise<{ proxy: ReplayProxy; recording: Recording; cluster: FakeCluster; stop(): Promise<void> }> {
  const recording = await recordFrames(n);
  const cluster = await FakeCluster.start({ sendTimeoutMs: 600_000 });
  const uuid = benchCollection(cluster);
  if (uuid !== recording.uuid) throw new Error(`replay: the collection is ${uuid} here but ${recording.uuid} in the recording`);
  const proxy = await ReplayProxy.start(cluster, recording);
  return { proxy, recording, cluster, stop: async () => { await proxy.stop(); await cluster.stop(); } };
}

function pairs<T>(a: T[], b: T[], f: (x: T, y: T) => number): number[] {
  return a.map((x, i) => f(x, b[i]));
}

export async function run(): Promise<BenchResult> {
  const args = argsOf();
  const n = Number(args.n ?? 100_000);
  const liveRuns = Number(args.liveRuns ?? 3);
  const replayRuns = Number(args.runs ?? 7);
  const started = Date.now();
  const live: Record<Mode, RunResult[]> = { 'ws-bare': [], 'ws-engine': [] };
  const replay: Record<Mode, RunResult[]> = { 'ws-bare': [], 'ws-engine': [] };
  const order = (i: number): Mode[] => (i % 2 ? ['ws-engine', 'ws-bare'] : ['ws-bare', 'ws-engine']);
  const profiles: string[] = [];

  progress('engine', `recording ${n} events from the fake cluster for the replay`);
  const rp = await startReplay(n);
  try {
    for (let i = 0; i < replayRuns; i++) {
      for (const mode of order(i)) {
        const r = await measureReplay(mode, rp.proxy, rp.recording, rp.cluster.users.active.token);
        replay[mode].push(r);
        progress('engine', `replay ${i + 1}/${replayRuns} ${mode}: ${Math.round(r.ratePerS)} events/s, client ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
      }
    }
    if (args.profile) {
      // One more replay of each, profiled over the measured span only (bench/client.ts --profile).
      const dir = mkdtempSync(join(tmpdir(), 'arv-bench-prof-'));
      for (const mode of ['ws-bare', 'ws-engine'] as Mode[]) {
        const file = join(dir, `${mode}.cpuprofile`);
        await measureReplay(mode, rp.proxy, rp.recording, rp.cluster.users.active.token, file);
        profiles.push(`${mode} (${file}):\n${formatSummary(summarize(file, 15))}`);
      }
    }
  } finally {
    await rp.stop();
  }
  for (let i = 0; i < liveRuns; i++) {
    for (const mode of order(i)) {
      const r = await measureLive(mode, n);
      live[mode].push(r);
      progress('engine', `live ${i + 1}/${liveRuns} ${mode}: ${Math.round(r.ratePerS)} events/s, client ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
    }
  }

  const rb = replay['ws-bare'];
  const re = replay['ws-engine'];
  const lb = live['ws-bare'];
  const le = live['ws-engine'];
  const liveServer = median([...lb, ...le].map((r) => r.serverCore));
  const liveClient = median([...lb, ...le].map((r) => r.clientCore));
  const replayClient = median([...rb, ...re].map((r) => r.clientCore));
  const notes = [
    `${n} events of ${rp.recording.avgMessageBytes} bytes per run; bare and engine interleaved (ABBA), ratios taken within each pair.`,
    `Replay (${replayRuns} pairs): the fake's recorded frames written at wire speed by a proxy that forwards REST to the fake (see bench/replay.ts); the server used ${Math.round(median([...rb, ...re].map((r) => r.serverCore)) * 100)}% of a core and the client ${Math.round(replayClient * 100)}% (GC threads included)${replayClient > 0.85 ? ': the client is the bottleneck' : ''}.`,
    `Live fake (${liveRuns} pairs): events pre-emitted into the fake's queue while the client was stopped (SIGSTOP), then drained. The fake server used ${Math.round(liveServer * 100)}% of a core and the client ${Math.round(liveClient * 100)}%${liveClient < 0.85 ? ': the client waits for the server (its writer builds each message and waits for the socket), so the live rates are the server\'s, vary with the machine\'s load, and do not compare the clients; the CPU time per event in the client does' : ''}.`,
    ...profiles.map((p) => `CPU profile of one replay, ${p}`),
    'The engine client is subscribe() with one filter [["object_uuid","=",<the collection>]], which the server does not apply and every event passes: parse, shape, filter, dedupe, onEvent (a counter). The bare client JSON.parses each frame and counts events.',
  ];
  return {
    bench: 'engine',
    durationMs: Date.now() - started,
    notes,
    figures: [
      figure('engine.replay.bare.rate', 'bare ws client, replayed frames', rb.map((r) => r.ratePerS), 'events/s'),
      figure('engine.replay.engine.rate', 'engine, replayed frames', re.map((r) => r.ratePerS), 'events/s'),
      figure('engine.replay.ratio', 'engine / bare (replay, client-bound)', pairs(re, rb, (e, b) => e.ratePerS / b.ratePerS), 'ratio', { target: '>= 0.8', check: (v) => v >= 0.8, digits: 3 }),
      figure('engine.replay.bare.cpuPerEvent', 'bare client CPU per event (replay)', rb.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure('engine.replay.engine.cpuPerEvent', 'engine CPU per event (replay)', re.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure('engine.replay.cpuRatio', 'engine / bare events per CPU-second (replay)', pairs(re, rb, (e, b) => b.cpuUsPerEvent / e.cpuUsPerEvent), 'ratio', { digits: 3 }),
      figure('engine.live.bare.rate', 'bare ws client, live fake', lb.map((r) => r.ratePerS), 'events/s'),
      figure('engine.live.engine.rate', 'engine, live fake', le.map((r) => r.ratePerS), 'events/s'),
      figure('engine.live.cpuRatio', 'engine / bare events per CPU-second (live fake)', pairs(le, lb, (e, b) => b.cpuUsPerEvent / e.cpuUsPerEvent), 'ratio', { target: '>= 0.8', check: (v) => v >= 0.8, digits: 3 }),
      figure('engine.live.serverCore', 'fake server CPU while the client drained', [...lb, ...le].map((r) => r.serverCore), 'cores', { digits: 2 }),
      figure('engine.live.clientCore', 'client CPU while draining the live fake', [...lb, ...le].map((r) => r.clientCore), 'cores', { digits: 2 }),
      figure('engine.replay.clientCore', 'client CPU while draining the replay', [...rb, ...re].map((r) => r.clientCore), 'cores', { digits: 2 }),
    ],
  };
}

runAsScript(module, run);
