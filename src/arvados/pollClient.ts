/**
 * The polling client: reads the logs API every `intervalMs`. Unlike the Python SDK's PollClient,
 * which shares one cursor across filters (and so can skip events of one filter while reading
 * another), each subscription keeps its own cursor. Each round pages until it has caught up.
 * An event matched by several subscriptions is delivered once.
 */
import { backfill } from './backfill';
import { backoffDelay, type ApiClient } from './rest';
import { InvalidTokenError } from './errors';
import { restConditions } from './filters';
import { BaseEventStream, type StreamOptions } from './stream';
import type { Filter } from './types';

export interface PollClientOptions extends StreamOptions {
  intervalMs?: number;
  /** How many recently delivered ids to remember for dropping an event a second subscription also matched. */
  recentIds?: number;
}

interface PollSubscription {
  filter: Filter;
  /** Highest id read for this subscription; undefined until the first round finds where "now" is. */
  cursor?: number;
}

/** A set that remembers only its newest `capacity` entries. */
class RecentIds {
  private readonly ids = new Set<number>();
  constructor(private readonly capacity: number) {}
  has(id: number): boolean {
    return this.ids.has(id);
  }
  add(id: number): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as number);
  }
}

export class PollClient extends BaseEventStream {
  readonly transport = 'poll' as const;
  private readonly intervalMs: number;
  private readonly recent: RecentIds;
  private subs: PollSubscription[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;
  /** Requests made, for the benchmarks. */
  requests = 0;

  constructor(api: ApiClient, options: PollClientOptions = {}) {
    super(api, options, { status: 'polling', transport: 'poll' });
    this.intervalMs = options.intervalMs ?? 15_000;
    this.recent = new RecentIds(options.recentIds ?? 50_000);
  }

  /** True once every subscription knows where it reads from (after the first round). */
  get ready(): boolean {
    return this.subs.every((s) => s.cursor !== undefined);
  }

  /** Starts polling: the first round runs at once. */
  start(): void {
    this.logger.info(`Polling the logs API of ${this.api.host} every ${this.intervalMs / 1000} s`);
    this.setState({ status: 'polling', transport: 'poll' });
    this.pollSoon(0);
  }

  subscribe(filter: Filter | string, lastLogId?: number): void {
    const f = this.parse(filter);
    this.addSubscription(f);
    this.subs.push({ filter: f, cursor: lastLogId });
    if (this.timer || this.running) this.pollSoon(0);
  }

  unsubscribe(filter: Filter | string): boolean {
    const f = this.removeSubscription(this.parse(filter));
    if (!f) return false;
    this.subs = this.subs.filter((s) => s.filter !== f);
    return true;
  }

  async close(): Promise<void> {
    if (this.userClosed) return;
    this.userClosed = true;
    await this.shutdown();
    this.setState({ status: 'closed', reason: 'closed by the user' });
  }

  protected async shutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // A round in flight checks userClosed between pages; wait for it so nothing arrives after close.
    this.userClosed = true;
    await this.running?.catch(() => undefined);
  }

  /** Runs a round now (after the current one, if one is running). */
  pollSoon(delayMs: number): void {
    if (this.userClosed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) return void this.running.then(() => this.pollSoon(0));
      this.running = this.round().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async round(): Promise<void> {
    try {
      for (const sub of [...this.subs]) {
        if (this.userClosed) return;
        await this.pollOne(sub);
      }
      if (this.failures) this.logger.info('The logs API answers again');
      this.failures = 0;
      this.pollSoon(this.intervalMs);
    } catch (err) {
      if (this.userClosed) return;
      if (err instanceof InvalidTokenError) return void this.fail(err);
      // Keep polling through errors, backing off while they last; the cursors have not moved past anything unread.
      this.failures++;
      const delay = Math.max(this.intervalMs, backoffDelay(this.failures, this.intervalMs, 5 * 60_000));
      this.reportError(new Error(`Polling failed (${this.failures} in a row), next try in ${Math.round(delay / 1000)} s: ${(err as Error).message}`));
      this.pollSoon(delay);
    }
  }

  private async pollOne(sub: PollSubscription): Promise<void> {
    if (sub.cursor === undefined) {
      // Start from "now": the newest row this filter could match. Older events are history, not news.
      this.requests++;
      const newest = await this.api.listLogs({ filters: restConditions(sub.filter), order: ['id desc'], limit: 1, count: 'none', select: ['id'] });
      sub.cursor = newest.items.length ? Number(newest.items[0].id) : 0;
      return;
    }
    const r = await backfill(this.api, sub.filter, sub.cursor, {
      pageSize: this.pageSize,
      maxItems: this.maxBackfill,
      cancelled: () => this.userClosed,
      logger: this.logger,
      onEvents: (evs) => {
        // Advance as we go, so an error on a later page does not read these again.
        sub.cursor = Math.max(sub.cursor ?? 0, evs[evs.length - 1].id);
        for (const ev of evs) {
          if (this.recent.has(ev.id)) continue;
          this.recent.add(ev.id);
          if (ev.id > this.highestId) this.highestId = ev.id;
          this.deliver(ev);
        }
      },
    });
    this.requests += r.requests;
    sub.cursor = r.lastId;
    if (r.skipped) {
      this.logger.warn(`More than ${this.maxBackfill} events since the last poll: skipped the ${r.skipped} oldest.`);
      this.skips.fire(r.skipped);
    }
  }
}
