/**
 * A simulated Arvados cluster to point the extension or the CLI at: the fake cluster (HTTPS REST
 * + websocket on 127.0.0.1) with simulated users at work (test/fake/simulator.ts).
 *
 *   npm run simulate -- [--port N] [--rate EVENTS_PER_S] [--seed S] [--duration SECONDS] [--json]
 *                       [--log-max-age DURATION] [--log-max-rows N]
 *
 * Prints the settings to use (ARVADOS_API_HOST=…, ARVADOS_API_TOKEN=…, SSL_CERT_FILE=…), or with
 * --json a single JSON line for scripts (the human text then goes to stderr). Ctrl-C or SIGTERM
 * stops it cleanly (exit 0).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LOG_MAX_AGE_MS, DEFAULT_LOG_MAX_ROWS, startSimulatedCluster, SimulatedCluster } from '../test/fake/simulator';
import { goDuration } from '../test/fake/time';

const USAGE = `Usage: simulate [options]
  --port N              listen on 127.0.0.1:N (default: a free port)
  --rate R              about R events per second (default 1; 0.2 is a trickle, 2000 a flood)
  --seed S              the same seed gives the same history (default 1)
  --duration SECONDS    stop after this long (default: run until Ctrl-C)
  --warmup SECONDS      virtual seconds of history written at once before real time starts
                        (default 600: about 600 events, so the rate is steady from the start)
  --json                print one JSON line with the settings on stdout (text goes to stderr)
  --quiet               no periodic statistics on stderr
  --send-timeout-ms MS  websocket keepalive interval and write deadline (default 60000)
  --client-queue N      websocket per-client event queue (default 64, as on a real server)
  --workbench2-url URL  the Workbench2 URL the cluster publishes (it is not served)
  --log-max-age D       delete audit log rows older than D, as AuditLogs.MaxAge does (fake clock;
                        e.g. 600, 90s, 10m, 336h; 0 keeps them all; default ${goDuration(DEFAULT_LOG_MAX_AGE_MS)})
  --log-max-rows N      keep at most N log rows of any type, the oldest dropped first
                        (0: no cap; default ${DEFAULT_LOG_MAX_ROWS})
  --help`;

/** What `--json` prints: one line, for scripts (the demo) to parse. */
export interface SimulateJson {
  host: string;
  token: string;
  certFile: string;
  workbench2Url: string;
  clusterId: string;
  userUuid: string;
  /** Another user, whose work the token above must not see. */
  otherToken: string;
  otherUserUuid: string;
  seed: string;
  rate: number;
  pid: number;
}

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** A duration: seconds, or a number with ms, s, m or h. Returns ms. */
function durationOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(raw).trim());
  if (!m) fail(`--${name} must be a duration such as 600, 90s, 10m or 336h (got ${String(raw)})`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

function numberOption(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number >= ${min} (got ${String(raw)})`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        'send-timeout-ms': { type: 'string' },
        'client-queue': { type: 'string' },
        'workbench2-url': { type: 'string' },
        'log-max-age': { type: 'string' },
        'log-max-rows': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const rate = numberOption(values, 'rate', 0) ?? 1;
  if (rate <= 0) fail('--rate must be > 0');
  const duration = numberOption(values, 'duration', 0);
  const seed = typeof values.seed === 'string' ? values.seed : '1';
  const clientQueue = numberOption(values, 'client-queue', 1);
  // Bounded by default, so that a simulator left running does not grow without end.
  const logMaxAgeMs = durationOption(values, 'log-max-age') ?? DEFAULT_LOG_MAX_AGE_MS;
  const logMaxRows = Math.floor(numberOption(values, 'log-max-rows', 0) ?? DEFAULT_LOG_MAX_ROWS);
  if (logMaxAgeMs > 0 && logMaxAgeMs < 5 * 60_000) {
    process.stderr.write('simulate: warning: Arvados needs AuditLogs.MaxAge of at least 5 minutes; the websocket replay (last_log_id) will miss events\n');
  }

  let started = Date.now();
  let history = 0;
  const report = ({ simulator, cluster }: SimulatedCluster) => {
    const s = simulator.stats;
    const seconds = (Date.now() - started) / 1000;
    const live = s.requests - s.requestsFinal;
    const events = s.events - history;
    process.stderr.write(
      `simulate: ${events} events in ${seconds.toFixed(0)} s (${(events / Math.max(seconds, 0.001)).toFixed(1)}/s) after ${history} of warm-up; ` +
        `requests: ${live} open, ${s.requestsFinal} finished; containers: ${s.containers} (${s.retries} retries); websocket clients: ${cluster.wsConnectionCount}; log rows stored: ${cluster.logRowCount}\n`,
    );
  };

  // Signals first: whoever reads the settings below may signal at once.
  let sim: SimulatedCluster | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let exiting = false;
  const shutdown = async () => {
    if (exiting) return;
    exiting = true;
    if (ticker) clearInterval(ticker);
    if (sim) {
      await sim.stop();
      if (!values.quiet) report(sim);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  sim = await startSimulatedCluster({
    port: numberOption(values, 'port', 0),
    rate,
    seed,
    sendTimeoutMs: numberOption(values, 'send-timeout-ms', 1),
    durationMs: duration === undefined ? undefined : duration * 1000,
    warmupSeconds: numberOption(values, 'warmup', 0),
    cluster: {
      auditLogsMaxAgeMs: logMaxAgeMs,
      logMaxRows,
      ...(clientQueue !== undefined ? { clientQueueSize: Math.floor(clientQueue) } : {}),
      ...(typeof values['workbench2-url'] === 'string' ? { workbench2Url: values['workbench2-url'] } : {}),
    },
  });
  const { cluster } = sim;
  const { active, other } = cluster.users;
  started = Date.now();
  history = sim.simulator.stats.events;

  // With --json, stdout carries only the JSON line; people read stderr.
  const human = values.json ? process.stderr : process.stdout;
  if (values.json) {
    const json: SimulateJson = {
      host: cluster.host,
      token: active.token,
      certFile: cluster.certFile,
      workbench2Url: cluster.workbench2Url,
      clusterId: cluster.clusterId,
      userUuid: active.uuid,
      otherToken: other.token,
      otherUserUuid: other.uuid,
      seed,
      rate,
      pid: process.pid,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
  human.write(
    [
      `Simulated Arvados cluster ${cluster.clusterId} at ${cluster.rootUrl} (seed ${seed}, about ${rate} event${rate === 1 ? '' : 's'}/s).`,
      `Settings for ${active.name} (${active.uuid}):`,
      `ARVADOS_API_HOST=${cluster.host}`,
      `ARVADOS_API_TOKEN=${active.token}`,
      `SSL_CERT_FILE=${cluster.certFile}`,
      `(ARVADOS_API_HOST_INSECURE=1 works too, instead of SSL_CERT_FILE.)`,
      `${other.name} works in their own projects; their token, whose events the one above must not see: ${other.token}`,
      `Workbench2 links point at ${cluster.workbench2Url} (not served).`,
      duration === undefined ? 'Press Ctrl-C to stop.' : `Stopping after ${duration} s (or Ctrl-C).`,
      '',
    ].join('\n'),
  );

  if (!values.quiet) ticker = setInterval(() => report(sim!), 10_000);
  await sim.running;
  // --duration elapsed (a signal also lands here, and shutdown() is already under way).
  await shutdown();
}

main().catch((err: unknown) => {
  process.stderr.write(`simulate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
