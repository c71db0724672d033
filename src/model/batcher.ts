/**
 * Coalesces a stream of pushes into at most one flush per `intervalMs`: a lone push is flushed on
 * the next tick, a flood is flushed in slices `intervalMs` apart. The queue is bounded: past
 * `maxItems` the oldest queued items are dropped and counted, so a flood cannot grow memory.
 */
import { Ring } from './ring';
import { realScheduler, type Scheduler } from './scheduler';

export interface BatcherOptions<T> {
  /** Minimum time between two flushes (250 ms = at most 4 flushes a second). */
  intervalMs: number;
  /**
   * Also at most `flushes` flushes in any `ms`: with a shorter intervalMs, a lone push after a
   * quiet spell goes at once while a flood still gets no more than `flushes` per window.
   */
  window?: { flushes: number; ms: number };
  /** Most items held between flushes. */
  maxItems: number;
  /** Receives the queued items, oldest first, and how many were dropped since the last flush. */
  flush: (items: T[], dropped: number) => void;
  scheduler?: Scheduler;
}

export class Batcher<T> {
  private queue: Ring<T>;
  private dropped = 0;
  private timer: unknown;
  private lastFlush = -Infinity;
  /** Times of the last `window.flushes` flushes, oldest first. */
  private readonly recent: number[] = [];
  private readonly scheduler: Scheduler;
  private disposed = false;
  /** Flushes done, for tests and diagnostics. */
  flushes = 0;

  constructor(private readonly options: BatcherOptions<T>) {
    this.queue = new Ring<T>(options.maxItems);
    this.scheduler = options.scheduler ?? realScheduler;
  }

  get pending(): number {
    return this.queue.size;
  }

  get maxItems(): number {
    return this.queue.capacity;
  }

  push(item: T): void {
    if (this.disposed) return;
    if (this.queue.push(item) !== undefined) this.dropped++;
    this.schedule();
  }

  pushAll(items: Iterable<T>): void {
    for (const item of items) this.push(item);
  }

  /** Changes the bound; items beyond it are dropped (oldest first) and counted. */
  resize(maxItems: number): void {
    this.dropped += this.queue.resize(maxItems).length;
  }

  /** Flushes whatever is queued now, ignoring the rate limit. */
  flushNow(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.queue.size && !this.dropped) return;
    const items = this.queue.oldestFirst();
    const dropped = this.dropped;
    this.queue.clear();
    this.dropped = 0;
    this.lastFlush = this.scheduler.now();
    if (this.options.window) {
      this.recent.push(this.lastFlush);
      if (this.recent.length > this.options.window.flushes) this.recent.shift();
    }
    this.flushes++;
    this.options.flush(items, dropped);
  }

  /** Forgets what is queued without flushing it. */
  discard(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.clear();
    this.dropped = 0;
  }

  dispose(): void {
    this.discard();
    this.disposed = true;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    let next = this.lastFlush + this.options.intervalMs;
    const w = this.options.window;
    if (w && this.recent.length >= w.flushes) next = Math.max(next, this.recent[this.recent.length - w.flushes] + w.ms);
    const wait = Math.max(0, next - this.scheduler.now());
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, wait);
  }
}
