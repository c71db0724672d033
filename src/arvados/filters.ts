/**
 * The Arvados filter language, applied on the client.
 *
 * The websocket server honours only `["event_type","in",[...]]` and `created_at` compared with an
 * RFC3339 time, and silently ignores every other condition. The logs API honours most of the
 * language, but not on `properties` (a text column there). So the client applies the whole filter
 * to every event itself, with the API server's semantics (`services/api/lib/record_filters.rb`),
 * and a filter yields the same events whichever transport delivered them.
 *
 * A filter is a list of conditions `[attribute, operator, operand]` that must all hold; `[]`
 * matches everything. An attribute may be a list of attributes: the condition then holds when it
 * holds for any of them (as on the server). SQL NULL semantics apply, and a missing attribute is
 * NULL. Websocket events send `''` for a NULL `object_owner_uuid` or `event_type`; `''` is a value.
 */
import { FilterError } from './errors';
import { FORWARDED_ATTRIBUTES } from './eventShape';
import { defaultKinds, kindInWords, KindTable, UUID_PATTERN } from './kinds';
import type { ArvadosEvent, Condition, Filter } from './types';
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

const EQUALITY = new Set<Operator>(['=', '!=', '<>']);
const ORDERING = new Set<Operator>(['<', '<=', '>', '>=']);
const PATTERN = new Set<Operator>(['like', 'ilike', 'not like', 'not ilike']);
const MEMBERSHIP = new Set<Operator>(['in', 'not in']);

/** How a comparison result (-1, 0, 1) satisfies each comparison operator. */
const ACCEPTS: Partial<Record<Operator, (c: number) => boolean>> = {
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
interface AttrRef {
  /** The attribute as messages show it (a long property path clipped). */
  name: string;
  column: LogAttribute;
  type: AttributeType;
  /** Keys into `properties` for `properties.<path>`; absent for a plain column. */
  path?: string[];
}

function isLogAttribute(name: string): name is LogAttribute {
  return Object.hasOwn(LOG_ATTRIBUTES, name);
}

/**
 * `properties.a.b` → `['a','b']`. A key wrapped in `<…>` is taken whole, dots included
 * (`properties.<a.b>` → `['a.b']`). The server treats the rest of the name as one key, but on logs
 * it refuses subproperty filters anyway (422), so nested paths are a client-side extension.
 */
function propertyPath(rest: string): string[] | undefined {
  if (/^<[^<>]+>$/.test(rest)) return [rest.slice(1, -1)];
  const keys = rest.split('.');
  return keys.every((k) => k.length > 0) ? keys : undefined;
}

function resolveAttribute(name: string): AttrRef | undefined {
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
function readAttribute(event: EventLike, ref: AttrRef): unknown {
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
const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/;

function zoneOffsetMinutes(zone: string): number {
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

function isIntegerLike(v: unknown): v is number | string {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
}

/** A value reduced to something comparable for its attribute type. */
type Scalar = string | number | boolean | bigint;

/**
 * The comparable form of a value, or null for SQL NULL (missing, null, or not of the column's
 * type). Integers become bigints so that `5` and `"5"` are the same id.
 */
function scalarOf(ref: AttrRef, v: unknown): Scalar | null {
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
function compareScalars(a: Scalar, b: Scalar): number | undefined {
  if (typeof a !== typeof b) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The text a pattern is matched against: `->>` turns JSON numbers and booleans into text. */
function textOf(ref: AttrRef, v: unknown): string | null {
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
function likePattern(pattern: string, ignoreCase: boolean): (text: string) => boolean {
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

function kindsOf(operand: unknown): string[] {
  return Array.isArray(operand) ? (operand as string[]) : [operand as string];
}

// ---------------------------------------------------------------------------------------------
// Validation

/** A condition that passed validation, with its attributes resolved. */
interface Checked {
  condition: Condition;
  attrs: AttrRef[];
  op: Operator;
  operand: unknown;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A message kept on one line: line breaks and other control characters of the input escaped. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // Nested too deep to print (RangeError), or a BigInt: name it rather than fail.
    return Array.isArray(v) ? 'a list' : isMap(v) ? 'an object' : String(v);
  }
}

/** A value as an error message shows it. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'an object';
  return clip(json(v), 40);
}

function conditionError(index: number, raw: unknown, why: string): FilterError {
  return new FilterError(oneLine(`Condition ${index + 1} (${clip(json(raw), 80)}): ${why}`), index);
}

const VALID_ATTRIBUTES = `${Object.keys(LOG_ATTRIBUTES).join(', ')}, properties.<key>`;
const TEXT_ATTRIBUTES = Object.keys(LOG_ATTRIBUTES).filter((a) => LOG_ATTRIBUTES[a as LogAttribute] === 'string');
const TIME_EXAMPLES = '2024-01-02T03:04:05Z, 2024-01-02 03:04:05 or 2024-01-02';

/** An attribute's type in words, for messages: "id is an integer". */
function typeWords(ref: AttrRef): string {
  return { integer: 'an integer', string: 'text', datetime: 'a time', json: 'a JSON map' }[ref.type];
}

/** Why a single value cannot be compared with an attribute, or undefined when it can. */
function valueProblem(ref: AttrRef, v: unknown): string | undefined {
  if (Array.isArray(v) || isMap(v)) return `needs a single value, got ${shown(v)}`;
  switch (ref.type) {
    case 'integer':
      if (isIntegerLike(v)) return undefined;
      return `${ref.name} needs an integer (or a string of digits), got ${shown(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `${ref.name} needs a string, got ${shown(v)}`;
    case 'datetime':
      if (typeof v === 'string' && parseTime(v) !== undefined) return undefined;
      return `${ref.name} needs a time such as ${TIME_EXAMPLES}; got ${shown(v)}`;
    case 'json':
      if (scalarOf(ref, v) !== null) return undefined;
      return `${ref.name} can be compared with a string, a number or a boolean; got ${shown(v)}`;
  }
}

function existsProblem(ref: AttrRef, operand: unknown): string | undefined {
  if (ref.type !== 'json') return `'exists' only works on properties and properties.<key>; ${ref.name} is ${typeWords(ref)}`;
  if (!ref.path) {
    if (typeof operand === 'string' && operand) return undefined;
    return `'exists' on properties needs a key name, like ["properties","exists","text"]; got ${shown(operand)}`;
  }
  return typeof operand === 'boolean' ? undefined : `'exists' on ${ref.name} needs true or false; got ${shown(operand)}`;
}

function patternProblem(ref: AttrRef, op: Operator, operand: unknown): string | undefined {
  if (ref.type !== 'string' && ref.type !== 'json') {
    return `'${op}' only works on text attributes (${TEXT_ATTRIBUTES.join(', ')}, properties.<key>); ${ref.name} is ${typeWords(ref)}`;
  }
  if (typeof operand !== 'string') return `'${op}' needs a pattern string such as "%abc%"; got ${shown(operand)}`;
  // Postgres refuses a pattern that ends in its escape character.
  if (/(^|[^\\])(\\\\)*\\$/.test(operand)) return `the pattern ends with a lone backslash; write \\\\ for a literal backslash`;
  return undefined;
}

function kindProblem(ref: AttrRef, operand: unknown, kinds: KindTable, strictKinds: boolean): string | undefined {
  if (ref.type !== 'string' && ref.type !== 'json') {
    return `'is_a' only works on text attributes holding UUIDs; ${ref.name} is ${typeWords(ref)}`;
  }
  const list = kindsOf(operand);
  if (!list.length || !list.every((k) => typeof k === 'string')) {
    return `'is_a' needs a kind such as "arvados#collection", or a list of kinds; got ${shown(operand)}`;
  }
  const unknown = strictKinds ? list.find((k) => kinds.infixOf(k) === undefined) : undefined;
  if (unknown === undefined) return undefined;
  return `unknown kind '${clip(unknown, 40)}': the server matches nothing for an unknown kind. Known kinds: ${kinds.kinds().join(', ')}`;
}

function listProblem(ref: AttrRef, op: Operator, operand: unknown): string | undefined {
  if (!Array.isArray(operand)) return `'${op}' needs a list, like ["${ref.name}","${op}",[…]]; got ${shown(operand)}`;
  for (const [i, element] of operand.entries()) {
    const problem = element === null ? undefined : valueProblem(ref, element);
    if (problem) return `element ${i + 1} of the list: ${problem}`;
  }
  return undefined;
}

function comparisonProblem(ref: AttrRef, op: Operator, operand: unknown): string | undefined {
  if (operand === null) {
    return ORDERING.has(op) ? `'${op}' cannot compare with null; use "=" null or "!=" null to test for NULL` : undefined;
  }
  if (Array.isArray(operand) && op === '=') return `'=' needs a single value, got a list; use 'in' to compare with several values`;
  return valueProblem(ref, operand);
}

/** Why an operator and operand do not fit an attribute, or undefined when they do. */
function operandProblem(ref: AttrRef, op: Operator, operand: unknown, kinds: KindTable, strictKinds: boolean): string | undefined {
  if (op === 'exists') return existsProblem(ref, operand);
  if (ref.type === 'json' && !ref.path) {
    return `properties can only be tested with 'exists'; to compare a value inside it, name the key: properties.<key>`;
  }
  if (PATTERN.has(op)) return patternProblem(ref, op, operand);
  if (op === 'is_a') return kindProblem(ref, operand, kinds, strictKinds);
  if (MEMBERSHIP.has(op)) return listProblem(ref, op, operand);
  return comparisonProblem(ref, op, operand);
}

function checkAttributes(raw: unknown[], index: number): AttrRef[] {
  const attr = raw[0];
  const names = Array.isArray(attr) ? attr : [attr];
  if (!names.length) throw conditionError(index, raw, 'the list of attributes is empty');
  return names.map((name) => {
    if (typeof name !== 'string') {
      throw conditionError(index, raw, `the attribute must be a string (or a list of strings), got ${shown(name)}`);
    }
    const ref = resolveAttribute(name);
    if (!ref) throw conditionError(index, raw, `unknown attribute '${clip(name, 40)}'; valid attributes: ${VALID_ATTRIBUTES}`);
    return ref;
  });
}

function checkOperator(raw: unknown[], index: number): Operator {
  const op = raw[1];
  if (typeof op !== 'string') throw conditionError(index, raw, `the operator must be a string, got ${shown(op)}`);
  const lower = op.toLowerCase();
  if (lower === '@@') {
    throw conditionError(index, raw, `full-text search ('@@') is no longer supported by Arvados; use 'ilike' with a "%…%" pattern`);
  }
  if (!(OPERATORS as readonly string[]).includes(lower)) {
    throw conditionError(index, raw, `unknown operator '${clip(op, 40)}'; valid operators: ${OPERATORS.join(', ')}`);
  }
  return lower as Operator;
}

const CONDITION_SHAPE = 'a condition is [attribute, operator, operand]';

/** Checks that a condition is a list of three, before anything else about it. */
function checkShape(raw: unknown, index: number): unknown[] {
  if (typeof raw === 'string') {
    throw conditionError(index, raw, `is a string; expression filters such as "(a < b)" are not supported, ${CONDITION_SHAPE}`);
  }
  if (!Array.isArray(raw)) throw conditionError(index, raw, `is not a list; ${CONDITION_SHAPE}, got ${shown(raw)}`);
  if (raw.length !== 3) throw conditionError(index, raw, `has ${raw.length} element${raw.length === 1 ? '' : 's'}; ${CONDITION_SHAPE}`);
  return raw;
}

/**
 * Validates one condition. `strictKinds` makes an unknown `is_a` kind an error (for people typing
 * filters); matching only needs it to match nothing, as on the server.
 */
function checkCondition(raw: unknown, index: number, kinds: KindTable, strictKinds: boolean): Checked {
  const shape = checkShape(raw, index);
  const op = checkOperator(shape, index); // first, so that '@@' gets its own message as on the server
  const attrs = checkAttributes(shape, index);
  const operand: unknown = shape[2];
  for (const ref of attrs) {
    const problem = operandProblem(ref, op, operand, kinds, strictKinds);
    if (problem) throw conditionError(index, raw, problem);
  }
  const attribute = Array.isArray(shape[0]) ? [...(shape[0] as string[])] : (shape[0] as string);
  const condition = [attribute, op, structuredClone(operand)] as Condition;
  return { condition, attrs, op, operand: condition[2] };
}

function checkFilter(filter: readonly unknown[], kinds: KindTable, strictKinds: boolean): Checked[] {
  return filter.map((raw, index) => checkCondition(raw, index, kinds, strictKinds));
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Where JSON.parse failed. Some V8 messages name no position: then find the first bad prefix. */
function jsonErrorPosition(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (/Unexpected end/.test(message)) return text.length;
  // A prefix "fails early" when it breaks before its end; once one does, every longer one does.
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (e) {
      const m = /at position (\d+)/.exec((e as Error).message);
      return !/Unexpected end/.test((e as Error).message) && !(m && Number(m[1]) >= length);
    }
  };
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (failsEarly(mid)) bad = mid;
    else good = mid;
  }
  return bad - 1;
}

const EXAMPLE = '[["event_type","in",["create","update"]]]';

function parseJson(text: string): unknown {
  if (!text.trim()) {
    throw new FilterError(`The filter is empty; write [] to match every event, or a list of conditions such as ${EXAMPLE}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = jsonErrorPosition(text, message);
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    throw new FilterError(oneLine(`The filter is not valid JSON (line ${line}, column ${column}): ${clip(message, 160)}`));
  }
}

/** `["a","=","b"]` written alone, rather than inside a filter: a name and an operator string. */
function isLoneCondition(value: unknown[]): boolean {
  const [attr, op] = value;
  const names = Array.isArray(attr) ? attr : [attr];
  const isName = names.length > 0 && names.every((a) => typeof a === 'string');
  return value.length === 3 && isName && typeof op === 'string';
}

/**
 * Reads a filter from JSON text or an already-parsed value, validates it, and returns it
 * normalized: operators lower-cased (as the server does), a lone condition wrapped in a list,
 * operands copied. Throws FilterError saying which condition is wrong and why; its `index` is the
 * 0-based position of that condition.
 */
export function parseFilter(input: string | unknown, kinds: KindTable = defaultKinds): Filter {
  const value = typeof input === 'string' ? parseJson(input) : input;
  if (!Array.isArray(value)) {
    throw new FilterError(oneLine(`A filter must be a list of conditions, like ${EXAMPLE}; got ${value === undefined ? 'nothing' : shown(value)}`));
  }
  const conditions = isLoneCondition(value) ? [value] : value;
  return checkFilter(conditions, kinds, true).map((c) => c.condition);
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Tests one attribute's raw value (undefined when missing). */
type ValueTest = (raw: unknown) => boolean;

function existsTest(ref: AttrRef, operand: unknown): ValueTest {
  if (!ref.path) return (raw) => isMap(raw) && Object.hasOwn(raw, operand as string);
  return (raw) => (raw !== undefined) === operand;
}

/** `is_a` compares characters 7–11 of the value with the kind's infix, so remote UUIDs match too. */
function isATest(ref: AttrRef, operand: unknown, kinds: KindTable): ValueTest {
  const wanted = kindsOf(operand);
  // object_kind holds a kind, not a UUID: compare the kind itself.
  if (ref.column === 'object_kind') {
    return (raw) => typeof raw === 'string' && wanted.includes(raw) && kinds.infixOf(raw) !== undefined;
  }
  const infixes = new Set(wanted.map((k) => kinds.infixOf(k)).filter((i) => i !== undefined));
  return (raw) => typeof raw === 'string' && infixes.has(raw.slice(6, 11));
}

function patternTest(ref: AttrRef, op: Operator, operand: unknown): ValueTest {
  const pattern = likePattern(operand as string, op.endsWith('ilike'));
  const negated = op.startsWith('not ');
  return (raw) => {
    const text = textOf(ref, raw);
    return text !== null && pattern(text) !== negated; // NULL never matches, negated or not
  };
}

function membershipTest(ref: AttrRef, op: Operator, operand: unknown): ValueTest {
  const list = operand as unknown[];
  const targets = list.filter((v) => v !== null).map((v) => scalarOf(ref, v)!);
  const isMember = (v: Scalar) => targets.some((t) => compareScalars(v, t) === 0);
  if (op === 'in') return (raw) => {
    const v = scalarOf(ref, raw);
    return v !== null && isMember(v);
  };
  // SQL `x NOT IN (…, NULL)` is never true. Otherwise the server adds `OR x IS NULL`.
  if (list.includes(null)) return () => false;
  return (raw) => {
    const v = scalarOf(ref, raw);
    return v === null || !isMember(v);
  };
}

function comparisonTest(ref: AttrRef, op: Operator, operand: unknown): ValueTest {
  const differs = op === '!=' || op === '<>';
  if (operand === null) return (raw) => (scalarOf(ref, raw) === null) !== differs; // IS [NOT] NULL
  const target = scalarOf(ref, operand)!;
  const accepts = ACCEPTS[op]!;
  return (raw) => {
    const v = scalarOf(ref, raw);
    if (v === null) return differs; // the server's `<>` also matches NULL
    const c = compareScalars(v, target);
    return c === undefined ? differs : accepts(c);
  };
}

function valueTest(ref: AttrRef, op: Operator, operand: unknown, kinds: KindTable): ValueTest {
  if (op === 'exists') return existsTest(ref, operand);
  if (op === 'is_a') return isATest(ref, operand, kinds);
  if (PATTERN.has(op)) return patternTest(ref, op, operand);
  if (MEMBERSHIP.has(op)) return membershipTest(ref, op, operand);
  return comparisonTest(ref, op, operand);
}

function compileCondition(checked: Checked, kinds: KindTable): (event: EventLike) => boolean {
  const tests = checked.attrs.map((ref) => {
    const test = valueTest(ref, checked.op, checked.operand, kinds);
    return (event: EventLike) => test(readAttribute(event, ref));
  });
  return (event) => tests.some((test) => test(event)); // several attributes are ORed
}

/**
 * Turns a filter into a predicate, validating it once: compile once, then test many events. An unknown `is_a` kind matches nothing rather than
 * throwing, as on the server; any other malformed condition throws FilterError.
 */
export function compileFilter(filter: Filter, kinds: KindTable = defaultKinds): (event: EventLike) => boolean {
  const conditions = checkFilter(filter, kinds, false).map((c) => compileCondition(c, kinds));
  return (event) => conditions.every((matches) => matches(event));
}

/**
 * `object_kind` is no column; the logs API rewrites `["object_kind","=",k]` to
 * `["object_uuid","is_a",k]`, and the same holds for `in` and `is_a`. Not for
 * `arvados#collection`: an object_uuid may be a portable data hash, whose kind is collection but
 * whose infix is not, so the API would miss rows the client accepts.
 */
function objectKindForRest(checked: Checked, kinds: KindTable): Condition | undefined {
  if (!['=', 'in', 'is_a'].includes(checked.op)) return undefined;
  const wanted = kindsOf(checked.operand);
  const translatable = (k: unknown) => typeof k === 'string' && k !== 'arvados#collection' && kinds.infixOf(k) !== undefined;
  if (!wanted.length || !wanted.every(translatable)) return undefined;
  return ['object_uuid', 'is_a', checked.operand]; // a kind or a list of kinds, as given
}

/** Whether the logs API applies this operator to this attribute exactly as the client does. */
function pushable(ref: AttrRef, op: Operator, operand: unknown): boolean {
  if (ref.column === 'properties' || ATTRIBUTES_NOT_IN_EVENTS.has(ref.column)) return false;
  if (op === 'not like' || op === 'not ilike') return false; // not in record_filters.rb
  if (ref.type === 'string' && ORDERING.has(op)) return false; // text order follows the database's collation
  if (MEMBERSHIP.has(op)) {
    const list = operand as unknown[];
    // Rails turns an empty list into (NULL); datetime lists and digit strings for ids are not
    // documented to work: leave them to the client.
    return list.length > 0 && ref.type !== 'datetime' && (ref.type !== 'integer' || list.every((v) => v === null || typeof v === 'number'));
  }
  return true;
}

/**
 * Events turn a NULL text column into '', so a condition that treats NULL and '' differently
 * (`= ""`, `in ["",…]`, `= null`) would select different rows on the API than on the client.
 */
function sameOnNullAndEmpty(checked: Checked, kinds: KindTable): boolean {
  return checked.attrs.every((ref) => {
    if (ref.type !== 'string') return true;
    const test = valueTest(ref, checked.op, checked.operand, kinds);
    return test(null) === test('');
  });
}

/**
 * The conditions of a filter that are safe to send to the logs API (`GET /arvados/v1/logs?filters=`):
 * those the API applies to a real column exactly as the client would, so they only narrow the rows
 * without changing the result. The client still applies the whole filter to what comes back.
 * Dropped: `properties` and `exists` (a text column on logs: 422), columns events do not carry,
 * operators the API lacks, text ordering, and NULL-versus-'' cases. `<>` is sent as `!=`, the
 * spelling record_filters.rb knows; `object_kind` becomes `object_uuid is_a` where that is exact.
 */
export function restConditions(filter: Filter, kinds: KindTable = defaultKinds): Filter {
  const pushed: Filter = [];
  for (const checked of checkFilter(filter, kinds, false)) {
    if (checked.attrs.some((ref) => ref.column === 'object_kind')) {
      const translated = checked.attrs.length === 1 ? objectKindForRest(checked, kinds) : undefined;
      if (translated) pushed.push(translated);
      continue;
    }
    if (!checked.attrs.every((ref) => pushable(ref, checked.op, checked.operand))) continue;
    if (!sameOnNullAndEmpty(checked, kinds)) continue;
    const [attribute, op, operand] = checked.condition;
    pushed.push([attribute, op === '<>' ? '!=' : op, operand]);
  }
  return pushed;
}

// ---------------------------------------------------------------------------------------------
// Describing

const OPERATOR_WORDS: Record<string, string> = {
  '!=': '≠',
  '<>': '≠',
  ilike: 'like (any case)',
  'not ilike': 'not like (any case)',
  is_a: 'is a',
};

function attributeWords(name: string): string {
  if (name.startsWith('properties.')) return `property ${name.slice('properties.'.length)}`;
  return name.replace(/_/g, ' ');
}

function valueWords(v: unknown, asKind: boolean): string {
  if (typeof v !== 'string') return Array.isArray(v) || isMap(v) ? clip(json(v), 40) : String(v);
  if (asKind && v.startsWith('arvados#')) return kindInWords(v);
  if (UUID_PATTERN.test(v)) return `${v.slice(0, 12)}…`;
  return clip(v, 40);
}

function listWords(values: unknown[], asKind: boolean): string {
  const shownValues = values.slice(0, 4).map((v) => valueWords(v, asKind));
  if (values.length > 4) shownValues.push(`${values.length - 4} more`);
  return shownValues.length ? shownValues.join(', ') : 'nothing';
}

function describeCondition(condition: Condition): string {
  const [, rawOp, operand] = condition;
  const op = String(rawOp).toLowerCase();
  const names = attributesOf(condition).map((a) => attributeWords(String(a)));
  const subject = names.join(' or ');
  if (op === 'exists') {
    if (typeof operand === 'string') return `${subject} has ${operand}`;
    return `${subject} ${operand === false ? 'is absent' : 'exists'}`;
  }
  if (operand === null && EQUALITY.has(op as Operator)) return `${subject} is ${op === '=' ? '' : 'not '}null`;
  const asKind = op === 'is_a' || attributesOf(condition).includes('object_kind');
  const value = Array.isArray(operand) ? listWords(operand, asKind) : valueWords(operand, asKind);
  return `${subject} ${OPERATOR_WORDS[op] ?? op} ${value}`;
}

/**
 * A short summary for people: `event type in create, update · object uuid = zzzzz-xvhdp-…`, or
 * `all events` for `[]`. Does not validate.
 */
export function describeFilter(filter: Filter): string {
  return filter.length ? filter.map(describeCondition).join(' · ') : 'all events';
}

/**
 * Conditions that are valid but cannot do what they seem to on events: columns events never
 * carry, old/new attributes the websocket does not forward, and `not in` lists holding null.
 */
export function filterWarnings(filter: Filter): string[] {
  const warnings: string[] = [];
  filter.forEach((condition, index) => {
    const label = `Condition ${index + 1}`;
    for (const name of attributesOf(condition)) {
      if (ATTRIBUTES_NOT_IN_EVENTS.has(name)) warnings.push(`${label}: events do not carry ${name}, so it is always null there`);
      const [, bucket, key] = /^properties\.(old_attributes|new_attributes)\.([^.]+)/.exec(name) ?? [];
      if (bucket && key && !(FORWARDED_ATTRIBUTES as readonly string[]).includes(key)) {
        warnings.push(`${label}: events carry only ${FORWARDED_ATTRIBUTES.join(', ')} of ${bucket}, so ${name} is always missing`);
      }
    }
    const [, op, operand] = condition;
    if (String(op).toLowerCase() === 'not in' && Array.isArray(operand) && operand.includes(null)) {
      warnings.push(`${label}: a 'not in' list that holds null never matches (SQL NOT IN semantics)`);
    }
  });
  return warnings;
}
