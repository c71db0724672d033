/**
 * The websocket endpoint of the fake cluster, sharing the HTTPS server through its `upgrade`
 * event: `/websocket` is v0; `/arvados/v1/events.ws` (v1) completes the upgrade and closes at
 * once, as the real server does; anything else is a 404. Turning the websocket off makes the
 * upgrade a 404; rejecting upgrades makes it a 503 (the request limiter), with the URL still
 * published.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { DisconnectReason, MAX_CLIENT_FRAME, SessionHooks, V0Session } from './wsSession';

export interface WsServiceHooks extends Omit<SessionHooks, 'closed'> {
  enabled(): boolean;
  rejecting(): boolean;
  userForToken(token: string | undefined): string | null;
  queueSize(): number;
  sendTimeoutMs(): number;
  upgradeAttempt(path: string, status: number): void;
  opened(session: V0Session): void;
  closed(session: V0Session, reason: DisconnectReason, code: number): void;
}

export class WebsocketService {
  readonly sessions = new Set<V0Session>();
  private total = 0;
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // The real server's library does not negotiate compression.
    perMessageDeflate: false,
    // Frames from 2 MiB up are refused by the session with a normal close, as the real server
    // does; this larger cap only bounds what the fake will buffer.
    maxPayload: 4 * MAX_CLIENT_FRAME,
  });
  private readonly pending = new Set<WebSocket>();

  constructor(private readonly hooks: WsServiceHooks) {}

  get connectionsTotal(): number {
    return this.total;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://fake.invalid');
    if (url.pathname === '/websocket') {
      if (!this.hooks.enabled()) return this.reject(url.pathname, socket, 404, '404 page not found\n');
      if (this.hooks.rejecting()) return this.reject(url.pathname, socket, 503, 'Service Unavailable\n');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.hooks.upgradeAttempt(url.pathname, 101);
        const h = this.hooks;
        const sessionHooks: SessionHooks = {
          clock: h.clock,
          logs: h.logs,
          checkPermission: (user, uuid) => h.checkPermission(user, uuid),
          stalledUntil: () => h.stalledUntil(),
          clientMessage: (n, raw, parsed) => h.clientMessage(n, raw, parsed),
          replayed: (n, row) => h.replayed(n, row),
          delivered: (n, row) => h.delivered(n, row),
          closed: (s, reason, code) => this.onClosed(s, reason, code),
        };
        const session = new V0Session(
          ws,
          sessionHooks,
          {
            connection: ++this.total,
            // v0 reads the token only from the query; the Authorization header is ignored.
            user: this.hooks.userForToken(url.searchParams.get('api_token') ?? undefined),
            queueSize: this.hooks.queueSize(),
            sendTimeoutMs: this.hooks.sendTimeoutMs(),
          },
        );
        this.sessions.add(session);
        this.hooks.opened(session);
      });
    } else if (url.pathname === '/arvados/v1/events.ws') {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.hooks.upgradeAttempt(url.pathname, 101);
        // "Not implemented": the handler returns, and the connection closes right away.
        this.pending.add(ws);
        ws.on('close', () => this.pending.delete(ws));
        ws.on('error', () => undefined);
        ws.close(1000);
      });
    } else {
      this.reject(url.pathname, socket, 404, '404 page not found\n');
    }
  }

  cutAll(): void {
    for (const s of this.sessions) s.cut('cut');
  }

  closeAll(code: number): void {
    for (const s of this.sessions) s.end('closed-by-test', code);
  }

  resumeAll(): void {
    for (const s of this.sessions) s.resume();
  }

  /** Drops every connection; resolves when all are gone. */
  async stop(): Promise<void> {
    const gone = [...this.sessions].map((s) => new Promise<void>((resolve) => this.whenClosed(s, resolve)));
    for (const s of this.sessions) s.cut('server-stopped');
    for (const ws of this.pending) ws.terminate();
    await Promise.all(gone);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly closeWaiters = new Map<V0Session, Array<() => void>>();

  private whenClosed(s: V0Session, resolve: () => void): void {
    if (!this.sessions.has(s)) return resolve();
    const list = this.closeWaiters.get(s) ?? [];
    list.push(resolve);
    this.closeWaiters.set(s, list);
  }

  private onClosed(s: V0Session, reason: DisconnectReason, code: number): void {
    this.sessions.delete(s);
    this.hooks.closed(s, reason, code);
    for (const resolve of this.closeWaiters.get(s) ?? []) resolve();
    this.closeWaiters.delete(s);
  }

  private reject(path: string, socket: Duplex, status: number, body: string): void {
    this.hooks.upgradeAttempt(path, status);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}
