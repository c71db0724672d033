/**
 * The connection controller, free of vscode: owns the API client and the event stream, the list
 * of filters, pause/resume and the persistence of what must survive a reload.
 *
 * - No filters means everything: the stream then holds a single `[]` subscription. The first
 *   filter replaces it (narrowing), removing the last brings it back (widening). Filter changes
 *   re-subscribe on the open stream; the connection is never dropped for them.
 * - Close means closed: nothing reconnects until connect() is called again.
 * - Every (re)connection resumes after the last event id seen on that host, persisted across
 *   reloads, so events in a gap arrive once.
 * - Pause keeps the connection: events are held (bounded, overflow counted) and shown on resume.
 * - Views receive events in batches, at most 4 a second (onBatch); onEvent sees every event as it
 *   arrives, for notifications and the log.
 * - Background filters (watched objects, "my container requests") are subscribed too when the
 *   user's filters are narrower than everything, so notifications keep working; their events
 *   reach onEvent but not the views unless a user filter also matches them.
 */
import { compileFilter, ConfigError, ConnectError, Emitter, InvalidTokenError, parseFilter, silentLogger, type ArvadosEvent, type ConnectionState, type CurrentUser, type Filter, type Logger } from '../arvados';
import { filterKey } from '../arvados/stream';
import { Batcher } from './batcher';
import type { ConnectionSettings, Opened, Opener, SessionApi } from './connection';
import { RateMeter } from './rate';
import { Ring } from './ring';
import { realScheduler, type Scheduler } from './scheduler';
import { STORE_KEYS, type KeyValueStore } from './store';

export type SessionStatus =
  | { kind: 'unconfigured'; message: string }
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open'; connection: ConnectionState }
  | { kind: 'closed' }
  | { kind: 'error'; message: string; cause: ErrorCause };

/** What kind of failure, for the right advice (context key `arvados.errorKind`). */
export type ErrorCause = 'token' | 'certificate' | 'unreachable' | 'other';

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

export function causeOf(err: unknown): ErrorCause {
  if (err instanceof InvalidTokenError || (err instanceof Error && /token was refused/i.test(err.message))) return 'token';
  if (err instanceof ConnectError) return CERTIFICATE_CODES.test(err.code ?? '') ? 'certificate' : 'unreachable';
  return 'other';
}

/** The value of the `arvados.connectionState` context key. */
export type ConnectionKey = 'unconfigured' | 'idle' | 'connecting' | 'catching-up' | 'live' | 'polling' | 'reconnecting' | 'closed' | 'error';

export function connectionKey(status: SessionStatus): ConnectionKey {
  if (status.kind !== 'open') return status.kind;
  const s = status.connection.status;
  return s === 'closed' ? 'closed' : s;
}

export interface SessionSettings extends ConnectionSettings {
  /** Events shown at most; also the bound of the paused backlog and of each batch. */
  bufferSize: number;
}

export interface SessionDeps {
  open: Opener;
  store: KeyValueStore;
  logger?: Logger;
  scheduler?: Scheduler;
  /** Minimum time between two batches to the views. */
  batchIntervalMs?: number;
  /** How often the last event id is written to the store at most. */
  persistIntervalMs?: number;
}

export interface EventBatch {
  events: ArvadosEvent[];
  /** Events lost before the views saw them (a bounded queue overflowed). */
  dropped: number;
}

interface SavedPosition {
  host: string;
  id: number;
}

export class Session {
  private settings: SessionSettings;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private userFilters: Filter[];
  private backgroundFilters: Filter[] = [];
  /** Whether an event matches a user filter; undefined when every event does. */
  private shown?: (ev: ArvadosEvent) => boolean;
  private current?: Opened;
  private subscriptions: Array<{ dispose(): void }> = [];
  private statusValue: SessionStatus = { kind: 'idle' };
  private generation = 0;
  private isPaused = false;
  private backlog: Ring<ArvadosEvent>;
  private arrivedWhilePaused = 0;
  private droppedWhilePaused = 0;
  private readonly batcher: Batcher<ArvadosEvent>;
  private readonly meter = new RateMeter();
  private position?: SavedPosition;
  private savedId?: number;
  private persistTimer: unknown;
  private readonly persistIntervalMs: number;
  private lastEventAtValue?: string;
  private disposed = false;

  private readonly statusEmitter = new Emitter<SessionStatus>();
  private readonly filtersEmitter = new Emitter<readonly Filter[]>();
  private readonly pausedEmitter = new Emitter<boolean>();
  private readonly eventEmitter = new Emitter<ArvadosEvent>();
  private readonly batchEmitter = new Emitter<EventBatch>();
  private readonly skippedEmitter = new Emitter<number>();
  private readonly errorEmitter = new Emitter<Error>();
  readonly onStatus = this.statusEmitter.event;
  readonly onFilters = this.filtersEmitter.event;
  readonly onPaused = this.pausedEmitter.event;
  /** Every event as it arrives, paused or not. */
  readonly onEvent = this.eventEmitter.event;
  /** Events for the views: batched, held while paused. */
  readonly onBatch = this.batchEmitter.event;
  readonly onSkipped = this.skippedEmitter.event;
  /** Problems that do not stop the stream. */
  readonly onError = this.errorEmitter.event;

  constructor(
    private readonly deps: SessionDeps,
    settings: SessionSettings,
  ) {
    this.settings = { ...settings };
    this.logger = deps.logger ?? silentLogger;
    this.scheduler = deps.scheduler ?? realScheduler;
    this.persistIntervalMs = deps.persistIntervalMs ?? 2000;
    this.backlog = new Ring(settings.bufferSize);
    this.batcher = new Batcher<ArvadosEvent>({
      intervalMs: deps.batchIntervalMs ?? 250,
      maxItems: settings.bufferSize,
      scheduler: this.scheduler,
      flush: (events, dropped) => this.batchEmitter.fire({ events, dropped }, (e) => this.listenerFailed(e)),
    });
    this.userFilters = this.restoreFilters();
    const saved = deps.store.get<SavedPosition>(STORE_KEYS.lastEventId);
    if (saved && typeof saved.host === 'string' && Number.isSafeInteger(saved.id)) this.position = { ...saved };
    this.savedId = this.position?.id;
  }

  // ------------------------------------------------------------------------------------------
  // State

  get status(): SessionStatus {
    return this.statusValue;
  }

  get connectionKey(): ConnectionKey {
    return connectionKey(this.statusValue);
  }

  /** True while a stream exists (connected, catching up, polling or reconnecting). */
  get isOpen(): boolean {
    return this.current !== undefined;
  }

  /** The user's filters; empty means every event. */
  get filters(): readonly Filter[] {
    return this.userFilters;
  }

  /**
   * What the stream subscribes to: a single `[]` (everything) when there are no filters; else the
   * filters and the background filters.
   */
  get effectiveFilters(): Filter[] {
    if (!this.userFilters.length) return [[]];
    const out: Filter[] = [];
    const seen = new Set<string>();
    for (const f of [...this.userFilters, ...this.backgroundFilters]) {
      const key = filterKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(structuredClone(f));
    }
    return out;
  }

  /**
   * Filters followed for notifications only (watched objects, my container requests). Invalid
   * ones throw FilterError.
   */
  setBackgroundFilters(filters: unknown[]): void {
    const parsed = filters.map((f) => parseFilter(f)).filter((f) => f.length > 0);
    if (parsed.map(filterKey).join('\n') === this.backgroundFilters.map(filterKey).join('\n')) return;
    this.backgroundFilters = parsed;
    this.updateShown();
    this.reconcile();
  }

  get background(): readonly Filter[] {
    return this.backgroundFilters;
  }

  private updateShown(): void {
    if (!this.userFilters.length || !this.backgroundFilters.length) {
      this.shown = undefined;
      return;
    }
    const tests = this.userFilters.map((f) => compileFilter(f));
    this.shown = (ev) => tests.some((test) => test(ev));
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Events that arrived since Pause. */
  get pausedCount(): number {
    return this.arrivedWhilePaused;
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

  /** The host of the open connection, or the last one connected to. */
  get host(): string | undefined {
    return this.current?.host ?? this.position?.host;
  }

  get transport(): string | undefined {
    return this.current?.stream.transport;
  }

  /** The highest event id seen on the current host. */
  get lastEventId(): number | undefined {
    const live = this.current?.stream.lastEventId;
    const saved = this.position?.id;
    if (live === undefined || live === 0) return saved;
    return Math.max(live, saved ?? 0);
  }

  /** `event_at` of the newest event received. */
  get lastEventAt(): string | undefined {
    return this.lastEventAtValue;
  }

  /** Events per second, averaged over the last few seconds. */
  rate(): number {
    return this.meter.perSecond(this.scheduler.now());
  }

  updateSettings(settings: Partial<SessionSettings>): void {
    const before = this.settings.bufferSize;
    this.settings = { ...this.settings, ...settings };
    if (this.settings.bufferSize !== before) {
      this.batcher.resize(this.settings.bufferSize);
      this.droppedWhilePaused += this.backlog.resize(this.settings.bufferSize).length;
    }
  }

  get currentSettings(): Readonly<SessionSettings> {
    return this.settings;
  }

  // ------------------------------------------------------------------------------------------
  // Connection

  /** Connects (closing any current stream first). Never throws: failures become the status. */
  async connect(): Promise<void> {
    if (this.disposed) return;
    const gen = ++this.generation;
    await this.dropStream();
    if (gen !== this.generation) return;
    this.setStatus({ kind: 'connecting' });
    let opened: Opened;
    try {
      opened = await this.deps.open({
        settings: this.settings,
        filters: this.effectiveFilters,
        lastLogIdFor: (host) => (this.position?.host === host && this.position.id > 0 ? this.position.id : undefined),
        logger: this.logger,
      });
    } catch (err) {
      if (gen !== this.generation) return;
      const message = (err as Error).message ?? String(err);
      if (err instanceof ConfigError) {
        this.logger.warn(`Not configured: ${message}`);
        this.setStatus({ kind: 'unconfigured', message });
      } else {
        this.logger.error(`Cannot connect: ${message}`);
        this.setStatus({ kind: 'error', message, cause: causeOf(err) });
      }
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

  /** Closes the stream; nothing reconnects until connect(). */
  async close(): Promise<void> {
    const gen = ++this.generation;
    const had = this.current !== undefined || this.statusValue.kind === 'connecting';
    await this.dropStream();
    if (gen !== this.generation) return;
    if (had) this.logger.info('Connection closed');
    this.setStatus({ kind: 'closed' });
  }

  reconnect(): Promise<void> {
    this.logger.info('Reconnecting');
    return this.connect();
  }

  private attach(opened: Opened, gen: number): void {
    this.current = opened;
    const { stream } = opened;
    if (this.position?.host !== opened.host) {
      // Another cluster: ids there mean nothing here.
      this.position = { host: opened.host, id: stream.lastEventId };
      this.savedId = undefined;
    }
    const who = opened.user.username || opened.user.full_name || opened.user.uuid;
    this.logger.info(`Connected to ${opened.host} as ${who} (${stream.transport === 'poll' ? 'polling the logs API' : 'websocket'})`);
    this.subscriptions = [
      stream.onEvent((ev) => this.receive(ev)),
      stream.onState((s) => this.onStreamState(s, gen)),
      stream.onSkipped((n) => this.skippedEmitter.fire(n, (e) => this.listenerFailed(e))),
      stream.onError((err) => this.errorEmitter.fire(err, (e) => this.listenerFailed(e))),
    ];
    // Filters may have changed while connecting.
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
      void this.dropStream().then(() => {
        if (gen === this.generation) this.setStatus({ kind: 'error', message, cause: causeOf(state.error) });
      });
      return;
    }
    if (state.status === 'reconnecting') this.logger.warn(`Reconnecting (attempt ${state.attempt}, in ${Math.round(state.delayMs / 100) / 10} s): ${state.reason}`);
    else if (state.status === 'live') this.logger.info('Live');
    else if (state.status === 'catching-up') this.logger.info(`Catching up after event ${state.since}`);
    this.setStatus({ kind: 'open', connection: state });
  }

  private async dropStream(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.notePosition(current);
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
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

  private receive(ev: ArvadosEvent): void {
    this.meter.record(this.scheduler.now());
    this.lastEventAtValue = ev.event_at || this.lastEventAtValue;
    this.eventEmitter.fire(ev, (e) => this.listenerFailed(e));
    // Events that only a background filter wanted are not for the views.
    if (this.shown && !this.shown(ev)) return;
    if (this.isPaused) {
      this.arrivedWhilePaused++;
      if (this.backlog.push(ev) !== undefined) this.droppedWhilePaused++;
    } else {
      this.batcher.push(ev);
    }
  }

  private listenerFailed(err: unknown): void {
    this.logger.error(`A listener failed: ${(err as Error)?.stack ?? String(err)}`);
  }

  private setStatus(status: SessionStatus): void {
    this.statusValue = status;
    this.statusEmitter.fire(status, (e) => this.listenerFailed(e));
  }

  // ------------------------------------------------------------------------------------------
  // Filters

  private restoreFilters(): Filter[] {
    const saved = this.deps.store.get<unknown[]>(STORE_KEYS.filters);
    const out: Filter[] = [];
    if (!Array.isArray(saved)) return out;
    for (const f of saved) {
      try {
        const parsed = parseFilter(f);
        // `[]` is "everything", which is what no filters already means.
        if (parsed.length && !out.some((g) => filterKey(g) === filterKey(parsed))) out.push(parsed);
      } catch (err) {
        this.logger?.warn?.(`Dropped a saved filter that no longer parses: ${(err as Error).message}`);
      }
    }
    return out;
  }

  private indexOf(filter: Filter): number {
    const key = filterKey(filter);
    return this.userFilters.findIndex((f) => filterKey(f) === key);
  }

  /**
   * Adds a filter (JSON text or a value). Throws FilterError, changing nothing, when it is
   * invalid. Returns the normalized filter and whether it was new. `[]` means "everything": it
   * clears the filters instead.
   */
  addFilter(input: unknown): { filter: Filter; added: boolean } {
    const filter = parseFilter(input);
    if (!filter.length) {
      const had = this.userFilters.length > 0;
      if (had) this.clearFilters();
      return { filter, added: had };
    }
    if (this.indexOf(filter) >= 0) return { filter, added: false };
    this.userFilters = [...this.userFilters, filter];
    this.filtersChanged();
    return { filter, added: true };
  }

  removeFilter(input: unknown): boolean {
    let filter: Filter;
    try {
      filter = parseFilter(input);
    } catch {
      return false;
    }
    const i = this.indexOf(filter);
    if (i < 0) return false;
    this.userFilters = this.userFilters.filter((_, j) => j !== i);
    this.filtersChanged();
    return true;
  }

  clearFilters(): void {
    if (!this.userFilters.length) return;
    this.userFilters = [];
    this.filtersChanged();
  }

  private filtersChanged(): void {
    void this.deps.store.update(STORE_KEYS.filters, this.userFilters);
    this.updateShown();
    this.reconcile();
    this.filtersEmitter.fire(this.userFilters, (e) => this.listenerFailed(e));
  }

  /** Makes the stream's subscriptions match the filters: new ones first, so nothing is missed between. */
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

  // ------------------------------------------------------------------------------------------
  // Pause

  pause(): void {
    if (this.isPaused) return;
    // What arrived before the pause is shown; what arrives after waits.
    this.batcher.flushNow();
    this.isPaused = true;
    this.arrivedWhilePaused = 0;
    this.droppedWhilePaused = 0;
    this.logger.info('Paused: events are held until Resume');
    this.pausedEmitter.fire(true, (e) => this.listenerFailed(e));
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    const held = this.backlog.oldestFirst();
    const dropped = this.droppedWhilePaused;
    this.backlog.clear();
    this.logger.info(`Resumed: ${this.arrivedWhilePaused} events arrived while paused${dropped ? `, ${dropped} of them dropped (more than the buffer holds)` : ''}`);
    this.arrivedWhilePaused = 0;
    this.droppedWhilePaused = 0;
    this.pausedEmitter.fire(false, (e) => this.listenerFailed(e));
    this.batcher.flushNow();
    if (held.length || dropped) this.batchEmitter.fire({ events: held, dropped }, (e) => this.listenerFailed(e));
  }

  // ------------------------------------------------------------------------------------------
  // Persistence of the last event id

  private notePosition(opened: Opened): void {
    const id = opened.stream.lastEventId;
    if (!id) return;
    if (this.position?.host === opened.host) this.position.id = Math.max(this.position.id, id);
    else this.position = { host: opened.host, id };
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined || this.disposed) return;
    this.persistTimer = this.scheduler.setTimeout(() => {
      this.persistTimer = undefined;
      if (!this.current) return;
      this.notePosition(this.current);
      void this.persistNow();
      this.schedulePersist();
    }, this.persistIntervalMs);
  }

  /** Writes the last event id if it moved; resolves when the store has it. */
  persistNow(): Promise<void> {
    if (this.current) this.notePosition(this.current);
    if (!this.position || this.position.id === this.savedId || !this.position.id) return Promise.resolve();
    this.savedId = this.position.id;
    return Promise.resolve(this.deps.store.update(STORE_KEYS.lastEventId, { ...this.position }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.generation++;
    await this.dropStream();
    this.disposed = true;
    if (this.persistTimer !== undefined) this.scheduler.clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.batcher.dispose();
    for (const e of [this.statusEmitter, this.filtersEmitter, this.pausedEmitter, this.eventEmitter, this.batchEmitter, this.skippedEmitter, this.errorEmitter]) {
      (e as Emitter<unknown>).dispose();
    }
  }
}
