/**
 * `npm run demo` (scripts/demo.mjs) as a newcomer runs it: no cluster, no ARVADOS_* variables, no
 * desktop VS Code on the PATH. It must print a URL where VS Code (code-server) shows the Arvados
 * panel by itself with live events from the simulated cluster, and Ctrl-C must stop everything it
 * started and exit 0.
 *
 * A second case puts a stand-in `code` on the PATH, to check the desktop VS Code path: what it is
 * launched with, and that Ctrl-C and closing the window stop everything too.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS, codeServerModule, SCREENSHOT_DIR, waitFor } from './harness';

const REPO = resolve(__dirname, '..', '..');
const DEMO = join(REPO, 'scripts', 'demo.mjs');

/** A process, told apart from a later one that reuses its pid by its start time. */
interface Proc { pid: number; pgid: number; start: number; args: string }

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(); } catch { return ''; }
}

/** PATH without the folders that hold a `code` command, so the demo takes the code-server path. */
function pathWithoutCode(): string {
  return (process.env.PATH ?? '').split(delimiter).filter((dir) => {
    try { accessSync(join(dir, 'code'), constants.X_OK); return false; } catch { return true; }
  }).join(delimiter);
}

/** The environment of a newcomer's shell: none of the cluster's or VS Code's variables. */
function newcomerEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path };
  for (const k of Object.keys(env)) {
    if (k.startsWith('ARVADOS_') || k.startsWith('VSCODE_') || k === 'NODE_TEST_CONTEXT' || k === 'NODE_OPTIONS'
      || k === 'ELECTRON_RUN_AS_NODE' || k === 'SSL_CERT_FILE' || k === 'DISPLAY' || k === 'WAYLAND_DISPLAY') delete env[k];
  }
  return env;
}

interface Demo {
  child: ChildProcess;
  started: number;
  output(): string;
  waitForOutput(re: RegExp, timeout: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process of its tree now (it included). */
  tree(): Promise<Proc[]>;
  /** Ctrl-C in a terminal: SIGINT to the foreground process group. */
  interrupt(): void;
  /** For after(): leave nothing behind even when the test failed. */
  kill(): Promise<void>;
}

function startDemo(args: string[], env: NodeJS.ProcessEnv): Demo {
  const started = Date.now();
  // A process group of its own, as a command started from a shell has.
  const child = spawn(process.execPath, [DEMO, ...args], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => { done = true; });
  const seen: Proc[] = [];
  const tree = async () => {
    const mod = await codeServerModule();
    const byPid = new Map(mod.listProcesses().map((p) => [p.pid, p]));
    const procs = mod.processTree(child.pid!).map((pid) => byPid.get(pid)).filter((p) => !!p)
      .map((p) => ({ pid: p.pid, pgid: p.pgid, start: p.start, args: cmdline(p.pid) }));
    for (const p of procs) if (!seen.some((s) => s.pid === p.pid && s.start === p.start)) seen.push(p);
    return procs;
  };
  return {
    child,
    started,
    output: () => out,
    async waitForOutput(re, timeout) {
      const m = await waitFor(() => re.exec(out) ?? (done ? 'exited' : null), (v) => !!v, { timeout, interval: 200, message: `demo output ${re}` });
      if (!m || m === 'exited') throw new Error(`the demo exited before printing ${re}:\n${out}`);
      return m;
    },
    exited,
    tree,
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
    async kill() {
      if (!done) {
        await tree().catch(() => []);
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      }
      const live = (await codeServerModule()).listProcesses();
      for (const s of seen) {
        if (s.pid === process.pid || !live.some((p) => p.pid === s.pid && p.start === s.start)) continue;
        try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
      }
    },
  };
}

/** Resolves to 'timeout' after ms (without keeping the process alive), or to what p gives first. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The processes of `before` still alive, and any process left in one of their groups. */
async function leftovers(before: Proc[]): Promise<string[]> {
  const mod = await codeServerModule();
  const ownGroup = mod.listProcesses().find((p) => p.pid === process.pid)?.pgid;
  const groups = new Set(before.map((p) => p.pgid).filter((g) => g !== ownGroup));
  return mod.listProcesses()
    .filter((p) => before.some((b) => b.pid === p.pid && b.start === p.start) || groups.has(p.pgid))
    .map((p) => `${p.pid} ${cmdline(p.pid)}`);
}

/** Waits until nothing of `before` is left (a moment's grace for the kernel), or fails listing it. */
async function assertNothingLeft(before: Proc[]): Promise<void> {
  let left: string[] = [];
  try {
    left = await waitFor(() => leftovers(before), (l) => l.length === 0, { timeout: 3000, interval: 200 });
  } catch {
    left = await leftovers(before);
  }
  assert.deepEqual(left, [], 'processes the demo started are still running');
}

// Generous: the first run on a machine installs code-server first (a few minutes).
describe('npm run demo', { timeout: 600_000 }, () => {
  const demos: Demo[] = [];
  let browser: Browser | undefined;
  const temp: string[] = [];

  after(async () => {
    await browser?.close().catch(() => {});
    for (const d of demos) await d.kill();
    for (const t of temp) rmSync(t, { recursive: true, force: true });
  });

  it('shows live events in VS Code in the browser with no cluster, and Ctrl-C stops everything', async () => {
    const demo = startDemo(['--port', '0'], newcomerEnv(pathWithoutCode()));
    demos.push(demo);
    const [url] = await demo.waitForOutput(/http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+/, 300_000);
    const printed = Date.now();
    console.log(`demo: URL printed ${((printed - demo.started) / 1000).toFixed(1)} s after the start`);
    const demoRoot = dirname(decodeURIComponent(new URL(url).searchParams.get('folder')!));
    assert.match(demo.output(), /simulated cluster \w{5} at https:\/\/127\.0\.0\.1:\d+\//);

    const mod = await codeServerModule();
    const paths = await mod.codeServerPaths({ install: false });
    browser = await chromium.launch({ executablePath: paths.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

    // The Arvados panel opens by itself (nothing clicked).
    const arvadosItem = page.locator('.part.activitybar li.action-item')
      .filter({ has: page.locator('a.action-label[aria-label^="Arvados"]') }).first();
    await waitFor(async () => /\bchecked\b/.test((await arvadosItem.getAttribute('class', { timeout: 1000 })) ?? '')
      && await page.locator('.part.sidebar').isVisible(), (v) => v, { timeout: 60_000, message: 'the Arvados panel showing by itself' });

    // Live events arrive, and keep arriving.
    const eventsHeader = page.locator('.pane-header', { hasText: 'Events' }).first();
    const shown = async () => Number(/(\d+) shown/.exec(await eventsHeader.innerText({ timeout: 1000 }))?.[1] ?? 0);
    const rows = () => page.locator('.monaco-list[aria-label="Events"] .monaco-list-row').count();
    const first = await waitFor(shown, (n) => n >= 1, { timeout: 60_000, interval: 250, message: 'a first event' });
    const firstAfter = Date.now() - printed;
    // (A few more, for a screenshot worth looking at.)
    await waitFor(shown, (n) => n >= Math.max(first + 3, 8), { timeout: 60_000, interval: 250, message: `more events than ${first}` });
    assert.ok(await rows() >= 2, 'event rows');
    console.log(`demo: first event shown ${(firstAfter / 1000).toFixed(1)} s after the URL was printed; ${await shown()} shown ${((Date.now() - printed) / 1000).toFixed(1)} s after`);
    assert.match(demo.output(), /The extension connected to the simulated cluster/);
    // What a newcomer does next: click an event to read it.
    const eventRows = page.locator('.monaco-list[aria-label="Events"] .monaco-list-row');
    const requestRows = eventRows.filter({ hasText: 'container request' });
    await ((await requestRows.count()) ? requestRows : eventRows).first().click();
    await waitFor(() => page.locator('.tab .label-name').allInnerTexts(), (tabs) => tabs.some((t) => /^event-\d+/.test(t.trim())),
      { timeout: 30_000, message: 'the event document open' });
    await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 30_000 });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo.png') });

    // What it runs: the simulator and code-server (with its extension host), all in its tree.
    const running = await demo.tree();
    assert.ok(running.some((p) => p.args.includes('scripts/simulate.ts')), JSON.stringify(running));
    assert.ok(running.some((p) => p.args.includes('code-server') && p.args.includes('entry.js')), JSON.stringify(running));
    const csRoot = /--user-data-dir (\S+)\/user-data/.exec(running.map((p) => p.args).join('\n'))?.[1];
    assert.ok(csRoot, 'code-server user data folder');

    // Ctrl-C, with the page still open.
    demo.interrupt();
    const exit = await within(demo.exited, 30_000);
    assert.notEqual(exit, 'timeout', `the demo did not exit within 30 s of Ctrl-C:\n${demo.output()}`);
    assert.deepEqual(exit, { code: 0, signal: null }, demo.output());
    assert.match(demo.output(), /Stopped\.\s*$/);
    await browser.close();
    browser = undefined;
    await assertNothingLeft(running);
    assert.equal(existsSync(demoRoot), false, `${demoRoot} removed`);
    assert.equal(existsSync(csRoot), false, `${csRoot} removed`);
  });

  it('with desktop VS Code on the PATH, launches it at the simulator; Ctrl-C or closing the window stops everything', async () => {
    // A stand-in for `code --wait`: records how it was called, starts a detached "VS Code" (as
    // the real launcher does) and returns when that "window" closes.
    const bin = mkdtempSync(join(tmpdir(), 'arvados-demo-test-bin-'));
    temp.push(bin);
    writeFileSync(join(bin, 'code'), [
      '#!/bin/sh',
      'printf "%s\\n" "$@" > "$FAKE_CODE_DIR/args"',
      'env > "$FAKE_CODE_DIR/env"',
      'setsid sh -c \'sleep 300 & echo $! > "$FAKE_CODE_DIR/window"; wait\' fake-vscode "$@" &',
      'wait',
      '',
    ].join('\n'));
    chmodSync(join(bin, 'code'), 0o755);

    for (const ending of ['Ctrl-C', 'window closed'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'arvados-demo-test-code-'));
      temp.push(dir);
      const env = { ...newcomerEnv(`${bin}${delimiter}${pathWithoutCode()}`), FAKE_CODE_DIR: dir, VSCODE_IPC_HOOK_CLI: '/tmp/not-this-one.sock' };
      const demo = startDemo([], env);
      demos.push(demo);
      await demo.waitForOutput(/A VS Code window opens/, 300_000);
      const windowPid = await waitFor(() => {
        try { return Number(/^(\d+)\n$/.exec(readFileSync(join(dir, 'window'), 'utf8'))?.[1] ?? 0); } catch { return 0; }
      }, (pid) => pid > 1, { timeout: 15_000, message: 'the stand-in started' });
      const args = readFileSync(join(dir, 'args'), 'utf8').split('\n');
      const launched: Record<string, string> = {};
      for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) launched[line.slice(0, eq)] = line.slice(eq + 1);
      }
      assert.ok(args.includes(`--extensionDevelopmentPath=${REPO}`), args.join(' '));
      assert.ok(args.includes('--wait') && args.includes('--user-data-dir'), args.join(' '));
      const userDataDir = args[args.indexOf('--user-data-dir') + 1];
      assert.ok(JSON.parse(readFileSync(join(userDataDir, 'User', 'settings.json'), 'utf8'))['workbench.startupEditor']);
      assert.match(launched.ARVADOS_API_HOST ?? '', /^127\.0\.0\.1:\d+$/);
      assert.ok(launched.ARVADOS_API_TOKEN && existsSync(launched.SSL_CERT_FILE ?? ''), 'token and certificate');
      assert.ok(launched.HOME && launched.HOME !== process.env.HOME && launched.HOME.startsWith(tmpdir()), `HOME ${launched.HOME}`);
      assert.equal(launched.VSCODE_IPC_HOOK_CLI, undefined, 'not handed to a running VS Code');

      const running = await demo.tree();
      assert.ok(running.some((p) => p.args.startsWith('sh -c sleep 300')), JSON.stringify(running));
      if (ending === 'Ctrl-C') {
        demo.interrupt();
      } else {
        process.kill(windowPid, 'SIGTERM');
      }
      const exit = await within(demo.exited, 30_000);
      assert.notEqual(exit, 'timeout', `${ending}: the demo did not exit within 30 s:\n${demo.output()}`);
      assert.deepEqual(exit, { code: 0, signal: null }, demo.output());
      if (ending === 'window closed') assert.match(demo.output(), /VS Code was closed/);
      await assertNothingLeft(running);
      assert.equal(existsSync(userDataDir), false, `${userDataDir} removed`);
    }
  });
});
