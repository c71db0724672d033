/**
 * Minimal raw clients for poking the fake cluster in tests: one HTTPS request with the fake's
 * certificate trusted, and a websocket that records every frame and how it closed. Deliberately
 * independent of the project's own clients, so that the fake is checked on its own terms.
 */
import * as https from 'node:https';
import WebSocket from 'ws';
import type { FakeCluster } from './cluster';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: any;
}

export interface RawRequest {
  method?: string;
  /** Query parameters; non-string values are JSON-encoded. */
  query?: Record<string, unknown>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  /** Form body (application/x-www-form-urlencoded); non-string values are JSON-encoded. */
  form?: Record<string, unknown>;
}

function encode(params: Record<string, unknown>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) sp.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return sp.toString();
}

export function request(cluster: FakeCluster, path: string, opts: RawRequest = {}): Promise<RawResponse> {
  const query = opts.query ? `?${encode(opts.query)}` : '';
  const body = opts.form ? encode(opts.form) : undefined;
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: cluster.port, path: path + query, method: opts.method ?? (body ? 'POST' : 'GET'), headers, ca: cluster.certPem, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A websocket client that keeps every frame. */
export class RawWs {
  readonly frames: string[] = [];
  readonly opened: Promise<void>;
  /** Resolves with the close code (1006 when the connection was dropped without a close frame). */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set when the upgrade was refused: the HTTP status. */
  upgradeStatus?: number;
  private waiters: Array<() => void> = [];

  constructor(
    readonly ws: WebSocket,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        this.upgradeStatus = res.statusCode;
        res.resume();
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      this.frames.push(data.toString('utf8'));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects to the cluster's websocket with `token` as api_token (omit for none). */
  static connect(cluster: FakeCluster, token?: string, path = '/websocket'): RawWs {
    const q = token === undefined ? '' : `?api_token=${encodeURIComponent(token)}`;
    return new RawWs(new WebSocket(`wss://${cluster.host}${path}${q}`, { ca: cluster.certPem }));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Parsed frames. */
  get messages(): any[] {
    return this.frames.map((f) => JSON.parse(f));
  }

  /** Event frames only (those with event_type). */
  get events(): any[] {
    return this.messages.filter((m) => 'event_type' in m);
  }

  /** Waits until `count` frames have arrived in all; resolves with the parsed frames. */
  async waitForFrames(count: number, timeoutMs = 3000): Promise<any[]> {
    await this.waitUntil(() => this.frames.length >= count, timeoutMs, `${count} frames (have ${this.frames.length})`);
    return this.messages;
  }

  async waitUntil(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`RawWs: timed out waiting for ${what}; frames: ${this.frames.join(' ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
