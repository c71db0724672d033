/**
 * Reads the logs API for a range of ids, for several filters at once, merged in id order and page
 * by page: what polling does on every round and what the websocket client does to fill a gap.
 * Memory stays bounded: each filter holds at most one page, and a page is handed on (and awaited,
 * so a slow consumer slows the reading) before more is read.
 */
import type { ApiClient } from './rest';
import { ApiError } from './errors';
import { eventFromLogRow } from './eventShape';
import { compileFilter, restConditions } from './filterMatch';
import type { ArvadosEvent, Condition, Filter, Logger } from './types';

export interface BackfillOptions {
  /** Read rows with an id above this. */
  afterId: number;
  /** Read no row above this id: the newest id when the read began (the websocket delivers what is above). */
  upToId: number;
  /** Rows per request; the API clamps at its maxItemsPerResponse (1000 by default). */
  pageSize?: number;
  /**
   * Keep only the newest this many matching events (counted once, whichever filters match them);
   * older ones are skipped and counted. They are then handed on at the end, not page by page.
   */
  maxEvents?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Called with matching events in id order, each once; awaited before more is read. */
  onEvents(events: ArvadosEvent[]): void | Promise<void>;
  /** Called when every row up to `id` has been read for every filter (and handed on). */
  onProgress?(id: number, eventAt?: string): void;
}

export interface BackfillResult {
  /** Every row up to this id has been read (`upToId` when the range was read to the end). */
  lastId: number;
  /** Matching events passed over because of `maxEvents`. */
  skipped: number;
  /** The id of the newest event passed over (0 if none): it and everything below count as delivered. */
  skippedThrough: number;
  requests: number;
}

/** One filter's pages. */
class PageReader {
  readonly admits: (ev: ArvadosEvent) => boolean;
  private pushdown: Condition[];
  /** Matching events read but not yet handed on. */
  buffer: ArvadosEvent[] = [];
  done = false;


  constructor(
    private readonly api: ApiClient,
    private readonly filter: Filter,
    /** The highest id read. */
    public cursor: number,
    private readonly options: BackfillOptions,
  ) {
    this.admits = compileFilter(filter, api.kinds);
    this.pushdown = restConditions(filter, api.kinds);
  }

  /** Reads the next page; resolves with the requests it took. A short page is not the end (the API may cut pages by size): `items_available` or an empty page is. */
  async next(): Promise<number> {
    const { upToId, pageSize = 1000, signal } = this.options;
    let requests = 0;
    for (;;) {
      let page;
      try {
        requests++;
        page = await this.api.listLogs(
          {
            filters: [...this.pushdown, ['id', '>', this.cursor], ['id', '<=', upToId]],
            order: ['id asc'],
            limit: pageSize,
            count: 'exact',
          },
          { signal },
        );
      } catch (err) {
        // The API refused a condition we sent: read by id alone and filter here.
        if (err instanceof ApiError && err.status === 422 && this.pushdown.length) {
          this.options.logger?.warn(`The logs API refused this filter's conditions (${err.message}); reading by id and filtering locally.`);
          this.pushdown = [];
          continue;
        }
        throw err;
      }
      const items = page.items;
      for (const row of items) {
        const id = Number(row?.id);
        // The API may return a row twice (several requests on one container); a row without a numeric id is no row.
        if (!(id > this.cursor)) continue;
        this.cursor = id;
        const ev = eventFromLogRow(row, (u) => this.api.kinds.kindOf(u));
        if (this.admits(ev)) this.buffer.push(ev);
      }
      const available = page.items_available;
      if (!items.length || (available !== undefined && available <= items.length)) this.finish();
      else if (this.cursor >= upToId) this.finish();
      return requests;
    }
  }

  private finish(): void {
    this.done = true;
    this.cursor = Math.max(this.cursor, this.options.upToId);
  }
}

/** Keeps the newest `capacity` events handed to it, counting the ones it lets go. */
class NewestEvents {
  private events: ArvadosEvent[] = [];
  dropped = 0;
  droppedThrough = 0;
  constructor(private readonly capacity: number) {}
  push(evs: ArvadosEvent[]): void {
    this.events.push(...evs);
    const over = this.events.length - this.capacity;
    // Trim in bulk, not per event.
    if (over > 0 && over >= this.capacity) this.drop(over);
  }
  take(): ArvadosEvent[] {
    this.drop(Math.max(0, this.events.length - this.capacity));
    const out = this.events;
    this.events = [];
    return out;
  }
  private drop(n: number): void {
    if (!n) return;
    this.dropped += n;
    this.droppedThrough = Math.max(this.droppedThrough, this.events[n - 1].id);
    this.events = this.events.slice(n);
  }
}

/**
 * Reads every row in (afterId, upToId] visible to the token that one of `filters` admits. The
 * conditions the logs API accepts are sent along to narrow each filter's read; the whole filter is
 * then applied here, so the result is the same as the websocket's.
 */
export async function backfill(api: ApiClient, filters: readonly Filter[], options: BackfillOptions): Promise<BackfillResult> {
  if (options.upToId <= options.afterId) return { lastId: options.afterId, skipped: 0, skippedThrough: 0, requests: 0 };
  const readers = filters.map((f) => new PageReader(api, f, options.afterId, options));
  const newest = options.maxEvents !== undefined && Number.isFinite(options.maxEvents) ? new NewestEvents(Math.max(0, options.maxEvents)) : undefined;
  let requests = 0;
  let safe = options.afterId;
  let safeEventAt: string | undefined;
  while (readers.length) {
    if (options.signal?.aborted) break;
    const open = readers.filter((r) => !r.done);
    // Read more for the filters that are furthest behind: nothing above their cursor is known yet.
    const low = open.length ? Math.min(...open.map((r) => r.cursor)) : Infinity;
    for (const r of open) if (r.cursor === low) requests += await r.next();
    if (options.signal?.aborted) break;
    const stillOpen = readers.filter((r) => !r.done);
    const upTo = stillOpen.length ? Math.min(...stillOpen.map((r) => r.cursor)) : options.upToId;
    // Everything up to `upTo` is now known for every filter: hand it on, merged and once.
    const ready = new Map<number, ArvadosEvent>();
    for (const r of readers) {
      let n = 0;
      while (n < r.buffer.length && r.buffer[n].id <= upTo) {
        ready.set(r.buffer[n].id, r.buffer[n]);
        n++;
      }
      if (n) r.buffer = r.buffer.slice(n);
    }
    const batch = [...ready.values()];
    if (readers.length > 1) batch.sort((a, b) => a.id - b.id);
    if (batch.length) {
      safeEventAt = batch[batch.length - 1].event_at || safeEventAt;
      if (newest) newest.push(batch);
      else await options.onEvents(batch);
    }
    if (upTo > safe) {
      safe = upTo;
      if (!newest && !options.signal?.aborted) options.onProgress?.(safe, safeEventAt);
    }
    if (!stillOpen.length) break;
  }
  if (!readers.length && !options.signal?.aborted) {
    // No filter: nothing to read, and nothing in the range is news.
    safe = options.upToId;
    options.onProgress?.(safe);
  }
  let skipped = 0;
  let skippedThrough = 0;
  if (newest && !options.signal?.aborted) {
    const kept = newest.take();
    skipped = newest.dropped;
    skippedThrough = newest.droppedThrough;
    if (kept.length) await options.onEvents(kept);
    if (safe > options.afterId) options.onProgress?.(safe, kept.at(-1)?.event_at);
  }
  return { lastId: safe, skipped, skippedThrough, requests };
}
