/**
 * `arvados-events logs`: prints a process's log, as `arvados-client logs` does, and with `-f`
 * follows it until the request is Final. Every line is printed once, as `<file> <line>`.
 * Exit status: 0 when not following or when the request succeeded; 3 when following and it
 * failed or was cancelled; 1 when it cannot connect or the server has no log endpoint; 2 on usage
 * errors; 0 after SIGINT.
 */
import { parseArgs } from 'node:util';
import { LineWriter, profileOption, UsageError } from './cliCommon';
import { ArvadosError, DEFAULT_LOG_FILES, ProcessLogFollower, type ApiClient, type Logger } from './arvados';
import { describePhase } from './model/liveLog';

export const LOGS_USAGE = `Usage: arvados-events logs [options] UUID

Print the log of a container request (or of a container: its request is looked up), from the
container request log endpoint, merged by timestamp. One line per log line: "<file> <line>".

Options:
  -p, --profile NAME       the cluster and token of the profile NAME.conf, not the environment's
  -f, --follow             keep printing until the request is finished
      --all                start at the beginning of each file (default: its last 10,000 bytes)
      --files LIST         comma-separated files (default: ${DEFAULT_LOG_FILES.join(',')})
      --poll-interval S    seconds between reads while the container runs (default 2)
  -q, --quiet              print only warnings and errors on stderr
  -h, --help               show this help

Exit status: 0 when not following, or when the request succeeded; 3 when following and the
request failed or was cancelled; 1 when it cannot connect or the cluster has no log endpoint;
2 on usage errors; 0 after SIGINT.
`;

export interface LogsOptions {
  uuid: string;
  follow: boolean;
  all: boolean;
  files: string[];
  pollIntervalMs: number;
  quiet: boolean;
  profile?: string;
}

const UUID = /^[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{15}$/;

export function parseLogsArgs(argv: string[]): LogsOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        profile: { type: 'string', short: 'p' },
        follow: { type: 'boolean', short: 'f' },
        all: { type: 'boolean' },
        files: { type: 'string' },
        'poll-interval': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `logs takes one UUID, got ${positionals.length}` : 'logs needs the UUID of a container request or a container');
  const uuid = positionals[0].trim();
  if (!UUID.test(uuid)) throw new UsageError(`"${uuid}" is not an Arvados UUID (xxxxx-xxxxx-xxxxxxxxxxxxxxx)`);
  const infix = uuid.slice(6, 11);
  if (infix !== 'xvhdp' && infix !== 'dz642') throw new UsageError(`${uuid} is not a container request (xxxxx-xvhdp-…) or a container (xxxxx-dz642-…)`);
  let files = DEFAULT_LOG_FILES;
  if (values.files !== undefined) {
    files = values.files.split(',').map((f) => f.trim()).filter(Boolean);
    if (!files.length || files.some((f) => f.includes('/'))) throw new UsageError(`--files needs file names separated by commas, such as ${DEFAULT_LOG_FILES.join(',')}`);
  }
  let pollIntervalMs = 2_000;
  if (values['poll-interval'] !== undefined) {
    const n = Number(values['poll-interval']);
    if (!values['poll-interval'].trim() || !Number.isFinite(n) || n <= 0) throw new UsageError(`--poll-interval needs a number of seconds above 0, got "${values['poll-interval']}"`);
    pollIntervalMs = n * 1000;
  }
  return { uuid, follow: Boolean(values.follow), all: Boolean(values.all), files, pollIntervalMs, quiet: Boolean(values.quiet), profile: profileOption(values.profile) };
}

export interface LogsIo {
  stdout: NodeJS.WritableStream;
  say(message: string): void;
  stopSignal: Promise<string>;
}

export async function runLogs(api: ApiClient, o: LogsOptions, io: LogsIo, logger: Logger): Promise<number> {
  const out = new LineWriter(io.stdout);
  const follower = new ProcessLogFollower(api, o.uuid, {
    // Ranges of 256 KiB, not the engine's 1 MiB: a range, its lines and their output are what the
    // CLI holds at once, and a smaller range keeps them out of V8's large-object space.
    chunkBytes: 256 * 1024,
    files: o.files,
    fromStart: o.all,
    follow: o.follow,
    runningIntervalMs: o.pollIntervalMs,
    waitingIntervalMs: Math.max(o.pollIntervalMs, 10_000),
    logger,
    onPhase: (p) => void (o.quiet || io.say(describePhase(p))),
    onLines: (lines) => {
      for (const l of lines) out.push(`${l.file} ${l.text}`);
      // Back-pressure: read no more while stdout is far behind.
      return out.ready();
    },
  });
  const stopped = io.stopSignal.then(() => 'stopped' as const);
  try {
    const result = await Promise.race([follower.run(), stopped]);
    if (result === 'stopped') return 0;
    if (!o.follow || !result) return 0;
    return result.kind === 'succeeded' ? 0 : 3;
  } catch (err) {
    if (err instanceof ArvadosError) {
      io.say(api.redact(err.message));
      return 1;
    }
    throw err;
  } finally {
    follower.close();
    out.flush();
  }
}
