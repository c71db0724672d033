/**
 * Follows the live log of one container request through the container request log endpoint
 * (`/arvados/v1/container_requests/<cr>/log/<container>/<file>`), as Workbench2's log panel and
 * `arvados-client logs -f` do, but:
 * - it reads only new bytes, in bounded chunks, and never holds a whole file;
 * - it merges the files by timestamp, keeping each file's order and continuation lines together;
 * - when the request is retried it drains the old container's log, then follows the new one;
 * - at Final it reads once more, then reports the outcome (succeeded, failed with an exit code,
 *   or cancelled);
 * - it reads every 2 s while the container runs, less often while it waits, and at once when
 *   told to (`poke`: the websocket delivered an event about the request or its container).
 * A 503 or a network error is retried with backoff; a 404 is a file not written yet; a 401 ends
 * it with InvalidTokenError.
 */
import { AbortedError, ApiError, FeatureNotEnabledError, InvalidTokenError } from './errors';
import { LineSplitter, mergeByTime, type LogLine } from './logLines';
import { backoffDelay, isRetryable, type ApiClient } from './rest';
import type { Logger } from './types';
import { silentLogger } from './types';

export const DEFAULT_LOG_FILES = ['crunch-run.txt', 'stderr.txt'];

/** What the follower needs of the API client. */
export type LogApi = Pick<ApiClient, 'request' | 'list' | 'exchange' | 'errorFor' | 'kinds' | 'host' | 'redact'>;

export type ProcessOutcome = { kind: 'succeeded' } | { kind: 'failed'; exitCode: number | null } | { kind: 'cancelled' };

/** Where the process stands, for a first line such as "Running on container X". */
export type ProcessPhase =
  | { phase: 'waiting'; requestState: string }
  | { phase: 'queued'; containerUuid: string; containerState: string; schedulingStatus?: string }
  | { phase: 'running'; containerUuid: string }
  | { phase: 'finished'; containerUuid?: string; outcome: ProcessOutcome };

export interface ProcessLogOptions {
  /** Files to follow (default crunch-run.txt and stderr.txt, as arvados-client). */
  files?: string[];
  /** Start at the beginning of each file, rather than its last `tailBytes`. */
  fromStart?: boolean;
  tailBytes?: number;
  /** Keep following until the request is Final (otherwise: one read, then stop). */
  follow?: boolean;
  runningIntervalMs?: number;
  waitingIntervalMs?: number;
  /** Most bytes asked for in one request. */
  chunkBytes?: number;
  logger?: Logger;
  /** New lines, merged, and the container that wrote them; awaited before more is read. */
  onLines(lines: LogLine[], container: string): void | Promise<void>;
  onPhase?(phase: ProcessPhase): void;
}

interface ContainerRequest {
  uuid: string;
  name?: string;
  state: string;
  container_uuid: string | null;
  priority?: number;
}

interface Container {
  uuid: string;
  state: string;
  exit_code: number | null;
}

/** One container's folder: a splitter and a read offset per file. */
class ContainerLog {
  readonly offsets = new Map<string, number>();
  readonly splitters = new Map<string, LineSplitter>();
  /** True until the first read has placed each file's offset (at its tail, or 0). */
  placed = false;
  constructor(readonly uuid: string, files: string[]) {
    for (const f of files) {
      this.offsets.set(f, 0);
      this.splitters.set(f, new LineSplitter(f));
    }
  }
}

export class ProcessLogFollower {
  private readonly files: string[];
  private readonly chunkBytes: number;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private wake?: () => void;
  private pokes = 0;
  private current?: ContainerLog;
  private lastPhase = '';
  private failures = 0;
  /** True until the first container's files are placed: only those start at their tail. */
  private firstContainer = true;
  /** The request's UUID once resolved (a container's UUID is resolved to its request). */
  requestUuid?: string;
  requestName?: string;

  constructor(
    private readonly api: LogApi,
    private readonly uuid: string,
    private readonly options: ProcessLogOptions,
  ) {
    this.files = options.files?.length ? [...new Set(options.files)] : DEFAULT_LOG_FILES;
    this.chunkBytes = Math.max(1024, options.chunkBytes ?? 1024 * 1024);
    this.logger = options.logger ?? silentLogger;
  }

  /** Reads now rather than at the next interval. */
  poke(): void {
    this.pokes++;
    this.wake?.();
  }

  /** Stops: no request is made and no line delivered after this. */
  close(): void {
    this.abort.abort();
    this.wake?.();
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /**
   * Follows until the request is Final (resolving with its outcome) or, without `follow`, reads
   * what is there and resolves with the outcome if it is already Final, else undefined.
   * Rejects with InvalidTokenError, FeatureNotEnabledError (no log endpoint), or an ApiError for
   * a UUID that is not a container request or container.
   */
  async run(): Promise<ProcessOutcome | undefined> {
    const signal = this.abort.signal;
    try {
      const requestUuid = await this.resolveRequest();
      await this.checkSupport(requestUuid);
      for (;;) {
        let cr: ContainerRequest;
        try {
          cr = await this.api.request<ContainerRequest>('GET', `/arvados/v1/container_requests/${requestUuid}`, {}, { signal, retries: 0 });
          this.requestName = cr.name ?? this.requestName;
          if (cr.container_uuid !== (this.current?.uuid ?? null)) {
            // A retry: what the old container wrote comes first, to its end.
            if (this.current) await this.readAll(requestUuid, this.current, true);
            this.current = cr.container_uuid ? new ContainerLog(cr.container_uuid, this.files) : undefined;
          }
          const container = this.current ? await this.containerOf(this.current.uuid) : undefined;
          if (cr.state === 'Final') {
            if (this.current) await this.readAll(requestUuid, this.current, true);
            const outcome = outcomeOf(container);
            this.setPhase({ phase: 'finished', containerUuid: this.current?.uuid, outcome });
            return outcome;
          }
          if (!this.current || !container) this.setPhase({ phase: 'waiting', requestState: cr.state });
          else if (container.state === 'Queued' || container.state === 'Locked') {
            this.setPhase({ phase: 'queued', containerUuid: container.uuid, containerState: container.state, schedulingStatus: await this.schedulingStatus(requestUuid) });
          } else this.setPhase({ phase: 'running', containerUuid: container.uuid });
          if (this.current) await this.readAll(requestUuid, this.current, false);
          if (!this.options.follow) return undefined;
          if (this.failures) this.logger.info('The log endpoint answers again');
          this.failures = 0;
          const running = container?.state === 'Running';
          await this.pause(running ? (this.options.runningIntervalMs ?? 2_000) : (this.options.waitingIntervalMs ?? 10_000));
        } catch (err) {
          if (!this.retryable(err)) throw err;
          this.failures++;
          const delay = backoffDelay(this.failures, 1_000, 30_000);
          if (this.failures === 1 || this.failures % 10 === 0) this.logger.warn(`${(err as Error).message}; trying again in ${Math.round(delay / 100) / 10} s`);
          await this.pause(delay);
        }
        if (signal.aborted) throw new AbortedError();
      }
    } catch (err) {
      if (signal.aborted) return undefined;
      throw err;
    }
  }

  /** The REST client's rule (503s and network errors, not a TLS trust error), unless closed. */
  private retryable(err: unknown): boolean {
    return !this.abort.signal.aborted && isRetryable(err);
  }

  /** A container request's UUID as given, or the request of a container (the newest that uses it). */
  private async resolveRequest(): Promise<string> {
    const kind = this.api.kinds.kindOf(this.uuid);
    if (kind === 'arvados#containerRequest') return (this.requestUuid = this.uuid);
    if (kind !== 'arvados#container') throw new ApiError(`${this.uuid} is neither a container request nor a container`, 400);
    const page = await this.api.list<ContainerRequest>(
      'container_requests',
      { filters: [['container_uuid', '=', this.uuid]], order: ['created_at desc'], limit: 1, select: ['uuid', 'name'] },
      { signal: this.abort.signal },
    );
    if (!page.items.length) throw new ApiError(`No container request that you can read uses the container ${this.uuid}`, 404);
    this.requestName = page.items[0].name;
    return (this.requestUuid = page.items[0].uuid);
  }

  /** An old server answers OPTIONS on the log route without a `Dav` header (arvados-client's check). */
  private async checkSupport(requestUuid: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.api.exchange('OPTIONS', `/arvados/v1/container_requests/${requestUuid}/log/`, { signal: this.abort.signal });
        if (res.status === 401) throw this.api.errorFor('OPTIONS', 'the log endpoint', 401, res.body.toString('utf8'));
        if (res.headers.dav !== undefined) return;
        if (res.status >= 200 && res.status < 300) {
          throw new FeatureNotEnabledError(`${this.api.host} has no container request log endpoint (its answer to OPTIONS has no Dav header): live logs need Arvados 2.6 or later.`);
        }
        // An error without Dav proves nothing: the request itself may be unknown or unreadable (or a 503, tried again).
        throw this.api.errorFor('OPTIONS', `/arvados/v1/container_requests/${requestUuid}/log/`, res.status, res.body.toString('utf8'));
      } catch (err) {
        if (!this.retryable(err) || attempt >= 5) throw err;
        await this.pause(backoffDelay(attempt, 500, 5_000));
      }
    }
  }

  private async containerOf(uuid: string): Promise<Container | undefined> {
    try {
      return await this.api.request<Container>('GET', `/arvados/v1/containers/${uuid}`, { select: JSON.stringify(['uuid', 'state', 'exit_code']) }, { signal: this.abort.signal, retries: 0 });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async schedulingStatus(requestUuid: string): Promise<string | undefined> {
    try {
      const s = await this.api.request<{ scheduling_status?: string }>('GET', `/arvados/v1/container_requests/${requestUuid}/container_status`, {}, { signal: this.abort.signal, retries: 0 });
      return s.scheduling_status || undefined;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      return undefined; // an older server: no scheduling status
    }
  }

  private setPhase(phase: ProcessPhase): void {
    const key = JSON.stringify(phase);
    if (key === this.lastPhase) return;
    this.lastPhase = key;
    this.options.onPhase?.(phase);
  }

  /** Waits `ms`, or less if poked or closed. */
  private async pause(ms: number): Promise<void> {
    if (this.pokes) return void (this.pokes = 0);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
    this.pokes = 0;
  }

  /** The size of each file in a container's folder (PROPFIND, as Workbench2); a missing folder is empty. */
  private async sizes(requestUuid: string, container: string): Promise<Map<string, number>> {
    const path = `/arvados/v1/container_requests/${requestUuid}/log/${container}/`;
    const res = await this.api.exchange('PROPFIND', path, { headers: { Depth: '1' }, signal: this.abort.signal, maxBytes: 4 * 1024 * 1024 });
    if (res.status === 404) return new Map();
    if (res.status !== 207) throw this.api.errorFor('PROPFIND', path, res.status, res.body.toString('utf8'));
    return parseMultistatusSizes(res.body.toString('utf8'));
  }

  /** Reads every file's new bytes, a chunk per file per round, merged, until caught up. `final` also ends partial lines. */
  private async readAll(requestUuid: string, log: ContainerLog, final: boolean): Promise<void> {
    const signal = this.abort.signal;
    let sizes = await this.sizes(requestUuid, log.uuid);
    for (;;) {
      if (!log.placed) {
        log.placed = true;
        // The first container is entered at its tail unless asked for all; a retry's container from its start.
        const tail = this.options.fromStart || !this.firstContainer ? undefined : (this.options.tailBytes ?? 10_000);
        this.firstContainer = false;
        if (tail !== undefined) {
          for (const f of this.files) {
            const size = sizes.get(f) ?? 0;
            if (size > tail) {
              log.offsets.set(f, size - tail);
              log.splitters.get(f)!.enterMidLine();
            }
          }
        }
      }
      let more = false;
      const perFile: LogLine[][] = [];
      for (const f of this.files) {
        const size = sizes.get(f) ?? 0;
        const offset = log.offsets.get(f)!;
        const lines: LogLine[] = [];
        if (size > offset) {
          const end = Math.min(size, offset + this.chunkBytes) - 1;
          const chunk = await this.range(requestUuid, log.uuid, f, offset, end);
          if (chunk.length) {
            log.offsets.set(f, offset + chunk.length);
            lines.push(...log.splitters.get(f)!.push(chunk));
          }
          if (offset + chunk.length < size) more = true;
        }
        if (final && !more && log.offsets.get(f)! >= size) lines.push(...log.splitters.get(f)!.flush());
        perFile.push(lines);
      }
      if (signal.aborted) return;
      const merged = mergeByTime(perFile);
      if (merged.length) await this.options.onLines(merged, log.uuid);
      if (signal.aborted) return;
      // Caught up with the sizes read: look again only at the end of a final read (a file may have grown since).
      if (!more) {
        if (!final) return;
        const now = await this.sizes(requestUuid, log.uuid);
        if (this.files.every((f) => (now.get(f) ?? 0) <= log.offsets.get(f)!)) return;
        sizes = now;
      }
    }
  }


  /** Bytes [start, end] of a file; empty when it is not there yet (404) or shorter than thought (416). */
  private async range(requestUuid: string, container: string, file: string, start: number, end: number): Promise<Buffer> {
    const path = `/arvados/v1/container_requests/${requestUuid}/log/${container}/${encodeURIComponent(file)}`;
    const res = await this.api.exchange('GET', path, { headers: { Range: `bytes=${start}-${end}` }, signal: this.abort.signal, maxBytes: end - start + 1 + 1024 });
    if (res.status === 404 || res.status === 416) return Buffer.alloc(0);
    if (res.status === 206) return res.body;
    // A server that ignores Range answers 200 with the whole file: keep only what was asked for.
    if (res.status === 200) return res.body.subarray(start, end + 1);
    throw this.api.errorFor('GET', path, res.status, res.body.toString('utf8'));
  }
}

/** The outcome of a Final request from its container: Complete with 0 succeeded, other codes failed, else cancelled. */
export function outcomeOf(container: Pick<Container, 'state' | 'exit_code'> | undefined): ProcessOutcome {
  if (container?.state === 'Complete') return container.exit_code === 0 ? { kind: 'succeeded' } : { kind: 'failed', exitCode: container.exit_code };
  return { kind: 'cancelled' };
}

/** `getcontentlength` of each file in a WebDAV 207 multistatus answer, by file name. */
export function parseMultistatusSizes(xml: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const m of xml.matchAll(/<(?:\w+:)?response\b[\s\S]*?<\/(?:\w+:)?response>/g)) {
    const block = m[0];
    const href = /<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/.exec(block)?.[1];
    const length = /<(?:\w+:)?getcontentlength>\s*(\d+)\s*<\/(?:\w+:)?getcontentlength>/.exec(block)?.[1];
    if (!href || length === undefined || href.endsWith('/')) continue;
    let name = href.split('/').pop() ?? '';
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep it as sent
    }
    if (name) sizes.set(name, Number(length));
  }
  return sizes;
}
