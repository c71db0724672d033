/**
 * What reaches the Events view, free of vscode: the events one owner follows, in batches (a lone
 * event at once, at most every 200 ms; batches of several at most 4 in any 1.05 s; bounded), held
 * while paused (bounded, overflow counted) and shown on resume; the rate and time of the last
 * event; the counts the view and the status bar show (onCounts, at most 4 a second).
 */
import { Emitter, silentLogger, type ArvadosEvent, type Disposable, type Logger } from '../arvados';
import { Batcher } from './batcher';
import type { FollowedEvent } from './cluster';
import { RateMeter } from './rate';
import { Ring } from './ring';
import { realScheduler, type Scheduler } from './scheduler';

export interface EventBatch {
  events: ArvadosEvent[];
  /** Events lost before the views saw them (a bounded queue overflowed). */
  dropped: number;
}

export interface FeedCounts {
  paused: boolean;
  /** Events that arrived since Pause. */
  pausedCount: number;
  /** Events the engine skipped while filling gaps, since the last clear. */
  skipped: number;
}

export interface FeedSource {
  onEvent(listener: (e: FollowedEvent) => void): Disposable;
  onSkipped(listener: (n: number) => void): Disposable;
}

export interface EventFeedOptions {
  /** Whose events are shown. */
  owner: string;
  /** Events shown at most: also the bound of the paused backlog and of each batch. */
  bufferSize: number;
  logger?: Logger;
  scheduler?: Scheduler;
  /** Minimum time between two count updates; batches: 0.8 × this apart, several-event ones at most 4 per 4.2 × this. */
  intervalMs?: number;
}

export class EventFeed implements Disposable {
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly intervalMs: number;
  private readonly batcher: Batcher<ArvadosEvent>;
  private backlog: Ring<ArvadosEvent>;
  private isPaused = false;
  private arrivedWhilePaused = 0;
  private droppedWhilePaused = 0;
  private skippedCount = 0;
  private readonly meter = new RateMeter();
  private lastEventAtValue?: string;
  private countsTimer: unknown;
  private readonly subscriptions: Disposable[];
  private readonly batchEmitter = new Emitter<EventBatch>();
  /** Events for the view: batched, held while paused. */
  readonly onBatch = this.batchEmitter.event;
  private readonly countsEmitter = new Emitter<FeedCounts>();
  /** The counts changed: at once for Pause and Resume, else at most once per interval. */
  readonly onCounts = this.countsEmitter.event;

  constructor(
    source: FeedSource,
    private readonly options: EventFeedOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.scheduler = options.scheduler ?? realScheduler;
    this.intervalMs = options.intervalMs ?? 250;
    this.backlog = new Ring(options.bufferSize);
    this.batcher = new Batcher<ArvadosEvent>({
      // The view refreshes per batch. VS Code's tree view takes a refresh at once only 200 ms after
      // the last one (extHostTreeViews debounces them with a 200 ms timer: leading edge, then
      // quiet), so batches go 200 ms apart (0.8 × 250), timed by a timer of the same length armed
      // after VS Code's (see Batcher): an event arriving alone shows at once, up to 5 a second.
      // Batches of several events (a burst, a flood) are at most 4 in any 1.05 s (1.05 so that a
      // window a little over a second still holds 4).
      intervalMs: this.intervalMs * 0.8,
      window: { flushes: 4, ms: this.intervalMs * 4.2, batchesOnly: true },
      maxItems: options.bufferSize,
      scheduler: this.scheduler,
      flush: (events, dropped) => this.emitBatch({ events, dropped }),
    });
    this.subscriptions = [
      source.onEvent((e) => this.receive(e)),
      source.onSkipped((n) => {
        this.skippedCount += n;
        this.logger.warn(`Skipped ${n} events while filling a gap (more than the buffer holds)`);
        this.countsChanged();
      }),
    ];
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get counts(): FeedCounts {
    return { paused: this.isPaused, pausedCount: this.arrivedWhilePaused, skipped: this.skippedCount };
  }

  /** Events per second, every owner's, averaged over the last few seconds. */
  rate(): number {
    return this.meter.perSecond(this.scheduler.now());
  }

  /** `event_at` of the newest event received. */
  get lastEventAt(): string | undefined {
    return this.lastEventAtValue;
  }

  private receive({ event, owners }: FollowedEvent): void {
    this.meter.record(this.scheduler.now());
    this.lastEventAtValue = event.event_at || this.lastEventAtValue;
    // Events only another owner wanted (watched objects, notifications) are not for the view.
    if (!owners.has(this.options.owner)) return;
    if (this.isPaused) {
      this.arrivedWhilePaused++;
      if (this.backlog.push(event) !== undefined) this.droppedWhilePaused++;
      this.countsChanged();
    } else {
      this.batcher.push(event);
    }
  }

  pause(): void {
    if (this.isPaused) return;
    // What arrived before the pause is shown; what arrives after waits.
    this.batcher.flushNow();
    this.isPaused = true;
    this.arrivedWhilePaused = 0;
    this.droppedWhilePaused = 0;
    this.logger.info('Paused: events are held until Resume');
    this.countsNow();
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    const held = this.backlog.oldestFirst();
    const dropped = this.droppedWhilePaused;
    this.backlog.clear();
    this.logger.info(`Resumed: ${this.arrivedWhilePaused} events arrived while paused${dropped ? `, ${dropped} of them dropped (more than the buffer holds)` : ''}`);
    this.arrivedWhilePaused = 0;
    this.droppedWhilePaused = 0;
    this.countsNow();
    this.batcher.flushNow();
    if (held.length || dropped) this.emitBatch({ events: held, dropped });
  }

  /** The view was cleared: its counts start again. */
  clearCounts(): void {
    this.skippedCount = 0;
    this.countsChanged();
  }

  resize(bufferSize: number): void {
    this.batcher.resize(bufferSize);
    this.droppedWhilePaused += this.backlog.resize(bufferSize).length;
  }

  private emitBatch(batch: EventBatch): void {
    this.batchEmitter.fire(batch, (e) => this.listenerFailed(e));
    this.countsChanged();
  }

  /** At most once per interval, however often it is asked. */
  private countsChanged(): void {
    if (this.countsTimer !== undefined) return;
    this.countsTimer = this.scheduler.setTimeout(() => this.countsNow(), this.intervalMs);
  }

  /** Pause and Resume show at once. */
  private countsNow(): void {
    if (this.countsTimer !== undefined) this.scheduler.clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    this.countsEmitter.fire(this.counts, (e) => this.listenerFailed(e));
  }

  private listenerFailed(err: unknown): void {
    this.logger.error(`A listener failed: ${(err as Error)?.stack ?? String(err)}`);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    if (this.countsTimer !== undefined) this.scheduler.clearTimeout(this.countsTimer);
    this.countsTimer = undefined;
    this.batcher.dispose();
    this.batchEmitter.dispose();
    this.countsEmitter.dispose();
  }
}
