import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSet, DEFAULT_CLUSTER_KEY, followedEntries, worstState, type ClusterEntry } from '../../../src/model/clusters';

const PROFILES = [
  { name: 'aaaaa', path: '/cfg/aaaaa.conf', host: 'a.example' },
  { name: 'bbbbb', path: '/cfg/bbbbb.conf', host: 'b.example:8443' },
  { name: 'nohost', path: '/cfg/nohost.conf', host: undefined },
];

test('the default cluster comes first, then each entry of the setting once, by profile or by host', () => {
  const { entries, problems } = followedEntries(['aaaaa', 'c.example', 'bbbbb.conf', 'aaaaa', 'default'], 'd.example', PROFILES);
  assert.deepEqual(entries.map((e) => e.key), [DEFAULT_CLUSTER_KEY, 'profile:aaaaa', 'host:c.example', 'profile:bbbbb']);
  assert.deepEqual(entries.map((e) => e.host), ['d.example', 'a.example', 'c.example', 'b.example:8443']);
  assert.deepEqual(problems, []);
});

test('a host is followed once: a profile or an added host naming a followed host is reported, not followed twice', () => {
  const { entries, problems } = followedEntries(['aaaaa', 'A.EXAMPLE:443', 'd.example'], 'd.example', PROFILES);
  assert.deepEqual(entries.map((e) => e.key), [DEFAULT_CLUSTER_KEY, 'profile:aaaaa']);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /already followed/);
});

test('entries that are neither a profile nor a host say so; a profile without a host too', () => {
  const { entries, problems } = followedEntries(['prod', 'http://x.example', 'nohost', 42, ''], undefined, PROFILES);
  assert.deepEqual(entries.map((e) => e.key), [DEFAULT_CLUSTER_KEY], 'the default cluster is there even unconfigured');
  assert.equal(entries[0].host, undefined);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /no profile "prod"/);
  assert.match(problems[1], /neither a profile .* nor a host/);
  assert.match(problems[2], /names no ARVADOS_API_HOST/);
});

test('the worst state of several', () => {
  assert.equal(worstState(['live', 'polling']), 'polling');
  assert.equal(worstState(['live', 'reconnecting', 'catching-up']), 'reconnecting');
  assert.equal(worstState(['error', 'live']), 'error');
  assert.equal(worstState(['live', 'live']), 'live');
  assert.equal(worstState([]), 'idle');
});

class FakeContext {
  disposed = false;
  constructor(
    readonly entry: ClusterEntry,
    readonly clusterId?: string,
  ) {}
  dispose(): void {
    this.disposed = true;
  }
}

test('update keeps the contexts still followed, creates new ones, disposes the others', () => {
  const ids: Record<string, string> = { 'a.example': 'aaaaa', 'b.example:8443': 'bbbbb' };
  const set = new ClusterSet((e) => new FakeContext(e, e.host ? ids[e.host] : undefined));
  const changes: number[] = [];
  set.onDidChange((all) => changes.push(all.length));
  const first = followedEntries(['aaaaa', 'bbbbb'], undefined, PROFILES).entries;
  set.update(first);
  const [def, a, b] = set.all;
  assert.equal(set.size, 3);
  assert.equal(set.forUuid('bbbbb-4zz18-012345678901234'), b);
  assert.equal(set.forUuid('ccccc-4zz18-012345678901234'), undefined);
  // The default's host changes (the user's setting): same context. aaaaa is dropped; c is added.
  const created = set.update(followedEntries(['bbbbb', 'c.example'], 'd.example', PROFILES).entries);
  assert.equal(created.length, 1);
  assert.equal(set.all[0], def, 'the default context is kept whatever its host');
  assert.equal(set.all[1], b, 'a cluster still followed keeps its context (and its connection)');
  assert.equal(a.disposed, true);
  assert.equal(b.disposed, false);
  assert.deepEqual(changes, [3, 3]);
  set.update(set.all.map((c) => c.entry));
  assert.deepEqual(changes, [3, 3], 'no change, no event');
  set.dispose();
  assert.ok(set.all.length === 0 && b.disposed && def.disposed);
});

test('each attaches to every cluster, now and later, and detaches from the ones dropped', () => {
  const set = new ClusterSet((e) => new FakeContext(e));
  set.update(followedEntries(['aaaaa'], undefined, PROFILES).entries);
  const log: string[] = [];
  const handle = set.each((c) => {
    log.push(`+${c.entry.key}`);
    return [{ dispose: () => log.push(`-${c.entry.key}`) }];
  });
  set.update(followedEntries(['bbbbb'], undefined, PROFILES).entries);
  assert.deepEqual(log, ['+default', '+profile:aaaaa', '-profile:aaaaa', '+profile:bbbbb']);
  handle.dispose();
  assert.deepEqual(log.slice(4).sort(), ['-default', '-profile:bbbbb']);
  set.update(followedEntries(['aaaaa'], undefined, PROFILES).entries);
  assert.equal(log.length, 6, 'nothing attaches after dispose');
});
