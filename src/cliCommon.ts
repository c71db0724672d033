/** What the command-line follower's commands share: usage errors, the API client, the logger, the output. */
import { ApiClient, ConfigError, isProfileName, profileConfig, resolveConfig, type ApiClientOptions, type Logger } from './arvados';

/** A command line that cannot be run as written: said, with where to find help, and exit 2. */
export class UsageError extends Error {}

/** Runs a command line's parser; a usage error is said with `hint`, as exit status 2. */
export function parseOr<T>(parse: () => T, hint: string, say: (m: string) => void, stderr: NodeJS.WritableStream): T | number {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(err.message);
    stderr.write(`${hint}\n`);
    return 2;
  }
}

/**
 * The API client from the environment and settings.conf, or from the profile `NAME.conf` alone
 * when one is named (`--profile`, as arv-copy's `--src`); a configuration error is said, as exit
 * status 1.
 */
export function apiFromEnv(env: NodeJS.ProcessEnv, say: (m: string) => void, options: ApiClientOptions = {}, profile?: string): ApiClient | number {
  try {
    return new ApiClient(profile !== undefined ? profileConfig(profile, env) : resolveConfig({ env }), options);
  } catch (err) {
    if (err instanceof ConfigError) return say(err.message), 1;
    throw err;
  }
}

/** `--profile NAME`: a name, not a path (the folders are the SDKs'). */
export function profileOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const name = value.trim().replace(/\.conf$/, '');
  if (!isProfileName(name)) throw new UsageError(`--profile needs a profile name, such as zzzzz for ~/.config/arvados/zzzzz.conf, got "${value.slice(0, 40)}"`);
  return name;
}

/** Diagnostics on stderr; `quiet` keeps only warnings and errors. */
export function stderrLogger(say: (m: string) => void, quiet: boolean): Logger {
  return { debug: () => {}, info: (m) => void (quiet || say(m)), warn: (m) => say(`warning: ${m}`), error: (m) => say(`error: ${m}`) };
}
/**
 * Characters per write at most (about: a longer line is written whole). A page of history or a
 * log range joined into one string would be a large object, and its bytes a large buffer, both
 * kept until a full GC; pieces this size die young.
 */
const WRITE_CHUNK = 64 * 1024;

/** Bytes written but not yet taken by the reader of stdout, past which the engine is told to wait. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;

/**
 * Writes JSON lines in batches: one write per turn of the event loop rather than one per event,
 * or sooner once a batch reaches WRITE_CHUNK.
 * When the reader of stdout falls more than a few MB behind (a slow pipe), `ready()` returns a
 * promise until it catches up, and the engine waits for it instead of piling up lines here. Below
 * that, reading and writing overlap.
 */
export class LineWriter {
  private lines: string[] = [];
  /** Characters in `lines`, newlines included. */
  private pending = 0;
  private scheduled = false;
  private draining?: Promise<void>;
  constructor(private readonly out: NodeJS.WritableStream & { writableLength?: number }) {}
  push(line: string): void {
    this.lines.push(line);
    this.pending += line.length + 1;
    // A piece's worth (a page of history delivered at once): written now rather than held to the turn's end.
    if (this.pending >= WRITE_CHUNK) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.scheduled = false;
    const lines = this.lines;
    if (!lines.length) return;
    this.lines = [];
    this.pending = 0;
    this.out.write(lines.join('\n') + '\n');
  }
  /** A promise while the output is too far behind; undefined when more may come. */
  ready(): Promise<void> | undefined {
    if (this.draining) return this.draining;
    // Asked once per event: only look, never write here (a write per event is what batching avoids).
    if ((this.out.writableLength ?? 0) <= OUTPUT_HIGH_WATER) return undefined;
    this.draining = new Promise<void>((resolve) => this.out.once('drain', resolve)).then(() => (this.draining = undefined));
    return this.draining;
  }
}
