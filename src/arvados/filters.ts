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
 *
 * This module checks, parses and describes filters; filterTerms.ts holds the attributes, operators
 * and values, filterMatch.ts applies a filter to events and to logs API reads.
 */
import { FilterError } from './errors';
import { FORWARDED_ATTRIBUTES } from './eventShape';
import { defaultKinds, kindInWords, KindTable, UUID_PATTERN } from './kinds';
import type { ArvadosEvent, Condition, Filter } from './types';
import { clip, isMap } from './values';
import {
  ATTRIBUTES_NOT_IN_EVENTS,
  AttrRef,
  EQUALITY,
  LOG_ATTRIBUTES,
  LogAttribute,
  MEMBERSHIP,
  OPERATORS,
  ORDERING,
  Operator,
  PATTERN,
  attributesOf,
  isIntegerLike,
  kindsOf,
  parseTime,
  resolveAttribute,
  scalarOf,
} from './filterTerms';

// The terms, for the modules that know filters by this one's name.
export { ATTRIBUTES_NOT_IN_EVENTS, attributesOf, LOG_ATTRIBUTES, OPERATORS, parseTime, type AttributeType, type EventLike, type LogAttribute, type Operator } from './filterTerms';

// ---------------------------------------------------------------------------------------------
// Validation

/** A condition that passed validation, with its attributes resolved. */
export interface Checked {
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

export function checkFilter(filter: readonly unknown[], kinds: KindTable, strictKinds: boolean): Checked[] {
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
