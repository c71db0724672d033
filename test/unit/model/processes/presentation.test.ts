/** How a process reads: its row's description, tooltip, icon and details document. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsInWords, formatDuration, processDescription, processDetails, processTooltip, runtimeOf, statusIcon } from '../../../../src/model/processes/presentation';
import { STATUS_ORDER } from '../../../../src/model/processes/status';
import { ProcessTree } from '../../../../src/model/processes/tree';
import { ev } from '../../../helpers/fixtures';
import { ManualScheduler } from '../../../helpers/manualScheduler';

const NOW = Date.parse('2026-12-01T10:10:00Z');
const C1 = 'zzzzz-dz642-000000000000001';
const R1 = 'zzzzz-xvhdp-000000000000001';

async function treeWith(requests: Array<Record<string, unknown>>, containers: Array<Record<string, unknown>>) {
  const api = {
    list: async <T>(resource: string, params: { filters?: unknown[] } = {}) => {
      const [col, , vals] = (params.filters?.[0] ?? []) as [string, string, unknown];
      const rows = resource === 'containers' ? containers : requests;
      const want = Array.isArray(vals) ? vals : [vals];
      return { items: rows.filter((r) => want.includes(r[col])) as T[] };
    },
  };
  const scheduler = new ManualScheduler(NOW);
  const tree = new ProcessTree({ api: () => api, userUuid: () => 'zzzzz-tpzed-000000000000001', scheduler });
  for (const r of requests) tree.onEvent(ev({ object_uuid: r.uuid as string, new: { state: r.state } }));
  for (let i = 0; i < 5; i++) {
    scheduler.advance(300);
    await new Promise((r) => setImmediate(r));
  }
  return tree;
}

test('durations and runtimes', () => {
  assert.equal(formatDuration(4_000), '4 s');
  assert.equal(formatDuration(200_000), '3 min 20 s');
  assert.equal(formatDuration(7_500_000), '2 h 5 min');
  assert.equal(runtimeOf({ uuid: C1, state: 'Running', started_at: '2026-12-01T10:09:00Z' }, NOW), 'running for 1 min');
  assert.equal(runtimeOf({ uuid: C1, state: 'Complete', started_at: '2026-12-01T10:00:00Z', finished_at: '2026-12-01T10:04:10Z' }, NOW), 'ran 4 min 10 s');
  assert.equal(runtimeOf({ uuid: C1, state: 'Queued' }, NOW), undefined);
});

test('every status word has an icon of its own', () => {
  const ids = STATUS_ORDER.map((word) => `${statusIcon({ word }).id}/${statusIcon({ word }).color ?? ''}`);
  assert.equal(new Set(ids).size, STATUS_ORDER.length, ids.join(' '));
});

test("a workflow's row: status, runtime, cost, and its steps per status; a failed step's tooltip and details", async () => {
  const steps = [2, 3, 4].map((n) => `zzzzz-xvhdp-00000000000000${n}`);
  const tree = await treeWith(
    [
      { uuid: R1, name: 'WGS *germline*', state: 'Committed', priority: 500, container_uuid: C1, requesting_container_uuid: null, container_count: 1, container_count_max: 3, cumulative_cost: 0 },
      { uuid: steps[0], name: 'bwa', state: 'Final', priority: 500, container_uuid: 'zzzzz-dz642-000000000000002', requesting_container_uuid: C1, cumulative_cost: 1.5 },
      { uuid: steps[1], name: 'bwa_2', state: 'Final', priority: 500, container_uuid: 'zzzzz-dz642-000000000000003', requesting_container_uuid: C1, log_uuid: 'zzzzz-4zz18-000000000000003' },
      { uuid: steps[2], name: 'sort', state: 'Committed', priority: 500, container_uuid: 'zzzzz-dz642-000000000000004', requesting_container_uuid: C1 },
    ],
    [
      { uuid: C1, state: 'Running', started_at: '2026-12-01T10:00:00Z', cost: 0.25, subrequests_cost: 1 },
      { uuid: 'zzzzz-dz642-000000000000002', state: 'Complete', exit_code: 0, started_at: '2026-12-01T10:01:00Z', finished_at: '2026-12-01T10:02:00Z' },
      { uuid: 'zzzzz-dz642-000000000000003', state: 'Complete', exit_code: 3, started_at: '2026-12-01T10:01:00Z', finished_at: '2026-12-01T10:03:00Z', runtime_status: { error: 'bwa exited 3', errorDetail: 'out of memory' } },
      { uuid: 'zzzzz-dz642-000000000000004', state: 'Running', started_at: '2026-12-01T10:05:00Z' },
    ],
  );
  const wf = tree.node(R1)!;
  assert.equal(processDescription(tree, wf, NOW), 'Running · running for 10 min · $1.250 · 1 failed · 1 running · 1 completed');
  assert.equal(countsInWords(tree.counts(R1)), '1 failed · 1 running · 1 completed');
  const failed = tree.node(steps[1])!;
  assert.equal(processDescription(tree, failed, NOW), 'Failed (exit 3) · ran 2 min');
  const tip = processTooltip(tree, wf, NOW);
  assert.match(tip, /^\*\*WGS \\\*germline\\\*\*\*/, 'the name, escaped');
  assert.match(processTooltip(tree, failed, NOW), /Error: bwa exited 3/);
  const doc = processDetails(tree, failed, NOW, 'https://workbench.zzzzz.example/');
  for (const want of ['# bwa_2', 'Status:', 'Failed (exit 3)', 'out of memory', 'bwa exited 3', 'zzzzz-4zz18-000000000000003  https://workbench.zzzzz.example/collections/zzzzz-4zz18-000000000000003', `https://workbench.zzzzz.example/processes/${steps[1]}`, 'WGS *germline*  (zzzzz-xvhdp-000000000000001', 'Started:', 'Finished:', 'Priority:', 'Output:', 'of at most']) {
    assert.ok(doc.includes(want), `details lack ${want}:\n${doc}`);
  }
});
