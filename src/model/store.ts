/**
 * Where the model persists what must survive a reload (filters, watches, the last event id).
 * VS Code's `Memento` (context.workspaceState) satisfies it; tests use MemoryStore.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void> | void;
}

export class MemoryStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    const v = this.values.get(key);
    // A copy, as Memento returns: callers must not share state with the store.
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }

  update(key: string, value: unknown): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** Keys in workspace state. */
export const STORE_KEYS = {
  filters: 'arvados.filters',
  watches: 'arvados.watches',
  lastEventId: 'arvados.lastEventId',
} as const;
