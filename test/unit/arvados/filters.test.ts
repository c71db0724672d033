import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeFilter,
  filterWarnings,
  LOG_ATTRIBUTES,
  OPERATORS,
  parseFilter,
  parseTime,
} from '../../../src/arvados/filters';
import { compileFilter, restConditions } from '../../../src/arvados/filterMatch';
import { matchesAny, matchesFilter, serverConditions } from '../../helpers/filters';
import { FilterError } from '../../../src/arvados/errors';
import { KindTable } from '../../../src/arvados/kinds';
import type { ArvadosEvent, Filter } from '../../../src/arvados/types';

const CR = 'zzzzz-xvhdp-012345678901234';
const PROJECT = 'zzzzz-j7d0g-000000000000001';
const PDH = 'd41d8cd98f00b204e9800998ecf8427e+0';

/** A websocket-shaped event: no created_at, '' where the log row has NULL. */
function event(overrides: Partial<ArvadosEvent> = {}): ArvadosEvent {
  return {
    id: 100,
    uuid: 'zzzzz-57u5n-000000000000100',
    object_uuid: CR,
    object_owner_uuid: PROJECT,
    object_kind: 'arvados#containerRequest',
    event_type: 'update',
    event_at: '2024-03-04T05:06:07.123456789Z',
    properties: { old_attributes: { state: 'Committed' }, new_attributes: { state: 'Final', name: 'My wf', is_trashed: false } },
    ...overrides,
  };
}

/** Parses (strictly) then matches. */
function matches(filter: unknown, ev: ArvadosEvent | Record<string, unknown> = event()): boolean {
  return matchesFilter(parseFilter(filter), ev);
}

/** Asserts that parsing fails with a FilterError whose message matches and whose index is given. */
function rejects(input: unknown, message: RegExp, index?: number): void {
  assert.throws(
    () => parseFilter(input),
    (e: unknown) => {
      assert.ok(e instanceof FilterError, `a FilterError, got ${String(e)}`);
      assert.match(e.message, message);
      assert.equal(e.index, index);
      return true;
    },
  );
}

describe('parseFilter', () => {
  test('accepts JSON text or a parsed value, and [] as "everything"', () => {
    assert.deepEqual(parseFilter('[["event_type","in",["create"]]]'), [['event_type', 'in', ['create']]]);
    assert.deepEqual(parseFilter([['id', '>', 5]]), [['id', '>', 5]]);
    assert.deepEqual(parseFilter('[]'), []);
    assert.deepEqual(parseFilter([]), []);
    assert.deepEqual(parseFilter(' \n [ ] \n'), []);
  });

  test('lower-cases operators as the server does', () => {
    assert.deepEqual(parseFilter([['event_type', 'IN', ['create']], ['object_uuid', 'Not In', [CR]], ['object_uuid', 'IS_A', 'arvados#containerRequest']]), [
      ['event_type', 'in', ['create']],
      ['object_uuid', 'not in', [CR]],
      ['object_uuid', 'is_a', 'arvados#containerRequest'],
    ]);
  });

  test('wraps a lone condition, including one with a list of attributes', () => {
    assert.deepEqual(parseFilter('["object_uuid","=","x"]'), [['object_uuid', '=', 'x']]);
    assert.deepEqual(parseFilter([['object_uuid', 'object_owner_uuid'], '=', PROJECT]), [[['object_uuid', 'object_owner_uuid'], '=', PROJECT]]);
  });

  test('copies what it returns, so later edits of the input do not leak in', () => {
    const input = [['event_type', 'in', ['create']]] as Filter;
    const out = parseFilter(input);
    (input[0]![2] as string[]).push('delete');
    assert.deepEqual(out, [['event_type', 'in', ['create']]]);
  });

  test('accepts every documented operator and attribute', () => {
    assert.deepEqual([...OPERATORS].sort(), ['!=', '<', '<=', '<>', '=', '>', '>=', 'exists', 'ilike', 'in', 'is_a', 'like', 'not ilike', 'not in', 'not like'].sort());
    assert.equal(LOG_ATTRIBUTES.id, 'integer');
    assert.equal(LOG_ATTRIBUTES.created_at, 'datetime');
    assert.equal(LOG_ATTRIBUTES.properties, 'json');
    assert.equal(LOG_ATTRIBUTES.summary, 'string');
    assert.deepEqual(
      parseFilter([['properties.new_attributes.state', '=', 'Final'], ['properties.<a.b>', 'exists', true], ['properties', 'exists', 'text']]),
      [['properties.new_attributes.state', '=', 'Final'], ['properties.<a.b>', 'exists', true], ['properties', 'exists', 'text']],
    );
  });
});

describe('parseFilter rejects malformed filters with a message that says which condition and why', () => {
  test('empty input', () => {
    rejects('', /filter is empty.*\[\] to match every event/);
    rejects('   \n', /filter is empty/);
  });

  test('text that is not JSON, with the position of the error', () => {
    rejects('[["id","=",1],}', /not valid JSON \(line 1, column 15\): Unexpected token/); // V8 names no position here
    rejects('hello', /not valid JSON \(line 1, column 1\)/);
    rejects('[\n ["id", "=", 1],\n ["id" "=", 2]]', /not valid JSON \(line 3, column 8\): .*position 26/);
    rejects('[["id","=",', /not valid JSON \(line 1, column 12\): Unexpected end/);
  });

  test('not a list', () => {
    rejects('{"event_type":"create"}', /must be a list of conditions.*got an object/);
    rejects('"create"', /must be a list of conditions.*got "create"/);
    rejects(null, /must be a list of conditions.*got null/);
  });

  test('a condition that is not a list', () => {
    rejects([['id', '>', 1], 5], /^Condition 2 \(5\): is not a list; a condition is \[attribute, operator, operand\]/, 1);
    rejects([['id', '>', 1], { id: 5 }], /Condition 2 .*is not a list.*got an object/, 1);
    rejects(['(id > 5)'], /Condition 1 .*is a string; expression filters .* are not supported/, 0);
  });

  test('a condition of the wrong length', () => {
    rejects([['event_type', 'in']], /Condition 1 .*has 2 elements; a condition is \[attribute, operator, operand\]/, 0);
    rejects([['id', '>', 1], ['id', '>', 1, 2]], /Condition 2 .*has 4 elements/, 1);
    rejects([[]], /Condition 1 .*has 0 elements/, 0);
  });

  test('an attribute that is not a string', () => {
    rejects([[5, '=', 'x']], /Condition 1 .*attribute must be a string \(or a list of strings\), got 5/, 0);
    rejects([[['uuid', 7], '=', 'x']], /attribute must be a string.*got 7/, 0);
    rejects([[[], '=', 'x']], /Condition 1 .*list of attributes is empty/, 0);
  });

  test('an unknown attribute, listing the valid ones', () => {
    rejects([['id', '>', 1], ['state', '=', 'Final']], /Condition 2 .*unknown attribute 'state'; valid attributes: id, uuid, .*event_type.*properties\.<key>/, 1);
    rejects([['properties.', 'exists', true]], /unknown attribute 'properties\.'/, 0);
    rejects([['properties.a..b', '=', 1]], /unknown attribute 'properties\.a\.\.b'/, 0);
  });

  test('an operator that is not a string or not known, listing the valid ones', () => {
    rejects([['id', 5, 1]], /Condition 1 .*operator must be a string, got 5/, 0);
    rejects([['event_type', 'contains', 'x']], /unknown operator 'contains'; valid operators: =, !=, <>, <, <=, >, >=, like, ilike, not like, not ilike, in, not in, is_a, exists/, 0);
  });

  test('full-text search (@@), as the server says', () => {
    rejects([['any', '@@', 'foo']], /Condition 1 .*full-text search \('@@'\) is no longer supported/, 0);
  });

  test('in / not in without a list, or with lists inside the list', () => {
    rejects([['event_type', 'in', 'create']], /'in' needs a list.*got "create"/, 0);
    rejects([['event_type', 'not in', null]], /'not in' needs a list.*got null/, 0);
    rejects([['event_type', 'in', ['create', ['update']]]], /element 2 of the list: needs a single value, got a list/, 0);
    rejects([['event_type', 'in', [{ a: 1 }]]], /element 1 of the list: needs a single value, got an object/, 0);
    rejects([['id', 'in', [1, 'two']]], /element 2 of the list: id needs an integer/, 0);
  });

  test('like and friends on a column that is not text, or without a pattern string', () => {
    rejects([['id', 'like', '1%']], /'like' only works on text attributes \(uuid, .*\); id is an integer/, 0);
    rejects([['created_at', 'not ilike', '2024%']], /'not ilike' only works on text attributes.*created_at is a time/, 0);
    rejects([['object_uuid', 'ilike', 5]], /'ilike' needs a pattern string/, 0);
    rejects([['object_uuid', 'like', 'abc\\']], /pattern ends with a lone backslash/, 0);
  });

  test('is_a without kinds, with an unknown kind, or on a column that is not text', () => {
    rejects([['object_uuid', 'is_a', 5]], /'is_a' needs a kind such as "arvados#collection"/, 0);
    rejects([['object_uuid', 'is_a', []]], /'is_a' needs a kind/, 0);
    rejects([['object_uuid', 'is_a', ['arvados#collection', 3]]], /'is_a' needs a kind/, 0);
    rejects(
      [['object_uuid', 'is_a', ['arvados#collection', 'arvados#pipelineInstance']]],
      /unknown kind 'arvados#pipelineInstance': the server matches nothing for an unknown kind\. Known kinds: .*arvados#collection.*arvados#workflow/,
      0,
    );
    rejects([['id', 'is_a', 'arvados#log']], /'is_a' only works on text attributes holding UUIDs; id is an integer/, 0);
  });

  test('a time column with a time that does not parse', () => {
    rejects([['created_at', '>', 'yesterday']], /created_at needs a time such as 2024-01-02T03:04:05Z, 2024-01-02 03:04:05 or 2024-01-02; got "yesterday"/, 0);
    rejects([['event_at', '>=', '2024-02-30']], /event_at needs a time/, 0);
    rejects([['event_at', '>=', 1700000000]], /event_at needs a time.*got 1700000000/, 0);
  });

  test('id with something that is not an integer', () => {
    rejects([['id', '=', 1.5]], /id needs an integer \(or a string of digits\), got 1\.5/, 0);
    rejects([['id', '>', '12a']], /id needs an integer.*"12a"/, 0);
    rejects([['id', '>', true]], /id needs an integer.*true/, 0);
  });

  test('exists anywhere but properties, or with the wrong operand', () => {
    rejects([['object_uuid', 'exists', 'x']], /'exists' only works on properties and properties\.<key>; object_uuid is text/, 0);
    rejects([['properties', 'exists', true]], /'exists' on properties needs a key name/, 0);
    rejects([['properties.new_attributes', 'exists', 'state']], /'exists' on properties\.new_attributes needs true or false/, 0);
  });

  test('ordering against null, objects or lists; text columns against non-strings', () => {
    rejects([['id', '<', null]], /'<' cannot compare with null; use "=" null or "!=" null/, 0);
    rejects([['event_at', '>', { t: 1 }]], /needs a single value, got an object/, 0);
    rejects([['event_type', '=', ['create']]], /'=' needs a single value, got a list; use 'in'/, 0);
    rejects([['event_type', '!=', 5]], /event_type needs a string, got 5/, 0);
    rejects([['properties.new_attributes.state', '=', { a: 1 }]], /needs a single value, got an object/, 0);
  });

  test('properties itself can only be tested with exists', () => {
    rejects([['properties', 'like', '%Final%']], /properties can only be tested with 'exists'.*properties\.<key>/, 0);
  });

  test('every attribute of a list is checked', () => {
    rejects([[['object_uuid', 'id'], 'like', 'zzzzz%']], /id is an integer/, 0);
  });
});

describe('comparison operators and NULL', () => {
  test('= and != / <> on text', () => {
    assert.equal(matches([['event_type', '=', 'update']]), true);
    assert.equal(matches([['event_type', '=', 'Update']]), false, 'case-sensitive');
    assert.equal(matches([['event_type', '!=', 'create']]), true);
    assert.equal(matches([['event_type', '<>', 'update']]), false);
  });

  test('a missing attribute is NULL: = null holds, != value holds, = value does not', () => {
    // Events carry no owner_uuid.
    assert.equal(matches([['owner_uuid', '=', null]]), true);
    assert.equal(matches([['owner_uuid', '!=', null]]), false);
    assert.equal(matches([['owner_uuid', '!=', PROJECT]]), true, '!= also matches NULL');
    assert.equal(matches([['owner_uuid', '<>', PROJECT]]), true);
    assert.equal(matches([['owner_uuid', '=', PROJECT]]), false);
    assert.equal(matches([['owner_uuid', '>', 'a']]), false, 'comparisons with NULL are false');
    assert.equal(matches([['owner_uuid', 'like', '%']]), false, 'like against NULL is false');
  });

  test("'' is a value, not NULL", () => {
    const ev = event({ object_owner_uuid: '' });
    assert.equal(matches([['object_owner_uuid', '=', '']], ev), true);
    assert.equal(matches([['object_owner_uuid', '=', null]], ev), false);
    assert.equal(matches([['object_owner_uuid', '!=', null]], ev), true);
  });

  test('ordering on integers, with numbers or digit strings', () => {
    assert.equal(matches([['id', '>', 99]]), true);
    assert.equal(matches([['id', '>', '99']]), true);
    assert.equal(matches([['id', '>=', 100], ['id', '<=', '100']]), true);
    assert.equal(matches([['id', '<', 100]]), false);
    assert.equal(matches([['id', '=', '100']]), true);
    assert.equal(matches([['id', '>', '9']]), true, 'compared as numbers, not as text');
  });

  test('ordering on text compares by code unit', () => {
    assert.equal(matches([['event_type', '>', 'delete']]), true);
    assert.equal(matches([['event_type', '<', 'delete']]), false);
  });

  test('a raw logs API row (with columns events lack) can be matched too', () => {
    const row = { id: '7', owner_uuid: PROJECT, summary: null, created_at: '2024-01-01T00:00:00Z', event_at: '2024-06-01T00:00:00Z' };
    assert.equal(matches([['owner_uuid', '=', PROJECT], ['id', '=', 7]], row), true);
    assert.equal(matches([['summary', '=', null]], row), true);
    assert.equal(matches([['created_at', '<', '2024-02-01']], row), true, 'created_at is used when present');
  });
});

describe('in / not in', () => {
  test('membership, with numbers and digit strings alike for id', () => {
    assert.equal(matches([['event_type', 'in', ['create', 'update']]]), true);
    assert.equal(matches([['event_type', 'in', ['create', 'delete']]]), false);
    assert.equal(matches([['id', 'in', ['99', 100]]]), true);
    assert.equal(matches([['id', 'in', ['100']]]), true);
    assert.equal(matches([['id', 'not in', [100]]]), false);
    assert.equal(matches([['event_type', 'not in', ['create']]]), true);
  });

  test('not in also matches NULL unless the list holds null', () => {
    assert.equal(matches([['owner_uuid', 'not in', [PROJECT]]]), true);
    assert.equal(matches([['owner_uuid', 'in', [PROJECT, null]]]), false, 'IN never matches NULL');
    assert.equal(matches([['owner_uuid', 'not in', [PROJECT, null]]]), false);
  });

  test('not in with null in the list matches nothing at all, as SQL NOT IN does', () => {
    assert.equal(matches([['event_type', 'not in', ['create', null]]]), false);
  });

  test('empty lists: in [] matches nothing, not in [] everything', () => {
    assert.equal(matches([['event_type', 'in', []]]), false);
    assert.equal(matches([['event_type', 'not in', []]]), true);
  });

  test('time lists compare instants', () => {
    assert.equal(matches([['event_at', 'in', ['2024-03-04T06:06:07.123456789+01:00']]]), true);
    assert.equal(matches([['event_at', 'not in', ['2024-03-04 05:06:07.123456789', null]]]), false);
  });
});

describe('like / ilike / not like / not ilike', () => {
  const named = (name: string) => event({ event_type: name });

  test('% is any run, _ is one character, anchored at both ends', () => {
    assert.equal(matches([['object_uuid', 'like', 'zzzzz-xvhdp-%']]), true);
    assert.equal(matches([['object_uuid', 'like', 'xvhdp']]), false, 'anchored');
    assert.equal(matches([['object_uuid', 'like', '%xvhdp%']]), true);
    assert.equal(matches([['event_type', 'like', 'upd_te']]), true);
    assert.equal(matches([['event_type', 'like', 'upd_e']]), false, '_ is exactly one character');
    assert.equal(matches([['event_type', 'like', '_']], named('😀')), true, 'one character, not one UTF-16 unit');
    assert.equal(matches([['event_type', 'like', '%']], named('')), true);
  });

  test('backslash escapes %, _ and itself', () => {
    assert.equal(matches([['event_type', 'like', '100\\%']], named('100%')), true);
    assert.equal(matches([['event_type', 'like', '100\\%']], named('1000')), false);
    assert.equal(matches([['event_type', 'like', 'a\\_b']], named('a_b')), true);
    assert.equal(matches([['event_type', 'like', 'a\\_b']], named('axb')), false);
    assert.equal(matches([['event_type', 'like', 'a\\\\b']], named('a\\b')), true);
    assert.equal(matches([['event_type', 'like', '\\a']], named('a')), true, 'an escaped ordinary character is itself');
  });

  test('regular-expression characters are literal', () => {
    assert.equal(matches([['event_type', 'like', 'a.c']], named('abc')), false);
    assert.equal(matches([['event_type', 'like', '(x)+[y]$']], named('(x)+[y]$')), true);
    assert.equal(matches([['event_type', 'like', '%\n%']], named('two\nlines')), true);
  });

  test('ilike ignores case; like does not', () => {
    assert.equal(matches([['event_type', 'like', 'UPDATE']]), false);
    assert.equal(matches([['event_type', 'ilike', 'UP%']]), true);
  });

  test('not like / not ilike negate, and are false against NULL', () => {
    assert.equal(matches([['event_type', 'not like', 'cre%']]), true);
    assert.equal(matches([['event_type', 'not ilike', 'UPD%']]), false);
    assert.equal(matches([['owner_uuid', 'not like', 'x%']]), false);
  });
});

describe('times', () => {
  test('parseTime reads RFC3339 and Rails forms as instants with nanosecond precision', () => {
    const base = parseTime('2024-01-02T03:04:05Z')!;
    assert.equal(parseTime('2024-01-02T04:04:05+01:00'), base);
    assert.equal(parseTime('2024-01-01T22:04:05-05:00'), base);
    assert.equal(parseTime('2024-01-02 03:04:05'), base, 'no zone means UTC');
    assert.equal(parseTime('2024-01-02T03:04:05.000000000Z'), base);
    assert.equal(parseTime('2024-01-02T03:04:05.5Z')! - base, 500_000_000n);
    assert.equal(parseTime('2024-01-02T03:04:05.123456789Z')! - base, 123_456_789n);
    assert.equal(parseTime('2024-01-02'), parseTime('2024-01-02T00:00:00Z'));
    assert.equal(parseTime('2024-01-02 03:04'), parseTime('2024-01-02T03:04:00Z'));
    assert.equal(parseTime('2024-02-29'), parseTime('2024-02-28T00:00:00Z')! + 86_400_000_000_000n);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-01-02T24:00:00Z', '2024-1-2', 'now', '', '2024-01-02T03:04:05Q']) {
      assert.equal(parseTime(bad), undefined, bad);
    }
  });

  test('comparisons accept every format and compare below the millisecond', () => {
    // The event is at 05:06:07.123456789Z.
    assert.equal(matches([['event_at', '>', '2024-03-04']]), true);
    assert.equal(matches([['event_at', '>', '2024-03-04 05:06:07.123456']]), true);
    assert.equal(matches([['event_at', '<', '2024-03-04T05:06:07.12345679Z']]), true);
    assert.equal(matches([['event_at', '>', '2024-03-04T05:06:07.123456788Z']]), true);
    assert.equal(matches([['event_at', '=', '2024-03-04T07:06:07.123456789+02:00']]), true);
    assert.equal(matches([['event_at', '<=', '2024-03-04T05:06:07.123Z']]), false);
    assert.equal(matches([['event_at', '!=', '2024-03-04T05:06:07.123456789Z']]), false);
  });

  test('trailing zeros dropped by Go do not matter', () => {
    const ev = event({ event_at: '2024-03-04T05:06:07.1Z' });
    assert.equal(matches([['event_at', '=', '2024-03-04T05:06:07.100000Z']], ev), true);
  });

  test('websocket events have no created_at: event_at stands in', () => {
    assert.equal(matches([['created_at', '>=', '2024-03-04T00:00:00Z']]), true);
    assert.equal(matches([['created_at', '<', '2024-03-04T00:00:00Z']]), false);
    const fromApi = { ...event(), created_at: '2020-01-01T00:00:00.000000000Z' }; // a raw logs API row has one
    assert.equal(matches([['created_at', '<', '2024-03-04T00:00:00Z']], fromApi), true);
  });

  test('an event time that does not parse is NULL', () => {
    const ev = event({ event_at: '' });
    assert.equal(matches([['event_at', '>', '2000-01-01']], ev), false);
    assert.equal(matches([['event_at', '=', null]], ev), true);
  });

  test('modified_at is not carried by events, so it is NULL there', () => {
    assert.equal(matches([['modified_at', '>', '2000-01-01']]), false);
  });
});

describe('is_a', () => {
  test('compares characters 7–11 with the kind infix; remote clusters match too', () => {
    assert.equal(matches([['object_uuid', 'is_a', 'arvados#containerRequest']]), true);
    assert.equal(matches([['object_uuid', 'is_a', 'arvados#container']]), false);
    assert.equal(matches([['object_uuid', 'is_a', ['arvados#container', 'arvados#containerRequest']]]), true);
    assert.equal(matches([['object_uuid', 'is_a', 'arvados#containerRequest']], event({ object_uuid: 'abcde-xvhdp-012345678901234' })), true);
    assert.equal(matches([['object_owner_uuid', 'is_a', 'arvados#group']]), true);
    assert.equal(matches([['uuid', 'is_a', 'arvados#log']]), true);
  });

  test('a portable data hash is not a collection UUID', () => {
    assert.equal(matches([['object_uuid', 'is_a', 'arvados#collection']], event({ object_uuid: PDH, object_kind: 'arvados#collection' })), false);
  });

  test('NULL and empty values are of no kind', () => {
    assert.equal(matches([['owner_uuid', 'is_a', 'arvados#user']]), false);
    assert.equal(matches([['object_owner_uuid', 'is_a', 'arvados#user']], event({ object_owner_uuid: '' })), false);
  });

  test('an unknown kind matches nothing when matching (parseFilter refuses it)', () => {
    const filter: Filter = [['object_uuid', 'is_a', ['arvados#nope', 'arvados#containerRequest']]];
    assert.equal(matchesFilter(filter, event()), true);
    assert.equal(matchesFilter([['object_uuid', 'is_a', 'arvados#nope']], event()), false);
  });

  test('object_kind holds a kind: is_a compares the kind itself', () => {
    assert.equal(matches([['object_kind', 'is_a', 'arvados#containerRequest']]), true);
    assert.equal(matches([['object_kind', 'is_a', ['arvados#collection']]]), false);
    assert.equal(matches([['object_kind', '=', 'arvados#containerRequest']]), true);
  });

  test('a kind table from a cluster’s discovery document is honoured', () => {
    const kinds = KindTable.fromDiscovery({ schemas: { Pipeline: { uuidPrefix: 'd1hrv' } } });
    const filter = parseFilter([['object_uuid', 'is_a', 'arvados#pipeline']], kinds);
    assert.equal(matchesFilter(filter, event({ object_uuid: 'zzzzz-d1hrv-012345678901234' }), kinds), true);
    assert.throws(() => parseFilter([['object_uuid', 'is_a', 'arvados#pipeline']]), /unknown kind 'arvados#pipeline'/);
  });
});

describe('properties', () => {
  test('exists on properties tests for a key', () => {
    assert.equal(matches([['properties', 'exists', 'new_attributes']]), true);
    assert.equal(matches([['properties', 'exists', 'text']]), false);
    assert.equal(matches([['properties', 'exists', 'text']], event({ properties: { text: 'dispatch failed' } })), true);
  });

  test('exists on a path is true or false', () => {
    assert.equal(matches([['properties.new_attributes.state', 'exists', true]]), true);
    assert.equal(matches([['properties.new_attributes.exit_code', 'exists', true]]), false);
    assert.equal(matches([['properties.new_attributes.exit_code', 'exists', false]]), true);
    assert.equal(matches([['properties.old_attributes.state', 'exists', true]], event({ properties: { old_attributes: null } })), false);
    assert.equal(matches([['properties.x', 'exists', true]], event({ properties: { x: null } })), true, 'a JSON null is there');
  });

  test('a dotted path reads nested values with JSON types', () => {
    assert.equal(matches([['properties.new_attributes.state', '=', 'Final']]), true);
    assert.equal(matches([['properties.old_attributes.state', 'in', ['Uncommitted', 'Committed']]]), true);
    assert.equal(matches([['properties.new_attributes.is_trashed', '=', false]]), true);
    assert.equal(matches([['properties.new_attributes.state', 'ilike', 'fin%']]), true);
    const ev = event({ properties: { new_attributes: { priority: 5 } } });
    assert.equal(matches([['properties.new_attributes.priority', '>', 4]], ev), true);
    assert.equal(matches([['properties.new_attributes.priority', '=', '5']], ev), false, 'a number is not a string');
    assert.equal(matches([['properties.new_attributes.priority', '!=', '5']], ev), true);
    assert.equal(matches([['properties.new_attributes.priority', '<', 'z']], ev), false, 'no order between numbers and strings');
    assert.equal(matches([['properties.new_attributes.priority', 'like', '5']], ev), true, 'like sees the text of a number');
  });

  test('a missing path is NULL', () => {
    assert.equal(matches([['properties.new_attributes.exit_code', '=', null]]), true);
    assert.equal(matches([['properties.new_attributes.exit_code', '!=', 0]]), true);
    assert.equal(matches([['properties.new_attributes.state.deeper', '=', 'x']]), false);
  });

  test('a key in <…> is taken whole, dots and all', () => {
    const ev = event({ properties: { 'a.b': 'yes', a: { b: 'no' } } });
    assert.equal(matches([['properties.<a.b>', '=', 'yes']], ev), true);
    assert.equal(matches([['properties.a.b', '=', 'no']], ev), true);
  });
});

describe('conditions, attributes lists and subscriptions', () => {
  test('conditions are ANDed; [] matches everything', () => {
    assert.equal(matchesFilter([], event()), true);
    assert.equal(matches([['event_type', '=', 'update'], ['id', '>', 1]]), true);
    assert.equal(matches([['event_type', '=', 'update'], ['id', '>', 100]]), false);
  });

  test('a list of attributes ORs the condition across them', () => {
    const either = [[['object_uuid', 'object_owner_uuid'], '=', PROJECT]];
    assert.equal(matches(either), true);
    assert.equal(matches(either, event({ object_owner_uuid: 'zzzzz-tpzed-000000000000001' })), false);
    assert.equal(matches([[['owner_uuid', 'object_owner_uuid'], 'is_a', 'arvados#group']]), true);
    assert.equal(matches([[['object_uuid', 'properties.new_attributes.owner_uuid'], '=', 'zzzzz-j7d0g-bbbbbbbbbbbbbbb']]), false);
  });

  test('matchesAny ORs filters; an empty list of filters matches nothing', () => {
    const creates: Filter = [['event_type', '=', 'create']];
    const updates: Filter = [['event_type', '=', 'update']];
    assert.equal(matchesAny([creates, updates], event()), true);
    assert.equal(matchesAny([creates], event()), false);
    assert.equal(matchesAny([], event()), false);
    assert.equal(matchesAny([[]], event()), true);
  });

  test('matching accepts unnormalized operators and refuses malformed filters', () => {
    assert.equal(matchesFilter([['event_type', 'IN', ['update']]], event()), true);
    assert.throws(
      () => matchesFilter([['event_type', '=', 'update'], ['event_type', '~', 'x']], event()),
      (e: unknown) => e instanceof FilterError && e.index === 1 && /unknown operator '~'/.test(e.message),
    );
  });

  test('compileFilter gives a reusable predicate', () => {
    const isUpdate = compileFilter(parseFilter([['event_type', '=', 'update']]));
    assert.equal(isUpdate(event()), true);
    assert.equal(isUpdate(event({ event_type: 'create' })), false);
  });
});

describe('serverConditions: what the websocket server applies', () => {
  test('keeps event_type in [strings] and created_at against RFC3339', () => {
    const filter: Filter = [
      ['event_type', 'in', ['create', 5, null, 'update']],
      ['created_at', '>=', '2024-01-02T03:04:05Z'],
      ['created_at', '<', '2024-01-02T03:04:05.123456789+02:00'],
      ['created_at', '=', '2024-01-02T03:04:05.5-05:00'],
    ];
    assert.deepEqual(serverConditions(filter), [
      ['event_type', 'in', ['create', 'update']],
      ['created_at', '>=', '2024-01-02T03:04:05Z'],
      ['created_at', '<', '2024-01-02T03:04:05.123456789+02:00'],
      ['created_at', '=', '2024-01-02T03:04:05.5-05:00'],
    ]);
  });

  test('drops everything else, which the server silently ignores', () => {
    const filter: Filter = [
      ['event_type', '=', 'update'],
      ['event_type', 'IN', ['update']],
      ['event_type', 'in', 'update'],
      ['created_at', '>', '2024-01-02'],
      ['created_at', '>', '2024-01-02 03:04:05'],
      ['created_at', '!=', '2024-01-02T03:04:05Z'],
      ['created_at', '>', '2024-02-30T03:04:05Z'],
      ['event_at', '>', '2024-01-02T03:04:05Z'],
      ['object_uuid', '=', CR],
      ['object_uuid', 'is_a', 'arvados#containerRequest'],
      ['properties.new_attributes.state', '=', 'Final'],
    ];
    assert.deepEqual(serverConditions(filter), []);
  });
});

describe('restConditions: what is safe to send to the logs API', () => {
  test('keeps conditions the API applies as the client does', () => {
    const filter = parseFilter([
      ['object_uuid', '=', CR],
      ['event_type', 'in', ['create', 'update']],
      ['id', '>', 100],
      ['id', 'in', [1, 2]],
      ['created_at', '>=', '2024-01-02'],
      ['object_uuid', 'like', 'zzzzz-xvhdp-%'],
      ['object_owner_uuid', 'is_a', 'arvados#group'],
      ['event_type', '!=', 'delete'],
      [['object_uuid', 'object_owner_uuid'], '=', PROJECT],
    ]);
    assert.deepEqual(restConditions(filter), filter);
  });

  test('sends <> as != and rewrites nothing else', () => {
    assert.deepEqual(restConditions([['event_type', '<>', 'delete']]), [['event_type', '!=', 'delete']]);
  });

  test('drops properties, exists, and operators the API lacks', () => {
    const filter = parseFilter([
      ['properties.new_attributes.state', '=', 'Final'],
      ['properties', 'exists', 'text'],
      ['properties.new_attributes.state', 'exists', true],
      ['event_type', 'not like', 'x%'],
      ['event_type', 'not ilike', 'x%'],
      [['object_uuid', 'properties.new_attributes.owner_uuid'], '=', PROJECT],
    ]);
    assert.deepEqual(restConditions(filter), []);
  });

  test('drops columns events do not carry, so both transports agree', () => {
    const filter = parseFilter([
      ['owner_uuid', '!=', PROJECT],
      ['modified_by_user_uuid', '=', 'zzzzz-tpzed-000000000000000'],
      ['summary', 'like', '%x%'],
      ['modified_at', '>', '2024-01-01'],
    ]);
    assert.deepEqual(restConditions(filter), []);
  });

  test("drops conditions that treat NULL and '' differently (events turn NULL into '')", () => {
    const filter = parseFilter([
      ['event_type', '=', ''],
      ['object_owner_uuid', '=', null],
      ['object_owner_uuid', 'in', ['', PROJECT]],
      ['event_type', 'like', '%'],
    ]);
    assert.deepEqual(restConditions(filter), []);
    assert.deepEqual(restConditions([['object_owner_uuid', '!=', PROJECT]]), [['object_owner_uuid', '!=', PROJECT]]);
  });

  test('drops text ordering, empty lists, time lists and id lists of strings', () => {
    const filter = parseFilter([
      ['event_type', '>', 'a'],
      ['event_type', 'in', []],
      ['id', 'not in', []],
      ['created_at', 'in', ['2024-01-02']],
      ['id', 'in', ['1', 2]],
    ]);
    assert.deepEqual(restConditions(filter), []);
  });

  test('object_kind =, in and is_a become object_uuid is_a, except for collections', () => {
    assert.deepEqual(restConditions([['object_kind', '=', 'arvados#containerRequest']]), [['object_uuid', 'is_a', 'arvados#containerRequest']]);
    assert.deepEqual(restConditions([['object_kind', 'in', ['arvados#container', 'arvados#containerRequest']]]), [
      ['object_uuid', 'is_a', ['arvados#container', 'arvados#containerRequest']],
    ]);
    assert.deepEqual(restConditions([['object_kind', 'is_a', 'arvados#workflow']]), [['object_uuid', 'is_a', 'arvados#workflow']]);
    assert.deepEqual(restConditions([['object_kind', '=', 'arvados#collection']]), [], 'a PDH object_uuid is a collection too');
    assert.deepEqual(restConditions([['object_kind', '!=', 'arvados#container']]), []);
    assert.deepEqual(restConditions([['object_kind', '=', '']]), []);
    assert.deepEqual(restConditions([['object_kind', 'in', ['arvados#container', null]]]), []);
    assert.deepEqual(restConditions(parseFilter([[['object_kind', 'event_type'], '=', 'arvados#container']])), []);
  });

  test('what it keeps never drops an event the client would accept', () => {
    const filter = parseFilter([['event_type', '!=', 'delete'], ['object_kind', '=', 'arvados#containerRequest']]);
    const pushed = restConditions(filter);
    for (const ev of [event(), event({ event_type: '' }), event({ object_owner_uuid: '' })]) {
      if (matchesFilter(filter, ev)) assert.equal(matchesFilter(pushed, ev), true);
    }
  });
});

describe('describeFilter', () => {
  test('"all events" for []', () => {
    assert.equal(describeFilter([]), 'all events');
  });

  test('a short line for people', () => {
    assert.equal(
      describeFilter([['event_type', 'in', ['create', 'update']], ['object_uuid', '=', CR]]),
      'event type in create, update · object uuid = zzzzz-xvhdp-…',
    );
  });

  test('kinds in words, NULL tests, exists, long lists and property paths', () => {
    assert.equal(describeFilter([['object_uuid', 'is_a', ['arvados#containerRequest', 'arvados#workflow']]]), 'object uuid is a container request, workflow');
    assert.equal(describeFilter([['object_kind', '=', 'arvados#collection']]), 'object kind = collection');
    assert.equal(describeFilter([['object_owner_uuid', '=', null], ['owner_uuid', '!=', null]]), 'object owner uuid is null · owner uuid is not null');
    assert.equal(describeFilter([['properties', 'exists', 'text']]), 'properties has text');
    assert.equal(describeFilter([['properties.new_attributes.state', 'exists', false]]), 'property new_attributes.state is absent');
    assert.equal(describeFilter([['id', 'not in', [1, 2, 3, 4, 5, 6]]]), 'id not in 1, 2, 3, 4, 2 more');
    assert.equal(describeFilter(parseFilter([[['object_uuid', 'object_owner_uuid'], '!=', 'x']])), 'object uuid or object owner uuid ≠ x');
    assert.equal(describeFilter([['event_type', 'ILIKE', 'up%']]), 'event type like (any case) up%');
  });
});

describe('filterWarnings', () => {
  test('points out conditions that cannot do what they seem to', () => {
    const warnings = filterWarnings(parseFilter([
      ['owner_uuid', '=', PROJECT],
      ['properties.new_attributes.exit_code', '=', 0],
      ['properties.new_attributes.state', '=', 'Final'],
      ['event_type', 'not in', ['delete', null]],
    ]));
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!, /Condition 1: events do not carry owner_uuid/);
    assert.match(warnings[1]!, /Condition 2: events carry only is_trashed, name, .* of new_attributes/);
    assert.match(warnings[2]!, /Condition 4: .*never matches/);
    assert.deepEqual(filterWarnings([['event_type', 'in', ['create']]]), []);
  });
});
