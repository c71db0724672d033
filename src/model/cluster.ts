/**
 * One connection to one cluster, free of vscode: connect and close, the status, the API client
 * and user, the saved position per host, and who follows which events.
 *
 * - Features follow events: `follow(owner, filters)` returns a Disposable. The stream subscribes
 *   to the union of every owner's filters (just `[]` when one of them wants everything). Each
 *   event arrives tagged with the owners whose filters it matches; filters are compiled once.
 * - A change subscribes the new filters before it unsubscribes the old, so nothing is missed
 *   between; the connection is never dropped for it.
 * - Close means closed: nothing reconnects until connect() is called again.
 * - Every (re)connection resumes after the last event id read on that host, persisted per host
 *   across reloads, so events in a gap arrive once.
 */
import { ApiError, compileFilter, ConfigError, ConnectError, Emitter, InvalidTokenError, parseFilter, silentLogger, type ArvadosEvent, type ConnectionState, type CurrentUser, type Disposable, type Filter, type Logger } from '../arvados';
import { backoffDelay, isRetryable } from '../arvados/rest';
import { filterKey } from '../arvados/stream';
import type { ConnectionSettings, Opened, Opener, SessionApi } from './connection';
import { realScheduler, type Scheduler } from './scheduler';
import { storeKey, type KeyValueStore } from './store';

export type ClusterStatus =
  | { kind: 'unconfigured'; message: string }
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open'; connection: ConnectionState }
  | { kind: 'closed' }
  /** The first connection failed for a reason that may pass (the host is down, a 502): it tries again by itself at `retryAt`. */
  | { kind: 'waiting'; message: string; cause: ErrorCause; host?: string; attempt: number; retryAt: number }
  /** Failed for a reason only the user can fix (a refused token, an untrusted certificate): nothing retries until they act. */
  | { kind: 'error'; message: string; cause: ErrorCause; host?: string };

/** What kind of failure, for the right advice (context key `arvados.errorKind`). */
export type ErrorCause = 'token' | 'certificate' | 'unreachable' | 'other';

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

function causeOf(err: unknown): ErrorCause {
  if (err instanceof InvalidTokenError || (err instanceof Error && /token was refused/i.test(err.message))) return 'token';
  if (err instanceof ConnectError) return CERTIFICATE_CODES.test(err.code ?? '') ? 'certificate' : 'unreachable';
  return 'other';
}

/** Whether a failed first connection may succeed later without the user: not for a token or a certificate. */
function mayPass(err: unknown, cause: ErrorCause): boolean {
  if (cause === 'token' || cause === 'certificate') return false;
  if (cause === 'unreachable') return true;
  return err instanceof ApiError && isRetryable(err);
}

/** How long a failed first connection waits before it tries again: capped backoff with jitter. */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 15_000 };

/** The value of the `arvados.connectionState` context key. */
export type ConnectionKey = 'unconfigured' | 'idle' | 'connecting' | 'catching-up' | 'live' | 'polling' | 'reconnecting' | 'waiting' | 'closed' | 'error';

export function connectionKey(status: ClusterStatus): ConnectionKey {
  if (status.kind !== 'open') return status.kind;
  const s = status.connection.status;
  return s === 'closed' ? 'closed' : s;
}

/** An event with the cluster it came from and the owners whose filters it matches. */
export interface FollowedEvent {
  event: ArvadosEvent;
  host: string;
  owners: ReadonlySet<string>;
}

export interface ClusterDeps {
  open: Opener;
  store: KeyValueStore;
  logger?: Logger;
  scheduler?: Scheduler;
  /** How often the last event id is written to the store at most. */
  persistIntervalMs?: number;
  /** The host shown before the first connection (the one the settings point at). */
  expectedHost?: string;
  /** Retries of a failed first connection (default DEFAULT_RETRY). */
  retry?: RetryPolicy;
  random?: () => number;
}

/** What a feature needs to follow events: the connection, or a test double. */
export interface Follows {
  follow(owner: string, filters: readonly unknown[]): Disposable;
}

/**
 * What one owner follows, when it changes over time: `set` follows the new filters, then drops
 * the old ones (nothing is missed between), and does nothing when they are the same.
 */
export class Following implements Disposable {
  private current?: Disposable;
  private key?: string;

  constructor(
    private readonly connection: Follows,
    readonly owner: string,
  ) {}

  /** Throws FilterError, changing nothing, for an invalid filter. */
  set(filters: readonly unknown[]): void {
    const key = filters.map((f) => filterKey(parseFilter(f))).join('\n');
    if (key === this.key && this.current) return;
    const before = this.current;
    this.current = this.connection.follow(this.owner, filters);
    this.key = key;
    before?.dispose();
  }

  dispose(): void {
    this.current?.dispose();
    this.current = undefined;
    this.key = undefined;
  }
}

interface Follower {
  owner: string;
  filters: Filter[];
  tests: Array<(ev: ArvadosEvent) => boolean>;
}

export class ClusterConnection implements Follows {
  private settings: ConnectionSettings;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly followers = new Set<Follower>();
  /** ownersOf's scratch list, and the set it last handed out. */
  private readonly matchedOwners: string[] = [];
  private lastOwners: ReadonlySet<string> = new Set();
  private current?: Opened;
  private streamListeners: Disposable[] = [];
  private statusValue: ClusterStatus = { kind: 'idle' };
  private generation = 0;
  private lastHost?: string;
  private lastClusterId?: string;
  /** The position not yet written, and the last one written, of `lastHost`. */
  private position?: number;
  private savedPosition?: number;
  private persistTimer: unknown;
  private readonly persistIntervalMs: number;
  private disposed = false;
  /** The host the last attempt went to (known before it succeeds or fails), for the messages. */
  private attemptHost?: string;
  private retryTimer: unknown;
  /** Failed attempts in a row while waiting for the host. */
  private failures = 0;
  /** The last state the engine reported, to log a state once even when the engine repeats it. */
  private lastLogged = '';

  private readonly statusEmitter = new Emitter<ClusterStatus>();
  readonly onStatus = this.statusEmitter.event;
  private readonly eventEmitter = new Emitter<FollowedEvent>();
  /** Every event as it arrives, tagged with its owners. */
  readonly onEvent = this.eventEmitter.event;
  private readonly skippedEmitter = new Emitter<number>();
  /** Events the engine skipped while filling a gap (more than it reads back). */
  readonly onSkipped = this.skippedEmitter.event;

  constructor(
    private readonly deps: ClusterDeps,
    settings: ConnectionSettings,
  ) {
    this.settings = { ...settings };
    this.logger = deps.logger ?? silentLogger;
    this.scheduler = deps.scheduler ?? realScheduler;
    this.persistIntervalMs = deps.persistIntervalMs ?? 2000;
    this.lastHost = deps.expectedHost;
    this.savedPosition = deps.expectedHost ? this.savedId(deps.expectedHost) : undefined;
  }

  // ------------------------------------------------------------------------------------------
  // State

  get status(): ClusterStatus {
    return this.statusValue;
  }

  get connectionKey(): ConnectionKey {
    return connectionKey(this.statusValue);
  }

  /** True while a stream exists (connected, catching up, polling or reconnecting). */
  get isOpen(): boolean {
    return this.current !== undefined;
  }

  get user(): CurrentUser | undefined {
    return this.current?.user;
  }

  get workbenchUrl(): string | undefined {
    return this.current?.workbenchUrl;
  }

  get api(): SessionApi | undefined {
    return this.current?.api;
  }

  /** The host of the open connection, or the last one tried, connected to (or expected). */
  get host(): string | undefined {
    return this.current?.host ?? this.attemptHost ?? this.lastHost;
  }

  /** Why the stream polls (its transport is `poll`), in words; undefined on a websocket. */
  get pollReason(): string | undefined {
    return this.current?.stream.transport === 'poll' ? this.current.pollReason : undefined;
  }

  /** How often the logs API is read when polling. */
  get pollIntervalMs(): number {
    return this.settings.pollIntervalMs;
  }

  /** The cluster id (the first five characters of its UUIDs), once connected. */
  get clusterId(): string | undefined {
    return this.current?.clusterId ?? this.lastClusterId;
  }

  get transport(): string | undefined {
    return this.current?.stream.transport;
  }

  updateSettings(settings: ConnectionSettings): void {
    this.settings = { ...settings };
  }

  // ------------------------------------------------------------------------------------------
  // Subscriptions

  /**
   * Follows the events matching any of `filters` (`[]` is every event) for `owner`, until the
   * result is disposed. Invalid filters throw FilterError and change nothing. To change what an
   * owner follows, follow the new filters, then dispose the old: nothing is missed between.
   */
  follow(owner: string, filters: readonly unknown[]): Disposable {
    const parsed = filters.map((f) => parseFilter(f));
    const follower: Follower = { owner, filters: parsed, tests: parsed.map((f) => compileFilter(f)) };
    this.followers.add(follower);
    this.reconcile();
    return {
      dispose: () => {
        if (this.followers.delete(follower)) this.reconcile();
      },
    };
  }

  /** What the stream subscribes to: every owner's filters, once each; only `[]` when one of them is. */
  private get effectiveFilters(): Filter[] {
    const out: Filter[] = [];
    const seen = new Set<string>();
    for (const follower of this.followers) {
      for (const f of follower.filters) {
        if (!f.length) return [[]];
        const key = filterKey(f);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(structuredClone(f));
      }
    }
    return out;
  }

  /** Makes the stream's subscriptions match the followers': new ones first, so nothing is missed between. */
  private reconcile(): void {
    const stream = this.current?.stream;
    if (!stream) return;
    const want = this.effectiveFilters;
    const wantKeys = new Set(want.map(filterKey));
    const have = [...stream.filters];
    const haveKeys = new Set(have.map(filterKey));
    for (const f of want) {
      if (haveKeys.has(filterKey(f))) continue;
      stream.subscribe(f);
      this.logger.info(`Subscribed to ${JSON.stringify(f)}`);
    }
    for (const f of have) {
      if (wantKeys.has(filterKey(f))) continue;
      stream.unsubscribe(f);
      this.logger.info(`Unsubscribed from ${JSON.stringify(f)}`);
    }
  }

  /**
   * The owners whose filters `ev` matches. The events of a burst mostly have the same owners: the
   * last set is handed out again rather than a new one per event (the sets are read-only).
   */
  private ownersOf(ev: ArvadosEvent): ReadonlySet<string> {
    const matched = this.matchedOwners;
    matched.length = 0;
    for (const f of this.followers) if (!matched.includes(f.owner) && f.tests.some((test) => test(ev))) matched.push(f.owner);
    let same = matched.length === this.lastOwners.size;
    for (let i = 0; same && i < matched.length; i++) same = this.lastOwners.has(matched[i]);
    if (!same) this.lastOwners = new Set(matched);
    return this.lastOwners;
  }

  // ------------------------------------------------------------------------------------------
  // Connection

  /**
   * Connects (closing any current stream first). Never throws: failures become the status. A
   * failure that may pass (the host cannot be reached, a 502) becomes `waiting`, and the
   * connection tries again by itself, with capped backoff, until it succeeds or is closed.
   */
  async connect(): Promise<void> {
    this.failures = 0;
    await this.attempt();
  }

  /** While waiting for the host: tries now rather than at the next scheduled time (the window regained focus). */
  retryNow(): void {
    if (this.statusValue.kind === 'waiting') void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.disposed) return;
    this.cancelRetry();
    const gen = ++this.generation;
    await this.dropStream();
    if (gen !== this.generation) return;
    if (this.statusValue.kind !== 'waiting') this.setStatus({ kind: 'connecting' });
    let opened: Opened;
    this.attemptHost = undefined;
    try {
      opened = await this.deps.open({
        settings: this.settings,
        filters: this.effectiveFilters,
        lastLogIdFor: (host) => this.savedId(host),
        logger: this.logger,
        onHost: (host) => {
          if (gen === this.generation) this.attemptHost = host;
        },
      });
    } catch (err) {
      if (gen !== this.generation) return;
      this.failed(err);
      return;
    }
    if (gen !== this.generation || this.disposed) {
      // Closed or reconnected while this one was opening: it must not deliver anything.
      await opened.stream.close();
      opened.api.dispose();
      return;
    }
    this.attach(opened, gen);
  }

  private failed(err: unknown): void {
    const message = (err as Error).message ?? String(err);
    const host = this.attemptHost;
    if (err instanceof ConfigError) {
      this.logger.warn(`Not configured: ${message}`);
      this.setStatus({ kind: 'unconfigured', message });
      return;
    }
    const cause = causeOf(err);
    if (!mayPass(err, cause)) {
      this.logger.error(`Cannot connect: ${message}`);
      this.setStatus({ kind: 'error', message, cause, ...(host ? { host } : {}) });
      return;
    }
    this.failures++;
    const policy = this.deps.retry ?? DEFAULT_RETRY;
    const delay = backoffDelay(this.failures, policy.initialMs, policy.maxMs, this.deps.random);
    this.logger.warn(`Cannot connect (attempt ${this.failures}), trying again in ${Math.round(delay / 100) / 10} s: ${message}`);
    const gen = this.generation;
    this.retryTimer = this.scheduler.setTimeout(() => {
      this.retryTimer = undefined;
      if (gen === this.generation && this.statusValue.kind === 'waiting') void this.attempt();
    }, delay);
    this.setStatus({ kind: 'waiting', message, cause, ...(host ? { host } : {}), attempt: this.failures, retryAt: this.scheduler.now() + delay });
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Closes the stream; nothing reconnects until connect(). */
  async close(): Promise<void> {
    this.cancelRetry();
    const gen = ++this.generation;
    const had = this.current !== undefined || this.statusValue.kind === 'connecting' || this.statusValue.kind === 'waiting';
    await this.dropStream();
    if (gen !== this.generation) return;
    if (had) this.logger.info('Connection closed');
    this.setStatus({ kind: 'closed' });
  }

  reconnect(): Promise<void> {
    this.logger.info('Reconnecting');
    return this.connect();
  }

  /** After a change of settings or credentials: reconnects, unless the user closed the connection. */
  async reconnectUnlessClosed(): Promise<void> {
    if (this.statusValue.kind !== 'closed') await this.reconnect();
  }

  private attach(opened: Opened, gen: number): void {
    this.current = opened;
    this.lastClusterId = opened.clusterId ?? this.lastClusterId;
    this.failures = 0;
    this.lastLogged = '';
    const { stream } = opened;
    if (this.lastHost !== opened.host) {
      // Another cluster: its position is its own.
      this.lastHost = opened.host;
      this.position = undefined;
      this.savedPosition = this.savedId(opened.host);
    }
    const who = opened.user.username || opened.user.full_name || opened.user.uuid;
    this.logger.info(`Connected to ${opened.host} as ${who} (${stream.transport === 'poll' ? 'polling the logs API' : 'websocket'})`);
    const host = opened.host;
    this.streamListeners = [
      stream.onEvent((event) => this.eventEmitter.fire({ event, host, owners: this.ownersOf(event) }, (e) => this.listenerFailed(e))),
      stream.onState((s) => this.onStreamState(s, gen)),
      stream.onSkipped((n) => this.skippedEmitter.fire(n, (e) => this.listenerFailed(e))),
    ];
    // Followers may have changed while connecting.
    this.reconcile();
    this.setStatus({ kind: 'open', connection: stream.state });
    this.schedulePersist();
  }

  private onStreamState(state: ConnectionState, gen: number): void {
    if (gen !== this.generation) return;
    if (state.status === 'closed') {
      // Not ours (close() bumps the generation first): the engine gave up, e.g. the token was refused.
      const message = state.error?.message ?? state.reason ?? 'The connection closed.';
      this.logger.error(`Connection lost: ${message}`);
      const host = this.current?.host;
      void this.dropStream().then(() => {
        if (gen === this.generation) this.setStatus({ kind: 'error', message, cause: causeOf(state.error), ...(host ? { host } : {}) });
      });
      return;
    }
    // The engine repeats a state (reconnecting, while it makes the attempt it announced): one line each.
    const key = state.status === 'reconnecting' ? `reconnecting ${state.attempt}` : state.status === 'catching-up' ? `catching-up ${state.since}` : state.status;
    if (key !== this.lastLogged) {
      this.lastLogged = key;
      if (state.status === 'reconnecting') this.logger.warn(`Reconnecting (attempt ${state.attempt}, in ${Math.round(state.delayMs / 100) / 10} s): ${state.reason}`);
      else if (state.status === 'live') this.logger.info('Live');
      else if (state.status === 'catching-up') this.logger.info(`Catching up after event ${state.since}`);
    }
    this.setStatus({ kind: 'open', connection: state });
  }

  private async dropStream(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.notePosition(current);
    for (const d of this.streamListeners) d.dispose();
    this.streamListeners = [];
    try {
      await current.stream.close();
    } catch (err) {
      this.logger.warn(`Closing the stream failed: ${(err as Error).message}`);
    }
    current.api.dispose();
    this.notePosition(current);
    // Awaited: at shutdown this is what the next window resumes from.
    await this.persistNow();
  }

  private listenerFailed(err: unknown): void {
    this.logger.error(`A listener failed: ${(err as Error)?.stack ?? String(err)}`);
  }

  private setStatus(status: ClusterStatus): void {
    this.statusValue = status;
    this.statusEmitter.fire(status, (e) => this.listenerFailed(e));
  }

  // ------------------------------------------------------------------------------------------
  // The saved position, per host

  private savedId(host: string): number | undefined {
    const id = this.deps.store.get<unknown>(storeKey('position', host));
    return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
  }

  private notePosition(opened: Opened): void {
    const id = opened.stream.lastEventId;
    if (!id || opened.host !== this.lastHost) return;
    this.position = Math.max(this.position ?? this.savedPosition ?? 0, id);
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined || this.disposed) return;
    this.persistTimer = this.scheduler.setTimeout(() => {
      this.persistTimer = undefined;
      if (!this.current) return;
      void this.persistNow();
      this.schedulePersist();
    }, this.persistIntervalMs);
  }

  /** Writes the last event id if it moved; resolves when the store has it. */
  private persistNow(): Promise<void> {
    if (this.current) this.notePosition(this.current);
    const host = this.lastHost;
    if (!host || !this.position || this.position === this.savedPosition) return Promise.resolve();
    this.savedPosition = this.position;
    return Promise.resolve(this.deps.store.update(storeKey('position', host), this.position));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    // At once, before any await: at shutdown nothing may wait for the stream to close.
    void this.persistNow();
    this.cancelRetry();
    this.generation++;
    await this.dropStream();
    this.disposed = true;
    if (this.persistTimer !== undefined) this.scheduler.clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.followers.clear();
    for (const e of [this.statusEmitter, this.eventEmitter, this.skippedEmitter]) (e as Emitter<unknown>).dispose();
  }
}
