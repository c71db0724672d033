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
import type { CurrentUser } from './rest';

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
  onEvent?: (ev: ArvadosEvent) => void;
  /** Websocket tuning, mostly for tests. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  deadAfterMs?: number;
}

export interface Subscription {
  stream: EventStream;
  user: CurrentUser;
  workbenchUrl?: string;
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
  const workbenchUrl = (discovery.workbench2Url || discovery.workbenchUrl || '').replace(/\/+$/, '') || undefined;
  const choice = options.transport ?? 'auto';
  const mayPoll = choice === 'poll' || (choice === 'auto' && options.pollFallback !== false);
  const common = { logger, maxBackfill: options.maxBackfill, pageSize: options.pageSize, consumerReady: options.consumerReady };

  const poll = (why: string): Subscription => {
    log(why);
    const client = new PollClient(api, { ...common, intervalMs: options.pollIntervalMs });
    for (const f of filters) client.subscribe(f, options.lastLogId);
    if (options.onEvent) client.onEvent(options.onEvent);
    client.start();
    return { stream: client, user, workbenchUrl };
  };

  if (choice === 'poll') return poll('Polling, as configured');
  if (api.config.disableWebsockets && choice === 'auto') return poll('Polling: ARVADOS_DISABLE_WEBSOCKETS is set');
  const websocketUrl = typeof discovery.websocketUrl === 'string' ? discovery.websocketUrl : '';
  if (!websocketUrl) {
    if (!mayPoll) throw new FeatureNotEnabledError(`${api.host} publishes no websocket URL (websocketUrl is empty in its discovery document), and polling is turned off.`);
    return poll(`${api.host} publishes no websocket URL: polling the logs API instead`);
  }

  let keepaliveMs: number | undefined;
  try {
    keepaliveMs = keepaliveOf(await api.clusterConfig());
  } catch (err) {
    logger.debug(api.redact(`Could not read the cluster config (${(err as Error).message}); assuming a 60 s keepalive`));
  }
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
    return poll(`The websocket is unavailable (${message}): polling the logs API instead`);
  }
  return { stream: client, user, workbenchUrl };
}
