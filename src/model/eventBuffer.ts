/**
 * The events the views show: a bounded ring in arrival order (the engine delivers in id order),
 * read newest first. When full, the oldest event is evicted and counted as dropped. An id is
 * never held twice: a tree item id (`event:<host>/<id>`) must be unique or VS Code refuses the tree.
 */
import type { ArvadosEvent } from '../arvados';
import { Ring } from './ring';

export interface BufferChange {
  added: ArvadosEvent[];
  /** Events pushed out, oldest first. */
  evicted: ArvadosEvent[];
}

export class EventBuffer {
  private ring: Ring<ArvadosEvent>;
  private readonly byId = new Map<number, ArvadosEvent>();
  private droppedCount = 0;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get size(): number {
    return this.ring.size;
  }

  /** Events evicted or lost for lack of room since the last clear. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Counts events lost before they reached the buffer (a bounded queue upstream overflowed). */
  addDropped(n: number): void {
    if (n > 0) this.droppedCount += n;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  get(id: number): ArvadosEvent | undefined {
    return this.byId.get(id);
  }

  /** The newest event, if any. */
  newest(): ArvadosEvent | undefined {
    return this.ring.at(this.ring.size - 1);
  }

  pushAll(events: Iterable<ArvadosEvent>): BufferChange {
    const added: ArvadosEvent[] = [];
    const evicted: ArvadosEvent[] = [];
    for (const ev of events) {
      if (this.byId.has(ev.id)) continue;
      const out = this.ring.push(ev);
      this.byId.set(ev.id, ev);
      added.push(ev);
      if (out) {
        this.byId.delete(out.id);
        evicted.push(out);
        this.droppedCount++;
      }
    }
    // An event added and evicted in the same call was never shown: report it in neither list.
    if (evicted.length && added.length) {
      const gone = new Set(evicted);
      const fresh = new Set(added);
      return { added: added.filter((ev) => !gone.has(ev)), evicted: evicted.filter((ev) => !fresh.has(ev)) };
    }
    return { added, evicted };
  }

  newestFirst(): ArvadosEvent[] {
    return this.ring.newestFirst();
  }

  /** Events `from` … `to` − 1 counted from the newest (0 is the newest). */
  newestSlice(from: number, to: number): ArvadosEvent[] {
    const out: ArvadosEvent[] = [];
    const last = this.ring.size - 1;
    for (let i = Math.max(0, from); i < Math.min(to, this.ring.size); i++) out.push(this.ring.at(last - i)!);
    return out;
  }

  /** Position of an event counted from the newest, or -1. */
  rankOf(ev: ArvadosEvent): number {
    for (let i = 0, last = this.ring.size - 1; i <= last; i++) if (this.ring.at(last - i) === ev) return i;
    return -1;
  }

  oldestFirst(): ArvadosEvent[] {
    return this.ring.oldestFirst();
  }

  clear(): void {
    this.ring.clear();
    this.byId.clear();
    this.droppedCount = 0;
  }

  /** Changes the capacity; shrinking evicts the oldest events and counts them as dropped. */
  resize(capacity: number): ArvadosEvent[] {
    const evicted = this.ring.resize(capacity);
    for (const ev of evicted) this.byId.delete(ev.id);
    this.droppedCount += evicted.length;
    return evicted;
  }
}
