/**
 * The Processes view in a real VS Code workbench (code-server + Chromium, see harness.ts) against
 * the fake cluster, one workbench for every scenario: a workflow with steps shows as a tree whose
 * rows change as the cluster does, a failing step reads "Failed (exit N)", hovering shows the
 * details, Show Details opens them in a document, and Cancel asks first (naming the process),
 * then sets priority 0. Its screenshot goes to test-results/screenshots/processes.png (the README's
 * media/processes.png is a copy chosen by hand).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { railsTime } from '../fake/time';
import { startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Processes view', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;
  let project: string;
  let workflow: string;
  let runner: string;
  const steps: Record<string, { cr: string; c: string }> = {};

  const rows = () => wb.treeRows('Processes');
  const rowOf = (name: string) => wb.page.locator('.monaco-list[aria-label="Processes"] .monaco-list-row', { hasText: name }).first();
  const rowText = async (name: string) => (await rows()).find((r) => r.includes(name)) ?? '';
  const dialog = () => wb.page.locator('.monaco-dialog-box');

  /**
   * Right-clicks a row and clicks a context menu item, again until `done` (a menu opened too early
   * can close on the tree's refresh).
   */
  async function fromContextMenu(rowName: string, label: string, done: () => Promise<boolean>): Promise<void> {
    const menu = wb.page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-item .action-label', { hasText: new RegExp(`^${label}$`) }).first();
    await wb.waitFor(async () => {
      if (await done()) return true;
      if (!(await menu.isVisible())) await rowOf(rowName).click({ button: 'right' });
      await item.waitFor({ state: 'visible', timeout: 2000 });
      await item.click({ timeout: 2000 }).catch(() => {});
      await sleep(300);
      return done();
    }, (v) => v, { interval: 300, timeout: 15000, message: `${label} in the context menu of ${rowName}` });
  }

  /** Cancel Process from a row's menu, up to the modal. */
  const askToCancel = (rowName: string) => fromContextMenu(rowName, 'Cancel Process', () => dialog().isVisible());

  function step(name: string, state: 'Queued' | 'Running' | 'Complete', exit: number | null = null): void {
    const now = railsTime(cluster.nowMs());
    const c = cluster.putObject({ kind: 'arvados#container', state, exit_code: exit, started_at: state === 'Queued' ? null : now, finished_at: state === 'Complete' ? now : null, cost: 0.12 }).uuid as string;
    // Created before its container finished: Completed, not Reused.
    const cr = cluster.createObject({ kind: 'arvados#containerRequest', created_at: railsTime(cluster.nowMs() - 60_000), owner_uuid: project, name, state: state === 'Complete' ? 'Final' : 'Committed', priority: 500, requesting_container_uuid: runner, container_uuid: c, container_count: 1, container_count_max: 3 }).object.uuid as string;
    cluster.recordChange(c, 'create');
    steps[name] = { cr, c };
  }

  before(async () => {
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    project = cluster.createProject(cluster.users.active, 'Germline').uuid as string;
    // An older top-level request, there before VS Code starts: listed at startup.
    const done = cluster.putObject({ kind: 'arvados#container', state: 'Complete', exit_code: 0, started_at: railsTime(cluster.nowMs() - 600_000), finished_at: railsTime(cluster.nowMs() - 300_000) }).uuid as string;
    cluster.putObject({ kind: 'arvados#containerRequest', owner_uuid: project, name: 'FastQC: NA12878 (yesterday)', state: 'Final', priority: 500, container_uuid: done, requesting_container_uuid: null, created_at: railsTime(cluster.nowMs() - 700_000) });
    wb = await startWorkbench({
      extensionPath: REPO,
      viewport: { width: 1400, height: 900 },
      env: { HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile },
    });
    await wb.openViewContainer('Arvados');
    // A wider side bar, so that the screenshot shows the rows' descriptions.
    const side = await wb.page.locator('.part.sidebar').boundingBox();
    if (side) {
      const x = side.x + side.width + 1;
      const y = side.y + side.height / 2;
      await wb.page.mouse.move(x, y);
      await wb.page.mouse.down();
      await wb.page.mouse.move(x + 330, y, { steps: 8 });
      await wb.page.mouse.up();
    }
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'live' });
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("lists the user's recent top-level requests at startup", async () => {
    await wb.waitFor(rows, (r) => r.some((x) => x.includes('FastQC: NA12878 (yesterday)') && x.includes('Completed')), { timeout: 20000, message: 'the recent request, Completed' });
  });

  it('shows a workflow and its steps as a tree, with live status changes and a failing step Failed with its exit code', async () => {
    runner = cluster.putObject({ kind: 'arvados#container', state: 'Running', started_at: railsTime(cluster.nowMs() - 120_000) }).uuid as string;
    workflow = cluster.createObject({ kind: 'arvados#containerRequest', owner_uuid: project, name: 'WGS germline pipeline: NA12878', state: 'Committed', priority: 500, container_uuid: runner, requesting_container_uuid: null, container_count: 1, container_count_max: 3 }).object.uuid as string;
    step('fastqc', 'Complete', 0);
    step('bwa_mem', 'Running');
    step('bwa_mem_2', 'Running');
    step('markdup', 'Queued');
    const wf = await wb.waitFor(() => rowText('WGS germline pipeline'), (t) => /Running/.test(t) && /1 completed/.test(t) && /2 running/.test(t) && /1 queued/.test(t), { timeout: 20000, message: 'the workflow row with its steps per status' });
    assert.match(wf, /running for/);
    // Expand the workflow: its steps, each with its status.
    await wb.waitFor(async () => {
      if (!(await rows()).some((r) => r.includes('bwa_mem_2'))) await rowOf('WGS germline pipeline').click();
      return rows();
    }, (r) => r.some((x) => x.includes('bwa_mem_2')), { timeout: 15000, interval: 500, message: 'the steps under the workflow' });
    assert.match(await rowText('fastqc'), /Completed/);
    assert.match(await rowText('markdup'), /Queued/);

    // Live: one step fails with exit code 2 (crunch-run reports the error first: Failing), one completes.
    cluster.updateObject(steps.bwa_mem_2!.c, { runtime_status: { error: 'bwa mem exited with status 2' } });
    await wb.waitFor(() => rowText('bwa_mem_2'), (t) => /Failing/.test(t), { timeout: 15000, message: 'Failing' });
    cluster.updateObject(steps.bwa_mem_2!.c, { state: 'Complete', exit_code: 2, finished_at: railsTime(cluster.nowMs()) });
    cluster.updateObject(steps.bwa_mem_2!.cr, { state: 'Final' });
    cluster.updateObject(steps.bwa_mem!.c, { state: 'Complete', exit_code: 0, finished_at: railsTime(cluster.nowMs()) });
    cluster.updateObject(steps.bwa_mem!.cr, { state: 'Final' });
    cluster.updateObject(steps.markdup!.c, { state: 'Running', started_at: railsTime(cluster.nowMs()) });
    await wb.waitFor(() => rowText('bwa_mem_2'), (t) => t.includes('Failed (exit 2)'), { timeout: 15000, message: 'Failed (exit 2)' });
    await wb.waitFor(() => rowText('WGS germline pipeline'), (t) => /1 failed/.test(t) && /2 completed/.test(t) && /1 running/.test(t), { timeout: 15000, message: 'the counts follow' });
    assert.match(await rowText('markdup'), /Running/);
  });

  it('hovering a step shows its details', async () => {
    const hover = wb.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'bwa mem exited with status 2' }).first();
    await wb.waitFor(async () => {
      await wb.page.mouse.move(5, 5);
      await rowOf('bwa_mem_2').locator('.label-name').hover();
      await hover.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
      return hover.isVisible();
    }, (v) => v, { timeout: 20000, interval: 500, message: 'the tooltip' });
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    for (const want of ['bwa_mem_2', 'Failed (exit 2)', 'ran', steps.bwa_mem_2!.cr, steps.bwa_mem_2!.c]) assert.ok(text.includes(want), `tooltip lacks ${want}: ${text}`);
    await wb.page.mouse.move(5, 5);
  });

  it('Show Details opens a read-only document named after the process', async () => {
    const tab = wb.page.locator('.tabs-container .tab', { hasText: `${steps.bwa_mem_2!.cr}.md` }).first();
    await fromContextMenu('bwa_mem_2', 'Show Details', () => tab.isVisible());
    const editor = wb.page.locator('.editor-instance .view-lines').first();
    const flat = await wb.waitFor(async () => (await editor.innerText()).replace(/[\s\u00a0]+/g, ' '), (t) => t.includes('Exit code'), { timeout: 10000, message: 'the details' });
    for (const want of ['# bwa_mem_2', 'Failed (exit 2)', 'Exit code: 2', 'Priority: 500', 'Containers: 1 of at most 3', 'bwa mem exited with status 2']) assert.ok(flat.includes(want), `details lack ${want}: ${flat}`);
    // Long lines wrap on screen: the link, without the wrapping.
    assert.ok(flat.replace(/ /g, '').includes(`https://workbench.zzzzz.example/processes/${steps.bwa_mem_2!.cr}`), `no Workbench link: ${flat}`);
  });

  it('Cancel asks first, naming the process, then sets its priority to 0', async () => {
    await wb.screenshot('processes');
    const before = cluster.clientUpdates.length;
    await askToCancel('WGS germline pipeline');
    const question = (await dialog().innerText()).replace(/\s+/g, ' ');
    assert.match(question, /Cancel "WGS germline pipeline: NA12878"\?/);
    assert.equal(cluster.clientUpdates.length, before, 'nothing sent before the answer');
    await dialog().locator('.monaco-button', { hasText: /^Cancel Process$/ }).click();
    await cluster.waitFor(() => cluster.clientUpdates.length > before, 10000, 'the update');
    assert.deepEqual(cluster.clientUpdates.at(-1), { uuid: workflow, user: cluster.users.active.uuid, attrs: { priority: 0 } });
    await wb.waitFor(() => rowText('WGS germline pipeline'), (t) => /Cancelling/.test(t), { timeout: 15000, message: 'Cancelling' });
    // The dispatcher stops the runner; the request goes Final: Cancelled.
    cluster.updateObject(runner, { state: 'Cancelled', finished_at: railsTime(cluster.nowMs()) });
    cluster.updateObject(workflow, { state: 'Final' });
    await wb.waitFor(() => rowText('WGS germline pipeline'), (t) => /Cancelled/.test(t), { timeout: 15000, message: 'Cancelled' });
  });

  it('a refusal is shown clearly', async () => {
    // Shared before its first event: the websocket's permission answers are cached.
    const theirs = cluster.putObject({ kind: 'arvados#containerRequest', owner_uuid: cluster.users.other.uuid, name: 'Shared with me: RNA-seq', state: 'Committed', priority: 400, requesting_container_uuid: null }).uuid as string;
    cluster.share(theirs, cluster.users.active);
    cluster.recordChange(theirs, 'create');
    // Not the user's: shown only once the title-bar toggle says everyone's.
    await wb.waitFor(() => cluster.apiRequests.some((r) => r.form.filters !== undefined && JSON.stringify(r.form.filters).includes(theirs) || JSON.stringify(r.query).includes(theirs)), (v) => v, { timeout: 10000, message: 'the request read' });
    assert.ok(!(await rows()).some((r) => r.includes('Shared with me')), 'hidden while showing mine');
    // Room for it: the workflow folds.
    await rowOf('WGS germline pipeline').locator('.monaco-tl-twistie').click();
    await wb.page.locator('.pane-header', { hasText: 'Processes' }).hover();
    await wb.page.locator('.pane-header', { hasText: 'Processes' }).locator('.action-label[aria-label*="Show Everyone"]').click();
    await rowOf('Shared with me: RNA-seq').waitFor({ state: 'visible', timeout: 15000 });
    await askToCancel('Shared with me: RNA-seq');
    await dialog().locator('.monaco-button', { hasText: /^Cancel Process$/ }).click();
    const toast = await wb.waitFor(() => wb.notifications(), (n) => n.some((m) => m.includes('Cannot cancel')), { timeout: 15000, message: 'the refusal' });
    assert.ok(toast.some((m) => /Cannot cancel "Shared with me: RNA-seq": The cluster refused to cancel it \(403, not permitted\)/.test(m)), toast.join(' | '));
    assert.equal(cluster.getObject(theirs)?.priority, 400, 'unchanged');
  });
});
