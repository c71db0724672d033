/**
 * The connection: the status bar item and the context keys of its state, the log of every event,
 * reconnecting when settings or credentials change (unless the user closed it), keeping the
 * per-cluster state on the cluster connected to, and the connection commands.
 */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT } from '../ids';
import type { Services } from '../services';
import { CONNECTION_SETTINGS, connectionSettings, readSettings, SECTION } from '../settings';
import { registerClusterCommands } from './clusterCommands';
import { registerConnectCommands } from './connectCommands';
import { registerConnectionActions } from './connectionActions';
import { registerDiagnostics } from './diagnostics';
import { StatusBar } from './statusBar';
import { TokenRefusalNotice } from '../../model/status';

/** A refused token, in a notification with the fix: the view's own buttons hide while it shows rows. */
function tokenRefused(message: string): void {
  const SET_TOKEN = vscode.l10n.t('Set API Token');
  void vscode.window.showErrorMessage(vscode.l10n.t('Arvados: the cluster refused the API token. {0}', message), SET_TOKEN).then((choice) => {
    if (choice === SET_TOKEN) void vscode.commands.executeCommand(COMMANDS.setApiToken);
  });
}

export function register(services: Services): vscode.Disposable[] {
  const { connection, feed, output, contextKeys, credentials, workspaceCluster, userFilters, watches } = services;
  const statusBar = new StatusBar(() => ({
    status: connection.status,
    paused: feed.paused,
    pausedCount: feed.counts.pausedCount,
    rate: feed.rate(),
    host: connection.host,
    user: connection.user?.username ?? connection.user?.full_name ?? connection.user?.uuid,
    transport: connection.transport,
    pollReason: connection.pollReason,
    pollIntervalMs: connection.pollIntervalMs,
    lastEventAt: feed.lastEventAt,
    now: Date.now(),
  }));
  const refusals = new TokenRefusalNotice();
  const onStatus = () => {
    const st = connection.status;
    if (refusals.shouldNotify(st) && st.kind === 'error') tokenRefused(st.message);
    contextKeys.set(CONTEXT.connectionState, connection.connectionKey);
    contextKeys.set(CONTEXT.configured, st.kind !== 'unconfigured');
    contextKeys.set(CONTEXT.connected, connection.isOpen);
    contextKeys.set(CONTEXT.hasWorkbench, !!connection.workbenchUrl);
    contextKeys.set(CONTEXT.errorKind, st.kind === 'error' ? st.cause : '');
    // Keep the redactor of the last connection: lines about it may come after it closed.
    const api = connection.api;
    if (api) output.setRedactor((text) => api.redact(text));
    // Filters and watches are per cluster: those of the one connected to.
    const host = connection.isOpen ? connection.host : undefined;
    if (host) void Promise.all([userFilters.rescope(host), watches.rescope(host)]);
    statusBar.requestUpdate();
  };
  onStatus();
  const reconnect = () => void connection.reconnectUnlessClosed();
  return [
    statusBar,
    connection.onStatus(onStatus),
    connection.onEvent(({ event }) => output.logEvent(event)),
    // Pause and Resume come at once (the status bar shows a change of state at once too).
    feed.onCounts(() => statusBar.requestUpdate()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      connection.updateSettings(connectionSettings(readSettings()));
      // Close means closed: a settings change reconnects only what is meant to be connected.
      if (CONNECTION_SETTINGS.some((k) => e.affectsConfiguration(k))) reconnect();
    }),
    credentials.onDidChange(reconnect),
    // Back at the window (the laptop woke, the VPN came up meanwhile): try at once rather than at the next scheduled time.
    vscode.window.onDidChangeWindowState((w) => {
      if (w.focused) connection.retryNow();
    }),
    workspaceCluster.onDidChange(reconnect),
    ...registerDiagnostics(output),
    ...registerConnectCommands(services),
    ...registerClusterCommands(services),
    ...registerConnectionActions(services),
  ];
}
