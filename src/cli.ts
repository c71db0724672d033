/**
 * `arvados-events`: an `arv-ws`-compatible follower of an Arvados cluster's events, on the same
 * engine as the extension. One JSON object per event on stdout; diagnostics on stderr.
 * Exit status: 0 after SIGINT/SIGTERM, 1 when it cannot connect or the token is refused, 2 on usage errors.
 */
import { parseArgs } from 'node:util';
import { ArvadosError, FilterError, parseFilter, type ArvadosEvent, type Condition, type Filter } from './arvados';
import { subscribe } from './arvados/transport';
import { parseTime } from './arvados/filters';
import { apiFromEnv, LineWriter, parseOr, profileOption, stderrLogger, UsageError } from './cliCommon';
import { LOGS_USAGE, parseLogsArgs, runLogs } from './cliLogs';
import { version } from '../package.json';

export const USAGE = `Usage: arvados-events [options]
       arvados-events logs [-f] [--all] [--files LIST] [--poll-interval S] UUID

Follow the events of an Arvados cluster, as arv-ws does: one JSON object per event on stdout.
The cluster and token come from ARVADOS_API_HOST and ARVADOS_API_TOKEN, or from
~/.config/arvados/settings.conf (ARVADOS_API_HOST_INSECURE=1 skips TLS verification),
or, with --profile NAME, from ~/.config/arvados/NAME.conf alone (arv-copy's convention).

Options:
  -p, --profile NAME       the cluster and token of the profile NAME.conf, not the environment's
  -u, --uuid UUID          only events about this object
  -f, --filters JSON       an Arvados filter, e.g. '[["event_type","in",["create","update"]]]'
  -s, --start-time TIME    also print past events created at or after TIME
                           (e.g. 2026-11-24T10:00:00Z, 2026-11-24 or "2026-11-24 10:00:00")
  -i, --id N               also print past events from id N on
      --poll-interval N    poll the logs API every N seconds when the websocket is unavailable (default 15)
      --no-poll            never poll: fail if the websocket is unavailable
      --retries N          retries of failed API requests (default 4)
  -q, --quiet              print only warnings and errors on stderr
  -h, --help               show this help
      --version            show the version

Exit status: 0 when stopped by SIGINT or SIGTERM, 1 when it cannot connect (bad token,
untrusted certificate, unreachable host, no websocket with --no-poll), 2 on usage errors.

"arvados-events logs --help" describes the logs subcommand (a process's live log).
`;

export { UsageError };

export interface CliOptions {
  filter: Filter;
  lastLogId?: number;
  pollIntervalMs: number;
  noPoll: boolean;
  retries: number;
  quiet: boolean;
  /** A profile name (NAME.conf), instead of the environment and settings.conf. */
  profile?: string;
}

export type ParsedArgs = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: CliOptions };

function positiveNumber(text: string, option: string, integer: boolean): number {
  const n = Number(text);
  if (!text.trim() || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${option} needs a ${integer ? 'whole ' : ''}number of at least 0, got "${text}"`);
  }
  return n;
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        profile: { type: 'string', short: 'p' },
        uuid: { type: 'string', short: 'u' },
        filters: { type: 'string', short: 'f' },
        'start-time': { type: 'string', short: 's' },
        id: { type: 'string', short: 'i' },
        'poll-interval': { type: 'string' },
        'no-poll': { type: 'boolean' },
        retries: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['no-poll'] && values['poll-interval'] !== undefined) throw new UsageError('--poll-interval and --no-poll cannot be used together');

  let filter: Filter = [];
  if (values.filters !== undefined) {
    try {
      filter = parseFilter(values.filters);
    } catch (err) {
      if (err instanceof FilterError) throw new UsageError(`--filters: ${err.message}`);
      throw err;
    }
  }
  const extra: Condition[] = [];
  let lastLogId: number | undefined;
  if (values.uuid !== undefined) extra.push(['object_uuid', '=', values.uuid]);
  if (values['start-time'] !== undefined) {
    if (parseTime(values['start-time']) === undefined) throw new UsageError(`--start-time: cannot read "${values['start-time']}" as a time; use e.g. 2026-11-24T10:00:00Z or 2026-11-24`);
    extra.push(['created_at', '>=', values['start-time']]);
    lastLogId = 0; // read history from the start, narrowed by the time condition
  }
  if (values.id !== undefined) {
    const n = positiveNumber(values.id, '--id', true);
    if (n < 1) throw new UsageError('--id needs an event id of at least 1');
    lastLogId = n - 1;
  }
  if (extra.length) filter = parseFilter([...filter, ...extra]);
  return {
    kind: 'run',
    options: {
      filter,
      lastLogId,
      pollIntervalMs: values['poll-interval'] !== undefined ? positiveNumber(values['poll-interval'], '--poll-interval', false) * 1000 : 15_000,
      noPoll: Boolean(values['no-poll']),
      retries: values.retries !== undefined ? positiveNumber(values.retries, '--retries', true) : 4,
      quiet: Boolean(values.quiet),
      profile: profileOption(values.profile),
    },
  };
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const say = (m: string) => io.stderr.write(`arvados-events: ${m}\n`);
  if (argv[0] === 'logs') return runLogsCommand(argv.slice(1), io, say);
  const parsed = parseOr(() => parseCliArgs(argv), 'Try "arvados-events --help".', say, io.stderr);
  if (typeof parsed === 'number') return parsed;
  if (parsed.kind === 'help') return io.stdout.write(USAGE), 0;
  if (parsed.kind === 'version') return io.stdout.write(`arvados-events ${version}\n`), 0;
  const o = parsed.options;
  const api = apiFromEnv(io.env, say, { retry: { retries: o.retries } }, o.profile);
  if (typeof api === 'number') return api;
  const logger = stderrLogger(say, o.quiet);
  const out = new LineWriter(io.stdout);
  let subscription;
  try {
    subscription = await subscribe(api, {
      filters: [o.filter],
      lastLogId: o.lastLogId,
      pollFallback: !o.noPoll,
      pollIntervalMs: o.pollIntervalMs,
      // Half the API's 1000 rows a request: a history read page by page holds a page's text, its
      // rows and their events at once, and at 1000 rows the peak RSS of a long history was ~180
      // MB against ~130 (bench/README.md, history). Twice the requests, in exchange.
      pageSize: 500,
      logger,
      consumerReady: () => out.ready(),
      // The frame's own text when the engine has it (the event exactly as parsed), else the event's JSON.
      onEvent: (ev: ArvadosEvent, json?: string) => out.push(json ?? JSON.stringify(ev)),
    });
  } catch (err) {
    api.dispose();
    if (err instanceof ArvadosError) return say(api.redact(err.message)), 1;
    throw err;
  }
  const { stream } = subscription;
  const fatal = new Promise<number>((resolve) =>
    stream.onState((s) => {
      if (s.status === 'closed' && s.error) resolve(1);
    }),
  );
  const code = await Promise.race([io.stopSignal.then(() => 0), fatal]);
  await stream.close();
  out.flush();
  api.dispose();
  return code;
}

async function runLogsCommand(argv: string[], io: CliIo, say: (m: string) => void): Promise<number> {
  const options = parseOr(() => parseLogsArgs(argv), 'Try "arvados-events logs --help".', say, io.stderr);
  if (typeof options === 'number') return options;
  if (options === 'help') return io.stdout.write(LOGS_USAGE), 0;
  const api = apiFromEnv(io.env, say, {}, options.profile);
  if (typeof api === 'number') return api;
  try {
    return await runLogs(api, options, { stdout: io.stdout, say, stopSignal: io.stopSignal }, stderrLogger(say, options.quiet));
  } finally {
    api.dispose();
  }
}

if (require.main === module) {
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, stopSignal }).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then leave even if a socket lingers.
      process.stdout.write('', () => process.exit(code));
    },
    (err) => {
      process.stderr.write(`arvados-events: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
