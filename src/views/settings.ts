/** The `arvados.*` settings, read in one place. */
import * as vscode from 'vscode';
import type { TransportChoice } from '../arvados';
import { isGroupBy, type GroupBy } from '../model/grouping';
import type { NotifyLevel } from '../model/notifications';
import type { ConnectionSettings } from '../model/connection';

export const SECTION = 'arvados';

export interface ExtensionSettings {
  apiHost: string;
  insecure: boolean;
  transport: TransportChoice;
  pollIntervalSeconds: number;
  bufferSize: number;
  groupBy: GroupBy;
  myContainerRequests: NotifyLevel;
  watchedObjects: boolean;
  eventLoopMonitor: boolean;
  /** Clusters followed besides the default one: profile names and hosts (the user's own settings only). */
  clusters: string[];
}

function clamp(n: unknown, min: number, max: number, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/**
 * Settings that decide where a token goes or what TLS trusts: machine-scoped in package.json (and
 * restricted in untrusted workspaces), so a workspace cannot set them; read from the user's own
 * settings only, and always written there.
 */
export const USER_ONLY_SETTINGS: readonly string[] = ['apiHost', 'insecure', 'clusters'];

/** A value from the user's own settings (user or remote machine), never a workspace's. */
function userValue<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}

/** The settings last read, while trackSettings() keeps them current; undefined when unknown. */
let current: ExtensionSettings | undefined;
let tracking = 0;

/**
 * Keeps the last read settings until the configuration changes (or workspace trust is granted):
 * reading them costs a few ms (every `inspect` merges the configuration's layers) and every
 * feature reads them as it registers. Without it, readSettings() reads afresh each time.
 */
export function trackSettings(): vscode.Disposable {
  tracking++;
  const forget = () => (current = undefined);
  const subscriptions = [vscode.workspace.onDidChangeConfiguration(forget), vscode.workspace.onDidGrantWorkspaceTrust(forget)];
  return {
    dispose: () => {
      tracking--;
      forget();
      for (const d of subscriptions) d.dispose();
    },
  };
}

export function readSettings(): ExtensionSettings {
  if (tracking > 0) return (current ??= readNow());
  return readNow();
}

function readNow(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const transport = c.get<string>('transport');
  const level = c.get<string>('notifications.myContainerRequests');
  const groupBy = c.get<string>('groupBy');
  const apiHost = userValue<unknown>(c, 'apiHost');
  const clusters = userValue<unknown>(c, 'clusters');
  return {
    apiHost: typeof apiHost === 'string' ? apiHost.trim() : '',
    insecure: userValue<unknown>(c, 'insecure') === true,
    transport: transport === 'websocket' || transport === 'poll' ? transport : 'auto',
    pollIntervalSeconds: clamp(c.get('pollInterval'), 1, 3600, 15),
    bufferSize: Math.round(clamp(c.get('bufferSize'), 100, 100_000, 5000)),
    groupBy: isGroupBy(groupBy) ? groupBy : 'none',
    myContainerRequests: level === 'failures' || level === 'all' ? level : 'off',
    watchedObjects: c.get<boolean>('notifications.watchedObjects') !== false,
    eventLoopMonitor: c.get<boolean>('diagnostics.eventLoopMonitor') === true,
    clusters: Array.isArray(clusters) ? clusters.filter((x): x is string => typeof x === 'string' && !!x.trim()).map((x) => x.trim()) : [],
  };
}

export function connectionSettings(s: ExtensionSettings): ConnectionSettings {
  return {
    apiHost: s.apiHost || undefined,
    insecure: s.insecure,
    transport: s.transport,
    pollIntervalMs: s.pollIntervalSeconds * 1000,
    // A gap after a restart is filled with at most what the view can show.
    maxBackfill: s.bufferSize,
  };
}

/** Settings whose change needs a new connection. */
export const CONNECTION_SETTINGS = ['apiHost', 'insecure', 'transport', 'pollInterval'].map((k) => `${SECTION}.${k}`);

export function updateSetting(key: string, value: unknown): Thenable<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  // Keep a workspace value where the user set one; otherwise write the user setting.
  const inspected = USER_ONLY_SETTINGS.includes(key) ? undefined : c.inspect(key);
  const target = inspected?.workspaceFolderValue !== undefined
    ? vscode.ConfigurationTarget.WorkspaceFolder
    : inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  current = undefined;
  // Read afresh once written, whether or not the change event came first.
  return c.update(key, value, target).then(() => {
    current = undefined;
  });
}
