import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../../src/arvados/outcome';
import { changeOf, describeChange, Notifier, summarize, type Notice, type NoticeItem, type NotifierSettings } from '../../../src/model/notifications';
import { ManualScheduler } from '../../helpers/manualScheduler';
import type { ArvadosEvent } from '../../../src/arvados';
import { COLLECTION, CONTAINER, CR, CR2, ev, OTHER_USER, PROJECT, resetIds, USER } from '../../helpers/fixtures';

const final = (uuid = CR, extra: Partial<ArvadosEvent> = {}) => ev({ object_uuid: uuid, old: { state: 'Committed' }, new: { state: 'Final', name: 'run' }, ...extra });

test('which changes notify: a request going Final, container states, collection updates, trash, delete', () => {
  resetIds();
  assert.equal(changeOf(final())?.state, 'Final');
  assert.equal(changeOf(final())?.needs, 'requestOutcome');
  assert.equal(changeOf(ev({ old: { state: 'Uncommitted' }, new: { state: 'Committed' } })), undefined, 'Committed is a step, not news');
  assert.equal(changeOf(ev({ old: { state: 'Final' }, new: { state: 'Final', name: 'renamed' } })), undefined, 'no state change');
  assert.equal(changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Locked' }, new: { state: 'Running' } }))?.state, 'Running');
  assert.equal(changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Running' }, new: { state: 'Complete' } }))?.needs, 'containerOutcome');
  assert.equal(changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Running' }, new: { state: 'Cancelled' } }))?.needs, undefined);
  assert.equal(changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Queued' }, new: { state: 'Locked' } })), undefined);
  assert.equal(changeOf(ev({ object_uuid: COLLECTION, old: { is_trashed: false }, new: { is_trashed: true } }))?.state, 'trashed');
  assert.equal(changeOf(ev({ object_uuid: COLLECTION, old: { is_trashed: true }, new: { is_trashed: false } }))?.state, 'restored');
  assert.match(changeOf(ev({ object_uuid: COLLECTION, old: { portable_data_hash: 'a' }, new: { portable_data_hash: 'b' } }))!.state, /^updated:/);
  assert.equal(changeOf(ev({ event_type: 'delete', old: { name: 'x' } }))?.state, 'deleted');
  assert.equal(changeOf(ev({ event_type: 'file_download' })), undefined);
  assert.equal(changeOf(ev({ object_uuid: '' })), undefined);
});

test('wording: the verdict comes first; failures say "Failed:"', () => {
  resetIds();
  const c = changeOf(final())!;
  assert.equal(describeChange(c, 'run', { status: 'succeeded', exitCode: 0 }).message, 'Succeeded: run (container request) finished with exit code 0.');
  const failed = describeChange(c, 'run', { status: 'failed', exitCode: 3 });
  assert.equal(failed.message, 'Failed: run (container request) exited with code 3.');
  assert.equal(failed.severity, 'error');
  assert.match(describeChange(c, 'run', { status: 'cancelled' }).message, /^Cancelled: /);
  assert.match(describeChange(c, 'run', { status: 'unknown', reason: 'HTTP 404' }).message, /^Finished: .*HTTP 404/);
  const cancelledContainer = changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Running' }, new: { state: 'Cancelled' } }))!;
  assert.match(describeChange(cancelledContainer, 'c', undefined).message, /may retry/, 'a cancelled container is not the request\'s outcome');
  const complete = changeOf(ev({ object_uuid: CONTAINER, old: { state: 'Running' }, new: { state: 'Complete' } }))!;
  assert.match(describeChange(complete, 'c', { status: 'failed', exitCode: 1 }).message, /^Failed: c \(container\) exited with code 1/);
  assert.match(describeChange(changeOf(ev({ object_uuid: COLLECTION, old: { is_trashed: false }, new: { is_trashed: true } }))!, 'data', undefined).message, /^Trashed: data \(collection\)/);
});

function item(verdict: NoticeItem['verdict'], name: string, source: NoticeItem['source'] = 'watched'): NoticeItem {
  const e = ev();
  return { verdict, severity: verdict === 'failed' ? 'error' : 'info', message: `${verdict}: ${name}`, source, uuid: e.object_uuid, kind: e.object_kind, name, state: 'Final', eventId: e.id, event: e };
}

test('a summary leads with the failures and counts the rest', () => {
  resetIds();
  const one = summarize([item('succeeded', 'a')]);
  assert.equal(one.message, 'succeeded: a');
  const s = summarize([item('succeeded', 'a'), item('failed', 'b'), item('failed', 'c', 'myContainerRequests')], 2);
  assert.match(s.message, /^Failed: b, c\. 5 Arvados changes: 1 succeeded, 2 failed \(and 2 more\)\.$/);
  assert.equal(s.severity, 'error');
  assert.deepEqual(s.sources.sort(), ['myContainerRequests', 'watched']);
  assert.match(summarize([item('succeeded', 'a'), item('running', 'b')]).message, /^2 Arvados changes: 1 succeeded, 1 running\.$/);
});

interface Harness {
  notifier: Notifier;
  shown: Notice[];
  clock: ManualScheduler;
  watched: Set<string>;
  fetches: string[];
  outcomes: Map<string, Outcome>;
  reported: Array<[string, Outcome]>;
}

function harness(settings: Partial<NotifierSettings> = {}, mine: (ev: ArvadosEvent) => boolean = () => false): Harness {
  const clock = new ManualScheduler();
  const shown: Notice[] = [];
  const watched = new Set<string>();
  const fetches: string[] = [];
  const outcomes = new Map<string, Outcome>();
  const reported: Array<[string, Outcome]> = [];
  const notifier = new Notifier({
    settings: { watchedObjects: true, myContainerRequests: 'off', ...settings },
    isWatched: (u) => watched.has(u),
    isMine: async (e) => mine(e),
    requestOutcome: async (u) => {
      fetches.push(u);
      return outcomes.get(u) ?? { status: 'succeeded', exitCode: 0 };
    },
    containerOutcome: async (u) => {
      fetches.push(u);
      return outcomes.get(u) ?? { status: 'succeeded', exitCode: 0 };
    },
    nameOf: (e) => (e.properties.new_attributes?.name as string) ?? e.object_uuid,
    show: (n) => shown.push(n),
    onOutcome: (u, o) => reported.push([u, o]),
    scheduler: clock,
    coalesceMs: 1500,
  });
  return { notifier, shown, clock, watched, fetches, outcomes, reported };
}

test('only watched objects notify by default; the outcome is fetched from the container', async () => {
  resetIds();
  const h = harness();
  await h.notifier.consider(final(CR2));
  h.clock.advance(2000);
  assert.equal(h.shown.length, 0, 'not watched, setting off');
  h.watched.add(CR);
  h.outcomes.set(CR, { status: 'failed', exitCode: 137 });
  await h.notifier.consider(final(CR));
  assert.equal(h.shown.length, 0, 'held for the coalescing window');
  h.clock.advance(1500);
  assert.equal(h.shown.length, 1);
  assert.equal(h.shown[0].message, 'Failed: run (container request) exited with code 137.');
  assert.deepEqual(h.fetches, [CR]);
  assert.deepEqual(h.reported, [[CR, { status: 'failed', exitCode: 137 }]]);
});

test('no object notifies twice for the same state', async () => {
  resetIds();
  const h = harness();
  h.watched.add(CONTAINER);
  const running = () => ev({ object_uuid: CONTAINER, old: { state: 'Locked' }, new: { state: 'Running' } });
  await h.notifier.consider(running());
  await h.notifier.consider(running());
  h.clock.advance(1500);
  await h.notifier.consider(running());
  h.clock.advance(1500);
  assert.equal(h.shown.length, 1);
  assert.equal(h.shown[0].items.length, 1);
  await h.notifier.consider(ev({ object_uuid: CONTAINER, old: { state: 'Running' }, new: { state: 'Complete' } }));
  h.clock.advance(1500);
  assert.equal(h.shown.length, 2, 'a new state notifies');
});

test('a burst within the window becomes one summary', async () => {
  resetIds();
  const h = harness();
  const uuids = Array.from({ length: 5 }, (_, i) => `zzzzz-xvhdp-${String(i).padStart(15, '0')}`);
  for (const u of uuids) h.watched.add(u);
  h.outcomes.set(uuids[2], { status: 'failed', exitCode: 1 });
  for (const u of uuids) {
    await h.notifier.consider(final(u));
    h.clock.advance(200);
  }
  h.clock.advance(1500);
  assert.equal(h.shown.length, 1);
  assert.equal(h.shown[0].items.length, 5);
  assert.match(h.shown[0].message, /^Failed: run\. 5 Arvados changes/);
});

test('the summary is bounded and counts what it does not list', async () => {
  resetIds();
  const clock = new ManualScheduler();
  const shown: Notice[] = [];
  const n = new Notifier({
    settings: { watchedObjects: true, myContainerRequests: 'off' },
    isWatched: () => true,
    isMine: () => false,
    requestOutcome: async () => ({ status: 'succeeded', exitCode: 0 }),
    containerOutcome: async () => ({ status: 'succeeded', exitCode: 0 }),
    nameOf: (e) => e.object_uuid,
    show: (x) => shown.push(x),
    scheduler: clock,
    maxItems: 3,
  });
  for (let i = 0; i < 10; i++) await n.consider(final(`zzzzz-xvhdp-${String(i).padStart(15, '0')}`));
  n.flush();
  assert.equal(shown[0].items.length, 3);
  assert.equal(shown[0].more, 7);
  assert.match(shown[0].message, /10 Arvados changes/);
});

test('my container requests: off, failures, all; owned through projects via isMine', async () => {
  resetIds();
  const mine = (e: ArvadosEvent) => e.object_owner_uuid === USER || e.object_owner_uuid === PROJECT;
  const off = harness({ myContainerRequests: 'off' }, mine);
  await off.notifier.consider(final(CR));
  off.notifier.flush();
  assert.equal(off.shown.length, 0);
  assert.deepEqual(off.fetches, [], 'nothing fetched when off');

  const failures = harness({ myContainerRequests: 'failures' }, mine);
  failures.outcomes.set(CR2, { status: 'failed', exitCode: 2 });
  await failures.notifier.consider(final(CR));
  await failures.notifier.consider(final(CR2, { object_owner_uuid: PROJECT }));
  await failures.notifier.consider(final('zzzzz-xvhdp-000000000000003', { object_owner_uuid: OTHER_USER }));
  failures.notifier.flush();
  assert.equal(failures.shown.length, 1);
  assert.equal(failures.shown[0].items.length, 1, 'only the failure, and not someone else\'s');
  assert.match(failures.shown[0].message, /^Failed:/);
  assert.deepEqual(failures.shown[0].sources, ['myContainerRequests']);

  const all = harness({ myContainerRequests: 'all' }, mine);
  await all.notifier.consider(final(CR));
  all.notifier.flush();
  assert.match(all.shown[0].message, /^Succeeded:/);
});

test('a watched request that is also mine notifies once, as watched', async () => {
  resetIds();
  const h = harness({ myContainerRequests: 'all' }, () => true);
  h.watched.add(CR);
  await h.notifier.consider(final(CR));
  await h.notifier.consider(final(CR));
  h.notifier.flush();
  assert.equal(h.shown.length, 1);
  assert.deepEqual(h.shown[0].sources, ['watched']);
});

test("Don't Show Again (the setting turned off) drops queued notices of that kind and stops new ones", async () => {
  resetIds();
  const h = harness({ myContainerRequests: 'all' }, () => true);
  h.watched.add(CR);
  await h.notifier.consider(final(CR));
  await h.notifier.consider(final(CR2));
  h.notifier.settings = { watchedObjects: false, myContainerRequests: 'all' };
  h.notifier.flush();
  assert.equal(h.shown.length, 1);
  assert.deepEqual(h.shown[0].sources, ['myContainerRequests']);
  await h.notifier.consider(ev({ object_uuid: CR, old: { is_trashed: false }, new: { is_trashed: true } }));
  h.notifier.flush();
  assert.equal(h.shown.length, 1, 'watched notifications are off');
  h.notifier.settings = { watchedObjects: false, myContainerRequests: 'off' };
  await h.notifier.consider(final('zzzzz-xvhdp-000000000000009'));
  h.notifier.flush();
  assert.equal(h.shown.length, 1);
});

test('after dispose nothing is shown', async () => {
  resetIds();
  const h = harness();
  h.watched.add(CR);
  await h.notifier.consider(final(CR));
  h.notifier.dispose();
  h.clock.advance(5000);
  await h.notifier.consider(final(CR2));
  assert.equal(h.shown.length, 0);
});

test('"my container requests" follow container requests only when asked for', async () => {
  const { myRequestsFilters } = await import('../../../src/model/notifications');
  assert.deepEqual(myRequestsFilters('off'), []);
  assert.deepEqual(myRequestsFilters('failures'), [[['object_uuid', 'is_a', 'arvados#containerRequest']]]);
  assert.deepEqual(myRequestsFilters('all'), [[['object_uuid', 'is_a', 'arvados#containerRequest']]]);
});

test('mayNotify: only a watched object, or a container request while "my container requests" is on, is worth considering', () => {
  resetIds();
  const h = harness();
  const update = ev({ object_uuid: COLLECTION, old: { portable_data_hash: 'a' }, new: { portable_data_hash: 'b' } });
  assert.equal(h.notifier.mayNotify(update), false, 'an unwatched collection: nothing to compute');
  assert.equal(h.notifier.mayNotify(final()), false, 'a request, with the setting off');
  h.watched.add(COLLECTION);
  assert.equal(h.notifier.mayNotify(update), true);
  const mine = harness({ myContainerRequests: 'all' });
  assert.equal(mine.notifier.mayNotify(final()), true);
  assert.equal(mine.notifier.mayNotify(update), false);
  assert.equal(harness({ watchedObjects: false }).notifier.mayNotify(update), false);
});
