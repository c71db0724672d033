/**
 * What the in-host tests share: the extension under test, a fake Arvados cluster running in this
 * extension host, and the extension's tree data providers (its activate() return value).
 *
 * The cluster reaches the extension the zero-configuration way: ARVADOS_API_HOST,
 * ARVADOS_API_TOKEN and SSL_CERT_FILE, set in this process's environment, then the extension is
 * activated (or, if onStartupFinished activated it already, reconnected).
 *
 * Built by test/vscode/build.mjs into one module (out/test/vscode/fixture.js) that every test file
 * requires, so they all see the same cluster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { FakeCluster } from '../fake/cluster';

export const EXTENSION_ID = 'arvados-events.arvados-events';

/** The extension's exports (activate's return value). */
export interface ArvadosTestApi {
  treeDataProviders: Record<string, vscode.TreeDataProvider<unknown>>;
}

/** The package.json parts the tests read. */
export interface PackageJson {
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported?: boolean | string; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { scope?: string; default?: unknown; type?: string }> };
  };
}

/**
 * Whether the extension was active when VS Code loaded the test modules (this one is loaded with
 * index.ts, synchronously). VS Code loads them once the eager activations ('*',
 * workspaceContains:...) have completed, so an extension activated eagerly is active by then.
 * (onStartupFinished activations are only starting at that moment.)
 */
export const activeWhenTestsLoaded = !!vscode.extensions.getExtension(EXTENSION_ID)?.isActive;

export function extension(): vscode.Extension<ArvadosTestApi> {
  const ext = vscode.extensions.getExtension<ArvadosTestApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

export function packageJson(): PackageJson {
  return extension().packageJSON as PackageJson;
}

export interface Fixture {
  cluster: FakeCluster;
  api: ArvadosTestApi;
  /** Two collections, named reads.bam and other.vcf. */
  reads: string;
  other: string;
}

let fixture: Promise<Fixture> | undefined;
let home: string | undefined;
const savedEnv: Record<string, string | undefined> = {};
const ENV_KEYS = ['ARVADOS_API_HOST', 'ARVADOS_API_TOKEN', 'ARVADOS_API_HOST_INSECURE', 'SSL_CERT_FILE', 'XDG_CONFIG_HOME'];

/** The cluster and the activated, connected extension (started once, on first use). */
export function setup(): Promise<Fixture> {
  return (fixture ??= start());
}

async function start(): Promise<Fixture> {
  const cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
  const reads = cluster.createObject({ kind: 'arvados#collection', name: 'reads.bam' }).object.uuid as string;
  const other = cluster.createObject({ kind: 'arvados#collection', name: 'other.vcf' }).object.uuid as string;
  // No settings.conf of the machine's user may interfere (the environment wins anyway).
  home = mkdtempSync(join(tmpdir(), 'arv-in-host-'));
  for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
  Object.assign(process.env, {
    ARVADOS_API_HOST: cluster.host,
    ARVADOS_API_TOKEN: cluster.users.active.token,
    SSL_CERT_FILE: cluster.certFile,
    XDG_CONFIG_HOME: home,
  });
  delete process.env.ARVADOS_API_HOST_INSECURE;
  const api = await extension().activate();
  // onStartupFinished may have activated it meanwhile, before the environment named the cluster:
  // connect again now that it does.
  await vscode.commands.executeCommand('arvados.reconnect');
  await waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), { message: 'the extension subscribed to the cluster', timeout: 30000 });
  return { cluster, api, reads, other };
}

/** Closes the connection and stops the cluster (index.ts, after the last test). */
export async function teardown(): Promise<void> {
  if (!fixture) return;
  const f = await fixture.catch(() => undefined);
  fixture = undefined;
  if (f) {
    await vscode.commands.executeCommand('arvados.closeConnection').then(undefined, () => undefined);
    await f.cluster.stop();
    // The certificate's folder goes at process exit, which a stopped extension host may skip.
    rmSync(dirname(f.cluster.certFile), { recursive: true, force: true });
  }
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  if (home) rmSync(home, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `until` accepts its value (default: truthy); returns that value. */
export async function waitFor<T>(
  read: () => T | Thenable<T>,
  opts: { until?: (v: T) => boolean; timeout?: number; message?: string } = {},
): Promise<T> {
  const { until = (v: T) => !!v, timeout = 10000, message = 'condition' } = opts;
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (until(last)) return last;
    if (Date.now() > deadline) throw new Error(`${message}: not met within ${timeout} ms; last: ${JSON.stringify(last)}`);
    await sleep(50);
  }
}

/** A tree node with the TreeItem its provider made for it. */
export interface Row {
  node: unknown;
  item: vscode.TreeItem;
  label: string;
}

/** The rows a view's provider returns under `parent` (the root by default), in order. */
export async function rows(viewId: string, parent?: unknown): Promise<Row[]> {
  const provider = (await setup()).api.treeDataProviders[viewId];
  if (!provider) throw new Error(`no tree data provider for ${viewId}`);
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => {
    const item = await provider.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
    return { node, item, label };
  }));
}

/** Polls a view's rows until `until` accepts them. */
export function waitForRows(viewId: string, until: (rows: Row[]) => boolean, message: string, parent?: unknown): Promise<Row[]> {
  const summary = (rs: Row[]) => rs.map((r) => `${r.label} | ${String(r.item.description ?? '')} | ${r.item.contextValue ?? ''}`);
  return waitFor(() => rows(viewId, parent), { until, message: `${viewId}: ${message}` }).catch(async (e: Error) => {
    throw new Error(`${e.message.split('; last:')[0]}; rows: ${JSON.stringify(summary(await rows(viewId, parent)))}`);
  });
}
