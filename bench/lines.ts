/**
 * The throughput comparisons of engine.ts and cli.ts: a client process that writes one line per
 * event to a pipe, against the floor client (bench/client.ts `lines-floor`: parse each frame,
 * write its text back, batched per event-loop turn), on the same server setup in the same run.
 * This process counts the lines (bytes only) and reads the child's CPU time from /proc between
 * the first and the last measured line (countLines in lib.ts), the same way for every client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testCertificate } from '../test/fake/cert';
import { FakeCluster } from '../test/fake/cluster';
import { argsOf, benchCollection, type BenchResult, countLines, cpuMsSince, emitUpdates, endChild, figure, forkClient, median, progress, REPO, sleep, updateEvent } from './lib';
import { formatSummary, summarize } from './profile';
import { recordFrames, ReplayProxy, type Recording } from './replay';

/** floor: parse + write the text back; engine: subscribe() writing each event's JSON as the CLI does; cli: `node dist/cli.js -q -u`. */
export type LinesMode = 'floor' | 'engine' | 'cli';

export interface LinesRun {
  mode: LinesMode;
  ratePerS: number;
  cpuUsPerEvent: number;
  serverCore: number;
  /** The child's CPU time over its wall time (GC threads included). */
  clientCore: number;
}

export const CLI = join(REPO, 'dist', 'cli.js');

export function clusterEnv(host: string, token: string, certFile: string): NodeJS.ProcessEnv {
  return { ARVADOS_API_HOST: host, ARVADOS_API_TOKEN: token, SSL_CERT_FILE: certFile, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
}

export function startLines(mode: LinesMode, uuid: string, n: number, e: NodeJS.ProcessEnv, extraExecArgv: string[] = []): ChildProcess {
  if (mode === 'floor') return forkClient({ mode: 'lines-floor', n }, e, extraExecArgv, 'pipe');
  // The same client-side condition for the engine and the CLI (-u), which every event passes.
  if (mode === 'engine') return forkClient({ mode: 'lines-engine', n, uuid }, e, extraExecArgv, 'pipe');
  return spawn(process.execPath, [...extraExecArgv, CLI, '-q', '-u', uuid], { env: { ...process.env, ...e }, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Against the replay proxy: the recorded frames written at once; the client is the bottleneck. */
export async function measureLinesReplay(mode: LinesMode, proxy: ReplayProxy, token: string, uuid: string, n: number, extraExecArgv: string[] = []): Promise<LinesRun> {
  const cert = await testCertificate();
  const child = startLines(mode, uuid, n, clusterEnv(proxy.host, token, cert.certFile), extraExecArgv);
  try {
    const { ready, done } = countLines(child, n);
    await ready;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    proxy.blast();
    const r = await done;
    return { mode, ratePerS: r.ratePerS, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore: cpuMsSince(cpu0) / (performance.now() - w0), clientCore: r.cpuMs / r.wallMs };
  } finally {
    await endChild(child);
  }
}

/**
 * Against a fresh live fake cluster: a sentinel event (the client is live, past its catch-up),
 * the client stopped (SIGSTOP) while `n` events go into the server's queue, then continued.
 */
export async function measureLinesLive(mode: LinesMode, n: number): Promise<LinesRun> {
  const cluster = await FakeCluster.start({ clientQueueSize: n + 10_000, sendTimeoutMs: 600_000 });
  try {
    const uuid = benchCollection(cluster);
    const child = startLines(mode, uuid, n, clusterEnv(cluster.host, cluster.users.active.token, cluster.certFile));
    try {
      const { ready, done } = countLines(child, n);
      await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 30_000, 'the client subscribing');
      cluster.emit(updateEvent(cluster, uuid, 'sentinel.bam'));
      await ready;
      child.kill('SIGSTOP');
      await emitUpdates(cluster, uuid, n);
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      child.kill('SIGCONT');
      const r = await done;
      return { mode, ratePerS: r.ratePerS, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore: cpuMsSince(cpu0) / (performance.now() - w0), clientCore: r.cpuMs / r.wallMs };
    } finally {
      await endChild(child);
    }
  } finally {
    await cluster.stop();
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

/** floor CPU per event / the client's, within each pair of neighbouring runs: ≥ 1 would be as cheap as the floor. */
export function fractionOfFloor(client: LinesRun[], floor: LinesRun[]): number[] {
  return client.map((c, i) => floor[i].cpuUsPerEvent / c.cpuUsPerEvent);
}

/**
 * The whole comparison of `mode` with the floor: `replayRuns` pairs against the replay proxy
 * (client-bound, no target) and `liveRuns` pairs against the live fake (the target's figure),
 * each pair interleaved ABBA; `--profile` adds one profiled replay of each (node --cpu-prof).
 */
/**
 * The engine's or the CLI's benchmark: `mode` against the floor client, judged by `target`, with
 * the sizes from the command line (`--n`, `--liveN`, `--runs`, `--liveRuns`, `--profile`).
 */
export async function compareWithFloor(mode: 'engine' | 'cli', target: number, args: Record<string, string> = argsOf()): Promise<BenchResult> {
  const bench = mode;
  const opts = {
    n: Number(args.n ?? 50_000),
    liveN: Number(args.liveN ?? 30_000),
    replayRuns: Number(args.runs ?? 3),
    liveRuns: Number(args.liveRuns ?? 3),
    profile: !!args.profile,
    target,
  };
  const started = Date.now();
  const order = (i: number): LinesMode[] => (i % 2 ? [mode, 'floor'] : ['floor', mode]);
  const replay: Record<string, LinesRun[]> = { floor: [], [mode]: [] };
  const live: Record<string, LinesRun[]> = { floor: [], [mode]: [] };
  const profiles: string[] = [];
  const what = mode === 'engine' ? 'engine' : 'CLI';

  progress(bench, `recording ${opts.n} events from the fake cluster for the replay`);
  const rp = await startReplay(opts.n);
  try {
    for (let i = 0; i < opts.replayRuns; i++) {
      for (const m of order(i)) {
        const r = await measureLinesReplay(m, rp.proxy, rp.cluster.users.active.token, rp.recording.uuid, opts.n);
        replay[m].push(r);
        progress(bench, `replay ${i + 1}/${opts.replayRuns} ${m}: ${Math.round(r.ratePerS)} lines/s, ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
      }
    }
    if (opts.profile) {
      for (const m of ['floor', mode] as LinesMode[]) {
        const dir = mkdtempSync(join(tmpdir(), `arv-bench-prof-${m}-`));
        await measureLinesReplay(m, rp.proxy, rp.cluster.users.active.token, rp.recording.uuid, opts.n, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
        await sleep(500);
        for (const f of readdirSync(dir)) {
          const s = summarize(join(dir, f), 15);
          // tsx's loader thread writes a profile of its own, idle but for startup.
          if ((s.lines.find((l) => l.name === '(idle)')?.selfPct ?? 0) < 80) profiles.push(`${m} (${join(dir, f)}):\n${formatSummary(s)}`);
        }
      }
    }
  } finally {
    await rp.stop();
  }
  for (let i = 0; i < opts.liveRuns; i++) {
    for (const m of order(i)) {
      const r = await measureLinesLive(m, opts.liveN);
      live[m].push(r);
      progress(bench, `live ${i + 1}/${opts.liveRuns} ${m}: ${Math.round(r.ratePerS)} lines/s, ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
    }
  }
  const all = (runs: Record<string, LinesRun[]>) => [...runs.floor, ...runs[mode]];
  const liveServer = median(all(live).map((r) => r.serverCore));
  const liveClient = median(all(live).map((r) => r.clientCore));
  const replayClient = median(all(replay).map((r) => r.clientCore));
  const k = `${bench}`;
  return {
    bench,
    durationMs: Date.now() - started,
    notes: [
      `The floor client parses each frame (JSON.parse) and writes its text back as a line, batched once per event-loop turn. The ${what} ${mode === 'engine' ? 'client is subscribe() with one client-side filter [["object_uuid","=",<the collection>]] that every event passes (parse, shape, filter, dedupe, onEvent) and writes each event it delivers as a JSON line, batched the same way, as the CLI does: the JSON text the engine hands over with the event (the frame\'s own text less its msgID, when the event is exactly that text\'s parse), else JSON.stringify of the event' : 'is `node dist/cli.js -q -u <collection>` (the same client-side condition), writing JSON lines'}. This process counts the lines (bytes only) and reads each child's CPU time from /proc over the same span (first to last measured line); the fraction is the floor's CPU per event over the ${what}'s, within each pair of neighbouring runs (interleaved ABBA).`,
      `Live fake (${opts.liveRuns} pairs, ${opts.liveN} events each, a fresh fake per run, the events queued while the client was stopped): server ${Math.round(liveServer * 100)}% of a core, client ${Math.round(liveClient * 100)}%${liveClient < 0.85 ? ': the client waits for the server, so the rates are the server\'s and only CPU per event compares the clients' : ''}. Replay (${opts.replayRuns} pairs, ${opts.n} events, the fake's recorded frames written at wire speed by bench/replay.ts's proxy): client ${Math.round(replayClient * 100)}% of a core${replayClient > 0.85 ? ' (client-bound)' : ''}.`,
      ...profiles.map((p) => `CPU profile of one replay, ${p}`),
    ],
    figures: [
      figure(`${k}.live.floor.cpuPerEvent`, 'floor client CPU per event (live fake)', live.floor.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure(`${k}.live.${mode}.cpuPerEvent`, `${what} CPU per event (live fake)`, live[mode].map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure(`${k}.live.cpuFraction`, `${what} CPU per event as a fraction of the floor client's (live fake; floor µs / ${what} µs)`, fractionOfFloor(live[mode], live.floor), 'ratio', { target: `>= ${opts.target}`, check: (v) => v >= opts.target, digits: 3 }),
      figure(`${k}.live.floor.rate`, 'floor client, live fake (the server\'s rate)', live.floor.map((r) => r.ratePerS), 'events/s'),
      figure(`${k}.live.${mode}.rate`, `${what}, live fake (the server's rate)`, live[mode].map((r) => r.ratePerS), 'events/s'),
      figure(`${k}.live.serverCore`, 'fake server CPU while the client drained', all(live).map((r) => r.serverCore), 'cores', { digits: 2 }),
      figure(`${k}.replay.floor.cpuPerEvent`, 'floor client CPU per event (replay)', replay.floor.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure(`${k}.replay.${mode}.cpuPerEvent`, `${what} CPU per event (replay)`, replay[mode].map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure(`${k}.replay.cpuFraction`, `${what} CPU per event as a fraction of the floor client's (replay)`, fractionOfFloor(replay[mode], replay.floor), 'ratio', { digits: 3 }),
      figure(`${k}.replay.${mode}.rate`, `${what}, replayed frames (client-bound)`, replay[mode].map((r) => r.ratePerS), 'events/s'),
      figure(`${k}.replay.floor.rate`, 'floor client, replayed frames (client-bound)', replay.floor.map((r) => r.ratePerS), 'events/s'),
    ],
  };
}
