import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError } from '../../../src/arvados';
import {
  conditionFilter, eventTypesFilter, kindChoices, kindsFilter, looksLikeFilterJson, objectFilter, ownerFilter, readOperand,
} from '../../../src/model/filterPresets';
import { CR, PROJECT, USER } from '../../helpers/fixtures';

test('presets build valid, normalized filters', () => {
  assert.deepEqual(objectFilter(` ${CR} `), [['object_uuid', '=', CR]]);
  assert.deepEqual(eventTypesFilter(['create', 'update']), [['event_type', 'in', ['create', 'update']]]);
  assert.deepEqual(kindsFilter(['arvados#collection']), [['object_uuid', 'is_a', 'arvados#collection']]);
  assert.deepEqual(kindsFilter(['arvados#collection', 'arvados#container']), [['object_uuid', 'is_a', ['arvados#collection', 'arvados#container']]]);
  assert.deepEqual(ownerFilter(PROJECT), [['object_owner_uuid', '=', PROJECT]]);
  assert.deepEqual(ownerFilter(USER), [['object_owner_uuid', '=', USER]]);
});

test('bad preset input is refused with a FilterError that says why', () => {
  assert.throws(() => objectFilter('not-a-uuid'), (e: unknown) => e instanceof FilterError && /must be an Arvados UUID/.test(e.message));
  assert.throws(() => eventTypesFilter([]), FilterError);
  assert.throws(() => kindsFilter([]), FilterError);
  assert.throws(() => kindsFilter(['arvados#nope']), (e: unknown) => e instanceof FilterError && /unknown kind/.test(e.message));
});

test('kinds are offered in words, the common ones first, never logs', () => {
  const kinds = kindChoices();
  assert.equal(kinds[0].kind, 'arvados#containerRequest');
  assert.equal(kinds[0].words, 'container request');
  assert.ok(!kinds.some((k) => k.kind === 'arvados#log'));
});

test('typed operands: JSON when it parses, text otherwise, lists for in', () => {
  assert.equal(readOperand('5', '='), 5);
  assert.equal(readOperand('abc', '='), 'abc');
  assert.deepEqual(readOperand('a, b', 'in'), ['a', 'b']);
  assert.deepEqual(readOperand('["a"]', 'not in'), ['a']);
  assert.deepEqual(conditionFilter('event_type', '=', 'update'), [['event_type', '=', 'update']]);
  assert.deepEqual(conditionFilter('event_type', 'in', 'create,update'), [['event_type', 'in', ['create', 'update']]]);
  assert.deepEqual(conditionFilter('object_uuid', 'like', '%xvhdp%'), [['object_uuid', 'like', '%xvhdp%']]);
  assert.deepEqual(conditionFilter('id', '>', '100'), [['id', '>', 100]]);
  assert.deepEqual(conditionFilter('summary', '=', '123'), [['summary', '=', '123']], 'digits stay text for a text attribute');
  assert.throws(() => conditionFilter('id', '>', 'abc'), FilterError);
  assert.throws(() => conditionFilter('event_at', '>', 'yesterday'), FilterError);
  assert.ok(looksLikeFilterJson('  [["a"'));
  assert.ok(!looksLikeFilterJson('events about'));
});
