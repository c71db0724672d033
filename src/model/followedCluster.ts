/**
 * One followed cluster, free of vscode: its connection, what is known of its objects, its own
 * filters and watches (kept under its host's keys), and the feed of the Events view. Nothing is
 * shared with another cluster: event ids, UUIDs and positions of two clusters may collide.
 */
import type { Disposable, Logger } from '../arvados';
import { ClusterConnection } from './cluster';
import type { ClusterContextLike, ClusterEntry } from './clusters';
import type { ConnectionSettings, Opener } from './connection';
import { createHostOpener, createProfileOpener } from './connection';
import { EventFeed } from './eventFeed';
import { ObjectFacts } from './objects';
import type { Scheduler } from './scheduler';
import type { KeyValueStore } from './store';
import { USER_FILTERS_OWNER, UserFilters } from './userFilters';
import { WatchList } from './watches';

export interface FollowedClusterDeps {
  open: Opener;
  store: KeyValueStore;
  logger: Logger;
  settings: ConnectionSettings;
  /** Events the Events view keeps, per cluster. */
  bufferSize: number;
  scheduler?: Scheduler;
  /** The feed's batch interval (tests make it short). */
  feedIntervalMs?: number;
  persistIntervalMs?: number;
}

export class FollowedCluster implements ClusterContextLike {
  readonly connection: ClusterConnection;
  readonly objects: ObjectFacts;
  readonly userFilters: UserFilters;
  readonly watches: WatchList;
  readonly feed: EventFeed;
  /** Its lines name the cluster while several are followed (see clusterLogger). */
  readonly logger: Logger;
  private readonly subscriptions: Disposable[];

  constructor(
    readonly entry: ClusterEntry,
    deps: FollowedClusterDeps,
  ) {
    const { store, logger } = deps;
    this.logger = logger;
    this.connection = new ClusterConnection(
      { open: deps.open, store, logger, expectedHost: entry.host, scheduler: deps.scheduler, persistIntervalMs: deps.persistIntervalMs },
      deps.settings,
    );
    this.objects = new ObjectFacts({ api: () => this.connection.api, user: () => this.connection.user });
    this.userFilters = new UserFilters(store, this.connection, entry.host, logger);
    this.watches = new WatchList(store, deps.scheduler, entry.host);
    this.subscriptions = [
      // Names first: every later listener of the connection may read them.
      this.objects.observe(this.connection),
      // Filters and watches are those of the host connected to (the default cluster's may change).
      this.connection.onStatus(() => {
        const host = this.connection.isOpen ? this.connection.host : undefined;
        if (host) void Promise.all([this.userFilters.rescope(host), this.watches.rescope(host)]);
      }),
    ];
    this.feed = new EventFeed(this.connection, { owner: USER_FILTERS_OWNER, bufferSize: deps.bufferSize, logger, scheduler: deps.scheduler, intervalMs: deps.feedIntervalMs });
  }

  get clusterId(): string | undefined {
    return this.connection.clusterId;
  }

  /** The name shown for it: the profile's name or the host, with the host once known. */
  get label(): string {
    const host = this.connection.host;
    return this.entry.source.kind === 'profile' && host ? `${this.entry.label} (${host})` : (host ?? this.entry.label);
  }

  async dispose(): Promise<void> {
    for (const d of this.subscriptions) d.dispose();
    this.feed.dispose();
    this.userFilters.dispose();
    this.watches.dispose();
    this.objects.dispose();
    await this.connection.dispose();
  }
}

/** The opener of a profile's or an added host's cluster (the default cluster's is the caller's: it may ask about a workspace's host). */
export function openerOf(entry: ClusterEntry, tokenFor: (host: string) => Promise<string | undefined>, env: NodeJS.ProcessEnv = process.env): Opener | undefined {
  switch (entry.source.kind) {
    case 'profile':
      return createProfileOpener(entry.source.name, env);
    case 'added':
      return createHostOpener(entry.source.host, tokenFor, env);
    case 'default':
      return undefined;
  }
}

/** A logger whose lines name the cluster, for when several share one output channel. */
export function clusterLogger(logger: Logger, name: () => string | undefined): Logger {
  const tag = (m: string) => {
    const n = name();
    return n ? `[${n}] ${m}` : m;
  };
  return { debug: (m) => logger.debug(tag(m)), info: (m) => logger.info(tag(m)), warn: (m) => logger.warn(tag(m)), error: (m) => logger.error(tag(m)) };
}
