/**
 * Filter helpers only tests use: one-off matching (the engine compiles once, compileFilter) and
 * a model of what the websocket server applies itself.
 */
import { compileFilter, defaultKinds, parseTime, type EventLike, type Filter, type KindTable } from '../../src/arvados';

/** The form Go's `time.Parse(time.RFC3339Nano, …)` accepts: what the websocket server honours. */
const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether an event satisfies every condition of a filter. `[]` matches every event. */
export function matchesFilter(filter: Filter, event: EventLike, kinds: KindTable = defaultKinds): boolean {
  return compileFilter(filter, kinds)(event);
}

/** Whether an event satisfies any of several filters (subscriptions). No filters match nothing. */
export function matchesAny(filters: Filter[], event: EventLike, kinds: KindTable = defaultKinds): boolean {
  return filters.some((filter) => matchesFilter(filter, event, kinds));
}

// ---------------------------------------------------------------------------------------------
// What the servers apply

const SERVER_TIME_OPERATORS = new Set(['>=', '<=', '>', '<', '=']);

function isRfc3339(v: unknown): v is string {
  return typeof v === 'string' && RFC3339_PATTERN.test(v) && parseTime(v) !== undefined;
}

/**
 * The conditions the websocket server applies itself (`session_v0.go`, `prepare`):
 * `["event_type","in",[…]]` (its non-string elements skipped, as the server does) and `created_at`
 * against an RFC3339 time. It compares operators case-sensitively, so pass a normalized filter:
 * that is what the client sends. Everything else is dropped.
 */
export function serverConditions(filter: Filter): Filter {
  const honoured: Filter = [];
  for (const [attr, op, operand] of filter) {
    if (attr === 'event_type' && op === 'in' && Array.isArray(operand)) {
      honoured.push(['event_type', 'in', operand.filter((t) => typeof t === 'string')]);
    } else if (attr === 'created_at' && SERVER_TIME_OPERATORS.has(op) && isRfc3339(operand)) {
      honoured.push(['created_at', op, operand]);
    }
  }
  return honoured;
}
