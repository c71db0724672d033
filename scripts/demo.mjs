// `npm run demo`: the extension in VS Code, showing live events from a simulated Arvados
// cluster, in one command and with no cluster of your own.
//
//   npm run demo -- [--port N] [--rate R] [--seed S] [--web] [--no-open]
//
// 1. builds the extension (npm run build);
// 2. starts the simulated cluster (scripts/simulate.ts --json) in a child process;
// 3. opens VS Code with the extension, pointed at that cluster with zero configuration
//    (ARVADOS_API_HOST, ARVADOS_API_TOKEN, SSL_CERT_FILE; HOME is an empty temp folder, so no
//    real ~/.config/arvados/settings.conf is read):
//    - desktop VS Code (`code --extensionDevelopmentPath=...`) when `code` is on the PATH;
//    - otherwise code-server (scripts/code-server.mjs; installed on first use into
//      ~/.cache/arvados-events by scripts/setup-e2e.sh), and prints the URL to open.
//    A tiny helper extension, generated in the temp folder, shows the Arvados panel at startup.
// Ctrl-C (SIGINT) or SIGTERM stops everything it started and exits 0; so does closing the
// desktop VS Code window.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  codeServerPaths, DEFAULT_SETTINGS, extensionIdentity, findLogFile, freePort, startCodeServer,
} from './code-server.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PORT = 8080;
const LOG_CHANNEL = 'Arvados Events';
const USAGE = `Usage: npm run demo -- [options]
  --port N     code-server's port (default ${DEFAULT_PORT} if free, else a free one; 0: any free one)
  --rate R     about R events per second (default 2)
  --seed S     the simulated history's seed (default demo)
  --web        use code-server in the browser even when desktop VS Code (\`code\`) is on the PATH
  --no-open    do not open a browser tab, only print the URL
  --help`;

const say = (line = '') => process.stdout.write(`${line}\n`);
// A closed terminal or pipe must not crash us before we have stopped what we started.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

/** A failure to report without a stack trace (once things run, main() stops them first). */
class DemoError extends Error {}
const hang = () => new Promise(() => {}); // while shutdown() runs, which exits

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string' },
      rate: { type: 'string', default: '2' },
      seed: { type: 'string', default: 'demo' },
      web: { type: 'boolean' },
      'no-open': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (e) {
  process.stderr.write(`demo: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  say(USAGE);
  process.exit(0);
}
const rate = Number(options.rate);
if (!(rate > 0)) fail(`--rate must be a number > 0 (got ${options.rate})`);
const askedPort = options.port === undefined ? undefined : Number(options.port);
if (askedPort !== undefined && !(Number.isInteger(askedPort) && askedPort >= 0 && askedPort < 65536)) {
  fail(`--port must be a port number (got ${options.port})`);
}
if (!existsSync(join(REPO, 'node_modules', 'tsx')) || !existsSync(join(REPO, 'node_modules', 'esbuild'))) {
  fail('run `npm install` first');
}

// ---- What this run started, and how to stop it ------------------------------------------------

/** Stop functions, run last-in first-out by shutdown(). */
const cleanups = [];
let stopping = false;
let exitCode = 0;

async function shutdown(reason) {
  if (stopping) return;
  stopping = true;
  if (reason) say(`\n${reason}`);
  say('Stopping...');
  // Whatever happens, do not hang: force out after 20 s.
  setTimeout(() => {
    process.stderr.write('demo: could not stop everything within 20 s; forcing exit\n');
    process.exit(exitCode || 1);
  }, 20000).unref();
  while (cleanups.length) {
    const [name, stop] = cleanups.pop();
    try {
      await stop();
    } catch (e) {
      process.stderr.write(`demo: stopping ${name}: ${e?.message ?? e}\n`);
      exitCode ||= 1;
    }
  }
  say('Stopped.');
  process.exit(exitCode);
}

// Ctrl-C in a terminal signals the whole foreground process group (npm too, which passes it on
// again): repeated signals are ignored while stopping.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown());
// `npm run` starts us through `sh -c`: SIGTERM to npm kills that shell and orphans us. Stop then.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown('The process that started the demo has gone.');
}, 1000).unref();

/** The demo's own temp folder: HOME, the workspace, the helper extension, desktop user data. */
const root = mkdtempSync(join(tmpdir(), 'arvados-demo-'));
cleanups.push(['temp folder', () => rmSync(root, { recursive: true, force: true, maxRetries: 3 })]);
process.on('exit', () => { try { rmSync(root, { recursive: true, force: true }); } catch {} });
const home = join(root, 'home');
const workspace = join(root, 'arvados-demo');
mkdirSync(home);
mkdirSync(workspace);

/** Runs a child to completion (output shown), killable by shutdown(). */
async function runStep(cmd, args) {
  const child = spawn(cmd, args, { cwd: REPO, stdio: 'inherit' });
  const entry = ['build', () => { child.kill('SIGTERM'); }];
  cleanups.push(entry);
  const [code, signal] = await once(child, 'exit');
  cleanups.splice(cleanups.indexOf(entry), 1);
  if (stopping) await hang();
  if (code !== 0) throw new DemoError(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`);
}

// ---- 1. Build --------------------------------------------------------------------------------

async function build() {
  say('Building the extension (npm run build)...');
  await runStep(process.execPath, [join(REPO, 'scripts', 'build.mjs')]);
}

// ---- 2. The simulated cluster ------------------------------------------------------------------

async function startSimulator() {
  say(`Starting a simulated Arvados cluster (about ${rate} event${rate === 1 ? '' : 's'}/s, seed ${options.seed})...`);
  // Our own process group: we stop it, after VS Code. The logs table keeps ten minutes of rows
  // (AuditLogs.MaxAge on the fake clock, twice what the websocket replay needs), so a demo left
  // running stays the same size.
  const child = spawn(process.execPath,
    ['--import', 'tsx', join(REPO, 'scripts', 'simulate.ts'), '--json', '--quiet', '--port', '0',
      '--rate', String(rate), '--seed', options.seed, '--log-max-age', '10m'],
    { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  let exited = false;
  const exitedPromise = new Promise((r) => child.on('exit', (code, signal) => { exited = true; r({ code, signal }); }));
  const kill = (sig) => { try { process.kill(-child.pid, sig); } catch {} };
  process.on('exit', () => { if (!exited) kill('SIGKILL'); });
  cleanups.push(['the simulated cluster', async () => {
    if (exited) return;
    kill('SIGTERM');
    const t = setTimeout(() => kill('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(t);
  }]);

  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const json = await new Promise((resolvePromise) => {
    const onData = () => {
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      try { resolvePromise(JSON.parse(stdout.slice(0, nl))); } catch { resolvePromise(undefined); }
    };
    child.stdout.on('data', onData);
    exitedPromise.then(() => resolvePromise(undefined));
  });
  if (stopping) await hang();
  if (!json) throw new DemoError(`the simulated cluster did not start:\n${stderr}`);
  child.stdout.resume();
  // Should it die, there is nothing to show: say so and stop the rest.
  exitedPromise.then(({ code, signal }) => {
    if (stopping) return;
    process.stderr.write(`demo: the simulated cluster stopped (${signal ?? `exit ${code}`}):\n${stderr}\n`);
    exitCode = 1;
    void shutdown();
  });
  say(`  simulated cluster ${json.clusterId} at https://${json.host}/ (user ${json.userUuid})`);
  return json;
}

// ---- 3. VS Code ------------------------------------------------------------------------------

/** A helper extension that shows the Arvados view container when the window has started. */
function writeHelperExtension(dir) {
  const helper = join(dir, 'arvados-events.demo-helper-0.0.0');
  mkdirSync(helper, { recursive: true });
  writeFileSync(join(helper, 'package.json'), JSON.stringify({
    name: 'demo-helper',
    displayName: 'Arvados Events demo helper',
    description: 'Shows the Arvados panel at startup (npm run demo).',
    publisher: 'arvados-events',
    version: '0.0.0',
    engines: { vscode: '^1.90.0' },
    activationEvents: ['onStartupFinished'],
    main: './extension.js',
  }, null, 2));
  // Shows the panel at each start; widens the side bar once (the width is then remembered),
  // so that event rows are readable.
  writeFileSync(join(helper, 'extension.js'), `const vscode = require('vscode');
exports.activate = async (context) => {
  try {
    await vscode.commands.executeCommand('workbench.view.extension.arvados');
    if (context.globalState.get('widened')) return;
    await context.globalState.update('widened', true);
    for (let i = 0; i < 4; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
  } catch {}
};
`);
  return helper;
}

/** The environment that points the extension at the cluster, with zero configuration. */
function clusterEnv(cluster) {
  return {
    HOME: home,
    ARVADOS_API_HOST: cluster.host,
    ARVADOS_API_TOKEN: cluster.token,
    SSL_CERT_FILE: cluster.certFile,
  };
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

async function portIsFree(port) {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    server.close();
    await once(server, 'close');
    return true;
  } catch {
    return false;
  }
}

/** Opens a URL in the user's browser, if there is a desktop to open it on. */
function openBrowser(url) {
  const opener = process.platform === 'darwin' ? 'open'
    : (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) ? 'xdg-open' : undefined;
  if (!opener || !findOnPath(opener)) return false;
  try {
    // The browser is the user's: not ours to stop.
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** Says once when the extension has connected to the cluster (read from its log file). */
function reportConnection(readLog) {
  const timer = setInterval(() => {
    let log = '';
    try { log = readLog(); } catch {}
    if (/Connected to /.test(log)) {
      clearInterval(timer);
      if (!stopping) say('The extension connected to the simulated cluster: events are arriving in the Arvados panel.');
    }
  }, 500);
  cleanups.push(['log watcher', () => clearInterval(timer)]);
}

/** code-server's port: --port, else 8080 if free, else undefined (any free one). */
async function choosePort() {
  if (askedPort === 0) return undefined;
  if (askedPort !== undefined) {
    if (!(await portIsFree(askedPort))) {
      throw new DemoError(`port ${askedPort} is in use; choose another with --port, or --port 0 for any free one`);
    }
    return askedPort;
  }
  return (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : undefined;
}

async function startCodeServerDemo(cluster, port) {
  let paths;
  try {
    paths = await codeServerPaths({ install: false });
  } catch {
    say('Installing code-server and Node 24 into ~/.cache/arvados-events (first time only, a few minutes)...');
    try {
      paths = await codeServerPaths();
    } catch (e) {
      throw new DemoError(`${e.message} (see its messages above)`);
    }
  }
  if (stopping) await hang();
  say(`Starting VS Code in the browser (code-server ${paths.CODE_SERVER_VERSION}) with the extension...`);
  const start = (p) => startCodeServer({
    extensionPath: REPO,
    workspace,
    env: clusterEnv(cluster),
    port: p ?? undefined,
  });
  let cs;
  try {
    cs = await start(port);
  } catch (e) {
    if (stopping) await hang();
    // The default port taken meanwhile by someone else: any free one will do.
    if (askedPort !== undefined || port === undefined) throw e;
    cs = await start(await freePort());
  }
  if (stopping) {
    await cs.stop();
    await hang();
  }
  cleanups.push(['code-server', () => cs.stop()]);
  // Before any browser connects (extensions are scanned when a window opens).
  writeHelperExtension(cs.extensionsDir);
  reportConnection(() => cs.readLog(LOG_CHANNEL));
  const opened = !options['no-open'] && openBrowser(cs.folderUrl);
  say('');
  say(`  Open ${cs.folderUrl}${opened ? '   (opening it in your browser)' : ''}`);
  say('');
  say('  The Arvados panel opens by itself and shows the cluster\'s events as they happen.');
  say('  Press Ctrl-C to stop.');
  say('');
}

/** Pids of live processes whose command line contains `text`, and their descendants. */
function processesMentioning(text) {
  let out;
  try {
    out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8', maxBuffer: 16 << 20 });
  } catch {
    return [];
  }
  const procs = out.split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found = new Set(procs.filter((p) => p.args.includes(text) && p.pid !== process.pid).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (found.has(p.ppid) && !found.has(p.pid)) { found.add(p.pid); grew = true; }
  }
  return [...found];
}

async function startDesktopDemo(cluster, code) {
  say(`Starting VS Code (${code}) with the extension...`);
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(DEFAULT_SETTINGS, null, 2));
  const helper = writeHelperExtension(join(root, 'helper'));
  // Without VS Code's own variables: from VS Code's terminal, `code` would otherwise open the
  // window in the running VS Code, which does not have the cluster's environment.
  const env = { ...process.env, ...clusterEnv(cluster) };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS') delete env[k];
  }
  const args = [
    `--extensionDevelopmentPath=${REPO}`, `--extensionDevelopmentPath=${helper}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--new-window', '--wait', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
    workspace,
  ];
  // `code --wait` returns when the window closes; VS Code itself runs detached from it.
  const child = spawn(code, args, { env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  const exitedPromise = new Promise((r) => {
    child.on('exit', () => { exited = true; r(); });
    child.on('error', (e) => { exited = true; process.stderr.write(`demo: ${code}: ${e.message}\n`); r(); });
  });
  // Everything started with our user data folder in its command line is ours.
  const ours = () => processesMentioning(userDataDir);
  const signalAll = (sig) => {
    if (!exited) { try { process.kill(-child.pid, sig); } catch {} }
    for (const pid of ours()) { try { process.kill(pid, sig); } catch {} }
  };
  process.on('exit', () => signalAll('SIGKILL'));
  cleanups.push(['VS Code', async () => {
    signalAll('SIGTERM');
    const deadline = Date.now() + 8000;
    while ((!exited || ours().length) && Date.now() < deadline) await sleep(200);
    if (!exited || ours().length) {
      signalAll('SIGKILL');
      await exitedPromise;
    }
  }]);
  exitedPromise.then(async () => {
    // `code --wait` returns when the window closes: once VS Code's processes have gone too,
    // there is nothing left to show.
    while (!stopping) {
      await sleep(1000);
      if (!stopping && !ours().length) void shutdown('VS Code was closed.');
    }
  });
  const { id } = extensionIdentity(REPO);
  reportConnection(() => {
    const f = findLogFile(userDataDir, id, LOG_CHANNEL);
    return f ? readFileSync(f, 'utf8') : '';
  });
  say('');
  say('  A VS Code window opens, with the Arvados panel showing the cluster\'s events as they happen.');
  say('  Press Ctrl-C here (or close the window) to stop.');
  say('');
}

// ---- Main --------------------------------------------------------------------------------------

try {
  say('Arvados Events demo: the extension in VS Code, on a simulated cluster.');
  const code = options.web ? undefined : findOnPath('code');
  const port = code ? undefined : await choosePort();
  await build();
  const cluster = await startSimulator();
  if (code) await startDesktopDemo(cluster, code);
  else await startCodeServerDemo(cluster, port);
} catch (e) {
  if (!stopping) {
    process.stderr.write(`demo: ${e instanceof DemoError ? e.message : (e?.stack ?? e)}\n`);
    exitCode = 1;
    await shutdown();
  }
}
