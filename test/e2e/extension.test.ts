/**
 * The extension in a real VS Code workbench (code-server + Chromium, see harness.ts), against the
 * fake cluster running in this process. The cluster reaches the extension the zero-configuration
 * way: ARVADOS_API_HOST, ARVADOS_API_TOKEN and SSL_CERT_FILE in the extension host's environment.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
const LOG = 'Arvados Events';

describe('Arvados Events in VS Code', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;
  let reads: string;
  let other: string;

  before(async () => {
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    reads = cluster.createObject({ kind: 'arvados#collection', name: 'reads.bam' }).object.uuid as string;
    other = cluster.createObject({ kind: 'arvados#collection', name: 'other.vcf' }).object.uuid as string;
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    wb = await startWorkbench({
      extensionPath: REPO,
      settings: { 'arvados.diagnostics.eventLoopMonitor': true },
      env: {
        HOME: home,
        ARVADOS_API_HOST: cluster.host,
        ARVADOS_API_TOKEN: cluster.users.active.token,
        SSL_CERT_FILE: cluster.certFile,
      },
    });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('connects with zero configuration and shows live events', async () => {
    await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'status bar live' });
    await wb.waitForLog(LOG, /Connected to .* as active/);
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
    const row = cluster.updateObject(reads, { name: 'reads-v2.bam' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('reads-v2.bam')), { message: 'event row' });
    await wb.waitForLog(LOG, new RegExp(`event #${row.id} update collection`));
    await wb.waitFor(() => wb.page.locator('.pane-header', { hasText: 'Events' }).first().innerText(), (t) => /1 shown/.test(t), { message: 'view description' });
    await wb.screenshot('extension-live');
    assert.ok(!wb.readLog(LOG).includes(cluster.users.active.token.split('/')[2]), 'never the token');
  });

  it('refuses an invalid filter inline, and a valid one narrows the view without reconnecting', async () => {
    const connections = cluster.wsConnectionsTotal;
    await wb.runCommand('Arvados: Add Filter');
    await wb.answerInput('[["object_uuid","=",', { submit: false });
    await wb.waitFor(() => wb.quickItems(), (items) => items.some((i) => i.includes('Invalid filter')), { message: 'inline refusal' });
    await wb.page.keyboard.press('Enter');
    assert.ok((await wb.quickItems()).some((i) => i.includes('Invalid filter')), 'still open after Enter on an invalid filter');
    await wb.answerInput(JSON.stringify([['object_uuid', '=', reads]]), { submit: false });
    await wb.waitFor(() => wb.quickItems(), (items) => items.some((i) => i.includes('Add this filter')), { message: 'valid filter item' });
    await wb.page.keyboard.press('Enter');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.some((r) => r.startsWith('object uuid = ')), { message: 'subscription row' });
    await cluster.waitFor(() => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes(reads)), 10000, 'subscribe sent');
    cluster.updateObject(other, { name: 'filtered-out.vcf' });
    cluster.updateObject(reads, { name: 'reads-v3.bam' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('reads-v3.bam')), { message: 'filtered event' });
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('filtered-out.vcf')));
    assert.equal(cluster.wsConnectionsTotal, connections, 'the connection was kept');
  });

  it('notifies when a watched container request fails, with the outcome read from its container', async () => {
    const container = cluster.createObject({ kind: 'arvados#container', state: 'Running' }).object.uuid as string;
    const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'align-reads', state: 'Committed', container_uuid: container }).object.uuid as string;
    await wb.runCommand('Arvados: Watch Object');
    await wb.answerInput(cr);
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('align-reads') && r.includes('Committed')), { message: 'watched row' });
    cluster.updateObject(container, { state: 'Complete', exit_code: 3 });
    cluster.updateObject(cr, { state: 'Final' });
    const toasts = await wb.waitFor(() => wb.notifications(), (n) => n.some((m) => m.startsWith('Failed: align-reads')), { timeout: 20000, message: 'failure notification' });
    assert.ok(toasts.some((m) => m.includes('exited with code 3')), JSON.stringify(toasts));
    await wb.screenshot('extension-notification');
    await wb.clickNotificationButton('Open Event', 'Failed: align-reads');
    await wb.waitFor(() => wb.page.locator('.tab .label-name').allInnerTexts(), (tabs) => tabs.some((t) => /^event-\d+(\.json)?$/.test(t.trim())), { message: 'event document' });
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('Final') && r.includes('failed (exit code 3)')), { message: 'outcome in the watched view' });
  });

  it('close means closed; Connect delivers what happened meanwhile, once', async () => {
    await wb.runCommand('Arvados: Close Connection');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /closed/.test(t), { message: 'closed' });
    const during = cluster.updateObject(reads, { name: 'renamed-while-closed.bam' });
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('renamed-while-closed.bam')));
    await wb.runCommand('Arvados: Connect');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.filter((r) => r.includes('renamed-while-closed.bam')).length === 1, { timeout: 20000, message: 'gap event' });
    await wb.waitForLog(LOG, new RegExp(`event #${during.id} `));
  });

  it('pause holds the view; resume shows what arrived', async () => {
    await wb.runCommand('Arvados: Pause');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /paused/.test(t), { message: 'paused' });
    cluster.updateObject(reads, { name: 'while-paused.bam' });
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /1 new/.test(t), { message: 'counted while paused' });
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('while-paused.bam')));
    await wb.runCommand('Arvados: Resume');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('while-paused.bam')), { message: 'shown on resume' });
  });

  it('a flood of thousands of events a second leaves the workbench responsive', async () => {
    const first = cluster.lastLogId + 1;
    const flood = (async () => {
      // 40 rows every 10 ms (about 4000 a second) for 4 seconds, under the server's 64-event queue.
      for (let i = 0; i < 400; i++) {
        cluster.emitBatch(40, { object_uuid: reads, event_type: 'update' });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    // The workbench answers during the flood: a command runs and the status bar shows it.
    const started = Date.now();
    await wb.runCommand('Arvados: Pause');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /paused/.test(t), { message: 'paused during the flood' });
    const latency = Date.now() - started;
    await wb.runCommand('Arvados: Resume');
    await flood;
    const last = cluster.lastLogId;
    await wb.waitForLog(LOG, new RegExp(`event #${last} `), { timeout: 30000 });
    await wb.waitFor(() => wb.page.locator('.pane-header', { hasText: 'Events' }).first().innerText(), (t) => /5000 shown · \d+ dropped/.test(t), { message: 'bounded buffer' });
    const samples = [...wb.readLog(LOG).matchAll(/event loop delay p50 ([\d.]+) ms p99 ([\d.]+) ms max ([\d.]+) ms/g)].map((m) => Number(m[2]));
    console.log(`flood of ${last - first + 1} events: command latency ${latency} ms; extension host p99 event-loop delays ${samples.join(', ')} ms`);
    assert.ok(latency < 5000, `the command took ${latency} ms`);
    assert.ok(samples.length > 0, 'the event loop monitor logged');
    await wb.screenshot('extension-flood');
  });

  it('after a window reload, filters and watches are restored and the gap is filled', async () => {
    const before = cluster.lastLogId;
    const disconnects = cluster.disconnects.length;
    await wb.reload();
    // The old extension host has let go of its socket: this event falls in the gap (unless the new one is already up).
    await cluster.waitFor(() => cluster.disconnects.length > disconnects, 30000, 'the old connection closing');
    const gap = cluster.updateObject(reads, { name: 'during-reload.bam' });
    assert.ok(gap.id > before);
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t, { timeout: 30000, message: 'extension activated again' });
    // The workbench restores the side bar it showed; open it only if it did not.
    if (!(await wb.page.locator('.monaco-list[aria-label="Subscriptions"]').isVisible())) await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.some((r) => r.startsWith('object uuid = ')), { message: 'filter restored' });
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('align-reads')), { message: 'watch restored' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('during-reload.bam')), { timeout: 30000, message: 'gap filled after reload' });
    // Only the gap: what the previous window had shown does not come again.
    await new Promise((r) => setTimeout(r, 1000));
    assert.match(await wb.page.locator('.pane-header', { hasText: 'Events' }).first().innerText(), /\b1 shown/);
  });

  it('groups events by object, and Clear Filters widens back to all events', async () => {
    await wb.runCommand('Arvados: Group Events By...');
    await wb.pickQuickItem('Object');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.length > 0 && rows.every((r) => / events?$/.test(r)), { message: 'object groups' });
    await wb.runCommand('Arvados: Clear Filters');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 1 && rows[0].startsWith('All events'), { message: 'all events' });
    cluster.updateObject(other, { name: 'back-in-view.vcf' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.startsWith('back-in-view.vcf')), { message: 'a new object group' });
    await wb.screenshot('extension-grouped');
  });
});

describe('Arvados Events in VS Code, configured from the UI', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;

  before(async () => {
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    // Only the CA: no ARVADOS_* variables and no settings.conf.
    wb = await startWorkbench({ extensionPath: REPO, env: { HOME: home, SSL_CERT_FILE: cluster.certFile } });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('says no cluster is configured, then Set Cluster and Set API Token connect, the token kept out of settings and logs', async () => {
    await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.page.locator('.welcome-view-content').allInnerTexts(), (t) => t.some((x) => x.includes('No Arvados cluster is configured')), { timeout: 30000, message: 'welcome view' });
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /not configured/.test(t), { message: 'status not configured' });
    await wb.runCommand('Arvados: Set Cluster');
    await wb.answerInput('http://nope', { submit: false });
    await wb.waitFor(() => wb.page.locator('.quick-input-message').innerText(), (m) => /must not use http/.test(m), { message: 'host refused inline' });
    await wb.answerInput(cluster.host);
    // No token for that host: Set API Token follows.
    await wb.answerInput(cluster.users.active.token);
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'connected with the stored token' });
    await wb.waitForLog(LOG, /API token stored in secret storage for /);
    const secret = cluster.users.active.token.split('/')[2];
    assert.ok(!wb.readLog(LOG).includes(secret), 'not in the log');
    const settings = readFileSync(join(wb.userDataDir, 'User', 'settings.json'), 'utf8');
    assert.match(settings, /"arvados\.apiHost"/);
    assert.ok(!settings.includes(secret), 'not in settings.json');
  });

  it('a refused token says so, with a button to set another', async () => {
    await wb.runCommand('Arvados: Set API Token');
    await wb.answerInput('v2/zzzzz-gj3su-000000000000000/notavalidsecretatall0123456789');
    await wb.waitFor(() => wb.page.locator('.welcome-view-content').allInnerTexts(), (t) => t.some((x) => x.includes('refused the API token')), { timeout: 30000, message: 'token welcome' });
    assert.match((await wb.statusBarText('arvados.status')) ?? '', /error/);
    await wb.screenshot('extension-token-refused');
    await wb.page.locator('.welcome-view-content .monaco-button', { hasText: 'Set API Token' }).first().click();
    await wb.answerInput(cluster.users.active.token);
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'live again' });
    assert.ok(!wb.readLog(LOG).includes('notavalidsecret'), 'the refused token is not logged either');
  });
});
