/**
 * Where the model persists what must survive a reload (filters, watches, the last event id), and
 * under which keys. VS Code's `Memento` (context.workspaceState) satisfies KeyValueStore.
 *
 * Every key names its cluster: filters, watches and event ids of one cluster mean nothing on
 * another. Versions before that kept one unscoped key each; migrateLegacyKeys moves them once.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void> | void;
}

/** What is kept per cluster. */
export type ScopedName = 'filters' | 'watches' | 'position';

/** The key of `name` for a cluster (its API host); the legacy unscoped key while no host is known. */
export function storeKey(name: ScopedName, host: string | undefined): string {
  return host ? `arvados.${name}/${host.toLowerCase()}` : LEGACY_KEYS[name];
}

/** Keys of versions that knew one cluster only. */
export const LEGACY_KEYS: Record<ScopedName, string> = {
  filters: 'arvados.filters',
  watches: 'arvados.watches',
  // `{ host, id }`: it named its host, but there was only one.
  position: 'arvados.lastEventId',
};

/** Keys kept in the position file too (see MirroredStore). */
export function isPositionKey(key: string): boolean {
  return key === LEGACY_KEYS.position || key.startsWith('arvados.position/');
}

/** Whether a version before per-cluster keys left any key to move (see migrateLegacyKeys). */
export function hasLegacyKeys(store: KeyValueStore): boolean {
  return Object.values(LEGACY_KEYS).some((key) => store.get(key) !== undefined);
}

/**
 * Moves the legacy keys under the cluster's keys, once. The saved position goes to the host it
 * names; filters and watches to `host`, the cluster the workspace connects to (they wait while it
 * is unknown). A cluster's own key, when already there, wins.
 */
export async function migrateLegacyKeys(store: KeyValueStore, host: string | undefined): Promise<void> {
  const saved = store.get<{ host?: unknown; id?: unknown }>(LEGACY_KEYS.position);
  if (saved !== undefined) {
    if (typeof saved?.host === 'string' && saved.host && Number.isSafeInteger(saved.id) && store.get(storeKey('position', saved.host)) === undefined) {
      await store.update(storeKey('position', saved.host), saved.id);
    }
    await store.update(LEGACY_KEYS.position, undefined);
  }
  if (!host) return;
  for (const name of ['filters', 'watches'] as const) {
    const legacy = store.get<unknown>(LEGACY_KEYS[name]);
    if (legacy === undefined) continue;
    if (store.get(storeKey(name, host)) === undefined) await store.update(storeKey(name, host), legacy);
    await store.update(LEGACY_KEYS[name], undefined);
  }
}
