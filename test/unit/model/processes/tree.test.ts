/**
 * Building the process tree from events and fetched details: a step seen before its parent,
 * retries, reused containers, a Cancelled container that is then retried, the filters, the
 * coalesced refreshes and the batched reads. The API is an in-memory double here (the batching
 * against the fake cluster over real sockets is test/integration/processes-fetch.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListParams, ListResult } from '../../../../src/arvados';
import { NameBook } from '../../../../src/model/labels';
import type { ContainerFacts, RequestFacts } from '../../../../src/model/processes/status';
import { ProcessTree } from '../../../../src/model/processes/tree';
import { ev } from '../../../helpers/fixtures';
import { ManualScheduler } from '../../../helpers/manualScheduler';

const ME = 'zzzzz-tpzed-000000000000001';
const cr = (n: number) => `zzzzz-xvhdp-${String(n).padStart(15, '0')}`;
const ct = (n: number) => `zzzzz-dz642-${String(n).padStart(15, '0')}`;

/** The cluster's objects, listed with `uuid in` / `container_uuid in` / `=` filters, as the tree asks. */
class MemoryApi {
  readonly requests = new Map<string, RequestFacts>();
  readonly containers = new Map<string, ContainerFacts>();
  readonly calls: Array<{ resource: string; params: ListParams }> = [];

  async list<T>(resource: string, params: ListParams = {}): Promise<ListResult<T>> {
    this.calls.push({ resource, params });
    const rows = (resource === 'containers' ? [...this.containers.values()] : [...this.requests.values()]) as unknown as Array<Record<string, unknown>>;
    const items = rows.filter((r) =>
      (params.filters ?? []).every((f) => {
        const [col, op, val] = f as [string, string, unknown];
        if (op === 'in') return (val as unknown[]).includes(r[col]);
        if (op === '=') return (r[col] ?? null) === val;
        return true;
      }),
    );
    return { items: structuredClone(items) as T[] };
  }

  put(r: RequestFacts): void {
    this.requests.set(r.uuid, { ...this.requests.get(r.uuid), ...r });
  }

  putContainer(c: ContainerFacts): void {
    this.containers.set(c.uuid, { ...this.containers.get(c.uuid), ...c });
  }
}

function setup() {
  const api = new MemoryApi();
  const scheduler = new ManualScheduler(Date.UTC(2026, 11, 1, 10));
  const names = new NameBook();
  const tree = new ProcessTree({ api: () => api, userUuid: () => ME, scheduler, names });
  /** Lets timers fall due and the fetches' promises settle, a few rounds. */
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      scheduler.advance(300);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { api, scheduler, names, tree, settle };
}

/** A request's event as the websocket sends it: only the six attributes. */
function crEvent(uuid: string, attrs: Record<string, unknown>, type = 'update') {
  return ev({ object_uuid: uuid, event_type: type, new: attrs });
}

test('a step seen before its parent waits at the top, then moves under the parent once it is known', async () => {
  const { api, tree, settle } = setup();
  api.put({ uuid: cr(2), name: 'bwa_1', state: 'Committed', priority: 500, requesting_container_uuid: ct(1), container_uuid: ct(2), owner_uuid: ME });
  api.putContainer({ uuid: ct(2), state: 'Running' });
  tree.onEvent(crEvent(cr(2), { name: 'bwa_1', state: 'Committed', requesting_container_uuid: ct(1) }, 'create'));
  // The parent's request is not visible yet: the step stays at the top.
  await settle();
  assert.deepEqual(tree.roots().map((n) => n.uuid), [cr(2)]);
  // The parent appears (its create event): the step moves under it.
  api.put({ uuid: cr(1), name: 'WGS pipeline', state: 'Committed', priority: 500, requesting_container_uuid: null, container_uuid: ct(1), owner_uuid: ME });
  api.putContainer({ uuid: ct(1), state: 'Running' });
  tree.onEvent(crEvent(cr(1), { name: 'WGS pipeline', state: 'Committed', requesting_container_uuid: null }, 'create'));
  await settle();
  assert.deepEqual(tree.roots().map((n) => n.uuid), [cr(1)]);
  assert.deepEqual(tree.children(cr(1)).map((n) => n.uuid), [cr(2)]);
  assert.equal(tree.parentOf(cr(2))?.uuid, cr(1));
});

test("a step's parent is looked up by its requesting container when no event names it", async () => {
  const { api, tree, settle } = setup();
  api.put({ uuid: cr(1), name: 'RNA-seq', state: 'Committed', requesting_container_uuid: null, container_uuid: ct(1), owner_uuid: ME });
  api.put({ uuid: cr(2), name: 'star', state: 'Committed', requesting_container_uuid: ct(1), container_uuid: ct(2), owner_uuid: ME });
  tree.onEvent(crEvent(cr(2), { name: 'star', state: 'Committed', requesting_container_uuid: ct(1) }, 'create'));
  await settle();
  assert.deepEqual(tree.roots().map((n) => n.uuid), [cr(1)], 'the parent was found by container_uuid');
  const lookup = api.calls.find((c) => JSON.stringify(c.params.filters).includes('"container_uuid","in"'));
  assert.ok(lookup, 'one container_uuid in [...] list');
});

test('a retry: the request moves to a new container, keeps the steps its first container asked for and gets new ones', async () => {
  const { api, tree, settle } = setup();
  api.put({ uuid: cr(1), name: 'wf', state: 'Committed', priority: 500, requesting_container_uuid: null, container_uuid: ct(1), container_count: 1, owner_uuid: ME });
  api.putContainer({ uuid: ct(1), state: 'Running' });
  api.put({ uuid: cr(2), name: 'step-a', state: 'Final', requesting_container_uuid: ct(1), container_uuid: ct(2), owner_uuid: ME });
  api.putContainer({ uuid: ct(2), state: 'Complete', exit_code: 0, finished_at: '2026-12-01T10:05:00Z' });
  tree.onEvent(crEvent(cr(1), { state: 'Committed', requesting_container_uuid: null }, 'create'));
  tree.onEvent(crEvent(cr(2), { state: 'Final', requesting_container_uuid: ct(1) }));
  await settle();
  // The runner's container is cancelled (a node went away) and the request retries on ct(3).
  api.putContainer({ uuid: ct(1), state: 'Cancelled' });
  tree.onEvent(ev({ object_uuid: ct(1), new: { state: 'Cancelled' } }));
  await settle();
  assert.equal(tree.status(tree.node(cr(1))!).word, 'Queued', 'a Cancelled container under a Committed request: the retry waits');
  api.put({ uuid: cr(1), container_uuid: ct(3), container_count: 2 });
  api.putContainer({ uuid: ct(3), state: 'Running' });
  tree.onEvent(crEvent(cr(1), { state: 'Committed' }));
  api.put({ uuid: cr(4), name: 'step-a', state: 'Committed', priority: 500, requesting_container_uuid: ct(3), container_uuid: ct(4), owner_uuid: ME });
  api.putContainer({ uuid: ct(4), state: 'Queued' });
  tree.onEvent(crEvent(cr(4), { state: 'Committed', requesting_container_uuid: ct(3) }, 'create'));
  await settle();
  const node = tree.node(cr(1))!;
  assert.deepEqual(node.containerUuids, [ct(1), ct(3)]);
  assert.equal(tree.status(node).word, 'Running');
  assert.deepEqual(tree.children(cr(1)).map((n) => n.uuid), [cr(2), cr(4)], 'steps of both attempts');
  assert.deepEqual(tree.counts(cr(1)), [['Queued', 1], ['Completed', 1]]);
});

test('a Cancelled container that is then retried reads Queued, then Running; cancelled for good only when the request is Final', async () => {
  const { api, tree, settle } = setup();
  api.put({ uuid: cr(1), name: 'sort', state: 'Committed', priority: 500, requesting_container_uuid: null, container_uuid: ct(1), owner_uuid: ME });
  api.putContainer({ uuid: ct(1), state: 'Cancelled', runtime_status: { error: 'node failure' } });
  tree.onEvent(crEvent(cr(1), { state: 'Committed', requesting_container_uuid: null }));
  await settle();
  assert.equal(tree.status(tree.node(cr(1))!).word, 'Queued');
  api.put({ uuid: cr(1), container_uuid: ct(2), container_count: 2 });
  api.putContainer({ uuid: ct(2), state: 'Running' });
  tree.onEvent(crEvent(cr(1), { state: 'Committed' }));
  await settle();
  assert.equal(tree.status(tree.node(cr(1))!).word, 'Running');
  api.putContainer({ uuid: ct(2), state: 'Cancelled' });
  api.put({ uuid: cr(1), state: 'Final' });
  tree.onEvent(ev({ object_uuid: ct(2), new: { state: 'Cancelled' } }));
  tree.onEvent(crEvent(cr(1), { state: 'Final' }));
  await settle();
  assert.equal(tree.status(tree.node(cr(1))!).word, 'Cancelled');
});

test('a reused container: the new request is Reused, the first one Completed, both on the same container', async () => {
  const { api, tree, settle } = setup();
  api.putContainer({ uuid: ct(1), state: 'Complete', exit_code: 0, finished_at: '2026-12-01T09:00:00Z' });
  api.put({ uuid: cr(1), name: 'fastqc', state: 'Final', requesting_container_uuid: null, container_uuid: ct(1), created_at: '2026-12-01T08:00:00Z', owner_uuid: ME });
  api.put({ uuid: cr(2), name: 'fastqc again', state: 'Final', requesting_container_uuid: null, container_uuid: ct(1), created_at: '2026-12-01T09:30:00Z', owner_uuid: ME });
  tree.onEvent(crEvent(cr(1), { state: 'Final', requesting_container_uuid: null }));
  tree.onEvent(crEvent(cr(2), { state: 'Final', requesting_container_uuid: null }, 'create'));
  await settle();
  assert.equal(tree.status(tree.node(cr(1))!).word, 'Completed');
  assert.equal(tree.status(tree.node(cr(2))!).word, 'Reused');
  assert.deepEqual(tree.roots().map((n) => n.uuid), [cr(2), cr(1)], 'newest first');
});

test('a failing step is Failed with its exit code; the workflow counts its steps per status; failed-only keeps the path to it', async () => {
  const { api, tree, settle } = setup();
  api.put({ uuid: cr(1), name: 'wf', state: 'Committed', priority: 500, requesting_container_uuid: null, container_uuid: ct(1), owner_uuid: ME });
  api.putContainer({ uuid: ct(1), state: 'Running' });
  api.put({ uuid: cr(9), name: 'other', state: 'Committed', priority: 500, requesting_container_uuid: null, container_uuid: ct(9), owner_uuid: ME });
  api.putContainer({ uuid: ct(9), state: 'Running' });
  for (const [n, state, exit] of [[2, 'Complete', 0], [3, 'Complete', 0], [4, 'Running', null], [5, 'Complete', 2]] as const) {
    api.put({ uuid: cr(n), name: `s${n}`, state: state === 'Complete' ? 'Final' : 'Committed', priority: 500, requesting_container_uuid: ct(1), container_uuid: ct(n), owner_uuid: ME });
    api.putContainer({ uuid: ct(n), state, exit_code: exit, finished_at: state === 'Complete' ? '2026-12-01T11:00:00Z' : null });
  }
  for (const n of [1, 9, 2, 3, 4, 5]) tree.onEvent(crEvent(cr(n), { state: 'Committed' }));
  await settle();
  assert.deepEqual(tree.status(tree.node(cr(5))!), { word: 'Failed', exitCode: 2 });
  assert.deepEqual(tree.counts(cr(1)), [['Failed', 1], ['Running', 1], ['Completed', 2]]);
  const filter = { mineOnly: false, failedOnly: true };
  assert.deepEqual(tree.roots(filter).map((n) => n.uuid), [cr(1)]);
  assert.deepEqual(tree.children(cr(1), filter).map((n) => n.uuid), [cr(5)]);
});

test('mine only: top-level requests of other users are left out', async () => {
  const { api, scheduler } = setup();
  const mineOf = new Map([[ME, true], ['zzzzz-tpzed-000000000000002', false]]);
  const tree = new ProcessTree({ api: () => api, userUuid: () => ME, scheduler, ownedByMe: async (o) => mineOf.get(o) ?? false });
  api.put({ uuid: cr(1), name: 'mine', state: 'Committed', requesting_container_uuid: null, owner_uuid: ME, created_at: '2026-12-01T10:00:00Z' });
  api.put({ uuid: cr(2), name: 'theirs', state: 'Committed', requesting_container_uuid: null, owner_uuid: 'zzzzz-tpzed-000000000000002', created_at: '2026-12-01T10:01:00Z' });
  assert.equal(await tree.loadRecent(50), 2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(tree.roots({ mineOnly: true, failedOnly: false }).map((n) => n.request.name), ['mine']);
  assert.deepEqual(tree.roots({ mineOnly: false, failedOnly: false }).map((n) => n.request.name), ['theirs', 'mine']);
  const [call] = api.calls;
  assert.deepEqual(call.params.filters, [['requesting_container_uuid', '=', null]]);
  assert.deepEqual(call.params.order, ['created_at desc']);
  assert.equal(call.params.limit, 50);
});

test('containers are named after their request, in the shared name book', async () => {
  const { api, tree, names, settle } = setup();
  api.put({ uuid: cr(1), name: 'bwa-mem alignment: sample NA12878', state: 'Committed', requesting_container_uuid: null, container_uuid: ct(1), owner_uuid: ME });
  tree.onEvent(crEvent(cr(1), { state: 'Committed' }));
  await settle();
  assert.equal(names.get(ct(1)), 'bwa-mem alignment: sample NA12878');
  assert.equal(tree.requestOfContainer(ct(1))?.uuid, cr(1));
});

test('a flood of events is announced at most 4 times a second, and read in lists of at most 100', async () => {
  const { api, tree, scheduler } = setup();
  let announced = 0;
  tree.onDidChange(() => announced++);
  for (let n = 1; n <= 1000; n++) api.put({ uuid: cr(n), name: `s${n}`, state: 'Committed', requesting_container_uuid: null, container_uuid: ct(n), owner_uuid: ME });
  for (let n = 1; n <= 1000; n++) api.putContainer({ uuid: ct(n), state: 'Running' });
  // 1000 events over 2 s of the manual clock, 10 every 20 ms.
  for (let i = 0; i < 100; i++) {
    for (let j = 1; j <= 10; j++) tree.onEvent(crEvent(cr(i * 10 + j), { state: 'Committed' }));
    scheduler.advance(20);
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 0; i < 10; i++) {
    scheduler.advance(250);
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(announced >= 2 && announced <= 4 * 4.5, `${announced} refreshes in about 4.5 s`);
  assert.ok(api.calls.every((c) => ((c.params.filters?.[0] as unknown[])?.[2] as unknown[]).length <= 100), 'at most 100 uuids a list');
  assert.equal(tree.size, 1000);
  assert.ok(tree.roots().every((n) => tree.status(n).word === 'Running'), 'every container read');
});

test('a deleted request leaves the tree; past maxNodes the least recently active trees are dropped', async () => {
  const { api, scheduler } = setup();
  const tree = new ProcessTree({ api: () => api, userUuid: () => ME, scheduler, maxNodes: 10 });
  for (let n = 1; n <= 12; n++) {
    tree.onEvent(crEvent(cr(n), { state: 'Committed', requesting_container_uuid: null }, 'create'));
    scheduler.advance(10);
  }
  assert.ok(tree.size <= 10, `${tree.size} kept`);
  assert.equal(tree.node(cr(1)), undefined, 'the oldest went first');
  assert.ok(tree.node(cr(12)));
  tree.onEvent(crEvent(cr(12), {}, 'delete'));
  assert.equal(tree.node(cr(12)), undefined);
});
