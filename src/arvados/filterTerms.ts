/**
 * The terms of the Arvados filter language: the log attributes and their types, the operators,
 * reading an attribute of an event, and the values compared (times, scalars, LIKE patterns), with
 * the API server's semantics (`services/api/lib/record_filters.rb`). Checking and parsing a
 * filter is in filters.ts; matching events and the logs API's share of a filter in filterMatch.ts.
 */
import { FORWARDED_ATTRIBUTES } from './eventShape';
import type { ArvadosEvent, Condition } from './types';
import { clip, isMap } from './values';

export type AttributeType = 'integer' | 'string' | 'datetime' | 'json';

/** The attributes a filter on logs may name, with their column types. */
export const LOG_ATTRIBUTES = {
  id: 'integer',
  uuid: 'string',
  owner_uuid: 'string',
  modified_by_user_uuid: 'string',
  object_uuid: 'string',
  object_owner_uuid: 'string',
  object_kind: 'string',
  event_type: 'string',
  summary: 'string',
  event_at: 'datetime',
  created_at: 'datetime',
  modified_at: 'datetime',
  properties: 'json',
} as const satisfies Record<string, AttributeType>;

export type LogAttribute = keyof typeof LOG_ATTRIBUTES;

export const OPERATORS = [
  '=', '!=', '<>', '<', '<=', '>', '>=',
  'like', 'ilike', 'not like', 'not ilike',
  'in', 'not in', 'is_a', 'exists',
] as const;

export type Operator = (typeof OPERATORS)[number];

/**
 * Log columns that event messages never carry (neither the websocket nor our REST conversion).
 * Matching sees them as NULL, so they are never pushed down to the logs API: the API would filter
 * on the real value and the two transports would disagree.
 */
export const ATTRIBUTES_NOT_IN_EVENTS: ReadonlySet<string> = new Set([
  'owner_uuid', 'modified_by_user_uuid', 'summary', 'modified_at',
]);

/** An event as delivered by the engine, or any record with log-like fields (a raw logs API row). */
export type EventLike = ArvadosEvent | Record<string, unknown>;

export const EQUALITY = new Set<Operator>(['=', '!=', '<>']);
export const ORDERING = new Set<Operator>(['<', '<=', '>', '>=']);
export const PATTERN = new Set<Operator>(['like', 'ilike', 'not like', 'not ilike']);
export const MEMBERSHIP = new Set<Operator>(['in', 'not in']);

/** How a comparison result (-1, 0, 1) satisfies each comparison operator. */
export const ACCEPTS: Partial<Record<Operator, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

// ---------------------------------------------------------------------------------------------
// Attributes

/** What a condition's attribute names: a log column, or a path into `properties`. */
export interface AttrRef {
  /** The attribute as messages show it (a long property path clipped). */
  name: string;
  column: LogAttribute;
  type: AttributeType;
  /** Keys into `properties` for `properties.<path>`; absent for a plain column. */
  path?: string[];
}

export function isLogAttribute(name: string): name is LogAttribute {
  return Object.hasOwn(LOG_ATTRIBUTES, name);
}

/**
 * `properties.a.b` → `['a','b']`. A key wrapped in `<…>` is taken whole, dots included
 * (`properties.<a.b>` → `['a.b']`). The server treats the rest of the name as one key, but on logs
 * it refuses subproperty filters anyway (422), so nested paths are a client-side extension.
 */
export function propertyPath(rest: string): string[] | undefined {
  if (/^<[^<>]+>$/.test(rest)) return [rest.slice(1, -1)];
  const keys = rest.split('.');
  return keys.every((k) => k.length > 0) ? keys : undefined;
}

export function resolveAttribute(name: string): AttrRef | undefined {
  if (isLogAttribute(name)) return { name, column: name, type: LOG_ATTRIBUTES[name] };
  if (!name.startsWith('properties.')) return undefined;
  const path = propertyPath(name.slice('properties.'.length));
  return path && { name: clip(name, 60), column: 'properties', type: 'json', path };
}

/** The attribute names of a condition: one, or several ORed. */
export function attributesOf(condition: Condition): string[] {
  const attr: unknown = condition[0];
  return Array.isArray(attr) ? (attr as string[]) : [attr as string];
}

/**
 * The raw value of an attribute in an event; `undefined` when it is missing. Websocket events have
 * no `created_at`, so `event_at` stands in: audit logs set both to the same database time.
 */
export function readAttribute(event: EventLike, ref: AttrRef): unknown {
  const fields = event as Record<string, unknown>;
  if (ref.column === 'created_at') return fields.created_at ?? fields.event_at;
  if (!ref.path) return fields[ref.column];
  let value: unknown = fields.properties;
  for (const key of ref.path) {
    if (!isMap(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * Accepts RFC3339 (`2024-01-02T03:04:05.123456789Z`, any fraction, `Z` or an offset) and the
 * Rails forms `2024-01-02` and `2024-01-02 03:04:05[.frac]`. A time without a zone is UTC (Rails
 * would use the API server's zone, which is UTC on a normal install).
 */
export const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/;

export function zoneOffsetMinutes(zone: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return 0; // Z, z, UTC
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * A filter or event time as nanoseconds since the epoch, or undefined when it does not parse.
 * Nanoseconds because event times carry up to nine fraction digits and Postgres keeps
 * microseconds: milliseconds would make distinct times compare equal.
 */
export function parseTime(text: string): bigint | undefined {
  const m = TIME_PATTERN.exec(text);
  if (!m) return undefined;
  const given = m.slice(1, 7).map((part) => Number(part ?? 0));
  const [year, month, day, hour, minute, second] = given as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Date rolls impossible values over (Feb 30 → Mar 2); refuse them instead.
  const read = [
    date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(),
    date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(),
  ];
  if (read.some((field, i) => field !== given[i])) return undefined;
  const nanos = BigInt((m[7] ?? '').slice(0, 9).padEnd(9, '0'));
  const offset = BigInt(zoneOffsetMinutes(m[8] ?? 'Z')) * 60_000_000_000n;
  return BigInt(date.getTime()) * 1_000_000n + nanos - offset;
}

export function isIntegerLike(v: unknown): v is number | string {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
}

/** A value reduced to something comparable for its attribute type. */
export type Scalar = string | number | boolean | bigint;

/**
 * The comparable form of a value, or null for SQL NULL (missing, null, or not of the column's
 * type). Integers become bigints so that `5` and `"5"` are the same id.
 */
export function scalarOf(ref: AttrRef, v: unknown): Scalar | null {
  switch (ref.type) {
    case 'integer':
      return isIntegerLike(v) ? BigInt(v) : null;
    case 'string':
      return typeof v === 'string' ? v : null;
    case 'datetime':
      return typeof v === 'string' ? (parseTime(v) ?? null) : null;
    case 'json':
      if (typeof v === 'string' || typeof v === 'boolean') return v;
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
}

/** -1, 0 or 1; undefined when the two cannot be compared (a JSON number against a string). */
export function compareScalars(a: Scalar, b: Scalar): number | undefined {
  if (typeof a !== typeof b) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The text a pattern is matched against: `->>` turns JSON numbers and booleans into text. */
export function textOf(ref: AttrRef, v: unknown): string | null {
  if (typeof v === 'string') return v;
  return ref.path && (typeof v === 'number' || typeof v === 'boolean') ? String(v) : null;
}

/**
 * An SQL LIKE pattern as a test: `%` is any run, `_` one character, and a backslash makes the next
 * character literal (Postgres's default escape). Not one RegExp with a `.*` per `%`: that
 * backtracks polynomially, and `%a%a%a%b` took seconds on a 400-character name. The pattern is
 * cut at each `%` into pieces of fixed length; the first must start the text, the last end it,
 * and each one between is taken at its first place after the one before (the earliest end
 * leaves the most room): time proportional to the text's length times the pattern's.
 */
export function likePattern(pattern: string, ignoreCase: boolean): (text: string) => boolean {
  const literal = (ch: string) => ch.replace(/[\\^$.*+?()[\]{}|/]/, '\\$&');
  const pieces = [''];
  let escaped = false;
  for (const ch of pattern) {
    if (escaped) pieces[pieces.length - 1] += literal(ch);
    else if (ch === '%') pieces.push('');
    else if (ch === '_') pieces[pieces.length - 1] += '.';
    else if (ch !== '\\') pieces[pieces.length - 1] += literal(ch);
    escaped = !escaped && ch === '\\';
  }
  const flags = ignoreCase ? 'isu' : 'su';
  if (pieces.length === 1) {
    const whole = new RegExp(`^${pieces[0]}$`, flags);
    return (text) => whole.test(text);
  }
  const first = new RegExp(`^${pieces[0]}`, flags);
  const rest = pieces.slice(1, -1).filter(Boolean).map((piece) => new RegExp(piece, `g${flags}`));
  rest.push(new RegExp(`${pieces[pieces.length - 1]}$`, `g${flags}`));
  return (text) => {
    const head = first.exec(text);
    if (!head) return false;
    let at = head[0].length;
    for (const piece of rest) {
      piece.lastIndex = at;
      const found = piece.exec(text);
      if (!found) return false;
      at = found.index + found[0].length;
    }
    return true;
  };
}

export function kindsOf(operand: unknown): string[] {
  return Array.isArray(operand) ? (operand as string[]) : [operand as string];
}
