/**
 * Several clusters, free of vscode: which clusters exist, which are followed, and one context per
 * followed cluster (a connection with its own filters, position, status and errors).
 *
 * - The default cluster is the one the SDKs know (the environment, settings.conf, or the user's
 *   `arvados.apiHost`). It is always the first context, configured or not (its host may change
 *   with the settings; its connection follows that itself); views hide it while it is not
 *   configured and other clusters are followed.
 * - Each entry of the machine-scoped `arvados.clusters` setting adds one: the name of a profile
 *   (`<name>.conf` in the Arvados config folders, arv-copy's convention) or a host added with
 *   "Arvados: Add Cluster" (its token is in SecretStorage for that host).
 * - A host is followed once: the first entry naming it wins.
 * - The first five characters of a UUID name its cluster: `forUuid` finds the cluster an object
 *   belongs to.
 */
import { Emitter, hostKey, normalizeApiHost, type Disposable, type Profile } from '../arvados';
import type { ConnectionKey } from './cluster';
import { t } from './l10n';

export type ClusterSource =
  | { kind: 'default' }
  | { kind: 'profile'; name: string; path: string }
  | { kind: 'added'; host: string };

export interface ClusterEntry {
  /** Stable identity: `default`, `profile:<name>` or `host:<host>`. */
  key: string;
  source: ClusterSource;
  /** The host, when known without a token (a profile's file names it). */
  host?: string;
  /** How the user names it: the profile's name, the host. */
  label: string;
}

export const DEFAULT_CLUSTER_KEY = 'default';

export interface FollowedEntries {
  entries: ClusterEntry[];
  /** Entries of the setting that name no profile and are no host, or name a host already followed. */
  problems: string[];
}

/**
 * The clusters to follow: the default first (its host, if known), then each entry of the
 * setting once. `profiles` are the profiles found, each with the host its file names.
 */
export function followedEntries(setting: readonly unknown[], defaultHost: string | undefined, profiles: ReadonlyArray<Profile & { host?: string }>): FollowedEntries {
  const entries: ClusterEntry[] = [];
  const problems: string[] = [];
  const hosts = new Set<string>();
  const add = (entry: ClusterEntry, asWritten: string): void => {
    // The same entry twice: once, silently.
    if (entries.some((e) => e.key === entry.key)) return;
    const key = entry.host ? hostKey(entry.host) : undefined;
    if (key && hosts.has(key)) {
      if (entry.source.kind !== 'default') problems.push(`"${asWritten}" is ${entry.host}, which is already followed.`);
      return;
    }
    if (key) hosts.add(key);
    entries.push(entry);
  };
  add({ key: DEFAULT_CLUSTER_KEY, source: { kind: 'default' }, host: defaultHost, label: defaultHost ?? t('default cluster') }, 'default');
  for (const raw of setting) {
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const value = raw.trim();
    if (value === DEFAULT_CLUSTER_KEY) continue;
    const profile = profiles.find((p) => p.name === value.replace(/\.conf$/, ''));
    if (profile) {
      if (!profile.host) {
        problems.push(`The profile ${profile.path} names no ARVADOS_API_HOST.`);
        continue;
      }
      add({ key: `profile:${profile.name}`, source: { kind: 'profile', name: profile.name, path: profile.path }, host: profile.host, label: profile.name }, value);
      continue;
    }
    let host: string;
    try {
      host = normalizeApiHost(value);
    } catch {
      problems.push(`"${value.slice(0, 60)}" in arvados.clusters is neither a profile (a NAME.conf in the Arvados config folder) nor a host.`);
      continue;
    }
    // A bare word that looks like neither a profile found nor a host with a dot or port.
    if (!/[.:[]/.test(host) && host !== 'localhost') {
      problems.push(`There is no profile "${value.slice(0, 60)}" (no ${value.slice(0, 60)}.conf in the Arvados config folder).`);
      continue;
    }
    add({ key: `host:${hostKey(host)}`, source: { kind: 'added', host }, host, label: host }, value);
  }
  return { entries, problems };
}

/** How bad a connection state is, for showing the worst of several: higher is worse. */
const BADNESS: Record<ConnectionKey, number> = {
  live: 0,
  idle: 1,
  closed: 2,
  polling: 3,
  'catching-up': 4,
  connecting: 5,
  reconnecting: 6,
  waiting: 7,
  unconfigured: 8,
  error: 9,
};

/** The worst of several states (`idle` for none). */
export function worstState(keys: readonly ConnectionKey[]): ConnectionKey {
  let worst: ConnectionKey = 'idle';
  let badness = -1;
  for (const k of keys) if (BADNESS[k] > badness) (worst = k), (badness = BADNESS[k]);
  return worst;
}

/** What a followed cluster must offer the set. */
export interface ClusterContextLike extends Disposable {
  readonly entry: ClusterEntry;
  /** The cluster id (the five-character UUID prefix), once known. */
  readonly clusterId?: string;
}

/**
 * The followed clusters, one context each, in the order of their entries. `update` keeps the
 * contexts of entries still followed (their connections are never dropped for it), creates the
 * new ones and disposes the others.
 */
export class ClusterSet<C extends ClusterContextLike> implements Disposable {
  private contexts: C[] = [];
  private readonly changeEmitter = new Emitter<readonly C[]>();
  /** The followed clusters changed (after update created and disposed contexts). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly create: (entry: ClusterEntry) => C) {}

  get all(): readonly C[] {
    return this.contexts;
  }

  get size(): number {
    return this.contexts.length;
  }

  get(key: string): C | undefined {
    return this.contexts.find((c) => c.entry.key === key);
  }

  /** The cluster an object belongs to, by its UUID's first five characters. */
  forUuid(uuid: string): C | undefined {
    const prefix = uuid.slice(0, 5);
    return this.contexts.find((c) => c.clusterId === prefix);
  }

  /**
   * Calls `attach` for every followed cluster, now and as clusters are added; what it returns is
   * disposed when that cluster stops being followed, or when the result is disposed.
   */
  each(attach: (cluster: C) => Disposable[]): Disposable {
    const attached = new Map<C, Disposable[]>();
    const sync = (all: readonly C[]) => {
      for (const [c, ds] of attached) {
        if (all.includes(c)) continue;
        for (const d of ds) d.dispose();
        attached.delete(c);
      }
      for (const c of all) if (!attached.has(c)) attached.set(c, attach(c));
    };
    sync(this.contexts);
    const sub = this.onDidChange(sync);
    return {
      dispose: () => {
        sub.dispose();
        for (const ds of attached.values()) for (const d of ds) d.dispose();
        attached.clear();
      },
    };
  }

  /** Follows exactly `entries`. Returns the contexts it created. */
  update(entries: readonly ClusterEntry[]): C[] {
    const before = this.contexts;
    const kept = new Map(before.map((c) => [c.entry.key, c]));
    const created: C[] = [];
    const next = entries.map((entry) => {
      const existing = kept.get(entry.key);
      if (existing && sameEntry(existing.entry, entry)) {
        kept.delete(entry.key);
        return existing;
      }
      const c = this.create(entry);
      created.push(c);
      return c;
    });
    const removed = [...kept.values()];
    this.contexts = next;
    for (const c of removed) void c.dispose();
    if (created.length || removed.length || next.some((c, i) => c !== before[i])) this.changeEmitter.fire(next);
    return created;
  }

  dispose(): void {
    for (const c of this.contexts) void c.dispose();
    this.contexts = [];
    this.changeEmitter.dispose();
  }
}

/** The default cluster's context is kept whatever its host: its connection follows the settings itself. */
function sameEntry(a: ClusterEntry, b: ClusterEntry): boolean {
  if (a.key === DEFAULT_CLUSTER_KEY) return b.key === DEFAULT_CLUSTER_KEY;
  return a.key === b.key && a.host === b.host && JSON.stringify(a.source) === JSON.stringify(b.source);
}
