/**
 * Benchmark 2, CLI throughput: `node dist/cli.js` (the arv-ws compatible follower) writing one
 * JSON line per event to a pipe, against a bare client process that JSON.parses each frame and
 * writes the same lines (also batched per turn of the event loop). This process counts the lines
 * it reads from the child's stdout, and reads the child's CPU time from /proc.
 *
 * As in the engine benchmark: replayed frames (client-bound, see bench/replay.ts) and the live
 * fake (events pre-emitted while the child is stopped; server-bound), interleaved ABBA.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testCertificate } from '../test/fake/cert';
import { FakeCluster } from '../test/fake/cluster';
import { startReplay } from './engine';
import { argsOf, benchCollection, BenchResult, countLines, cpuMsSince, emitUpdates, endChild, figure, forkClient, median, progress, REPO, runAsScript, sleep, updateEvent } from './lib';
import { formatSummary, summarize } from './profile';
import type { ReplayProxy } from './replay';

type Mode = 'bare' | 'cli';

interface RunResult {
  ratePerS: number;
  cpuUsPerEvent: number;
  serverCore: number;
  /** The child's CPU time over its wall time (GC threads included). */
  clientCore: number;
}

const CLI = join(REPO, 'dist', 'cli.js');

function env(host: string, token: string, certFile: string): NodeJS.ProcessEnv {
  return { ARVADOS_API_HOST: host, ARVADOS_API_TOKEN: token, SSL_CERT_FILE: certFile, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
}

function start(mode: Mode, uuid: string, n: number, e: NodeJS.ProcessEnv, extraExecArgv: string[] = []): ChildProcess {
  if (mode === 'bare') return forkClient({ mode: 'lines-bare', n }, e, extraExecArgv, 'pipe');
  // -u: the same client-side object_uuid condition as the engine benchmark; -q: no info lines.
  return spawn(process.execPath, [...extraExecArgv, CLI, '-q', '-u', uuid], { env: { ...process.env, ...e }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function measureReplay(mode: Mode, proxy: ReplayProxy, token: string, uuid: string, n: number, extraExecArgv: string[] = []): Promise<RunResult> {
  const cert = await testCertificate();
  const child = start(mode, uuid, n, env(proxy.host, token, cert.certFile), extraExecArgv);
  try {
    const { ready, done } = countLines(child, n);
    await ready;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    proxy.blast();
    const r = await done;
    return { ratePerS: r.ratePerS, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore: cpuMsSince(cpu0) / (performance.now() - w0), clientCore: r.cpuMs / r.wallMs };
  } finally {
    await endChild(child);
  }
}

async function measureLive(mode: Mode, n: number): Promise<RunResult> {
  const cluster = await FakeCluster.start({ clientQueueSize: n + 10_000, sendTimeoutMs: 600_000 });
  try {
    const uuid = benchCollection(cluster);
    const child = start(mode, uuid, n, env(cluster.host, cluster.users.active.token, cluster.certFile));
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
      return { ratePerS: r.ratePerS, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore: cpuMsSince(cpu0) / (performance.now() - w0), clientCore: r.cpuMs / r.wallMs };
    } finally {
      await endChild(child);
    }
  } finally {
    await cluster.stop();
  }
}

export async function run(): Promise<BenchResult> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const args = argsOf();
  const n = Number(args.n ?? 100_000);
  const liveRuns = Number(args.liveRuns ?? 3);
  const replayRuns = Number(args.runs ?? 7);
  const started = Date.now();
  const order = (i: number): Mode[] => (i % 2 ? ['cli', 'bare'] : ['bare', 'cli']);
  const replay: Record<Mode, RunResult[]> = { bare: [], cli: [] };
  const live: Record<Mode, RunResult[]> = { bare: [], cli: [] };
  const profiles: string[] = [];

  progress('cli', `recording ${n} events from the fake cluster for the replay`);
  const rp = await startReplay(n);
  try {
    for (let i = 0; i < replayRuns; i++) {
      for (const mode of order(i)) {
        const r = await measureReplay(mode, rp.proxy, rp.cluster.users.active.token, rp.recording.uuid, n);
        replay[mode].push(r);
        progress('cli', `replay ${i + 1}/${replayRuns} ${mode}: ${Math.round(r.ratePerS)} lines/s, ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
      }
    }
    if (args.profile) {
      // One more replay of each under `node --cpu-prof` (the whole process, startup included).
      for (const mode of ['bare', 'cli'] as Mode[]) {
        const dir = mkdtempSync(join(tmpdir(), `arv-bench-prof-${mode}-`));
        await measureReplay(mode, rp.proxy, rp.cluster.users.active.token, rp.recording.uuid, n, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
        await sleep(500);
        for (const f of readdirSync(dir)) {
          const s = summarize(join(dir, f), 15);
          // tsx's loader thread writes a profile of its own, idle but for startup.
          if ((s.lines.find((l) => l.name === '(idle)')?.selfPct ?? 0) < 80) profiles.push(`${mode} (${join(dir, f)}):\n${formatSummary(s)}`);
        }
      }
    }
  } finally {
    await rp.stop();
  }
  for (let i = 0; i < liveRuns; i++) {
    for (const mode of order(i)) {
      const r = await measureLive(mode, n);
      live[mode].push(r);
      progress('cli', `live ${i + 1}/${liveRuns} ${mode}: ${Math.round(r.ratePerS)} lines/s, ${r.cpuUsPerEvent.toFixed(2)} µs CPU/event, server ${Math.round(r.serverCore * 100)}% of a core`);
    }
  }
  const pairs = (a: RunResult[], b: RunResult[], f: (x: RunResult, y: RunResult) => number) => a.map((x, i) => f(x, b[i]));
  const liveServer = median([...live.bare, ...live.cli].map((r) => r.serverCore));
  const liveClient = median([...live.bare, ...live.cli].map((r) => r.clientCore));
  const replayClient = median([...replay.bare, ...replay.cli].map((r) => r.clientCore));
  return {
    bench: 'cli',
    durationMs: Date.now() - started,
    notes: [
      `${n} lines per run; \`node dist/cli.js -q -u <collection>\` against a bare client process writing JSON.stringify of each parsed event (msgID removed), batched per event-loop turn like the CLI; interleaved ABBA, ratios within each pair.`,
      ...profiles.map((p) => `CPU profile of one replay, ${p}`),
      `Replay (${replayRuns} pairs): server ${Math.round(median([...replay.bare, ...replay.cli].map((r) => r.serverCore)) * 100)}% of a core (this process also counts the lines), client ${Math.round(replayClient * 100)}%${replayClient > 0.85 ? ': client-bound' : ''}. Live fake (${liveRuns} pairs): server ${Math.round(liveServer * 100)}% of a core, client ${Math.round(liveClient * 100)}%${liveClient < 0.85 ? ': the client waits for the server, so compare CPU per event, not rates' : ''}.`,
    ],
    figures: [
      figure('cli.replay.bare.rate', 'bare line writer, replayed frames', replay.bare.map((r) => r.ratePerS), 'lines/s'),
      figure('cli.replay.cli.rate', 'CLI, replayed frames', replay.cli.map((r) => r.ratePerS), 'lines/s'),
      figure('cli.replay.ratio', 'CLI / bare (replay, client-bound)', pairs(replay.cli, replay.bare, (c, b) => c.ratePerS / b.ratePerS), 'ratio', { target: '>= 0.8', check: (v) => v >= 0.8, digits: 3 }),
      figure('cli.replay.bare.cpuPerEvent', 'bare line writer CPU per event (replay)', replay.bare.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure('cli.replay.cli.cpuPerEvent', 'CLI CPU per event (replay)', replay.cli.map((r) => r.cpuUsPerEvent), 'µs', { digits: 2 }),
      figure('cli.replay.cpuRatio', 'CLI / bare lines per CPU-second (replay)', pairs(replay.cli, replay.bare, (c, b) => b.cpuUsPerEvent / c.cpuUsPerEvent), 'ratio', { digits: 3 }),
      figure('cli.live.bare.rate', 'bare line writer, live fake', live.bare.map((r) => r.ratePerS), 'lines/s'),
      figure('cli.live.cli.rate', 'CLI, live fake', live.cli.map((r) => r.ratePerS), 'lines/s'),
      figure('cli.live.cpuRatio', 'CLI / bare lines per CPU-second (live fake)', pairs(live.cli, live.bare, (c, b) => b.cpuUsPerEvent / c.cpuUsPerEvent), 'ratio', { target: '>= 0.8', check: (v) => v >= 0.8, digits: 3 }),
    ],
  };
}

runAsScript(module, run);
