/**
 * Coalesces a stream of pushes into at most one flush per `intervalMs`: a lone push is flushed on
 * the next tick, a flood is flushed in slices `intervalMs` apart. The queue is bounded: past
 * `maxItems` the oldest queued items are dropped and counted, so a flood cannot grow memory.
 *
 * The interval is a timer armed at each flush (the gate), not a clock comparison: a consumer that
 * debounces with a timer of the same length armed as it receives the flush (VS Code's tree view
 * does, 200 ms) has its timer run just before the gate opens (Node runs timers of one duration
 * armed in one tick in the order they were armed), so the next flush always finds it ready.
 */
import { Ring } from './ring';
import { realScheduler, type Scheduler } from './scheduler';

export interface BatcherOptions<T> {
  /** Minimum time between two flushes (250 ms = at most 4 flushes a second), timed from each flush. */
  intervalMs: number;
  /**
   * Also at most `flushes` flushes in any `ms`: with a shorter intervalMs, a lone push after a
   * quiet spell goes at once while a flood still gets no more than `flushes` per window. With
   * `batchesOnly`, a flush of a single item is not held back by the window (only by intervalMs):
   * a trickle shows each item as it comes, a burst is still limited.
   */
  window?: { flushes: number; ms: number; batchesOnly?: boolean };
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
  /** Armed by a flush; until it fires no other flush may happen. */
  private gate: unknown;
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
    if (this.options.window) {
      this.recent.push(this.scheduler.now());
      if (this.recent.length > this.options.window.flushes) this.recent.shift();
    }

    this.flushes++;
    try {
      this.options.flush(items, dropped);
    } finally {
      // Armed after the flush, so that a consumer's own timer armed during it runs first.
      if (this.gate !== undefined) this.scheduler.clearTimeout(this.gate);
      this.gate = this.scheduler.setTimeout(() => {
        this.gate = undefined;
        // At once, not on a later tick: the interval stays intervalMs, not a little more each time.
        if (this.queue.size || this.dropped) this.flushOrWait();
      }, this.options.intervalMs);
    }
  }

  /** Forgets what is queued without flushing it. */
  discard(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.gate !== undefined) this.scheduler.clearTimeout(this.gate);
    this.gate = undefined;
    this.queue.clear();
    this.dropped = 0;
  }

  dispose(): void {
    this.discard();
    this.disposed = true;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.gate !== undefined) return;
    const wait = Math.max(0, this.nextFlushAt() - this.scheduler.now());
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.flushOrWait();
    }, wait);
  }

  /**
   * Flushes now if the window allows it, else waits for it. More may have come meanwhile: a lone
   * item may have become a batch, which the window limits.
   */
  private flushOrWait(): void {
    if (this.nextFlushAt() <= this.scheduler.now()) this.flushNow();
    else this.schedule();
  }

  /** The earliest time the queue as it is now may be flushed, once the gate is open. */
  private nextFlushAt(): number {
    const w = this.options.window;
    if (!w || this.recent.length < w.flushes) return -Infinity;
    if (w.batchesOnly && this.queue.size + this.dropped <= 1) return -Infinity;
    return this.recent[this.recent.length - w.flushes] + w.ms;
  }
}
