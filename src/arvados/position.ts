/**
 * Where an event stream stands: `resumeId`, the id up to which every row has been read (the
 * `last_log_id` to resume from), and where a re-read must start to catch rows that commit late.
 *
 * A row takes its id at insert and becomes visible at commit. A row that commits up to
 * `lateWindowMs` late was inserted (its `event_at`) at most that long before rows seen after it.
 * So the position notes, as it moves, which id it had reached at each second of the rows'
 * `event_at` (the server's clock, not ours), and a re-read starts from the id reached
 * `lateWindowMs` before the newest row seen, but never more than `maxOverlapIds` ids back.
 */
import { LATE_COMMIT_WINDOW_MS } from './deliveredIds';

export interface PositionOptions {
  lateWindowMs?: number;
  /** Caps the re-read in a flood: at most this many ids below the resume point (default 5,000). */
  maxOverlapIds?: number;
}

/** Whether `eventAt` starts with `second`, 19 characters (to the second); from the end, where they differ first. */
function sameSecond(eventAt: string, second: string): boolean {
  if (second.length !== 19 || eventAt.length < 19) return false;
  for (let i = 18; i >= 0; i--) if (eventAt.charCodeAt(i) !== second.charCodeAt(i)) return false;
  return true;
}

export class StreamPosition {
  private readonly lateWindowMs: number;
  private readonly maxOverlapIds: number;
  /** [event_at second, id reached by then], oldest first; at most one entry per second. */
  private marks: Array<[number, number]> = [];
  /** Ids at or below this were read before this process knew anything (a resume point). */
  private floor = 0;
  /** The first 19 characters (to the second) of the last event_at parsed: most rows share it, so most skip the parse. */
  private lastSecondText = '';
  resumeId = 0;

  constructor(options: PositionOptions = {}) {
    this.lateWindowMs = options.lateWindowMs ?? LATE_COMMIT_WINDOW_MS;
    this.maxOverlapIds = options.maxOverlapIds ?? 5_000;
  }

  /** Starts from an id remembered from before (nothing below it is re-read). */
  startAt(id: number): void {
    if (id <= this.resumeId) return;
    this.resumeId = id;
    this.floor = id;
    this.marks = [];
    this.lastSecondText = '';
  }

  /** Notes that every row up to `id` has been read; `eventAt` is the newest row's event_at, if known. */
  advance(id: number, eventAt?: string): void {
    if (id > this.resumeId) this.resumeId = id;
    if (!eventAt) return;
    // The same second as the last row (most rows): compared in place, no slice to allocate.
    if (sameSecond(eventAt, this.lastSecondText)) {
      this.marks[this.marks.length - 1][1] = this.resumeId;
      return;
    }
    const secondText = eventAt.slice(0, 19);
    if (secondText === this.lastSecondText) {
      this.marks[this.marks.length - 1][1] = this.resumeId;
      return;
    }
    const ms = Date.parse(eventAt);
    if (!Number.isFinite(ms)) return;
    const second = Math.floor(ms / 1000);
    const last = this.marks[this.marks.length - 1];
    if (last && last[0] >= second) {
      // A row from an earlier second (an old row read late): the mark of the newest second covers it.
      last[1] = Math.max(last[1], this.resumeId);
      return;
    }
    this.lastSecondText = secondText;
    this.marks.push([second, this.resumeId]);
    // Keep just over a window's worth.
    const keepFrom = second - Math.ceil(this.lateWindowMs / 1000) - 1;
    let drop = 0;
    while (drop < this.marks.length - 1 && this.marks[drop + 1][0] <= keepFrom) drop++;
    if (drop) this.marks.splice(0, drop);
  }

  /** The id after which a catch-up or poll reads, so that a row committed late is read again. */
  overlapStart(): number {
    if (!this.marks.length) return this.resumeId;
    const newest = this.marks[this.marks.length - 1][0];
    const cutoff = newest - this.lateWindowMs / 1000;
    // The id reached before the window opened: rows inserted within the window lie above it.
    let start = this.floor;
    for (const [second, id] of this.marks) {
      if (second >= cutoff) break;
      start = id;
    }
    return Math.max(start, this.floor, this.resumeId - this.maxOverlapIds);
  }
}
