/**
 * Show Live Log in a real VS Code workbench (code-server + Chromium, see harness.ts), against the
 * fake cluster's container request log endpoint: opened from the context menu of a running
 * request's row, the tab grows as the fake writes, follows a retry onto a new container, and shows
 * the outcome at the end. Its screenshot goes to test-results/screenshots/live-log.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { crunchRunTime } from '../fake/processLogs';
import { startWorkbench, webviewPage, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');

let clock = Date.UTC(2026, 11, 1, 9, 0, 0);
const stamped = (text: string) => `${crunchRunTime((clock += 1000))} ${text}\n`;

describe('Show Live Log', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;

  before(async () => {
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    wb = await startWorkbench({
      extensionPath: REPO,
      env: { HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** The live log page's text: its header (state, files) and the log itself. */
  async function logPage(): Promise<{ status: string; log: string }> {
    const frame = webviewPage(wb.page);
    const [status, log] = await Promise.all([frame.locator('#status').innerText({ timeout: 2000 }), frame.locator('#log').innerText({ timeout: 2000 })]);
    return { status, log };
  }

  it('opens from the context menu of a running request, grows, follows a retry and ends with the outcome', async () => {
    const first = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
    const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'align-reads', state: 'Committed', priority: 1, container_uuid: first, log_uuid: null }).object.uuid as string;
    cluster.writeProcessLog(first, 'crunch-run.txt', stamped('crunch-run: starting container'));
    cluster.writeProcessLog(first, 'stderr.txt', stamped('bwa mem: loading the index'));

    await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'live' });
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
    cluster.updateObject(cr, { priority: 2 });
    const row = wb.page.locator('.monaco-list[aria-label="Events"] .monaco-list-row', { hasText: 'align-reads' }).first();
    await row.waitFor({ state: 'visible', timeout: 15000 });

    // The context menu of the request's row offers Show Live Log.
    const menu = wb.page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-item .action-label', { hasText: /^Show Live Log$/ }).first();
    await wb.waitFor(async () => {
      if (!(await menu.isVisible())) await row.click({ button: 'right' });
      await item.waitFor({ state: 'visible', timeout: 2000 });
      await item.click({ timeout: 2000 }).catch(() => {});
      return !(await menu.isVisible());
    }, (closed) => closed, { interval: 300, timeout: 15000, message: 'Show Live Log in the context menu' });

    // A tab titled with the process's name, holding the merged log.
    await wb.page.locator('.tabs-container .tab', { hasText: 'align-reads' }).first().waitFor({ state: 'visible', timeout: 15000 });
    let page = await wb.waitFor(logPage, (p) => p.log.includes('loading the index') && p.status.includes('Running on container'), { timeout: 20000, message: 'the log' });
    assert.match(page.status, new RegExp(`Running on container ${first}`));
    assert.ok(page.log.indexOf('starting container') < page.log.indexOf('loading the index'), 'merged in time order');

    // Lines appear as the process writes them.
    cluster.writeProcessLog(first, 'stderr.txt', stamped('bwa mem: processed 1000000 reads'));
    page = await wb.waitFor(logPage, (p) => p.log.includes('processed 1000000 reads'), { timeout: 10000, message: 'a new line' });

    // A retry: the old container's last line, then the new container's.
    const second = cluster.createObject({ kind: 'arvados#container', state: 'Running', exit_code: null }).object.uuid as string;
    cluster.writeProcessLog(first, 'crunch-run.txt', stamped('crunch-run: the node went away'));
    cluster.writeProcessLog(second, 'stderr.txt', stamped('bwa mem: attempt 2'));
    cluster.updateObject(first, { state: 'Cancelled' });
    cluster.updateObject(cr, { container_uuid: second, log_uuid: cluster.createObject({ kind: 'arvados#collection', name: 'log' }).object.uuid });
    page = await wb.waitFor(logPage, (p) => p.log.includes('attempt 2') && p.status.includes(second), { timeout: 15000, message: 'the retry' });
    assert.ok(page.log.indexOf('the node went away') < page.log.indexOf('attempt 2'), 'the old container is drained first');
    const lines = page.log.split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => l.includes('processed 1000000 reads')).length, 1, 'each line once');

    // The end: a failure with its exit code.
    cluster.writeProcessLog(second, 'stderr.txt', stamped('Segmentation fault'));
    cluster.updateObject(second, { state: 'Complete', exit_code: 139 });
    cluster.updateObject(cr, { state: 'Final' });
    page = await wb.waitFor(logPage, (p) => /Finished: failed with exit code 139/.test(p.status), { timeout: 15000, message: 'the outcome' });
    assert.ok(page.log.includes('Segmentation fault'), 'the last read before the end');
    await wb.page.locator('.tabs-container .tab', { hasText: 'failed with exit code 139' }).first().waitFor({ state: 'visible', timeout: 5000 });
    await wb.screenshot('live-log');
  });
});
