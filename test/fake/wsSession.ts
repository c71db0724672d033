/**
 * One websocket v0 connection, modelled on `services/ws/handler.go` and `session_v0.go`:
 *
 *  - client frames are handled one at a time; a subscribe queues `{"status":200}`, adds the
 *    subscription, then replays old events before the next frame is read (as Go's Receive does);
 *  - live events that pass a subscription's honoured filters go into a bounded outgoing queue;
 *    when it is full the server closes the connection (1000, no reason);
 *  - a writer drains the queue into the socket while the socket's buffer has room (Go's Write
 *    returns once the kernel has the bytes); the permission check happens here, at send time, so
 *    events the client may not see still take queue slots;
 *  - `{}` is queued every SendTimeout when the queue is empty; the server never pings.
 */
import type { WebSocket } from 'ws';
import { defaultKinds } from '../../src/arvados/kinds';
import { trimProperties } from '../../src/arvados/eventShape';
import { goJson } from './goJson';
import type { LogRecord, LogTable } from './logTable';
import { decodeV0, goDeepEqual, Subscription } from './subscription';
import { FakeClock, goTime } from './time';

/** Why the server ended a connection (or `client` when the client did). */
export type DisconnectReason =
  | 'client'
  | 'overflow'
  | 'cut'
  | 'closed-by-test'
  | 'frame-too-big'
  | 'unsolicited-pong'
  | 'permission-error'
  | 'write-timeout'
  | 'receive-error'
  | 'server-stopped';

export type PermissionVerdict = 'allowed' | 'denied' | 'error';

export interface SessionHooks {
  clock: FakeClock;
  logs: LogTable;
  /** Uncached permission lookup: may `user` GET `uuid` (with include_trash)? */
  checkPermission(user: string | null, uuid: string): PermissionVerdict;
  /** Real-time ms until which writers are paused (stallWrites). */
  stalledUntil(): number;
  clientMessage(connection: number, raw: string, parsed: unknown): void;
  replayed(connection: number, row: LogRecord): void;
  delivered(connection: number, row: LogRecord): void;
  closed(session: V0Session, reason: DisconnectReason, code: number): void;
}

export interface SessionOptions {
  connection: number;
  user: string | null;
  queueSize: number;
  sendTimeoutMs: number;
}

/** Client frames this big or bigger end the connection (the server reads into a 2 MiB buffer). */
export const MAX_CLIENT_FRAME = 2 << 20;
/** About a kernel socket buffer: the writer "blocks" while more than this is unsent. */
const SOCKET_BUFFER_BYTES = 256 * 1024;
const REPLAY_WINDOW_MS = 10 * 60 * 1000;
const REPLAY_THROTTLE_MS = 100;
const PERMISSION_CACHE_MS = 60 * 60 * 1000;

type QueueItem = { frame: string } | { row: LogRecord; replay: boolean };

export class V0Session {
  readonly connection: number;
  readonly user: string | null;
  private readonly queue: QueueItem[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly permissions = new Map<string, { atMs: number; allowed: boolean }>();
  /** Pending sleeps of the replay, so that closing can end them. */
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly keepalive: NodeJS.Timeout;
  private receiving: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private blockedTimer?: NodeJS.Timeout;
  private resumeTimer?: NodeJS.Timeout;
  private lastMsgId = 0;
  private ending?: DisconnectReason;
  private done = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly hooks: SessionHooks,
    private readonly options: SessionOptions,
  ) {
    this.connection = options.connection;
    this.user = options.user;
    this.keepalive = setInterval(() => {
      if (this.queue.length === 0) this.push({ frame: '{}' });
    }, options.sendTimeoutMs);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (buf.length >= MAX_CLIENT_FRAME) return this.end('frame-too-big');
      // A failure here is the fake's own bug; end the session as the server ends one whose Receive fails.
      this.receiving = this.receiving.then(() => this.receive(buf.toString('utf8'))).catch(() => this.end('receive-error'));
    });
    // The server's websocket library treats a pong it did not ask for as an error.
    ws.on('pong', () => this.end('unsolicited-pong'));
    ws.on('error', () => undefined);
    ws.on('close', (code: number) => this.cleanup(code));
  }

  get isOpen(): boolean {
    return !this.ending && !this.done;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  get subscriptionCount(): number {
    return this.subscriptions.length;
  }

  /** A live event: queue it if a subscription wants it; a full queue ends the connection. */
  offer(row: LogRecord): void {
    if (!this.isOpen || !this.subscriptions.some((s) => s.match(row))) return;
    if (this.queue.length >= this.options.queueSize) {
      this.end('overflow');
      return;
    }
    this.push({ row, replay: false });
  }

  /** Ends the connection cleanly (close frame with `code`, no reason). */
  end(reason: DisconnectReason, code = 1000): void {
    if (!this.isOpen) return;
    this.ending = reason;
    this.stopTimers();
    this.ws.close(code);
  }

  /** Drops the TCP connection without a close frame. */
  cut(reason: DisconnectReason = 'cut'): void {
    if (this.done) return;
    this.ending ??= reason;
    this.stopTimers();
    this.ws.terminate();
  }

  /** Called when writers may resume (stallWrites ended or changed). */
  resume(): void {
    this.pump();
  }

  private async receive(text: string): Promise<void> {
    if (!this.isOpen) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    this.hooks.clientMessage(this.connection, text, parsed);
    const msg = decodeV0(text);
    if (msg?.method === 'subscribe') {
      const sub = new Subscription(msg.filters, msg.lastLogId);
      await this.pushBlocking({ frame: '{"status":200}' });
      this.subscriptions.push(sub);
      await this.replay(sub);
    } else if (msg?.method === 'unsubscribe') {
      const i = this.subscriptions.findIndex((s) => goDeepEqual(s.filters, msg.filters));
      if (i >= 0) this.subscriptions.splice(i, 1);
      await this.pushBlocking({ frame: i >= 0 ? '{"status":200}' : '{"status":400}' });
    } else {
      await this.pushBlocking({ frame: '{"status":400}' });
    }
  }

  /** sendOldEvents: ids after last_log_id, created in the last 10 minutes, in id order. */
  private async replay(sub: Subscription): Promise<void> {
    if (sub.lastLogId === 0) return;
    const since = this.hooks.clock.nowMs() - REPLAY_WINDOW_MS;
    const rows = this.hooks.logs
      .all()
      .filter((r) => r.id > sub.lastLogId && r.created_at > since)
      .sort((a, b) => a.id - b.id);
    for (const row of rows) {
      // The server backs off while the queue is more than half full, so that a backlog does
      // not leave no room for live events.
      while (this.isOpen && this.queue.length * 2 > this.options.queueSize) await this.sleep(REPLAY_THROTTLE_MS);
      if (!this.isOpen) return;
      if (sub.match(row)) await this.pushBlocking({ row, replay: true });
    }
  }

  private push(item: QueueItem): void {
    if (!this.isOpen) return;
    this.queue.push(item);
    this.pump();
  }

  /** A blocking channel send: waits for room in the queue. */
  private async pushBlocking(item: QueueItem): Promise<void> {
    while (this.isOpen && this.queue.length >= this.options.queueSize) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.push(item);
  }

  /** The writer: moves queued messages into the socket while it has room. */
  private pump(): void {
    while (this.isOpen && this.queue.length > 0) {
      const stalled = this.hooks.stalledUntil() - Date.now();
      if (stalled > 0) {
        if (!this.resumeTimer) {
          this.resumeTimer = setTimeout(() => {
            this.resumeTimer = undefined;
            this.pump();
          }, stalled);
        }
        return;
      }
      if (this.ws.bufferedAmount > SOCKET_BUFFER_BYTES) {
        // A Write that blocks longer than SendTimeout fails and ends the connection.
        this.blockedTimer ??= setTimeout(() => this.cut('write-timeout'), this.options.sendTimeoutMs);
        return;
      }
      const item = this.queue.shift()!;
      this.wakeSpaceWaiters();
      const text = 'frame' in item ? item.frame : this.eventMessage(item.row);
      if (text === undefined) {
        if (!this.isOpen) return;
        continue;
      }
      this.inFlight++;
      this.ws.send(text, (err) => {
        this.inFlight--;
        if (this.blockedTimer) {
          clearTimeout(this.blockedTimer);
          this.blockedTimer = undefined;
        }
        if (!err) this.pump();
      });
      if ('row' in item) {
        this.hooks.delivered(this.connection, item.row);
        if (item.replay) this.hooks.replayed(this.connection, item.row);
      }
    }
  }

  /** EventMessage: the permission check, then the message; undefined to skip the event. */
  private eventMessage(row: LogRecord): string | undefined {
    // A deleted object cannot be looked up, so the server checks its owner instead.
    const uuid = (row.event_type === 'delete' ? row.object_owner_uuid : row.object_uuid) ?? '';
    const allowed = this.permitted(uuid);
    if (allowed === 'error') {
      this.end('permission-error');
      return undefined;
    }
    if (allowed === 'denied') return undefined;
    const objectUuid = row.object_uuid ?? '';
    return goJson({
      msgID: ++this.lastMsgId,
      id: row.id,
      uuid: row.uuid,
      object_uuid: objectUuid,
      object_owner_uuid: row.object_owner_uuid ?? '',
      object_kind: defaultKinds.kindOf(objectUuid),
      event_type: row.event_type ?? '',
      event_at: row.event_at === null ? null : goTime(row.event_at),
      properties: trimProperties(row.properties),
    });
  }

  /** The per-connection permission cache: answers are kept for an hour (fake clock). */
  private permitted(uuid: string): PermissionVerdict {
    const now = this.hooks.clock.nowMs();
    const cached = this.permissions.get(uuid);
    if (cached && now - cached.atMs < PERMISSION_CACHE_MS) return cached.allowed ? 'allowed' : 'denied';
    const verdict = this.hooks.checkPermission(this.user, uuid);
    if (verdict !== 'error') this.permissions.set(uuid, { atMs: now, allowed: verdict === 'allowed' });
    return verdict;
  }

  private wakeSpaceWaiters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeps.delete(t);
        resolve();
      }, ms);
      this.sleeps.set(t, resolve);
    });
  }

  private stopTimers(): void {
    clearInterval(this.keepalive);
    for (const [t, wake] of this.sleeps) {
      clearTimeout(t);
      wake();
    }
    this.sleeps.clear();
    if (this.blockedTimer) clearTimeout(this.blockedTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.blockedTimer = this.resumeTimer = undefined;
    // Anything waiting (a replay sleeping, a blocked send) sees the session closed and returns.
    this.wakeSpaceWaiters();
  }

  private cleanup(code: number): void {
    if (this.done) return;
    this.stopTimers();
    this.done = true;
    this.queue.length = 0;
    this.hooks.closed(this, this.ending ?? 'client', code);
  }
}
