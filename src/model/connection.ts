/**
 * Opening a connection: the cluster (the user's setting, else ARVADOS_API_HOST, else
 * settings.conf, unless the user accepted a workspace's), the token bound to that host (stored
 * for it in SecretStorage, else the environment's or settings.conf's if it came with that host),
 * then `subscribe`. Split from the session so tests can hand the session a fake stream.
 */
import {
  ApiClient,
  bindInsecure,
  bindToken,
  ConfigError,
  elsewhereSentence,
  missingSettingsError,
  normalizeApiHost,
  profileConfig,
  readConnectionSources,
  readSettingsFile,
  sameHost,
  tlsSettings,
  type ArvadosConfig,
  type BoundToken,
  type ConnectionSources,
  type TokenSources,
  type CurrentUser,
  type EventStream,
  type Filter,
  type Logger,
  type TransportChoice,
} from '../arvados';

/** What the session needs of the API besides the stream: lookups for outcomes, Workbench links, names. */
export type SessionApi = Pick<ApiClient, 'getObject' | 'list' | 'redact' | 'dispose' | 'host' | 'request' | 'exchange' | 'errorFor' | 'kinds'>;

export interface ConnectionSettings {
  /** `arvados.apiHost` from the user's own settings; empty falls back to the environment and settings.conf. */
  apiHost?: string;
  /** `arvados.insecure` from the user's own settings, for their own host; false falls back to ARVADOS_API_HOST_INSECURE. */
  insecure?: boolean;
  transport: TransportChoice;
  pollIntervalMs: number;
  /** Most events read to fill a gap after a reconnect or restart; more are skipped and counted. */
  maxBackfill: number;
}

export interface OpenRequest {
  settings: ConnectionSettings;
  filters: Filter[];
  /** The id to resume after on this host, if one was seen before. */
  lastLogIdFor(host: string): number | undefined;
  logger: Logger;
  /** Told the host as soon as it is chosen, before the attempt succeeds or fails. */
  onHost?(host: string): void;
}

export interface Opened {
  stream: EventStream;
  user: CurrentUser;
  workbenchUrl?: string;
  api: SessionApi;
  host: string;
  /** The cluster id (the discovery document's uuidPrefix), the first five characters of its UUIDs. */
  clusterId?: string;
  /** Why the stream polls, when it does. */
  pollReason?: string;
}

export type Opener = (request: OpenRequest) => Promise<Opened>;

/** The host the user's own settings point at, without needing a token: setting, else environment, else settings.conf. */
export function effectiveHost(apiHostSetting: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = apiHostSetting?.trim() || env.ARVADOS_API_HOST?.trim() || readSettingsFile(env).values.ARVADOS_API_HOST?.trim();
  if (!raw) return undefined;
  try {
    return normalizeApiHost(raw);
  } catch {
    return undefined;
  }
}

/**
 * Picks the host to connect to, given the user's own (from their settings, the environment or
 * settings.conf); it may ask the user (a workspace asking for another cluster). `hasToken`
 * says whether a token is bound to a host. Undefined: no host.
 */
export type HostChooser = (ownHost: string | undefined, hasToken: (host: string) => Promise<boolean>) => Promise<string | undefined>;

/**
 * The token that may go to `host`: the one stored for it (`tokenFor`, SecretStorage), else the
 * environment's or settings.conf's when it came with that host (see src/arvados/binding.ts).
 */
export async function tokenBoundTo(
  host: string,
  apiHostSetting: string | undefined,
  tokenFor: (host: string) => Promise<string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BoundToken | undefined> {
  const s = readConnectionSources(env);
  return bindToken(host, { environment: s.environment, file: s.file, stored: await tokenFor(host), userHost: userSettingHost(apiHostSetting) });
}

function userSettingHost(apiHostSetting: string | undefined): string | undefined {
  return apiHostSetting?.trim() ? normalizeApiHost(apiHostSetting) : undefined;
}

/** The user's own host: their setting, else the environment's, else settings.conf's. Throws ConfigError for an invalid one. */
export function ownHost(apiHostSetting: string | undefined, s: ConnectionSources): string | undefined {
  const raw = userSettingHost(apiHostSetting) ?? s.environment.host ?? s.file.host;
  return raw ? normalizeApiHost(raw) : undefined;
}

/**
 * What to connect to `host` with: the token bound to it (`stored` is the one kept for it in
 * SecretStorage), TLS verification off only where the user allowed it for that host
 * (`arvados.insecure` for their own host, ARVADOS_API_HOST_INSECURE for the host it came with).
 * Throws ConfigError, naming the host, when no token may go there.
 */
export function connectionConfig(host: string, settings: Pick<ConnectionSettings, 'apiHost' | 'insecure'>, s: ConnectionSources, stored: string | undefined): ArvadosConfig {
  const setting = userSettingHost(settings.apiHost);
  const sources: TokenSources = { environment: s.environment, file: s.file, stored, userHost: setting };
  const token = bindToken(host, sources);
  if (!token) throw new ConfigError(`No API token for ${host}: use "Arvados: Set API Token" to store one for it.${elsewhereSentence(host, sources)}`);
  const mine = sameHost(host, ownHost(settings.apiHost, s));
  const insecure = mine && settings.insecure ? { insecure: true, source: 'settings' } : bindInsecure(host, sources);
  return {
    apiHost: host,
    token: token.token,
    insecure: insecure.insecure,
    disableWebsockets: s.disableWebsockets,
    caFile: s.caFile,
    sources: {
      apiHost: !mine ? 'workspace settings (accepted by the user)' : setting ? 'settings' : s.environment.host ? 'environment (ARVADOS_API_HOST)' : s.file.label,
      token: token.source,
      ...(insecure.source ? { insecure: insecure.source } : {}),
    },
  };
}

/**
 * The real opener. The host is the user's own unless `chooseHost` picks another (after asking
 * the user). Only a token bound to that host is sent there: the one stored for it
 * (`tokenFor`, SecretStorage), or the environment's or settings.conf's when it came with that
 * host. `arvados.insecure` applies to the user's own host only; ARVADOS_API_HOST_INSECURE to
 * the host it came with.
 */
export function createOpener(tokenFor: (host: string) => Promise<string | undefined>, env: NodeJS.ProcessEnv = process.env, chooseHost?: HostChooser): Opener {
  return async (request) => {
    const { settings } = request;
    const s = readConnectionSources(env);
    const own = ownHost(settings.apiHost, s);
    const setting = userSettingHost(settings.apiHost);
    // SecretStorage answers through the window, a round trip that is slow while the window starts:
    // the own host's token is read while the host is chosen (reading it sends it nowhere).
    const ownToken = own ? tokenFor(own) : undefined;
    ownToken?.catch(() => undefined);
    const read = (h: string) => (ownToken && sameHost(h, own) ? ownToken : tokenFor(h));
    const hasToken = async (h: string) => !!bindToken(h, { environment: s.environment, file: s.file, stored: await read(h), userHost: setting });
    const choice = chooseHost ? chooseHost(own, hasToken) : own;
    // While the window answers: the TLS context with the extra CA (~140 root certificates to parse), kept by rest.ts for the connection.
    prepareTls(s.caFile);
    const host = await choice;
    if (!host) throw missingSettingsError(s.environment.token || s.file.token ? ['ARVADOS_API_HOST'] : ['ARVADOS_API_HOST', 'ARVADOS_API_TOKEN'], s.file.path);
    request.onHost?.(host);
    // Another host's is read now: choosing may have stored one for it (Set API Token after the user accepted it).
    const stored = await read(host);
    return openStream(connectionConfig(host, settings, s, stored), request);
  };
}

/** Builds the secure context of an extra CA ahead of the first request (tlsSettings caches it by content). */
function prepareTls(caFile: string | undefined): void {
  try {
    if (caFile) tlsSettings({ insecure: false, caFile });
  } catch {
    // An unreadable CA file: the attempt itself says so.
  }
}

/**
 * The opener of a profile's cluster (`<name>.conf`): its host, its token, its insecure flag, read
 * again at each connection; nothing from the environment but SSL_CERT_FILE.
 */
export function createProfileOpener(name: string, env: NodeJS.ProcessEnv = process.env): Opener {
  return (request) => openStream(profileConfig(name, env), request);
}

/**
 * The opener of a cluster added by host ("Arvados: Add Cluster"): the token stored for that host
 * (`tokenFor`, SecretStorage), else the environment's or settings.conf's only if it came with that
 * host. TLS is verified unless ARVADOS_API_HOST_INSECURE came with that host.
 */
export function createHostOpener(host: string, tokenFor: (host: string) => Promise<string | undefined>, env: NodeJS.ProcessEnv = process.env): Opener {
  return async (request) => {
    const s = readConnectionSources(env);
    return openStream(connectionConfig(host, { apiHost: undefined, insecure: false }, s, await tokenFor(host)), request);
  };
}

/** The API client and the event stream for one resolved connection. */
async function openStream(config: ArvadosConfig, { settings, filters, lastLogIdFor, logger, onHost }: OpenRequest): Promise<Opened> {
  onHost?.(config.apiHost);
  // The event streams (the websocket client, polling) load with the first connection, not at activation.
  const { subscribe } = await import('../arvados/transport');
  const api = new ApiClient(config, { logger });
  try {
    const lastLogId = lastLogIdFor(config.apiHost);
    const sub = await subscribe(api, {
      filters,
      lastLogId,
      transport: settings.transport,
      pollIntervalMs: settings.pollIntervalMs,
      maxBackfill: settings.maxBackfill,
      // Live events held while a gap is read: no more than the view keeps (past it the engine reads on from the logs API).
      maxHeld: settings.maxBackfill,
      logger,
    });
    // The discovery document is cached by the client (subscribe read it): its uuidPrefix is the cluster id.
    const clusterId = await api.discovery().then((d) => (typeof d.uuidPrefix === 'string' ? d.uuidPrefix : undefined), () => undefined);
    return { ...sub, api, host: config.apiHost, clusterId };
  } catch (err) {
    api.dispose();
    throw err;
  }
}
