/**
 * The websocket client (Arvados websocket v0). Beyond the Python SDK's EventClient it:
 * - reconnects for as long as it is open, with capped exponential backoff and jitter;
 * - on every reconnect re-subscribes each filter with `last_log_id` = where it stands, and fills
 *   the gap from the logs API page by page before going live, holding live frames meanwhile (a
 *   bounded number), so that a gap of any length (the server replays only 10 minutes) arrives once;
 * - does the same for a filter added on a live connection, so nothing it matches is missed while
 *   the server takes it on;
 * - delivers a row that commits late (a lower id after a higher one), once: it drops repeats by
 *   the ids delivered lately, not by a high-water mark, and re-reads a small overlap when it fills a gap;
 * - applies the whole filter itself (the server honours only `event_type in` and `created_at`);
 * - treats a socket that sends nothing for about twice the server's keepalive interval as dead;
 * - requests and delivers nothing once `close()` has returned.
 */
import WebSocket from 'ws';
import { backfill } from './backfill';
import { backoffDelay, USER_AGENT, type ApiClient } from './rest';
import { AbortedError, ConnectError, InvalidTokenError } from './errors';
import { classifyFrame } from './eventShape';
import { urlForDisplay } from './redact';
import { BaseEventStream, type StreamOptions } from './stream';
import { t } from './l10n';
import { describeNetworkError } from './rest';
import type { ArvadosEvent, Filter } from './types';

/**
 * Frames handled per event-loop turn, about: past it the socket pauses until the next turn. One
 * socket read can hold thousands of frames (libuv reads up to 32 × 64 KiB at a time); handling
 * them all in that callback keeps every other callback of the process waiting (in the extension
 * host: tree refreshes, other extensions, the window's requests). Resumed a turn later, so
 * nothing waits in a queue of ours and the kernel's buffer holds the rest.
 */
export const FRAMES_PER_TURN = 200;

export interface EventClientOptions extends StreamOptions {
  websocketUrl: string;
  /** The server's keepalive interval (API.SendTimeout); a socket silent for about twice this is dead. */
  keepaliveMs?: number;
  /** Overrides the dead-socket timeout derived from keepaliveMs. */
  deadAfterMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  /** Live frames held while a gap is filled; past this they are dropped and the gap is read again, further. */
  maxHeld?: number;
}

/** A gap to fill: rows after `afterId` for these filters. */
interface GapJob {
  filters: readonly Filter[];
  afterId: number;
  /** True when `filters` were all the subscriptions: only such a read moves the resume point. */
  everyFilter: boolean;
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
  /** Aborts the REST calls of the current connection (its catch-up) when it is replaced or closed. */
  private abort = new AbortController();
  private attempt = 0;
  /** Requests awaiting a status reply, oldest first, described for error messages. */
  private pending: string[] = [];
  /** Resolved when `pending` empties. */
  private repliesWaiter?: () => void;
  /** Live frames held while a gap is being filled; undefined when live. */
  private held?: ArvadosEvent[];
  private heldOverflowed = false;
  /** Gaps still to fill on this connection (a filter added while a gap was being filled waits here). */
  private gaps: GapJob[] = [];
  private watchdog?: NodeJS.Timeout;
  /** When the last frame arrived; the watchdog compares against it. */
  private lastFrameAt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  /** True when the next connection must first fill the gap after the resume point (a resume or any reconnect). */
  private catchUpNeeded = false;
  /** True while the socket is paused because the consumer is behind. */
  private socketPaused = false;
  /** Frames handled in this event-loop turn; at FRAMES_PER_TURN the socket pauses until the next. */
  private framesInTurn = 0;
  private turnEnd?: NodeJS.Immediate;
  private turnPaused = false;
  /** Why this client dropped its own socket, if it did: the reason to show rather than the close code. */
  private dropReason?: string;

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
    this.maxHeld = Math.max(1, options.maxHeld ?? 10_000);
  }

  /** Sets where to resume from before the first connection (e.g. the last id seen before a restart). */
  resumeAfter(lastLogId: number): void {
    this.startAfter(lastLogId);
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
      const newest = await this.api.newestLogId({ signal: this.abort.signal });
      this.startAfter(newest);
      this.catchUpNeeded = true;
    }
    if (this.userClosed) throw new AbortedError('The event stream was closed while it was opening');
    await this.connect();
  }

  subscribe(filter: Filter | string, lastLogId?: number): void {
    const f = this.parse(filter);
    if (lastLogId !== undefined && !this.ws) this.resumeAfter(lastLogId);
    this.addSubscription(f);
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    // A filter added on a live connection: subscribe it from where the stream stands and read
    // what it matched meanwhile, as after a reconnect; the server may take it on only later.
    const from = lastLogId !== undefined ? Math.min(lastLogId, this.position.resumeId) : this.position.resumeId;
    this.send('subscribe', f, this.position.resumeId);
    this.fillGap({ filters: [f], afterId: from, everyFilter: false });
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
    this.abort.abort();
    clearTimeout(this.watchdog);
    clearTimeout(this.reconnectTimer);
    this.held = undefined;
    this.gaps = [];
    this.repliesWaiter?.();
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
    this.abort.abort();
    this.abort = new AbortController();
    this.setState(this.attempt ? this.currentState : { status: 'connecting', transport: 'websocket' });
    this.logger.info(`Connecting to ${this.displayUrl}`);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        ...this.api.tls,
        handshakeTimeout: this.connectTimeoutMs,
        headers: { 'User-Agent': USER_AGENT },
        // The server never sends pings, and an unsolicited pong would make it hang up.
        autoPong: true,
        maxPayload: 256 * 1024 * 1024,
      });
      this.ws = ws;
      this.socketPaused = false;
      this.turnPaused = false;
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
        this.paceFrames(ws);
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
        const why = this.dropReason;
        this.dropReason = undefined;
        this.onDisconnect(why ?? t('the server closed the connection (code {0})', `${code}${reason.length ? `, ${reason.toString()}` : ''}`));
      });
    });
  }

  private describeSocketError(err: NodeJS.ErrnoException): string {
    // A network or TLS failure reads as it does for REST calls (with what the user can do about it).
    if (err.code && /^E[A-Z]|CERT|SELF_SIGNED|UNABLE_TO/.test(err.code)) return this.api.redact(describeNetworkError(err, this.api.host).message);
    return this.api.redact(`Cannot open the websocket ${this.displayUrl}: ${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`);
  }

  private onOpen(gen: number): void {
    this.pending = [];
    this.gaps = [];
    this.armWatchdog();
    const resumeFrom = this.position.resumeId;
    const catchUp = this.catchUpNeeded;
    this.logger.info(catchUp ? `Connected; resuming after event ${resumeFrom}` : 'Connected');
    // last_log_id only when resuming: the server then replays what it still has (10 minutes' worth);
    // the logs API read below covers the rest, and repeats are dropped by id.
    const subscriptions = this.subscriptions;
    for (const f of subscriptions) this.send('subscribe', f, catchUp ? resumeFrom : 0);
    // From now on any new connection is a reconnect, and must fill its gap.
    this.catchUpNeeded = true;
    if (catchUp) {
      // Re-read a little before the resume point too: a row may have committed late meanwhile.
      this.fillGap({ filters: subscriptions, afterId: this.position.overlapStart(), everyFilter: true }, gen);
    } else {
      this.attempt = 0;
      this.setState({ status: 'live', transport: 'websocket' });
    }
  }

  /** Queues a gap; the first queued starts the catch-up, which holds live frames until every queued gap is filled. */
  private fillGap(job: GapJob, gen = this.generation): void {
    this.gaps.push(job);
    if (this.held) return; // a catch-up is running: it takes this one next
    this.held = [];
    this.heldOverflowed = false;
    this.setState({ status: 'catching-up', transport: 'websocket', since: job.afterId });
    void this.catchUp(gen);
  }

  /**
   * Fills the queued gaps, then releases the frames held meanwhile. Once the server has answered
   * every subscribe, anything committed later reaches the socket; so the newest id at that moment,
   * H, splits the work: the logs API supplies (afterId, H], the held frames what came after. If
   * more frames arrive than may be held, they are dropped and the logs API is read again, from H
   * on, for every filter; each such round is shorter than the one before (the API reads pages
   * faster than a cluster commits rows), so a flood during the catch-up still ends in going live.
   */
  private async catchUp(gen: number): Promise<void> {
    const stale = () => gen !== this.generation || this.userClosed;
    const signal = this.abort.signal;
    // Where live delivery stood when holding began: a dropped held frame lies above it.
    const heldFrom = this.position.resumeId;
    try {
      await this.repliesReceived();
      for (let job = this.gaps.shift(); job; job = this.gaps.shift()) {
        if (stale()) return;
        const horizon = Math.max(this.position.resumeId, await this.api.newestLogId({ signal }));
        if (stale()) return;
        const everyFilter = job.everyFilter;
        const r = await backfill(this.api, job.filters, {
          afterId: job.afterId,
          upToId: horizon,
          pageSize: this.pageSize,
          maxEvents: this.maxBackfill,
          signal,
          logger: this.logger,
          onEvents: async (evs) => {
            for (const ev of evs) if (!stale()) this.deliverOnce(ev);
            await this.consumerReady();
          },
          // Only a read of every filter moves the resume point.
          onProgress: (id, eventAt) => everyFilter && !stale() && this.position.advance(id, eventAt),
        });
        if (stale()) return;
        if (r.skipped) {
          // What was skipped is not news either, if it arrives again (a replay of held frames).
          this.delivered.skipThrough(r.skippedThrough);
          this.logger.warn(`The gap after event ${job.afterId} held more than ${this.maxBackfill} events: skipped the ${r.skipped} oldest.`);
          this.skips.fire(r.skipped);
        }
        if (everyFilter) this.position.advance(horizon);
        if (this.heldOverflowed) {
          this.logger.info(`More than ${this.maxHeld} live events arrived while filling the gap: reading on from event ${horizon}`);
          this.held = [];
          this.heldOverflowed = false;
          this.gaps.unshift({ filters: this.subscriptions, afterId: Math.min(heldFrom, horizon), everyFilter: true });
        }
      }
      const held = this.held ?? [];
      this.held = undefined;
      held.sort((a, b) => a.id - b.id);
      for (const ev of held) this.accept(ev);
      this.attempt = 0;
      this.setState({ status: 'live', transport: 'websocket' });
    } catch (err) {
      if (stale() || err instanceof AbortedError) return;
      if (err instanceof InvalidTokenError) return void this.fail(err);
      // The logs API is unavailable: drop this socket and try the whole thing again later, losing nothing.
      const why = t('could not read the events missed since event {0} from the logs API: {1}', this.position.resumeId, (err as Error).message);
      this.reportError(new Error(why));
      this.dropReason = why;
      this.ws?.terminate();
    }
  }

  /** Resolves once every request sent so far has its status reply (or the connection is gone). */
  private repliesReceived(): Promise<void> {
    if (!this.pending.length) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.repliesWaiter;
      this.repliesWaiter = () => {
        this.repliesWaiter = undefined;
        previous?.();
        resolve();
      };
    });
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
        if (!this.pending.length) this.repliesWaiter?.();
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
        this.accept(frame.event, frame.json, this.lastFrameAt);
    }
  }

  /** Counts a frame of this turn; at FRAMES_PER_TURN, stops reading until the next turn. */
  private paceFrames(ws: WebSocket): void {
    this.turnEnd ??= setImmediate(() => {
      this.turnEnd = undefined;
      this.framesInTurn = 0;
      if (!this.turnPaused) return;
      this.turnPaused = false;
      if (this.ws === ws && !this.socketPaused) ws.resume();
    });
    if (++this.framesInTurn < FRAMES_PER_TURN || this.turnPaused) return;
    this.turnPaused = true;
    // The rest of the chunk being parsed still arrives now; no further read until then.
    ws.pause();
  }

  /** Delivers a live event once, if some subscription's whole filter admits it; a late commit too. */
  private accept(ev: ArvadosEvent, json?: string, receivedAt?: number): void {
    if (this.delivered.has(ev.id)) return;
    this.position.advance(ev.id, ev.event_at);
    if (!this.admitted(ev)) return;
    this.deliverOnce(ev, json, receivedAt);
    const busy = this.consumerReady();
    if (busy && !this.socketPaused && this.ws) {
      // Stop reading rather than buffer: if the server's queue fills meanwhile it hangs up, and
      // the reconnect reads the gap from the logs API.
      const ws = this.ws;
      this.socketPaused = true;
      ws.pause();
      void busy.then(() => {
        if (this.ws !== ws) return;
        this.socketPaused = false;
        if (!this.turnPaused) ws.resume();
      });
    }
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
