/**
 * A fake Arvados cluster on real sockets, for integration tests and demos: one HTTPS server on
 * 127.0.0.1 with a throwaway certificate, serving the REST API (discovery, config, users, logs,
 * objects) and the websocket v0 event stream, with the behaviour documented in
 * docs/protocol.md. Tests drive it (emit events, move the clock, break the
 * network) and observe it (requests, client messages, connections, disconnect reasons).
 */
import { EventEmitter } from 'node:events';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultKinds, PDH_PATTERN } from '../../src/arvados/kinds';
import { testCertificate } from './cert';
import type { PublishedSettings } from './discovery';
import { IdFactory, etagOf } from './ids';
import { LogRecord, LogTable, restLogItem } from './logTable';
import { Attrs, modelOfUuid } from './models';
import { ProcessLogStore } from './processLogs';
import { ApiRequestRecord, createRestHandler } from './restApi';
import { ObjectInput, ObjectStore } from './store';
import { FakeClock, railsTime, toMs } from './time';
import { WebsocketService } from './wsService';
import type { DisconnectReason, PermissionVerdict, V0Session } from './wsSession';

export type { ApiRequestRecord } from './restApi';
export type { DisconnectReason } from './wsSession';
export type { Attrs } from './models';
export type TimeInput = number | string | Date;

export interface FakeClusterOptions {
  /** Listen port on 127.0.0.1 (default: a free one). */
  port?: number;
  clusterId?: string;
  /** API.SendTimeout: keepalive interval and write deadline (default 60000). */
  sendTimeoutMs?: number;
  /** API.WebsocketClientEventQueue (default 64). */
  clientQueueSize?: number;
  /** API.MaxItemsPerResponse (default 1000). */
  maxItemsPerResponse?: number;
  /** Publish and serve the websocket (default true). */
  websocket?: boolean;
  workbench2Url?: string;
  /** False: only the exported config (Services.Workbench2.ExternalURL) names Workbench, not the discovery document. */
  workbenchInDiscovery?: boolean;
  /** Seed of the deterministic UUIDs and tokens (default 'arvados-events'). */
  seed?: string;
  /** The first log id (default 1). */
  firstLogId?: number;
  /** Users.ActivatedUsersAreVisibleToOthers (default true, as on a real cluster). */
  usersVisibleToOthers?: boolean;
  /** `<resource>.<method>` entries of API.DisabledAPIs, e.g. `logs.list`. */
  disabledApis?: string[];
  /**
   * AuditLogs.MaxAge in ms: after a log row is committed, at most once per MaxAge/14 of fake-clock
   * time, the create/update/destroy/delete rows created more than MaxAge ago are deleted (as
   * `AuditLogs.tidy_in_background` does). Default: never, as on a cluster with the default
   * AuditLogs.MaxDeleteBatch 0. Arvados needs at least 5 minutes for the websocket's replay.
   */
  auditLogsMaxAgeMs?: number;
  /** The fake's own cap on stored log rows, any type, the oldest dropped first (default: none). */
  logMaxRows?: number;
}

export interface FakeUser {
  uuid: string;
  token: string;
  name: string;
  email: string;
  username: string;
}

/** A log row as the logs REST API returns it (full properties). */
export interface FakeLogRow {
  kind: 'arvados#log';
  etag: string;
  id: number;
  uuid: string;
  owner_uuid: string | null;
  created_at: string;
  modified_by_user_uuid: string | null;
  modified_at: string;
  object_uuid: string | null;
  object_owner_uuid: string | null;
  object_kind: string | null;
  event_at: string | null;
  event_type: string | null;
  summary: string | null;
  properties: unknown;
}

/** What `emit` takes; everything is optional. */
export interface LogInput {
  /** A reserved id (reserveLogId) to commit a row out of id order. */
  id?: number;
  uuid?: string;
  object_uuid?: string | null;
  /** Defaults to the stored object's owner. */
  object_owner_uuid?: string | null;
  /** Defaults to 'update'. */
  event_type?: string | null;
  event_at?: TimeInput | null;
  /** Defaults to the fake clock's now. */
  created_at?: TimeInput;
  /** The user who caused the event; defaults to the user owning the object, else the system user. */
  owner_uuid?: string | null;
  modified_by_user_uuid?: string | null;
  summary?: string | null;
  properties?: unknown;
}

export interface ClientMessage {
  connection: number;
  /** The frame as received. */
  raw: string;
  /** JSON.parse of the frame, or undefined when it is not JSON. */
  message: unknown;
}

export interface Disconnect {
  connection: number;
  reason: DisconnectReason;
  /** Close code seen by the server (1006 when the TCP connection was dropped). */
  code: number;
}

/** A request as it reached the server (see wireRequests). */
export interface WireRequest {
  method: string;
  path: string;
  /** A websocket upgrade. */
  upgrade: boolean;
  /** Every token the request carried, as sent: `api_token`/`oauth_token` params and the Authorization header's. */
  tokens: string[];
}

export interface UpgradeAttempt {
  path: string;
  status: number;
}

interface FailureRule {
  remaining: number;
  status: number;
  paths?: string[];
}

const DEFAULT_CLUSTER = 'zzzzz';

export class FakeCluster {
  /**
   * Notifications for tests (`once(cluster.events, 'disconnect')`): `connection` (session
   * number), `disconnect` (Disconnect), `clientMessage` (ClientMessage), `request`
   * (ApiRequestRecord), `log` (FakeLogRow).
   */
  readonly events = new EventEmitter();
  readonly clusterId: string;
  readonly certPem: string;
  readonly certFile: string;
  readonly users: { active: FakeUser; other: FakeUser; admin: FakeUser };
  readonly systemUserUuid: string;
  readonly clock = new FakeClock();

  readonly apiRequests: ApiRequestRecord[] = [];
  /**
   * Every HTTP request and websocket upgrade that reached the server, as sent, before any
   * parsing: for tests that check which token went where (apiRequests never holds tokens).
   */
  readonly wireRequests: WireRequest[] = [];
  readonly subscribeMessages: ClientMessage[] = [];
  readonly disconnects: Disconnect[] = [];
  readonly upgradeAttempts: UpgradeAttempt[] = [];
  /** Events written to websocket clients: which connection got which log id. */
  readonly deliveries: Array<{ connection: number; id: number }> = [];
  /** Updates clients made through the REST API (PUT/PATCH), in order: who changed what. */
  readonly clientUpdates: Array<{ uuid: string; user: string; attrs: Attrs }> = [];
  replayedEventCount = 0;
  overflowDisconnects = 0;

  private readonly ids: IdFactory;
  private readonly store: ObjectStore;
  private readonly logs: LogTable;
  private readonly ws: WebsocketService;
  private readonly tokens = new Map<string, string>();
  private readonly failures: FailureRule[] = [];
  private permissionFailures = 0;
  private stallUntil = 0;
  private websocketOn: boolean;
  private rejectingUpgrades = false;
  private server?: https.Server;
  private portNumber = 0;
  private keyPem = '';

  private constructor(
    private readonly options: FakeClusterOptions,
    cert: { certPem: string; certFile: string },
  ) {
    this.clusterId = options.clusterId ?? DEFAULT_CLUSTER;
    this.certPem = cert.certPem;
    this.certFile = cert.certFile;
    this.websocketOn = options.websocket ?? true;
    this.ids = new IdFactory(this.clusterId, options.seed ?? 'arvados-events');
    this.logs = new LogTable({
      firstId: options.firstLogId ?? 1,
      maxAgeMs: options.auditLogsMaxAgeMs,
      maxRows: options.logMaxRows,
      nowMs: () => this.clock.nowMs(),
    });
    this.systemUserUuid = `${this.clusterId}-tpzed-000000000000000`;
    this.store = new ObjectStore(this.ids, this.clock, {
      usersVisibleToOthers: options.usersVisibleToOthers ?? true,
      defaultOwner: () => this.users.active.uuid,
    });
    this.store.put({ uuid: this.systemUserUuid, owner_uuid: this.systemUserUuid, first_name: 'root', is_admin: true, username: 'root' });
    this.users = {
      active: this.addUser('Active', 'User', 'active', false),
      other: this.addUser('Other', 'User', 'other', false),
      admin: this.addUser('Admin', 'User', 'admin', true),
    };
    this.ws = new WebsocketService({
      clock: this.clock,
      logs: this.logs,
      enabled: () => this.websocketOn,
      rejecting: () => this.rejectingUpgrades,
      userForToken: (t) => this.userForToken(t),
      queueSize: () => this.options.clientQueueSize ?? 64,
      sendTimeoutMs: () => this.sendTimeoutMs,
      checkPermission: (user, uuid) => this.checkPermission(user, uuid),
      stalledUntil: () => this.stallUntil,
      clientMessage: (connection, raw, message) => {
        const m: ClientMessage = { connection, raw, message };
        this.subscribeMessages.push(m);
        this.events.emit('clientMessage', m);
      },
      replayed: () => void this.replayedEventCount++,
      delivered: (connection, row) => void this.deliveries.push({ connection, id: row.id }),
      upgradeAttempt: (path, status) => void this.upgradeAttempts.push({ path, status }),
      opened: (s) => this.events.emit('connection', s.connection),
      closed: (s, reason, code) => this.onDisconnect(s, reason, code),
    });
  }

  /** Starts a cluster; resolves once it listens. */
  static async start(options: FakeClusterOptions = {}): Promise<FakeCluster> {
    const cluster = await FakeCluster.down({ ...options, port: options.port ?? 0 });
    await cluster.comeUp();
    return cluster;
  }

  /**
   * A cluster whose host is down: its users, tokens and address are known (`port` fixed, or 0
   * for a free one picked when it comes up), but nothing listens until `comeUp()`.
   */
  static async down(options: FakeClusterOptions & { port: number }): Promise<FakeCluster> {
    const cert = await testCertificate();
    const cluster = new FakeCluster(options, cert);
    cluster.portNumber = options.port;
    cluster.keyPem = cert.keyPem;
    return cluster;
  }

  /** Starts listening (on the port given to `down`); resolves once it does. */
  async comeUp(): Promise<void> {
    if (this.server) return;
    await this.listen(this.keyPem, this.portNumber);
  }

  // ---- addresses ------------------------------------------------------------------------

  get port(): number {
    return this.portNumber;
  }

  /** The ARVADOS_API_HOST value: `127.0.0.1:PORT`. */
  get host(): string {
    return `127.0.0.1:${this.portNumber}`;
  }

  get rootUrl(): string {
    return `https://${this.host}/`;
  }

  /** The websocket URL (whether or not it is currently published; see setWebsocketEnabled). */
  get websocketUrl(): string {
    return `wss://${this.host}/websocket`;
  }

  get workbench2Url(): string {
    return this.options.workbench2Url ?? `https://workbench.${this.clusterId}.example/`;
  }

  get sendTimeoutMs(): number {
    return this.options.sendTimeoutMs ?? 60_000;
  }

  // ---- clock ------------------------------------------------------------------------------

  now(): Date {
    return this.clock.now();
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  advanceClock(ms: number): void {
    this.clock.advance(ms);
  }

  setClockOffset(ms: number): void {
    this.clock.setOffset(ms);
  }

  // ---- objects ------------------------------------------------------------------------------

  /**
   * Creates or updates a stored object, silently (no log row). Give `uuid`, or `kind`
   * (`arvados#collection`…) to get a new deterministic UUID. `readers` shares it with users.
   * `owner_uuid` defaults to the active user.
   */
  putObject(input: ObjectInput): Attrs {
    return this.store.put(input);
  }

  getObject(uuid: string): Attrs | undefined {
    return this.store.get(uuid);
  }

  /** Gives `user` read access to an object (and, for a project, to everything in it). */
  share(uuid: string, user: FakeUser | string): void {
    this.store.share(uuid, userUuidOf(user));
  }

  unshare(uuid: string, user: FakeUser | string): void {
    this.store.unshare(uuid, userUuidOf(user));
  }

  /** A project (`j7d0g`, group_class project) owned by a user or another project. */
  createProject(owner: FakeUser | string, name: string, attrs: Attrs = {}): Attrs {
    return this.store.put({ kind: 'arvados#group', group_class: 'project', name, ...attrs, owner_uuid: userUuidOf(owner) });
  }

  /** putObject, then the `create` log row the API server would write. */
  createObject(input: ObjectInput, opts: { by?: FakeUser | string } = {}): { object: Attrs; log: FakeLogRow } {
    const object = this.store.put(input);
    return { object, log: this.recordChange(object.uuid as string, 'create', {}, opts) };
  }

  updateObject(uuid: string, attrs: Attrs, opts: { by?: FakeUser | string } = {}): FakeLogRow {
    return this.recordChange(uuid, 'update', attrs, opts);
  }

  /** Trashing is an update that sets is_trashed. */
  trashObject(uuid: string, opts: { by?: FakeUser | string } = {}): FakeLogRow {
    return this.recordChange(uuid, 'update', { is_trashed: true, trash_at: railsTime(this.nowMs()) }, opts);
  }

  deleteObject(uuid: string, opts: { by?: FakeUser | string } = {}): FakeLogRow {
    return this.recordChange(uuid, 'delete', {}, opts);
  }

  /**
   * Changes a stored object and writes the audit log row the API server would: properties carry
   * old/new etags and full attributes (minus unlogged ones), event_at is the object's
   * created_at / modified_at / now, object_owner_uuid the owner (the old owner for delete).
   */
  recordChange(uuid: string, eventType: 'create' | 'update' | 'delete', attrs: Attrs = {}, opts: { by?: FakeUser | string } = {}): FakeLogRow {
    const before = this.store.get(uuid);
    if (!before) throw new Error(`recordChange: no object ${uuid}`);
    const actor = opts.by ? userUuidOf(opts.by) : (this.store.owningUser(uuid) ?? this.systemUserUuid);
    const now = this.nowMs();
    if (eventType === 'create') {
      return this.commitLog({
        object_uuid: uuid,
        object_owner_uuid: before.owner_uuid as string,
        event_type: 'create',
        event_at: before.created_at as string,
        owner_uuid: actor,
        properties: { old_etag: null, old_attributes: null, new_etag: before.etag, new_attributes: logged(before) },
      });
    }
    if (eventType === 'update') {
      const after = this.store.put({ ...attrs, uuid, modified_at: railsTime(now), modified_by_user_uuid: actor });
      return this.commitLog({
        object_uuid: uuid,
        object_owner_uuid: after.owner_uuid as string,
        event_type: 'update',
        event_at: after.modified_at as string,
        owner_uuid: actor,
        properties: { old_etag: before.etag, old_attributes: logged(before), new_etag: after.etag, new_attributes: logged(after) },
      });
    }
    this.store.delete(uuid);
    return this.commitLog({
      object_uuid: uuid,
      object_owner_uuid: before.owner_uuid as string,
      event_type: 'delete',
      event_at: now,
      owner_uuid: actor,
      properties: { old_etag: before.etag, old_attributes: logged(before), new_etag: null, new_attributes: null },
    });
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * Commits a log row and hands it to every websocket session at once (synchronously). Returns
   * the row as the logs API shows it.
   */
  emit(input: LogInput = {}): FakeLogRow {
    return this.commitLog(input);
  }

  /**
   * `n` rows in one synchronous burst. More matching rows than a client's queue holds, faster
   * than its writer drains, is what overflows a real server's queue; use emitStream to pace.
   */
  emitBatch(n: number, template: LogInput | ((i: number) => LogInput) = {}): FakeLogRow[] {
    const rows: FakeLogRow[] = [];
    for (let i = 0; i < n; i++) rows.push(this.commitLog(typeof template === 'function' ? template(i) : template));
    return rows;
  }

  /** `n` rows, yielding to the event loop between rows (and waiting `intervalMs`). */
  async emitStream(n: number, template: LogInput | ((i: number) => LogInput) = {}, opts: { intervalMs?: number } = {}): Promise<FakeLogRow[]> {
    const rows: FakeLogRow[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(this.commitLog(typeof template === 'function' ? template(i) : template));
      await new Promise((resolve) => (opts.intervalMs ? setTimeout(resolve, opts.intervalMs) : setImmediate(resolve)));
    }
    return rows;
  }

  /**
   * `n` rows committed as `emit` commits them (same ids, UUIDs, etags, websocket fan-out), for
   * writing a large history quickly: their REST form is not built and `log` listeners are not
   * told, which is most of emit's cost. Returns the first and last ids written.
   */
  insertLogs(n: number, template: LogInput | ((i: number) => LogInput) = {}): { firstId: number; lastId: number } {
    let firstId = 0;
    let lastId = 0;
    for (let i = 0; i < n; i++) {
      const row = this.commitRecord(typeof template === 'function' ? template(i) : template);
      if (i === 0) firstId = row.id;
      lastId = row.id;
    }
    return { firstId, lastId };
  }

  /** What processes wrote, served by the container request log endpoint. */
  readonly processLogs = new ProcessLogStore();

  /** Appends to a container's log file (e.g. `stderr.txt`), as crunch-run does while it runs. */
  writeProcessLog(containerUuid: string, file: string, text: string | Buffer): void {
    this.processLogs.append(containerUuid, file, text);
  }

  /** Takes the next log id without committing a row (emit({id}) commits it later). */
  reserveLogId(): number {
    return this.logs.reserveId();
  }

  /** The highest log id taken so far. */
  get lastLogId(): number {
    return this.logs.maxId;
  }

  /** Log rows stored now (committed and not pruned). */
  get logRowCount(): number {
    return this.logs.size;
  }

  /** How many times the table was swept for rows older than auditLogsMaxAgeMs. */
  get auditLogSweeps(): number {
    return this.logs.sweeps;
  }

  /** Every stored row (committed, not pruned), in commit order, as the logs API shows them. */
  logRows(): FakeLogRow[] {
    return this.logs.all().map((r) => restLogItem(r) as unknown as FakeLogRow);
  }

  private commitLog(input: LogInput): FakeLogRow {
    const row = this.commitRecord(input);
    const rest = restLogItem(row) as unknown as FakeLogRow;
    this.events.emit('log', rest);
    return rest;
  }

  /** Writes the row, as the API server does, and hands it to every websocket session at once. */
  private commitRecord(input: LogInput): LogRecord {
    const objectUuid = input.object_uuid ?? null;
    // The stored object (a copy) only for its owner, when the row does not say.
    const stored = objectUuid && input.object_owner_uuid === undefined ? this.store.get(objectUuid) : undefined;
    const createdAt = input.created_at === undefined ? this.nowMs() : toMs(input.created_at);
    const eventType = input.event_type === undefined ? 'update' : input.event_type;
    const owner =
      input.owner_uuid !== undefined
        ? input.owner_uuid
        : (input.modified_by_user_uuid ?? (objectUuid && this.store.owningUser(objectUuid)) ?? this.systemUserUuid);
    const row: LogRecord = {
      id: input.id ?? this.logs.reserveId(),
      uuid: input.uuid ?? this.ids.uuid('57u5n'),
      owner_uuid: owner,
      modified_by_user_uuid: input.modified_by_user_uuid !== undefined ? input.modified_by_user_uuid : owner,
      object_uuid: objectUuid,
      object_owner_uuid: input.object_owner_uuid !== undefined ? input.object_owner_uuid : ((stored?.owner_uuid as string | undefined) ?? null),
      event_type: eventType,
      event_at: input.event_at === null ? null : input.event_at === undefined ? createdAt : toMs(input.event_at),
      created_at: createdAt,
      modified_at: createdAt,
      summary: input.summary !== undefined ? input.summary : `${eventType} of ${objectUuid}`,
      properties: structuredClone(input.properties ?? {}),
      etag: '',
    };
    row.etag = etagOf(row);
    this.logs.append(row);
    for (const s of this.ws.sessions) s.offer(row);
    return row;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Destroys every websocket's TCP connection abruptly (no close frame). */
  cutConnections(): void {
    this.ws.cutAll();
  }

  /** Closes every websocket cleanly with `code` and no reason. */
  closeConnections(code = 1000): void {
    this.ws.closeAll(code);
  }

  /** Off: discovery and config publish websocketUrl "" and upgrades get 404. Open sockets stay. */
  setWebsocketEnabled(enabled: boolean): void {
    this.websocketOn = enabled;
  }

  /** On: upgrades fail with 503 (request limiter full) while the URL is still published. */
  rejectUpgrades(reject: boolean): void {
    this.rejectingUpgrades = reject;
  }

  /** The next `n` HTTP requests (only those under one of `paths`, if given) fail with `status`. */
  failNextApiCalls(n: number, status = 503, paths?: string[]): void {
    this.failures.push({ remaining: n, status, paths });
  }

  /** Drops every failure that failNextApiCalls set up and that has not happened yet. */
  clearApiFailures(): void {
    this.failures.length = 0;
  }

  /** The next `n` websocket permission lookups fail (5xx): the server then closes that connection. */
  failPermissionChecks(n: number): void {
    this.permissionFailures += n;
  }

  /** Pauses the writer of every websocket session for `ms` (0 resumes), so queues fill up. */
  stallWrites(ms: number): void {
    this.stallUntil = ms > 0 ? Date.now() + ms : 0;
    if (ms <= 0) this.ws.resumeAll();
  }

  // ---- observation --------------------------------------------------------------------------

  /** Websocket sessions currently open. */
  get wsConnectionCount(): number {
    return this.ws.sessions.size;
  }

  get wsConnectionsTotal(): number {
    return this.ws.connectionsTotal;
  }

  /** Current sessions: connection number, user, subscriptions and queue length. */
  wsSessions(): Array<{ connection: number; user: string | null; subscriptions: number; queued: number }> {
    return [...this.ws.sessions].map((s) => ({ connection: s.connection, user: s.user, subscriptions: s.subscriptionCount, queued: s.queueLength }));
  }

  /** Resolves when `predicate` holds (checked every 5 ms); rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`FakeCluster: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Closes every socket and the server; resolves when all are closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.ws.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private async listen(keyPem: string, port: number): Promise<void> {
    const server = https.createServer({ key: keyPem, cert: this.certPem }, createRestHandler({
      settings: () => this.published(),
      store: this.store,
      logs: this.logs,
      clock: this.clock,
      ids: this.ids,
      userForToken: (t) => this.userForToken(t),
      takeInjectedFailure: (path) => this.takeInjectedFailure(path),
      record: (r) => {
        const rec: ApiRequestRecord = { seq: this.apiRequests.length + 1, ...r };
        this.apiRequests.push(rec);
        this.events.emit('request', rec);
      },
      canReadLog: (user, row) => this.canReadLog(user, row),
      processLogs: {
        logs: this.processLogs,
        readableRequest: (user, uuid) => (modelOfUuid(uuid)?.model === 'ContainerRequest' && this.store.canReadRecord(user, uuid, false) ? this.store.get(uuid) : undefined),
        container: (uuid) => this.store.get(uuid),
      },
      update: (user, uuid, attrs) => {
        this.clientUpdates.push({ uuid, user, attrs: structuredClone(attrs) });
        this.updateObject(uuid, attrs, { by: user });
        return this.store.get(uuid)!;
      },
    }));
    server.prependListener('request', (req: IncomingMessage) => this.recordWire(req, false));
    server.on('upgrade', (req, socket, head) => {
      this.recordWire(req, true);
      this.ws.handleUpgrade(req, socket, head);
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private recordWire(req: IncomingMessage, upgrade: boolean): void {
    const url = new URL(req.url ?? '/', 'https://fake.invalid');
    const tokens = ['api_token', 'oauth_token'].flatMap((k) => url.searchParams.getAll(k));
    const auth = req.headers.authorization;
    if (auth) tokens.push(auth.replace(/^(Bearer|OAuth2)\s+/i, ''));
    this.wireRequests.push({ method: req.method ?? '', path: url.pathname, upgrade, tokens });
  }

  private published(): PublishedSettings {
    return {
      clusterId: this.clusterId,
      rootUrl: this.rootUrl,
      websocketUrl: this.websocketOn ? this.websocketUrl : '',
      workbench2Url: this.workbench2Url,
      workbenchInDiscovery: this.options.workbenchInDiscovery,
      sendTimeoutMs: this.sendTimeoutMs,
      maxItemsPerResponse: this.options.maxItemsPerResponse ?? 1000,
      disabledApis: this.options.disabledApis ?? [],
    };
  }

  private addUser(first: string, last: string, username: string, isAdmin: boolean): FakeUser {
    const user = this.store.put({
      kind: 'arvados#user',
      owner_uuid: this.systemUserUuid,
      first_name: first,
      last_name: last,
      username,
      email: `${username}@${this.clusterId}.example`,
      is_active: true,
      is_admin: isAdmin,
    });
    const { token } = this.ids.token();
    const uuid = user.uuid as string;
    this.tokens.set(token, uuid);
    this.tokens.set(token.split('/')[2]!, uuid); // the bare secret is a valid (v1) token too
    return { uuid, token, name: `${first} ${last}`, email: user.email as string, username };
  }

  private userForToken(token: string | undefined): string | null {
    return token ? (this.tokens.get(token) ?? null) : null;
  }

  private takeInjectedFailure(path: string): number | undefined {
    const rule = this.failures.find((f) => f.remaining > 0 && (!f.paths || f.paths.some((p) => path.startsWith(p))));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.status;
  }

  /** The websocket server's permission check: GET <path for uuid>?include_trash=true. */
  private checkPermission(user: string | null, uuid: string): PermissionVerdict {
    if (this.permissionFailures > 0) {
      this.permissionFailures--;
      return 'error';
    }
    // A UUID of no known type has no path to check: an error, not a denial.
    if (!PDH_PATTERN.test(uuid) && !defaultKinds.kindOf(uuid)) return 'error';
    return this.store.canReadRecord(user, uuid, true) ? 'allowed' : 'denied';
  }

  /** Logs are readable through their object, their owner (who caused them) or the object's owner. */
  private canReadLog(user: string | null, row: LogRecord): boolean {
    if (!user) return false;
    if (this.store.isAdmin(user)) return true;
    return (
      (!!row.object_uuid && this.store.canReadRecord(user, row.object_uuid)) ||
      this.store.canReadOwnedBy(user, row.owner_uuid) ||
      this.store.canReadOwnedBy(user, row.object_owner_uuid)
    );
  }

  private onDisconnect(s: V0Session, reason: DisconnectReason, code: number): void {
    if (reason === 'overflow') this.overflowDisconnects++;
    const d: Disconnect = { connection: s.connection, reason, code };
    this.disconnects.push(d);
    this.events.emit('disconnect', d);
  }
}

function userUuidOf(user: FakeUser | string): string {
  return typeof user === 'string' ? user : user.uuid;
}

/** The attributes an audit log records: database columns, minus the unlogged ones. */
function logged(obj: Attrs): Attrs {
  const out: Attrs = { ...obj };
  delete out.kind;
  delete out.etag;
  for (const k of modelOfUuid(obj.uuid as string)?.unlogged ?? []) delete out[k];
  return out;
}
