// Starts a real VS Code workbench (code-server, with a Node 24 extension host) with one extension
// installed, for end-to-end tests, demos and benchmarks. Plain ESM, no dependencies.
//
//   import { startCodeServer } from './scripts/code-server.mjs';
//   const cs = await startCodeServer({ extensionPath: '.', settings: {...}, env: {...} });
//   // open cs.url (or cs.folderUrl) in a browser; read cs.readLog('Arvados Events')
//   await cs.stop();
//
// As a command: `node scripts/code-server.mjs [extension folder or .vsix] [workspace folder]`
// starts one and prints its URL until Ctrl-C.
//
// code-server and Node 24 come from the cache that scripts/setup-e2e.sh fills (run on demand).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync,
  rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
const SETUP = join(SCRIPTS, 'setup-e2e.sh');

/** Settings that keep the workbench quiet and predictable; the caller's settings win. */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'github.gitAuthentication': false,
};

function run(cmd, args, { stdout = 'pipe', stderr = 'inherit', env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, stderr], env });
    let out = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr?.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, out }));
  });
}

function parsePaths(text) {
  const paths = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) paths[m[1]] = m[2];
  }
  return paths;
}

/**
 * Where Node 24, code-server and Chromium are: { NODE24, CODE_SERVER_ENTRY, CHROMIUM, ... }.
 * Runs scripts/setup-e2e.sh first if the install is not complete (its progress goes to stderr).
 */
export async function codeServerPaths({ install = true } = {}) {
  let r = await run('bash', [SETUP, '--print-paths']);
  if (r.code !== 0 && install) {
    // Progress to our stderr, so a test runner's stdout (TAP) stays clean.
    r = await run('bash', [SETUP], { stdout: 2 });
    if (r.code !== 0) throw new Error(`scripts/setup-e2e.sh failed (exit ${r.code})`);
    r = await run('bash', [SETUP, '--print-paths']);
  }
  if (r.code !== 0) throw new Error('code-server is not installed: run scripts/setup-e2e.sh');
  return parsePaths(r.out);
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** `<publisher>.<name>` and the install folder name `<publisher>.<name>-<version>`. */
export function extensionIdentity(extensionPath) {
  const pkg = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8'));
  if (!pkg.publisher || !pkg.name || !pkg.version) {
    throw new Error(`${extensionPath}/package.json needs publisher, name and version`);
  }
  const id = `${pkg.publisher}.${pkg.name}`;
  return { id, folderName: `${id}-${pkg.version}`, packageJson: pkg };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Live (not zombie) processes from /proc: [{ pid, ppid, pgid, state, start }] (start: clock
 * ticks after boot, which tells a process from a later one that reuses its pid). Linux only.
 */
export function listProcesses() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') continue;
    out.push({ pid: Number(name), state: f[0], ppid: Number(f[1]), pgid: Number(f[2]), start: Number(f[19]) });
  }
  return out;
}

/** pid and all its live descendants. */
export function processTree(pid) {
  const procs = listProcesses();
  const tree = new Set(procs.some((p) => p.pid === pid) ? [pid] : []);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (tree.has(p.ppid) && !tree.has(p.pid)) { tree.add(p.pid); grew = true; }
  }
  return [...tree];
}

/** Live processes of a process group. */
export function processGroup(pgid) {
  return listProcesses().filter((p) => p.pgid === pgid).map((p) => p.pid);
}

/**
 * Every LogOutputChannel file of an extension, oldest first. VS Code writes them to
 * `<user-data-dir>/logs/<timestamp>/exthost<N>/<publisher.name>/<channel>.log`; a window reload
 * starts a new exthost folder.
 */
export function findLogFiles(userDataDir, extensionId, channelName) {
  const logs = join(userDataDir, 'logs');
  const want = extensionId.toLowerCase();
  const names = new Set([`${channelName}.log`]);
  const found = [];
  const walk = (dir, depth) => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (!e.isDirectory()) continue;
      if (e.name.toLowerCase() === want) {
        for (const f of readdirSync(p)) {
          // Some VS Code versions number channel files: "1-<channel>.log".
          if (names.has(f) || f.replace(/^\d+-/, '') === `${channelName}.log`) found.push(join(p, f));
        }
      } else if (depth < 4) {
        walk(p, depth + 1);
      }
    }
  };
  walk(logs, 0);
  return found
    .map((f) => ({ f, t: statSync(f).mtimeMs }))
    .sort((a, b) => a.t - b.t)
    .map((x) => x.f);
}

/** The newest LogOutputChannel file of the extension for that channel, or undefined. */
export function findLogFile(userDataDir, extensionId, channelName) {
  return findLogFiles(userDataDir, extensionId, channelName).at(-1);
}

/**
 * Starts code-server. Options:
 *   extensionPath  folder of an extension (package.json with publisher, name, version, and
 *                  its built `main`); symlinked (or, with copyExtension, copied) into a fresh
 *                  extensions dir as <publisher>.<name>-<version>
 *   vsix           a .vsix to install instead (code-server --install-extension)
 *   settings       object written to <user-data-dir>/User/settings.json (over DEFAULT_SETTINGS
 *                  unless defaultSettings: false)
 *   machineSettings object written to <user-data-dir>/Machine/settings.json: where the user's
 *                  machine-scoped settings live in code-server (a remote window)
 *   workspace      folder to open (default: a fresh empty folder)
 *   env            extra environment variables for code-server and so the extension host
 *   workspaceTrust true: do not pass --disable-workspace-trust (with the setting
 *                  security.workspace.trust.enabled, an untrusted folder opens in Restricted Mode)
 *   port           default: a free one
 *   timeoutMs      how long to wait for HTTP (default 60 s)
 *   keepTemp       keep the temp folder (user data, extensions, logs) after stop()
 *   verbose        pass code-server's output through to stderr (it always goes to
 *                  <root>/code-server.log)
 * Returns { url, folderUrl, port, root, userDataDir, extensionsDir, workspace, extensionId,
 *           pid, logPath, findLogFile(channel), readLog(channel), stop() }.
 */
export async function startCodeServer(opts = {}) {
  const paths = await codeServerPaths();
  const root = mkdtempSync(join(tmpdir(), 'arvados-e2e-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const workspace = resolve(opts.workspace ?? join(root, 'workspace'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const settings = { ...(opts.defaultSettings === false ? {} : DEFAULT_SETTINGS), ...opts.settings };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  if (opts.machineSettings) {
    mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings, null, 2));
  }
  // An empty config file, so code-server neither reads nor writes ~/.config/code-server.
  const config = join(root, 'config.yaml');
  writeFileSync(config, '');

  // The environment: ours plus opts.env, less what would make code-server hand its arguments
  // to another running VS Code, or load a test runner's loaders into the extension host.
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS'
      || k === 'NODE_TEST_CONTEXT') delete env[k];
  }
  Object.assign(env, opts.env);

  const node = paths.NODE24;
  const entry = paths.CODE_SERVER_ENTRY;
  const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  let extensionId;
  try {
    if (opts.extensionPath) {
      const src = resolve(opts.extensionPath);
      const { id, folderName } = extensionIdentity(src);
      extensionId = id;
      const dest = join(extensionsDir, folderName);
      if (opts.copyExtension) {
        cpSync(src, dest, { recursive: true, filter: (p) => !/\/\.git(\/|$)/.test(p) });
      } else {
        symlinkSync(src, dest, 'dir');
      }
    }
    if (opts.vsix) {
      const r = await run(node, [entry, ...common, '--force', '--install-extension', resolve(opts.vsix)],
        { env, stderr: 'pipe' });
      if (r.code !== 0) throw new Error(`--install-extension ${opts.vsix} failed (exit ${r.code}):\n${r.out}`);
      const installed = readdirSync(extensionsDir).filter((d) => existsSync(join(extensionsDir, d, 'package.json')));
      if (installed.length && !extensionId) extensionId = extensionIdentity(join(extensionsDir, installed[0])).id;
    }
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }

  const port = opts.port ?? await freePort();
  const args = [entry, ...common,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--ignore-last-opened',
    ...(opts.extraArgs ?? []), workspace];
  const logPath = join(root, 'code-server.log');
  const logStream = createWriteStream(logPath);
  // A process group of its own, so stop() can end code-server and every process it started.
  const child = spawn(node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onOutput = (d) => {
    logStream.write(d);
    tail = (tail + d).slice(-4000);
    if (opts.verbose) process.stderr.write(d);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  let exited = false;
  const exitedPromise = new Promise((r) => child.on('exit', (code, signal) => { exited = true; r({ code, signal }); }));
  const pgid = child.pid;
  // If this process exits or is stopped by a signal without calling stop(), take the server
  // down with it (like Playwright does for its browsers).
  const keepTemp = opts.keepTemp || !!process.env.E2E_KEEP;
  const killOnExit = () => {
    try { process.kill(-pgid, 'SIGKILL'); } catch {}
    if (!keepTemp) try { rmSync(root, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  };
  const onSignal = (sig) => {
    killOnExit();
    forget();
    // The default action (exit) once no one else listens.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forget = () => {
    process.off('exit', killOnExit);
    for (const sig of SIGNALS) process.off(sig, onSignal);
  };
  process.on('exit', killOnExit);
  for (const sig of SIGNALS) process.on(sig, onSignal);

  let stopping;
  const stop = () => (stopping ??= (async () => {
    forget();
    // The group, plus descendants that left it (node-pty puts terminal shells in new sessions).
    const before = listProcesses();
    const treePids = new Set(processTree(pgid));
    const key = (p) => `${p.pid}/${p.start}`;
    const tree = new Set(before.filter((p) => treePids.has(p.pid)).map(key));
    const survivors = () => listProcesses().filter((p) => p.pgid === pgid || tree.has(key(p)));
    const alive = () => survivors().length > 0;
    const signal = (sig) => {
      try { process.kill(-pgid, sig); } catch {}
      for (const p of survivors()) { try { process.kill(p.pid, sig); } catch {} }
    };
    signal('SIGTERM');
    const deadline = Date.now() + 5000;
    while (alive() && Date.now() < deadline) await sleep(50);
    if (alive()) {
      signal('SIGKILL');
      while (alive()) await sleep(50);
    }
    if (!exited) await exitedPromise;
    await new Promise((r) => logStream.end(r));
    if (!keepTemp) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  })());

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited before answering HTTP:\n${tail}`);
    }
    try {
      const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${opts.timeoutMs ?? 60000} ms:\n${tail}`);
    }
    await sleep(100);
  }

  return {
    url,
    folderUrl: `${url}?folder=${encodeURIComponent(workspace)}`,
    port,
    root,
    userDataDir,
    extensionsDir,
    workspace,
    extensionId,
    pid: child.pid,
    logPath,
    output: () => tail,
    findLogFile: (channel, id = extensionId) => findLogFile(userDataDir, id, channel),
    readLog: (channel, id = extensionId) => {
      const f = findLogFile(userDataDir, id, channel);
      return f ? readFileSync(f, 'utf8') : '';
    },
    stop,
  };
}

// Command-line use: start one and keep it up until Ctrl-C.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [target, workspace] = process.argv.slice(2);
  const opts = { workspace, verbose: !!process.env.VERBOSE };
  if (target?.endsWith('.vsix')) opts.vsix = target;
  else if (target) opts.extensionPath = target;
  const cs = await startCodeServer(opts);
  console.log(`code-server ${basename(cs.root)} up: ${cs.folderUrl}`);
  console.log(`user data: ${cs.userDataDir}`);
  const shutdown = () => cs.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
