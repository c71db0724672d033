import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventLogLines } from '../../../src/model/eventLog';
import { ev, resetIds } from '../../helpers/fixtures';

test('output lines: one per event, bounded per batch with a count of the rest', () => {
  resetIds();
  const events = Array.from({ length: 5 }, () => ev());
  const lines = eventLogLines(events, 2, undefined, 3);
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^event #1 update container request /);
  assert.match(lines[3], /4 more events not logged/);
  assert.deepEqual(eventLogLines([], 0, undefined, 3), []);
});
