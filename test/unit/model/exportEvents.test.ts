import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExportName, toJsonLines } from '../../../src/model/exportEvents';
import { ev, resetIds } from '../../helpers/fixtures';

test('export writes JSON Lines, oldest first, through the redactor', () => {
  resetIds();
  const text = toJsonLines([ev({ new: { name: 'secret-token' } }), ev()], (s) => s.replace('secret-token', '***'));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[0]).id, 1);
  assert.ok(!text.includes('secret-token'));
  assert.equal(defaultExportName(new Date('2026-11-24T10:00:00.123Z')), 'arvados-events-2026-11-24T10-00-00.jsonl');
});
