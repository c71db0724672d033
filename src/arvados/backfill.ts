/**
 * Reads the logs API after a given id, in id order, page by page, for one filter: what polling
 * does on every round and what the websocket client does to fill a gap after a reconnect.
 */
import type { ApiClient } from './rest';
import { ApiError } from './errors';
import { eventFromLogRow } from './eventShape';
import { compileFilter, restConditions } from './filters';
import type { ArvadosEvent, Condition, Filter, Logger } from './types';

export interface BackfillOptions {
  /** Rows per request; the API clamps at its maxItemsPerResponse (1000 by default). */
  pageSize?: number;
  /** Read at most this many rows; older rows beyond it are skipped and counted. */
  maxItems?: number;
  /** Read no row above this id (the horizon beyond which the websocket delivers). */
  upToId?: number;
  /** Called with each page's matching events, in id order. */
  onEvents(events: ArvadosEvent[]): void;
  /** Stops between pages when it returns true (the stream was closed or reconnected). */
  cancelled?: () => boolean;
  logger?: Logger;
}

export interface BackfillResult {
  /** The highest id read (matching or not), or `afterId` if none. */
  lastId: number;
  /** Rows passed over because of `maxItems`. */
  skipped: number;
  requests: number;
}

/**
 * Reads every row with `id > afterId` visible to the token that `filter` admits. Conditions the
 * logs API accepts are sent along to narrow the read; the whole filter is then applied here, so
 * the result is the same as the websocket's. A short page is not taken as the end (the API may
 * cut pages by size): reading stops when `items_available` says nothing is left or a page is empty.
 */
export async function backfill(api: ApiClient, filter: Filter, afterId: number, options: BackfillOptions): Promise<BackfillResult> {
  const pageSize = options.pageSize ?? 1000;
  const maxItems = options.maxItems ?? Infinity;
  const admits = compileFilter(filter, api.kinds);
  let pushdown = restConditions(filter, api.kinds);
  let cursor = afterId;
  let read = 0;
  let skipped = 0;
  let requests = 0;
  let offset = 0;
  for (;;) {
    if (options.cancelled?.()) break;
    let page;
    try {
      requests++;
      page = await api.listLogs({
        filters: [...pushdown, ['id', '>', cursor], ...(options.upToId !== undefined ? [['id', '<=', options.upToId] as Condition] : [])],
        order: ['id asc'],
        limit: Math.min(pageSize, maxItems - read),
        offset: offset || undefined,
        count: 'exact',
      });
    } catch (err) {
      // The API refused a condition we sent: fall back to reading by id alone and filtering here.
      if (err instanceof ApiError && err.status === 422 && pushdown.length) {
        options.logger?.warn(`The logs API refused this filter's conditions (${err.message}); reading by id and filtering locally.`);
        pushdown = [];
        continue;
      }
      throw err;
    }
    const available = page.items_available;
    if (offset === 0 && read === 0 && available !== undefined && available > maxItems) {
      // More than we may hold: skip the oldest and start at the newest `maxItems`.
      skipped = available - maxItems;
      offset = skipped;
      continue;
    }
    offset = 0;
    const items = page.items;
    if (!items.length) break;
    const events: ArvadosEvent[] = [];
    for (const row of items) {
      const id = Number(row.id);
      if (id <= cursor) continue; // the API may return a row twice (several requests on one container)
      cursor = id;
      const ev = eventFromLogRow(row, (u) => api.kinds.kindOf(u));
      if (admits(ev)) events.push(ev);
    }
    read += items.length;
    if (events.length) options.onEvents(events);
    if (read >= maxItems) break;
    if (available !== undefined && available <= items.length) break;
  }
  return { lastId: cursor, skipped, requests };
}
