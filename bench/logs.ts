/**
 * `arvados-events logs --all` on a 40 MB log, against curl fetching the same file from the same
 * endpoint in one request: the CLI's rate as a fraction of curl's, and its peak RSS.
 *
 * The fake cluster serves the file (a running container's stderr.txt, 400,000 timestamped lines)
 * from memory. curl gets it whole with one Range request, the floor of what any client of that
 * endpoint can do; the CLI reads it in 256 KiB ranges, splits and merges lines and prints
 * `<file> <line>` for each, which is the work it is there for. Runs alternate (ABBA).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCluster } from '../test/fake/cluster';
import { argsOf, figure, progress, REPO, runAsScript, type BenchResult } from './lib';

const LINES = 400_000;
const TEXT = 'x'.repeat(70);

interface Run {
  ms: number;
  bytes: number;
  lines: number;
  peakRssMB: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let lines = 0;
    let peak = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const sampler = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // gone
      }
    }, 10);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${command} exited ${code}: ${err.slice(0, 500)}`));
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes, lines, peakRssMB: peak });
    });
  });
}

export async function run(): Promise<BenchResult> {
  const args = argsOf();
  const runs = Number(args.runs ?? 3);
  const cli = join(REPO, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const started = Date.now();
  const cluster = await FakeCluster.start();
  try {
    const container = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
    const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'bench-log', state: 'Committed', priority: 1, container_uuid: container, log_uuid: null }).object.uuid as string;
    const chunk: string[] = [];
    for (let i = 0; i < LINES; i++) {
      chunk.push(`2026-12-01T11:00:00.${String(i).padStart(9, '0')}Z ${i} ${TEXT}\n`);
      if (chunk.length === 10_000) cluster.writeProcessLog(container, 'stderr.txt', chunk.splice(0).join(''));
    }
    const size = cluster.processLogs.size(container, 'stderr.txt') ?? 0;
    progress('logs', `a ${(size / 1024 / 1024).toFixed(1)} MiB stderr.txt of ${LINES} lines`);
    const token = cluster.users.active.token;
    const env = { PATH: process.env.PATH, HOME: '/nonexistent', ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: token, SSL_CERT_FILE: cluster.certFile };
    const url = `https://${cluster.host}/arvados/v1/container_requests/${cr}/log/${container}/stderr.txt`;
    const curl = () => timed('curl', ['-sS', '--fail', '--cacert', cluster.certFile, '-H', `Authorization: Bearer ${token}`, '-H', `Range: bytes=0-${size - 1}`, url], env);
    const ours = () => timed(process.execPath, [cli, 'logs', '--all', '-q', '--files', 'stderr.txt', cr], env);
    const c: Run[] = [];
    const o: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? [ours, curl] : [curl, ours];
      for (const f of order) (f === curl ? c : o).push(await f());
      const a = c.at(-1)!;
      const b = o.at(-1)!;
      if (b.lines !== LINES) throw new Error(`logs --all printed ${b.lines} lines, expected ${LINES}`);
      progress('logs', `run ${i + 1}/${runs}: curl ${Math.round(a.ms)} ms (${(a.bytes / a.ms / 1024).toFixed(1)} MiB/s), logs --all ${Math.round(b.ms)} ms (${(size / b.ms / 1024).toFixed(1)} MiB/s of log), peak RSS ${b.peakRssMB.toFixed(1)} MB`);
    }
    const mibPerS = (r: Run) => size / 1024 / 1024 / (r.ms / 1000);
    const ratio = o.map((r, i) => mibPerS(r) / mibPerS(c[i]));
    return {
      bench: 'logs',
      durationMs: Date.now() - started,
      notes: [
        `A ${(size / 1024 / 1024).toFixed(1)} MiB log of ${LINES.toLocaleString('en-US')} lines from the fake's log endpoint over TLS on loopback; curl fetches it in one request, \`arvados-events logs --all\` in 256 KiB ranges, printing each line as "<file> <line>". Each time includes the start of the process.`,
      ],
      figures: [
        figure('logs.cliMiBPerS', 'logs --all on a 40 MB log: MiB/s of log printed', o.map(mibPerS), 'MiB/s', { digits: 1 }),
        figure('logs.curlMiBPerS', 'curl on the same file, one request: MiB/s', c.map(mibPerS), 'MiB/s', { digits: 1 }),
        figure('logs.ratioToCurl', 'logs --all rate as a fraction of curl', ratio, 'ratio', { digits: 2 }),
        figure('logs.peakRssMB', 'logs --all on a 40 MB log: peak RSS', o.map((r) => r.peakRssMB), 'MB', { target: '< 150', check: (v) => v < 150, digits: 1 }),
      ],
    };
  } finally {
    await cluster.stop();
  }
}

runAsScript(module, run);
