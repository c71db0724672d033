/**
 * What the websocket and polling clients have in common: the subscriptions, the callbacks, the
 * connection state, and the token-safe logging. Modelled on the Python SDK's `arvados.events`
 * clients (subscribe / unsubscribe / close), with events and state changes as VS Code-style events.
 */
import { DeliveredIds } from './deliveredIds';
import { Emitter } from './emitter';
import { compileFilter } from './filterMatch';
import { parseFilter } from './filters';
import { StreamPosition } from './position';
import type { ApiClient } from './rest';
import type { ArvadosEvent, ConnectionState, Filter, Logger, Transport } from './types';
import { silentLogger } from './types';

export interface StreamOptions {
  logger?: Logger;
  /** After an interruption, fill the gap with at most this many events; older ones are skipped and counted. */
  maxBackfill?: number;
  /** Rows per logs API request. */
  pageSize?: number;
  /** How late (after its insert) a row may commit and still be delivered; default 60 s. */
  lateCommitWindowMs?: number;
  /**
   * Back-pressure: returns a promise while the consumer cannot take more events (the CLI's stdout
   * is full). Reading from the logs API and from the socket waits for it instead of buffering.
   */
  consumerReady?: () => Promise<void> | undefined;
}

/** What a subscriber of the engine sees, whichever transport is underneath. */
export interface EventStream {
  readonly transport: Transport;
  readonly state: ConnectionState;
  /** Every event up to this id has been read (delivered or not matched): where to resume from after a restart. */
  readonly lastEventId: number;
  readonly filters: readonly Filter[];
  /**
   * Each event delivered. The listener's second argument, when given, is the event's JSON as the
   * server sent it (websocket frames the event is exactly the parse of; see classifyFrame): a
   * consumer that prints events can write it instead of JSON.stringify(event). Events are shared
   * by every listener: read them, never change them.
   */
  readonly onEvent: Emitter<ArvadosEvent, string>['event'];
  readonly onState: Emitter<ConnectionState>['event'];
  /** Problems that do not stop the stream (a refused subscription, a failed poll); fatal ones arrive as a `closed` state with `error`. */
  readonly onError: Emitter<Error>['event'];
  /** Events skipped while filling a gap longer than `maxBackfill`. */
  readonly onSkipped: Emitter<number>['event'];
  subscribe(filter: Filter | string, lastLogId?: number): void;
  unsubscribe(filter: Filter | string): boolean;
  close(code?: number, reason?: string, timeoutMs?: number): Promise<void>;
}

/** Normalized JSON of a filter, for telling equal filters apart. */
export function filterKey(filter: Filter): string {
  return JSON.stringify(filter);
}

export abstract class BaseEventStream implements EventStream {
  abstract readonly transport: Transport;
  protected readonly events = new Emitter<ArvadosEvent, string>();
  protected readonly states = new Emitter<ConnectionState>();
  protected readonly errors = new Emitter<Error>();
  protected readonly skips = new Emitter<number>();
  readonly onEvent = this.events.event;
  readonly onState = this.states.event;
  readonly onError = this.errors.event;
  readonly onSkipped = this.skips.event;
  protected readonly logger: Logger;
  protected readonly maxBackfill: number;
  protected readonly pageSize: number;
  /** Replaced, never changed in place: a loop over it (with an await inside) keeps its snapshot. */
  protected subscriptions: readonly Filter[] = [];
  /** One compiled predicate per subscription, in the same order: filters are checked once, not per event. */
  private matchers: Array<(ev: ArvadosEvent) => boolean> = [];
  protected currentState: ConnectionState;
  /** Where the stream stands, and where a re-read starts to catch late commits. */
  protected readonly position: StreamPosition;
  /** What was delivered lately: an event is delivered once, even if it arrives again or late. */
  protected readonly delivered: DeliveredIds;
  protected readonly consumerReady: () => Promise<void> | undefined;
  protected userClosed = false;

  constructor(
    protected readonly api: ApiClient,
    options: StreamOptions,
    initial: ConnectionState,
  ) {
    const raw = options.logger ?? silentLogger;
    // Every line passes through the redactor: no caller can leak the token through the engine's log.
    const r = (m: string) => api.redact(m);
    this.logger = { debug: (m) => raw.debug(r(m)), info: (m) => raw.info(r(m)), warn: (m) => raw.warn(r(m)), error: (m) => raw.error(r(m)) };
    this.maxBackfill = options.maxBackfill ?? Infinity;
    this.pageSize = options.pageSize ?? 1000;
    this.consumerReady = options.consumerReady ?? (() => undefined);
    this.position = new StreamPosition({ lateWindowMs: options.lateCommitWindowMs });
    this.delivered = new DeliveredIds({ windowMs: options.lateCommitWindowMs });
    this.currentState = initial;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get lastEventId(): number {
    return this.position.resumeId;
  }

  get filters(): readonly Filter[] {
    return this.subscriptions;
  }

  /** Starts after an id remembered from before: everything up to it counts as delivered. */
  protected startAfter(id: number): void {
    this.position.startAt(id);
    this.delivered.skipThrough(id);
  }

  protected setState(state: ConnectionState): void {
    this.currentState = state;
    this.states.fire(state, (e) => this.logger.error(`state listener failed: ${String(e)}`));
  }

  protected reportError(err: Error): void {
    const safe = new Error(this.api.redact(err.message));
    safe.name = err.name;
    this.logger.warn(safe.message);
    this.errors.fire(safe);
  }

  private readonly listenerFailed = (e: unknown) => this.logger.error(`event listener failed: ${String(e)}`);

  /**
   * Delivers an event unless it was delivered already or the stream is closed; `json` is its text
   * as received, if it is exactly that; `at` the clock (Date.now) when it arrived, if the caller has read it.
   */
  protected deliverOnce(ev: ArvadosEvent, json?: string, at?: number): void {
    if (this.userClosed || !this.delivered.add(ev.id, at)) return;
    this.events.fire(ev, this.listenerFailed, json);
  }

  protected addSubscription(filter: Filter): void {
    this.subscriptions = [...this.subscriptions, filter];
    this.matchers = [...this.matchers, compileFilter(filter, this.api.kinds)];
  }

  /** Removes the subscription equal to `filter`; returns it, or undefined if there is none. */
  protected removeSubscription(filter: Filter): Filter | undefined {
    const i = this.indexOf(filter);
    if (i < 0) return undefined;
    const removed = this.subscriptions[i];
    this.matchers = this.matchers.filter((_, k) => k !== i);
    this.subscriptions = this.subscriptions.filter((_, k) => k !== i);
    return removed;
  }

  /** Whether some subscription's whole filter admits the event (the server applies only part of it). */
  protected admitted(ev: ArvadosEvent): boolean {
    for (const m of this.matchers) if (m(ev)) return true;
    return false;
  }

  protected indexOf(filter: Filter): number {
    const key = filterKey(filter);
    return this.subscriptions.findIndex((f) => filterKey(f) === key);
  }

  /** Validates and normalizes; throws FilterError with a message naming the bad condition. */
  protected parse(filter: Filter | string): Filter {
    return parseFilter(filter);
  }

  abstract subscribe(filter: Filter | string, lastLogId?: number): void;
  abstract unsubscribe(filter: Filter | string): boolean;
  abstract close(code?: number, reason?: string, timeoutMs?: number): Promise<void>;

  /** Closes because of an error nothing can fix by retrying (a refused token). Reported once. */
  protected async fail(err: Error): Promise<void> {
    if (this.userClosed) return;
    this.logger.error(err.message);
    await this.shutdown();
    this.setState({ status: 'closed', reason: err.message, error: err });
  }

  /** Stops timers and sockets; no state change. */
  protected abstract shutdown(code?: number, reason?: string, timeoutMs?: number): Promise<void>;
}
