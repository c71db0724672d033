/**
 * Applying a filter: a compiled predicate over events (the whole filter, as the API server would
 * apply it), and the part of a filter the logs API can apply itself, to narrow a read.
 */
import { checkFilter, type Checked } from './filters';
import {
  ACCEPTS,
  ATTRIBUTES_NOT_IN_EVENTS,
  AttrRef,
  EventLike,
  MEMBERSHIP,
  ORDERING,
  Operator,
  PATTERN,
  Scalar,
  compareScalars,
  kindsOf,
  likePattern,
  readAttribute,
  scalarOf,
  textOf,
} from './filterTerms';
import { defaultKinds, KindTable } from './kinds';
import type { Condition, Filter } from './types';
import { isMap } from './values';

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
  if (ref.type === 'string' && typeof target === 'string' && (op === '=' || differs)) {
    // Text (in)equality, the usual filter (an object's UUID): the general test below, in one step.
    return differs ? (raw) => typeof raw !== 'string' || raw !== target : (raw) => typeof raw === 'string' && raw === target;
  }
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
  if (checked.attrs.length === 1) {
    // One attribute (the usual case): no list to walk; a plain column is read straight off the event.
    const ref = checked.attrs[0];
    const test = valueTest(ref, checked.op, checked.operand, kinds);
    if (!ref.path && ref.column !== 'created_at') {
      const column = ref.column;
      return (event) => test((event as Record<string, unknown>)[column]);
    }
    return (event) => test(readAttribute(event, ref));
  }
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
  if (conditions.length === 1) return conditions[0];
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
