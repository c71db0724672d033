/** A fixed-capacity FIFO: pushing onto a full ring evicts the oldest item. O(1) push and shift. */
export class Ring<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(private cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`ring capacity must be a positive integer, got ${cap}`);
    this.items = new Array<T | undefined>(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.count;
  }

  /** Appends; returns the evicted oldest item when the ring was full. */
  push(item: T): T | undefined {
    if (this.count < this.cap) {
      this.items[(this.head + this.count) % this.cap] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.head] as T;
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.cap;
    return evicted;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (!this.count) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.cap;
    this.count--;
    return item;
  }

  /** The i-th oldest item (0 = oldest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.head + i) % this.cap];
  }

  oldestFirst(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.head + i) % this.cap] as T;
    return out;
  }

  newestFirst(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.head + this.count - 1 - i) % this.cap] as T;
    return out;
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.cap);
    this.head = 0;
    this.count = 0;
  }

  /** Changes the capacity, keeping the newest items; returns the evicted ones, oldest first. */
  resize(capacity: number): T[] {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    const all = this.oldestFirst();
    const evicted = all.length > capacity ? all.slice(0, all.length - capacity) : [];
    const kept = all.slice(evicted.length);
    this.cap = capacity;
    this.items = new Array<T | undefined>(capacity);
    this.head = 0;
    this.count = 0;
    for (const item of kept) this.push(item);
    return evicted;
  }
}
