/**
 * Websocket v0 client messages and subscriptions, as `services/ws/session_v0.go` reads them:
 * Go's json.Unmarshal into `{Method string; Filters [][3]interface{}; LastLogID int64}` (keys
 * matched case-insensitively, any type mismatch is an error), then `prepare`, which keeps only
 * `event_type in [...]` and `created_at <op> <RFC3339>` and silently ignores every other filter.
 */
import type { LogRecord } from './logTable';
import { parseRfc3339 } from './time';

/** A decoded filter: always three elements (Go pads with nil and drops extras). */
export type V0Filter = [unknown, unknown, unknown];

export interface V0Message {
  method: string;
  /** null when absent or JSON null (Go: a nil slice, which is not DeepEqual to `[]`). */
  filters: V0Filter[] | null;
  lastLogId: number;
}

const FIELDS: Record<string, 'method' | 'filters' | 'last_log_id'> = {
  method: 'method',
  filters: 'filters',
  last_log_id: 'last_log_id',
};

/** Decodes a client frame; undefined where Go's Unmarshal would return an error. */
export function decodeV0(text: string): V0Message | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const msg: V0Message = { method: '', filters: null, lastLogId: 0 };
  if (raw === null) return msg;
  if (typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  let ok = true;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = FIELDS[key.toLowerCase()];
    if (!field || value === null) continue;
    if (field === 'method') {
      if (typeof value === 'string') msg.method = value;
      else ok = false;
    } else if (field === 'last_log_id') {
      if (typeof value === 'number' && Number.isInteger(value)) msg.lastLogId = value;
      else ok = false;
    } else {
      const filters = decodeFilters(value);
      if (filters) msg.filters = filters;
      else ok = false;
    }
  }
  return ok ? msg : undefined;
}

function decodeFilters(value: unknown): V0Filter[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: V0Filter[] = [];
  for (const f of value) {
    if (f === null) out.push([null, null, null]);
    else if (Array.isArray(f)) out.push([f[0] ?? null, f[1] ?? null, f[2] ?? null]);
    else return undefined;
  }
  return out;
}

type Test = (row: LogRecord) => boolean;

/** One subscription: its decoded filters (for unsubscribe) and the tests the server honours. */
export class Subscription {
  private readonly tests: Test[];

  constructor(
    readonly filters: V0Filter[] | null,
    readonly lastLogId: number,
  ) {
    this.tests = prepare(filters ?? []);
  }

  /** All honoured conditions hold (the ignored ones always do). */
  match(row: LogRecord): boolean {
    return this.tests.every((t) => t(row));
  }
}

function prepare(filters: V0Filter[]): Test[] {
  const tests: Test[] = [];
  for (const [col, op, operand] of filters) {
    if (col === 'event_type') {
      if (op !== 'in' || !Array.isArray(operand)) continue;
      const types = operand.filter((s): s is string => typeof s === 'string');
      tests.push((row) => types.includes(row.event_type ?? ''));
    } else if (col === 'created_at') {
      if (typeof op !== 'string' || typeof operand !== 'string') continue;
      const t = parseRfc3339(operand);
      if (!Number.isFinite(t)) continue; // the server only logs "time.Parse failed"
      const cmp = CREATED_AT_OPS[op];
      if (cmp) tests.push((row) => cmp(row.created_at, t));
    }
  }
  return tests;
}

const CREATED_AT_OPS: Record<string, (created: number, t: number) => boolean> = {
  '>=': (c, t) => c >= t,
  '<=': (c, t) => c <= t,
  '>': (c, t) => c > t,
  '<': (c, t) => c < t,
  '=': (c, t) => c === t,
};

/** Go's reflect.DeepEqual on decoded JSON (nil slice ≠ empty slice; numbers as float64). */
export function goDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => goDeepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => k in (b as object) && goDeepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
