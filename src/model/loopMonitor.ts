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

/** The histogram's timer interval. */
const RESOLUTION_MS = 10;

/**
 * Counters reported with every sample as `; <name>: <increase> in last <ms> ms` (e.g. the Events
 * view's tree refreshes, which bench/extension.ts reads). Registering is a map entry; a counter is
 * read only when a sample is taken, so nothing costs anything while the monitor is off.
 */
const counters = new Map<string, () => number>();

export function registerLoopCounter(name: string, read: () => number): { dispose(): void } {
  counters.set(name, read);
  return { dispose: () => counters.get(name) === read && counters.delete(name) };
}

/**
 * The sampling interval: 5 s, or ARVADOS_EVENTS_MONITOR_INTERVAL_MS (the benchmarks set 1000 to
 * see a flood of a few seconds in several samples).
 */
function defaultIntervalMs(): number {
  const ms = Number(process.env.ARVADOS_EVENTS_MONITOR_INTERVAL_MS);
  return Number.isFinite(ms) && ms >= 100 ? ms : 5_000;
}

export class LoopMonitor {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private last = { atMs: 0, counts: new Map<string, number>() };

  constructor(
    private readonly report: (line: string, sample: LoopSample) => void,
    private readonly intervalMs = defaultIntervalMs(),
  ) {}

  get running(): boolean {
    return this.histogram !== undefined;
  }

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.last = { atMs: Date.now(), counts: readCounters() };
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Takes a sample now and resets the histogram. */
  sample(): LoopSample | undefined {
    const h = this.histogram;
    if (!h) return undefined;
    // The histogram records the time between two of its ticks, RESOLUTION_MS apart when the loop
    // is free (an idle process reads 10.1 ms): the delay is what exceeds the tick.
    const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
    const mem = process.memoryUsage();
    const s: LoopSample = {
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      heapUsedMb: mem.heapUsed / 2 ** 20,
      rssMb: mem.rss / 2 ** 20,
    };
    h.reset();
    this.report(formatLoopSample(s) + this.counterText(), s);
    return s;
  }

  /** `; tree refreshes: 3 in last 1000 ms` for each registered counter, since the previous sample. */
  private counterText(): string {
    if (!counters.size) return '';
    const now = Date.now();
    const counts = readCounters();
    let text = '';
    for (const [name, n] of counts) text += `; ${name}: ${n - (this.last.counts.get(name) ?? 0)} in last ${now - this.last.atMs} ms`;
    this.last = { atMs: now, counts };
    return text;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }
}

function readCounters(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, read] of counters) out.set(name, read());
  return out;
}
