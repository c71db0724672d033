/**
 * A workspace must not control where the token goes. Two fake clusters in this process: A is
 * the user's (ARVADOS_API_HOST, ARVADOS_API_TOKEN in the extension host's environment); B is a
 * repository's: the opened folder's `.vscode/settings.json` sets `arvados.apiHost` to B and
 * `arvados.insecure: true`. B records every request as it reached it (wireRequests: the
 * Authorization header and the `api_token` of REST calls and of the websocket upgrade URL).
 *
 * - The extension asks first, in a modal naming B; until answered, B receives nothing.
 * - Declined: live on A (an event emitted there shows); B receives nothing, and never A's token.
 * - After a reload, accepted: Set API Token asks for B's own token; with it, live on B. A's token
 *   never reaches B.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
const LOG = 'Arvados Events';
const STATUS = 'arvados.status';

function statusMatches(wb: Workbench, re: RegExp, timeout = 15000): Promise<string | undefined> {
  return wb.waitFor(() => wb.statusBarText(STATUS), (t) => !!t && re.test(t), { timeout, message: `status bar ${re}` });
}

describe('a workspace whose settings name another cluster', () => {
  let a: FakeCluster;
  let b: FakeCluster;
  let wb: Workbench;
  let home: string;
  let folder: string;
  let tokenA: string;

  /** Requests that reached B carrying A's token (whole, or its secret as a v1 token). */
  const carryingA = () => {
    const secret = tokenA.split('/')[2];
    return b.wireRequests.filter((r) => r.tokens.some((t) => t === tokenA || t.includes(secret)));
  };

  before(async () => {
    a = await FakeCluster.start({ sendTimeoutMs: 2000 });
    // Its own seed: its tokens are not A's.
    b = await FakeCluster.start({ sendTimeoutMs: 2000, clusterId: 'wkspc', seed: 'workspace-cluster' });
    tokenA = a.users.active.token;
    assert.notEqual(b.users.active.token, tokenA);
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    folder = mkdtempSync(join(tmpdir(), 'arv-e2e-repo-'));
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'settings.json'), `{
  // A repository's settings: another cluster, and TLS verification off.
  "arvados.apiHost": "${b.host}",
  "arvados.insecure": true,
}
`);
    wb = await startWorkbench({
      extensionPath: REPO,
      workspace: folder,
      env: { HOME: home, ARVADOS_API_HOST: a.host, ARVADOS_API_TOKEN: tokenA, SSL_CERT_FILE: a.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await a?.stop();
    await b?.stop();
    for (const dir of [home, folder]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks first, naming the host; declined, it stays live on the user\'s cluster and the workspace\'s host receives nothing', async () => {
    const dialog = wb.page.locator('.monaco-dialog-box');
    // (The view container is opened after the modal: a modal takes the clicks.)
    // Whichever comes first: the question, or a request reaching B.
    await wb.waitFor(async () => b.wireRequests.length > 0 || (await dialog.isVisible()), (v) => v, { timeout: 30000, message: 'a modal, or a request to B' });
    assert.deepEqual(carryingA(), [], 'no request to the workspace\'s host carries the user\'s token');
    assert.deepEqual(b.apiRequests.filter((r) => r.user !== null), [], 'nor any token B knows');
    assert.ok(await dialog.isVisible(), 'a modal asks first');
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(b.host), `the modal names the host: ${text}`);
    assert.ok(text.includes(a.host), `and the user's own: ${text}`);
    await wb.screenshot('workspace-trust-modal');
    assert.deepEqual(b.wireRequests, [], 'nothing reaches B while the user decides');

    await dialog.locator('.monaco-button', { hasText: `Stay on ${a.host}` }).click();
    await wb.openViewContainer('Arvados');
    await statusMatches(wb, /live/, 30000);
    await wb.waitForLog(LOG, `Connected to ${a.host} as active`);
    await wb.waitForLog(LOG, new RegExp(`Not using ${b.host.replace(/\./g, '\\.')}, asked for by .*: declined`));
    await wb.waitForLog(LOG, /Ignoring arvados\.insecure from .*settings\.json/);
    await a.waitFor(() => a.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed on A');
    const reads = a.createObject({ kind: 'arvados#collection', name: 'reads.bam' }).object.uuid as string;
    a.updateObject(reads, { name: 'reads-on-a.bam' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('reads-on-a.bam')), { message: 'an event from A' });

    // Reconnect: not asked again in this window, still A.
    await wb.runCommand('Arvados: Reconnect');
    await wb.waitFor(() => wb.readLog(LOG).split(`Connected to ${a.host} as active`).length - 1, (n) => n >= 2, { timeout: 30000, message: 'connected to A again' });
    assert.equal(await dialog.isVisible(), false, 'no second question');

    assert.deepEqual(b.wireRequests, [], 'B received no request at all');
    assert.deepEqual(b.upgradeAttempts, []);
    assert.equal(b.wsConnectionsTotal, 0);
    assert.ok(!wb.readLog(LOG).includes(tokenA.split('/')[2]), 'the token is not logged');
  });

  it('accepted (after a reload), it connects there only with a token of its own, asked for by Set API Token', async () => {
    await wb.reload();
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30000 });
    assert.ok((await dialog.innerText()).includes(b.host));
    await dialog.locator('.monaco-button', { hasText: `Connect to ${b.host}` }).click();
    // No token is bound to B (the environment's is A's): Set API Token asks, naming B.
    const title = wb.page.locator('.quick-input-widget .quick-input-title');
    await wb.waitFor(() => title.innerText().catch(() => ''), (t) => t.includes(`Set API Token for ${b.host}`), { timeout: 30000, message: 'Set API Token for B' });
    assert.deepEqual(carryingA(), [], 'A\'s token never reached B');
    await wb.answerInput(b.users.active.token);
    await wb.openViewContainer('Arvados');
    await statusMatches(wb, /live/, 30000);
    await wb.waitForLog(LOG, `Connected to ${b.host} as active`);
    await b.waitFor(() => b.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed on B');
    const doc = b.createObject({ kind: 'arvados#collection', name: 'notes.txt' }).object.uuid as string;
    b.updateObject(doc, { name: 'notes-on-b.txt' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('notes-on-b.txt')), { message: 'an event from B' });
    assert.ok(b.wireRequests.length > 0);
    assert.deepEqual(carryingA(), [], 'only B\'s own token went to B');
    assert.ok(b.wireRequests.every((r) => r.tokens.every((t) => t === b.users.active.token)), 'every token B saw is its own');
    await wb.screenshot('workspace-trust-accepted');
  });
});
