/**
 * Runs a virtual-time simulation in real time: virtual time advances `speed` times faster than
 * the wall clock, and every action that falls due is taken, so bursts stay bursts and quiet spells
 * stay quiet. Work is done in short slices (yielding to the event loop between them, so that
 * sockets drain); when the machine cannot keep up, the pacer runs flat out and drops the backlog
 * beyond a second instead of catching up later.
 */

export interface Steppable {
  /** Takes the next due action(s); returns how many events it produced. */
  step(): number;
  /** Virtual ms of the next action (Infinity when nothing is scheduled). */
  readonly nextAt: number;
  /** Virtual ms now. */
  readonly now: number;
}

export interface PaceOptions {
  /** Virtual ms per wall ms. */
  speed: number;
  signal?: AbortSignal;
  /** Stop after this much wall time. */
  durationMs?: number;
  /** Stop after this many events. */
  maxEvents?: number;
  /** Called after every slice with the events produced so far. */
  progress?: (events: number) => void;
}

const SLICE_MS = 8;
const MAX_LAG_MS = 1000;
const MAX_SLEEP_MS = 250;

export class Pacer {
  private stopped = false;
  private wake?: () => void;

  /** Ends `run` at its next slice (a pending sleep is cut short). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(sim: Steppable, opts: PaceOptions): Promise<number> {
    if (!(opts.speed > 0)) throw new Error(`pacer: speed must be > 0 (got ${opts.speed})`);
    const onAbort = () => this.stop();
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) this.stopped = true;
    const start = performance.now();
    let origin = start;
    const v0 = sim.now;
    let events = 0;
    const done = () =>
      this.stopped ||
      (opts.durationMs !== undefined && performance.now() - start >= opts.durationMs) ||
      (opts.maxEvents !== undefined && events >= opts.maxEvents);
    try {
      while (!done()) {
        const sliceEnd = performance.now() + SLICE_MS;
        let target = v0 + (performance.now() - origin) * opts.speed;
        while (sim.nextAt <= target && !done()) {
          events += sim.step();
          if (performance.now() >= sliceEnd) break;
        }
        opts.progress?.(events);
        target = v0 + (performance.now() - origin) * opts.speed;
        const lagMs = (target - sim.nextAt) / opts.speed;
        if (lagMs > 0) {
          // Behind: forget what cannot be caught up, then let I/O run before the next slice.
          if (lagMs > MAX_LAG_MS) origin += lagMs - MAX_LAG_MS;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        let sleepMs = Math.min(-lagMs, MAX_SLEEP_MS);
        if (opts.durationMs !== undefined) sleepMs = Math.min(sleepMs, Math.max(0, start + opts.durationMs - performance.now()));
        await this.sleep(sleepMs);
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return events;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
