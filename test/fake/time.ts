/**
 * Time as the fake cluster sees it: a clock that tests can move (to make events older than the
 * websocket's 10-minute replay window without waiting), and the three ways Arvados writes times:
 * Rails JSON (nine fraction digits), Go RFC3339Nano (trailing zeros dropped) and Go durations.
 */

export class FakeClock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, fake. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  setOffset(ms: number): void {
    this.offsetMs = ms;
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** Rails (Arvados API) JSON time: `2024-01-02T03:04:05.678000000Z`. */
export function railsTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = String(Math.min(999, Math.round((ms - whole) * 1000))).padStart(3, '0');
  return new Date(whole).toISOString().replace(/\.(\d{3})Z$/, `.$1${micros}000Z`);
}

/** Go `time.RFC3339Nano` in UTC: `2024-01-02T03:04:05.678Z`, `2024-01-02T03:04:05Z`. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

/** Accepts the forms tests pass for a time: ms since the epoch, a Date, or a string Date can parse. */
export function toMs(t: number | string | Date): number {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? parseTimeLeniently(t) : t.getTime();
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${String(t)}`);
  return Math.floor(ms);
}

const LENIENT_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses a time the way Ruby's `Time.parse` does for the usual forms (`2024-01-01`,
 * `2024-01-01 10:00:00`, RFC3339 with any fraction or offset), reading a time without a zone
 * as UTC, the zone API servers run in. NaN when there is no time in the text.
 */
export function parseTimeLeniently(text: string): number {
  const m = LENIENT_TIME.exec(text.trim());
  if (!m) return Date.parse(text);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  // Sub-millisecond digits are kept as a fraction, so comparisons with ms-precision rows are exact.
  const fracMs = frac ? Number(`0${frac}`) * 1000 : 0;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + fracMs;
  const z = zone.toUpperCase();
  if (z !== 'Z' && z !== 'UTC') {
    const sign = z.startsWith('-') ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  return ms;
}

/** Go's RFC3339Nano parser is strict: `T`, seconds and a zone are required. */
export function parseRfc3339(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(text)) return NaN;
  return parseTimeLeniently(text);
}

/**
 * A duration as Arvados exports it in the cluster config (`sdk/go/arvados/duration.go`): Go's
 * `time.Duration.String()` with a trailing `0s`/`0m` dropped, so 60s is `"1m"` and 1h is `"1h"`.
 */
export function goDuration(ms: number): string {
  let s = goDurationString(ms);
  if (s.endsWith('m0s')) s = s.slice(0, -2);
  if (s.endsWith('h0m')) s = s.slice(0, -2);
  return s;
}

function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  if (ms < 1000) return `${sign}${trimNumber(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  let out = `${trimNumber(sec)}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return sign + out;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}
