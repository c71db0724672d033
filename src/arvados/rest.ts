/**
 * A small REST client for the Arvados API: the discovery document, the exported cluster
 * config, the current user, the logs list and single objects. Errors carry the HTTP status and
 * the server's own `errors` text; only what can succeed on a second try is retried.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import { AbortedError, ApiError, ArvadosError, ConnectError, InvalidTokenError } from './errors';
import { KindTable } from './kinds';
import { Redactor } from './redact';
import type { ArvadosConfig } from './config';
import type { Filter, Logger } from './types';
import { silentLogger } from './types';
import type { LogRow } from './eventShape';
import { t } from './l10n';

export const USER_AGENT = 'arvados-events/0.1';

/** HTTP statuses worth another try (the Python SDK's set). */
const RETRYABLE_STATUS = new Set([408, 409, 423, 500, 502, 503, 504]);
/** Network errors worth another try. TLS trust errors are not among them. */
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);
const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Above this many characters of query string, list calls go as POST with `_method=GET`, as Workbench does. */
const MAX_QUERY_LENGTH = 1500;

export interface Discovery {
  rootUrl?: string;
  websocketUrl?: string;
  workbench2Url?: string;
  workbenchUrl?: string;
  uuidPrefix?: string;
  revision?: string;
  maxItemsPerResponse?: number;
  schemas?: Record<string, { uuidPrefix?: string }>;
  [key: string]: unknown;
}

export interface CurrentUser {
  uuid: string;
  full_name?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
  email?: string;
  is_admin?: boolean;
}

export interface RawResponse {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: Buffer;
}

export interface ListResult<T> {
  items: T[];
  items_available?: number;
  limit?: number;
  offset?: number;
}

export interface ListParams {
  filters?: Filter;
  order?: string[];
  limit?: number;
  offset?: number;
  count?: 'exact' | 'none';
  select?: string[];
}

export interface RetryPolicy {
  /** Further tries after the first. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ApiClientOptions {
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** TLS settings shared by HTTPS requests and the websocket. */
export interface TlsSettings {
  rejectUnauthorized: boolean;
  /** The system's roots plus the extra CA, built once per process for each CA file's content. */
  secureContext?: tls.SecureContext;
}

/**
 * Secure contexts by the extra CA's PEM text. Building one parses ~140 root certificates (~50 ms);
 * without a shared context Node builds one per connection. Keyed by content, so a changed CA file
 * gets a new context; trust is still decided only by the machine's settings (`config`).
 */
const secureContexts = new Map<string, tls.SecureContext>();

export function tlsSettings(config: Pick<ArvadosConfig, 'insecure' | 'caFile'>): TlsSettings {
  if (config.insecure) return { rejectUnauthorized: false };
  if (!config.caFile) return { rejectUnauthorized: true };
  const pem = fs.readFileSync(config.caFile, 'utf8');
  let secureContext = secureContexts.get(pem);
  if (!secureContext) {
    // Extra CAs extend the system's roots rather than replace them.
    secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, pem] });
    secureContexts.set(pem, secureContext);
  }
  return { rejectUnauthorized: true, secureContext };
}

/** Delay before retry number `attempt` (1-based): exponential, capped, with jitter so clients don't move in step. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Waits `ms`; with a signal, rejects with AbortedError as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise<void>((resolve) => setTimeout(resolve, ms));
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options of one API call. */
export interface CallOptions {
  /** Aborts the request and any retry wait: the call then rejects with AbortedError. */
  signal?: AbortSignal;
}

/**
 * Node's own message without the advice it appends for Node users ("try running Node.js with
 * --use-system-ca"), which someone in VS Code cannot act on.
 */
export function nodeMessage(message: string): string {
  return message.replace(/[;,.]?\s*(?:if [^;]*?,\s*)?try running Node(?:\.js)? with\s+--use-system-ca\.?/i, '').trim();
}

/** Turns a Node network or TLS error into a message a person can act on. */
export function describeNetworkError(err: NodeJS.ErrnoException, host: string): ConnectError {
  const code = err.code ?? '';
  const detail = nodeMessage(err.message);
  if (TLS_TRUST_ERRORS.has(code)) {
    return new ConnectError(
      t('The TLS certificate of {0} is not trusted ({1}: {2}). If it is signed by a private CA, add that CA to the file SSL_CERT_FILE names (and restart); for a host you trust, you may instead allow an insecure connection with the setting arvados.insecure (or ARVADOS_API_HOST_INSECURE=1).', host, code, detail),
      code,
      { cause: err },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConnectError(t('Cannot resolve the host name of {0} ({1}). Check the cluster address and the network (a VPN?).', host, code), code, { cause: err });
  if (code === 'ECONNREFUSED') return new ConnectError(t('{0} refused the connection (ECONNREFUSED): the cluster is down or the address is wrong.', host), code, { cause: err });
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return new ConnectError(t('{0} did not answer in time ({1}).', host, code), code, { cause: err });
  return new ConnectError(code ? t('Cannot reach {0}: {1} ({2})', host, detail, code) : t('Cannot reach {0}: {1}', host, detail), code, { cause: err });
}

/**
 * Reads the `errors` array of an Arvados error body, loosely (Rails and Go shapes differ); a body
 * without one (a proxy's HTML page) is itself the error. Entries end up in messages, so each is
 * made one line of at most 300 characters, and one that is not text is shown as JSON.
 */
export function errorsOf(body: string): string[] {
  let entries: unknown[] = [body];
  try {
    const parsed = JSON.parse(body);
    if (Array.isArray(parsed?.errors)) entries = parsed.errors;
  } catch {
    // not JSON: the body itself
  }
  const line = (entry: unknown): string => {
    let text: string;
    try {
      text = typeof entry === 'string' ? entry : (JSON.stringify(entry) ?? '');
    } catch {
      text = ''; // nested too deep to print
    }
    text = text.replace(/\s+/g, ' ').trim();
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  };
  return entries.map(line).filter((text) => text !== '');
}

/** Snake-case plural of a model name: ContainerRequest → container_requests. */
function resourceOfModel(model: string): string {
  return model.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() + 's';
}

export class ApiClient {
  readonly host: string;
  readonly tls: TlsSettings;
  private readonly agent: https.Agent;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private discoveryCache?: Promise<Discovery>;
  kinds = new KindTable();

  constructor(
    readonly config: ArvadosConfig,
    options: ApiClientOptions = {},
  ) {
    this.host = config.apiHost;
    this.tls = tlsSettings(config);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ...this.tls });
    this.logger = options.logger ?? silentLogger;
    this.redactor = new Redactor([config.token]);
    this.retry = { retries: 4, initialDelayMs: 250, maxDelayMs: 5000, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Releases pooled sockets. */
  dispose(): void {
    this.agent.destroy();
  }

  /**
   * One HTTP exchange with the API host, no retries: the status, headers and body as received.
   * The token goes in the Authorization header only. A body larger than `maxBytes` is an error.
   */
  exchange(method: string, path: string, options: CallOptions & { headers?: Record<string, string>; body?: string; auth?: boolean; maxBytes?: number } = {}): Promise<RawResponse> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AbortedError());
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...options.headers };
    if (options.auth ?? true) headers.Authorization = `Bearer ${this.config.token}`;
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const [hostname, port] = splitHost(this.host);
    const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const fail = (e: NodeJS.ErrnoException) => reject(signal?.aborted ? new AbortedError() : describeNetworkError(e, this.host));
      const req = https.request({ method, hostname, port, path, headers, agent: this.agent, timeout: this.timeoutMs, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) return void req.destroy(new ArvadosError(`${method} ${path}: the answer is larger than ${maxBytes} bytes`));
          chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => (e instanceof ArvadosError ? reject(e) : fail(e)));
      req.end(options.body);
    });
  }

  /** The error an unsuccessful answer stands for: InvalidTokenError for 401, else ApiError with the server's errors. */
  errorFor(method: string, path: string, status: number, body: string): ApiError {
    const errors = errorsOf(body).map((e) => this.redact(e));
    const detail = errors.length ? `: ${errors.join('; ')}` : '';
    if (status === 401) {
      return new InvalidTokenError(t('The API token was refused by {0} (401{1}). Set a valid ARVADOS_API_TOKEN or use "Arvados: Set API Token".', this.host, detail), status, errors);
    }
    return new ApiError(t('{0} {1} failed with HTTP {2}{3}', method, path, status, detail), status, errors);
  }

  /** One JSON exchange, no retries. Resolves with the parsed body or rejects with an ArvadosError. */
  private async once(method: string, path: string, query: string, form: string | undefined, auth: boolean, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await this.exchange(method, path + (query ? `?${query}` : ''), { headers, body: form, auth, signal });
    const body = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) throw this.errorFor(method, path, res.status, body);
    try {
      return JSON.parse(body);
    } catch {
      throw new ApiError(`${method} ${path}: the server's answer is not JSON`, res.status);
    }
  }

  /** A request with retries for what can succeed on a second try. */
  async request<T>(method: string, path: string, params: Record<string, unknown> = {}, options: CallOptions & { auth?: boolean; retries?: number } = {}): Promise<T> {
    let query = encodeParams(params);
    let form: string | undefined;
    if (method === 'GET' && query.length > MAX_QUERY_LENGTH) {
      // Long filter lists go in a POST body, which the API reads as a GET.
      method = 'POST';
      form = `_method=GET&${query}`;
      query = '';
    }
    const retries = options.retries ?? this.retry.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.once(method, path, query, form, options.auth ?? true, options.signal)) as T;
      } catch (err) {
        if (!isRetryable(err) || attempt >= retries) throw err;
        const delay = backoffDelay(attempt + 1, this.retry.initialDelayMs, this.retry.maxDelayMs);
        this.logger.warn(this.redact(`${(err as Error).message}; retrying in ${delay} ms (${attempt + 1}/${retries})`));
        await sleep(delay, options.signal);
      }
    }
  }

  /** The discovery document, cached per client. */
  discovery(): Promise<Discovery> {
    if (!this.discoveryCache) {
      this.discoveryCache = this.request<Discovery>('GET', '/discovery/v1/apis/arvados/v1/rest', {}, { auth: false }).then((d) => {
        if (!d || typeof d !== 'object' || Array.isArray(d)) throw new ApiError(`${this.host} answered the discovery document request with something that is not a discovery document`, 200);
        this.kinds = KindTable.fromDiscovery(d);
        return d;
      });
      this.discoveryCache.catch(() => (this.discoveryCache = undefined));
    }
    return this.discoveryCache;
  }

  /** The exported cluster config; `{}` where a cluster does not serve it. */
  async clusterConfig(): Promise<Record<string, unknown>> {
    try {
      return await this.request<Record<string, unknown>>('GET', '/arvados/v1/config', {}, { auth: false, retries: 1 });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return {};
      throw err;
    }
  }

  /** Validates the token: the websocket never says a token is bad, it just sends nothing. */
  currentUser(): Promise<CurrentUser> {
    return this.request<CurrentUser>('GET', '/arvados/v1/users/current');
  }

  list<T>(resource: string, params: ListParams = {}, options: CallOptions = {}): Promise<ListResult<T>> {
    return this.request<ListResult<T>>('GET', `/arvados/v1/${resource}`, { ...params }, options);
  }

  listLogs(params: ListParams, options: CallOptions = {}): Promise<ListResult<LogRow>> {
    return this.list<LogRow>('logs', params, options);
  }

  /** The id of the newest log row visible to the token (0 when there is none): where "now" is. */
  async newestLogId(options: CallOptions & { filters?: Filter } = {}): Promise<number> {
    const page = await this.listLogs({ filters: options.filters, order: ['id desc'], limit: 1, select: ['id'], count: 'none' }, options);
    return page.items.length ? Number(page.items[0].id) : 0;
  }

  /** The REST path of a UUID's object, e.g. `/arvados/v1/container_requests/<uuid>`. */
  pathForUuid(uuid: string): string | undefined {
    const kind = this.kinds.kindOf(uuid);
    if (!kind) return undefined;
    const model = kind.slice('arvados#'.length);
    return `/arvados/v1/${resourceOfModel(model.charAt(0).toUpperCase() + model.slice(1))}/${encodeURIComponent(uuid)}`;
  }

  async getObject<T = Record<string, unknown>>(uuid: string, options: CallOptions = {}): Promise<T> {
    const p = this.pathForUuid(uuid);
    if (!p) throw new ArvadosError(`"${uuid}" is not an Arvados UUID of a known kind`);
    return this.request<T>('GET', p, {}, options);
  }
}

/** Whether a failed call can succeed on another try: the retryable statuses and network errors (never a TLS trust error). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof InvalidTokenError || err instanceof AbortedError) return false;
  if (err instanceof ApiError) return RETRYABLE_STATUS.has(err.status);
  if (err instanceof ConnectError) return RETRYABLE_NETWORK.has(err.code ?? '');
  return false;
}

function splitHost(host: string): [string, number] {
  const m = /^(.*?)(?::(\d+))?$/.exec(host)!;
  return [m[1].replace(/^\[|\]$/g, ''), m[2] ? Number(m[2]) : 443];
}

/** Arvados list parameters: arrays and objects as JSON text, the rest as strings. */
export function encodeParams(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    q.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return q.toString();
}

/** Parses a Go duration string such as "1m", "60s", "1m30s", "250ms" into milliseconds. */
export function parseGoDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !text) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '0') return 0;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
