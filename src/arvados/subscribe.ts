/**
 * The entry point, like the Python SDK's `arvados.events.subscribe`: validates the token, then
 * follows events over the websocket, or polls the logs API when the cluster publishes no
 * websocket URL, websockets are disabled, or the first connection fails (unless told never to poll).
 */
import { EventClient } from './eventClient';
import { PollClient } from './pollClient';
import { type ApiClient, parseGoDuration } from './rest';
import { ConnectError, FeatureNotEnabledError } from './errors';
import type { EventStream } from './stream';
import type { ArvadosEvent, Filter, Logger } from './types';
import { silentLogger } from './types';
import type { CurrentUser, Discovery } from './rest';
import { t } from './l10n';

export type TransportChoice = 'auto' | 'websocket' | 'poll';

export interface SubscribeOptions {
  /** One subscription per filter; the default is one subscription to everything (`[[]]`). */
  filters?: Array<Filter | string>;
  /** Resume after this event id: the gap since is read from the logs API, then the stream goes live. */
  lastLogId?: number;
  transport?: TransportChoice;
  /** Fall back to polling when the websocket is unavailable (default true). */
  pollFallback?: boolean;
  pollIntervalMs?: number;
  maxBackfill?: number;
  pageSize?: number;
  /** Live frames held while a gap is filled (the extension ties this to its buffer size). */
  maxHeld?: number;
  /** Back-pressure from the consumer (see StreamOptions.consumerReady). */
  consumerReady?: () => Promise<void> | undefined;
  logger?: Logger;
  /** Each event; `json`, when given, is its JSON text as received (see EventStream.onEvent). */
  onEvent?: (ev: ArvadosEvent, json?: string) => void;
  /** Websocket tuning, mostly for tests. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  deadAfterMs?: number;
}

export interface Subscription {
  stream: EventStream;
  user: CurrentUser;
  workbenchUrl?: string;
  /** Why the stream polls rather than follows the websocket, in words; undefined on a websocket. */
  pollReason?: string;
}

/** The Workbench2 URL the discovery document publishes, without a trailing slash. */
function workbenchOfDiscovery(discovery: Discovery): string | undefined {
  return (discovery.workbench2Url || discovery.workbenchUrl || '').replace(/\/+$/, '') || undefined;
}

/** `Services.Workbench2.ExternalURL` of the exported config (where a cluster publishes it when discovery does not). */
export function workbenchOfConfig(config: Record<string, unknown>): string | undefined {
  const services = config.Services as Record<string, { ExternalURL?: unknown } | undefined> | undefined;
  const url = services?.Workbench2?.ExternalURL;
  return typeof url === 'string' && /^https?:\/\/./.test(url) ? url.replace(/\/+$/, '') : undefined;
}

function keepaliveOf(config: Record<string, unknown>): number | undefined {
  const api = config.API as Record<string, unknown> | undefined;
  return parseGoDuration(api?.SendTimeout);
}

export async function subscribe(api: ApiClient, options: SubscribeOptions = {}): Promise<Subscription> {
  const logger = options.logger ?? silentLogger;
  const log = (m: string) => logger.info(api.redact(m));
  const filters = options.filters ?? [[]];
  // The websocket never says a token is bad; ask the API first so a bad token is one clear error.
  const user = await api.currentUser();
  const discovery = await api.discovery();
  // The exported config is read once, if needed: for the keepalive, and for Workbench when discovery lacks it.
  let config: Promise<Record<string, unknown>> | undefined;
  const clusterConfig = () =>
    (config ??= api.clusterConfig().catch((err: Error) => {
      logger.debug(api.redact(`Could not read the cluster config (${err.message}); assuming a 60 s keepalive and no Workbench`));
      return {};
    }));
  const workbenchUrl = workbenchOfDiscovery(discovery) ?? workbenchOfConfig(await clusterConfig());
  const choice = options.transport ?? 'auto';
  const mayPoll = choice === 'poll' || (choice === 'auto' && options.pollFallback !== false);
  const common = { logger, maxBackfill: options.maxBackfill, pageSize: options.pageSize, consumerReady: options.consumerReady };

  /** `reason` is the user-facing why, also logged. */
  const poll = (reason: string): Subscription => {
    log(`${reason}: polling the logs API instead`);
    const client = new PollClient(api, { ...common, intervalMs: options.pollIntervalMs });
    for (const f of filters) client.subscribe(f, options.lastLogId);
    if (options.onEvent) client.onEvent(options.onEvent);
    client.start();
    return { stream: client, user, workbenchUrl, pollReason: reason };
  };

  if (choice === 'poll') return poll(t('the transport setting is "poll"'));
  if (api.config.disableWebsockets && choice === 'auto') return poll(t('ARVADOS_DISABLE_WEBSOCKETS is set'));
  const websocketUrl = typeof discovery.websocketUrl === 'string' ? discovery.websocketUrl : '';
  if (!websocketUrl) {
    if (!mayPoll) throw new FeatureNotEnabledError(t('{0} publishes no websocket URL (websocketUrl is empty in its discovery document), and polling is turned off.', api.host));
    return poll(t('{0} publishes no websocket URL', api.host));
  }

  const keepaliveMs = keepaliveOf(await clusterConfig());
  const client = new EventClient(api, {
    ...common,
    websocketUrl,
    keepaliveMs,
    maxHeld: options.maxHeld,
    deadAfterMs: options.deadAfterMs,
    reconnectInitialMs: options.reconnectInitialMs,
    reconnectMaxMs: options.reconnectMaxMs,
  });
  if (options.lastLogId !== undefined) client.resumeAfter(options.lastLogId);
  for (const f of filters) client.subscribe(f);
  if (options.onEvent) client.onEvent(options.onEvent);
  try {
    await client.open();
  } catch (err) {
    await client.close();
    const message = api.redact((err as Error).message);
    if (!mayPoll) throw new ConnectError(`${message}. Polling is turned off.`, (err as ConnectError).code);
    return poll(t('the websocket is unavailable ({0})', message));
  }
  return { stream: client, user, workbenchUrl };
}
