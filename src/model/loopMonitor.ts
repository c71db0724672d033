/**
 * Event-loop delay and heap usage, sampled with perf_hooks.monitorEventLoopDelay and logged every
 * few seconds: what the benchmarks read to tell whether a flood of events keeps the extension
 * host responsive. Off unless `arvados.diagnostics.eventLoopMonitor` is on.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopSample {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  heapUsedMb: number;
  rssMb: number;
}

export function formatLoopSample(s: LoopSample): string {
  const f = (n: number) => n.toFixed(1);
  return `event loop delay p50 ${f(s.p50Ms)} ms p99 ${f(s.p99Ms)} ms max ${f(s.maxMs)} ms; heap used ${f(s.heapUsedMb)} MB; rss ${f(s.rssMb)} MB`;
}

export class LoopMonitor {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly report: (line: string, sample: LoopSample) => void,
    private readonly intervalMs = 5_000,
  ) {}

  get running(): boolean {
    return this.histogram !== undefined;
  }

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Takes a sample now and resets the histogram. */
  sample(): LoopSample | undefined {
    const h = this.histogram;
    if (!h) return undefined;
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    const mem = process.memoryUsage();
    const s: LoopSample = {
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      heapUsedMb: mem.heapUsed / 2 ** 20,
      rssMb: mem.rss / 2 ** 20,
    };
    h.reset();
    this.report(formatLoopSample(s), s);
    return s;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }
}
