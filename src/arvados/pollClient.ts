/**
 * The polling client: reads the logs API every `intervalMs`. Unlike the Python SDK's PollClient,
 * whose one cursor moves with whichever filter it read last (and so can skip another filter's
 * events), each round reads every subscription up to the same horizon, merged in id order, and
 * the cursor moves only to what every subscription has read. Each round re-reads a small overlap
 * below the cursor, so a row that commits late is still delivered; an event that several
 * subscriptions match, or that is read twice, is delivered once.
 */
import { backfill } from './backfill';
import { LATE_COMMIT_WINDOW_MS } from './deliveredIds';
import { backoffDelay, type ApiClient } from './rest';
import { AbortedError, InvalidTokenError } from './errors';
import { BaseEventStream, type StreamOptions } from './stream';
import type { Filter } from './types';

export interface PollClientOptions extends StreamOptions {
  intervalMs?: number;
}

export class PollClient extends BaseEventStream {
  readonly transport = 'poll' as const;
  private readonly intervalMs: number;
  /** False until the first round has found where "now" is (unless a resume point was given). */
  private started = false;
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;
  /** Requests made, for the benchmarks. */
  requests = 0;

  constructor(api: ApiClient, options: PollClientOptions = {}) {
    // A late row is read by the round after it commits, up to an interval later: widen the window by that.
    const intervalMs = options.intervalMs ?? 15_000;
    super(api, { ...options, lateCommitWindowMs: (options.lateCommitWindowMs ?? LATE_COMMIT_WINDOW_MS) + intervalMs }, { status: 'polling', transport: 'poll' });
    this.intervalMs = intervalMs;
  }

  /** True once the stream knows where it reads from (after the first round). */
  get ready(): boolean {
    return this.started;
  }

  /** Starts polling: the first round runs at once. */
  start(): void {
    this.logger.info(`Polling the logs API of ${this.api.host} every ${this.intervalMs / 1000} s`);
    this.setState({ status: 'polling', transport: 'poll' });
    this.pollSoon(0);
  }

  /**
   * Adds a subscription. With `lastLogId` it reads from there (if that is earlier than where the
   * stream stands, the whole stream resumes from there; repeats are dropped). Without, it reads
   * from where the stream stands, so an event committed before the next round is not missed.
   */
  subscribe(filter: Filter | string, lastLogId?: number): void {
    const f = this.parse(filter);
    this.addSubscription(f);
    if (lastLogId !== undefined && (!this.started || lastLogId < this.position.resumeId)) {
      if (!this.started) this.startAfter(lastLogId);
      else this.rewindTo = Math.min(this.rewindTo ?? Infinity, lastLogId);
      this.started = true;
    }
    if (this.timer || this.running) this.pollSoon(0);
  }

  /** A resume point below the stream's, asked for by a later subscription: the next round starts there. */
  private rewindTo?: number;

  unsubscribe(filter: Filter | string): boolean {
    return this.removeSubscription(this.parse(filter)) !== undefined;
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
    this.userClosed = true;
    // Abort the round in flight and wait for it, so nothing is requested or arrives after close.
    this.abort.abort();
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
    const signal = this.abort.signal;
    try {
      this.requests++;
      const horizon = await this.api.newestLogId({ signal });
      if (!this.started) {
        // Start from "now": older events are history, not news.
        this.startAfter(horizon);
        this.started = true;
      } else {
        const afterId = Math.min(this.position.overlapStart(), this.rewindTo ?? Infinity);
        this.rewindTo = undefined;
        const r = await backfill(this.api, this.subscriptions, {
          afterId,
          upToId: Math.max(horizon, this.position.resumeId),
          pageSize: this.pageSize,
          maxEvents: this.maxBackfill,
          signal,
          logger: this.logger,
          onEvents: async (evs) => {
            for (const ev of evs) this.deliverOnce(ev);
            await this.consumerReady();
          },
          // Advance as pages are handed on, so an error on a later page does not lose these.
          onProgress: (id, eventAt) => this.position.advance(id, eventAt),
        });
        this.requests += r.requests;
        if (r.skipped) {
          // What was skipped is not news either, if it arrives again (a replay of held frames).
          this.delivered.skipThrough(r.skippedThrough);
          this.logger.warn(`More than ${this.maxBackfill} events since the last poll: skipped the ${r.skipped} oldest.`);
          this.skips.fire(r.skipped);
        }
      }
      if (this.userClosed) return;
      if (this.failures) this.logger.info('The logs API answers again');
      this.failures = 0;
      this.pollSoon(this.intervalMs);
    } catch (err) {
      if (this.userClosed || err instanceof AbortedError) return;
      if (err instanceof InvalidTokenError) return void this.fail(err);
      // Keep polling through errors, backing off while they last; the cursor has not moved past anything unread.
      this.failures++;
      const delay = Math.max(this.intervalMs, backoffDelay(this.failures, this.intervalMs, 5 * 60_000));
      this.reportError(new Error(`Polling failed (${this.failures} in a row), next try in ${Math.round(delay / 1000)} s: ${(err as Error).message}`));
      this.pollSoon(delay);
    }
  }
}
