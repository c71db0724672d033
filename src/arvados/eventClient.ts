/**
 * The websocket client (Arvados websocket v0). Beyond the Python SDK's EventClient it:
 * - reconnects for as long as it is open, with capped exponential backoff and jitter;
 * - on every reconnect re-subscribes each filter with `last_log_id` = the highest id seen, and
 *   fills the gap from the logs API before going live, holding live frames meanwhile, so that a
 *   gap of any length (the server replays only 10 minutes) arrives once and in id order;
 * - applies the whole filter itself (the server honours only `event_type in` and `created_at`);
 * - treats a socket that sends nothing for about twice the server's keepalive interval as dead.
 */
import WebSocket from 'ws';
import { backfill } from './backfill';
import { backoffDelay, type ApiClient } from './rest';
import { ConnectError, InvalidTokenError } from './errors';
import { classifyFrame } from './eventShape';
import { urlForDisplay } from './redact';
import { BaseEventStream, type StreamOptions } from './stream';
import type { ArvadosEvent, Filter } from './types';

export interface EventClientOptions extends StreamOptions {
  websocketUrl: string;
  /** The server's keepalive interval (API.SendTimeout); a socket silent for about twice this is dead. */
  keepaliveMs?: number;
  /** Overrides the dead-socket timeout derived from keepaliveMs. */
  deadAfterMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  /** Live frames held while a gap is filled; past this the gap is read again from the logs API instead. */
  maxHeld?: number;
}

export class EventClient extends BaseEventStream {
  readonly transport = 'websocket' as const;
  private readonly url: string;
  private readonly displayUrl: string;
  private readonly deadAfterMs: number;
  private readonly reconnectInitialMs: number;
  private readonly reconnectMaxMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxHeld: number;
  private ws?: WebSocket;
  /** Bumped on every new socket and on close, so callbacks of an old socket do nothing. */
  private generation = 0;
  private attempt = 0;
  /** Requests awaiting a status reply, oldest first, described for error messages. */
  private pending: string[] = [];
  /** Live frames held while a gap is being filled; undefined when live. */
  private held?: ArvadosEvent[];
  private heldOverflowed = false;
  private watchdog?: NodeJS.Timeout;
  /** When the last frame arrived; the watchdog compares against it. */
  private lastFrameAt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  /** True when the next connection must first fill the gap after highestId (a resume or any reconnect). */
  private catchUpNeeded = false;
  /** Frames dropped because their id was already delivered (replays, overlaps). */
  duplicatesDropped = 0;

  constructor(api: ApiClient, options: EventClientOptions) {
    super(api, options, { status: 'connecting', transport: 'websocket' });
    const sep = options.websocketUrl.includes('?') ? '&' : '?';
    // The server reads the token only from this parameter. Encoded: OIDC tokens may hold + or =.
    this.url = `${options.websocketUrl}${sep}api_token=${encodeURIComponent(api.config.token)}`;
    this.displayUrl = urlForDisplay(this.url);
    const keepalive = options.keepaliveMs ?? 60_000;
    this.deadAfterMs = options.deadAfterMs ?? Math.round(keepalive * 2 + 5_000);
    this.reconnectInitialMs = options.reconnectInitialMs ?? 100;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 15_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.maxHeld = options.maxHeld ?? 100_000;
  }

  /** Sets where to resume from before the first connection (e.g. the last id seen before a restart). */
  resumeAfter(lastLogId: number): void {
    this.highestId = Math.max(this.highestId, lastLogId);
    this.catchUpNeeded = true;
  }

  /**
   * Opens the first connection. Rejects if it cannot be opened, so that the caller can fall back
   * to polling; after that, the client reconnects by itself until closed.
   */
  async open(): Promise<void> {
    if (!this.catchUpNeeded) {
      // Note where "now" is and fill from there once subscribed: an event committed while the
      // subscribe message is in flight is then read from the logs API instead of being lost.
      const newest = await this.api.listLogs({ order: ['id desc'], limit: 1, select: ['id'], count: 'none' });
      if (newest.items.length) this.highestId = Math.max(this.highestId, Number(newest.items[0].id));
      this.catchUpNeeded = true;
    }
    await this.connect();
  }

  subscribe(filter: Filter | string, lastLogId?: number): void {
    const f = this.parse(filter);
    if (lastLogId !== undefined && !this.ws) this.resumeAfter(lastLogId);
    this.addSubscription(f);
    if (this.ws?.readyState === WebSocket.OPEN) this.send('subscribe', f, 0);
  }

  unsubscribe(filter: Filter | string): boolean {
    const f = this.removeSubscription(this.parse(filter));
    if (!f) return false;
    if (this.ws?.readyState === WebSocket.OPEN) this.send('unsubscribe', f, 0);
    return true;
  }

  async close(code = 1000, reason = '', timeoutMs = 5_000): Promise<void> {
    if (this.userClosed) return;
    this.userClosed = true;
    await this.shutdown(code, reason, timeoutMs);
    this.setState({ status: 'closed', reason: 'closed by the user' });
  }

  protected async shutdown(code = 1000, reason = '', timeoutMs = 5_000): Promise<void> {
    this.generation++;
    clearTimeout(this.watchdog);
    clearTimeout(this.reconnectTimer);
    this.held = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, timeoutMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(code, reason);
    });
  }

  private send(method: 'subscribe' | 'unsubscribe', filters: Filter, lastLogId: number): void {
    const msg: Record<string, unknown> = { method, filters };
    if (method === 'subscribe' && lastLogId > 0) msg.last_log_id = lastLogId;
    this.pending.push(`${method} ${JSON.stringify(filters)}`);
    this.ws!.send(JSON.stringify(msg));
  }

  /** One connection attempt; resolves when the socket is open and subscribed. */
  private connect(): Promise<void> {
    const gen = ++this.generation;
    this.setState(this.attempt ? this.currentState : { status: 'connecting', transport: 'websocket' });
    this.logger.info(`Connecting to ${this.displayUrl}`);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        ...this.api.tls,
        handshakeTimeout: this.connectTimeoutMs,
        headers: { 'User-Agent': 'arvados-events/0.1' },
        // The server never sends pings, and an unsolicited pong would make it hang up.
        autoPong: true,
        maxPayload: 256 * 1024 * 1024,
      });
      this.ws = ws;
      let opened = false;
      ws.on('open', () => {
        if (gen !== this.generation) return ws.terminate();
        opened = true;
        this.onOpen(gen);
        resolve();
      });
      ws.on('message', (data, isBinary) => {
        if (gen !== this.generation) return;
        this.onFrame(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      });
      ws.on('error', (err: NodeJS.ErrnoException) => {
        if (gen !== this.generation) return;
        const e = err.code ? new ConnectError(`${this.describeSocketError(err)}`, err.code) : new ConnectError(this.describeSocketError(err));
        if (!opened) reject(e);
        else this.logger.warn(`Websocket error: ${e.message}`);
      });
      ws.on('close', (code, reason) => {
        if (gen !== this.generation) return;
        if (!opened) {
          reject(new ConnectError(`The websocket closed before it opened (code ${code})`));
          return;
        }
        this.onDisconnect(`the server closed the connection (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`);
      });
    });
  }

  private describeSocketError(err: NodeJS.ErrnoException): string {
    return this.api.redact(`Cannot open the websocket ${this.displayUrl}: ${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`);
  }

  private onOpen(gen: number): void {
    this.pending = [];
    this.armWatchdog();
    const resumeFrom = this.highestId;
    const catchUp = this.catchUpNeeded;
    this.logger.info(catchUp ? `Connected; resuming after event ${resumeFrom}` : 'Connected');
    // last_log_id only when resuming: the server then replays what it still has (10 minutes' worth);
    // the logs API read below covers the rest, and duplicates are dropped by id.
    for (const f of this.subscriptions) this.send('subscribe', f, catchUp ? resumeFrom : 0);
    // From now on any new connection is a reconnect, and must fill its gap.
    this.catchUpNeeded = true;
    if (catchUp) {
      this.held = [];
      this.heldOverflowed = false;
      this.setState({ status: 'catching-up', transport: 'websocket', since: resumeFrom });
      void this.catchUp(gen);
    } else {
      this.attempt = 0;
      this.setState({ status: 'live', transport: 'websocket' });
    }
  }

  /**
   * Fills the gap after `highestId`, then releases the frames held meanwhile. Once the server has
   * answered every subscribe, anything committed later reaches the socket; so the newest id at
   * that moment, H, splits the work: the logs API supplies (highestId, H] for every subscription,
   * the held frames supply what is above H. One horizon for all subscriptions keeps the merge exact.
   */
  private async catchUp(gen: number): Promise<void> {
    const stale = () => gen !== this.generation;
    try {
      await this.repliesReceived(stale);
      do {
        this.heldOverflowed = false;
        if (stale()) return;
        const newest = await this.api.listLogs({ order: ['id desc'], limit: 1, select: ['id'], count: 'none' });
        const horizon = Math.max(this.highestId, newest.items.length ? Number(newest.items[0].id) : 0);
        await this.readGap(horizon, stale);
        if (stale()) return;
        if (this.heldOverflowed) this.held = [];
      } while (this.heldOverflowed);
      const held = this.held ?? [];
      this.held = undefined;
      held.sort((a, b) => a.id - b.id);
      for (const ev of held) this.accept(ev);
      this.attempt = 0;
      this.setState({ status: 'live', transport: 'websocket' });
    } catch (err) {
      if (stale()) return;
      if (err instanceof InvalidTokenError) return void this.fail(err);
      // The logs API is unavailable: drop this socket and try the whole thing again later, losing nothing.
      this.reportError(new Error(`Could not fill the gap after event ${this.highestId}: ${(err as Error).message}`));
      this.ws?.terminate();
    }
  }

  /** Resolves once every request sent so far has its status reply. */
  private async repliesReceived(stale: () => boolean): Promise<void> {
    while (this.pending.length && !stale()) await new Promise((r) => setTimeout(r, 2));
  }

  /** Reads every subscription's events in (highestId, horizon], merged in id order, and moves highestId to the horizon. */
  private async readGap(horizon: number, stale: () => boolean): Promise<void> {
    const from = this.highestId;
    if (horizon <= from) return;
    const byId = new Map<number, ArvadosEvent>();
    let skipped = 0;
    for (const f of this.subscriptions) {
      const r = await backfill(this.api, f, from, {
        upToId: horizon,
        pageSize: this.pageSize,
        maxItems: this.maxBackfill,
        cancelled: stale,
        logger: this.logger,
        onEvents: (evs) => evs.forEach((ev) => byId.set(ev.id, ev)),
      });
      skipped = Math.max(skipped, r.skipped);
    }
    if (stale()) return;
    let merged = [...byId.values()].sort((a, b) => a.id - b.id);
    if (merged.length > this.maxBackfill) {
      skipped += merged.length - this.maxBackfill;
      merged = merged.slice(merged.length - this.maxBackfill);
    }
    if (skipped) {
      this.logger.warn(`The gap after event ${from} held more than ${this.maxBackfill} events: skipped the ${skipped} oldest.`);
      this.skips.fire(skipped);
    }
    for (const ev of merged) this.accept(ev);
    // Everything up to the horizon has been read: rows that did not match count as seen.
    this.highestId = Math.max(this.highestId, horizon);
  }

  private onFrame(text: string): void {
    this.lastFrameAt = Date.now();
    const frame = classifyFrame(text);
    switch (frame.type) {
      case 'keepalive':
        return;
      case 'status': {
        const request = this.pending.shift() ?? 'a request';
        if (frame.status !== 200) this.reportError(new Error(`The websocket server answered ${frame.status} to ${request}`));
        return;
      }
      case 'malformed':
        this.logger.warn(`Skipped a malformed websocket frame (${frame.reason}; ${text.length} bytes)`);
        return;
      case 'event':
        if (this.held) {
          if (this.held.length < this.maxHeld) this.held.push(frame.event);
          else this.heldOverflowed = true;
          return;
        }
        this.accept(frame.event);
    }
  }

  /** Delivers an event once, in id order, if some subscription's whole filter admits it. */
  private accept(ev: ArvadosEvent): void {
    if (ev.id <= this.highestId) {
      this.duplicatesDropped++;
      return;
    }
    this.highestId = ev.id;
    if (this.admitted(ev)) this.deliver(ev);
  }

  /**
   * Starts the dead-socket check for a new connection. Frames only note their arrival time (a
   * timer reset per frame would cost on the hot path); the timer fires when the socket could
   * first have been silent for deadAfterMs, and re-arms for the remainder otherwise.
   */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.lastFrameAt = Date.now();
    const gen = this.generation;
    const check = () => {
      if (gen !== this.generation) return;
      const silentMs = Date.now() - this.lastFrameAt;
      if (silentMs < this.deadAfterMs) {
        this.watchdog = setTimeout(check, this.deadAfterMs - silentMs);
        this.watchdog.unref?.();
        return;
      }
      this.logger.warn(`No frame from the websocket server for ${Math.round(this.deadAfterMs / 1000)} s: treating the connection as dead`);
      this.ws?.terminate();
    };
    this.watchdog = setTimeout(check, this.deadAfterMs);
    this.watchdog.unref?.();
  }

  private onDisconnect(reason: string): void {
    clearTimeout(this.watchdog);
    this.held = undefined;
    this.ws = undefined;
    if (this.userClosed) return;
    this.logger.warn(`Disconnected: ${reason}`);
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    this.attempt++;
    const delayMs = backoffDelay(this.attempt, this.reconnectInitialMs, this.reconnectMaxMs);
    this.setState({ status: 'reconnecting', transport: 'websocket', attempt: this.attempt, delayMs, reason });
    const gen = ++this.generation;
    this.reconnectTimer = setTimeout(() => {
      if (gen !== this.generation || this.userClosed) return;
      this.connect().catch((err: Error) => {
        if (this.userClosed) return;
        this.logger.warn(`Reconnect attempt ${this.attempt} failed: ${err.message}`);
        this.scheduleReconnect(err.message);
      });
    }, delayMs);
  }
}
