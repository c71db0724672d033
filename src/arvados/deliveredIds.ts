/**
 * The ids an event stream has delivered recently: how it tells a new event from a repeat without
 * a high-water mark. Log ids are taken at insert but published at commit, so a row can appear
 * after a row with a higher id (a late commit). A high-water mark would drop it as a duplicate;
 * this set delivers it, once.
 *
 * It remembers the ids delivered in the last `windowMs` (by the time they were delivered, relative
 * to the newest delivery, so an outage does not age them) and at most `capacity` of them. An id at
 * or below `forgottenThrough`, the highest id it has let go of, counts as delivered: a commit later
 * than the window is not delivered (see README, "Late commits"). `StreamPosition` says where a
 * re-read must start so that such a row is read again.
 */
export interface DeliveredIdsOptions {
  /** How long a delivered id is remembered, measured back from the newest delivery (default 60 s). */
  windowMs?: number;
  /** Most ids remembered (default 100,000). */
  capacity?: number;
  now?: () => number;
}

export const LATE_COMMIT_WINDOW_MS = 60_000;

export class DeliveredIds {
  private readonly windowMs: number;
  private readonly capacity: number;
  private readonly now: () => number;
  /**
   * The ids remembered, as a set, once one arrived out of order (a late commit); undefined while
   * they arrived in increasing order (the usual case), when the queue itself is sorted and
   * searched: no hash table to update per event. Back to undefined once the ids out of order
   * have left the queue.
   */
  private ids?: Set<number>;
  /** The index in the queue of the newest id lower than the one before it (0: none). */
  private disorderAt = 0;
  /**
   * Deliveries oldest first, as a queue (ids and times side by side, `head` the oldest). Not a Map
   * walked from its start: deleted Map entries stay as holes that every walk steps over.
   */
  private queueIds: number[] = [];
  private queueAt: number[] = [];
  private head = 0;
  private newestAt = 0;
  /** Every id at or below this counts as delivered. */
  forgottenThrough = 0;
  /** The highest id delivered. */
  highest = 0;

  constructor(options: DeliveredIdsOptions = {}) {
    this.windowMs = options.windowMs ?? LATE_COMMIT_WINDOW_MS;
    this.capacity = options.capacity ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  has(id: number): boolean {
    // Above the highest id delivered (the usual case: ids mostly arrive in order): no lookup.
    if (id > this.highest) return false;
    if (id <= this.forgottenThrough) return true;
    if (this.ids) return this.ids.has(id);
    const i = this.firstQueuedAbove(id - 1);
    return i < this.queueIds.length && this.queueIds[i] === id;
  }

  /**
   * Records a delivery; returns false (and records nothing) if the id was already delivered.
   * `at`: the time now on this set's clock, when the caller has just read it (one clock read per event, not two).
   */
  add(id: number, at = this.now()): boolean {
    if (this.has(id)) return false;
    const n = this.queueIds.length;
    if (n > this.head && id < this.queueIds[n - 1]) {
      // Out of order: the queue is sorted no more, so until this id leaves it the ids are kept in a set too.
      this.disorderAt = n;
      // (Those at or below forgottenThrough count as delivered without it, as skipThrough leaves them.)
      this.ids ??= new Set(this.queueIds.slice(this.firstQueuedAbove(this.forgottenThrough)));
    }
    this.ids?.add(id);
    this.queueIds.push(id);
    this.queueAt.push(at);
    this.newestAt = Math.max(this.newestAt, at);
    if (id > this.highest) this.highest = id;
    this.expire();
    return true;
  }

  /** Treats every id up to `id` as delivered (a resume point: what came before is not news). */
  skipThrough(id: number): void {
    if (id <= this.forgottenThrough) return;
    this.forgottenThrough = id;
    if (id > this.highest) this.highest = id;
    if (this.ids) for (const k of this.ids) if (k <= id) this.ids.delete(k);
  }

  /** How many ids above forgottenThrough are remembered (those at or below count as delivered anyway). For tests and diagnostics: not cheap. */
  get size(): number {
    if (!this.ids) return this.queueIds.length - this.firstQueuedAbove(this.forgottenThrough);
    let n = 0;
    for (const k of this.ids) if (k > this.forgottenThrough) n++;
    return n;
  }

  /** In the sorted queue: the index of the first id above `id` (the queue's length if none). */
  private firstQueuedAbove(id: number): number {
    let lo = this.head;
    let hi = this.queueIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queueIds[mid] <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private expire(): void {
    const cutoff = this.newestAt - this.windowMs;
    while (this.head < this.queueIds.length && (this.queueIds.length - this.head > this.capacity || this.queueAt[this.head] < cutoff)) {
      const id = this.queueIds[this.head++];
      // skipThrough may have dropped it already; it counts as delivered either way.
      this.ids?.delete(id);
      if (id > this.forgottenThrough) this.forgottenThrough = id;
    }
    // The ids out of order have all left: what is queued is sorted again.
    if (this.ids && this.head >= this.disorderAt) this.ids = undefined;
    if (this.head > 1024 && this.head * 2 > this.queueIds.length) {
      this.queueIds = this.queueIds.slice(this.head);
      this.queueAt = this.queueAt.slice(this.head);
      this.disorderAt = Math.max(0, this.disorderAt - this.head);
      this.head = 0;
    }
  }
}
