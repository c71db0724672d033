/**
 * The extension in a real VS Code workbench (code-server + Chromium, see harness.ts), against the
 * fake cluster running in this process. The cluster reaches the extension the zero-configuration
 * way: ARVADOS_API_HOST, ARVADOS_API_TOKEN and SSL_CERT_FILE in the extension host's environment.
 *
 * Three workbenches, each with its own cluster:
 * - "Arvados Events in VS Code": live events, opening an event, the context menu, filters (raw
 *   JSON, guided, invalid input), watches and notifications, Close/Connect, Pause/Resume, a flood
 *   of 20,000+ events with the palette timed, a window reload, grouping;
 * - "configured from the UI": Set Cluster, Set API Token, a refused token (the error state);
 * - "connection states and the remaining commands": Reconnect, polling, reconnecting n and the
 *   recovery to live, Clear Events, Export Events, Show Output, Add Filter for This Object.
 * Screenshots go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { rowsOf, startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
const LOG = 'Arvados Events';
const STATUS = 'arvados.status';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- local helpers (the page has no DOM types in this project's tsconfig, hence the `any`) ----

/** Waits until the status bar item matches. */
function statusMatches(wb: Workbench, re: RegExp, timeout = 15000): Promise<string | undefined> {
  return wb.waitFor(() => wb.statusBarText(STATUS), (t) => !!t && re.test(t), { timeout, message: `status bar ${re}` });
}

/** The Events view's header (title and description, e.g. "EVENTS 3 shown"). */
function eventsHeader(wb: Workbench): Promise<string> {
  return wb.page.locator('.pane-header', { hasText: 'Events' }).first().innerText();
}

/** The labels of the context menu shown after right-clicking the first row of a view containing `text`. */
async function openContextMenu(wb: Workbench, view: string, text: string): Promise<string[]> {
  const row = wb.page.locator(`.monaco-list[aria-label=${JSON.stringify(view)}] .monaco-list-row`, { hasText: text }).first();
  await row.click({ button: 'right' });
  const items = wb.page.locator('.context-view .monaco-menu .action-item .action-label');
  await items.first().waitFor({ state: 'visible' });
  return (await items.allInnerTexts()).map((s) => s.trim()).filter(Boolean);
}

/**
 * Clicks an item of the open context menu. The menu ignores a click that comes right after it
 * opened (the release of the right button must not pick an item): click until it closes.
 */
async function clickContextMenuItem(wb: Workbench, label: string): Promise<void> {
  const menu = wb.page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item .action-label', { hasText: new RegExp(`^${label}$`) }).first();
  await wb.waitFor(async () => {
    if (!(await menu.isVisible())) return true;
    await item.click({ timeout: 2000 }).catch(() => {});
    return !(await menu.isVisible());
  }, (closed) => closed, { interval: 300, message: `context menu item ${label}` });
}

/** The text of the active editor (the lines monaco renders; a short document shows whole). */
async function activeEditorText(wb: Workbench): Promise<string> {
  const text = await wb.page.locator('.editor-group-container.active .editor-instance .monaco-editor .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Tab labels of the editors ("event-12.json"). */
async function tabLabels(wb: Workbench): Promise<string[]> {
  return (await wb.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e: any) => String(e.getAttribute('aria-label') ?? ''))))
    .map((l) => l.split(',')[0].trim());
}

async function closeAllEditors(wb: Workbench): Promise<void> {
  await wb.runCommand('View: Close All Editors');
  await wb.waitFor(() => tabLabels(wb), (tabs) => tabs.length === 0, { message: 'editors closed' });
}

/**
 * Answers a save dialog (in code-server, the simple file dialog: a quick input holding a path).
 * An Enter that comes before the dialog has caught up with the typed path can be ignored: press
 * Enter again while it still shows.
 */
async function answerSaveDialog(wb: Workbench, path: string, done: () => boolean): Promise<void> {
  const box = wb.page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible' });
  await box.fill(path);
  await wb.waitFor(() => box.inputValue(), (v) => v === path, { message: 'path typed' });
  await wb.waitFor(async () => {
    if (done()) return true;
    if (await wb.page.locator('.quick-input-widget').isVisible()) {
      if ((await box.inputValue().catch(() => '')) !== path) await box.fill(path);
      await wb.page.keyboard.press('Enter');
    }
    return false;
  }, (ok) => ok, { timeout: 20000, interval: 1500, message: `save dialog accepting ${path}` });
}

/**
 * Page code (a string: the test's transpiler would wrap named functions in a helper the page
 * lacks). Records in window.__arvMarks: f1 and enter (keydown timestamps, the time the key was
 * pressed), palette and paused (performance.now() of the first animation frame showing them).
 */
const TIMING_SCRIPT = `(() => {
  const marks = {};
  window.__arvMarks = marks;
  // An input event's timeStamp is when it was created; fall back to now if it looks wrong.
  const stamp = (e) => {
    const now = performance.now();
    return e.timeStamp > 0 && e.timeStamp <= now && now - e.timeStamp < 60000 ? e.timeStamp : now;
  };
  if (window.__arvKeys) window.removeEventListener('keydown', window.__arvKeys, true);
  window.__arvKeys = (e) => {
    if (e.key === 'F1' && marks.f1 === undefined) marks.f1 = stamp(e);
    if (e.key === 'Enter' && marks.armed && marks.enter === undefined) marks.enter = stamp(e);
  };
  window.addEventListener('keydown', window.__arvKeys, true);
  const paletteOpen = () => {
    const w = document.querySelector('.quick-input-widget');
    const input = w && w.querySelector('.quick-input-box input');
    return !!w && w.checkVisibility() && !!input && input.value.startsWith('>');
  };
  const paused = () => {
    const el = [...document.querySelectorAll('.part.statusbar .statusbar-item')].find((e) => e.id.endsWith('.arvados.status'));
    return !!el && /paused/.test(el.innerText);
  };
  const frame = () => {
    const now = performance.now();
    if (marks.f1 !== undefined && marks.palette === undefined && paletteOpen()) marks.palette = now;
    if (marks.enter !== undefined && marks.paused === undefined && paused()) marks.paused = now;
    if (marks.paused === undefined && !marks.stop) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()`;

interface PaletteTry {
  /** From the F1 keydown to the first frame showing the command palette. */
  paletteMs: number;
  /** From the Enter keydown on "Arvados: Pause" to the first frame whose status bar says paused. */
  pauseMs: number;
}

/**
 * Times, in the page, F1 → the palette visible, and Enter on "Arvados: Pause" → the status bar
 * showing paused. Each is the input event's timestamp (when the key was pressed, so time spent
 * waiting for a busy renderer counts) to the first animation frame where the change shows.
 */
async function timePaletteAndPause(wb: Workbench): Promise<PaletteTry> {
  const page = wb.page;
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
  await page.evaluate(TIMING_SCRIPT);
  const mark = (name: string) => page.evaluate((n) => (globalThis as any).__arvMarks[n] as number | undefined, name);
  try {
    await page.keyboard.press('F1');
    await wb.waitFor(() => mark('palette'), (v) => v !== undefined, { timeout: 30000, interval: 50, message: 'palette shown (timed)' });
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.fill('>Arvados: Pause');
    const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
    await wb.waitFor(
      async () => ({
        label: (await first.locator('.quick-input-list-label .label-name').innerText().catch(() => '')).trim(),
        focused: await first.evaluate((el: any) => el.classList.contains('focused')).catch(() => false),
      }),
      (r) => r.label === 'Arvados: Pause' && r.focused,
      { timeout: 30000, message: '"Arvados: Pause" focused in the palette' },
    );
    await page.evaluate(() => void ((globalThis as any).__arvMarks.armed = true));
    await page.keyboard.press('Enter');
    await wb.waitFor(() => mark('paused'), (v) => v !== undefined, { timeout: 30000, interval: 50, message: 'paused shown (timed)' });
    const m = await page.evaluate(() => ({ ...(globalThis as any).__arvMarks }) as Record<string, number>);
    return { paletteMs: Math.round(m.palette - m.f1), pauseMs: Math.round(m.paused - m.enter) };
  } finally {
    await page.evaluate(() => void ((globalThis as any).__arvMarks.stop = true)).catch(() => {});
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
    await statusMatches(wb, /live/, 30000);
    await wb.waitForLog(LOG, /Connected to .* as active/);
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
    const row = cluster.updateObject(reads, { name: 'reads-v2.bam' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('reads-v2.bam')), { message: 'event row' });
    await wb.waitForLog(LOG, new RegExp(`event #${row.id} update collection`));
    await wb.waitFor(() => eventsHeader(wb), (t) => /1 shown/.test(t), { message: 'view description' });
    // A second event comes in live, above the first (newest first).
    cluster.updateObject(other, { name: 'other-v2.vcf' });
    const rows = await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length === 2 && r[0].startsWith('other-v2.vcf | '), { message: 'second event on top' });
    assert.match(rows[1], /^reads-v2\.bam \| (just now|\d+ s ago) · update · collection$/);
    await wb.screenshot('extension-live');
    assert.ok(!wb.readLog(LOG).includes(cluster.users.active.token.split('/')[2]), 'never the token');
  });

  it('clicking an event opens it as a read-only, pretty-printed JSON document', async () => {
    const ev = cluster.logRows().filter((r) => r.object_uuid === reads).at(-1)!;
    await wb.page.locator('.monaco-list[aria-label="Events"] .monaco-list-row', { hasText: 'reads-v2.bam' }).first().click();
    await wb.waitFor(() => tabLabels(wb), (tabs) => tabs.includes(`event-${ev.id}.json`), { message: 'event tab' });
    const text = await wb.waitFor(() => activeEditorText(wb), (t) => t.includes('"object_uuid"'), { message: 'event JSON' });
    // Pretty-printed (one field a line, two-space indent) with the event's fields.
    assert.match(text, new RegExp(`^\\{\\n  "id": ${ev.id},\\n`));
    assert.ok(text.includes(`  "uuid": "${ev.uuid}",`), text);
    assert.ok(text.includes(`  "object_uuid": "${reads}",`), text);
    assert.ok(text.includes('  "object_kind": "arvados#collection",'), text);
    assert.ok(text.includes('  "event_type": "update",'), text);
    assert.ok(text.includes('      "name": "reads-v2.bam",'), text);
    assert.ok(text.includes('      "name": "reads.bam",'), text);
    assert.equal(await wb.statusBarText('status.editor.mode'), 'JSON');
    // The virtual document is arvados-event://<host>/event-<id>.json: ids are per cluster.
    assert.equal(await wb.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first().getAttribute('data-uri'), `arvados-event://${cluster.host}/event-${ev.id}.json`);
    // Read-only: typing changes nothing.
    await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await wb.page.keyboard.type('xyz');
    await wb.page.keyboard.press('Enter');
    await sleep(500);
    assert.equal(await activeEditorText(wb), text, 'the document did not change');
    assert.ok(!(await tabLabels(wb)).some((l) => l.includes('•')), 'not dirty');
    await wb.screenshot('extension-event-document');
    await closeAllEditors(wb);
  });

  it('the context menu of an event offers Copy UUID, Open in Workbench, Watch Object and Add Filter for This Object', async () => {
    await wb.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.url).origin });
    const items = await openContextMenu(wb, 'Events', 'reads-v2.bam');
    for (const label of ['Open Event', 'Copy UUID', 'Open in Workbench', 'Watch Object', 'Add Filter for This Object']) {
      assert.ok(items.includes(label), `context menu has ${label}: ${JSON.stringify(items)}`);
    }
    // None of these is in the palette.
    await wb.screenshot('extension-context-menu');
    await clickContextMenuItem(wb, 'Watch Object');
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.startsWith('reads-v2.bam') && r.includes('collection')), { message: 'watched from the context menu' });
    await wb.waitForLog(LOG, `Watching ${reads}`);
    // Copy UUID puts the object's uuid on the clipboard.
    await openContextMenu(wb, 'Events', 'reads-v2.bam');
    await clickContextMenuItem(wb, 'Copy UUID');
    await wb.waitFor(() => wb.page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>), (t) => t === reads, { message: 'uuid on the clipboard' });
    // The palette does not offer the context-menu commands.
    await wb.page.keyboard.press('F1');
    const box = wb.page.locator('.quick-input-widget .quick-input-box input');
    for (const title of ['Arvados: Copy UUID', 'Arvados: Open in Workbench', 'Arvados: Add Filter for This Object', 'Arvados: Open Event']) {
      // First a command that is there, so the list is known to follow what is typed.
      await box.fill('>Arvados: Watch Object');
      await wb.waitFor(() => wb.quickItems(), (items) => items.includes('Arvados: Watch Object'), { message: 'palette listing' });
      await box.fill(`>${title}`);
      // The best match comes first: an exact title would, were it there.
      const items = await wb.waitFor(() => wb.quickItems(), (i) => i[0] !== 'Arvados: Watch Object', { message: `palette filtered by ${title}` });
      assert.ok(!items.includes(title), `${title} is not in the palette: ${JSON.stringify(items)}`);
    }
    await wb.page.keyboard.press('Escape');
    // Open in Workbench opens the object's Workbench page (served here by the browser: the fake
    // cluster's Workbench host does not exist).
    await wb.page.context().route(`${cluster.workbench2Url}**`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>Workbench</title>' }));
    const external = wb.page.context().waitForEvent('page', { timeout: 20000 });
    await openContextMenu(wb, 'Events', 'reads-v2.bam');
    await clickContextMenuItem(wb, 'Open in Workbench');
    // VS Code asks before opening an external site.
    const open = wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    await open.waitFor({ state: 'visible', timeout: 20000 }).then(() => open.click()).catch(() => {});
    const page = await external;
    await wb.waitFor(() => page.url(), (u) => u === `${cluster.workbench2Url}collections/${reads}`, { message: 'workbench page' });
    await page.close();
  });

  it('Unwatch Object from the palette removes a watch', async () => {
    await wb.runCommand('Arvados: Unwatch Object');
    await wb.pickQuickItem('reads-v2.bam');
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => !rows.some((r) => r.startsWith('reads-v2.bam')), { message: 'unwatched' });
    await wb.waitFor(() => wb.page.locator('.welcome-view-content').allInnerTexts(), (t) => t.some((x) => x.includes('No watched objects')), { message: 'watched welcome' });
    await wb.waitForLog(LOG, `Stopped watching ${reads}`);
  });

  it('refuses an invalid filter inline and changes nothing; a valid raw JSON filter narrows the view without reconnecting', async () => {
    const connections = cluster.wsConnectionsTotal;
    const subscribes = cluster.subscribeMessages.length;
    // Typed into the first step.
    await wb.runCommand('Arvados: Add Filter');
    await wb.answerInput('[["object_uuid","=",', { submit: false });
    await wb.waitFor(() => wb.quickItems(), (items) => items.some((i) => i.includes('Invalid filter')), { message: 'inline refusal' });
    await wb.page.keyboard.press('Enter');
    await sleep(300);
    assert.ok((await wb.quickItems()).some((i) => i.includes('Invalid filter')), 'still open after Enter on an invalid filter');
    await wb.answerInput('[["no_such_column","=","x"]]', { submit: false });
    await wb.waitFor(() => wb.quickItems(), (items) => items.some((i) => i.includes('Invalid filter')), { message: 'unknown attribute refused' });
    await wb.page.keyboard.press('Escape');
    // The "Type a filter as JSON…" step: an input box with its validation message.
    await wb.runCommand('Arvados: Add Filter');
    await wb.pickQuickItem('Type a filter as JSON…');
    await wb.waitFor(() => wb.page.locator('.quick-input-widget .quick-input-title').innerText(), (t) => t.includes('Add Filter: JSON'), { message: 'JSON step' });
    await wb.answerInput('[["event_type","like"]]', { submit: false });
    const message = await wb.waitFor(() => wb.page.locator('.quick-input-message').innerText(), (m) => m.trim().length > 0, { message: 'inline message' });
    await wb.page.keyboard.press('Enter');
    await sleep(300);
    assert.ok(await wb.page.locator('.quick-input-widget').isVisible(), `still open after Enter (${message})`);
    await wb.page.keyboard.press('Escape');
    // Nothing changed.
    await sleep(500);
    assert.deepEqual(await rowsOf(wb, 'Subscriptions'), ['All events | no filters: every event the token may read']);
    assert.equal(cluster.subscribeMessages.length, subscribes, 'nothing was subscribed');
    assert.ok(!wb.readLog(LOG).includes('Subscribed to'), 'nothing subscribed in the log');
    // A valid filter typed as JSON.
    await wb.runCommand('Arvados: Add Filter');
    await wb.answerInput(JSON.stringify([['object_uuid', '=', reads]]), { submit: false });
    await wb.waitFor(() => wb.quickItems(), (items) => items.some((i) => i.includes('Add this filter')), { message: 'valid filter item' });
    await wb.page.keyboard.press('Enter');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 1 && rows[0].startsWith('object uuid = '), { message: 'subscription row' });
    await cluster.waitFor(() => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes(reads)), 10000, 'subscribe sent');
    cluster.updateObject(other, { name: 'filtered-out.vcf' });
    cluster.updateObject(reads, { name: 'reads-v3.bam' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('reads-v3.bam')), { message: 'filtered event' });
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('filtered-out.vcf')));
    assert.equal(cluster.wsConnectionsTotal, connections, 'the connection was kept');
  });

  it('the guided Add Filter picks event types; Remove Filter from the palette takes it away', async () => {
    await wb.runCommand('Arvados: Add Filter');
    await wb.pickQuickItem('Event types');
    await wb.waitFor(() => wb.quickItems(), (items) => items.includes('delete') && items.includes('create'), { message: 'event type choices' });
    await wb.pickQuickItem('delete');
    await wb.waitFor(() => wb.page.locator('.quick-input-widget .quick-input-list [role=checkbox][aria-label="delete"]').first().getAttribute('aria-checked'), (v) => v === 'true', { message: 'delete checked' });
    await wb.page.keyboard.press('Enter');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 2 && rows.some((r) => r === 'event type in delete'), { message: 'event type filter row' });
    await cluster.waitFor(() => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes('"event_type","in",["delete"]')), 10000, 'event type subscription sent');
    // An event of that type, about an object the other filter does not match, is shown.
    const gone = cluster.createObject({ kind: 'arvados#collection', name: 'scratch.tmp' }).object.uuid as string;
    cluster.deleteObject(gone);
    await wb.waitFor(() => rowsOf(wb, 'Events'), (rows) => rows.some((r) => r.includes(' | deleted · ') && r.endsWith(' · delete · collection')), { message: 'delete event shown' });
    await wb.runCommand('Arvados: Remove Filter');
    await wb.waitFor(() => wb.quickItems(), (items) => items.includes('[["event_type","in",["delete"]]]') && items.includes(JSON.stringify([['object_uuid', '=', reads]])), { message: 'filters to remove' });
    await wb.pickQuickItem('[["event_type","in",["delete"]]]');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 1 && rows[0].startsWith('object uuid = '), { message: 'event type filter removed' });
    await wb.waitForLog(LOG, 'Unsubscribed from [["event_type","in",["delete"]]]');
  });

  it('notifies when a watched container request fails, with the outcome read from its container', async () => {
    const container = cluster.createObject({ kind: 'arvados#container', state: 'Running' }).object.uuid as string;
    const cr = cluster.createObject({ kind: 'arvados#containerRequest', name: 'align-reads', state: 'Committed', container_uuid: container }).object.uuid as string;
    await wb.runCommand('Arvados: Watch Object');
    await wb.answerInput(cr);
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('align-reads') && r.includes('Committed')), { message: 'watched row' });
    cluster.updateObject(container, { state: 'Complete', exit_code: 3 });
    const final = cluster.updateObject(cr, { state: 'Final' });
    const toasts = await wb.waitFor(() => wb.notifications(), (n) => n.some((m) => m.startsWith('Failed: align-reads')), { timeout: 20000, message: 'failure notification' });
    assert.ok(toasts.some((m) => m.includes('exited with code 3')), JSON.stringify(toasts));
    await wb.screenshot('extension-notification');
    await wb.clickNotificationButton('Open Event', 'Failed: align-reads');
    await wb.waitFor(() => tabLabels(wb), (tabs) => tabs.includes(`event-${final.id}.json`), { message: 'event document' });
    await wb.waitFor(() => activeEditorText(wb), (t) => t.includes(`"object_uuid": "${cr}"`) && t.includes('"state": "Final"'), { message: 'the Final event' });
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('Final') && r.includes('failed (exit code 3)')), { message: 'outcome in the watched view' });
    await closeAllEditors(wb);
  });

  it('close means closed; Connect delivers what happened meanwhile, once', async () => {
    await wb.runCommand('Arvados: Close Connection');
    await statusMatches(wb, /closed/);
    const during = cluster.updateObject(reads, { name: 'renamed-while-closed.bam' });
    await sleep(1000);
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('renamed-while-closed.bam')));
    assert.equal(cluster.wsConnectionCount, 0, 'nothing reconnected');
    await wb.screenshot('extension-closed');
    await wb.runCommand('Arvados: Connect');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.filter((r) => r.includes('renamed-while-closed.bam')).length === 1, { timeout: 20000, message: 'gap event' });
    await wb.waitForLog(LOG, new RegExp(`event #${during.id} `));
    await statusMatches(wb, /live/);
  });

  it('pause holds the view; resume shows what arrived', async () => {
    await wb.runCommand('Arvados: Pause');
    await statusMatches(wb, /paused/);
    cluster.updateObject(reads, { name: 'while-paused.bam' });
    await statusMatches(wb, /paused · .* · 1 new/);
    await wb.waitFor(() => eventsHeader(wb), (t) => /paused \(1 new\)/.test(t), { message: 'paused in the view description' });
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('while-paused.bam')));
    await wb.screenshot('extension-paused');
    await wb.runCommand('Arvados: Resume');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('while-paused.bam')), { message: 'shown on resume' });
    await statusMatches(wb, /live/);
  });

  it('during a flood of 20,000+ events the palette opens within a second and Pause answers', async () => {
    const first = cluster.lastLogId + 1;
    const MIN_EVENTS = 20_000;
    let measuring = true;
    let emitted = 0;
    let stillFlooding = true;
    const flood = (async () => {
      // 40 rows every 10 ms (about 4000 a second), under the server's 64-event queue, for as long
      // as the measurements take and at least MIN_EVENTS rows.
      while (measuring || emitted < MIN_EVENTS) {
        cluster.emitBatch(40, { object_uuid: reads, event_type: 'update' });
        emitted += 40;
        await sleep(10);
      }
      stillFlooding = false;
    })();
    const tries: PaletteTry[] = [];
    try {
      // Some event 2,000 into the flood was logged (the output logs 250 a quarter second, not each one).
      const newestLogged = () => Math.max(0, ...[...wb.readLog(LOG).matchAll(/ event #(\d+) /g)].map((m) => Number(m[1])));
      await wb.waitFor(newestLogged, (id) => id >= first + 2000, { timeout: 30000, message: `an event past #${first + 2000} in the log` });
      for (let i = 0; i < 3; i++) {
        tries.push(await timePaletteAndPause(wb));
        assert.ok(stillFlooding, 'measured during the flood');
        await wb.runCommand('Arvados: Resume');
        await wb.waitFor(() => wb.statusBarText(STATUS), (t) => !!t && !/paused/.test(t), { timeout: 30000, message: 'resumed' });
      }
      assert.ok(stillFlooding && emitted > 0, 'the flood went on while measuring');
    } finally {
      measuring = false;
      await flood;
    }
    const last = cluster.lastLogId;
    // In a flood the output logs 250 lines a quarter second and counts the rest; an event after a
    // quiet second is logged, and comes after every event of the flood.
    await sleep(1000);
    const marker = cluster.emit({ object_uuid: reads, event_type: 'update' });
    await wb.waitForLog(LOG, new RegExp(`event #${marker.id} `), { timeout: 60000 });
    assert.match(wb.readLog(LOG), /more events not logged \(more than 250 in a quarter second\)/, 'the flood was summarized, not logged line by line');
    await wb.waitFor(() => eventsHeader(wb), (t) => /5000 shown · \d+ dropped/.test(t), { timeout: 30000, message: 'bounded buffer' });
    const samples = [...wb.readLog(LOG).matchAll(/event loop delay p50 ([\d.]+) ms p99 ([\d.]+) ms max ([\d.]+) ms/g)].map((m) => Number(m[2]));
    const palette = median(tries.map((t) => t.paletteMs));
    const pause = median(tries.map((t) => t.pauseMs));
    console.log(
      `flood of ${last - first + 1} events (${cluster.overflowDisconnects} overflow disconnects): ` +
        `F1 to palette ${tries.map((t) => t.paletteMs).join(', ')} ms (median ${palette}); ` +
        `Enter on "Arvados: Pause" to "paused" ${tries.map((t) => t.pauseMs).join(', ')} ms (median ${pause}); ` +
        `extension host p99 event-loop delays ${samples.join(', ')} ms`,
    );
    assert.ok(last - first + 1 >= MIN_EVENTS, `${last - first + 1} events`);
    assert.ok(palette < 1000, `the palette took ${palette} ms (median of ${tries.map((t) => t.paletteMs).join(', ')})`);
    assert.ok(pause < 1000, `Pause took ${pause} ms to show (median of ${tries.map((t) => t.pauseMs).join(', ')})`);
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
    await wb.waitFor(() => wb.statusBarText(STATUS), (t) => !!t, { timeout: 30000, message: 'extension activated again' });
    // The workbench restores the side bar it showed; open it only if it did not.
    if (!(await wb.page.locator('.monaco-list[aria-label="Subscriptions"]').isVisible())) await wb.openViewContainer('Arvados');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.some((r) => r.startsWith('object uuid = ')), { message: 'filter restored' });
    await wb.waitFor(() => wb.treeRows('Watched Objects'), (rows) => rows.some((r) => r.includes('align-reads')), { message: 'watch restored' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('during-reload.bam')), { timeout: 30000, message: 'gap filled after reload' });
    // Only the gap: what the previous window had shown does not come again.
    await sleep(1000);
    assert.match(await eventsHeader(wb), /\b1 shown/);
  });

  it('groups events by kind (title-bar button), event type, none and object (Group By command); Clear Filters widens back to all events', async () => {
    // Events of two kinds and two types (the object filter still applies: widen first).
    await wb.runCommand('Arvados: Clear Filters');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 1 && rows[0].startsWith('All events'), { message: 'all events' });
    await cluster.waitFor(() => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes('"filters":[]')), 10000, 'subscribed to everything');
    const wf = cluster.createObject({ kind: 'arvados#workflow', name: 'bwa-mem.cwl' }).object.uuid as string;
    cluster.updateObject(other, { name: 'back-in-view.vcf' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.startsWith('bwa-mem.cwl')) && rows.some((r) => r.startsWith('back-in-view.vcf')), { message: 'new events' });

    // The title-bar button of the Events view.
    const header = wb.page.locator('.pane-header', { hasText: 'Events' }).first();
    await header.hover();
    await header.locator('.actions .action-label[aria-label="Group Events By..."]').click();
    await wb.waitFor(() => wb.quickItems(), (items) => ['None (newest first)', 'Object', 'Kind', 'Event type'].every((l) => items.includes(l)), { message: 'grouping choices' });
    await wb.pickQuickItem('Kind');
    let rows = await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length === 2 && r.every((x) => / \| \d+ events?$/.test(x)), { message: 'kind groups' });
    assert.ok(rows.some((r) => r.startsWith('collection | ')) && rows.some((r) => r.startsWith('workflow | 1 event')), JSON.stringify(rows));
    await wb.screenshot('extension-grouped-kind');

    await wb.runCommand('Arvados: Group Events By...');
    await wb.pickQuickItem('Event type');
    rows = await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length === 2 && r.some((x) => /^create \| 1 event$/.test(x)) && r.some((x) => /^update \| \d+ events?$/.test(x)), { message: 'event type groups' });
    // A group expands to its events.
    await wb.page.locator('.monaco-list[aria-label="Events"] .monaco-list-row', { hasText: /^\s*create/ }).first().click();
    await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.some((x) => x.startsWith('bwa-mem.cwl | ') && x.endsWith(' · create · workflow')), { message: 'group expanded' });

    await wb.runCommand('Arvados: Group Events By...');
    await wb.pickQuickItem('None (newest first)');
    rows = await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length >= 3 && !r.some((x) => / \| \d+ events?$/.test(x)), { message: 'flat list' });
    assert.ok(rows[0].startsWith('back-in-view.vcf | ') && rows[0].endsWith(' · update · collection'), JSON.stringify(rows));

    await wb.runCommand('Arvados: Group Events By...');
    await wb.pickQuickItem('Object');
    rows = await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length > 0 && r.every((x) => / \| \d+ events?$/.test(x)), { message: 'object groups' });
    assert.ok(rows.some((r) => r.startsWith('back-in-view.vcf | ')) && rows.some((r) => r.startsWith('bwa-mem.cwl | 1 event')), JSON.stringify(rows));
    cluster.updateObject(wf, { name: 'bwa-mem-v2.cwl' });
    await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.some((x) => x === 'bwa-mem-v2.cwl | 2 events'), { message: 'object group grows' });
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
    await statusMatches(wb, /not configured/);
    await wb.runCommand('Arvados: Set Cluster');
    await wb.answerInput('http://nope', { submit: false });
    await wb.waitFor(() => wb.page.locator('.quick-input-message').innerText(), (m) => /must not use http/.test(m), { message: 'host refused inline' });
    await wb.answerInput(cluster.host);
    // No token for that host: Set API Token follows.
    await wb.answerInput(cluster.users.active.token);
    await statusMatches(wb, /live/, 30000);
    await wb.waitForLog(LOG, /API token stored in secret storage for /);
    const secret = cluster.users.active.token.split('/')[2];
    assert.ok(!wb.readLog(LOG).includes(secret), 'not in the log');
    // arvados.apiHost is machine-scoped: code-server (a remote window) writes it to the user
    // settings of the machine (Machine/settings.json), not to the browser's (User/).
    const settings = ['User', 'Machine'].map((d) => join(wb.userDataDir, d, 'settings.json')).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(settings, /"arvados\.apiHost"/);
    assert.ok(!settings.includes(secret), 'not in settings.json');
  });

  it('a refused token says so (status error), with a button to set another', async () => {
    await wb.runCommand('Arvados: Set API Token');
    await wb.answerInput('v2/zzzzz-gj3su-000000000000000/notavalidsecretatall0123456789');
    await wb.waitFor(() => wb.page.locator('.welcome-view-content').allInnerTexts(), (t) => t.some((x) => x.includes('refused the API token')), { timeout: 30000, message: 'token welcome' });
    await statusMatches(wb, /error/);
    await wb.screenshot('extension-token-refused');
    await wb.page.locator('.welcome-view-content .monaco-button', { hasText: 'Set API Token' }).first().click();
    await wb.answerInput(cluster.users.active.token);
    await statusMatches(wb, /live/, 30000);
    assert.ok(!wb.readLog(LOG).includes('notavalidsecret'), 'the refused token is not logged either');
  });
});

describe('Arvados Events in VS Code, connection states and the remaining commands', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;
  let sample: string;

  before(async () => {
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    sample = cluster.createObject({ kind: 'arvados#collection', name: 'sample.fastq' }).object.uuid as string;
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    wb = await startWorkbench({
      extensionPath: REPO,
      // Polling (when the websocket is off) reads the logs API every second.
      settings: { 'arvados.pollInterval': 1 },
      env: { HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('Reconnect opens a new websocket and comes back live', async () => {
    await wb.openViewContainer('Arvados');
    await statusMatches(wb, /live/, 30000);
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
    const connections = cluster.wsConnectionsTotal;
    await wb.runCommand('Arvados: Reconnect');
    await cluster.waitFor(() => cluster.wsConnectionsTotal > connections && cluster.wsSessions().some((s) => s.subscriptions > 0), 15000, 'a new websocket');
    await statusMatches(wb, /live/);
    cluster.updateObject(sample, { name: 'sample-v2.fastq' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.startsWith('sample-v2.fastq')), { message: 'event after reconnect' });
  });

  it('without a websocket, Reconnect polls the logs API (status polling); with it back, live again', async () => {
    cluster.setWebsocketEnabled(false);
    await wb.runCommand('Arvados: Reconnect');
    await statusMatches(wb, /polling/, 30000);
    await wb.waitForLog(LOG, /Connected to .* as active \(polling the logs API\)/);
    const polls = cluster.apiRequests.length;
    cluster.updateObject(sample, { name: 'sample-polled.fastq' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.startsWith('sample-polled.fastq')), { timeout: 20000, message: 'event found by polling' });
    assert.ok(cluster.apiRequests.slice(polls).some((r) => JSON.stringify(r).includes('/arvados/v1/logs')), 'read from the logs API');
    await wb.screenshot('extension-polling');
    cluster.setWebsocketEnabled(true);
    await wb.runCommand('Arvados: Reconnect');
    await statusMatches(wb, /live/, 30000);
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'websocket again');
  });

  it('a cut connection shows "reconnecting n" while upgrades are refused, then recovers to live with the gap filled once', async () => {
    cluster.rejectUpgrades(true);
    cluster.cutConnections();
    const text = await statusMatches(wb, /reconnecting \d+/, 20000);
    assert.match(text ?? '', /Arvados: reconnecting \d+/);
    const during = cluster.updateObject(sample, { name: 'during-outage.fastq' });
    // Refused again at least once, so the attempt count has moved on.
    await cluster.waitFor(() => cluster.upgradeAttempts.filter((a) => a.status === 503).length >= 2, 20000, 'upgrades refused');
    await wb.screenshot('extension-reconnecting');
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.startsWith('during-outage.fastq')));
    cluster.rejectUpgrades(false);
    await statusMatches(wb, /live/, 30000);
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.filter((r) => r.startsWith('during-outage.fastq')).length === 1, { timeout: 20000, message: 'gap event, once' });
    await wb.waitForLog(LOG, new RegExp(`event #${during.id} `));
    await wb.waitForLog(LOG, /Reconnecting \(attempt \d+/);
  });

  it('Clear Events empties the view; new events show again', async () => {
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.length > 0, { message: 'events to clear' });
    await wb.runCommand('Arvados: Clear Events');
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.length === 0, { message: 'cleared' });
    await wb.waitFor(() => wb.page.locator('.welcome-view-content').allInnerTexts(), (t) => t.some((x) => x.includes('Events that match the subscriptions appear here')), { message: 'waiting welcome' });
    await wb.waitFor(() => eventsHeader(wb), (t) => /\b0 shown/.test(t), { message: 'description' });
    cluster.updateObject(sample, { name: 'after-clear.fastq' });
    await wb.waitFor(() => rowsOf(wb, 'Events'), (rows) => rows.length === 1 && rows[0].startsWith('after-clear.fastq | '), { message: 'new event after clear' });
  });

  it('Export Events writes the buffer as JSON Lines where the save dialog says', async () => {
    const rows = [cluster.updateObject(sample, { name: 'export-1.fastq' }), cluster.updateObject(sample, { name: 'export-2.fastq' })];
    await wb.waitFor(() => rowsOf(wb, 'Events'), (r) => r.length === 3 && r[0].startsWith('export-2.fastq | '), { message: 'events to export' });
    const target = join(wb.workspace, 'exported-events.jsonl');
    await wb.runCommand('Arvados: Export Events...');
    await wb.waitFor(() => wb.page.locator('.quick-input-widget .quick-input-title').innerText(), (t) => t.includes('Export Events'), { message: 'save dialog' });
    await answerSaveDialog(wb, target, () => existsSync(target) && readFileSync(target, 'utf8').endsWith('\n'));
    await wb.waitFor(() => wb.notifications(), (n) => n.some((m) => m.startsWith(`Exported 3 events to ${target}`)), { message: 'export notification' });
    const lines = readFileSync(target, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const events = lines.map((l) => JSON.parse(l) as { id: number; object_uuid: string; event_type: string; properties: { new_attributes?: { name?: string } } });
    assert.equal(events.length, 3);
    // Oldest first, the whole event.
    assert.deepEqual(events.slice(1).map((e) => e.id), rows.map((r) => r.id));
    assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1].id));
    assert.deepEqual(events.map((e) => e.properties.new_attributes?.name), ['after-clear.fastq', 'export-1.fastq', 'export-2.fastq']);
    assert.ok(events.every((e) => e.object_uuid === sample && e.event_type === 'update'));
    assert.ok(!readFileSync(target, 'utf8').includes(cluster.users.active.token.split('/')[2]), 'no token in the export');
    await wb.waitForLog(LOG, `Exported 3 events to ${target}`);
  });

  it('Show Output shows the Arvados Events log', async () => {
    await wb.runCommand('Arvados: Show Output');
    const panel = wb.page.locator('.part.panel');
    await wb.waitFor(() => panel.isVisible(), (v) => v, { message: 'panel shown' });
    // The Output view, on the extension's channel, showing its latest lines.
    await wb.waitFor(
      () => panel.locator('select').evaluateAll((els) => els.map((el: any) => String(el.options[el.selectedIndex]?.text ?? ''))),
      (selected) => selected.includes(LOG),
      { message: 'the channel selected' },
    );
    await wb.waitFor(
      async () => (await panel.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' '),
      (t) => t.includes('Exported 3 events to') && /\[info\] event #\d+ update collection/.test(t),
      { message: 'the log in the output panel' },
    );
    await wb.screenshot('extension-output');
  });

  it('Add Filter for This Object, from the context menu of an event, follows that object only', async () => {
    const other = cluster.createObject({ kind: 'arvados#collection', name: 'unrelated.txt' }).object.uuid as string;
    await wb.waitFor(() => rowsOf(wb, 'Events'), (rows) => rows.some((r) => r.startsWith('unrelated.txt | ') && r.endsWith(' · create · collection')), { message: 'an event of another object' });
    await openContextMenu(wb, 'Events', 'export-2.fastq');
    await clickContextMenuItem(wb, 'Add Filter for This Object');
    await wb.waitFor(() => wb.treeRows('Subscriptions'), (rows) => rows.length === 1 && rows[0] === `object uuid = ${sample.slice(0, 12)}…`, { message: 'object filter' });
    await cluster.waitFor(() => cluster.subscribeMessages.some((m) => JSON.stringify(m.message).includes(`["object_uuid","=","${sample}"]`)), 10000, 'subscribed to the object');
    cluster.updateObject(other, { name: 'unrelated-v2.txt' });
    cluster.updateObject(sample, { name: 'followed.fastq' });
    await wb.waitFor(() => rowsOf(wb, 'Events'), (rows) => rows[0]?.startsWith('followed.fastq | '), { message: 'the followed object' });
    assert.ok(!(await wb.treeRows('Events')).some((r) => r.includes('unrelated-v2.txt')));
  });
});
