/**
 * The user's filters, persisted per cluster, and followed on the connection as one owner. No
 * filters means everything: the owner then follows `[]`. The first filter narrows, removing the
 * last widens back; the connection is never dropped for it.
 */
import { Emitter, parseFilter, type Disposable, type Filter, type Logger } from '../arvados';
import { filterKey } from '../arvados/stream';
import { Following, type Follows } from './cluster';
import { migrateLegacyKeys, storeKey, type KeyValueStore } from './store';

/** The owner tag of events that match the user's filters. */
export const USER_FILTERS_OWNER = 'userFilters';

export class UserFilters implements Disposable {
  private filters: Filter[];
  private readonly following: Following;
  private readonly changed = new Emitter<readonly Filter[]>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: KeyValueStore,
    connection: Follows,
    private host: string | undefined,
    private readonly logger?: Logger,
  ) {
    this.following = new Following(connection, USER_FILTERS_OWNER);
    this.filters = this.restore();
    this.follow();
  }

  /** The cluster whose filters these are (undefined until one is known). */
  get cluster(): string | undefined {
    return this.host;
  }

  /** The user's filters; empty means every event. */
  get list(): readonly Filter[] {
    return this.filters;
  }

  /**
   * Adds a filter (JSON text or a value). Throws FilterError, changing nothing, when it is
   * invalid. Returns the normalized filter and whether it was new. `[]` means "everything": it
   * clears the filters instead.
   */
  add(input: unknown): { filter: Filter; added: boolean } {
    const filter = parseFilter(input);
    if (!filter.length) {
      const had = this.filters.length > 0;
      if (had) this.clear();
      return { filter, added: had };
    }
    if (this.indexOf(filter) >= 0) return { filter, added: false };
    this.set([...this.filters, filter]);
    return { filter, added: true };
  }

  remove(input: unknown): boolean {
    let filter: Filter;
    try {
      filter = parseFilter(input);
    } catch {
      return false;
    }
    const i = this.indexOf(filter);
    if (i < 0) return false;
    this.set(this.filters.filter((_, j) => j !== i));
    return true;
  }

  clear(): void {
    if (this.filters.length) this.set([]);
  }

  /** Another cluster: its own filters. */
  async rescope(host: string): Promise<void> {
    if (host === this.host) return;
    this.host = host;
    await migrateLegacyKeys(this.store, host);
    this.filters = this.restore();
    this.follow();
    this.changed.fire(this.filters);
  }

  private set(filters: Filter[]): void {
    this.filters = filters;
    void this.store.update(storeKey('filters', this.host), filters);
    this.follow();
    this.changed.fire(filters);
  }

  private follow(): void {
    this.following.set(this.filters.length ? this.filters : [[]]);
  }

  private indexOf(filter: Filter): number {
    const key = filterKey(filter);
    return this.filters.findIndex((f) => filterKey(f) === key);
  }

  private restore(): Filter[] {
    const saved = this.store.get<unknown[]>(storeKey('filters', this.host));
    const out: Filter[] = [];
    if (!Array.isArray(saved)) return out;
    for (const f of saved) {
      try {
        const parsed = parseFilter(f);
        // `[]` is "everything", which is what no filters already means.
        if (parsed.length && !out.some((g) => filterKey(g) === filterKey(parsed))) out.push(parsed);
      } catch (err) {
        this.logger?.warn(`Dropped a saved filter that no longer parses: ${(err as Error).message}`);
      }
    }
    return out;
  }

  dispose(): void {
    this.following.dispose();
    this.changed.dispose();
  }
}
