/**
 * Benchmark 7, following a long history: `node dist/cli.js -q -i <first id>` (and `-s <time>`)
 * against a cluster holding a history of 300,000 events, none recent enough for the websocket's
 * 10-minute replay, so that all of it comes from the logs API. Target: the first event on stdout
 * within 2 s of the spawn, and a peak RSS under 150 MB (a CLI that reads the whole gap before
 * printing anything fails both).
 *
 * Measured from this process: the time from spawn to the first line on the child's stdout and to
 * the 300,000th; the child's peak RSS (VmHWM in /proc/<pid>/status, read after the last line
 * while it is still running, then SIGINT). A run that has not finished after --timeoutS is ended
 * and reported as incomplete.
 *
 * The fake's logs index is O(table) per request (~15 s a page at this size), so the REST calls go
 * through the proxy of bench/replay.ts answering the engine's logs queries from a snapshot of the
 * fake's rows; the websocket is the fake's own. The snapshot's answers are checked identical to
 * the fake's on a twin cluster with a 3,000-row history built the same way (on the full table
 * each check query would take the fake ~15 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeCluster } from '../test/fake/cluster';
import { argsOf, BenchResult, cpuMsSince, endChild, figure, type Figure, median, procCpuMs, progress, REPO, runAsScript, updateEvent } from './lib';
import { ReplayProxy } from './replay';

type Mode = 'id' | 'start';

interface RunResult {
  mode: Mode;
  /** Spawn → first line on stdout (the timeout when none came). */
  firstEventMs: number;
  /** Spawn → the n-th line (the timeout when it did not come). */
  allEventsMs: number;
  complete: boolean;
  lines: number;
  eventsPerSecond: number;
  /** VmHWM at the end. */
  peakRssMB: number;
  /** VmRSS when the first line came. */
  rssAtFirstEventMB: number;
  cpuUsPerEvent: number;
  /** This process (fast logs index, line counting) over the run, in cores. */
  serverCore: number;
  firstId?: number;
  lastId?: number;
  stderrTail: string;
}

const MB = 1024 * 1024;

/** A `VmXXX:  1234 kB` field of /proc/<pid>/status, in bytes (NaN when the process is gone). */
function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function idOfLine(line: string): number | undefined {
  try {
    return Number(JSON.parse(line).id);
  } catch {
    return undefined;
  }
}

async function measure(cli: string, mode: Mode, cliArgs: string[], env: NodeJS.ProcessEnv, n: number, timeoutMs: number): Promise<RunResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [cli, '-q', ...cliArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
  let lines = 0;
  let firstAt = NaN;
  let rssAtFirst = NaN;
  let firstLine = '';
  let tail = '';
  // Polled as well, so that a child that dies or hangs still has a figure.
  let hwm = 0;
  const poll = setInterval(() => (hwm = Math.max(hwm, procStatusBytes(pid, 'VmHWM') || 0)), 250);
  try {
    const outcome = await new Promise<'done' | 'timeout' | 'exited'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      child.once('exit', () => (clearTimeout(timer), resolve('exited')));
      child.stdout!.on('data', (chunk: Buffer) => {
        const before = lines;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        if (before === 0 && lines > 0) {
          firstAt = performance.now() - t0;
          rssAtFirst = procStatusBytes(pid, 'VmRSS');
          firstLine = chunk.subarray(0, chunk.indexOf(10)).toString();
        }
        tail = (tail + chunk.toString('latin1')).slice(-8192);
        if (before < n && lines >= n) {
          clearTimeout(timer);
          resolve('done');
        }
      });
    });
    const endAt = performance.now() - t0;
    // Still running: its high-water mark covers the whole run.
    hwm = Math.max(hwm, procStatusBytes(pid, 'VmHWM') || 0);
    const cpuMs = outcome === 'exited' ? NaN : procCpuMs(pid);
    const serverCore = cpuMsSince(cpu0) / endAt;
    if (outcome !== 'done') progress('history', `${mode}: ${outcome} after ${lines} of ${n} lines; stderr: ${stderrTail.trim().slice(-500)}`);
    const complete = outcome === 'done';
    const lastLine = tail.split('\n').filter(Boolean).at(-1) ?? '';
    return {
      mode,
      firstEventMs: Number.isNaN(firstAt) ? endAt : firstAt,
      allEventsMs: endAt,
      complete,
      lines,
      // Over the whole run: a CLI that prints the history in one burst at the end is not fast.
      eventsPerSecond: (lines / endAt) * 1000,
      peakRssMB: hwm / MB,
      rssAtFirstEventMB: rssAtFirst / MB,
      cpuUsPerEvent: (cpuMs * 1000) / Math.max(1, lines),
      serverCore,
      firstId: idOfLine(firstLine),
      lastId: idOfLine(lastLine),
      stderrTail,
    };
  } finally {
    clearInterval(poll);
    await endChild(child, 'SIGINT');
  }
}

/**
 * `n` update events about a collection of the active user, one every 250 ms, the newest an hour
 * old: nothing for the websocket to replay. The collection is stored silently (no log row), so the
 * table holds the history and nothing else. `startTime`: a second before the first row, in the
 * RFC3339 form the websocket server also honours (for `-s`).
 */
function writeHistory(cluster: FakeCluster, n: number): { firstId: number; lastId: number; startTime: string } {
  const owner = cluster.users.active.uuid;
  const uuid = cluster.putObject({ kind: 'arvados#collection', name: 'bench-reads.bam', owner_uuid: owner }).uuid as string;
  const spacingMs = 250;
  const historyStart = Math.floor((cluster.nowMs() - 3_600_000 - n * spacingMs) / 1000) * 1000;
  const { firstId, lastId } = cluster.insertLogs(n, (i) => ({
    ...updateEvent(cluster, uuid, `history-${i}.bam`),
    object_owner_uuid: owner,
    created_at: historyStart + i * spacingMs,
  }));
  return { firstId, lastId, startTime: new Date(historyStart - 1000).toISOString().replace('.000Z', 'Z') };
}

/** The proxy's fast index answers as the fake does, on a small history written the same way. */
async function checkFastIndex(n: number): Promise<void> {
  const twin = await FakeCluster.start({ firstLogId: 1_000_001 });
  try {
    const { startTime } = writeHistory(twin, n);
    const proxy = await ReplayProxy.start(twin);
    try {
      proxy.useFastLogs();
      await proxy.checkFastLogs(twin.users.active.token, startTime);
    } finally {
      await proxy.stop();
    }
  } finally {
    await twin.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const args = argsOf();
  const n = Number(args.n ?? 300_000);
  const runs = Number(args.runs ?? 2);
  const timeoutMs = Number(args.timeoutS ?? 240) * 1000;
  const modes: Mode[] = args.modes ? (args.modes.split(',') as Mode[]) : ['id', 'start'];
  const cli = args.cli ?? join(REPO, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const started = Date.now();
  const results: Record<Mode, RunResult[]> = { id: [], start: [] };

  await checkFastIndex(3000);
  progress('history', 'fast logs index checked against the fake (3,000-row twin)');
  const cluster = await FakeCluster.start({ firstLogId: 1_000_001, sendTimeoutMs: 600_000 });
  let proxy: ReplayProxy | undefined;
  try {
    const active = cluster.users.active;
    const t0 = Date.now();
    const { firstId, lastId, startTime } = writeHistory(cluster, n);
    progress('history', `${n} rows (ids ${firstId}–${lastId}) written in ${Math.round((Date.now() - t0) / 1000)} s`);
    proxy = await ReplayProxy.start(cluster);
    proxy.useFastLogs();
    const env = { ARVADOS_API_HOST: proxy.host, ARVADOS_API_TOKEN: active.token, SSL_CERT_FILE: cluster.certFile, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
    const cliArgs: Record<Mode, string[]> = { id: ['-i', String(firstId)], start: ['-s', startTime] };

    for (let i = 0; i < runs; i++) {
      for (const mode of i % 2 ? [...modes].reverse() : modes) {
        const forwarded = proxy.forwardedLogRequests;
        const r = await measure(cli, mode, cliArgs[mode], env, n, timeoutMs);
        if (r.complete && (r.firstId !== firstId || r.lastId !== lastId)) {
          throw new Error(`history ${mode}: printed ids ${r.firstId}…${r.lastId}, expected ${firstId}…${lastId}`);
        }
        if (proxy.forwardedLogRequests > forwarded) {
          progress('history', `warning: ${proxy.forwardedLogRequests - forwarded} logs requests of a shape the fast index does not answer went to the fake (slow)`);
        }
        results[mode].push(r);
        progress(
          'history',
          `${mode} ${i + 1}/${runs}: first event ${Math.round(r.firstEventMs)} ms, ${r.complete ? 'all' : `${r.lines} (incomplete)`} at ${Math.round(r.allEventsMs)} ms, ` +
            `${Math.round(r.eventsPerSecond)} events/s, peak RSS ${r.peakRssMB.toFixed(1)} MB (${r.rssAtFirstEventMB.toFixed(1)} MB at the first event)`,
        );
      }
    }
  } finally {
    await proxy?.stop();
    await cluster.stop();
  }

  const count = n.toLocaleString('en-US');
  const figures: Figure[] = [];
  const notes = [
    `A history of ${count} update events (~700 bytes each on the wire), one every 250 ms, the newest an hour old; the CLI spawned as \`node dist/cli.js -q -i <first id>\`${modes.includes('start') ? ' and `-q -s <a second before the first>`' : ''}, ${runs} run(s) of each, alternated. Logs REST answered by the proxy's fast index (bench/replay.ts; checked identical to the fake's answers on a 3,000-row twin), websocket by the fake.`,
  ];
  if (args.cli) notes.push(`CLI under test: ${args.cli} (given with --cli), not this tree's dist/cli.js.`);
  const labels: Record<Mode, string> = { id: 'CLI -i', start: 'CLI -s' };
  for (const mode of modes) {
    const rs = results[mode];
    if (!rs.length) continue;
    const key = mode === 'id' ? 'history' : 'history.startTime';
    const incomplete = rs.filter((r) => !r.complete);
    figures.push(
      figure(`${key}.firstEventMs`, `${labels[mode]}: first event on stdout after spawn (${count}-event history)`, rs.map((r) => r.firstEventMs), 'ms', { target: '<= 2000', check: (v) => v <= 2000 }),
      figure(`${key}.peakRssMB`, `${labels[mode]}: peak RSS (VmHWM)`, rs.map((r) => r.peakRssMB), 'MB', { target: '< 150', check: (v) => v < 150, digits: 1 }),
      figure(`${key}.eventsPerSecond`, `${labels[mode]}: events/s, spawn to last event`, rs.map((r) => r.eventsPerSecond), 'events/s'),
      figure(`${key}.allEventsMs`, `${labels[mode]}: all ${count} events on stdout after spawn`, rs.map((r) => r.allEventsMs), 'ms'),
    );
    if (mode === 'id') {
      figures.push(figure(`${key}.rssAtFirstEventMB`, `${labels[mode]}: RSS when the first event is printed`, rs.map((r) => r.rssAtFirstEventMB), 'MB', { digits: 1 }));
    }
    notes.push(
      `${labels[mode]}: CLI CPU ${median(rs.map((r) => r.cpuUsPerEvent)).toFixed(1)} µs per event; this process (fast index, counting lines) ${Math.round(median(rs.map((r) => r.serverCore)) * 100)}% of a core.` +
        (incomplete.length ? ` ${incomplete.length} run(s) incomplete after ${timeoutMs / 1000} s (${incomplete.map((r) => r.lines).join(', ')} lines): their times are the timeout, a lower bound.` : ''),
    );
  }
  return { bench: 'history', durationMs: Date.now() - started, notes, figures };
}

runAsScript(module, run);
