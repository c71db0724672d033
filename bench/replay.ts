/**
 * Making the client the bottleneck. The fake cluster builds every websocket message as it sends
 * it (Go-style JSON, permission check), which on this machine tops out around 20,000 events/s:
 * below what a client can take. So the throughput benchmarks also replay the fake's own frames,
 * recorded once, at wire speed:
 *
 *  - recordFrames(n): a recording cluster (same seed, so the same users, token and collection
 *    UUID as the serving one; log ids from 1,000,000 so that they follow anything the serving
 *    cluster has) sends n + 1 update events to a raw `ws` subscriber in this process; the frames
 *    are kept byte for byte, the first as the sentinel, and the other n pre-encoded as one buffer
 *    of websocket frames;
 *  - ReplayProxy: an HTTPS server with the fake's certificate that forwards every REST request to
 *    the serving fake cluster (rewriting its address in the answers, so that the discovery
 *    document publishes the proxy's websocket URL) and answers `/websocket` itself: a v0
 *    subscribe gets `{"status":200}` and the sentinel; blast() then writes all n frames into the
 *    socket at once. The server's only work left is TLS, so the client is the bottleneck.
 *
 * Clients connect to it exactly as to a cluster (ARVADOS_API_HOST = proxy.host): subscribe(),
 * the CLI and a bare `ws` client run unchanged.
 *
 * The same goes for reading the logs API: the fake's logs index is O(rows in the table) per
 * request (every row is permission-checked and wrapped, then sorted: about 1.5 s per page at
 * 100,000 rows), where a real API server reads an index. With `useFastLogs()` the proxy answers
 * the query shapes the engine sends when it polls or fills a gap (`id > X` [and `id <= Y`],
 * optionally `created_at >= T`, `order id asc`, a limit, count exact or none; and the newest id:
 * `order id desc`, limit 1, `select ["id"]`) itself from a snapshot of the fake's rows, byte for
 * byte what the fake answers (checked by `checkFastLogs()`); any other request still goes to the
 * fake (`forwardedLogRequests` counts those to the logs API).
 *
 * Without a recording there is nothing to replay, so the websocket URL the fake publishes is left
 * pointing at the fake: clients then subscribe to the fake itself and only REST goes through here.
 */
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { testCertificate } from '../test/fake/cert';
import { FakeCluster } from '../test/fake/cluster';
import { parseTimeLeniently, railsTime } from '../test/fake/time';
import { benchCollection, emitUpdates, sleep } from './lib';

export interface Recording {
  /** The first recorded event message (text). */
  sentinel: string;
  /** The other `count` messages as consecutive server-to-client websocket text frames. */
  frames: Buffer;
  count: number;
  /** The collection the events are about (the same UUID in every cluster of this seed). */
  uuid: string;
  /** Bytes of JSON per message, on average. */
  avgMessageBytes: number;
}

/** A server-to-client (unmasked) text frame. */
function wsFrame(payload: Buffer): Buffer {
  const len = payload.length;
  let header: Buffer;
  if (len < 126) header = Buffer.from([0x81, len]);
  else if (len < 65536) header = Buffer.from([0x81, 126, len >> 8, len & 255]);
  else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

export async function recordFrames(n: number): Promise<Recording> {
  const cluster = await FakeCluster.start({ clientQueueSize: n + 10_000, sendTimeoutMs: 600_000, firstLogId: 1_000_000 });
  try {
    const uuid = benchCollection(cluster);
    const texts: string[] = [];
    const ws = new WebSocket(`${cluster.websocketUrl}?api_token=${encodeURIComponent(cluster.users.active.token)}`, { ca: cluster.certPem });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"event_type"')) texts.push(text);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ method: 'subscribe' }));
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10_000, 'the recorder subscribing');
    await emitUpdates(cluster, uuid, n + 1, { name: (i) => (i === 0 ? 'sentinel.bam' : `bench-${i}.bam`) });
    await cluster.waitFor(() => texts.length >= n + 1, 120_000, 'the recording');
    ws.close();
    const payloads = texts.slice(1).map((t) => Buffer.from(t));
    return {
      sentinel: texts[0],
      frames: Buffer.concat(payloads.map(wsFrame)),
      count: n,
      uuid,
      avgMessageBytes: Math.round(payloads.reduce((s, p) => s + p.length, 0) / n),
    };
  } finally {
    await cluster.stop();
  }
}

export class ReplayProxy {
  private server?: https.Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<WebSocket>();
  private portNumber = 0;
  private snapshot?: LogSnapshot;
  /** Logs requests answered from the snapshot. */
  fastLogRequests = 0;
  /** Logs requests the snapshot could not answer, forwarded to the fake (O(table) each). */
  forwardedLogRequests = 0;

  private constructor(
    private readonly target: FakeCluster,
    private readonly recording?: Recording,
  ) {}

  /** A proxy to `target`; with a recording, it also replays it on `/websocket`. */
  static async start(target: FakeCluster, recording?: Recording): Promise<ReplayProxy> {
    const p = new ReplayProxy(target, recording);
    await p.listen();
    return p;
  }

  get host(): string {
    return `127.0.0.1:${this.portNumber}`;
  }

  /** Websocket connections that have subscribed (and were sent the sentinel). */
  get subscribed(): number {
    return this.sockets.size;
  }

  /**
   * Answers the engine's logs queries from a snapshot of the fake's rows, all of which must be
   * readable by the token that asks (the benchmarks' rows are all about the active user's objects).
   */
  useFastLogs(): void {
    const rows = this.target.logRows();
    const ids = rows.map((r) => r.id);
    if (!ids.every((id, i) => i === 0 || id > ids[i - 1])) throw new Error('fast logs: the ids are not ascending in commit order');
    const createdAt = rows.map((r) => r.created_at);
    // Kept as JSON text, a fraction of the memory of the objects; a page is then a join.
    this.snapshot = { ids, createdAt, json: rows.map((r) => JSON.stringify(r)), createdAtAscending: createdAt.every((t, i) => i === 0 || t >= createdAt[i - 1]) };
  }

  /**
   * Asks the fake and the snapshot the same queries; throws unless the answers are the same.
   * `startTime`: also check a `created_at >= startTime` query (the CLI's `-s`).
   */
  async checkFastLogs(token: string, startTime?: string): Promise<void> {
    const last = this.snapshot!.ids.at(-1)!;
    const queries: Array<Record<string, unknown>> = [
      { filters: [['id', '>', 0]], order: ['id asc'], limit: 1000, count: 'exact' },
      { filters: [['id', '>', last - 500], ['id', '<=', last - 10]], order: ['id asc'], limit: 1000, count: 'none' },
      { order: ['id desc'], limit: 1, select: ['id'], count: 'none' },
    ];
    if (startTime !== undefined) queries.push({ filters: [['created_at', '>=', startTime], ['id', '>', 0], ['id', '<=', last]], order: ['id asc'], limit: 1000, count: 'exact' });
    for (const q of queries) {
      const query = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
      const get = (port: number) =>
        new Promise<string>((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port, path: `/arvados/v1/logs?${query}`, headers: { Authorization: `Bearer ${token}` }, ca: this.target.certPem, agent: false }, (res) => {
              const body: Buffer[] = [];
              res.on('data', (c: Buffer) => body.push(c));
              res.on('end', () => resolve(Buffer.concat(body).toString('utf8')));
            })
            .on('error', reject);
        });
      const before = this.fastLogRequests;
      const [fake, fast] = [await get(this.target.port), await get(this.portNumber)];
      if (this.fastLogRequests !== before + 1) throw new Error('fast logs: the check query was not answered from the snapshot');
      if (fake !== fast.split(this.host).join(this.target.host)) throw new Error(`fast logs: the answer differs from the fake's for ${query}`);
    }
  }

  /** A logs query of a shape the engine sends, answered from the snapshot; undefined for anything else. */
  private fastLogs(req: IncomingMessage): string | undefined {
    const snap = this.snapshot;
    if (!snap || req.method !== 'GET') return undefined;
    const url = new URL(req.url ?? '/', 'https://proxy.invalid');
    if (url.pathname !== '/arvados/v1/logs') return undefined;
    const p = Object.fromEntries(url.searchParams);
    const known = new Set(['filters', 'order', 'limit', 'count', 'select']);
    if (Object.keys(p).some((k) => !known.has(k)) || !/^\d+$/.test(p.limit ?? '')) return undefined;
    const desc = p.order === '["id desc"]';
    if (!desc && p.order !== '["id asc"]') return undefined;
    if (p.count !== undefined && p.count !== 'exact' && p.count !== 'none') return undefined;
    if (p.select !== undefined && p.select !== '["id"]') return undefined;
    let filters: unknown;
    try {
      filters = JSON.parse(p.filters ?? '[]');
    } catch {
      return undefined;
    }
    if (!Array.isArray(filters)) return undefined;
    let after = -Infinity;
    let upTo = Infinity;
    let since: string | undefined;
    for (const f of filters) {
      if (!Array.isArray(f)) return undefined;
      if (f[0] === 'created_at' && f[1] === '>=' && typeof f[2] === 'string' && snap.createdAtAscending) {
        // As the fake compares times: both sides in Rails form (the check compares the answers).
        const ms = parseTimeLeniently(f[2]);
        if (!Number.isFinite(ms)) return undefined;
        const t = railsTime(ms);
        if (since === undefined || t > since) since = t;
      } else if (f[0] === 'id' && Number.isInteger(f[2]) && f[1] === '>') after = Math.max(after, f[2]);
      else if (f[0] === 'id' && Number.isInteger(f[2]) && f[1] === '<=') upTo = Math.min(upTo, f[2]);
      else return undefined;
    }
    // Ids ascend in the snapshot, and so do the times when `since` is used: binary searches.
    let lo = firstIndex(snap.ids.length, (i) => snap.ids[i] > after);
    const hi = firstIndex(snap.ids.length, (i) => snap.ids[i] > upTo);
    if (since !== undefined) lo = Math.max(lo, firstIndex(snap.ids.length, (i) => snap.createdAt[i] >= since!));
    const available = Math.max(0, hi - lo);
    const limit = Math.min(Number(p.limit), 1000);
    const indexes: number[] = [];
    for (let k = 0; k < Math.min(limit, available); k++) indexes.push(desc ? hi - 1 - k : lo + k);
    // The same text as JSON.stringify of the fake's list (its key order).
    const items = indexes.map((i) => (p.select ? `{"id":${snap.ids[i]},"kind":"arvados#log"}` : snap.json[i]));
    const count = p.count === 'none' ? '' : `,"items_available":${available}`;
    this.fastLogRequests++;
    return `{"kind":"arvados#logList","etag":"","self_link":"","offset":0,"limit":${limit},"items":[${items.join(',')}]${count}}`;
  }

  /** Writes every recorded frame to every subscribed socket, at once. */
  blast(): void {
    for (const ws of this.sockets) (ws as unknown as { _socket: Duplex })._socket.write(this.recording!.frames);
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  /** Waits until `count` sockets have subscribed. */
  async waitForSubscribers(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size < count) {
      if (Date.now() > deadline) throw new Error('replay: no subscriber in time');
      await sleep(5);
    }
  }

  private async listen(): Promise<void> {
    const cert = await testCertificate();
    const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => this.forward(req, res));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    if (!req.url?.startsWith('/websocket') || !this.recording) return void socket.destroy();
    const recording = this.recording;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => {
        let msg: { method?: string } | undefined;
        try {
          msg = JSON.parse(data.toString());
        } catch {
          msg = undefined;
        }
        if (msg?.method !== 'subscribe') return void ws.send('{"status":400}');
        ws.send('{"status":200}');
        ws.send(recording.sentinel);
        this.sockets.add(ws);
      });
    });
  }

  /**
   * REST: forwarded to the fake cluster; its address in the answer becomes ours (but for its
   * websocket URL when there is no recording to replay).
   */
  private forward(req: IncomingMessage, res: ServerResponse): void {
    const fast = this.fastLogs(req);
    if (fast !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(fast) });
      res.end(fast);
      return;
    }
    if (req.url?.startsWith('/arvados/v1/logs')) this.forwardedLogRequests++;
    const targetWs = `wss://${this.target.host}`;
    const rewrite = (text: string) => {
      const parts = this.recording ? [text] : text.split(targetWs);
      return parts.map((part) => part.split(this.target.host).join(this.host)).join(targetWs);
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers, host: this.target.host };
      const out = https.request(
        { host: '127.0.0.1', port: this.target.port, method: req.method, path: req.url, headers, ca: this.target.certPem, agent: false },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            const text = rewrite(Buffer.concat(body).toString('utf8'));
            const h = { ...answer.headers };
            delete h['content-length'];
            delete h['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, { ...h, 'content-length': Buffer.byteLength(text) });
            res.end(text);
          });
        },
      );
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(Buffer.concat(chunks));
    });
  }
}

interface LogSnapshot {
  /** In commit order, which is id order. */
  ids: number[];
  /** Rails-form times (fixed width, so they compare as text). */
  createdAt: string[];
  /** Each row as the logs API writes it. */
  json: string[];
  createdAtAscending: boolean;
}

/** The first index in [0, n) for which `pred` holds, pred being false then true along the range (n if none). */
function firstIndex(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
