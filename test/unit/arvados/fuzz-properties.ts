/**
 * Property-based fuzzing of what reaches the engine from outside: websocket frames, logs API rows,
 * filter JSON typed by people, the discovery document, settings.conf, the API host setting and
 * REST error bodies. fuzz.test.ts runs each property in a worker thread, so that a parser caught in
 * an endless loop fails its test (the worker is terminated) instead of hanging the run.
 *
 * What every property asserts: the parser throws nothing but its module's documented error class;
 * a rejection message is one short line of words (no `[object Object]`, no `undefined`, no stack,
 * no secret); valid input keeps its meaning; and no single call takes more than SLOW_CALL_MS.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, FilterError } from '../../../src/arvados/errors';
import { classifyFrame, eventFromLogRow, FORWARDED_ATTRIBUTES, type LogRow } from '../../../src/arvados/eventShape';
import {
  describeFilter,
  filterWarnings,
  LOG_ATTRIBUTES,
  OPERATORS,
  parseFilter,
} from '../../../src/arvados/filters';
import { compileFilter, restConditions } from '../../../src/arvados/filterMatch';
import { serverConditions } from '../../helpers/filters';
import { defaultKinds, KindTable, kindOfModel } from '../../../src/arvados/kinds';
import { normalizeApiHost, parseSettingsFile } from '../../../src/arvados/config';
import { ApiClient, errorsOf } from '../../../src/arvados/rest';
import type { ArvadosEvent, Filter } from '../../../src/arvados/types';

/**
 * Fixed, so that a run is reproducible; fast-check prints it (and the failing path) on failure.
 * FUZZ_SEED and FUZZ_RUNS change the seed and the number of inputs per parser for a local hunt.
 */
export const SEED = Number(process.env.FUZZ_SEED) || 20_240_817;
export const RUNS = Number(process.env.FUZZ_RUNS) || 100_000;
/** A parser call slower than this on one small input is a (near) hang: catastrophic backtracking and the like. */
export const SLOW_CALL_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Checks shared by the properties

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeThrown(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a non-Error (${typeof e})`;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Calls a parser once. Anything thrown other than `allowed` (or anything at all when `allowed` is
 * undefined) fails the run, and so does a call slower than SLOW_CALL_MS.
 */
function call<T>(what: string, allowed: (new (...args: never[]) => Error) | undefined, run: () => T): Outcome<T> {
  const start = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: run() };
  } catch (e) {
    if (!allowed || !(e instanceof allowed)) {
      throw new Error(`${what} threw ${describeThrown(e)}; ${allowed ? `only ${allowed.name} may be thrown` : 'it must never throw'}`);
    }
    outcome = { ok: false, error: e };
  }
  const ms = performance.now() - start;
  if (ms > SLOW_CALL_MS) {
    // Once more before failing: a GC pause or a busy machine is not a slow parser.
    const again = performance.now();
    try {
      run();
    } catch {
      // thrown the same way as above
    }
    const msAgain = performance.now() - again;
    if (msAgain > SLOW_CALL_MS) throw new Error(`${what} took ${Math.round(ms)} ms, then ${Math.round(msAgain)} ms, on one input (limit ${SLOW_CALL_MS} ms)`);
  }
  return outcome;
}

/** Calls a parser that must never throw (nor be slow), and returns what it returned. */
function returns<T>(what: string, run: () => T): T {
  return (call(what, undefined, run) as { value: T }).value;
}

/** Words a message shows only when they are a program's leftovers, not the user's own text. */
const LEFTOVERS = ['[object Object]', 'undefined', 'NaN', 'TypeError', 'RangeError', 'SyntaxError', '    at '];

/**
 * A message a person can read: one line, bounded, made of words (unless it only passes on text
 * from a server), with no program leftovers.
 */
export function assertClearMessage(message: unknown, input: string, maxLength: number, words = true): void {
  assert.equal(typeof message, 'string', 'the message is a string');
  const text = message as string;
  assert.ok(text.trim().length > 0, 'the message is empty');
  assert.ok(text.length <= maxLength, `the message has ${text.length} characters (at most ${maxLength}): ${text.slice(0, 120)}…`);
  assert.ok(!/[\r\n\u2028\u2029]/.test(text), `the message spans several lines: ${JSON.stringify(text.slice(0, 200))}`);
  if (words) assert.ok(/[A-Za-z]{3}/.test(text), `the message has no words: ${JSON.stringify(text)}`);
  const given = input.replace(/\s+/g, ' '); // messages may fold the input's white space
  for (const leftover of LEFTOVERS) {
    if (text.includes(leftover) && !input.includes(leftover) && !given.includes(leftover)) assert.fail(`the message shows ${JSON.stringify(leftover)}: ${text}`);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON as it arrives: values, the text that carries them, and mutations of both

const INFINITY = '\u0001+inf';
const MINUS_INFINITY = '\u0001-inf';
const MINUS_ZERO = '\u0001-0';

/** Whether a value holds a number JSON.stringify would not write as is (±Infinity, -0). */
function hasSpecialNumber(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v) || Object.is(v, -0);
  if (typeof v !== 'object' || v === null) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (hasSpecialNumber(x)) return true;
  return false;
}

/**
 * JSON text of a value, spelling out what JSON can carry but JSON.stringify drops: a number too
 * big for a double (1e400 parses as Infinity) and -0.
 */
export function encode(v: unknown): string {
  if (!hasSpecialNumber(v)) return JSON.stringify(v) ?? String(v); // the common case, without a replacer's cost
  const text = JSON.stringify(v, (_key, x: unknown) => {
    if (typeof x !== 'number') return x;
    if (x === Infinity) return INFINITY;
    if (x === -Infinity) return MINUS_INFINITY;
    return Object.is(x, -0) ? MINUS_ZERO : x;
  });
  if (text === undefined) return String(v); // undefined, a function: nothing JSON can carry
  return text
    .replaceAll(JSON.stringify(INFINITY), '1e400')
    .replaceAll(JSON.stringify(MINUS_INFINITY), '-1e400')
    .replaceAll(JSON.stringify(MINUS_ZERO), '-0');
}

/**
 * A fresh copy of a value, exactly as JSON.parse would hand it over: plain maps and lists, own
 * `__proto__` keys, Infinity (from 1e400) and -0. A copy rather than JSON.parse(encode(v)), which
 * gives the same for the values generated here (no undefined, NaN or functions) at several times the cost.
 */
export function wire<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(wire) as T;
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(v)) put(copy, k, wire((v as Record<string, unknown>)[k]));
  return copy as T;
}

const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then', 'length'];
const SPECIAL_STRINGS = [
  '', ' ', '\t', '\n', '\r\n', '\u0000', '\u2028', '\u00a0', '\ufeff', '\ud800', '\udfff', '😀', 'e\u0301',
  'undefined', 'null', 'NaN', '[object Object]', '%', '_', '\\', '"', "'", '<b>', '../', '1e400', '-0', '0x2a', ' 42 ',
];

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom(...SPECIAL_STRINGS),
);
const key = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 4 }));
const hugeNumber = fc.constantFrom(
  2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 64, 1e21, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, -0, 0.5, 1e-7,
);
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true }), hugeNumber, fc.nat(2000));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));

/** Any JSON value, a few levels deep, with keys that tempt prototype pollution. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
})).value;

/** Values that break naive code: objects whose `toString`/`valueOf` are not functions, digit strings, huge numbers. */
const odd = fc.oneof(
  jsonish,
  text,
  hugeNumber,
  fc.constantFrom<unknown>(
    { toString: 1 }, { valueOf: 1 }, { toString: 1, valueOf: 1 }, [{ toString: 1, valueOf: 1 }], { toJSON: 1 }, { __proto__: 1 },
    [], {}, [[]], '', '0', '42', '0x2a', '4.2e1', '-1', '1e400', true, false, null,
  ),
);

/**
 * A value parsed from deeply nested text, parsed only when the property runs: fast-check would
 * overflow its own stack printing the value itself as a counterexample.
 */
class DeepJson {
  constructor(readonly text: string) {}
  value(): unknown {
    return JSON.parse(this.text);
  }
  [fc.toStringMethod](): string {
    return `JSON.parse(${JSON.stringify(this.text.slice(0, 30))} + … (${this.text.length} characters))`;
  }
}

/**
 * Text nested far deeper than any real frame or filter: JSON.parse copes, recursive code may run
 * out of stack (from about 5,000 levels with Node's default stack, which the workers keep).
 * Rare in the mix: a stack overflow costs milliseconds.
 */
const deepText = fc
  .tuple(fc.oneof(fc.integer({ min: 50, max: 2_000 }), fc.integer({ min: 2_000, max: 8_000 })), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"event_type":', '}]']))
  .map(([depth, [open, close]]) => `${open.repeat(depth)}1${close.repeat(depth)}`);

interface ValueEdit {
  path: number[];
  op: 'replace' | 'delete' | 'add';
  key: string;
  value: unknown;
}
const valueEdit: fc.Arbitrary<ValueEdit> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 4 }),
  op: fc.constantFrom('replace', 'delete', 'add'),
  key,
  value: odd,
});

/** Sets an own property, as JSON.parse does (`__proto__` included). */
function put(container: unknown[] | Record<string, unknown>, k: string | number, value: unknown): void {
  Object.defineProperty(container, k, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one edit somewhere inside a fresh copy of a JSON value, following `path` (indices modulo size). */
function applyEdit(root: unknown, edit: ValueEdit): unknown {
  const value = wire(edit.value); // a fresh copy: later edits must not reach into a shared constant
  if (typeof root !== 'object' || root === null || !edit.path.length) return edit.op === 'replace' ? value : root;
  let node = root as unknown[] | Record<string, unknown>;
  for (let depth = 0; ; depth++) {
    const keys = Object.keys(node);
    const step = edit.path[Math.min(depth, edit.path.length - 1)];
    const chosen = keys.length ? keys[step % keys.length] : undefined;
    const child = chosen === undefined ? undefined : (node as Record<string, unknown>)[chosen];
    if (depth < edit.path.length - 1 && typeof child === 'object' && child !== null) {
      node = child as unknown[] | Record<string, unknown>;
      continue;
    }
    if (edit.op === 'add') {
      if (Array.isArray(node)) node.splice(step % (node.length + 1), 0, value);
      else put(node, edit.key, value);
    } else if (chosen !== undefined) {
      if (edit.op === 'replace') put(node, Array.isArray(node) ? Number(chosen) : chosen, value);
      else if (Array.isArray(node)) node.splice(Number(chosen), 1);
      else delete node[chosen];
    }
    return root;
  }
}

function edited(v: unknown, edits: ValueEdit[]): unknown {
  return edits.reduce(applyEdit, wire(v));
}

interface TextEdit {
  at: number;
  cut: number;
  insert: string;
}
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  at: fc.nat(),
  cut: fc.nat(6),
  insert: fc.oneof(text, fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\\u', '1e400', '-0', 'null', 'true', '\u0000', '\n')),
});

/** Cuts and splices text: truncated, corrupted, concatenated JSON. */
function textEdited(s: string, edits: TextEdit[]): string {
  for (const { at, cut, insert } of edits) {
    const i = at % (s.length + 1);
    s = s.slice(0, i) + insert + s.slice(i + cut);
  }
  return s;
}

/** JSON text of a value, as sent, or corrupted on the way. */
function asText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    value.map(encode),
    fc.tuple(value, fc.array(valueEdit, { minLength: 1, maxLength: 3 })).map(([v, edits]) => encode(edited(v, edits))),
    fc.tuple(value, fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([v, edits]) => textEdited(encode(v), edits)),
  );
}

/** Any string at all: random characters, random JSON, nonsense, and deep nesting. */
const rawText = fc.oneof(
  { weight: 30, arbitrary: text },
  { weight: 20, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 20, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepText },
);

// ---------------------------------------------------------------------------------------------
// Arvados-shaped values

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const knownInfixes = defaultKinds.kinds().map((k) => defaultKinds.infixOf(k)!);
const infix = fc.oneof(fc.constantFrom(...knownInfixes), chars(ALNUM, 5, 5));
const uuid = fc.tuple(fc.constantFrom('zzzzz', 'x1y2z', 'ce8i5'), infix, chars(ALNUM, 15, 15)).map((parts) => parts.join('-'));
const pdh = fc.tuple(chars('0123456789abcdef', 32, 32), fc.nat()).map(([hash, size]) => `${hash}+${size}`);
const kind = fc.constantFrom(...defaultKinds.kinds());
const eventType = fc.constantFrom('create', 'update', 'delete', 'stderr', 'dispatch', 'crunchstat', 'hoststat', '');
const two = (n: number) => String(n).padStart(2, '0');

/** Times in every form the filter language accepts (RFC3339 with any fraction, Rails forms, offsets). */
const time = fc
  .record({
    y: fc.integer({ min: 1000, max: 9999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    frac: chars('0123456789', 0, 12),
    sep: fc.constantFrom('T', 't', ' '),
    zone: fc.constantFrom('Z', 'z', 'UTC', ' Z', '+02:00', '-0730', '+05', ''),
    form: fc.constantFrom('date', 'minutes', 'seconds'),
  })
  .map(({ y, mo, d, h, mi, s, frac, sep, zone, form }) => {
    const date = `${y}-${two(mo)}-${two(d)}`;
    if (form === 'date') return date;
    const clock = form === 'minutes' ? `${two(h)}:${two(mi)}` : `${two(h)}:${two(mi)}:${two(s)}${frac ? `.${frac}` : ''}`;
    return `${date}${sep}${clock}${zone}`;
  });

const attributeMap = fc.dictionary(
  fc.oneof(fc.constantFrom(...FORWARDED_ATTRIBUTES, 'priority', 'output_uuid', 'modified_at', 'exit_code'), key),
  fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 2, arbitrary: uuid }, { weight: 1, arbitrary: jsonish }),
  { maxKeys: 4, noNullPrototype: true },
);

/** `properties` of a full log row: old/new attributes, a text log, or anything. */
const rowProperties = fc.oneof(
  fc.record(
    { old_attributes: fc.option(attributeMap), new_attributes: fc.option(attributeMap), old_etag: text, new_etag: text },
    { requiredKeys: [] },
  ),
  fc.record({ text, extra: jsonish }, { requiredKeys: ['text'] }),
  jsonish,
);

/** An event's text field from what was sent: text as is, numbers and booleans spelled out, NULL and non-scalars ''. */
function textOf(sent: unknown): string {
  return typeof sent === 'string' ? sent : typeof sent === 'number' || typeof sent === 'boolean' ? String(sent) : '';
}

const EVENT_FIELDS = ['uuid', 'object_uuid', 'object_owner_uuid', 'object_kind', 'event_type', 'event_at'] as const;

/** A websocket v0 event message as the server sends it. */
const eventFrame = fc.record(
  {
    msgID: fc.nat(),
    id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    uuid,
    object_uuid: fc.oneof(uuid, pdh, fc.constant('')),
    object_owner_uuid: fc.oneof(uuid, fc.constant('')),
    object_kind: fc.oneof(kind, fc.constant('')),
    event_type: eventType,
    event_at: time,
    properties: rowProperties,
  },
  { requiredKeys: ['id', 'event_type'] },
);
const statusFrame = fc.record({ status: fc.oneof(fc.constantFrom(200, 400, 500), number, odd), message: text }, { requiredKeys: ['status'] });

/** A logs API row (NULLs included), as the REST API returns it. */
const logRow = fc.record(
  {
    id: fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.nat().map(String)),
    uuid,
    owner_uuid: uuid,
    object_uuid: fc.oneof(uuid, pdh, fc.constant(null)),
    object_owner_uuid: fc.oneof(uuid, fc.constant(null)),
    object_kind: fc.oneof(kind, fc.constant(null)),
    event_type: fc.oneof(eventType, fc.constant(null)),
    event_at: fc.oneof(time, fc.constant(null)),
    created_at: time,
    summary: text,
    properties: rowProperties,
  },
  { requiredKeys: ['id', 'uuid'] },
);

// ---------------------------------------------------------------------------------------------
// Filters from the grammar

const COMPARISONS = ['=', '!=', '<>', '<', '<=', '>', '>='];
const EQUALITY = ['=', '!=', '<>'];
const PATTERNS = ['like', 'ilike', 'not like', 'not ilike'];
const MEMBERSHIP = ['in', 'not in'];
const attributesOfType = (type: string) => Object.keys(LOG_ATTRIBUTES).filter((a) => LOG_ATTRIBUTES[a as keyof typeof LOG_ATTRIBUTES] === type);

/** Operators as people type them: any case (bit i of `bits` upper-cases letter i; cheaper than fc.mixedCase). */
const operator = (ops: string[]) =>
  fc.tuple(fc.constantFrom(...ops), fc.nat()).map(([op, bits]) => [...op].map((c, i) => ((bits >> i) & 1 ? c.toUpperCase() : c)).join(''));
const nullable = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null));
const listOf = <T>(a: fc.Arbitrary<T>) => fc.array(nullable(a), { maxLength: 4 });
/** One attribute, or several ORed. */
const attribute = (names: fc.Arbitrary<string>) => fc.oneof(names, fc.uniqueArray(names, { minLength: 1, maxLength: 3 }));

const PROPERTY_KEYS = ['text', 'name', 'state', 'a', 'b', 'old_attributes', 'new_attributes', '__proto__', 'constructor', 'toString'];
const propertyKey = fc.oneof(fc.constantFrom(...PROPERTY_KEYS), fc.string({ minLength: 1, maxLength: 6 }));
const propertyPath = fc.oneof(
  fc.array(propertyKey.filter((k) => !k.includes('.')), { minLength: 1, maxLength: 3 }).map((keys) => `properties.${keys.join('.')}`),
  propertyKey.filter((k) => !/[<>]/.test(k)).map((k) => `properties.<${k}>`),
);

/** Patterns mostly of wildcards: the inputs that make a backtracking matcher explode. */
const pattern = fc
  .oneof(chars('%_ab\\', 0, 24), fc.string({ maxLength: 12 }), fc.constantFrom('%', '%%', '%a%', 'a_b', '%\\%%', '%ab%', 'İ%', 'ß'))
  .map((p) => (/(^|[^\\])(\\\\)*\\$/.test(p) ? `${p}x` : p)); // a trailing lone backslash is an error; keep these valid
const digits = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String);
const integer = fc.oneof(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), digits);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)); // JSON writes -0 as 0
const jsonScalar = fc.oneof(text, finite, fc.boolean());
const kinds = fc.oneof(kind, fc.uniqueArray(kind, { minLength: 1, maxLength: 3 }));
const condition = (attr: fc.Arbitrary<string | string[]>, op: fc.Arbitrary<string>, operand: fc.Arbitrary<unknown>) =>
  fc.tuple(attr, op, operand);

/** A condition valid by construction, for every attribute type and operator. */
const validCondition = (() => {
  const ints = attribute(fc.constantFrom(...attributesOfType('integer')));
  const strs = attribute(fc.constantFrom(...attributesOfType('string')));
  const times = attribute(fc.constantFrom(...attributesOfType('datetime')));
  const props = attribute(propertyPath);
  return fc.oneof(
    condition(ints, operator(COMPARISONS), integer),
    condition(ints, operator(EQUALITY), fc.constant(null)),
    condition(ints, operator(MEMBERSHIP), listOf(integer)),
    condition(strs, operator(COMPARISONS), text),
    condition(strs, operator(EQUALITY), fc.constant(null)),
    condition(strs, operator(PATTERNS), pattern),
    condition(strs, operator(MEMBERSHIP), listOf(text)),
    condition(strs, operator(['is_a']), kinds),
    condition(times, operator(COMPARISONS), time),
    condition(times, operator(EQUALITY), fc.constant(null)),
    condition(times, operator(MEMBERSHIP), listOf(time)),
    condition(fc.constant('properties'), operator(['exists']), fc.string({ minLength: 1, maxLength: 8 })),
    condition(props, operator(['exists']), fc.boolean()),
    condition(props, operator(COMPARISONS), jsonScalar),
    condition(props, operator(EQUALITY), fc.constant(null)),
    condition(props, operator(PATTERNS), pattern),
    condition(props, operator(MEMBERSHIP), listOf(jsonScalar)),
    condition(props, operator(['is_a']), kinds),
  );
})();

/** A valid filter: a list of conditions, or one condition written alone. */
const validFilter: fc.Arbitrary<{ input: unknown; conditions: number }> = fc.oneof(
  fc.array(validCondition, { maxLength: 4 }).map((list) => ({ input: list, conditions: list.length })),
  validCondition.map((c) => ({ input: c, conditions: 1 })),
);

/** Text a filter can meet in an event: short runs of the pattern alphabet, long runs that defeat backtracking. */
const matchText = fc.oneof(
  chars('ab%_\\', 0, 12),
  fc.nat(400).map((n) => 'a'.repeat(n)),
  fc.nat(200).map((n) => `${'ab'.repeat(n)}c`),
  text,
  uuid,
  time,
);
const propertiesForMatch = fc.dictionary(
  propertyKey,
  fc.oneof(matchText, scalar, fc.dictionary(propertyKey, fc.oneof(matchText, scalar), { maxKeys: 3, noNullPrototype: true })),
  { maxKeys: 5, noNullPrototype: true },
);

/** What a compiled filter is applied to: engine events, raw rows, or nonsense records. */
const eventForMatch = fc.oneof(
  fc.record(
    {
      id: fc.oneof(integer, odd),
      uuid: fc.oneof(uuid, matchText),
      object_uuid: fc.oneof(uuid, pdh, matchText),
      object_owner_uuid: fc.oneof(uuid, matchText),
      object_kind: fc.oneof(kind, matchText),
      event_type: fc.oneof(eventType, matchText),
      event_at: fc.oneof(time, matchText),
      created_at: fc.oneof(time, odd),
      properties: fc.oneof(propertiesForMatch, odd),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(LOG_ATTRIBUTES)), key), odd, { maxKeys: 6, noNullPrototype: true }),
); // fast-check makes own `__proto__` keys, as JSON.parse does

// ---------------------------------------------------------------------------------------------
// The properties

/** classifyFrame never throws, returns one of its four frame types, and keeps an event's fields. */
export function framesProperty(classify: (text: string) => ReturnType<typeof classifyFrame> = classifyFrame) {
  const frameText = fc.oneof(
    { weight: 3, arbitrary: asText(fc.oneof(eventFrame, statusFrame, fc.constant({}))) },
    { weight: 1, arbitrary: asText(jsonish) },
    { weight: 1, arbitrary: rawText },
  );
  return fc.property(frameText, (input) => {
    const frame = returns('classifyFrame', () => classify(input));
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSON.parse(input);
    } catch {
      isJson = false;
    }
    const msg = isMap(parsed) ? parsed : undefined;
    switch (frame.type) {
      case 'status':
        assert.ok(msg && typeof msg.status === 'number', 'a status reply has a numeric status');
        assert.equal(frame.status, msg.status);
        return;
      case 'keepalive':
        assert.ok(msg && Object.keys(msg).length === 0, 'a keepalive is exactly {}');
        return;
      case 'malformed': {
        assertClearMessage(frame.reason, '', 120);
        if (msg) assert.ok(typeof msg.status !== 'number' && Object.keys(msg).length > 0, 'a status reply or keepalive was called malformed');
        if (msg && 'event_type' in msg) {
          const id = msg.id;
          const valid = (typeof id === 'number' || typeof id === 'string') && Number.isSafeInteger(Number(id)) && Number(id) > 0;
          assert.ok(!valid, 'an event with a valid id was called malformed');
        }
        if (!isJson) assert.equal(frame.reason, 'not JSON');
        return;
      }
      case 'event': {
        assert.ok(msg && 'event_type' in msg, 'only a map with event_type is an event');
        const ev = frame.event;
        assert.deepEqual(Object.keys(ev).sort(), ['event_at', 'event_type', 'id', 'object_kind', 'object_owner_uuid', 'object_uuid', 'properties', 'uuid']);
        assert.ok(Number.isSafeInteger(ev.id) && ev.id > 0, `an event has a positive integer id, got ${ev.id}`);
        assert.equal(ev.id, Number(msg.id as number | string));
        for (const field of EVENT_FIELDS) {
          assert.equal(typeof ev[field], 'string', `${field} is text`);
          assert.equal(ev[field], textOf(msg[field]), `${field} of the event`);
        }
        assert.ok(isMap(ev.properties), 'properties is a map');
        assert.deepEqual(ev.properties, isMap(msg.properties) ? msg.properties : {});
        if (frame.json !== undefined) {
          // Handed over as the event's JSON: it must be exactly the event, on one line.
          assert.deepEqual(JSON.parse(frame.json), ev, 'the text handed over parses to the event');
          assert.ok(!/[\n\r]/.test(frame.json), 'the text handed over is one line');
        }
        return;
      }
      default:
        assert.fail(`classifyFrame returned an unknown frame type: ${encode(frame)}`);
    }
  });
}

/** eventFromLogRow turns any row the logs API could send into an event of the websocket shape. */
export function logRowsProperty() {
  const row = fc
    .oneof(
      logRow,
      fc.tuple(logRow, fc.array(valueEdit, { minLength: 1, maxLength: 3 })).map(([r, edits]) => edited(r, edits)),
      fc.dictionary(fc.oneof(fc.constantFrom('id', 'uuid', 'object_uuid', 'object_kind', 'properties'), key), odd, { noNullPrototype: true }),
    )
    .map((r) => wire(isMap(r) ? r : { id: r })); // backfill only hands over list items that are maps
  return fc.property(row, (r) => {
    const kindOf = (u: string) => {
      if (typeof u !== 'string') throw new TypeError(`kindOf was called with ${typeof u}`);
      return defaultKinds.kindOf(u);
    };
    const ev: ArvadosEvent = returns('eventFromLogRow', () => eventFromLogRow(r as unknown as LogRow, kindOf));
    const idIn = r.id;
    const expectedId = typeof idIn === 'number' || typeof idIn === 'string' ? Number(idIn) : NaN;
    assert.ok(Object.is(ev.id, expectedId), `the id of row ${encode(idIn)} became ${ev.id}`);
    for (const field of ['uuid', 'object_uuid', 'object_owner_uuid', 'event_type', 'event_at'] as const) {
      assert.equal(ev[field], textOf((r as Record<string, unknown>)[field]), `${field} of the event`);
    }
    const sentKind = (r as Record<string, unknown>).object_kind;
    assert.equal(ev.object_kind, textOf(sentKind) || defaultKinds.kindOf(ev.object_uuid), 'object_kind, else the kind of object_uuid');
    assert.ok(isMap(ev.properties), 'properties is a map');
    const props = ev.properties;
    if (props.text === undefined || props.text === null) {
      for (const k of Object.keys(props)) assert.ok(k === 'old_attributes' || k === 'new_attributes', `properties.${k} is not forwarded`);
      for (const bucket of [props.old_attributes, props.new_attributes]) {
        for (const k of Object.keys(bucket ?? {})) assert.ok((FORWARDED_ATTRIBUTES as readonly string[]).includes(k), `attribute ${k} is not forwarded`);
      }
    }
  });
}

/**
 * Events whose every text is one long run: what makes a backtracking LIKE matcher explode (every
 * `%` can stop at any place). Each accepted filter is also applied to these.
 */
const LONG_EVENTS = ['a'.repeat(300)].map((long) =>
  wire({
    id: 1,
    ...Object.fromEntries(Object.keys(LOG_ATTRIBUTES).map((a) => [a, long])),
    properties: { ...Object.fromEntries(PROPERTY_KEYS.map((k) => [k, long])), a: { a: long, b: long, text: long, name: long } },
  }),
);

/** Checks a filter that parseFilter accepted: it is normalized, stable, and everything downstream copes. */
function checkAccepted(filter: Filter, events: unknown[]): void {
  assert.ok(Array.isArray(filter), 'a filter is a list');
  for (const c of filter) {
    assert.ok(Array.isArray(c) && c.length === 3, 'a condition is [attribute, operator, operand]');
    assert.ok((OPERATORS as readonly string[]).includes(c[1]), `operator ${encode(c[1])} is normalized`);
    const names = Array.isArray(c[0]) ? c[0] : [c[0]];
    assert.ok(names.length > 0 && names.every((n) => typeof n === 'string'), 'attributes are strings');
  }
  assert.deepEqual(returns('parseFilter (a normalized filter)', () => parseFilter(filter)), filter, 'parsing a normalized filter changes nothing');
  const matches = returns('compileFilter', () => compileFilter(filter));
  for (const ev of [...events, ...LONG_EVENTS]) {
    assert.equal(typeof returns('a compiled filter', () => matches(ev as ArvadosEvent)), 'boolean');
  }
  const rest = returns('restConditions', () => restConditions(filter));
  returns('parseFilter (what is sent to the logs API)', () => parseFilter(rest));
  returns('serverConditions', () => serverConditions(filter));
  const words: unknown = returns('describeFilter', () => describeFilter(filter));
  assert.ok(typeof words === 'string' && words.length > 0, 'describeFilter says something');
  returns('filterWarnings', () => filterWarnings(filter));
}

/**
 * Messages naming the valid attributes, operators or kinds are long by design (the lists are the
 * help); everything taken from the input in them is clipped, so they stay under this.
 */
const FILTER_MESSAGE_MAX = 500;

/** A filter built from the grammar is accepted, as a value and as JSON text, and means the same both ways. */
export function validFiltersProperty() {
  return fc.property(validFilter, eventForMatch, ({ input, conditions }, event) => {
    const text = encode(input);
    const parsed = returns('parseFilter', () => parseFilter(JSON.parse(text)));
    assert.equal(parsed.length, conditions);
    const fromText = returns('parseFilter', () => parseFilter(text));
    assert.deepEqual(fromText, parsed, 'the value and its JSON text parse alike');
    checkAccepted(parsed, [event]);
  });
}

/** Anything typed as a filter is accepted (and then handled downstream) or refused with a clear FilterError. */
export function anyFiltersProperty() {
  const filterInput = fc.oneof(
    { weight: 120, arbitrary: asText(validFilter.map((f) => f.input)) },
    { weight: 90, arbitrary: fc.tuple(validFilter, fc.array(valueEdit, { minLength: 1, maxLength: 3 })).map(([f, edits]) => edited(f.input, edits)) },
    { weight: 30, arbitrary: jsonish.map(wire) },
    { weight: 30, arbitrary: rawText },
    { weight: 1, arbitrary: deepText.map((t) => new DeepJson(t)) },
  );
  return fc.property(filterInput, eventForMatch, (generated, event) => {
    const input = generated instanceof DeepJson ? generated.value() : generated;
    const shownInput = generated instanceof DeepJson ? generated.text : typeof input === 'string' ? input : encode(input);
    const outcome = call('parseFilter', FilterError, () => parseFilter(input));
    if (outcome.ok) return checkAccepted(outcome.value, [event]);
    const error = outcome.error as FilterError;
    assertClearMessage(error.message, shownInput, FILTER_MESSAGE_MAX);
    if (error.index !== undefined) assert.ok(Number.isInteger(error.index) && error.index >= 0, `index ${error.index}`);
  });
}

/**
 * The LIKE matcher agrees with the plain anchored-RegExp reading of a pattern (`%` → `.*`, `_` →
 * `.`, backslash escapes) on text short enough for that reading to be quick: the linear matcher
 * changed how, not what, patterns match.
 */
export function likePatternsProperty() {
  const alphabet = 'aAbB%_\\.*İiß😀\n';
  const patternText = fc.oneof(chars(alphabet, 0, 10), fc.string({ maxLength: 8 })).map((p) => (/(^|[^\\])(\\\\)*\\$/.test(p) ? `${p}x` : p));
  const subject = fc.oneof(chars(alphabet, 0, 12), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
  return fc.property(patternText, fc.constantFrom('like', 'ilike', 'not like', 'not ilike'), subject, (p, op, t) => {
    let source = '';
    let escaped = false;
    for (const ch of p) {
      const literal = ch.replace(/[\\^$.*+?()[\]{}|/]/, '\\$&');
      if (escaped) source += literal;
      else if (ch === '%') source += '.*';
      else if (ch === '_') source += '.';
      else if (ch !== '\\') source += literal;
      escaped = !escaped && ch === '\\';
    }
    const reference = new RegExp(`^${source}$`, op.endsWith('ilike') ? 'isu' : 'su').test(t) !== op.startsWith('not ');
    const matches = returns('compileFilter', () => compileFilter(parseFilter([['uuid', op, p]])));
    const got = returns('a LIKE filter', () => matches({ uuid: t }));
    assert.equal(got, reference, `${JSON.stringify(t)} ${op} ${JSON.stringify(p)}`);
  });
}

/** A model name as kinds.ts takes it from a discovery document. */
const MODEL_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;

/** A discovery document of any shape yields a usable kind table; its schemas are taken when they make sense. */
export function discoveryProperty() {
  const schema = fc.record({ id: text, type: fc.constant('object'), uuidPrefix: fc.oneof(infix, text) }, { requiredKeys: ['uuidPrefix'] });
  const modelName = fc.oneof(
    fc.constantFrom('Collection', 'ContainerRequest', 'Workflow', 'ApiClientAuthorization', 'Group'),
    fc.tuple(chars('ABCXYZ', 1, 1), chars('abcxyzABC019', 0, 12)).map(([head, tail]) => head + tail),
  );
  const document = fc.record(
    {
      kind: fc.constant('discovery#restDescription'),
      rootUrl: fc.constant('https://zzzzz.example.com/'),
      websocketUrl: fc.constant('wss://ws.zzzzz.example.com/websocket'),
      uuidPrefix: fc.constant('zzzzz'),
      revision: text,
      maxItemsPerResponse: number,
      schemas: fc.dictionary(fc.oneof(modelName, key), fc.oneof({ weight: 4, arbitrary: schema }, { weight: 1, arbitrary: odd }), { maxKeys: 5, noNullPrototype: true }),
    },
    { requiredKeys: ['schemas'] },
  );
  const input = fc
    .oneof(
      { weight: 3, arbitrary: document },
      { weight: 3, arbitrary: fc.tuple(document, fc.array(valueEdit, { minLength: 1, maxLength: 3 })).map(([d, edits]) => edited(d, edits)) },
      { weight: 1, arbitrary: odd },
    )
    .map(wire);
  const api = new ApiClient({ apiHost: 'zzzzz.example.com', token: 'fuzz-token', insecure: false, disableWebsockets: false, sources: {} });
  return fc.property(input, fc.array(fc.oneof(text, uuid, pdh), { maxLength: 3 }), (doc, probes) => {
    const table = returns('KindTable.fromDiscovery', () => KindTable.fromDiscovery(doc as never));
    // What the document says, by the rules the Go SDK applies: a model name, a 5-character UUID infix.
    const said = new Map<string, string>();
    const schemas = isMap(doc) && isMap(doc.schemas) ? doc.schemas : {};
    for (const [model, s] of Object.entries(schemas)) {
      if (MODEL_NAME.test(model) && isMap(s) && typeof s.uuidPrefix === 'string' && /^[a-z0-9]{5}$/.test(s.uuidPrefix)) said.set(s.uuidPrefix, model);
    }
    const kinds = table.kinds();
    if (!said.size) assert.deepEqual(kinds, defaultKinds.kinds(), 'a document without usable schemas keeps the built-in table');
    for (const k of kinds) assert.match(k, /^arvados#[a-z][A-Za-z0-9]*$/);
    api.kinds = table; // as ApiClient.discovery() does
    for (const [prefix, model] of said) {
      const uuid = `zzzzz-${prefix}-000000000000000`;
      assert.equal(table.kindOf(uuid), kindOfModel(model));
      assert.equal(table.infixOf(kindOfModel(model)), prefix);
      const path = returns('ApiClient.pathForUuid', () => api.pathForUuid(uuid));
      assert.match(String(path), /^\/arvados\/v1\/[a-z][a-z0-9_]*s\/zzzzz-[a-z0-9]{5}-0{15}$/);
    }
    for (const probe of probes) {
      const k = returns('KindTable.kindOf', () => table.kindOf(probe));
      assert.ok(k === '' || k === 'arvados#collection' || kinds.includes(k), `kindOf gave ${k}`);
    }
  });
}

/** A bad settings.conf line is refused by its number alone: its content may be a token. */
export function settingsProperty() {
  const noNewline = (s: string) => !s.includes('\n');
  const spaces = fc.constantFrom('', ' ', '  ', '\t', ' \t ', '\u00a0', '\ufeff');
  const pairKey = fc
    .oneof(fc.constantFrom('ARVADOS_API_HOST', 'ARVADOS_API_TOKEN', 'ARVADOS_API_HOST_INSECURE', ...SPECIAL_KEYS), fc.string({ minLength: 1, maxLength: 20 }))
    .filter((k) => noNewline(k) && !k.includes('=') && k.trim().length > 0 && !k.trim().startsWith('#'));
  const secret = chars(ALNUM, 24, 48).map((s) => `v2/zzzzz-gj3su-0123456789abcde/${s}`);
  const pairValue = fc.oneof(text, secret, fc.constant('a=b=c')).filter(noNewline);
  type Line = { kind: 'pair'; key: string; value: string; line: string } | { kind: 'other' | 'bad'; line: string };
  const line: fc.Arbitrary<Line> = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(spaces, pairKey, spaces, spaces, pairValue, spaces).map(([a, k, b, c, v, d]) => ({ kind: 'pair' as const, key: k.trim(), value: v.trim(), line: `${a}${k}${b}=${c}${v}${d}` })) },
    { weight: 1, arbitrary: fc.tuple(spaces, text.filter(noNewline)).map(([a, t]) => ({ kind: 'other' as const, line: `${a}#${t}` })) },
    { weight: 1, arbitrary: spaces.map((s) => ({ kind: 'other' as const, line: s })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(secret, secret.map((s) => `ARVADOS_API_TOKEN ${s}`), fc.string({ maxLength: 30 }), pairValue.map((v) => `=${v}`))
        .filter((t) => noNewline(t) && t.trim().length > 0 && !t.trim().startsWith('#') && (!t.includes('=') || t.trim().startsWith('=')))
        .map((t) => ({ kind: 'bad' as const, line: t })),
    },
  );
  const file = fc.constantFrom('/home/me/.config/arvados/settings.conf', '/etc/xdg/arvados/settings.conf', 'settings.conf', 'C:\\Users\\me\\settings.conf');
  const structured = fc.tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }), fc.boolean()).map(([lines, trailing]) => ({
    lines: lines.map(([l]) => l),
    text: lines.map(([l, sep], i) => l.line + (i < lines.length - 1 || trailing ? sep : '')).join(''),
  }));
  const input = fc.oneof(
    { weight: 4, arbitrary: structured },
    { weight: 1, arbitrary: rawText.map((t) => ({ lines: undefined, text: t })) },
  );
  return fc.property(input, file, ({ lines, text: content }, name) => {
    const outcome = call('parseSettingsFile', ConfigError, () => parseSettingsFile(content, name));
    if (!outcome.ok) {
      const message = outcome.error.message;
      assert.match(message, /^.*, line \d+: expected KEY=value$/);
      assert.ok(message.startsWith(`${name}, line `), 'the message names the file');
      if (lines) {
        const bad = lines.findIndex((l) => l.kind === 'bad');
        assert.equal(message, `${name}, line ${bad + 1}: expected KEY=value`, 'the first bad line, by number only');
        for (const l of lines) if (l.kind === 'bad' && l.line.trim().length >= 8) assert.ok(!message.includes(l.line.trim()), 'a bad line shows in the message');
      }
      return;
    }
    const values = outcome.value;
    for (const v of Object.values(values)) assert.equal(typeof v, 'string');
    if (!lines) return;
    assert.ok(!lines.some((l) => l.kind === 'bad'), 'a bad line was accepted');
    const expected: Record<string, string> = {};
    for (const l of lines) if (l.kind === 'pair') Object.defineProperty(expected, l.key, { value: l.value, enumerable: true, writable: true, configurable: true });
    assert.deepEqual(values, expected, 'every KEY=value line is read, the last of a key winning');
  });
}

/** ARVADOS_API_HOST: host[:port] (after an optional https://) comes back bare; anything else is refused clearly. */
export function apiHostProperty() {
  const label = chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-', 1, 12);
  const host = fc.tuple(fc.oneof(fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')), fc.ipV4(), fc.ipV6().map((a) => `[${a}]`)), fc.option(fc.integer({ min: 1, max: 65535 })))
    .map(([h, port]) => (port === null ? h : `${h}:${port}`));
  const space = fc.constantFrom('', ' ', '\t', '\n', ' \r\n');
  const dressed = fc.tuple(space, fc.constantFrom('', 'https://', 'HTTPS://', 'Https://'), host, fc.constantFrom('', '/', '//'), space).map(([a, scheme, h, slash, b]) => ({ value: `${a}${scheme}${h}${slash}${b}`, host: h }));
  const wrong = fc.oneof(
    fc.tuple(fc.constantFrom('http://', 'HTTP://', 'ftp://', 'wss://', '//'), host).map(([s, h]) => s + h),
    fc.tuple(host.map((h) => h.replace(/:\d+$/, '')), fc.integer({ min: 65536, max: 99999 })).map(([h, p]) => `${h}:${p}`),
    fc.tuple(host, fc.constantFrom('/arvados/v1', '?x=1', '#top', ' x', ':', ':0', ':123456')).map(([h, tail]) => h + tail),
    fc.tuple(dressed.map((d) => d.value), fc.array(textEdit, { minLength: 1, maxLength: 2 })).map(([v, edits]) => textEdited(v, edits)),
    rawText,
  );
  const input = fc.oneof(dressed, wrong.map((value) => ({ value, host: undefined })));
  return fc.property(input, ({ value, host: expected }) => {
    const outcome = call('normalizeApiHost', ConfigError, () => normalizeApiHost(value));
    if (!outcome.ok) {
      assert.equal(expected, undefined, `a valid host was refused: ${outcome.error.message}`);
      assertClearMessage(outcome.error.message, value, 300);
      assert.match(outcome.error.message, /ARVADOS_API_HOST/);
      return;
    }
    const out = outcome.value;
    if (expected !== undefined) assert.equal(out, expected);
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(out);
    assert.ok(m, `an accepted host is host[:port]: ${JSON.stringify(out)}`);
    if (m[2] !== undefined) assert.ok(Number(m[2]) >= 1 && Number(m[2]) <= 65535, `port ${m[2]} is out of range`);
    assert.equal(returns('normalizeApiHost', () => normalizeApiHost(out)), out, 'normalizing twice changes nothing');
  });
}

/** Entries of an error body become short lines of text, whatever the server (or a proxy) sent. */
export function errorBodiesProperty() {
  const rubyError = fc.oneof(
    text,
    fc.tuple(fc.constantFrom('ArgumentError', 'ActiveRecord::RecordNotFound', 'PG::Error'), text).map(([c, m]) => `#<${c}: ${m}> (req-${'a'.repeat(20)})`),
    fc.constantFrom('Path not found', 'Forbidden', 'Not logged in', 'Line one\nline two', ''),
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: asText(fc.record({ errors: fc.array(fc.oneof({ weight: 4, arbitrary: rubyError }, { weight: 1, arbitrary: odd }), { maxLength: 4 }), error_token: text }, { requiredKeys: ['errors'] })) },
    { weight: 1, arbitrary: asText(fc.record({ errors: odd, error: odd, message: text }, { requiredKeys: [] })) },
    { weight: 1, arbitrary: fc.constantFrom('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n', '', '   ', 'null', '[]', '{}') },
    { weight: 2, arbitrary: rawText },
    { weight: 1, arbitrary: fc.tuple(text, fc.integer({ min: 1, max: 2000 })).map(([t, n]) => t.repeat(n)) },
  );
  return fc.property(body, (input) => {
    const errors: unknown = returns('errorsOf', () => errorsOf(input));
    assert.ok(Array.isArray(errors), 'errorsOf returns a list');
    for (const e of errors) {
      assert.equal(typeof e, 'string');
      assertClearMessage(e, input, 300, false); // the server's words, whatever they are
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      parsed = undefined;
    }
    if (isMap(parsed) && Array.isArray(parsed.errors)) {
      // Short one-line strings, the usual case, come through untouched.
      const plain = parsed.errors.every((e) => typeof e === 'string' && e !== '' && e.length <= 300 && e.replace(/\s+/g, ' ').trim() === e);
      if (plain) assert.deepEqual(errors, parsed.errors);
    } else if (input.trim()) {
      assert.equal(errors.length, 1, 'a body that is not an error list is shown as one entry');
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Self-checks of the harness: a broken parser must fail, a hanging one must be stopped.

/** classifyFrame with a crash planted in it: the frames property has to catch it. */
const throwingClassify = (t: string) => {
  if (t.includes('event_type')) throw new TypeError('planted crash');
  return classifyFrame(t);
};
/** classifyFrame with an endless loop planted in it: only the worker's deadline can stop it. */
const hangingClassify = (t: string) => {
  if (t.includes('event_type')) for (;;); // never returns
  return classifyFrame(t);
};

/** Every property by name, for the worker; built on demand, as each worker runs only one. */
export const PROPERTIES: Record<string, () => fc.IRawProperty<unknown[], false>> = {
  frames: framesProperty,
  logRows: logRowsProperty,
  validFilters: validFiltersProperty,
  anyFilters: anyFiltersProperty,
  likePatterns: likePatternsProperty,
  discovery: discoveryProperty,
  settings: settingsProperty,
  apiHost: apiHostProperty,
  errorBodies: errorBodiesProperty,
  'selfcheck-throws': () => framesProperty(throwingClassify),
  'selfcheck-hangs': () => framesProperty(hangingClassify),
};

export type FuzzResult =
  | { status: 'passed'; runs: number; ms: number; seed: number }
  | { status: 'failed'; report: string; ms: number; seed: number };

/** Runs one property to the end or to its first (shrunk) counterexample. */
export function runProperty(name: string, runs = RUNS, timeLimitMs = 60_000): FuzzResult {
  const start = performance.now();
  let details: fc.RunDetails<unknown>;
  try {
    details = fc.check(PROPERTIES[name](), {
      seed: SEED,
      numRuns: runs,
      // Bounded: running out of time is a failure, not a quiet pass with fewer inputs.
      plugins: [fc.interruptAfterTimeLimit(timeLimitMs, { failOnInterrupt: true })],
    });
  } catch (e) {
    // What failOnInterrupt throws: "Property interrupted after N tests".
    return { status: 'failed', report: `${(e as Error).message} (time limit ${timeLimitMs} ms)`, ms: Math.round(performance.now() - start), seed: SEED };
  }
  const ms = Math.round(performance.now() - start);
  if (details.failed) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    return { status: 'failed', report: `${fc.defaultReportMessage(details) ?? 'failed'}\nError: ${why}`, ms, seed: SEED };
  }
  return { status: 'passed', runs: details.numRuns, ms, seed: SEED };
}

// Inside the worker that fuzz.test.ts starts: run the property it names and report back.
if (parentPort && workerData?.fuzzProperty) {
  const { fuzzProperty, runs, timeLimitMs } = workerData as { fuzzProperty: string; runs?: number; timeLimitMs?: number };
  parentPort.postMessage(runProperty(fuzzProperty, runs, timeLimitMs));
}
