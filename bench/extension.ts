/**
 * Benchmarks 4–6, the extension in a real VS Code (code-server + Chromium, test/e2e/harness.ts),
 * connected to a fake cluster in this process the zero-configuration way (ARVADOS_API_HOST,
 * ARVADOS_API_TOKEN, SSL_CERT_FILE), in one workbench session, in this order:
 *
 *  6. cost at rest: size of what loads at activation (dist/extension.mjs and its static chunks); activation, over `reloads` window reloads
 *     (from the remote extension host's log line `_doActivateExtension arvados-events…` to the
 *     extension's `… started` line, and from the page's navigation start to that line); the CPU
 *     time of the idle, connected extension host over `idleS` seconds (/proc/<pid>/stat of the
 *     `bootstrap-fork --type=extensionHost` process), the Events view visible, monitor off;
 *  5. time to screen: `screenEvents` update events at `screenRate`/s, each renaming the object to
 *     a unique name; a MutationObserver in the page timestamps (Date.now()) when a row of the
 *     Events view first shows that name; latency = that − Date.now() just before emit (same host,
 *     same clock). Monitor off;
 *  4. flood: the monitor turned on (settings.json, every 1 s via ARVADOS_EVENTS_MONITOR_INTERVAL_MS),
 *     `floodEvents` events emitted at full speed (batches of 1000, the fake's queue large enough
 *     not to overflow), bufferSize 5000; until the last one's row shows. From the monitor lines
 *     whose 1-s window overlaps the flood: event-loop delay p50 (median), p99 and max (worst),
 *     tree refreshes per second (worst window); heap before and after (5 s after the last row
 *     showed) as logged, and retained: each after a full GC forced through the inspector
 *     (bench/inspect.ts), so that garbage not yet collected does not count as growth.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FakeCluster } from '../test/fake/cluster';
import { codeServerModule, startWorkbench, type Workbench } from '../test/e2e/harness';
import { collectGarbage, inspect, profileProcess } from './inspect';
import { activationFiles } from '../scripts/activationFiles';
import { formatSummary, summarize } from './profile';
import { argsOf, benchCollection, BenchResult, emitUpdates, figure, median, percentile, procCpuMs, progress, REPO, runAsScript, sleep, updateEvent } from './lib';

const LOG = 'Arvados Events';

interface MonitorSample {
  atMs: number;
  p50: number;
  p99: number;
  max: number;
  heapMb: number;
  rssMb: number;
  refreshes?: number;
  windowMs?: number;
}

/** `2026-11-24 21:48:44.588` (local time, as VS Code writes its logs) → ms since the epoch. */
function logTime(text: string): number {
  return new Date(text.replace(' ', 'T')).getTime();
}

const TIME = String.raw`(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})`;

export function monitorSamples(log: string): MonitorSample[] {
  const re = new RegExp(
    String.raw`^${TIME} \[info\] event loop delay p50 ([\d.]+) ms p99 ([\d.]+) ms max ([\d.]+) ms; heap used ([\d.]+) MB; rss ([\d.]+) MB(?:; tree refreshes: (\d+) in last (\d+) ms)?`,
    'gm',
  );
  return [...log.matchAll(re)].map((m) => ({
    atMs: logTime(m[1]),
    p50: Number(m[2]),
    p99: Number(m[3]),
    max: Number(m[4]),
    heapMb: Number(m[5]),
    rssMb: Number(m[6]),
    refreshes: m[7] === undefined ? undefined : Number(m[7]),
    windowMs: m[8] === undefined ? undefined : Number(m[8]),
  }));
}

/**
 * ms to import dist/extension.mjs (and the chunks it imports statically) in a fresh Node process
 * (the extension host's Node) with a stub `vscode` module: the cost of loading the code VS Code
 * loads at activation, apart from what VS Code does around it.
 */
const IMPORT_SCRIPT = `
const { registerHooks } = require('node:module');
const { pathToFileURL } = require('node:url');
const names = ['window', 'workspace', 'commands', 'l10n', 'env', 'Uri', 'EventEmitter', 'TreeItem', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'TreeItemCollapsibleState', 'StatusBarAlignment', 'Disposable', 'ProgressLocation', 'ConfigurationTarget', 'QuickPickItemKind', 'ViewColumn', 'languages', 'extensions', 'Range', 'Position', 'Selection'];
const stub = "const stub = () => new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? {} : stub()), apply: () => stub(), construct: () => stub() });";
const source = stub + names.map((n) => 'export const ' + n + ' = stub();').join('');
registerHooks({ resolve: (spec, ctx, next) => (spec === 'vscode' ? { url: 'data:text/javascript,' + encodeURIComponent(source), shortCircuit: true } : next(spec, ctx)) });
const t0 = process.hrtime.bigint();
import(pathToFileURL(process.argv[1]).href).then(() => console.log(Number(process.hrtime.bigint() - t0) / 1e6));
`;

function importMs(node: string, entry: string): number {
  return Number(execFileSync(node, ['-e', IMPORT_SCRIPT, entry]).toString().trim());
}

/** VS Code's own performance marks in the extension host (vs/base/common/performance), in ms since the epoch. */
async function exthostMarks(pid: number): Promise<Record<string, number>> {
  const i = await inspect(pid);
  try {
    const r = await i.call('Runtime.evaluate', { expression: 'JSON.stringify(globalThis.MonacoPerformanceMarks?.getMarks() ?? [])', returnByValue: true });
    const marks = JSON.parse(String(r?.result?.value ?? '[]')) as Array<{ name: string; startTime: number }>;
    return Object.fromEntries(marks.map((m) => [m.name, m.startTime]));
  } finally {
    i.close();
  }
}

/**
 * The extension's log of the current window, rotated files included: past 5 MB (a flood or two
 * of events) VS Code's logger moves the file to `<name>.1.log` and starts a new one.
 */
export function readLogs(wb: Workbench): string {
  const current = wb.codeServer.findLogFile(LOG);
  if (!current) return '';
  const dir = dirname(current);
  const base = `${LOG}.log`;
  return readdirSync(dir)
    .filter((f) => f === base || /^Arvados Events\.\d+\.log$/.test(f) || f.startsWith(`${base}_`))
    .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => a.t - b.t)
    .map((x) => readFileSync(x.f, 'utf8'))
    .join('\n');
}

/** The extension host of the current window: its pid and the times of its log lines. */
function exthostOf(wb: Workbench): { pid: number; hostStartedMs: number; activateMs: number; startedMs: number } {
  const ours = wb.codeServer.findLogFile(LOG);
  if (!ours) throw new Error('no log file of the extension yet');
  const dir = dirname(dirname(ours));
  const host = readFileSync(join(dir, 'remoteexthost.log'), 'utf8');
  const pid = new RegExp(String.raw`^${TIME} \[info\] Extension host with pid (\d+) started`, 'm').exec(host);
  const activate = new RegExp(String.raw`^${TIME} \[info\] ExtensionService#_doActivateExtension arvados-events\.arvados-events`, 'm').exec(host);
  const started = new RegExp(String.raw`^${TIME} \[info\] Arvados Events \S* ?started`, 'm').exec(readLogs(wb));
  if (!pid || !activate || !started) throw new Error(`missing log lines in ${dir}`);
  return { pid: Number(pid[2]), hostStartedMs: logTime(pid[1]), activateMs: logTime(activate[1]), startedMs: logTime(started[1]) };
}

/** Changes a setting in the workspace's .vscode/settings.json, which VS Code watches. */
function setWorkspaceSetting(wb: Workbench, key: string, value: unknown): void {
  const dir = join(wb.workspace, '.vscode');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'settings.json');
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* none yet */
  }
  settings[key] = value;
  writeFileSync(file, JSON.stringify(settings, null, 2));
}

/** Timestamps (page clock) of the first time a row of the Events view showed each `…-x` name. */
async function installRowObserver(wb: Workbench): Promise<void> {
  // A string, not a function: tsx would wrap a function's inner functions in a helper the page lacks.
  await wb.page.evaluate(`(() => {
    if (window.__benchSeen) return;
    window.__benchSeen = {};
    const scan = () => {
      const now = Date.now();
      for (const row of document.querySelectorAll('.monaco-list[aria-label="Events"] .monaco-list-row')) {
        const m = /\\b((?:tts|flood|q64)-r\\d+-\\w+-x)/.exec(row.textContent || '');
        if (m && !(m[1] in window.__benchSeen)) window.__benchSeen[m[1]] = now;
      }
    };
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
}

/**
 * On every page load (window reload included): Date.now() when the workbench's activity bar first
 * shows (the workbench is ready) and when the Events view first shows an event row.
 */
async function installColdStartObserver(wb: Workbench): Promise<void> {
  await wb.page.addInitScript(`(() => {
    window.__benchCold = {};
    const mark = () => {
      const now = Date.now();
      const c = window.__benchCold;
      if (!c.workbench && document.querySelector('.monaco-workbench .part.activitybar')) c.workbench = now;
      if (!c.row && document.querySelector('.monaco-list[aria-label="Events"] .monaco-list-row')) c.row = now;
    };
    new MutationObserver(mark).observe(document, { subtree: true, childList: true });
  })()`);
}

function coldStart(wb: Workbench): Promise<{ workbench?: number; row?: number }> {
  return wb.page.evaluate('({ ...(window.__benchCold || {}) })') as Promise<{ workbench?: number; row?: number }>;
}

function seenRows(wb: Workbench): Promise<Record<string, number>> {
  return wb.page.evaluate('({ ...window.__benchSeen })') as Promise<Record<string, number>>;
}

/**
 * VS Code's own activation time of the extension (code loading + the activate() call), as
 * "Developer: Show Running Extensions" shows it; the editor is closed again.
 */
async function runningExtensionsActivation(wb: Workbench): Promise<number> {
  // After a reload the keyboard focus may be nowhere yet: F1 opens the palette only from the workbench.
  for (let attempt = 1; ; attempt++) {
    await wb.page.locator('.part.editor').click({ position: { x: 200, y: 200 } }).catch(() => undefined);
    try {
      await wb.runCommand('Developer: Show Running Extensions');
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await wb.page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
  const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Arvados Events' }).first();
  const text = await wb.waitFor(() => row.locator('.activation-time').innerText(), (t) => /\d+\s*ms/.test(t), { timeout: 15_000, message: 'the activation time in Running Extensions' });
  // It opens as a modal editor here (F1 does not reach the palette from it): Escape, else its close button.
  const editor = wb.page.locator('.runtime-extensions-editor');
  await wb.page.keyboard.press('Escape');
  if (await editor.isVisible().catch(() => false)) {
    await wb.page.locator('.monaco-workbench [aria-label^="Close"]:visible, .monaco-workbench .codicon-close:visible').first().click({ force: true }).catch(() => undefined);
  }
  await wb.waitFor(() => editor.isVisible(), (v) => !v, { timeout: 10_000, message: 'the Running Extensions editor closing' });
  return Number(/(\d+)\s*ms/.exec(text)![1]);
}

/** Which `--parts` section measures a figure, by its key. */
function partOf(key: string): string {
  if (key.startsWith('ext.screen.')) return 'screen';
  if (key.startsWith('ext.flood.')) return 'flood';
  if (key.startsWith('ext.queue64.')) return 'queue';
  return 'rest';
}

export async function waitLive(wb: Workbench): Promise<void> {
  await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 60_000, message: 'status bar live' });
}

export async function run(): Promise<BenchResult> {
  const args = argsOf();
  const reloads = Number(args.reloads ?? 3);
  const idleS = Number(args.idleS ?? 20);
  const screenRuns = Number(args.screenRuns ?? 3);
  const screenEvents = Number(args.screenEvents ?? 60);
  const screenRate = Number(args.screenRate ?? 5);
  const floodRuns = Math.max(2, Number(args.floodRuns ?? 5));
  /** The fake's real client queue (arvados-ws drops a client whose 64-event queue fills), and the rates tried with it. */
  const queueRates = String(args.queueRates ?? '500,1000,2000,4000').split(',').map(Number);
  const queueSeconds = Number(args.queueSeconds ?? 4);
  const floodEvents = Number(args.floodEvents ?? 50_000);
  /** For working on one figure: `--parts=rest,screen,flood,queue` (all by default; run.ts always runs all). */
  const parts = new Set(String(args.parts ?? 'rest,screen,flood,queue').split(','));
  const started = Date.now();
  const notes: string[] = [];

  const entry = join(REPO, 'dist', 'extension.mjs');
  const loaded = activationFiles(entry);
  const bundle = Buffer.concat(loaded.map((f) => readFileSync(f)));
  const chunksDir = join(REPO, 'dist', 'chunks');
  const lazyBytes = readdirSync(chunksDir).filter((f) => f.endsWith('.mjs') && !loaded.includes(join(chunksDir, f))).reduce((n, f) => n + statSync(join(chunksDir, f)).size, 0);
  const node24 = (await (await codeServerModule()).codeServerPaths()).NODE24;
  const hostNode = execFileSync(node24, ['--version']).toString().trim();
  const requireRuns = [1, 2, 3, 4, 5].map(() => importMs(node24, entry));
  // The fake's logs index costs O(rows) per request (a real one is indexed by id): with 250,000
  // flood rows every catch-up query would take seconds. Keeping the newest 20,000 rows keeps the
  // catch-ups (window reloads, the 64-event queue's reconnects) about the extension, not the fake.
  const cluster = await FakeCluster.start({ clientQueueSize: 4 * floodEvents, sendTimeoutMs: 60_000, logMaxRows: 20_000 });
  const home = mkdtempSync(join(tmpdir(), 'arv-bench-home-'));
  let wb: Workbench | undefined;
  try {
    const uuid = benchCollection(cluster);
    progress('extension', 'starting code-server and Chromium');
    wb = await startWorkbench({
      extensionPath: REPO,
      settings: { 'arvados.diagnostics.eventLoopMonitor': false, 'arvados.bufferSize': 5000 },
      env: {
        HOME: home,
        ARVADOS_API_HOST: cluster.host,
        ARVADOS_API_TOKEN: cluster.users.active.token,
        SSL_CERT_FILE: cluster.certFile,
        ARVADOS_EVENTS_MONITOR_INTERVAL_MS: '1000',
      },
      timeout: 30_000,
    });
    await wb.openViewContainer('Arvados');
    await waitLive(wb);
    // A few events, so that the view shows rows as it would in use.
    await emitUpdates(cluster, uuid, 20, { name: (i) => `warmup-${i}.bam`, batch: 1 });

    // ---- 6. activation -------------------------------------------------------------------
    const vscodeActivation: number[] = [];
    const activate: number[] = [];
    const pageToStarted: number[] = [];
    const hostToStarted: number[] = [];
    const coldWorkbenchToRow: number[] = [];
    const coldPageToRow: number[] = [];
    /** The cold start's parts, per reload (ms): whose each one is, in bench/README.md section 6. */
    const coldParts: Record<string, number[]> = { workbenchToHostReady: [], hostReadyToLoad: [], codeLoading: [], loadToActivate: [], activateCall: [], activatedToLive: [], liveToRow: [] };
    if (parts.has('rest')) await installColdStartObserver(wb);
    for (let i = 0; parts.has('rest') && i < reloads; i++) {
      const before = wb.codeServer.findLogFile(LOG);
      // As in the demo, events keep coming while the window loads: one every 100 ms.
      let k = 0;
      const ticker = setInterval(() => cluster.emit(updateEvent(cluster, uuid, `cold-${i}-${k++}.bam`)), 100);
      let cold: { workbench?: number; row?: number } = {};
      for (let attempt = 1; ; attempt++) {
        await wb.reload();
        cold = await wb
          .waitFor(() => coldStart(wb!), (c) => !!c.row, { timeout: 30_000, interval: 100 })
          .catch(() => coldStart(wb!));
        const restarted = await wb
          .waitFor(() => wb!.codeServer.findLogFile(LOG), (f) => !!f && f !== before, { timeout: 60_000, message: 'a new extension host log' })
          .then(() => true, (err: Error) => (attempt >= 2 ? Promise.reject(err) : false));
        if (restarted) break;
        // Seen once on a busy machine: the reloaded window never started an extension host.
        notes.push(`Reload ${i + 1}: no new extension host within 60 s of the window reloading; reloaded again (this reload's figures are the second's).`);
      }
      clearInterval(ticker);
      await wb.waitForLog(LOG, /started/, { timeout: 60_000 });
      const navStart = (await wb.page.evaluate('performance.timeOrigin')) as number;
      const h = exthostOf(wb);
      activate.push(h.startedMs - h.activateMs);
      pageToStarted.push(h.startedMs - navStart);
      hostToStarted.push(h.startedMs - h.hostStartedMs);
      if (cold.row && cold.workbench) {
        coldWorkbenchToRow.push(cold.row - cold.workbench);
        coldPageToRow.push(cold.row - navStart);
        const m = await exthostMarks(h.pid);
        const id = 'arvados-events.arvados-events';
        const live = new RegExp(String.raw`^${TIME} \[info\] (?:\[[^\]]*\] )?Live\b`, 'm').exec(readLogs(wb));
        const parts: Record<string, number | undefined> = {
          workbenchToHostReady: m['code/extHost/ready'] - cold.workbench,
          hostReadyToLoad: m[`code/extHost/willLoadExtensionCode/${id}`] - m['code/extHost/ready'],
          codeLoading: m[`code/extHost/didLoadExtensionCode/${id}`] - m[`code/extHost/willLoadExtensionCode/${id}`],
          loadToActivate: m[`code/extHost/willActivateExtension/${id}`] - m[`code/extHost/didLoadExtensionCode/${id}`],
          activateCall: m[`code/extHost/didActivateExtension/${id}`] - m[`code/extHost/willActivateExtension/${id}`],
          activatedToLive: live ? logTime(live[1]) - m[`code/extHost/didActivateExtension/${id}`] : undefined,
          liveToRow: live ? cold.row - logTime(live[1]) : undefined,
        };
        for (const [k, v] of Object.entries(parts)) if (v !== undefined && Number.isFinite(v)) coldParts[k].push(Math.round(v));
        progress('extension', `reload ${i + 1}/${reloads}: ${Object.entries(parts).map(([k, v]) => `${k} ${v === undefined ? '?' : Math.round(v)}`).join(', ')}`);
      } else notes.push(`Cold start, reload ${i + 1}: ${cold.workbench ? 'no event row within 30 s of the workbench showing' : 'the workbench never showed'}.`);
      progress('extension', `reload ${i + 1}/${reloads}: workbench ready → first event row ${cold.row && cold.workbench ? cold.row - cold.workbench : '?'} ms`);
      progress('extension', `reload ${i + 1}/${reloads}: activate() ${h.startedMs - h.activateMs} ms, page load → started ${Math.round(h.startedMs - navStart)} ms, extension host start → started ${h.startedMs - h.hostStartedMs} ms`);
      if (!(await wb.page.locator('.monaco-list[aria-label="Events"]').isVisible())) await wb.openViewContainer('Arvados');
      await waitLive(wb);
      const ms = await runningExtensionsActivation(wb);
      vscodeActivation.push(ms);
      progress('extension', `reload ${i + 1}/${reloads}: VS Code's Running Extensions says "Activation: ${ms}ms"`);
    }

    // ---- 6. idle CPU -----------------------------------------------------------------------
    let idleCpuMs = NaN;
    let idleWallMs = NaN;
    if (parts.has('rest')) {
      const host = exthostOf(wb);
      await sleep(5000);
      const c0 = procCpuMs(host.pid);
      const t0 = Date.now();
      progress('extension', `idle for ${idleS} s (extension host pid ${host.pid})`);
      await sleep(idleS * 1000);
      idleCpuMs = procCpuMs(host.pid) - c0;
      idleWallMs = Date.now() - t0;
      progress('extension', `idle: ${idleCpuMs} ms CPU in ${Math.round(idleWallMs / 1000)} s`);
    }
    if (parts.has('rest') && args.profile) {
      const host = exthostOf(wb);
      const profiler = await profileProcess(host.pid);
      await sleep(20_000);
      const file = join(mkdtempSync(join(tmpdir(), 'arv-bench-prof-exthost-')), 'idle.cpuprofile');
      writeFileSync(file, JSON.stringify(await profiler.stop()));
      const text = formatSummary(summarize(file, 12));
      notes.push(`CPU profile of the idle extension host over 20 s (${file}), after the idle figure:\n${text}`);
      progress('extension', `profile of the idle extension host:\n${text}`);
    }

    // ---- 5. time to screen -------------------------------------------------------------------
    await installRowObserver(wb);
    const p50s: number[] = [];
    const p95s: number[] = [];
    let missing = 0;
    for (let r = 1; parts.has('screen') && r <= screenRuns; r++) {
      // Each run starts from a view at rest (2 s without events): what came just before (the
      // warm-up's burst, the previous run) would otherwise set where the steady stream falls
      // against VS Code's 200 ms refresh debounce.
      await sleep(2000);
      const emittedAt: Record<string, number> = {};
      for (let i = 0; i < screenEvents; i++) {
        const name = `tts-r${r}-${i}-x`;
        emittedAt[name] = Date.now();
        cluster.emit(updateEvent(cluster, uuid, name));
        await sleep(1000 / screenRate);
      }
      const names = Object.keys(emittedAt);
      const seen = await wb
        .waitFor(() => seenRows(wb!), (s) => names.every((n) => n in s), { timeout: 10_000, interval: 250 })
        .catch(async () => seenRows(wb!));
      const latencies = names.filter((n) => n in seen).map((n) => seen[n] - emittedAt[n]);
      progress('extension', `time to screen ${r}/${screenRuns}: every latency, in order: ${latencies.join(' ')} ms`);
      missing += names.length - latencies.length;
      p50s.push(percentile(latencies, 50));
      p95s.push(percentile(latencies, 95));
      progress('extension', `time to screen ${r}/${screenRuns}: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${Math.max(...latencies)} ms, ${names.length - latencies.length} never seen`);
    }
    if (missing) notes.push(`Time to screen: ${missing} of ${screenRuns * screenEvents} rows were never seen.`);

    // ---- 4. flood ------------------------------------------------------------------------------
    if (parts.has('flood')) {
      setWorkspaceSetting(wb, 'arvados.diagnostics.eventLoopMonitor', true);
      await wb.waitForLog(LOG, /Event loop monitor on/, { timeout: 30_000 });
    }
    const flood = { p50: [] as number[], p99: [] as number[], max: [] as number[], refreshes: [] as number[], refreshesAvg: [] as number[], heapBefore: [] as number[], heapAfter: [] as number[], heapGrowth: [] as number[], heapPeak: [] as number[], retainedBefore: [] as number[], retainedAfter: [] as number[], retainedGrowth: [] as number[], rate: [] as number[] };
    // --profile: one more flood, the extension host under the sampling profiler (bench/inspect.ts).
    const pid = exthostOf(wb).pid;
    /** Forces a full GC in the extension host and returns the heap of the monitor's next sample. */
    const heapAfterGc = async (): Promise<number> => {
      await collectGarbage(pid);
      const gcAt = Date.now();
      const sample = await wb!.waitFor(
        () => monitorSamples(readLogs(wb!)).find((s) => s.atMs > gcAt),
        (s) => !!s,
        { timeout: 10_000, interval: 200, message: 'a monitor sample after the GC' },
      );
      return sample!.heapMb;
    };
    // --profile: one more flood, the extension host under the sampling profiler (bench/inspect.ts).
    for (let r = 1; parts.has('flood') && r <= floodRuns + (args.profile ? 1 : 0); r++) {
      const profiling = r > floodRuns;
      await sleep(2000);
      const retainedBefore = await heapAfterGc();
      await sleep(1500);
      const profiler = profiling ? await profileProcess(pid) : undefined;
      const last = `flood-r${r}-last-x`;
      const f0 = Date.now();
      await emitUpdates(cluster, uuid, floodEvents, { name: (i) => (i === floodEvents - 1 ? last : `flood-r${r}-${i}.bam`) });
      const seen = await wb.waitFor(() => seenRows(wb!), (s) => last in s, { timeout: 120_000, interval: 100, message: `the last row of flood ${r}` });
      const shownAt = seen[last];
      if (profiler) {
        const file = join(mkdtempSync(join(tmpdir(), 'arv-bench-prof-exthost-')), 'flood.cpuprofile');
        writeFileSync(file, JSON.stringify(await profiler.stop()));
        const text = formatSummary(summarize(file, 25));
        notes.push(`CPU profile of the extension host during one more flood (${file}), not counted in the figures:\n${text}`);
        progress('extension', `profile of the extension host during a flood:\n${text}`);
        continue;
      }
      await sleep(5000);
      const samples = monitorSamples(readLogs(wb));
      const during = samples.filter((s) => s.atMs > f0 && s.atMs <= shownAt + 1000);
      const before = samples.filter((s) => s.atMs <= f0).at(-1);
      const after = samples.filter((s) => s.atMs <= shownAt + 5000).at(-1);
      if (!during.length || !before || !after) {
        const near = samples.filter((s) => s.atMs > f0 - 5000).map((s) => s.atMs - f0);
        throw new Error(`flood ${r}: no monitor samples around the flood (${samples.length} in all; ms from the flood's start: ${near.join(' ')}; last row at ${shownAt - f0}; log ${wb.codeServer.findLogFile(LOG)})`);
      }
      const retainedAfter = await heapAfterGc();
      // Refreshes in each monitor window (~1 s), scaled down when the window was longer than a second.
      const perSecond = during.map((s) => ((s.refreshes ?? NaN) * 1000) / Math.max(1000, s.windowMs ?? 1000));
      const refreshTotal = during.reduce((a, s) => a + (s.refreshes ?? 0), 0);
      const windowTotal = during.reduce((a, s) => a + (s.windowMs ?? 1000), 0);
      flood.p50.push(median(during.map((s) => s.p50)));
      flood.p99.push(Math.max(...during.map((s) => s.p99)));
      flood.max.push(Math.max(...during.map((s) => s.max)));
      flood.refreshes.push(Math.max(...perSecond));
      flood.refreshesAvg.push((refreshTotal * 1000) / windowTotal);
      flood.heapBefore.push(before.heapMb);
      flood.heapAfter.push(after.heapMb);
      flood.heapGrowth.push(after.heapMb - before.heapMb);
      flood.heapPeak.push(Math.max(...during.map((s) => s.heapMb)));
      flood.retainedBefore.push(retainedBefore);
      flood.retainedAfter.push(retainedAfter);
      flood.retainedGrowth.push(retainedAfter - retainedBefore);
      flood.rate.push((floodEvents * 1000) / (shownAt - f0));
      progress(
        'extension',
        `flood ${r}/${floodRuns}: ${floodEvents} events shown in ${shownAt - f0} ms; loop delay p50 ${flood.p50.at(-1)!.toFixed(1)} p99 ${flood.p99.at(-1)} max ${flood.max.at(-1)} ms over ${during.length} samples; ` +
          `refreshes/s worst ${flood.refreshes.at(-1)!.toFixed(1)} avg ${flood.refreshesAvg.at(-1)!.toFixed(1)}; heap ${before.heapMb} → peak ${flood.heapPeak.at(-1)} → ${after.heapMb} MB; after a GC ${retainedBefore} → ${retainedAfter} MB`,
      );
    }
    // ---- 4b. the fake's real 64-event queue ------------------------------------------------------
    // arvados-ws drops a client whose queue of 64 events fills. The extension reconnects with the
    // real queue; each rate is kept up for queueSeconds; the highest with no disconnect is the figure.
    if (parts.has('queue')) {
      (cluster as unknown as { options: { clientQueueSize?: number } }).options.clientQueueSize = 64;
      const sessionsBefore = Math.max(0, ...cluster.wsSessions().map((s) => s.connection));
      cluster.cutConnections();
      await cluster.waitFor(() => cluster.wsSessions().some((s) => s.connection > sessionsBefore && s.subscriptions > 0), 60_000, 'the extension reconnecting');
      await waitLive(wb).catch((err: Error) => notes.push(`64-event queue: after the reconnect, ${err.message}`));
    }
    const queue: Array<{ rate: number | 'full speed'; achieved: number; disconnects: number; skipped: number; caughtUpMs?: number }> = [];
    /** One step: `total` events emitted by `emit`, then the last one's row awaited. */
    const queueStep = async (rate: number | 'full speed', total: number, emit: (last: string) => Promise<void>) => {
      await sleep(2000);
      const d0 = cluster.disconnects.length;
      const logBefore = readLogs(wb!).length;
      const last = `q64-r${rate === 'full speed' ? 'max' : rate}-last-x`;
      const q0 = Date.now();
      await emit(last);
      const achieved = (total * 1000) / (Date.now() - q0);
      const seen = await wb!
        .waitFor(() => seenRows(wb!), (x) => last in x, { timeout: 30_000, interval: 200 })
        .catch(() => seenRows(wb!));
      const disconnects = cluster.disconnects.length - d0;
      const skipped = [...readLogs(wb!).slice(logBefore).matchAll(/Skipped (\d+) events/g)].reduce((a, m) => a + Number(m[1]), 0);
      const step = { rate, achieved, disconnects, skipped, caughtUpMs: last in seen ? seen[last] - q0 : undefined };
      queue.push(step);
      progress('extension', `64-event queue at ${rate}${rate === 'full speed' ? '' : '/s'} (${Math.round(achieved)}/s achieved, ${total} events): ${disconnects} disconnects, ${skipped} events skipped, last row ${step.caughtUpMs === undefined ? 'never shown' : `${step.caughtUpMs} ms after the start`}`);
      if (disconnects > 0) await waitLive(wb!).catch(() => undefined);
      return step;
    };
    for (const rate of parts.has('queue') ? queueRates : []) {
      const total = Math.round(rate * queueSeconds);
      const perTick = Math.max(1, Math.round(rate / 20));
      const step = await queueStep(rate, total, async (last) => {
        const q0 = Date.now();
        for (let sent = 0; sent < total; ) {
          const k = Math.min(perTick, total - sent);
          const base = sent;
          cluster.emitBatch(k, (i) => updateEvent(cluster, uuid, base + i === total - 1 ? last : `q64-r${rate}-${base + i}.bam`));
          sent += k;
          // Paced by the clock, so a slow tick is made up for.
          await sleep(Math.max(0, q0 + (sent / rate) * 1000 - Date.now()));
        }
      });
      if (step.disconnects > 0) break;
    }
    // Then as fast as the fake emits (the flood's way: batches of 1000), unless a paced rate already disconnected.
    if (parts.has('queue') && !queue.some((q) => q.disconnects > 0)) {
      await queueStep('full speed', floodEvents, (last) => emitUpdates(cluster, uuid, floodEvents, { name: (i) => (i === floodEvents - 1 ? last : `q64-max-${i}.bam`) }));
    }
    // The achieved rate: the fake runs in this process, and its emitting has a limit of its own.
    const sustained = queue.filter((q) => q.disconnects === 0).map((q) => Math.round(q.achieved));
    const above = queue.find((q) => q.disconnects > 0);
    if (parts.has('queue')) notes.push(
      `64-event queue (the real arvados-ws limit): rates tried ${queue.map((q) => `${q.rate}${q.rate === 'full speed' ? '' : '/s'} (${Math.round(q.achieved)}/s achieved): ${q.disconnects} disconnects, ${q.skipped} skipped, last row ${q.caughtUpMs === undefined ? 'never shown' : `at ${q.caughtUpMs} ms`}`).join('; ')}.` +
        (above
          ? ` Above ${sustained.length ? Math.max(...sustained) : 0}/s (at ${Math.round(above.achieved)}/s) the server dropped the extension (queue full); it reconnected and caught up from the logs API${above.caughtUpMs === undefined ? ', but the last event had not shown within 30 s' : ` (the last event shown ${above.caughtUpMs} ms after the start)`}, ${above.skipped} events skipped (a gap larger than the buffer).`
          : ` No disconnect at any rate tried; the highest achieved, ${Math.max(...sustained)}/s, is the fake's own limit (it builds every message in this process), not the extension's.`),
    );

    notes.push(
      `The extension host runs ${hostNode} (code-server's); everything else in the benchmarks runs ${process.version}.`,
      `Flood: ${floodEvents} events per run, ${floodRuns} runs, monitor sampling every 1 s; p50 is the median of the samples' p50 during the flood, p99 and max the worst sample. Event-loop delay is what exceeds the monitor's 10 ms tick (src/model/loopMonitor.ts). Refreshes: the rate over the flood's samples is the target's figure; a single ~1-s window can hold 5 refreshes 250 ms apart at its edges.`,
      `Time to screen: ${screenRuns} runs of ${screenEvents} events at ${screenRate}/s, each after 2 s without events; the row is taken as shown when a MutationObserver sees its text in the DOM (it paints in the next frame).`,
      `Activation: medians of ${reloads} window reloads. VS Code's figure is what "Developer: Show Running Extensions" shows (code loading + the activate() call). The log-line figure is from VS Code's _doActivateExtension log line to the extension's "started" line (VS Code reading the extension's state and secrets for its context, loading dist/extension.mjs and its static chunks, then activate()); "page load → started" includes the whole workbench start. The cold start's parts come from VS Code's own performance marks in the extension host (code/extHost/ready, willLoadExtensionCode, didLoadExtensionCode, willActivateExtension, didActivateExtension: read through the inspector), the extension's "Live" line and the page's first event row; all on one machine clock.`,
      `Idle CPU: one ${Math.round(idleWallMs / 1000)} s sample of the whole extension host process (VS Code's built-in extensions included), connected and live, Events view visible, fake cluster keepalive every 60 s, monitor off.`,
    );
    // The buffer (5000) is full after the first flood: its growth is the buffer filling; the later ones' is the target's.
    const growthAfterFull = flood.retainedGrowth.slice(1);
    const slope = (flood.retainedAfter.at(-1)! - flood.retainedAfter[0]) / (floodRuns - 1);
    const BUNDLE_LIMIT = 200_000;
    return {
      bench: 'extension',
      durationMs: Date.now() - started,
      notes,
      hostNode,
      figures: [
        figure('ext.flood.loopP50', 'flood: extension host event-loop delay p50', flood.p50, 'ms', { digits: 1 }),
        figure('ext.flood.loopP99', 'flood: extension host event-loop delay p99 (worst second)', flood.p99, 'ms', { target: '< 20', check: (v) => v < 20, digits: 1 }),
        figure('ext.flood.loopMax', 'flood: extension host event-loop delay max', flood.max, 'ms', { digits: 1 }),
        figure('ext.flood.refreshesWorstWindow', 'flood: tree refreshes in the worst second', flood.refreshes, 'refreshes/s', { target: '<= 4', check: (v) => v <= 4, digits: 1 }),
        figure('ext.flood.refreshesPerS', 'flood: tree refreshes per second (over the flood)', flood.refreshesAvg, 'refreshes/s', { digits: 1 }),
        figure('ext.flood.heapBefore', 'flood: extension host heap before (after a full GC)', flood.retainedBefore, 'MB', { digits: 1 }),
        figure('ext.flood.heapAfter', 'flood: extension host heap after (after a full GC)', flood.retainedAfter, 'MB', { digits: 1 }),
        figure('ext.flood.heapGrowthPerFlood', `flood: retained heap growth per flood once the buffer is full (floods 2–${floodRuns}, full GCs)`, growthAfterFull, 'MB', { target: '< 5', check: (v) => v < 5, digits: 1 }),
        figure('ext.flood.heapSlope', `flood: retained heap after flood ${floodRuns} − after flood 1, per flood`, [slope], 'MB', { digits: 1 }),
        figure('ext.flood.heapGrowthFirst', 'flood: retained heap growth of the first flood (the buffer filling)', [flood.retainedGrowth[0]], 'MB', { digits: 1 }),
        figure('ext.flood.heapGrowthTotal', `flood: retained heap growth over all ${floodRuns} floods`, [flood.retainedAfter.at(-1)! - flood.retainedBefore[0]], 'MB', { digits: 1 }),
        figure('ext.flood.heapPeak', 'flood: extension host heap peak (as logged)', flood.heapPeak, 'MB', { digits: 1 }),
        figure('ext.flood.heapGrowthLogged', 'flood: heap growth as logged (5 s after − last before)', flood.heapGrowth, 'MB', { digits: 1 }),
        figure('ext.flood.rate', 'flood: events shown per second (emit → last row on screen)', flood.rate, 'events/s'),
        figure('ext.queue64.sustained', 'real 64-event queue: highest sustained rate with zero disconnects (achieved)', [sustained.length ? Math.max(...sustained) : 0], 'events/s'),
        figure('ext.queue64.disconnectsAbove', 'real 64-event queue: disconnects at the next rate tried', [above?.disconnects ?? 0], 'disconnects'),
        figure('ext.queue64.skippedAbove', 'real 64-event queue: events skipped at the next rate tried', [above?.skipped ?? 0], 'events'),
        figure('ext.screen.p50', 'time to screen p50', p50s, 'ms', { target: '< 100', check: (v) => v < 100 }),
        figure('ext.screen.p95', 'time to screen p95', p95s, 'ms', { target: '< 250', check: (v) => v < 250 }),
        figure('ext.coldStart', 'cold start: workbench ready → first event row (window reload, an event every 100 ms)', coldWorkbenchToRow, 'ms', { target: '< 1500', check: (v) => v < 1500 }),
        figure('ext.coldStart.page', 'cold start: page load → first event row', coldPageToRow, 'ms'),
        figure('ext.activation.vscode', `activation as VS Code measures it (Running Extensions; extension host ${hostNode})`, vscodeActivation, 'ms', { target: '< 30', check: (v) => v < 30 }),
        figure('ext.activation.activate', 'activation: _doActivateExtension → "started" (log lines)', activate, 'ms'),
        figure('ext.activation.require', `activation: import dist/extension.mjs and its static chunks alone (Node ${hostNode}, stub vscode)`, requireRuns, 'ms', { digits: 1 }),
        figure('ext.coldStart.workbenchToHostReady', 'cold start: workbench ready → extension host ready (code-server\'s)', coldParts.workbenchToHostReady, 'ms'),
        figure('ext.coldStart.hostReadyToLoad', 'cold start: extension host ready → VS Code starts loading the extension', coldParts.hostReadyToLoad, 'ms'),
        figure('ext.coldStart.codeLoading', 'cold start: loading the extension\'s code (VS Code\'s mark)', coldParts.codeLoading, 'ms'),
        figure('ext.coldStart.loadToActivate', 'cold start: code loaded → activate() called (VS Code builds the context)', coldParts.loadToActivate, 'ms'),
        figure('ext.coldStart.activateCall', 'cold start: activate() called → its promise resolved', coldParts.activateCall, 'ms'),
        figure('ext.coldStart.activatedToLive', 'cold start: activated → "Live" (connecting: token, REST, websocket)', coldParts.activatedToLive, 'ms'),
        figure('ext.coldStart.liveToRow', 'cold start: "Live" → first event row in the DOM', coldParts.liveToRow, 'ms'),
        figure('ext.activation.hostToStarted', 'activation: extension host start → "started"', hostToStarted, 'ms'),
        figure('ext.activation.pageToStarted', 'activation: page load → "started"', pageToStarted, 'ms'),
        figure('ext.bundle.bytes', `bundle loaded at activation: dist/extension.mjs and its static chunks (${loaded.length} files)`, [bundle.length], 'bytes', { target: `< ${BUNDLE_LIMIT}`, check: (v) => v < BUNDLE_LIMIT }),
        figure('ext.bundle.gzipBytes', 'bundle loaded at activation, gzipped', [gzipSync(bundle).length], 'bytes'),
        figure('ext.bundle.lazyBytes', 'chunks loaded on demand (first connection, first use of a command)', [lazyBytes], 'bytes'),
        figure('ext.idle.cpuMsPerMin', 'idle connected extension host CPU', [(idleCpuMs * 60_000) / idleWallMs], 'ms CPU/min'),
        figure('ext.idle.corePct', 'idle connected extension host CPU, share of a core', [(100 * idleCpuMs) / idleWallMs], '%', { digits: 2 }),
      ].filter((f) => parts.has(partOf(f.key))),
    };
  } finally {
    await wb?.close();
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

runAsScript(module, run);

