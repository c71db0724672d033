import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionApi } from '../../../src/model/connection';
import { BatchedLookup, ObjectFacts } from '../../../src/model/objects';
import { CONTAINER, CR, ev, PROJECT, USER } from '../../helpers/fixtures';

const flush = () => new Promise((r) => setTimeout(r, 5));

test('lookups asked for together share one request; a failure resolves to undefined', async () => {
  const calls: string[][] = [];
  let fail = false;
  const lookup = new BatchedLookup<string>(async (keys) => {
    calls.push(keys);
    if (fail) throw new Error('down');
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
  });
  const got = await Promise.all([lookup.get('a'), lookup.get('b'), lookup.get('a'), lookup.get('missing')]);
  assert.deepEqual(got, ['A', 'B', 'A', undefined]);
  assert.deepEqual(calls, [['a', 'b', 'missing']]);
  fail = true;
  assert.equal(await lookup.get('c'), undefined);
  const pending = lookup.get('d');
  lookup.dispose();
  assert.equal(await pending, undefined, 'dispose resolves what waits');
});

test('ownership through projects reads the owners of many projects in one list request', async () => {
  const P2 = 'zzzzz-j7d0g-000000000000002';
  const P3 = 'zzzzz-j7d0g-000000000000003';
  const owners: Record<string, string> = { [PROJECT]: USER, [P2]: PROJECT, [P3]: 'zzzzz-tpzed-000000000000009' };
  const lists: unknown[] = [];
  const api = {
    async list(resource: string, params: { filters: [string, string, string[]][] }) {
      lists.push([resource, params.filters]);
      const uuids = params.filters[0][2];
      return { items: uuids.map((uuid) => ({ uuid, owner_uuid: owners[uuid] })) };
    },
  } as unknown as SessionApi;
  const facts = new ObjectFacts({ api: () => api, user: () => ({ uuid: USER }) as never });
  const mine = await Promise.all([facts.isMine(ev({ object_owner_uuid: P2 })), facts.isMine(ev({ object_owner_uuid: P3 })), facts.isMine(ev({ object_owner_uuid: USER }))]);
  assert.deepEqual(mine, [true, false, true]);
  assert.deepEqual(lists[0], ['groups', [['uuid', 'in', [P2, P3]]]], 'one request for both projects');
  assert.equal(lists.length, 2, 'then the one project above');
  facts.dispose();
});

test('outcomes read are cached and told; names come from events and reads', async () => {
  const api = {
    async getObject(uuid: string) {
      if (uuid === CR) return { kind: 'arvados#containerRequest', name: 'align', state: 'Final', container_uuid: CONTAINER };
      return { uuid, state: 'Complete', exit_code: 0 };
    },
  } as unknown as SessionApi;
  const facts = new ObjectFacts({ api: () => api, user: () => undefined });
  const told: string[] = [];
  facts.onOutcome(({ uuid, outcome }) => told.push(`${uuid} ${outcome.status}`));
  assert.equal(facts.outcomeOf(CR), undefined);
  const summary = await facts.describe(CR);
  assert.deepEqual(summary?.outcome, { status: 'succeeded', exitCode: 0, containerUuid: CONTAINER });
  assert.equal(facts.outcomeOf(CR)?.status, 'succeeded');
  assert.deepEqual(told, [`${CR} succeeded`]);
  assert.equal(facts.nameOf(CR), 'align');
  const events = { listeners: [] as Array<(e: { event: ReturnType<typeof ev> }) => void>, onEvent(l: (e: { event: ReturnType<typeof ev> }) => void) { this.listeners.push(l); return { dispose() {} }; } };
  facts.observe(events);
  events.listeners[0]({ event: ev({ object_uuid: CONTAINER, new: { name: 'the container' } }) });
  assert.equal(facts.label(ev({ object_uuid: CONTAINER })), 'the container');
  const offline = new ObjectFacts({ api: () => undefined, user: () => undefined });
  assert.deepEqual(await offline.requestOutcome(CR), { status: 'unknown', reason: 'not connected' });
  assert.equal(await offline.describe(CR), undefined);
  assert.equal(await offline.isMine(ev()), false);
  await flush();
});

test("a finished row's outcome is read once, in the background; other rows never fetch", async () => {
  const gets: string[] = [];
  const objects: Record<string, unknown> = {
    [CR]: { uuid: CR, state: 'Final', container_uuid: CONTAINER },
    [CONTAINER]: { uuid: CONTAINER, state: 'Complete', exit_code: 1 },
  };
  const api = { async getObject(uuid: string) { gets.push(uuid); return objects[uuid]; } } as unknown as SessionApi;
  const facts = new ObjectFacts({ api: () => api, user: () => undefined });
  const outcomes: string[] = [];
  facts.onOutcome(({ uuid, outcome }) => outcomes.push(`${uuid} ${outcome.status}`));
  assert.equal(facts.outcomeForRow(ev({ object_uuid: CR, new: { state: 'Committed' } })), undefined);
  assert.deepEqual(gets, [], 'not finished: no lookup');
  const final = ev({ object_uuid: CR, old: { state: 'Committed' }, new: { state: 'Final' } });
  assert.equal(facts.outcomeForRow(final), undefined, 'unknown at first');
  assert.equal(facts.outcomeForRow(final), undefined, 'asked again while it is read');
  await flush();
  assert.deepEqual(gets, [CR, CONTAINER], 'one read of the request and its container');
  assert.deepEqual(outcomes, [`${CR} failed`]);
  assert.deepEqual(facts.outcomeForRow(final), { status: 'failed', exitCode: 1, containerUuid: CONTAINER });
  const container = ev({ object_uuid: CONTAINER, new: { state: 'Complete' } });
  facts.outcomeForRow(container);
  await flush();
  assert.deepEqual(facts.outcomeForRow(container), { status: 'failed', exitCode: 1, containerUuid: CONTAINER });
  assert.equal(gets.length, 3);
});
