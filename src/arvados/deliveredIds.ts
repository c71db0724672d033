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
  private readonly ids = new Set<number>();
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
    return id <= this.forgottenThrough || this.ids.has(id);
  }

  /**
   * Records a delivery; returns false (and records nothing) if the id was already delivered.
   * `at`: the time now on this set's clock, when the caller has just read it (one clock read per event, not two).
   */
  add(id: number, at = this.now()): boolean {
    if (this.has(id)) return false;
    this.ids.add(id);
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
    for (const k of this.ids) if (k <= id) this.ids.delete(k);
  }

  get size(): number {
    return this.ids.size;
  }

  private expire(): void {
    const cutoff = this.newestAt - this.windowMs;
    while (this.head < this.queueIds.length && (this.queueIds.length - this.head > this.capacity || this.queueAt[this.head] < cutoff)) {
      const id = this.queueIds[this.head++];
      // skipThrough may have dropped it already; it counts as delivered either way.
      this.ids.delete(id);
      if (id > this.forgottenThrough) this.forgottenThrough = id;
    }
    if (this.head > 1024 && this.head * 2 > this.queueIds.length) {
      this.queueIds = this.queueIds.slice(this.head);
      this.queueAt = this.queueAt.slice(this.head);
      this.head = 0;
    }
  }
}
