/** Events per second over a sliding window, kept in fixed buckets: O(1) per event, bounded memory. */
export class RateMeter {
  private readonly buckets: number[];
  private readonly bucketMs: number;
  private lastBucket = -1;

  constructor(
    private readonly windowMs = 5_000,
    bucketCount = 10,
  ) {
    this.bucketMs = windowMs / bucketCount;
    this.buckets = new Array<number>(bucketCount).fill(0);
  }

  record(now: number, n = 1): void {
    this.roll(now);
    this.buckets[this.lastBucket % this.buckets.length] += n;
  }

  /** The average rate over the window ending now. */
  perSecond(now: number): number {
    this.roll(now);
    const total = this.buckets.reduce((a, b) => a + b, 0);
    return (total * 1000) / this.windowMs;
  }

  reset(): void {
    this.buckets.fill(0);
    this.lastBucket = -1;
  }

  /** Zeroes the buckets that time has moved past. */
  private roll(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    if (this.lastBucket < 0 || bucket - this.lastBucket >= this.buckets.length) {
      this.buckets.fill(0);
    } else {
      for (let b = this.lastBucket + 1; b <= bucket; b++) this.buckets[b % this.buckets.length] = 0;
    }
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }
}

/** `1234.5` → `1.2k`, for a status bar. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${Math.round(perSecond / 1000)}k`;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k`;
  if (perSecond >= 10) return String(Math.round(perSecond));
  if (perSecond > 0) return perSecond.toFixed(1);
  return '0';
}
