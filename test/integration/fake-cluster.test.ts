/**
 * Keeps the fake cluster honest: each test pins one behaviour of the real server (as described in
 * docs/protocol.md) using raw HTTPS requests and a raw websocket, not the
 * project's own clients.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { KindTable, defaultKinds } from '../../src/arvados/kinds';
import { FakeCluster, FakeLogRow } from '../fake/cluster';
import { RawWs, request } from '../fake/rawClient';

const RAILS_ERROR = /^(.*) \(req-[a-z0-9]{20}\)$/;
const MINUTE = 60_000;

function railsMessage(body: { errors: string[] }): string {
  const m = RAILS_ERROR.exec(body.errors[0] ?? '');
  assert.ok(m, `not a Rails error: ${JSON.stringify(body)}`);
  return m[1]!;
}

/** A websocket subscribed (status 200 received) with the given message fields. */
async function subscribed(cluster: FakeCluster, token: string | undefined, sub: Record<string, unknown> = {}): Promise<RawWs> {
  const ws = RawWs.connect(cluster, token);
  await ws.opened;
  ws.send({ method: 'subscribe', ...sub });
  await ws.waitUntil(() => ws.frames.includes('{"status":200}'), 3000, 'status 200');
  return ws;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fake cluster: TLS and lifecycle', () => {
  test('serves HTTPS with a certificate for 127.0.0.1 and localhost that the client can trust', async () => {
    const c = await FakeCluster.start();
    try {
      assert.match(c.host, /^127\.0\.0\.1:\d+$/);
      assert.equal(fs.readFileSync(c.certFile, 'utf8'), c.certPem);
      const cert = await new Promise<tls.PeerCertificate>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: c.port, ca: c.certPem, servername: 'localhost' }, () => {
          resolve(s.getPeerCertificate());
          s.end();
        });
        s.on('error', reject);
      });
      assert.match(cert.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
      assert.match(cert.subjectaltname ?? '', /DNS:localhost/);
      // Without the certificate the connection is refused: the fake is not "insecure".
      await assert.rejects(request({ ...c, certPem: '' } as unknown as FakeCluster, '/arvados/v1/config'));
    } finally {
      await c.stop();
    }
  });

  test('stop() closes the server and every socket, leaving nothing running', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => /^TCP/.test(r)).length;
    const settle = async (limit: number) => {
      const deadline = Date.now() + 2000;
      while (sockets() > limit && Date.now() < deadline) await sleep(20);
    };
    await settle(0);
    const before = sockets();
    const c = await FakeCluster.start({ sendTimeoutMs: 50 });
    const ws = await subscribed(c, c.users.active.token, { last_log_id: 1 });
    await request(c, '/arvados/v1/users/current', { token: c.users.active.token });
    assert.ok(sockets() > before);
    await c.stop();
    assert.equal((await ws.closed).code, 1006);
    await c.stop(); // a second stop is harmless
    await settle(before);
    assert.equal(sockets(), before, `left: ${process.getActiveResourcesInfo().join(', ')}`);
  });

  test('UUIDs and tokens are deterministic for a seed', async () => {
    const a = await FakeCluster.start();
    const b = await FakeCluster.start();
    const d = await FakeCluster.start({ seed: 'other' });
    try {
      assert.deepEqual(a.users, b.users);
      assert.notEqual(a.users.active.uuid, d.users.active.uuid);
      assert.match(a.users.active.uuid, /^zzzzz-tpzed-[a-z0-9]{15}$/);
      assert.match(a.users.active.token, /^v2\/zzzzz-gj3su-[a-z0-9]{15}\/[a-z0-9]{49}$/);
      assert.equal(a.putObject({ kind: 'arvados#collection' }).uuid, b.putObject({ kind: 'arvados#collection' }).uuid);
    } finally {
      await Promise.all([a.stop(), b.stop(), d.stop()]);
    }
  });
});

describe('fake cluster: discovery and config', () => {
  let c: FakeCluster;
  before(async () => {
    c = await FakeCluster.start({ sendTimeoutMs: 250, disabledApis: ['workflows.list'] });
  });
  after(() => c.stop());

  test('the discovery document needs no token and has what clients read', async () => {
    const r = await request(c, '/discovery/v1/apis/arvados/v1/rest');
    assert.equal(r.status, 200);
    const d = r.body;
    assert.equal(d.rootUrl, `https://${c.host}/`);
    assert.equal(d.baseUrl, `https://${c.host}/arvados/v1/`);
    assert.equal(d.websocketUrl, `wss://${c.host}/websocket`);
    assert.equal(d.workbench2Url, 'https://workbench.zzzzz.example/');
    assert.equal(d.uuidPrefix, 'zzzzz');
    assert.equal(d.revision, '20250402');
    assert.equal(d.maxItemsPerResponse, 1000);
    assert.deepEqual(KindTable.fromDiscovery(d).kinds(), defaultKinds.kinds());
    assert.equal(d.schemas.ContainerRequest.uuidPrefix, 'xvhdp');
    assert.equal(d.resources.logs.methods.list.path, 'logs');
    assert.equal(d.resources.container_requests.methods.get.path, 'container_requests/{uuid}');
    assert.equal(d.resources.workflows.methods.list, undefined, 'disabled APIs are left out');
  });

  test('the exported config gives ExternalURLs the Go way and SendTimeout as a duration', async () => {
    const r = await request(c, '/arvados/v1/config');
    assert.equal(r.status, 200);
    assert.equal(r.body.ClusterID, 'zzzzz');
    assert.equal(r.body.Services.Controller.ExternalURL, `https://${c.host}/`);
    assert.equal(r.body.Services.Websocket.ExternalURL, `wss://${c.host}/websocket`);
    assert.equal(r.body.Services.Workbench2.ExternalURL, 'https://workbench.zzzzz.example/');
    assert.equal(r.body.API.SendTimeout, '250ms');
    assert.equal(r.body.API.MaxItemsPerResponse, 1000);
  });

  test('SendTimeout defaults to "1m"; a cluster without websocket publishes ""', async () => {
    const off = await FakeCluster.start({ websocket: false });
    try {
      const cfg = (await request(off, '/arvados/v1/config')).body;
      assert.equal(cfg.API.SendTimeout, '1m');
      assert.equal(cfg.Services.Websocket.ExternalURL, '');
      assert.equal((await request(off, '/discovery/v1/apis/arvados/v1/rest')).body.websocketUrl, '');
      off.setWebsocketEnabled(true);
      assert.equal((await request(off, '/discovery/v1/apis/arvados/v1/rest')).body.websocketUrl, off.websocketUrl);
    } finally {
      await off.stop();
    }
  });
});

describe('fake cluster: authentication', () => {
  let c: FakeCluster;
  before(async () => {
    c = await FakeCluster.start();
  });
  after(() => c.stop());

  test('users/current: 401 "Not logged in" without a valid token, in the Rails error shape', async () => {
    for (const opts of [{}, { token: 'v2/zzzzz-gj3su-000000000000000/nope' }]) {
      const r = await request(c, '/arvados/v1/users/current', opts);
      assert.equal(r.status, 401);
      assert.equal(railsMessage(r.body), 'Not logged in');
      assert.match(r.body.error_token, /^\d+\+[0-9a-f]{8}$/);
    }
  });

  test('users/current: the token is read from Bearer, OAuth2, api_token, and the bare secret works', async () => {
    const { uuid, token } = c.users.active;
    const ways = [
      { token },
      { headers: { Authorization: `OAuth2 ${token}` } },
      { query: { api_token: token } },
      { token: token.split('/')[2] },
    ];
    for (const opts of ways) {
      const r = await request(c, '/arvados/v1/users/current', opts);
      assert.equal(r.status, 200, JSON.stringify(opts.query ?? {}));
      assert.equal(r.body.uuid, uuid);
      assert.equal(r.body.kind, 'arvados#user');
      assert.equal(r.body.full_name, 'Active User');
    }
    assert.equal((await request(c, '/arvados/v1/users/current', { token: c.users.admin.token })).body.is_admin, true);
  });

  test('apiRequests records method, path and query but never a token', async () => {
    await request(c, '/arvados/v1/users/current', { query: { api_token: c.users.other.token, foo: 'bar' } });
    const last = c.apiRequests.at(-1)!;
    assert.equal(last.path, '/arvados/v1/users/current');
    assert.deepEqual(last.query, { foo: 'bar' });
    assert.equal(last.user, c.users.other.uuid);
    assert.equal(last.status, 200);
    const all = JSON.stringify(c.apiRequests);
    for (const u of Object.values(c.users)) assert.ok(!all.includes(u.token.split('/')[2]!), 'a token secret was recorded');
  });
});

describe('fake cluster: logs API', () => {
  let c: FakeCluster;
  let token: string;
  let rows: FakeLogRow[];
  const list = (query: Record<string, unknown>, t = token) => request(c, '/arvados/v1/logs', { token: t, query });

  before(async () => {
    c = await FakeCluster.start({ maxItemsPerResponse: 1000 });
    token = c.users.active.token;
    const project = c.createProject(c.users.active, 'Mine');
    const base = c.nowMs() - 60 * MINUTE;
    rows = c.emitBatch(1200, (i) => ({
      object_uuid: project.uuid as string,
      event_type: i % 3 === 0 ? 'create' : 'update',
      created_at: base + i * 1000,
      properties: { old_attributes: { name: `n${i}`, exit_code: i }, new_attributes: { name: `n${i + 1}`, secret_sauce: 'x' } },
    }));
  });
  after(() => c.stop());

  test('default: 100 items, newest modified_at first, with items_available', async () => {
    const r = await list({});
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'arvados#logList');
    assert.equal(r.body.etag, '');
    assert.equal(r.body.self_link, '');
    assert.equal(r.body.offset, 0);
    assert.equal(r.body.limit, 100);
    assert.equal(r.body.items.length, 100);
    assert.equal(r.body.items_available, 1200);
    assert.equal(r.body.items[0].id, rows.at(-1)!.id);
  });

  test('items are full rows with untrimmed properties', async () => {
    const r = await list({ filters: [['id', '=', rows[5]!.id]] });
    const item = r.body.items[0];
    assert.deepEqual(Object.keys(item).sort(), [
      'created_at', 'etag', 'event_at', 'event_type', 'id', 'kind', 'modified_at', 'modified_by_user_uuid',
      'object_kind', 'object_owner_uuid', 'object_uuid', 'owner_uuid', 'properties', 'summary', 'uuid',
    ]);
    assert.equal(item.kind, 'arvados#log');
    assert.match(item.uuid, /^zzzzz-57u5n-[a-z0-9]{15}$/);
    assert.equal(item.object_kind, 'arvados#group');
    assert.match(item.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.deepEqual(item.properties.new_attributes, { name: 'n6', secret_sauce: 'x' });
    assert.equal(item.properties.old_attributes.exit_code, 5);
  });

  test('order ["id asc"], comma strings and invalid entries (dropped silently)', async () => {
    const asc = await list({ order: ['id asc'], limit: 3 });
    assert.deepEqual(asc.body.items.map((i: FakeLogRow) => i.id), rows.slice(0, 3).map((r) => r.id));
    const comma = await list({ order: 'event_type desc, id asc', limit: 2 });
    assert.deepEqual(comma.body.items.map((i: FakeLogRow) => i.event_type), ['update', 'update']);
    assert.equal(comma.body.items[0].id, rows[1]!.id);
    const junk = await list({ order: ['nosuchcolumn asc', 'id sideways', 'id desc'], limit: 1 });
    assert.equal(junk.status, 200);
    assert.equal(junk.body.items[0].id, rows.at(-1)!.id);
  });

  test('limit is clamped to MaxItemsPerResponse silently; non-digits are a 422', async () => {
    const big = await list({ limit: 5000, order: ['id asc'] });
    assert.equal(big.body.limit, 1000);
    assert.equal(big.body.items.length, 1000);
    const bad = await list({ limit: 'ten' });
    assert.equal(bad.status, 422);
    assert.equal(railsMessage(bad.body), '#<ArgumentError: Invalid value for limit parameter>');
    assert.equal((await list({ limit: -1 })).status, 422);
  });

  test('offset pages; count=none leaves out items_available; other counts are a 422', async () => {
    const page = await list({ order: ['id asc'], limit: 2, offset: 10 });
    assert.deepEqual(page.body.items.map((i: FakeLogRow) => i.id), [rows[10]!.id, rows[11]!.id]);
    assert.equal(page.body.offset, 10);
    const none = await list({ count: 'none', limit: 1 });
    assert.equal('items_available' in none.body, false);
    assert.equal((await list({ count: 'estimated' })).status, 422);
  });

  test('the polling cursor: id > string operand, id asc', async () => {
    const r = await list({ filters: [['id', '>', String(rows[1197]!.id)]], order: ['id asc'] });
    assert.deepEqual(r.body.items.map((i: FakeLogRow) => i.id), [rows[1198]!.id, rows[1199]!.id]);
    assert.equal(r.body.items_available, 2);
  });

  test('filters: event_type in, created_at with Rails time forms, is_a, like on the text column', async () => {
    const creates = await list({ filters: [['event_type', 'in', ['create']]], limit: 0 });
    assert.equal(creates.body.items_available, 400);
    assert.equal(creates.body.items.length, 0);
    const t = rows[1190]!.created_at;
    const since = await list({ filters: [['created_at', '>=', t]], limit: 0 });
    assert.equal(since.body.items_available, 10);
    const spaced = await list({ filters: [['created_at', '>=', t.replace('T', ' ').replace(/\.\d+Z$/, '')]], limit: 0 });
    assert.equal(spaced.body.items_available, 10);
    const groups = await list({ filters: [['object_uuid', 'is_a', 'arvados#group']], limit: 0 });
    assert.equal(groups.body.items_available, 1200);
    const legacy = await list({ filters: [['object_kind', '=', 'arvados#collection']], limit: 0 });
    assert.equal(legacy.body.items_available, 0);
    const like = await list({ filters: [['properties', 'like', '%"old_attributes":{"name":"n1199"%']], limit: 0 });
    assert.equal(like.body.items_available, 1);
  });

  test('filters: != and not in also match NULL', async () => {
    const c2 = await FakeCluster.start();
    try {
      const a = c2.emit({ object_uuid: c2.users.active.uuid, event_type: 'update' });
      const b = c2.emit({ object_uuid: c2.users.active.uuid, event_type: null });
      const q = (filters: unknown) => request(c2, '/arvados/v1/logs', { token: c2.users.active.token, query: { filters, order: 'id' } });
      assert.deepEqual((await q([['event_type', '!=', 'create']])).body.items.map((i: FakeLogRow) => i.id), [a.id, b.id]);
      assert.deepEqual((await q([['event_type', 'not in', ['create']]])).body.items.map((i: FakeLogRow) => i.id), [a.id, b.id]);
      assert.deepEqual((await q([['event_type', '=', null]])).body.items.map((i: FakeLogRow) => i.id), [b.id]);
      assert.deepEqual((await q([['event_type', '!=', null]])).body.items.map((i: FakeLogRow) => i.id), [a.id]);
    } finally {
      await c2.stop();
    }
  });

  test('422s: unparsable filters, subproperty and exists on the text properties column, unknown attributes', async () => {
    const cases: Array<[unknown, string]> = [
      ['[["id",">",', '#<ArgumentError: Could not parse "filters" param as an array>'],
      ['{"id":1}', '#<ArgumentError: Could not parse "filters" param as an array>'],
      [[['properties.new_attributes.state', '=', 'Final']], "#<ArgumentError: Invalid attribute 'properties' for subproperty filter>"],
      [[['properties', 'exists', 'text']], "#<ArgumentError: Invalid attribute 'properties' for operator 'exists' in filter>"],
      [[['x', '=', 'y']], "#<ArgumentError: Invalid attribute 'x' in filter>"],
      [[['id', 'like', '1%']], "#<ArgumentError: Invalid attribute 'id' in filter>"],
      [[['event_type', 'contains', 'x']], "#<ArgumentError: Invalid operator 'contains'>"],
      [[['event_type', '@@', 'x']], '#<ArgumentError: Full text search operator is no longer supported>'],
      [['not a condition'], '#<ArgumentError: Invalid element in filters array: "not a condition" is not an array>'],
      [[['created_at', '>', 'yesterday-ish']], '#<ArgumentError: no time information in "yesterday-ish">'],
    ];
    for (const [filters, message] of cases) {
      const r = await list({ filters });
      assert.equal(r.status, 422, JSON.stringify(filters));
      assert.equal(railsMessage(r.body), message);
    }
  });

  test('select: only the named attributes plus kind; orders on unselected columns are dropped', async () => {
    const r = await list({ select: ['id', 'event_type'], order: ['id asc'], limit: 1 });
    assert.deepEqual(r.body.items[0], { id: rows[0]!.id, event_type: 'create', kind: 'arvados#log' });
    const bad = await list({ select: ['nope'] });
    assert.equal(bad.status, 422);
    assert.equal(railsMessage(bad.body), '#<ArgumentError: Invalid attribute(s): ["nope"]>');
  });

  test('POST with _method=GET is a list, as Workbench sends long queries', async () => {
    const r = await request(c, '/arvados/v1/logs', {
      token,
      form: { _method: 'GET', filters: [['id', '>', rows[1198]!.id]], order: ['id asc'] },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i: FakeLogRow) => i.id), [rows[1199]!.id]);
    const rec = c.apiRequests.at(-1)!;
    assert.equal(rec.method, 'POST');
    assert.equal(rec.effectiveMethod, 'GET');
  });

  test('401 without a token', async () => {
    const r = await request(c, '/arvados/v1/logs');
    assert.equal(r.status, 401);
    assert.equal(railsMessage(r.body), 'Not logged in');
  });
});

describe('fake cluster: visibility of logs and objects', () => {
  let c: FakeCluster;
  before(async () => {
    c = await FakeCluster.start();
  });
  after(() => c.stop());

  test("a user sees logs of what they can read, not other users' private objects", async () => {
    const mine = c.createProject(c.users.active, 'mine');
    const theirs = c.createProject(c.users.other, 'theirs');
    const shared = c.createProject(c.users.other, 'shared', { readers: [c.users.active.uuid] });
    const a = c.createObject({ kind: 'arvados#collection', owner_uuid: mine.uuid as string }).log;
    const b = c.createObject({ kind: 'arvados#collection', owner_uuid: theirs.uuid as string }).log;
    const s = c.createObject({ kind: 'arvados#collection', owner_uuid: shared.uuid as string }).log;
    const ids = async (t: string) =>
      (await request(c, '/arvados/v1/logs', { token: t, query: { order: 'id', filters: [['id', 'in', [a.id, b.id, s.id]]] } })).body.items.map(
        (i: FakeLogRow) => i.id,
      );
    assert.deepEqual(await ids(c.users.active.token), [a.id, s.id]);
    assert.deepEqual(await ids(c.users.other.token), [b.id, s.id]);
    assert.deepEqual(await ids(c.users.admin.token), [a.id, b.id, s.id]);
  });

  test('objects: GET by uuid with per-token permission; 404 "Path not found" otherwise', async () => {
    const project = c.createProject(c.users.other, 'p');
    const cr = c.putObject({ kind: 'arvados#containerRequest', owner_uuid: project.uuid as string, name: 'job' });
    const path = `/arvados/v1/container_requests/${cr.uuid}`;
    assert.equal((await request(c, path, { token: c.users.other.token })).body.name, 'job');
    const denied = await request(c, path, { token: c.users.active.token });
    assert.equal(denied.status, 404);
    assert.equal(railsMessage(denied.body), 'Path not found');
    c.share(project.uuid as string, c.users.active);
    assert.equal((await request(c, path, { token: c.users.active.token })).status, 200);
    assert.equal((await request(c, `/arvados/v1/collections/${cr.uuid}`, { token: c.users.other.token })).status, 404);
  });

  test('a container is readable through its container request, found with a container_uuid filter', async () => {
    const container = c.putObject({ kind: 'arvados#container', owner_uuid: c.systemUserUuid, state: 'Running' });
    const cr = c.putObject({ kind: 'arvados#containerRequest', owner_uuid: c.users.active.uuid, container_uuid: container.uuid });
    const get = await request(c, `/arvados/v1/containers/${container.uuid}`, { token: c.users.active.token });
    assert.equal(get.body.state, 'Running');
    assert.equal((await request(c, `/arvados/v1/containers/${container.uuid}`, { token: c.users.other.token })).status, 404);
    const found = await request(c, '/arvados/v1/container_requests', {
      token: c.users.active.token,
      query: { filters: [['container_uuid', '=', container.uuid]] },
    });
    assert.equal(found.body.kind, 'arvados#containerRequestList');
    assert.deepEqual(found.body.items.map((i: { uuid: string }) => i.uuid), [cr.uuid]);
  });

  test('a trashed object is hidden from GET unless include_trash, and its events still flow', async () => {
    const project = c.createProject(c.users.active, 'trash');
    const coll = c.putObject({ kind: 'arvados#collection', owner_uuid: project.uuid as string }).uuid as string;
    const ws = await subscribed(c, c.users.active.token);
    const row = c.trashObject(coll);
    await ws.waitUntil(() => ws.events.length === 1);
    assert.equal(ws.events[0].id, row.id);
    assert.equal(ws.events[0].properties.new_attributes.is_trashed, true);
    const path = `/arvados/v1/collections/${coll}`;
    assert.equal((await request(c, path, { token: c.users.active.token })).status, 404);
    assert.equal((await request(c, path, { token: c.users.active.token, query: { include_trash: 'true' } })).status, 200);
    await ws.close();
  });

  test('rows can commit out of id order (reserveLogId); the websocket sends them in commit order', async () => {
    const project = c.createProject(c.users.active, 'order').uuid as string;
    const ws = await subscribed(c, c.users.active.token);
    const early = c.reserveLogId();
    const later = c.emit({ object_uuid: project });
    const committedLate = c.emit({ id: early, object_uuid: project });
    assert.ok(committedLate.id < later.id);
    await ws.waitUntil(() => ws.events.length === 2);
    assert.deepEqual(ws.events.map((e) => e.id), [later.id, early]);
    const listed = await request(c, '/arvados/v1/logs', {
      token: c.users.active.token,
      query: { filters: [['id', '>=', early]], order: ['id asc'] },
    });
    assert.deepEqual(listed.body.items.map((i: FakeLogRow) => i.id), [early, later.id]);
    await ws.close();
  });

  test('failNextApiCalls: the next calls fail (optionally only under some paths), then all is well', async () => {
    c.failNextApiCalls(2, 503, ['/arvados/v1/logs']);
    const t = c.users.active.token;
    assert.equal((await request(c, '/arvados/v1/users/current', { token: t })).status, 200);
    const failed = await request(c, '/arvados/v1/logs', { token: t });
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.body, { errors: ['Service Unavailable'] });
    assert.equal((await request(c, '/arvados/v1/logs', { token: t })).status, 503);
    assert.equal((await request(c, '/arvados/v1/logs', { token: t })).status, 200);
    c.failNextApiCalls(1, 502);
    assert.equal((await request(c, '/discovery/v1/apis/arvados/v1/rest')).status, 502);
    assert.equal(c.apiRequests.at(-1)!.injected, true);
  });
});

describe('fake cluster: websocket v0 messages', () => {
  let c: FakeCluster;
  before(async () => {
    c = await FakeCluster.start();
  });
  after(() => c.stop());

  test('subscribe → 200; bad JSON, unknown or missing method, bad last_log_id → 400, and the socket stays open', async () => {
    const ws = RawWs.connect(c, c.users.active.token);
    await ws.opened;
    const sends = [
      '{"method":"subscribe"}',
      'not json',
      '{"method":"list"}',
      '{"filters":[]}',
      '{"method":"subscribe","last_log_id":"5"}',
      '{"method":"subscribe","filters":"x"}',
      '{"METHOD":"subscribe","Filters":[["event_type","in",["create"]]]}',
      '{"method":"unsubscribe","filters":[["event_type","in",["update"]]]}',
      '{"method":"unsubscribe","filters":[["event_type","in",["create"]]]}',
      '{"method":"unsubscribe","filters":[]}',
      '{"method":"unsubscribe"}',
    ];
    for (const s of sends) ws.send(s);
    const frames = await ws.waitForFrames(sends.length);
    assert.deepEqual(
      frames.map((f) => f.status),
      [200, 400, 400, 400, 400, 400, 200, 400, 200, 400, 200],
    );
    assert.equal(c.wsConnectionCount, 1);
    const mine = c.subscribeMessages.filter((m) => m.connection === c.wsConnectionsTotal);
    assert.equal(mine.length, sends.length);
    assert.equal(mine[1]!.message, undefined);
    assert.equal(mine[1]!.raw, 'not json');
    await ws.close();
  });

  test('keepalive {} every SendTimeout while idle; the server never pings', async () => {
    const k = await FakeCluster.start({ sendTimeoutMs: 80 });
    try {
      const ws = await subscribed(k, k.users.active.token);
      let pinged = false;
      ws.ws.on('ping', () => (pinged = true));
      await ws.waitUntil(() => ws.frames.filter((f) => f === '{}').length >= 3, 2000, 'three keepalives');
      assert.equal(pinged, false);
      await ws.close();
    } finally {
      await k.stop();
    }
  });

  test('event messages: sorted keys, six forwarded attributes, text kept whole, Go times, msgID from 1', async () => {
    const project = c.createProject(c.users.active, 'p');
    const ws = await subscribed(c, c.users.active.token);
    const coll = c.createObject({ kind: 'arvados#collection', owner_uuid: project.uuid as string, name: 'a<b' }).object;
    c.updateObject(coll.uuid as string, { name: 'c', is_trashed: false, properties: { x: 1 } });
    c.emit({ object_uuid: coll.uuid as string, event_type: 'stderr', properties: { text: 'hello', extra: 1 }, event_at: '2024-01-02T03:04:05.120Z' });
    c.emit({ object_uuid: coll.uuid as string, event_type: null, object_owner_uuid: null, event_at: '2024-01-02T03:04:05Z' });
    await ws.waitUntil(() => ws.events.length === 4, 3000, 'four events');
    const [create, update, text, bare] = ws.events;
    const raw = ws.frames.find((f) => f.includes('"event_type":"create"'))!;
    assert.ok(raw.startsWith('{"event_at":'), 'keys are sorted as Go sorts map keys');
    assert.ok(raw.includes('a\\u003cb'), 'Go escapes < in JSON');
    assert.deepEqual(Object.keys(create), ['event_at', 'event_type', 'id', 'msgID', 'object_kind', 'object_owner_uuid', 'object_uuid', 'properties', 'uuid']);
    assert.equal(create.msgID, 1);
    assert.equal(update.msgID, 2);
    assert.equal(create.object_kind, 'arvados#collection');
    assert.deepEqual(create.properties, {
      new_attributes: { is_trashed: false, name: 'a<b', owner_uuid: project.uuid, portable_data_hash: 'd41d8cd98f00b204e9800998ecf8427e+0' },
    });
    assert.deepEqual(Object.keys(update.properties), ['new_attributes', 'old_attributes']);
    assert.deepEqual(text.properties, { extra: 1, text: 'hello' });
    assert.equal(text.event_at, '2024-01-02T03:04:05.12Z');
    assert.equal(bare.event_at, '2024-01-02T03:04:05Z');
    assert.equal(bare.event_type, '');
    assert.equal(bare.object_owner_uuid, '');
    await ws.close();
  });
});

describe('fake cluster: websocket filtering, replay and permissions', () => {
  let c: FakeCluster;
  let project: string;
  before(async () => {
    c = await FakeCluster.start();
    project = c.createProject(c.users.active, 'p').uuid as string;
  });
  after(() => c.stop());

  const ev = (event_type: string, extra: Record<string, unknown> = {}) => c.emit({ object_uuid: project, event_type, ...extra });

  test('only event_type "in" and RFC3339 created_at are honoured; everything else is ignored', async () => {
    const t = new Date(c.nowMs() + MINUTE).toISOString();
    const byType = await subscribed(c, c.users.active.token, { filters: [['event_type', 'in', ['create', 7]]] });
    const eqType = await subscribed(c, c.users.active.token, { filters: [['event_type', '=', 'create'], ['object_uuid', '=', 'zzzzz-4zz18-000000000000000']] });
    const later = await subscribed(c, c.users.active.token, { filters: [['created_at', '>', t]] });
    const loose = await subscribed(c, c.users.active.token, { filters: [['created_at', '>', t.slice(0, 10)]] });
    const rows = [ev('update'), ev('create'), ev('update', { created_at: c.nowMs() + 2 * MINUTE })];
    await loose.waitUntil(() => loose.events.length === 3);
    await eqType.waitUntil(() => eqType.events.length === 3);
    await byType.waitUntil(() => byType.events.length === 1);
    await later.waitUntil(() => later.events.length === 1);
    await sleep(50);
    assert.deepEqual(byType.events.map((e) => e.id), [rows[1]!.id]);
    assert.deepEqual(later.events.map((e) => e.id), [rows[2]!.id]);
    assert.equal(byType.events.length + later.events.length, 2);
    await Promise.all([byType, eqType, later, loose].map((w) => w.close()));
  });

  test('subscriptions are ORed and an event matching several is sent once', async () => {
    const ws = await subscribed(c, c.users.active.token, { filters: [['event_type', 'in', ['create']]] });
    ws.send({ method: 'subscribe', filters: [['event_type', 'in', ['create', 'delete']]] });
    await ws.waitForFrames(2);
    const rows = [ev('create'), ev('delete'), ev('update')];
    await ws.waitUntil(() => ws.events.length === 2);
    await sleep(50);
    assert.deepEqual(ws.events.map((e) => e.id), [rows[0]!.id, rows[1]!.id]);
    await ws.close();
  });

  test('replay: ids after last_log_id, created in the last 10 minutes, after the 200, in id order', async () => {
    const old = ev('update', { created_at: c.nowMs() - 11 * MINUTE });
    const recent = [ev('update', { created_at: c.nowMs() - 9 * MINUTE }), ev('create'), ev('update')];
    const before = c.replayedEventCount;
    const ws = RawWs.connect(c, c.users.active.token);
    await ws.opened;
    ws.send({ method: 'subscribe', filters: [['event_type', 'in', ['update']]], last_log_id: old.id - 1 });
    await ws.waitUntil(() => ws.events.length === 2);
    assert.deepEqual(ws.messages[0], { status: 200 });
    assert.deepEqual(ws.events.map((e) => e.id), [recent[0]!.id, recent[2]!.id]);
    assert.equal(c.replayedEventCount - before, 2);
    // Moving the clock ages rows past the window.
    c.advanceClock(10 * MINUTE);
    const late = await subscribed(c, c.users.active.token, { last_log_id: old.id - 1 });
    await sleep(100);
    assert.equal(late.events.length, 0);
    c.setClockOffset(0);
    await Promise.all([ws.close(), late.close()]);
  });

  test("permissions: other users' private objects are not sent; bad tokens get 200 and silence", async () => {
    const theirs = c.createProject(c.users.other, 'theirs').uuid as string;
    const active = await subscribed(c, c.users.active.token);
    const nobody = await subscribed(c, 'v2/zzzzz-gj3su-000000000000000/bad');
    const anonymous = await subscribed(c, undefined);
    const hidden = c.createObject({ kind: 'arvados#collection', owner_uuid: theirs }).log;
    const visible = c.createObject({ kind: 'arvados#collection', owner_uuid: project }).log;
    await active.waitUntil(() => active.events.length === 1);
    await sleep(50);
    assert.deepEqual(active.events.map((e) => e.id), [visible.id]);
    assert.equal(nobody.events.length + anonymous.events.length, 0);
    assert.ok(hidden.id < visible.id);
    await Promise.all([active.close(), nobody.close(), anonymous.close()]);
  });

  test('delete events are checked against the owner, since the object is gone', async () => {
    const theirs = c.createProject(c.users.other, 'theirs').uuid as string;
    const mineColl = c.putObject({ kind: 'arvados#collection', owner_uuid: project }).uuid as string;
    const theirColl = c.putObject({ kind: 'arvados#collection', owner_uuid: theirs }).uuid as string;
    const ws = await subscribed(c, c.users.active.token, { filters: [['event_type', 'in', ['delete']]] });
    const hidden = c.deleteObject(theirColl);
    const shown = c.deleteObject(mineColl);
    await ws.waitUntil(() => ws.events.length === 1);
    await sleep(50);
    assert.deepEqual(ws.events.map((e) => e.id), [shown.id]);
    assert.equal(ws.events[0].object_owner_uuid, project);
    assert.deepEqual(Object.keys(ws.events[0].properties), ['old_attributes']);
    assert.notEqual(hidden.id, shown.id);
    await ws.close();
  });

  test('permission answers are cached per connection: sharing shows up after a reconnect', async () => {
    const theirs = c.createProject(c.users.other, 'later-shared').uuid as string;
    const ws = await subscribed(c, c.users.active.token);
    ev('create', { object_uuid: theirs });
    c.share(theirs, c.users.active);
    ev('update', { object_uuid: theirs });
    ev('update'); // a visible one, to know the others have been processed
    await ws.waitUntil(() => ws.events.length === 1);
    assert.equal(ws.events[0].object_uuid, project);
    const again = await subscribed(c, c.users.active.token);
    const row = ev('update', { object_uuid: theirs });
    await again.waitUntil(() => again.events.length === 1);
    assert.equal(again.events[0].id, row.id);
    await Promise.all([ws.close(), again.close()]);
  });
});

describe('fake cluster: websocket failures', () => {
  test('a full client queue ends the connection with 1000 and no reason', async () => {
    const c = await FakeCluster.start({ clientQueueSize: 4 });
    try {
      const project = c.createProject(c.users.active, 'p').uuid as string;
      const ws = await subscribed(c, c.users.active.token);
      c.stallWrites(60_000);
      c.emitBatch(5, { object_uuid: project });
      const closed = await ws.closed;
      assert.deepEqual(closed, { code: 1000, reason: '' });
      assert.equal(c.overflowDisconnects, 1);
      assert.equal(c.disconnects.at(-1)!.reason, 'overflow');
      assert.equal(ws.events.length, 0);
      c.stallWrites(0);
      // Events the client may not see take queue slots too: the check happens at send time.
      const ws2 = await subscribed(c, c.users.other.token);
      c.stallWrites(60_000);
      c.emitBatch(5, { object_uuid: project });
      assert.equal((await ws2.closed).code, 1000);
      assert.equal(c.overflowDisconnects, 2);
      c.stallWrites(0);
      // A stall shorter than the burst's arrival leaves the connection alive.
      const ws3 = await subscribed(c, c.users.active.token);
      c.stallWrites(100);
      c.emitBatch(4, { object_uuid: project });
      await ws3.waitUntil(() => ws3.events.length === 4);
      assert.equal(c.wsConnectionCount, 1);
      await ws3.close();
    } finally {
      await c.stop();
    }
  });

  test('a paced stream does not overflow; a burst of more than the queue with stalled writes does', async () => {
    const c = await FakeCluster.start({ clientQueueSize: 8 });
    try {
      const project = c.createProject(c.users.active, 'p').uuid as string;
      const ws = await subscribed(c, c.users.active.token);
      await c.emitStream(50, { object_uuid: project });
      await ws.waitUntil(() => ws.events.length === 50);
      assert.equal(c.overflowDisconnects, 0);
      await ws.close();
    } finally {
      await c.stop();
    }
  });

  test('a client that stops reading blocks the writer; after SendTimeout the server drops it', async () => {
    const c = await FakeCluster.start({ sendTimeoutMs: 300, clientQueueSize: 10_000 });
    try {
      const project = c.createProject(c.users.active, 'p').uuid as string;
      const ws = await subscribed(c, c.users.active.token);
      ws.ws.pause();
      c.emitBatch(200, { object_uuid: project, event_type: 'stderr', properties: { text: 'x'.repeat(200_000) } });
      await c.waitFor(() => c.wsConnectionCount === 0, 5000, 'the slow client to be dropped');
      assert.equal(c.disconnects.at(-1)!.reason, 'write-timeout');
      assert.equal(c.overflowDisconnects, 0);
      ws.ws.terminate();
    } finally {
      await c.stop();
    }
  });

  test('cutConnections drops TCP without a close frame; closeConnections closes cleanly', async () => {
    const c = await FakeCluster.start();
    try {
      const a = await subscribed(c, c.users.active.token);
      assert.equal(c.wsConnectionCount, 1);
      c.cutConnections();
      assert.equal((await a.closed).code, 1006);
      await c.waitFor(() => c.wsConnectionCount === 0);
      assert.equal(c.disconnects.at(-1)!.reason, 'cut');
      const b = await subscribed(c, c.users.active.token);
      c.closeConnections(1001);
      assert.deepEqual(await b.closed, { code: 1001, reason: '' });
      assert.equal(c.wsConnectionsTotal, 2);
    } finally {
      await c.stop();
    }
  });

  test('upgrades: 404 when the websocket is off, 503 when rejected, v1 closes at once, other paths 404', async () => {
    const c = await FakeCluster.start();
    try {
      c.setWebsocketEnabled(false);
      const off = RawWs.connect(c, c.users.active.token);
      await assert.rejects(off.opened);
      assert.equal(off.upgradeStatus, 404);
      c.setWebsocketEnabled(true);
      c.rejectUpgrades(true);
      const busy = RawWs.connect(c, c.users.active.token);
      await assert.rejects(busy.opened);
      assert.equal(busy.upgradeStatus, 503);
      c.rejectUpgrades(false);
      const v1 = RawWs.connect(c, c.users.active.token, '/arvados/v1/events.ws');
      await v1.opened;
      assert.equal((await v1.closed).code, 1000);
      const elsewhere = RawWs.connect(c, c.users.active.token, '/nope');
      await assert.rejects(elsewhere.opened);
      assert.equal(elsewhere.upgradeStatus, 404);
      assert.deepEqual(c.upgradeAttempts.map((u) => u.status), [404, 503, 101, 404]);
      const plain = await request(c, '/websocket');
      assert.equal(plain.status, 400);
      assert.equal(plain.text, 'not websocket protocol');
    } finally {
      await c.stop();
    }
  });

  test('a client frame of 2 MiB or more, or an unsolicited pong, ends the connection', async () => {
    const c = await FakeCluster.start();
    try {
      const small = await subscribed(c, c.users.active.token);
      small.send(JSON.stringify({ method: 'subscribe', pad: 'x'.repeat((2 << 20) - 64) }));
      await small.waitForFrames(2);
      assert.equal(small.messages[1].status, 200, 'just under 2 MiB is fine');
      small.send('x'.repeat(2 << 20));
      assert.equal((await small.closed).code, 1000);
      assert.equal(c.disconnects.at(-1)!.reason, 'frame-too-big');
      const pong = await subscribed(c, c.users.active.token);
      pong.ws.pong();
      assert.equal((await pong.closed).code, 1000);
      assert.equal(c.disconnects.at(-1)!.reason, 'unsolicited-pong');
    } finally {
      await c.stop();
    }
  });

  test('a permission lookup that fails (5xx), or an object UUID of no known type, ends the connection', async () => {
    const c = await FakeCluster.start();
    try {
      const project = c.createProject(c.users.active, 'p').uuid as string;
      const ws = await subscribed(c, c.users.active.token);
      c.failPermissionChecks(1);
      c.emit({ object_uuid: project });
      assert.equal((await ws.closed).code, 1000);
      assert.equal(c.disconnects.at(-1)!.reason, 'permission-error');
      const ws2 = await subscribed(c, c.users.active.token);
      c.emit({ object_uuid: 'zzzzz-zzzzz-000000000000000' });
      assert.equal((await ws2.closed).code, 1000);
    } finally {
      await c.stop();
    }
  });
});
