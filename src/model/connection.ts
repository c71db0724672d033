/**
 * Opening a connection: the cluster and token resolved the SDK way (explicit settings first,
 * then ARVADOS_* environment variables, then settings.conf), a token from SecretStorage when
 * the user stored one for that host, then `subscribe`. Split from the session so tests can hand
 * the session a fake stream.
 */
import {
  ApiClient,
  ConfigError,
  normalizeApiHost,
  readSettingsFile,
  resolveConfig,
  subscribe,
  type CurrentUser,
  type EventStream,
  type Filter,
  type Logger,
  type TransportChoice,
} from '../arvados';

/** What the session needs of the API besides the stream: lookups for outcomes, Workbench links, names. */
export type SessionApi = Pick<ApiClient, 'getObject' | 'list' | 'redact' | 'dispose' | 'host'>;

export interface ConnectionSettings {
  /** `arvados.apiHost`; empty falls back to the environment and settings.conf. */
  apiHost?: string;
  /** `arvados.insecure`; false falls back to ARVADOS_API_HOST_INSECURE. */
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
}

export interface Opened {
  stream: EventStream;
  user: CurrentUser;
  workbenchUrl?: string;
  api: SessionApi;
  host: string;
  /** Where host and token came from (never the values), for the log. */
  sources: Record<string, string | undefined>;
}

export type Opener = (request: OpenRequest) => Promise<Opened>;

/** The host the settings point at, without needing a token: setting, else environment, else settings.conf. */
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
 * The real opener. `tokenFor(host)` reads a token the user stored for that host (SecretStorage):
 * a stored token is only ever sent to the host it was stored for.
 */
export function createOpener(tokenFor: (host: string) => Promise<string | undefined>, env: NodeJS.ProcessEnv = process.env): Opener {
  return async ({ settings, filters, lastLogIdFor, logger }) => {
    const host = effectiveHost(settings.apiHost, env);
    const token = host ? await tokenFor(host) : undefined;
    const config = resolveConfig({ env, overrides: { apiHost: settings.apiHost?.trim() || undefined, token, insecure: settings.insecure || undefined } });
    if (!config.apiHost) throw new ConfigError('No Arvados API host is set.');
    const api = new ApiClient(config, { logger });
    try {
      const lastLogId = lastLogIdFor(config.apiHost);
      const sub = await subscribe(api, {
        filters,
        lastLogId,
        transport: settings.transport,
        pollIntervalMs: settings.pollIntervalMs,
        maxBackfill: settings.maxBackfill,
        logger,
      });
      return { ...sub, api, host: config.apiHost, sources: { ...config.sources } };
    } catch (err) {
      api.dispose();
      throw err;
    }
  };
}
