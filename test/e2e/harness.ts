// End-to-end harness: the extension in a real VS Code workbench (code-server, see
// scripts/code-server.mjs) shown in Debian's Chromium, driven with playwright-core.
//
//   const wb = await startWorkbench({ extensionPath: '.', settings: {...}, env: {...} });
//   try {
//     await wb.openViewContainer('Arvados Events');
//     await wb.runCommand('Arvados Events: Connect');
//     await wb.answerInput('https://...');
//     await wb.waitFor(() => wb.notifications(), (n) => n.some((m) => m.includes('Connected')));
//   } finally {
//     await wb.close();
//   }
//
// Needs scripts/setup-e2e.sh to have run (startWorkbench runs it if the install is missing).
// Set E2E_HEADED=1 to watch (needs a display), E2E_KEEP=1 to keep the temp folders, E2E_VERBOSE=1
// for code-server's output.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

const REPO = resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(REPO, 'test-results', 'screenshots');
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** What scripts/code-server.mjs returns from startCodeServer(). */
export interface CodeServer {
  url: string;
  folderUrl: string;
  port: number;
  root: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  extensionId?: string;
  pid: number;
  logPath: string;
  output(): string;
  findLogFile(channel: string, extensionId?: string): string | undefined;
  readLog(channel: string, extensionId?: string): string;
  stop(): Promise<void>;
}

interface CodeServerModule {
  startCodeServer(opts: Record<string, unknown>): Promise<CodeServer>;
  codeServerPaths(opts?: { install?: boolean }): Promise<Record<string, string>>;
  listProcesses(): { pid: number; ppid: number; pgid: number; state: string; start: number }[];
  processTree(pid: number): number[];
}

let modulePromise: Promise<CodeServerModule> | undefined;
/** scripts/code-server.mjs (plain ESM, shared with the demo and the benchmarks). */
/**
 * The rendered rows of a view as `label | description` (Workbench.treeRows runs the two together);
 * with `level`, each prefixed by its tree depth (`1 ` for a root row), for checking what is under what.
 */
export function rowsOf(wb: Pick<Workbench, 'page'>, view: string, { level = false } = {}): Promise<string[]> {
  // (No named functions in page code: the test's transpiler would wrap them in a helper the page lacks.)
  return wb.page.locator(`.monaco-list[aria-label=${JSON.stringify(view)}] .monaco-list-row`).evaluateAll(
    (els, withLevel) =>
      els.map((el: any) => (withLevel ? `${el.getAttribute('aria-level')} ` : '') + ['.label-name', '.label-description'].map((sel) => String(el.querySelector(sel)?.innerText ?? '').replace(/\s+/g, ' ').trim()).join(' | ')),
    level,
  );
}

/** The page inside the webview that is ready (VS Code puts a webview's page in an iframe within an iframe). */
export function webviewPage(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

export function codeServerModule(): Promise<CodeServerModule> {
  // A computed specifier keeps TypeScript (CommonJS here) from resolving the .mjs itself.
  const specifier = pathToFileURL(join(REPO, 'scripts', 'code-server.mjs')).href;
  return (modulePromise ??= import(specifier) as Promise<CodeServerModule>);
}

export interface WorkbenchOptions {
  /** Extension folder (package.json with publisher, name, version; built `main`). */
  extensionPath?: string;
  /** Or a .vsix to install. */
  vsix?: string;
  /** User settings (over quiet defaults, see DEFAULT_SETTINGS in scripts/code-server.mjs). */
  settings?: Record<string, unknown>;
  /** The user's machine-scoped settings (code-server's Machine/settings.json: a remote window reads them there). */
  machineSettings?: Record<string, unknown>;
  /** Extra environment variables for code-server and so the extension host. */
  env?: Record<string, string>;
  /** Folder to open (default: a fresh empty one). */
  workspace?: string;
  /** Workspace trust on (with `security.workspace.trust.enabled` in settings): an untrusted folder opens in Restricted Mode. */
  workspaceTrust?: boolean;
  /** Copy the extension folder instead of symlinking it. */
  copyExtension?: boolean;
  /** Default timeout of each helper in ms (default 15 s). */
  timeout?: number;
  viewport?: { width: number; height: number };
  /**
   * Runs extension tests in the workbench's extension host, as `--extensionDevelopmentPath` and
   * `--extensionTestsPath` do on a desktop: `developmentPath` is loaded as the extension under
   * development, and VS Code awaits `run()` of the module `testsPath`. (code-server takes them
   * from the page's `payload` query, honoured with its smoke-test driver enabled.) The exit code
   * comes as `Workbench.extensionTestsExit`.
   */
  extensionTests?: { developmentPath: string; testsPath: string };
}

export interface WaitOptions { timeout?: number; interval?: number; message?: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exact = (s: string | RegExp) => (typeof s === 'string' ? new RegExp(`^\\s*${escapeRegExp(s)}\\s*$`) : s);
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const cssString = (s: string) => JSON.stringify(s);

/**
 * Polls `read` until `until` accepts its value (default: truthy); returns that value, or throws
 * with the last value seen after `timeout` ms.
 */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  until: (v: T) => boolean = (v) => !!v,
  { timeout = 15000, interval = 100, message }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (until(last)) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error ${String(lastError)}` : JSON.stringify(last);
      throw new Error(`${message ?? 'condition'} not met within ${timeout} ms; last: ${seen}`);
    }
    await sleep(interval);
  }
}

export interface Workbench {
  page: Page;
  browser: Browser;
  codeServer: CodeServer;
  /** With `extensionTests`: resolves to the test runner's exit code (0: every test passed). */
  extensionTestsExit?: Promise<number>;
  url: string;
  workspace: string;
  userDataDir: string;
  /** Runs a command by its palette title ("Category: Title"). */
  runCommand(title: string): Promise<void>;
  /** Types into the open input box / quick pick filter; submits with Enter unless submit: false. */
  answerInput(text: string, opts?: { submit?: boolean }): Promise<void>;
  /** Clicks the quick pick item with that label (exact string, or a RegExp). */
  pickQuickItem(label: string | RegExp): Promise<void>;
  /** Labels of the items the open quick pick shows. */
  quickItems(): Promise<string[]>;
  /** Shows the activity bar view container with that title (no-op when it already shows). */
  openViewContainer(title: string): Promise<void>;
  /** Texts of the rendered rows of a view (by its name), or of every list in the side bar. */
  treeRows(viewTitle?: string): Promise<string[]>;
  /** Messages of the notification toasts on screen. */
  notifications(): Promise<string[]>;
  /** Clicks a button of a notification toast; `message` narrows to toasts containing it. */
  clickNotificationButton(text: string, message?: string): Promise<void>;
  /** Text of a status bar item, by id (`<publisher.name>.<id>` or just `<id>`) or by a text it
   *  contains; undefined if there is none. */
  statusBarText(idOrText: string): Promise<string | undefined>;
  /** Saves a PNG to test-results/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Content of the extension's LogOutputChannel file ('' when not written yet). */
  readLog(channelName: string): string;
  /** Polls readLog until it matches. */
  waitForLog(channelName: string, pattern: string | RegExp, opts?: WaitOptions): Promise<string>;
  waitFor: typeof waitFor;
  /** "Developer: Reload Window", then waits for the workbench again. */
  reload(): Promise<void>;
  /** Pids of code-server's and Chromium's process trees now. */
  processes(): Promise<{ codeServer: number[]; browser: number[] }>;
  /** Closes Chromium and stops code-server; resolves when no process of theirs is left. */
  close(): Promise<void>;
}

export async function startWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  const mod = await codeServerModule();
  const paths = await mod.codeServerPaths();
  const timeout = opts.timeout ?? 15000;
  const cs = await mod.startCodeServer({
    extensionPath: opts.extensionPath,
    vsix: opts.vsix,
    settings: opts.settings,
    machineSettings: opts.machineSettings,
    env: opts.env,
    workspace: opts.workspace,
    copyExtension: opts.copyExtension,
    workspaceTrust: opts.workspaceTrust,
    verbose: !!process.env.E2E_VERBOSE,
    extraArgs: opts.extensionTests ? ['--vscode-option', 'enable-smoke-test-driver'] : [],
  });

  let browser: Browser | undefined;
  let browserPid: number | undefined;
  try {
    const childrenBefore = new Set(mod.listProcesses().filter((p) => p.ppid === process.pid).map((p) => p.pid));
    browser = await chromium.launch({
      executablePath: paths.CHROMIUM || '/usr/bin/chromium',
      headless: !process.env.E2E_HEADED,
      args: CHROMIUM_FLAGS,
    });
    // Playwright starts Chromium as our child in a process group of its own; remember it, to
    // make sure close() leaves nothing behind.
    const isChromium = (pid: number) => {
      try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium'); } catch { return false; }
    };
    browserPid = mod.listProcesses().find((p) => p.ppid === process.pid && !childrenBefore.has(p.pid)
      && isChromium(p.pid))?.pid;
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    page.setDefaultTimeout(timeout);
    let url = cs.folderUrl;
    let extensionTestsExit: Promise<number> | undefined;
    if (opts.extensionTests) {
      // The workbench calls window.codeAutomationExit(code) when the test runner has finished.
      let resolveExit!: (code: number) => void;
      extensionTestsExit = new Promise<number>((r) => { resolveExit = r; });
      await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
      const remote = (path: string) => `vscode-remote://${new URL(cs.url).host}${encodeURI(resolve(path))}`;
      const payload = [
        ['extensionDevelopmentPath', remote(opts.extensionTests.developmentPath)],
        ['extensionTestsPath', remote(opts.extensionTests.testsPath)],
      ];
      url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.part.statusbar', { timeout: 60000 });
    const wb = makeWorkbench(page, browser, browserPid, cs, mod, timeout);
    wb.extensionTestsExit = extensionTestsExit;
    return wb;
  } catch (e) {
    await browser?.close().catch(() => {});
    if (browserPid) killTree(mod, browserPid);
    await cs.stop();
    throw e;
  }
}

function killTree(mod: CodeServerModule, pid: number) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  for (const p of mod.processTree(pid)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

function makeWorkbench(
  page: Page, browser: Browser, browserPid: number | undefined, cs: CodeServer,
  mod: CodeServerModule, timeout: number,
): Workbench {
  const quickInput = page.locator('.quick-input-widget');
  const quickInputBox = quickInput.locator('.quick-input-box input');
  const quickRows = quickInput.locator('.quick-input-list .monaco-list-row');
  const quickRow = (label: string | RegExp) =>
    quickRows.filter({ has: page.locator('.quick-input-list-label .label-name', { hasText: exact(label) }) });

  // The value of the visible quick input's box; undefined when none shows (or the page is
  // navigating). Never waits, unlike locators.
  const quickInputValue = () => page.evaluate(() => {
    const doc = (globalThis as any).document;
    const widget = doc.querySelector('.quick-input-widget');
    if (!widget?.checkVisibility()) return undefined;
    return (widget.querySelector('.quick-input-box input')?.value as string | undefined);
  }).catch(() => undefined);

  const wb: Workbench = {
    page,
    browser,
    codeServer: cs,
    url: cs.folderUrl,
    workspace: cs.workspace,
    userDataDir: cs.userDataDir,
    waitFor,

    async runCommand(title) {
      // Close whatever quick input is open, then open the command palette.
      if (await quickInput.isVisible()) await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await quickInputBox.waitFor({ state: 'visible' });
      await waitFor(quickInputValue, (v) => !!v?.startsWith('>'), { timeout, message: 'command palette' });
      await quickInputBox.fill(`>${title}`);
      const row = quickRow(title).first();
      try {
        await row.waitFor({ state: 'visible' });
      } catch {
        const shown = await wb.quickItems().catch(() => []);
        await page.keyboard.press('Escape');
        throw new Error(`no command "${title}" in the palette; it shows: ${JSON.stringify(shown)}`);
      }
      // Enter runs the focused entry: only press it when the focused entry is the one asked
      // for (a recently used command with a longer title may come first); else click it.
      const focused = await row.evaluate((el) => el.classList.contains('focused'));
      if (focused) await page.keyboard.press('Enter');
      else await row.click();
      // Wait until the palette has gone (or has been replaced by the command's own input).
      // (Read without waiting: the command may reload the page.)
      await waitFor(quickInputValue, (v) => !v?.startsWith('>'),
        { timeout, message: `command palette closing after "${title}"` });
    },

    async answerInput(text, { submit = true } = {}) {
      await quickInputBox.waitFor({ state: 'visible' });
      await quickInputBox.fill(text);
      if (!submit) return;
      await page.keyboard.press('Enter');
      // Done when the input closed or moved on to another step (its value changed).
      try {
        await waitFor(quickInputValue, (v) => v !== text, { timeout: Math.min(timeout, 5000) });
      } catch {
        const msg = norm(await quickInput.locator('.quick-input-message').innerText().catch(() => ''));
        throw new Error(`input "${text}" was not accepted${msg ? `: ${msg}` : ''}`);
      }
    },

    async pickQuickItem(label) {
      const row = quickRow(label).first();
      try {
        await row.waitFor({ state: 'visible' });
      } catch {
        throw new Error(`no quick pick item ${String(label)}; it shows: ${JSON.stringify(await wb.quickItems())}`);
      }
      await row.click();
    },

    async quickItems() {
      if (!(await quickInput.isVisible())) return [];
      return (await quickRows.locator('.quick-input-list-label .label-name').allInnerTexts()).map(norm);
    },

    async openViewContainer(title) {
      const anchor = `a.action-label[aria-label=${cssString(title)}], a.action-label[aria-label^=${cssString(`${title} (`)}]`;
      const item = page.locator('.part.activitybar li.action-item').filter({ has: page.locator(anchor) }).first();
      const label = item.locator(anchor).first();
      await label.waitFor({ state: 'visible' });
      const checked = async () => (await item.getAttribute('class'))?.split(/\s+/).includes('checked') ?? false;
      const sidebarVisible = () => page.locator('.part.sidebar').isVisible();
      if (!(await checked()) || !(await sidebarVisible())) await label.click();
      await waitFor(async () => (await checked()) && (await sidebarVisible()), undefined,
        { timeout, message: `view container "${title}" showing` });
    },

    async treeRows(viewTitle) {
      const lists = viewTitle
        ? page.locator(`.monaco-list[aria-label=${cssString(viewTitle)}]`)
        : page.locator('.part.sidebar .pane-body .monaco-list');
      return (await lists.locator('.monaco-list-row').allInnerTexts()).map(norm);
    },

    async notifications() {
      return (await page.locator('.notifications-toasts .notification-toast .notification-list-item-message')
        .allInnerTexts()).map(norm);
    },

    async clickNotificationButton(text, message) {
      let toasts = page.locator('.notifications-toasts .notification-toast');
      if (message) toasts = toasts.filter({ hasText: message });
      const button = toasts.locator('.notification-list-item-buttons-container .monaco-button',
        { hasText: exact(text) }).first();
      try {
        await button.waitFor({ state: 'visible' });
      } catch {
        throw new Error(`no notification button "${text}"; toasts: ${JSON.stringify(await wb.notifications())}`);
      }
      await button.click();
    },

    async statusBarText(idOrText) {
      // Runs in the page (no DOM types in this project's tsconfig, hence the `any`).
      return page.evaluate((key) => {
        type Item = { id: string; innerText: string };
        const doc = (globalThis as any).document;
        const items: Item[] = [...doc.querySelectorAll('.part.statusbar .statusbar-item')];
        const el = items.find((e) => e.id === key) ?? items.find((e) => e.id.endsWith(`.${key}`))
          ?? items.find((e) => e.innerText.includes(key));
        return el ? el.innerText.replace(/\s+/g, ' ').trim() : undefined;
      }, idOrText);
    },

    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path });
      return path;
    },

    readLog(channelName) {
      return cs.readLog(channelName);
    },

    waitForLog(channelName, pattern, o = {}) {
      const re = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
      return waitFor(() => cs.readLog(channelName), (text) => re.test(text),
        { timeout, message: `log "${channelName}" matching ${re}`, ...o });
    },

    async reload() {
      const loaded = page.waitForEvent('load', { timeout: 60000 });
      await wb.runCommand('Developer: Reload Window');
      await loaded;
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      await page.waitForSelector('.part.statusbar', { timeout: 60000 });
    },

    async processes() {
      return {
        codeServer: mod.processTree(cs.pid),
        browser: browserPid ? mod.processTree(browserPid) : [],
      };
    },

    close() {
      return (closing ??= closeAll());
    },
  };
  let closing: Promise<void> | undefined;
  async function closeAll() {
    const browserTree = browserPid ? mod.processTree(browserPid) : [];
    await browser.close().catch(() => {});
    if (browserPid) {
      const live = () => {
        const procs = mod.listProcesses();
        return procs.some((p) => p.pgid === browserPid || browserTree.includes(p.pid));
      };
      const deadline = Date.now() + 5000;
      while (live() && Date.now() < deadline) await sleep(50);
      if (live()) killTree(mod, browserPid);
    }
    await cs.stop();
  }
  return wb;
}
