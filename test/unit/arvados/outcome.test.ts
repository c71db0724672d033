/** The core helpers the extension added: outcomes of container requests, and Workbench URLs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/arvados';
import { containerOutcome, containerRequestOutcome, outcomeInWords, outcomeOfContainer, outcomeOfRequest, type ObjectSource } from '../../../src/arvados/outcome';
import { joinWorkbench, resolveWorkbenchUrl, workbenchPath } from '../../../src/arvados/workbench';
import { COLLECTION, CONTAINER, CR, PROJECT, USER } from '../../helpers/fixtures';

function api(objects: Record<string, Record<string, unknown>>, crs: Record<string, string> = {}) {
  const gets: string[] = [];
  const lists: unknown[] = [];
  return {
    gets,
    lists,
    async getObject<T>(uuid: string): Promise<T> {
      gets.push(uuid);
      const o = objects[uuid];
      if (!o) throw new ApiError(`GET ${uuid} failed with HTTP 404`, 404);
      return o as T;
    },
    async list<T>(resource: string, params?: { filters?: unknown[] }): Promise<{ items: T[] }> {
      lists.push([resource, params?.filters]);
      const uuid = (params?.filters?.[0] as string[])[2];
      return { items: crs[uuid] ? [{ uuid: crs[uuid] } as T] : [] };
    },
  };
}

test('a container tells the outcome: Complete with exit code 0 or not, Cancelled; else pending', () => {
  assert.deepEqual(outcomeOfContainer({ state: 'Complete', exit_code: 0 }), { status: 'succeeded', exitCode: 0, containerUuid: undefined });
  assert.equal(outcomeOfContainer({ state: 'Complete', exit_code: 137 }).status, 'failed');
  assert.equal(outcomeOfContainer({ state: 'Complete', exit_code: null }).status, 'unknown');
  assert.equal(outcomeOfContainer({ state: 'Cancelled' }).status, 'cancelled');
  assert.deepEqual(outcomeOfContainer({ state: 'Running' }), { status: 'pending', state: 'Running', containerUuid: undefined });
});

test('a request is finished only when Final; a Final request without a container was cancelled', () => {
  assert.deepEqual(outcomeOfRequest({ state: 'Committed', container_uuid: CONTAINER }, { state: 'Cancelled' }), { status: 'pending', state: 'Committed' }, 'a cancelled container alone is not an outcome');
  assert.equal(outcomeOfRequest({ state: 'Final', container_uuid: null }).status, 'cancelled');
  assert.equal(outcomeOfRequest({ state: 'Final', container_uuid: CONTAINER }, { state: 'Complete', exit_code: 2 }).status, 'failed');
  assert.equal(outcomeOfRequest({ state: 'Final', container_uuid: CONTAINER }, { state: 'Queued' }).status, 'cancelled', 'finalized from above');
});

test('the outcome of a request is fetched from its container, and never throws', async () => {
  const a = api({
    [CR]: { state: 'Final', container_uuid: CONTAINER },
    [CONTAINER]: { uuid: CONTAINER, state: 'Complete', exit_code: 1 },
  });
  assert.deepEqual(await containerRequestOutcome(a, CR), { status: 'failed', exitCode: 1, containerUuid: CONTAINER });
  assert.deepEqual(a.gets, [CR, CONTAINER]);
  assert.equal((await containerRequestOutcome(a, 'zzzzz-xvhdp-00000000000000x')).status, 'unknown');
  const noContainer = api({ [CR]: { state: 'Final', container_uuid: CONTAINER } });
  const o = await containerRequestOutcome(noContainer, CR);
  assert.equal(o.status, 'unknown');
  assert.match(outcomeInWords(o), /unknown/);
  assert.deepEqual(await containerOutcome(a, CONTAINER), { status: 'failed', exitCode: 1, containerUuid: CONTAINER });
  const s: ObjectSource = a;
  assert.equal((await containerOutcome(s, 'zzzzz-dz642-00000000000000x')).status, 'unknown');
  assert.equal(outcomeInWords({ status: 'succeeded', exitCode: 0 }), 'succeeded');
  assert.equal(outcomeInWords({ status: 'failed', exitCode: 3 }), 'failed (exit code 3)');
});

test('Workbench paths follow the route table', () => {
  assert.equal(workbenchPath(PROJECT), `/projects/${PROJECT}`);
  assert.equal(workbenchPath(PROJECT, { groupClass: 'role' }), `/group/${PROJECT}`);
  assert.equal(workbenchPath(USER), `/user/${USER}`);
  assert.equal(workbenchPath(COLLECTION), `/collections/${COLLECTION}`);
  assert.equal(workbenchPath('d41d8cd98f00b204e9800998ecf8427e+0'), '/collections/d41d8cd98f00b204e9800998ecf8427e+0');
  assert.equal(workbenchPath(CR), `/processes/${CR}`);
  assert.equal(workbenchPath('zzzzz-7fd4e-000000000000001'), '/workflows/zzzzz-7fd4e-000000000000001');
  assert.equal(workbenchPath(CONTAINER), undefined, 'containers need a lookup');
  assert.equal(workbenchPath('zzzzz-o0j2j-000000000000001'), undefined);
  assert.equal(workbenchPath('nonsense'), undefined);
  assert.equal(joinWorkbench('https://wb.example/', '/x'), 'https://wb.example/x');
});

test('a container opens its request; a role group its group page', async () => {
  const a = api({ [PROJECT]: { group_class: 'role' }, 'zzzzz-j7d0g-000000000000002': { group_class: 'project' } }, { [CONTAINER]: CR });
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example/', CONTAINER), `https://wb.example/processes/${CR}`);
  assert.deepEqual(a.lists[0], ['container_requests', [['container_uuid', '=', CONTAINER]]]);
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example', 'zzzzz-dz642-00000000000000x'), undefined);
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example', PROJECT), `https://wb.example/group/${PROJECT}`);
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example', 'zzzzz-j7d0g-000000000000002'), 'https://wb.example/projects/zzzzz-j7d0g-000000000000002');
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example', 'zzzzz-j7d0g-00000000000000x'), 'https://wb.example/projects/zzzzz-j7d0g-00000000000000x', 'unreadable: a project');
  assert.equal(await resolveWorkbenchUrl(a, 'https://wb.example', CR), `https://wb.example/processes/${CR}`);
});
