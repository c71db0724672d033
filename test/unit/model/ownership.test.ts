import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OwnershipResolver } from '../../../src/model/ownership';
import { OTHER_USER, PROJECT, USER } from '../../helpers/fixtures';

const SUB = 'zzzzz-j7d0g-000000000000002';
const SUBSUB = 'zzzzz-j7d0g-000000000000003';
const THEIRS = 'zzzzz-j7d0g-000000000000004';

function resolver() {
  const owners: Record<string, string> = { [PROJECT]: USER, [SUB]: PROJECT, [SUBSUB]: SUB, [THEIRS]: OTHER_USER };
  const lookups: string[] = [];
  const r = new OwnershipResolver(async (uuid) => {
    lookups.push(uuid);
    if (uuid === 'zzzzz-j7d0g-00000000000000e') throw new Error('HTTP 500');
    return owners[uuid];
  });
  return { r, lookups };
}

test('owned directly, or through projects at any depth', async () => {
  const { r } = resolver();
  assert.equal(await r.ownedBy(USER, USER), true);
  assert.equal(await r.ownedBy(PROJECT, USER), true);
  assert.equal(await r.ownedBy(SUBSUB, USER), true);
  assert.equal(await r.ownedBy(THEIRS, USER), false);
  assert.equal(await r.ownedBy(OTHER_USER, USER), false);
  assert.equal(await r.ownedBy('', USER), false);
  assert.equal(await r.ownedBy('zzzzz-j7d0g-00000000000000e', USER), false, 'an unreadable owner is not mine');
});

test('owners are cached: a project is read once', async () => {
  const { r, lookups } = resolver();
  await Promise.all([r.ownedBy(SUBSUB, USER), r.ownedBy(SUBSUB, USER)]);
  await r.ownedBy(SUB, USER);
  assert.deepEqual(lookups.sort(), [PROJECT, SUB, SUBSUB].sort());
});

test('an ownership cycle or a very deep chain ends', async () => {
  const a = 'zzzzz-j7d0g-00000000000000a';
  const b = 'zzzzz-j7d0g-00000000000000b';
  const r = new OwnershipResolver(async (uuid) => (uuid === a ? b : a), 8);
  assert.equal(await r.ownedBy(a, USER), false);
});
