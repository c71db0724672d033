/** An in-memory KeyValueStore for tests: it copies values in and out, as VS Code's Memento does. */
import type { KeyValueStore } from '../../src/model/store';

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
