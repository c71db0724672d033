/**
 * The simulator's virtual clock and its agenda: actions due at virtual times (ms since the
 * simulation began), taken earliest first, ties in the order they were scheduled. Nothing here
 * looks at the wall clock, so a seeded simulation replays the same history however fast it runs.
 */

/** An action returns how many log rows it wrote (0 when it found nothing left to do). */
export type SimAction = () => number;

interface Entry {
  at: number;
  seq: number;
  run: SimAction;
}

export class SimAgenda {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private nowMs = 0;

  /** Virtual ms since the simulation began. */
  get now(): number {
    return this.nowMs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** When the next action is due (Infinity when none is). */
  get nextAt(): number {
    return this.heap.length ? this.heap[0]!.at : Infinity;
  }

  /** Schedules `run` `delayMs` of virtual time from now. */
  after(delayMs: number, run: SimAction): void {
    this.push({ at: this.nowMs + Math.max(0, delayMs), seq: this.seq++, run });
  }

  /** Takes the earliest action and moves the clock to its time; undefined when none is due. */
  take(): SimAction | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    this.nowMs = top.at;
    return top.run;
  }

  private before(x: Entry, y: Entry): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
