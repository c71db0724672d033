/**
 * One real VS Code (code-server + Chromium) with workspace trust on and the opened folder not
 * trusted (Restricted Mode), started while its cluster's host is down: a fake cluster whose port
 * nothing listens on yet, named by ARVADOS_API_HOST, ARVADOS_API_TOKEN and SSL_CERT_FILE in the
 * extension host's environment.
 *
 * - Restricted Mode: the Arvados panel is there, waiting for the host, naming it.
 * - The host comes up: the extension goes live by itself, with nothing done in the window.
 * - The status bar's accessible label is plain words (no Markdown, no icon names).
 * - A failed container request's row says "failed, exit 1" in its accessible text, with the
 *   failure icon.
 * - Screenshots of the panel in the light and dark default themes (test-results/screenshots/
 *   readme-light.png, readme-dark.png; the README's copies in media/ are chosen by hand).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { SCREENSHOT_DIR, startWorkbench, type Workbench } from './harness';
import { freePort } from '../helpers/freePort';

const REPO = resolve(__dirname, '..', '..');
const STATUS = 'arvados.status';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statusMatches(wb: Workbench, re: RegExp, timeout = 15000): Promise<string | undefined> {
  return wb.waitFor(() => wb.statusBarText(STATUS), (t) => !!t && re.test(t), { timeout, message: `status bar ${re}` });
}

/** What a screen reader is given for the Arvados status bar item. */
function statusAccessibleLabel(wb: Workbench): Promise<string | undefined> {
  return wb.page.evaluate((key) => {
    const doc = (globalThis as any).document;
    const el = [...doc.querySelectorAll('.part.statusbar .statusbar-item')].find((e: any) => String(e.id).endsWith(`.${key}`)) as any;
    if (!el) return undefined;
    const labelled = el.querySelector('[aria-label]') ?? el;
    return String(labelled.getAttribute('aria-label') ?? '');
  }, STATUS);
}

/** The Events rows: their accessible text (aria-label) and whether they show the failure icon. */
function eventRows(wb: Workbench): Promise<Array<{ aria: string; text: string; failureIcon: boolean }>> {
  return wb.page.locator('.monaco-list[aria-label="Events"] .monaco-list-row').evaluateAll((els) =>
    els.map((el: any) => ({
      aria: String(el.getAttribute('aria-label') ?? ''),
      text: String(el.innerText ?? '').replace(/\s+/g, ' ').trim(),
      failureIcon: !!el.querySelector('.codicon-error'),
    })),
  );
}

describe('Restricted Mode, started before the cluster is reachable', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;
  let folder: string;

  before(async () => {
    cluster = await FakeCluster.down({ port: await freePort(), sendTimeoutMs: 2000 });
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    folder = mkdtempSync(join(tmpdir(), 'arv-e2e-untrusted-'));
    wb = await startWorkbench({
      extensionPath: REPO,
      workspace: folder,
      workspaceTrust: true,
      settings: {
        'security.workspace.trust.enabled': true,
        // No prompt at start-up: the folder stays untrusted, in Restricted Mode.
        'security.workspace.trust.startupPrompt': 'never',
        'workbench.colorTheme': 'Default Light Modern',
      },
      env: { HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    for (const dir of [home, folder]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the folder is in Restricted Mode, and the Arvados panel is there, waiting for the host by name', async () => {
    await wb.waitFor(() => wb.page.locator('.part.statusbar').innerText(), (t) => /Restricted Mode/.test(t), { message: 'Restricted Mode in the status bar' });
    await wb.openViewContainer('Arvados');
    await wb.page.locator('.pane-header', { hasText: 'Events' }).first().waitFor({ state: 'visible' });
    const escaped = cluster.host.replace(/\./g, '\\.');
    await statusMatches(wb, new RegExp(`Arvados: waiting for ${escaped}`), 30000);
    await wb.waitFor(() => wb.page.locator('.pane-body .welcome-view-content').allInnerTexts(), (t) => t.some((x) => /keeps trying and connects by itself/.test(x)), { message: 'the waiting welcome' });
    const label = await statusAccessibleLabel(wb);
    assert.match(label ?? '', new RegExp(`^Arvados Events: waiting for ${escaped}\\. Cluster ${escaped}.*next try in \\d+ s`));
  });

  it('goes live by itself once the cluster is reachable, with nothing done in the window', async () => {
    await sleep(5000); // down a while longer: several tries fail meanwhile
    await cluster.comeUp();
    await statusMatches(wb, /Arvados: live/, 45000);
    const row = cluster.createObject({ kind: 'arvados#collection', name: 'after-the-outage.bam' }).log;
    await wb.waitFor(() => eventRows(wb), (rows) => rows.some((r) => r.text.includes('after-the-outage.bam')), { timeout: 20000, message: `event ${row.id} shown` });
    // The Output: every line its own entry, with its time; each failed try said once.
    const log = await wb.waitForLog('Arvados Events', new RegExp(`#${row.id} create collection`));
    const lines = log.split('\n').filter((l) => l.trim());
    assert.deepEqual(lines.filter((l) => !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[\w+\]/.test(l)), [], 'a timestamp on every line');
    const tries = lines.filter((l) => /Cannot connect \(attempt \d+\)/.test(l)).map((l) => /attempt (\d+)/.exec(l)![1]);
    assert.ok(tries.length >= 2, `several tries while down: ${tries}`);
    assert.equal(new Set(tries).size, tries.length, 'each try logged once');
  });

  it("the status bar's accessible label is plain words: no Markdown, no icon names", async () => {
    const label = await wb.waitFor(() => statusAccessibleLabel(wb), (l) => !!l && /live/.test(l), { message: 'the label' });
    assert.match(label!, /^Arvados Events: live, [\d.]+\/s\. Cluster 127\.0\.0\.1:\d+ · active\. State: live \(websocket\)\./);
    assert.doesNotMatch(label!, /\*|\\|\$\(|`|\[/);
  });

  it("a failed container request's row says so in its accessible text, with the failure icon", async () => {
    const make = (name: string, exitCode: number | undefined) => {
      const container = cluster.createObject({ kind: 'arvados#container', state: 'Running' }).object.uuid as string;
      const cr = cluster.createObject({ kind: 'arvados#containerRequest', name, state: 'Committed', container_uuid: container }).object.uuid as string;
      return { container, cr, finish: () => {
        cluster.updateObject(container, { state: 'Complete', exit_code: exitCode });
        cluster.updateObject(cr, { state: 'Final' });
      } };
    };
    const failed = make('align-reads', 1);
    const ok = make('call-variants', 0);
    make('index-genome', undefined); // still running
    failed.finish();
    ok.finish();
    const rows = await wb.waitFor(() => eventRows(wb), (rs) => rs.some((r) => /^align-reads, container request, update, Committed to Final, failed, exit 1/.test(r.aria)), { timeout: 20000, message: 'the failed row' });
    const row = rows.find((r) => r.aria.startsWith('align-reads, container request, update, Committed to Final'))!;
    assert.ok(row.failureIcon, 'the failure icon');
    assert.match(row.text, /Committed → Final · failed, exit 1/);
    // Committed and Final rows of the same request read differently.
    const committed = rows.find((r) => r.aria.startsWith('align-reads, container request, create, Committed'));
    assert.ok(committed, JSON.stringify(rows.map((r) => r.aria)));
    await wb.waitFor(() => eventRows(wb), (rs) => rs.some((r) => /^call-variants, .*Final, succeeded/.test(r.aria)), { timeout: 20000, message: 'the succeeded row' });
  });

  it('screenshots in the default light and dark themes', async () => {
    // The side bar and the status bar's left end: what the README shows.
    const shoot = (name: string) => wb.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), clip: { x: 0, y: 0, width: 720, height: 900 } });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await wb.page.mouse.move(700, 400);
    await sleep(500);
    await shoot('readme-light');
    await wb.runCommand('Preferences: Color Theme');
    await wb.pickQuickItem(/^Dark Modern/);
    await wb.waitFor(() => wb.page.locator('.monaco-workbench').getAttribute('class'), (c) => !!c && /\bvs-dark\b/.test(c), { timeout: 20000, message: 'the dark theme' });
    await sleep(500);
    await shoot('readme-dark');
  });
});
