/** Workbench2's status rules (protocol facts §12): one test per row, in the table's order, plus what precedes them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusLabel } from '../../../../src/model/processes/presentation';
import { processStatus, type ContainerFacts, type RequestFacts } from '../../../../src/model/processes/status';

const C = 'zzzzz-dz642-000000000000001';
const req = (over: Partial<RequestFacts> = {}): RequestFacts => ({ uuid: 'zzzzz-xvhdp-000000000000001', state: 'Committed', priority: 500, container_uuid: C, created_at: '2026-12-01T10:00:00.000000000Z', ...over });
const container = (over: Partial<ContainerFacts> = {}): ContainerFacts => ({ uuid: C, state: 'Running', exit_code: null, runtime_status: {}, finished_at: null, ...over });

test('row 1: Complete, exit 0, finished before the request was created: Reused', () => {
  const s = processStatus(req({ state: 'Final' }), container({ state: 'Complete', exit_code: 0, finished_at: '2026-12-01T09:00:00Z' }));
  assert.deepEqual(s, { word: 'Reused' });
});

test('row 2: Complete, exit 0: Completed', () => {
  const s = processStatus(req({ state: 'Final' }), container({ state: 'Complete', exit_code: 0, finished_at: '2026-12-01T11:00:00Z' }));
  assert.deepEqual(s, { word: 'Completed' });
});

test('row 3: Complete, exit non-zero: Failed with the exit code', () => {
  const s = processStatus(req({ state: 'Final' }), container({ state: 'Complete', exit_code: 137, finished_at: '2026-12-01T11:00:00Z' }));
  assert.deepEqual(s, { word: 'Failed', exitCode: 137 });
  assert.equal(statusLabel(s), 'Failed (exit 137)');
});

test('row 4: request Final, container not Complete: Cancelled', () => {
  assert.equal(processStatus(req({ state: 'Final' }), container({ state: 'Cancelled' })).word, 'Cancelled');
  assert.equal(processStatus(req({ state: 'Final' }), container({ state: 'Running' })).word, 'Cancelled', 'finalized from above while running');
  assert.equal(processStatus(req({ state: 'Final', container_uuid: null })).word, 'Cancelled', 'never got a container');
});

test('row 5: container Running, request priority 0: Cancelling', () => {
  assert.equal(processStatus(req({ priority: 0 }), container({ runtime_status: { error: 'x' } })).word, 'Cancelling', 'before Failing');
});

test('row 6: container Running with runtime_status.error: Failing', () => {
  assert.equal(processStatus(req(), container({ runtime_status: { error: 'exit status 1', warning: 'w' } })).word, 'Failing', 'before Warning');
});

test('row 7: container Running with runtime_status.warning: Warning', () => {
  assert.equal(processStatus(req(), container({ runtime_status: { warning: 'preemptible instance may be interrupted' } })).word, 'Warning');
});

test('row 8: container Running: Running', () => {
  assert.equal(processStatus(req(), container()).word, 'Running');
  assert.equal(processStatus(req(), container({ runtime_status: { error: '  ' } })).word, 'Running', 'a blank error is no error');
});

test('row 9: container Queued or Locked, request priority 0: On hold', () => {
  assert.equal(processStatus(req({ priority: 0 }), container({ state: 'Queued' })).word, 'On hold');
  assert.equal(processStatus(req({ priority: 0 }), container({ state: 'Locked' })).word, 'On hold');
});

test('row 10: container Queued or Locked: Queued', () => {
  assert.equal(processStatus(req(), container({ state: 'Queued' })).word, 'Queued');
  assert.equal(processStatus(req(), container({ state: 'Locked' })).word, 'Queued');
});

test('a Cancelled container under a Committed request is a retry waiting: Queued, not Cancelled', () => {
  assert.equal(processStatus(req(), container({ state: 'Cancelled' })).word, 'Queued');
});

test('before the table: an uncommitted request is a Draft; a Final one whose container is not read yet is Unknown', () => {
  assert.equal(processStatus(req({ state: 'Uncommitted', container_uuid: null })).word, 'Draft');
  assert.equal(processStatus(req({ state: 'Final' })).word, 'Unknown');
});
