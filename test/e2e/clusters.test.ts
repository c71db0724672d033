/**
 * Several clusters in a real VS Code workbench (code-server + Chromium, see harness.ts): the
 * default cluster from the environment and a second one from a profile (`bbbbb.conf`), followed
 * through the machine-scoped `arvados.clusters` setting. Both fakes start at event id 1 and make
 * the same UUID suffixes. The Events, Watched Objects and Processes views get a root node per cluster with
 * each event under its own cluster; the status bar's tooltip has a line per cluster; cutting one
 * cluster shows in the status bar while the other keeps streaming. Screenshot:
 * test-results/screenshots/clusters.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { rowsOf, startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');

/** The status bar item's hover text. */
async function statusTooltip(wb: Workbench): Promise<string> {
  const item = wb.page.locator('.part.statusbar .statusbar-item[id$="arvados.status"]').first();
  await wb.page.mouse.move(0, 0);
  await item.hover();
  const hover = wb.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'clusters' }).first();
  await hover.waitFor({ state: 'visible', timeout: 5000 });
  return (await hover.innerText()).replace(/\s+/g, ' ');
}

describe('several clusters', () => {
  let a: FakeCluster;
  let b: FakeCluster;
  let wb: Workbench;
  let home: string;

  before(async () => {
    [a, b] = await Promise.all([FakeCluster.start({ clusterId: 'aaaaa', sendTimeoutMs: 2000 }), FakeCluster.start({ clusterId: 'bbbbb', sendTimeoutMs: 2000 })]);
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-clusters-'));
    mkdirSync(join(home, '.config', 'arvados'), { recursive: true });
    writeFileSync(join(home, '.config', 'arvados', 'bbbbb.conf'), `ARVADOS_API_HOST=${b.host}\nARVADOS_API_TOKEN=${b.users.active.token}\n`);
    wb = await startWorkbench({
      extensionPath: REPO,
      machineSettings: { 'arvados.clusters': ['bbbbb'] },
      env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ARVADOS_API_HOST: a.host, ARVADOS_API_TOKEN: a.users.active.token, SSL_CERT_FILE: a.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('shows a root node per cluster, each event under its own cluster, and a status bar line per cluster', async () => {
    const onA = a.createObject({ kind: 'arvados#collection', name: 'reads-on-A.bam' }).object.uuid as string;
    const onB = b.createObject({ kind: 'arvados#collection', name: 'reads-on-B.bam' }).object.uuid as string;
    assert.equal(onA.slice(5), onB.slice(5), 'the same UUID suffix on both clusters');
    await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'live' });
    await Promise.all([a, b].map((c) => c.waitFor(() => c.wsSessions().some((s) => s.subscriptions > 0), 15000, 'subscribed')));
    const rowA = a.updateObject(onA, { name: 'reads-on-A.bam' });
    const rowB = b.updateObject(onB, { name: 'reads-on-B.bam' });
    assert.equal(rowA.id, rowB.id, 'the event ids collide');

    const rows = await wb.waitFor(() => rowsOf(wb, 'Events', { level: true }), (r) => r.some((x) => x.includes('reads-on-A.bam')) && r.some((x) => x.includes('reads-on-B.bam')), { timeout: 20000, message: 'both events' });
    const rootA = rows.findIndex((r) => r.startsWith(`1 ${a.host}`));
    const rootB = rows.findIndex((r) => r.startsWith(`1 bbbbb (${b.host})`));
    const evA = rows.findIndex((r) => r.startsWith('2 reads-on-A.bam'));
    const evB = rows.findIndex((r) => r.startsWith('2 reads-on-B.bam'));
    assert.ok(rootA >= 0 && rootB >= 0, `a root node per cluster: ${JSON.stringify(rows)}`);
    assert.ok(rows[rootA].includes('live') && rows[rootB].includes('live'), JSON.stringify(rows));
    const under = (ev: number, root: number) => ev > root && !rows.slice(root + 1, ev).some((r) => r.startsWith('1 '));
    assert.ok(under(evA, rootA) && under(evB, rootB), `each event under its own cluster: ${JSON.stringify(rows)}`);

    const tooltip = await statusTooltip(wb);
    assert.match(tooltip, /2 clusters/);
    assert.ok(tooltip.includes(a.host) && tooltip.includes(`bbbbb (${b.host})`), tooltip);
    await wb.page.mouse.move(0, 0);
    await wb.screenshot('clusters');

    // Watch B's object: it goes under B's root in Watched Objects.
    await wb.runCommand('Arvados: Watch Object');
    await wb.answerInput(onB);
    const watched = await wb.waitFor(() => rowsOf(wb, 'Watched Objects', { level: true }), (r) => r.some((x) => x.startsWith('2 reads-on-B.bam')), { timeout: 15000, message: 'watched under B' });
    const wRootB = watched.findIndex((r) => r.startsWith(`1 bbbbb (${b.host})`));
    assert.ok(wRootB >= 0 && watched.findIndex((r) => r.startsWith('2 reads-on-B.bam')) > wRootB, JSON.stringify(watched));

    // A process on B goes under B's root in Processes.
    const cr = b.createObject({ kind: 'arvados#containerRequest', name: 'align-on-B', state: 'Committed', priority: 1, container_uuid: null, requesting_container_uuid: null }).object.uuid as string;
    b.updateObject(cr, { priority: 2 });
    const procs = await wb.waitFor(() => rowsOf(wb, 'Processes', { level: true }), (r) => r.some((x) => x.startsWith('2 align-on-B')), { timeout: 20000, message: 'the process under B' });
    const pRootA = procs.findIndex((r) => r.startsWith(`1 ${a.host}`));
    const pRootB = procs.findIndex((r) => r.startsWith(`1 bbbbb (${b.host})`));
    const pRow = procs.findIndex((r) => r.startsWith('2 align-on-B'));
    assert.ok(pRootA >= 0 && pRootB >= 0 && pRow > pRootB && (pRootA < pRootB || pRow < pRootA), JSON.stringify(procs));
  });

  it('cutting one cluster shows in the status bar; the other keeps streaming', async () => {
    b.setWebsocketEnabled(false);
    b.failNextApiCalls(1_000_000, 503);
    b.cutConnections();
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /reconnecting|catching up|connecting/.test(t), { timeout: 20000, message: 'worst state shown' });
    const onA = a.createObject({ kind: 'arvados#collection', name: 'while-B-is-down.txt' }).object.uuid as string;
    a.updateObject(onA, { name: 'while-B-is-down.txt' });
    await wb.waitFor(() => rowsOf(wb, 'Events', { level: true }), (r) => r.some((x) => x.startsWith('2 while-B-is-down.txt')), { timeout: 15000, message: 'A keeps streaming' });
    // B back: both live again.
    b.clearApiFailures();
    b.setWebsocketEnabled(true);
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 60000, message: 'both live again' });
  });
});
