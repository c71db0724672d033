/**
 * What the benchmarks share: figures and results, statistics, child processes, CPU accounting
 * and the events they emit into the fake cluster.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FakeCluster, FakeUser, LogInput } from '../test/fake/cluster';

export const REPO = resolve(__dirname, '..');
export const BENCH_DIR = __dirname;

/** One measured figure, as it goes to results.json. */
export interface Figure {
  /** Stable key, e.g. `engine.ratio`. */
  key: string;
  label: string;
  /** The median over the runs (or the single value). */
  value: number;
  unit: string;
  /** The target in words, e.g. `>= 0.8`; absent when the figure has none. */
  target?: string;
  met?: boolean;
  /** Every run's value, in run order. */
  runs?: number[];
}

export interface BenchResult {
  bench: string;
  figures: Figure[];
  /** Findings in words: what limited a figure, how it was measured. */
  notes: string[];
  durationMs: number;
  /** The Node version of the process measured when it is not the bench's own (code-server's extension host). */
  hostNode?: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1];
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A figure whose value is the median of `runs`; `check` says whether a value meets the target. */
export function figure(
  key: string,
  label: string,
  runs: number[],
  unit: string,
  opts: { target?: string; check?: (v: number) => boolean; digits?: number } = {},
): Figure {
  const digits = opts.digits ?? 0;
  const value = round(median(runs), digits);
  const f: Figure = { key, label, value, unit, runs: runs.map((r) => round(r, digits)) };
  if (opts.target) {
    f.target = opts.target;
    f.met = opts.check ? opts.check(value) : undefined;
  }
  return f;
}

/** CPU time (user + system) of a process so far, in ms, from /proc (10 ms ticks). */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after "pid (comm) ".
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}
const CLK_TCK = 100;

/** ms of CPU since `from` (a process.cpuUsage() value). */
export function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

// ---- child processes -----------------------------------------------------------------------

/** Starts bench/client.ts in a child Node process (TypeScript through tsx), with IPC. */
export function forkClient(args: Record<string, string | number>, env: NodeJS.ProcessEnv = {}, extraExecArgv: string[] = [], stdout: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  const argv = Object.entries(args).map(([k, v]) => `--${k}=${v}`);
  return fork(join(BENCH_DIR, 'client.ts'), argv, {
    execArgv: ['--import', 'tsx', ...extraExecArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
}

/**
 * Counts the lines a child writes to its stdout (bytes only, no decoding). Line 1 is the sentinel
 * (`ready` resolves); lines 2 … n+1 are measured: wall time between the chunks that brought the
 * first and the last, and the child's CPU time (/proc) over the same span.
 */
export function countLines(child: ChildProcess, n: number): { ready: Promise<void>; done: Promise<{ ratePerS: number; wallMs: number; cpuMs: number }> } {
  let lines = 0;
  let t0 = 0;
  let c0 = 0;
  let readyResolve!: () => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<void>((r, j) => ((readyResolve = r), (readyReject = j)));
  const done = new Promise<{ ratePerS: number; wallMs: number; cpuMs: number }>((resolvePromise, reject) => {
    child.once('exit', (code, signal) => {
      const err = new Error(`the child exited (${code ?? signal}) after ${lines} lines`);
      readyReject(err);
      reject(err);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const before = lines;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      if (before < 1 && lines >= 1) readyResolve();
      if (before < 2 && lines >= 2) {
        t0 = performance.now();
        c0 = procCpuMs(child.pid!);
      }
      if (before < n + 1 && lines >= n + 1) {
        const wallMs = performance.now() - t0;
        resolvePromise({ wallMs, cpuMs: procCpuMs(child.pid!) - c0, ratePerS: ((n - 1) / wallMs) * 1000 });
      }
    });
  });
  done.catch(() => undefined);
  ready.catch(() => undefined);
  return { ready, done };
}

/** The next IPC message of `child` that `accept` takes; rejects if the child exits first or after `timeoutMs`. */
export function nextMessage<T = any>(child: ChildProcess, accept: (m: any) => boolean = () => true, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`no message from the child within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: any) => {
      if (m && m.type === 'error') return done(new Error(`child: ${m.message}`));
      if (accept(m)) done(undefined, m);
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`the child exited (${code ?? signal}) before answering`));
    const done = (err?: Error, m?: T) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolvePromise(m as T);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Ends a child we started (by its pid) and waits for it to be gone. */
export async function endChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.kill('SIGCONT');
    child.kill(signal);
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

// ---- events ----------------------------------------------------------------------------------

/** A collection the active user owns, so that every event about it is delivered to them. */
export function benchCollection(cluster: FakeCluster, name = 'bench-reads.bam'): string {
  return cluster.createObject({ kind: 'arvados#collection', name, portable_data_hash: 'd41d8cd98f00b204e9800998ecf8427e+0' }).object.uuid as string;
}

/**
 * An `update` of that collection renaming it to `name`: the properties a real audit row carries
 * (old/new attributes; the server forwards six of them), about 700 bytes on the wire.
 */
export function updateEvent(cluster: FakeCluster, uuid: string, name: string, owner: FakeUser = cluster.users.active): LogInput {
  const attrs = (n: string) => ({
    uuid,
    owner_uuid: owner.uuid,
    name: n,
    portable_data_hash: 'd41d8cd98f00b204e9800998ecf8427e+0',
    is_trashed: false,
    description: null,
    properties: {},
    storage_classes_desired: ['default'],
    replication_desired: null,
  });
  return {
    object_uuid: uuid,
    event_type: 'update',
    properties: { old_etag: 'a1b2c3', old_attributes: attrs('bench-reads.bam'), new_etag: 'd4e5f6', new_attributes: attrs(name) },
  };
}

/** Emits `n` update events in synchronous batches of `batch`, yielding between batches. */
export async function emitUpdates(cluster: FakeCluster, uuid: string, n: number, opts: { batch?: number; name?: (i: number) => string; yieldMs?: number } = {}): Promise<void> {
  const batch = opts.batch ?? 1000;
  const name = opts.name ?? ((i: number) => `bench-${i}.bam`);
  for (let done = 0; done < n; ) {
    const k = Math.min(batch, n - done);
    const base = done;
    cluster.emitBatch(k, (i) => updateEvent(cluster, uuid, name(base + i)));
    done += k;
    await (opts.yieldMs ? sleep(opts.yieldMs) : new Promise((r) => setImmediate(r)));
  }
}

// ---- running as a script -------------------------------------------------------------------

/** `--name=value` arguments. */
export function argsOf(argv = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out[m[1]] = m[2] ?? 'true';
  }
  return out;
}

/**
 * Runs a bench module as a script: `node --import tsx bench/<name>.ts --out=FILE` writes its
 * BenchResult to FILE (run.ts reads it); without --out it prints it.
 */
export function runAsScript(mod: NodeModule, run: () => Promise<BenchResult>): void {
  if (require.main !== mod) return;
  const args = argsOf();
  run().then(
    (result) => {
      const text = JSON.stringify(result, null, 2);
      if (args.out) writeFileSync(args.out, text);
      else console.log(text);
      process.exit(0);
    },
    (err) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exit(1);
    },
  );
}

/** Progress lines on stderr, so that stdout stays for results. */
export function progress(bench: string, message: string): void {
  process.stderr.write(`[${bench}] ${message}\n`);
}
