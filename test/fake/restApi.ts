/**
 * The REST side of the fake cluster: discovery, config, the current user, the logs list (GET, or
 * POST with `_method=GET` as Workbench sends long queries) and single objects and lists of the
 * stored models, each with per-token visibility and the server's error shapes.
 */
import { serveLogRoute, type LogRouteContext } from './processLogs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { discoveryDocument, exportedConfig, PublishedSettings } from './discovery';
import type { IdFactory } from './ids';
import { LogRecord, logColumns, LogTable, restLogItem } from './logTable';
import { ListRow, listQuery, ListSpec } from './listQuery';
import { Attrs, LOG_ATTRIBUTES, LOG_COLUMNS, modelOfResource, modelOfUuid, ModelDef } from './models';
import { ApiFailure, ErrorShape } from './railsErrors';
import type { ObjectStore } from './store';
import type { FakeClock } from './time';
import { PDH_PATTERN } from '../../src/arvados/kinds';

/** One HTTP request the fake served. Tokens are never recorded. */
export interface ApiRequestRecord {
  seq: number;
  /** As sent: `POST` for a POST with `_method=GET`. */
  method: string;
  /** What the API acted on: `GET` for a POST with `_method=GET`. */
  effectiveMethod: string;
  path: string;
  /** Query string parameters, `api_token`/`oauth_token` removed. */
  query: Record<string, string>;
  /** Body parameters (form or JSON), tokens removed. */
  form: Record<string, unknown>;
  /** UUID of the user the token resolved to; null for no or an unknown token. */
  user: string | null;
  status: number;
  /** True when the answer came from failNextApiCalls. */
  injected: boolean;
}

export interface RestContext {
  settings(): PublishedSettings;
  store: ObjectStore;
  logs: LogTable;
  clock: FakeClock;
  ids: IdFactory;
  /** The user a token belongs to (v2 token or its bare secret), or null. */
  userForToken(token: string | undefined): string | null;
  /** A status to answer with instead of serving the request (failNextApiCalls), if one is due. */
  takeInjectedFailure(path: string): number | undefined;
  record(r: Omit<ApiRequestRecord, 'seq'>): void;
  canReadLog(user: string | null, row: LogRecord): boolean;
  /** The container request log endpoint. */
  processLogs: LogRouteContext;
  /** Writes an update as the API server does (the stored object and its audit log row). */
  update(user: string, uuid: string, attrs: Attrs): Attrs;
}

const MAX_BODY = 16 * 1024 * 1024;
const TOKEN_PARAMS = ['api_token', 'oauth_token'];

interface Request {
  method: string;
  effectiveMethod: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, unknown>;
  params: Record<string, unknown>;
  user: string | null;
  headers: IncomingMessage['headers'];
}

export function createRestHandler(ctx: RestContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    readBody(req)
      .then((body) => serve(ctx, req, res, body))
      .catch((err: unknown) => {
        const status = err instanceof ApiFailure ? err.status : 500;
        const messages = err instanceof ApiFailure ? err.messages : [String(err)];
        if (!res.headersSent) sendError(ctx, res, status, messages, 'controller');
      });
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiFailure(413, ['Request Entity Too Large'], 'controller'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseRequest(ctx: RestContext, req: IncomingMessage, body: Buffer): Request {
  const url = new URL(req.url ?? '/', 'https://fake.invalid');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  let form: Record<string, unknown> = {};
  const type = String(req.headers['content-type'] ?? '');
  if (body.length) {
    if (type.includes('application/json')) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) form = parsed as Record<string, unknown>;
      } catch {
        throw new ApiFailure(400, ['Invalid JSON in request body']);
      }
    } else {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) form[k] = v;
    }
  }
  const params = { ...query, ...form };
  const method = req.method ?? 'GET';
  const effectiveMethod = method === 'POST' && params._method === 'GET' ? 'GET' : method;
  // Rails reads api_token, then oauth_token, then the Authorization header.
  const auth = /^(?:OAuth2|Bearer)\s+([!-~]+)\s*$/.exec(String(req.headers.authorization ?? ''));
  const token = stringParam(params.api_token) ?? stringParam(params.oauth_token) ?? auth?.[1];
  return {
    method,
    effectiveMethod,
    path: url.pathname,
    query: withoutTokens(query) as Record<string, string>,
    form: withoutTokens(form),
    params,
    user: ctx.userForToken(token),
    headers: req.headers,
  };
}

function stringParam(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function withoutTokens(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!TOKEN_PARAMS.includes(k)) out[k] = v;
  return out;
}

function serve(ctx: RestContext, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  let r: Request | undefined;
  let injected = false;
  const finish = (status: number) => {
    if (!r) return;
    const { method, effectiveMethod, path, query, form, user } = r;
    ctx.record({ method, effectiveMethod, path, query, form, user, status, injected });
  };
  try {
    r = parseRequest(ctx, req, body);
    const failure = ctx.takeInjectedFailure(r.path);
    if (failure !== undefined) {
      injected = true;
      sendError(ctx, res, failure, [STATUS_CODES[failure] ?? 'Error'], 'controller');
    } else {
      route(ctx, r, res);
    }
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    sendError(ctx, res, err.status, err.messages, err.shape);
  }
  finish(res.statusCode);
}

function route(ctx: RestContext, r: Request, res: ServerResponse): void {
  if (serveLogRoute(ctx.processLogs, r, res)) return;
  if (r.method === 'OPTIONS') {
    sendJson(ctx, res, 200, {});
    return;
  }
  if (r.path === '/discovery/v1/apis/arvados/v1/rest' && (r.method === 'GET' || r.method === 'POST')) {
    res.setHeader('Cache-Control', 'max-age=86400, public');
    sendJson(ctx, res, 200, discoveryDocument(ctx.settings(), ctx.clock.nowMs()));
    return;
  }
  if (r.effectiveMethod === 'PUT' || r.effectiveMethod === 'PATCH') return updateRoute(ctx, r, res);
  if (r.effectiveMethod !== 'GET') throw notFound();
  if (r.path === '/websocket') {
    // What the websocket server says to a request that is not an upgrade.
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('not websocket protocol');
    return;
  }
  if (r.path === '/arvados/v1/config') {
    sendJson(ctx, res, 200, exportedConfig(ctx.settings()));
    return;
  }
  const m = /^\/arvados\/v1\/([a-z_]+)(?:\/([^/]+))?\/?$/.exec(r.path);
  if (!m) throw notFound();
  const [, resource, id] = m as unknown as [string, string, string | undefined];
  if (resource === 'users' && id === 'current') return sendJson(ctx, res, 200, currentUser(ctx, r));
  if (resource === 'api_client_authorizations' && id === 'current') return sendJson(ctx, res, 200, currentToken(ctx, r));
  const model = modelOfResource(resource);
  if (!model) throw notFound();
  const disabled = ctx.settings().disabledApis;
  if (disabled.includes(`${resource}.${id ? 'get' : 'list'}`)) throw new ApiFailure(404, ['Disabled']);
  if (!r.user) throw notLoggedIn();
  if (id) return sendJson(ctx, res, 200, getObject(ctx, r, model, decodeURIComponent(id)));
  sendJson(ctx, res, 200, model.model === 'Log' ? listLogs(ctx, r) : listObjects(ctx, r, model));
}

/** Attributes a Final container request still accepts (container_request.rb, validate_change). */
const FINAL_REQUEST_UPDATABLE = new Set(['name', 'description', 'output_name', 'properties', 'output_properties']);
/** What this fake lets a client update, per model: enough for renames and cancelling. */
const UPDATABLE: Record<string, Set<string>> = {
  ContainerRequest: new Set(['name', 'description', 'priority', 'properties', 'output_name']),
  Collection: new Set(['name', 'description', 'properties']),
  Group: new Set(['name', 'description', 'properties']),
};

/**
 * PUT/PATCH `/arvados/v1/<resource>/<uuid>` with `<model_name>` as a JSON object (form, query or
 * JSON body): 404 for what the user cannot read, 403 for what they can read but not write (not
 * theirs), 422 for attributes or values the model refuses (a Final request's priority among them).
 */
function updateRoute(ctx: RestContext, r: Request, res: ServerResponse): void {
  const m = /^\/arvados\/v1\/([a-z_]+)\/([^/]+)\/?$/.exec(r.path);
  const model = m ? modelOfResource(m[1]!) : undefined;
  if (!m || !model) throw notFound();
  if (!r.user) throw notLoggedIn();
  const uuid = decodeURIComponent(m[2]!);
  if (modelOfUuid(uuid) !== model || !ctx.store.canReadRecord(r.user, uuid)) throw notFound();
  if (!ctx.store.isAdmin(r.user) && ctx.store.owningUser(uuid) !== r.user) {
    throw new ApiFailure(403, [`#<ArvadosModel::PermissionDeniedError: ArvadosModel::PermissionDeniedError>`]);
  }
  const key = model.model.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  let attrs = r.params[key];
  if (typeof attrs === 'string') {
    try {
      attrs = JSON.parse(attrs);
    } catch {
      throw new ApiFailure(400, [`#<JSON::ParserError: unexpected token in ${key}>`]);
    }
  }
  if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) throw new ApiFailure(422, [`#<ActionController::ParameterMissing: param is missing or the value is empty: ${key}>`]);
  const changes = attrs as Attrs;
  const allowed = UPDATABLE[model.model] ?? new Set<string>();
  const refused = Object.keys(changes).filter((k) => !allowed.has(k));
  if (refused.length) throw new ApiFailure(422, [`#<ArgumentError: Cannot update attribute(s) ${refused.join(', ')}>`]);
  const current = ctx.store.get(uuid)!;
  if (model.model === 'ContainerRequest') {
    if ('priority' in changes && !(Number.isInteger(changes.priority) && (changes.priority as number) >= 0 && (changes.priority as number) <= 1000)) {
      throw new ApiFailure(422, ['Priority must be an integer between 0 and 1000']);
    }
    if (current.state === 'Final') {
      const frozen = Object.keys(changes).filter((k) => !FINAL_REQUEST_UPDATABLE.has(k) && changes[k] !== current[k]);
      if (frozen.length) throw new ApiFailure(422, [`Cannot modify ${frozen.join(', ')} of a container request in state Final`]);
    }
  }
  sendJson(ctx, res, 200, ctx.update(r.user, uuid, changes));
}

function currentUser(ctx: RestContext, r: Request): Attrs {
  if (!r.user) throw notLoggedIn();
  return userApiForm(ctx.store.get(r.user)!);
}

function currentToken(ctx: RestContext, r: Request): Attrs {
  if (!r.user) throw notLoggedIn();
  return { kind: 'arvados#apiClientAuthorization', owner_uuid: r.user, scopes: ['all'], expires_at: null };
}

function userApiForm(u: Attrs): Attrs {
  const full = [u.first_name, u.last_name].filter((x) => typeof x === 'string' && x).join(' ');
  return { ...u, full_name: full || null, is_invited: true, can_write: true, can_manage: true };
}

function getObject(ctx: RestContext, r: Request, model: ModelDef, id: string): Attrs {
  const includeTrash = ['true', '1', 't', true].includes(r.params.include_trash as string | boolean);
  if (model.model === 'Log') {
    const row = ctx.logs.byUuid(id);
    if (!row || !ctx.canReadLog(r.user, row)) throw notFound();
    return restLogItem(row);
  }
  let uuid = id;
  if (model.model === 'Collection' && PDH_PATTERN.test(id)) {
    const hit = ctx.store.all(model).find((c) => c.portable_data_hash === id && ctx.store.canReadRecord(r.user, c.uuid as string, includeTrash));
    if (!hit) throw notFound();
    uuid = hit.uuid as string;
  }
  if (modelOfUuid(uuid) !== model || !ctx.store.canReadRecord(r.user, uuid, includeTrash)) throw notFound();
  const obj = ctx.store.get(uuid)!;
  const api = model.model === 'User' ? userApiForm(obj) : obj;
  const select = selectParam(r.params.select);
  if (!select) return api;
  const out: Attrs = { kind: api.kind };
  for (const k of select) if (k in api) out[k] = api[k];
  return out;
}

function selectParam(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || !raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.map(String) : undefined;
  } catch {
    return undefined;
  }
}

const LOG_SPEC_BASE: Omit<ListSpec, 'maxItemsPerResponse'> = {
  table: 'logs',
  columns: LOG_COLUMNS,
  selectable: LOG_ATTRIBUTES,
  listKind: 'arvados#logList',
  // logs_controller.rb: the legacy `object_kind` filter becomes an is_a test on object_uuid.
  rewrite: (cond) => (cond[0] === 'object_kind' && cond[1] === '=' ? ['object_uuid', 'is_a', cond[2]] : cond),
};

function listLogs(ctx: RestContext, r: Request): Record<string, unknown> {
  const rows: ListRow[] = ctx.logs
    .all()
    .filter((row) => ctx.canReadLog(r.user, row))
    .map((row) => ({ columns: logColumns(row), item: () => restLogItem(row) }));
  return listQuery({ ...LOG_SPEC_BASE, maxItemsPerResponse: ctx.settings().maxItemsPerResponse }, rows, r.params);
}

function listObjects(ctx: RestContext, r: Request, model: ModelDef): Record<string, unknown> {
  const includeTrash = ['true', '1', 't', true].includes(r.params.include_trash as string | boolean);
  const rows: ListRow[] = ctx.store
    .all(model)
    .filter((o) => ctx.store.canReadRecord(r.user, o.uuid as string, includeTrash))
    .map((o) => ({ columns: o, item: () => (model.model === 'User' ? userApiForm(o) : o) }));
  const spec: ListSpec = {
    table: model.resource,
    columns: model.columns,
    selectable: [...Object.keys(model.columns), 'kind', 'etag'],
    listKind: `arvados#${model.model.charAt(0).toLowerCase()}${model.model.slice(1)}List`,
    maxItemsPerResponse: ctx.settings().maxItemsPerResponse,
  };
  return listQuery(spec, rows, r.params);
}

function notFound(): ApiFailure {
  return new ApiFailure(404, ['Path not found']);
}

function notLoggedIn(): ApiFailure {
  return new ApiFailure(401, ['Not logged in']);
}

function sendJson(ctx: RestContext, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, PUT, POST, DELETE');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  if (!res.hasHeader('X-Request-Id')) res.setHeader('X-Request-Id', ctx.ids.requestId());
  res.end(text);
}

/** Rails: messages get ` (req-…)` and an error_token; controller errors are bare. */
function sendError(ctx: RestContext, res: ServerResponse, status: number, messages: string[], shape: ErrorShape): void {
  if (shape === 'rails') {
    const reqId = ctx.ids.requestId();
    res.setHeader('X-Request-Id', reqId);
    sendJson(ctx, res, status, { errors: messages.map((m) => `${m} (${reqId})`), error_token: ctx.ids.errorToken(ctx.clock.nowMs()) });
  } else {
    sendJson(ctx, res, status, { errors: messages });
  }
}

