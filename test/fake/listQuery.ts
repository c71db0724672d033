/**
 * The API server's list (index) semantics, applied to in-memory rows: parameter parsing and
 * errors (`services/api/lib/load_param.rb`), filter validation by column type
 * (`services/api/lib/record_filters.rb`, `ArvadosModel.searchable_columns`), ordering with the
 * default-order fill-in, select, limit clamping, offset and `items_available`.
 *
 * Validation is done here, with the server's messages. Evaluating a validated condition is left
 * to the project's own filter engine (`src/arvados/filters.ts`, the server's operator semantics),
 * which knows the log attributes only: a column of any model is evaluated through a log
 * attribute of the same type (its "carrier": `id` for integers, `uuid` for text, `created_at` for
 * times, `properties.<key>` for jsonb keys). Booleans and floats, which no log column has, are
 * compared here.
 */
import { compileFilter } from '../../src/arvados/filterMatch';
import { FilterError } from '../../src/arvados/errors';
import { defaultKinds } from '../../src/arvados/kinds';
import type { Condition } from '../../src/arvados/types';
import type { Columns, ColumnType } from './models';
import { ApiFailure, argumentError, rubyClass, rubyInspect, rubyToS } from './railsErrors';
import { parseTimeLeniently, railsTime } from './time';

export const DEFAULT_LIMIT = 100;

export interface ListSpec {
  /** SQL table name (`logs`), for `order` entries of the form `logs.id`. */
  table: string;
  columns: Columns;
  /** Attributes a client may `select`. */
  selectable: readonly string[];
  /** `arvados#logList` etc. */
  listKind: string;
  maxItemsPerResponse: number;
  /** Controller-specific rewriting of a filter condition (logs: `object_kind`). */
  rewrite?: (cond: unknown[]) => unknown[];
}

/** One row: its column values for filtering and ordering, and what the API returns for it. */
export interface ListRow {
  columns: Record<string, unknown>;
  /** Built only for the rows of the page. */
  item(): Record<string, unknown>;
}

type Params = Record<string, unknown>;

/** Runs an index request. Throws ApiFailure (422) the way Rails would. */
export function listQuery(spec: ListSpec, rows: readonly ListRow[], params: Params): Record<string, unknown> {
  const limit = loadLimit(params, spec.maxItemsPerResponse);
  const offset = loadDigits(params.offset, 'offset') ?? 0;
  let orders = loadOrders(spec, params.order);
  const filters = loadFilters(params.filters).map((f) => (spec.rewrite && Array.isArray(f) ? spec.rewrite(f) : f));
  const select = loadSelect(spec, params.select);
  if (select) {
    // Ordering by a column that is not selected is an SQL error, so Rails drops such orders.
    orders = orders.filter((o) => select.includes(o.column));
  }
  const predicates = filters.map((f) => compileCondition(spec, f));
  const count = params.count;
  if (count !== undefined && count !== null && count !== '' && count !== 'exact' && count !== 'none') {
    throw argumentError("count parameter must be 'exact' or 'none'");
  }

  let matched = rows.filter((r) => predicates.every((p) => p(r.columns)));
  if (orders.length) matched = sortRows(spec.columns, orders, matched);
  const page = matched.slice(offset, offset + limit);
  const list: Record<string, unknown> = {
    kind: spec.listKind,
    etag: '',
    self_link: '',
    offset,
    limit,
    items: page.map((r) => project(r.item(), select)),
  };
  if (count !== 'none') list.items_available = matched.length;
  return list;
}

function loadDigits(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!/^\d+$/.test(String(v))) throw argumentError(`Invalid value for ${name} parameter`);
  return Number(v);
}

function loadLimit(params: Params, max: number): number {
  const limit = loadDigits(params.limit, 'limit');
  return limit === undefined ? DEFAULT_LIMIT : Math.min(limit, max);
}

/** Parses a JSON parameter the way SafeJSON does, wording failures like Ruby would. */
function parseJsonParam(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiFailure(422, [`#<JSON::ParserError: ${(e as Error).message}>`]);
  }
}

function loadFilters(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string' || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw argumentError('Could not parse "filters" param as an array');
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) throw argumentError('Could not parse "filters" param as an array');
  return parsed;
}

interface Order {
  column: string;
  desc: boolean;
}

const UNIQUE_COLUMNS = ['id', 'uuid'];

function loadOrders(spec: ListSpec, raw: unknown): Order[] {
  let entries: unknown[] = [];
  if (Array.isArray(raw)) entries = raw;
  else if (typeof raw === 'string' && raw.trim() !== '') {
    if (raw.startsWith('[')) {
      const parsed = parseJsonParam(raw);
      if (!Array.isArray(parsed)) throw new ApiFailure(422, ['#<RuntimeError: unhandled exception>']);
      entries = parsed;
    } else entries = raw.split(',');
  }
  const given: Order[] = [];
  for (const entry of entries) {
    const [attr0 = '', direction = 'asc'] = rubyToS(entry).trim().split(/\s+/);
    const dir = direction.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') continue; // invalid entries are dropped silently
    let attr = attr0;
    const qualified = /^([a-z][_a-z0-9]+)\.([a-z][_a-z0-9]+)$/.exec(attr);
    if (qualified && qualified[1] === spec.table) attr = qualified[2]!;
    if (!/^[a-z][_a-z0-9]+$/.test(attr) || !Object.hasOwn(spec.columns, attr)) continue;
    given.push({ column: attr, desc: dir === 'desc' });
  }
  // The default order fills in after the client's, so that paging is stable; nothing useful
  // comes after a unique column (load_param.rb).
  const out: Order[] = [];
  const used = new Set<string>();
  for (const o of [...given, { column: 'modified_at', desc: true }, { column: 'uuid', desc: false }]) {
    if (used.has(o.column)) continue;
    used.add(o.column);
    out.push(o);
    if (UNIQUE_COLUMNS.includes(o.column)) break;
  }
  return out;
}

function loadSelect(spec: ListSpec, raw: unknown): string[] | undefined {
  let select: unknown = raw;
  if (typeof raw === 'string') {
    try {
      select = JSON.parse(raw);
    } catch {
      throw argumentError('Could not parse "select" param as an array');
    }
    if (select !== null && select !== false && !Array.isArray(select)) throw argumentError('Could not parse "select" param as an array');
  }
  if (!Array.isArray(select)) return undefined;
  if (select.length === 0) throw argumentError('Attribute selection list cannot be empty');
  const invalid = select.filter((s) => typeof s !== 'string' || (!spec.selectable.includes(s) && !['href', 'kind', 'etag'].includes(s)));
  if (invalid.length) throw argumentError(`Invalid attribute(s): ${rubyInspect(invalid)}`);
  return [...new Set([...(select as string[]), 'kind'])];
}

function project(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return item;
  const out: Record<string, unknown> = {};
  for (const k of select) if (k in item) out[k] = item[k];
  return out;
}

/** Operators that work only on text: everything without `<`, `=` or `>` except `in`/`not in`. */
function searchableColumns(columns: Columns, operator: string): string[] {
  const op = operator.toLowerCase();
  const textOnly = !/[<=>]/.test(operator) && op !== 'in' && op !== 'not in';
  return Object.entries(columns)
    .filter(([, t]) => t === 'string' || t === 'text' || ((t === 'datetime' || t === 'integer' || t === 'boolean' || t === 'float') && !textOnly))
    .map(([name]) => name);
}

type Predicate = (columns: Record<string, unknown>) => boolean;

/** Validates one filter condition as record_filters.rb does and returns its predicate. */
function compileCondition(spec: ListSpec, filter: unknown): Predicate {
  if (!Array.isArray(filter)) throw argumentError(`Invalid element in filters array: ${rubyInspect(filter)} is not an array`);
  const [attrsIn, operator, operand] = filter as [unknown, unknown, unknown];
  if (operator === '@@') throw argumentError('Full text search operator is no longer supported');
  if (typeof operator !== 'string') throw argumentError(`Invalid operator '${rubyToS(operator)}' (${rubyClass(operator)}) in filter`);
  const op = operator.toLowerCase();

  if (attrsIn === 'any' && (op === 'like' || op === 'ilike') && typeof operand === 'string' && /^%.*%$/s.test(operand)) {
    // Trigram search over all text-ish columns joined with spaces.
    const textColumns = Object.entries(spec.columns)
      .filter(([, t]) => t === 'string' || t === 'text' || t === 'jsonb')
      .map(([n]) => n);
    const test = engine(['uuid', op, operand]);
    return (cols) => test({ uuid: textColumns.map((c) => textOf(cols[c])).join(' ') });
  }

  const attrs: unknown[] = attrsIn === 'any' ? searchableColumns(spec.columns, operator) : Array.isArray(attrsIn) ? attrsIn : [attrsIn];
  const parts = attrs.map((attr) => compileAttribute(spec, attr, operator, operand));
  // Several attributes in one condition are ORed; none at all adds no condition.
  if (parts.length === 0) return () => true;
  return (cols) => parts.some((p) => p(cols));
}

function compileAttribute(spec: ListSpec, attr: unknown, operator: string, operand: unknown): Predicate {
  if (typeof attr !== 'string') {
    throw new ApiFailure(422, [`#<NoMethodError: undefined method \`split' for ${rubyInspect(attr)}:${rubyClass(attr)}>`]);
  }
  const op = operator.toLowerCase();
  const [column, proppath] = splitOnce(attr, '.');
  const type = Object.hasOwn(spec.columns, column) ? spec.columns[column] : undefined;
  if (proppath !== undefined) {
    if (type !== 'jsonb') throw argumentError(`Invalid attribute '${column}' for subproperty filter`);
    return compileSubproperty(column, proppath, operator, operand);
  }
  if (op === 'exists') {
    if (type !== 'jsonb') throw argumentError(`Invalid attribute '${column}' for operator '${operator}' in filter`);
    return (cols) => isMap(cols[column]) && typeof operand === 'string' && operand in (cols[column] as object);
  }
  if (!searchableColumns(spec.columns, operator).includes(attr)) throw argumentError(`Invalid attribute '${attr}' in filter`);
  const colType = type!;

  switch (op) {
    case '=': case '<': case '<=': case '>': case '>=': case '!=': case '<>': case 'like': case 'ilike': {
      const sqlOp = op === '<>' ? '!=' : op;
      if (operand === null && (sqlOp === '=' || sqlOp === '!=')) return evaluate(column, colType, sqlOp, null);
      if (typeof operand === 'string') {
        let value: unknown = operand;
        if (colType === 'boolean') {
          if (sqlOp !== '=' && sqlOp !== '!=') throw argumentError(`Invalid operator '${operator === '!=' ? '<>' : operator}' for boolean attribute '${attr}'`);
          value = booleanOf(operand, attr);
        } else if (colType === 'datetime' && /[<=>]/.test(sqlOp)) {
          value = timeOperand(operand);
        } else if (colType === 'integer' || colType === 'float') {
          value = numberOperand(operand, colType);
        }
        return evaluate(column, colType, sqlOp, value);
      }
      if (colType === 'boolean' && (sqlOp === '=' || sqlOp === '!=') && typeof operand === 'boolean') return evaluate(column, colType, sqlOp, operand);
      if ((colType === 'integer' || colType === 'float') && typeof operand === 'number') return evaluate(column, colType, sqlOp, operand);
      throw argumentError(`Invalid operand type '${rubyClass(operand)}' for '${operator}' operator in filters`);
    }
    case 'in': case 'not in': {
      if (!Array.isArray(operand)) throw argumentError(`Invalid operand type '${rubyClass(operand)}' for '${operator}' operator in filters`);
      let values: unknown[] = operand;
      if (colType === 'integer') {
        for (const el of operand) {
          if (typeof el !== 'number' || !Number.isInteger(el)) throw argumentError(`Invalid element '${rubyToS(el)}' in array for integer attribute '${attr}'`);
        }
      } else if (colType === 'datetime') {
        values = operand.map((el) => (typeof el === 'string' ? timeOperand(el) : el));
      }
      return evaluate(column, colType, op, values);
    }
    case 'is_a':
      return evaluate(column, colType, op, operand);
    default:
      throw argumentError(`Invalid operator '${operator}'`);
  }
}

/** Subproperty conditions on jsonb columns (`properties.foo`). */
function compileSubproperty(column: string, proppath: string, operator: string, operand: unknown): Predicate {
  const key = proppath.startsWith('<') && proppath.endsWith('>') ? proppath.slice(1, -1) : proppath;
  const op = operator.toLowerCase();
  const known = ['=', '!=', 'in', 'not in', '<', '<=', '>', '>=', 'like', 'ilike', 'exists', 'contains'];
  if (!known.includes(op)) throw argumentError(`Invalid operator for subproperty search '${operator}'`);
  if ((op === 'in' || op === 'not in') && !Array.isArray(operand)) {
    throw argumentError(`Invalid operand type '${rubyClass(operand)}' for '${operator}' operator in filters`);
  }
  if (op === 'exists' && typeof operand !== 'boolean') throw argumentError(`Invalid operand '${rubyToS(operand)}' for '${operator}' must be true or false`);
  if (op === 'contains') {
    return (cols) => {
      const v = isMap(cols[column]) ? (cols[column] as Record<string, unknown>)[key] : undefined;
      return Array.isArray(v) ? v.some((x) => deepEqual(x, operand)) : deepEqual(v, operand);
    };
  }
  const test = engine([`properties.<${key}>`, op, operand]);
  return (cols) => test({ properties: isMap(cols[column]) ? cols[column] : null });
}

/** A log attribute of each column type, through which the filter engine evaluates the column. */
const CARRIERS: Partial<Record<ColumnType, string>> = { integer: 'id', string: 'uuid', text: 'uuid', datetime: 'created_at' };

/** The predicate of a validated single-column condition. */
function evaluate(column: string, type: ColumnType, op: string, operand: unknown): Predicate {
  const carrier = CARRIERS[type];
  if (!carrier) return compareHere(column, op, operand);
  const test = engine([carrier, op, operand]);
  return (cols) => test({ [carrier]: normalise(cols[column], type) });
}

/** Compiles one condition with the project's filter engine; what it refuses, Postgres would too. */
function engine(condition: unknown[]): (record: Record<string, unknown>) => boolean {
  try {
    return compileFilter([condition as Condition], defaultKinds);
  } catch (e) {
    if (e instanceof FilterError) throw new ApiFailure(422, [`#<ActiveRecord::StatementInvalid: ${e.message}>`]);
    throw e;
  }
}

/** Boolean and float columns: SQL comparisons with NULL semantics (`!=`/`not in` match NULL). */
function compareHere(column: string, op: string, operand: unknown): Predicate {
  return (cols) => {
    const v = cols[column] ?? null;
    switch (op) {
      case '=':
        return operand === null ? v === null : v !== null && v === operand;
      case '!=':
        return operand === null ? v !== null : v === null || v !== operand;
      case 'in':
        return v !== null && (operand as unknown[]).includes(v);
      case 'not in':
        return !(operand as unknown[]).includes(null) && (v === null || !(operand as unknown[]).includes(v));
      default: {
        if (typeof v !== 'number' || typeof operand !== 'number') return false;
        return { '<': v < operand, '<=': v <= operand, '>': v > operand, '>=': v >= operand }[op] ?? false;
      }
    }
  };
}

function normalise(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'datetime') {
    const ms = typeof value === 'number' ? value : parseTimeLeniently(String(value));
    return Number.isFinite(ms) ? railsTime(ms) : null;
  }
  return value;
}

/** A time operand, parsed as Ruby's Time.parse would; written in the same format as column values. */
function timeOperand(text: string): string {
  const ms = parseTimeLeniently(text);
  if (!Number.isFinite(ms)) throw argumentError(`no time information in ${JSON.stringify(text)}`);
  return railsTime(ms);
}

/** Postgres casts a string operand to the column type; a non-number is an SQL error (422). */
function numberOperand(text: string, type: ColumnType): number {
  const ok = type === 'integer' ? /^\s*[-+]?\d+\s*$/.test(text) : /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text);
  if (!ok) {
    const pgType = type === 'integer' ? 'bigint' : 'double precision';
    throw new ApiFailure(422, [
      `#<ActiveRecord::StatementInvalid: PG::InvalidTextRepresentation: ERROR:  invalid input syntax for type ${pgType}: ${JSON.stringify(text)}>`,
    ]);
  }
  return Number(text);
}

function booleanOf(text: string, attr: string): boolean {
  const t = text.toLowerCase();
  if (['1', 't', 'true', 'y', 'yes'].includes(t)) return true;
  if (['0', 'f', 'false', 'n', 'no'].includes(t)) return false;
  // record_filters.rb calls ArgumentError(...) as a method here, so Ruby raises NoMethodError.
  throw new ApiFailure(422, [`#<NoMethodError: undefined method \`ArgumentError' for an instance of ${attr}>`]);
}

/** Postgres order: NULLs last ascending, first descending. Sort keys are computed once per row. */
function sortRows(columns: Columns, orders: Order[], rows: ListRow[]): ListRow[] {
  const keyed = rows.map((row) => ({ row, keys: orders.map((o) => normalise(row.columns[o.column], columns[o.column]!)) }));
  keyed.sort((a, b) => compareKeys(orders, a.keys, b.keys));
  return keyed.map((k) => k.row);
}

function compareKeys(orders: Order[], a: unknown[], b: unknown[]): number {
  for (const [i, { desc }] of orders.entries()) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    let c: number;
    if (x === null && y === null) c = 0;
    else if (x === null) c = 1;
    else if (y === null) c = -1;
    else if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else {
      const sx = textOf(x);
      const sy = textOf(y);
      c = sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    if (c !== 0) return desc ? -c : c;
  }
  return 0;
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
