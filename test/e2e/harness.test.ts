// Proves the e2e harness (test/e2e/harness.ts) against a tiny sample extension generated here,
// in a real code-server workbench shown in Chromium.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { codeServerModule, startWorkbench, type Workbench } from './harness';

const SAMPLE_PACKAGE = {
  name: 'e2e-sample',
  displayName: 'E2E Sample',
  publisher: 'arvados-e2e',
  version: '0.0.1',
  engines: { vscode: '^1.90.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  contributes: {
    configuration: {
      title: 'E2E Sample',
      properties: { 'e2eSample.greeting': { type: 'string', default: 'Hello' } },
    },
    viewsContainers: {
      activitybar: [{ id: 'e2eSample', title: 'E2E Sample', icon: 'media/icon.svg' }],
    },
    views: { e2eSample: [{ id: 'e2eSample.items', name: 'Sample Items' }] },
    commands: [
      { command: 'e2eSample.greet', title: 'E2E Sample: Greet' },
      { command: 'e2eSample.pick', title: 'E2E Sample: Pick Fruit' },
    ],
  },
};

const SAMPLE_EXTENSION_JS = String.raw`
const vscode = require('vscode');
exports.activate = (context) => {
  const log = vscode.window.createOutputChannel('E2E Sample', { log: true });
  const greeting = vscode.workspace.getConfiguration('e2eSample').get('greeting');
  log.info('activated SAMPLE_ENV=' + process.env.SAMPLE_ENV + ' greeting=' + greeting);
  const items = ['alpha', 'beta', 'gamma'];
  const changed = new vscode.EventEmitter();
  const tree = vscode.window.createTreeView('e2eSample.items', {
    treeDataProvider: {
      onDidChangeTreeData: changed.event,
      getTreeItem: (label) => new vscode.TreeItem(label),
      getChildren: () => items,
    },
  });
  const status = vscode.window.createStatusBarItem('e2eSample.status', vscode.StatusBarAlignment.Left, 100);
  status.name = 'E2E Sample';
  status.text = 'Sample: idle';
  status.show();
  context.subscriptions.push(log, tree, status, changed,
    vscode.commands.registerCommand('e2eSample.greet', async () => {
      const name = await vscode.window.showInputBox({ prompt: 'Who to greet?' });
      if (!name) return;
      items.push(name);
      changed.fire();
      status.text = 'Sample: greeted ' + name;
      log.info('greeted ' + name);
      const answer = await vscode.window.showInformationMessage(greeting + ', ' + name + '!', 'Thanks', 'Go away');
      log.info('answer ' + answer);
    }),
    vscode.commands.registerCommand('e2eSample.pick', async () => {
      const fruit = await vscode.window.showQuickPick(['apple', 'banana', 'cherry'], { placeHolder: 'Pick a fruit' });
      log.info('picked ' + fruit);
      if (fruit) status.text = 'Sample: ' + fruit;
    }));
};
exports.deactivate = () => {};
`;

const SAMPLE_ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
  + '<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

/** Writes the sample extension into a fresh temp folder and returns that folder. */
function writeSampleExtension(): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-sample-ext-'));
  mkdirSync(join(dir, 'media'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(SAMPLE_PACKAGE, null, 2));
  writeFileSync(join(dir, 'extension.js'), SAMPLE_EXTENSION_JS);
  writeFileSync(join(dir, 'media', 'icon.svg'), SAMPLE_ICON);
  return dir;
}

// Generous: on a machine without the cache, before() installs code-server first (~100 s).
describe('e2e harness on a sample extension', { timeout: 600_000 }, () => {
  let extDir: string;
  let wb: Workbench;

  before(async () => {
    extDir = writeSampleExtension();
    wb = await startWorkbench({
      extensionPath: extDir,
      settings: { 'e2eSample.greeting': 'Howdy' },
      env: { SAMPLE_ENV: 'from-the-test' },
    });
  });

  after(async () => {
    await wb?.close();
    if (extDir) rmSync(extDir, { recursive: true, force: true });
  });

  it('activates with the given settings and environment (LogOutputChannel file)', async () => {
    const log = await wb.waitForLog('E2E Sample', 'activated');
    assert.match(log, /\[info\] activated SAMPLE_ENV=from-the-test greeting=Howdy/);
  });

  it('shows the view container and reads the tree rows', async () => {
    await wb.openViewContainer('E2E Sample');
    const rows = await wb.waitFor(() => wb.treeRows('Sample Items'), (r) => r.length === 3);
    assert.deepEqual(rows, ['alpha', 'beta', 'gamma']);
    assert.deepEqual(await wb.treeRows(), rows);
    // Opening it again keeps it open (the activity bar item toggles on click).
    await wb.openViewContainer('E2E Sample');
    assert.deepEqual(await wb.treeRows('Sample Items'), rows);
  });

  it('runs a command from the palette, answers its input box, sees the notification', async () => {
    assert.equal(await wb.statusBarText('e2eSample.status'), 'Sample: idle');
    await wb.runCommand('E2E Sample: Greet');
    await wb.answerInput('Bob');
    const toasts = await wb.waitFor(() => wb.notifications(), (n) => n.includes('Howdy, Bob!'));
    assert.ok(toasts.includes('Howdy, Bob!'));
    assert.deepEqual(await wb.waitFor(() => wb.treeRows('Sample Items'), (r) => r.length === 4),
      ['alpha', 'beta', 'gamma', 'Bob']);
    assert.equal(await wb.statusBarText('arvados-e2e.e2e-sample.e2eSample.status'), 'Sample: greeted Bob');
    assert.equal(await wb.statusBarText('greeted'), 'Sample: greeted Bob');
    const shot = await wb.screenshot('harness-sample-greeted');
    assert.ok(readFileSync(shot).subarray(1, 4).toString() === 'PNG');
    await wb.clickNotificationButton('Thanks');
    await wb.waitForLog('E2E Sample', 'answer Thanks');
    await wb.waitFor(() => wb.notifications(), (n) => !n.includes('Howdy, Bob!'));
  });

  it('picks a quick pick item', async () => {
    await wb.runCommand('E2E Sample: Pick Fruit');
    await wb.waitFor(() => wb.quickItems(), (items) => items.length === 3);
    assert.deepEqual(await wb.quickItems(), ['apple', 'banana', 'cherry']);
    await wb.pickQuickItem('banana');
    await wb.waitForLog('E2E Sample', 'picked banana');
    assert.equal(await wb.waitFor(() => wb.statusBarText('e2eSample.status'), (t) => t === 'Sample: banana'),
      'Sample: banana');
  });

  it('reloads the window and the extension activates again', async () => {
    await wb.reload();
    await wb.waitFor(() => wb.statusBarText('e2eSample.status'), (t) => t === 'Sample: idle',
      { timeout: 30_000 });
    await wb.openViewContainer('E2E Sample');
    assert.deepEqual(await wb.waitFor(() => wb.treeRows('Sample Items'), (r) => r.length === 3),
      ['alpha', 'beta', 'gamma']);
  });

  it('closes and leaves no code-server or Chromium process behind', async () => {
    const { codeServer, browser } = await wb.processes();
    assert.ok(codeServer.length >= 2, `code-server tree: ${codeServer}`); // server + extension host
    assert.ok(browser.length >= 1, `chromium tree: ${browser}`);
    const root = wb.codeServer.root;
    await wb.close();
    const { listProcesses } = await codeServerModule();
    const live = new Set(listProcesses().map((p) => p.pid));
    assert.deepEqual([...codeServer, ...browser].filter((pid) => live.has(pid)), []);
    assert.equal(existsSync(root), false, 'temp folder removed');
  });
});
