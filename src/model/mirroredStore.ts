/**
 * A store that also keeps some keys in a small JSON file, written synchronously. VS Code's
 * workspace state is written by the window: at a reload or shutdown the window may be gone before
 * the extension host's last update reaches it, and the next window would resume from an older
 * event id and show events again. A file written by the extension host itself does not depend on
 * the window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyValueStore } from './store';

export class MirroredStore implements KeyValueStore {
  private cache?: Record<string, unknown>;

  constructor(
    private readonly primary: KeyValueStore,
    private readonly file: string,
    /** Which keys go to the file too. */
    private readonly mirrored: (key: string) => boolean,
  ) {}

  get<T>(key: string): T | undefined {
    if (this.mirrored(key)) {
      const v = this.read()[key];
      if (v !== undefined) return structuredClone(v) as T;
    }
    return this.primary.get<T>(key);
  }

  update(key: string, value: unknown): PromiseLike<void> | void {
    if (this.mirrored(key)) this.write(key, value);
    return this.primary.update(key, value);
  }

  private read(): Record<string, unknown> {
    if (!this.cache) {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
        this.cache = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      } catch {
        this.cache = {};
      }
    }
    return this.cache;
  }

  private write(key: string, value: unknown): void {
    const all = { ...this.read() };
    if (value === undefined) delete all[key];
    else all[key] = structuredClone(value);
    this.cache = all;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Write then rename: a crash mid-write leaves the previous file, never half of one.
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(all));
      fs.renameSync(tmp, this.file);
    } catch {
      // The primary store still has it.
    }
  }
}
