/**
 * The connections: the status bar item (the worst state of the followed clusters, one tooltip
 * line each) and the context keys of the default cluster's state, the log of every event,
 * reconnecting when settings or credentials change (unless the user closed it), and the
 * connection commands.
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
import { shownClusters } from '../clusters/pickCluster';
import { TokenRefusalNotice } from '../../model/status';
import type { FollowedCluster } from '../../model/followedCluster';

/** A refused token, in a notification with the fix: the view's own buttons hide while it shows rows. */
function tokenRefused(cluster: FollowedCluster, several: boolean, message: string): void {
  const SET_TOKEN = vscode.l10n.t('Set API Token');
  const text = several ? vscode.l10n.t('Arvados: {0} refused the API token. {1}', cluster.label, message) : vscode.l10n.t('Arvados: the cluster refused the API token. {0}', message);
  // A profile's token lives in its file: Set API Token stores one for the host instead, which wins.
  void vscode.window.showErrorMessage(text, SET_TOKEN).then((choice) => {
    if (choice === SET_TOKEN) void vscode.commands.executeCommand(COMMANDS.setApiToken, cluster.connection.host);
  });
}

export function register(services: Services): vscode.Disposable[] {
  const { connection, clusters, output, contextKeys, credentials, workspaceCluster } = services;
  const statusBar = new StatusBar(() =>
    shownClusters(services).map((c) => ({
      status: c.connection.status,
      paused: c.feed.paused,
      pausedCount: c.feed.counts.pausedCount,
      rate: c.feed.rate(),
      host: c.connection.host,
      cluster: clusters.size > 1 ? c.label : undefined,
      user: c.connection.user?.username ?? c.connection.user?.full_name ?? c.connection.user?.uuid,
      transport: c.connection.transport,
      pollReason: c.connection.pollReason,
      pollIntervalMs: c.connection.pollIntervalMs,
      lastEventAt: c.feed.lastEventAt,
      now: Date.now(),
    })),
  );
  // The context keys (welcome views, menus) are the default cluster's.
  const onStatus = () => {
    const st = connection.status;
    contextKeys.set(CONTEXT.connectionState, connection.connectionKey);
    contextKeys.set(CONTEXT.configured, st.kind !== 'unconfigured');
    contextKeys.set(CONTEXT.connected, connection.isOpen);
    contextKeys.set(CONTEXT.hasWorkbench, !!connection.workbenchUrl);
    contextKeys.set(CONTEXT.errorKind, st.kind === 'error' ? st.cause : '');
  };
  onStatus();
  const reconnectAll = () => {
    for (const c of clusters.all) void c.connection.reconnectUnlessClosed();
  };
  return [
    statusBar,
    connection.onStatus(onStatus),
    // Per cluster: the log of its events, its token's redactor, the status bar.
    clusters.each((c) => {
      const events = output.eventLog(c.objects.names, () => (clusters.size > 1 ? c.label : undefined));
      const refusals = new TokenRefusalNotice();
      return [
        events,
        c.connection.onEvent(({ event }) => events.log(event)),
        c.connection.onStatus((st) => {
          // Once per refusal, not per retry.
          if (refusals.shouldNotify(st) && st.kind === 'error') tokenRefused(c, clusters.size > 1, st.message);
          // Keep the redactor of the last connection: lines about it may come after it closed.
          const api = c.connection.api;
          if (api) output.setRedactor(c.entry.key, (text) => api.redact(text));
          statusBar.requestUpdate();
        }),
        // Pause and Resume come at once (the status bar shows a change of state at once too).
        c.feed.onCounts(() => statusBar.requestUpdate()),
      ];
    }),
    clusters.onDidChange(() => statusBar.requestUpdate()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const next = connectionSettings(readSettings());
      for (const c of clusters.all) c.connection.updateSettings(next);
      // Close means closed: a settings change reconnects only what is meant to be connected.
      if (CONNECTION_SETTINGS.some((k) => e.affectsConfiguration(k))) reconnectAll();
    }),
    // A token stored for a host: the clusters on that host reconnect.
    credentials.onDidChange((host) => {
      for (const c of clusters.all) if (!c.connection.host || c.connection.host.toLowerCase() === host.toLowerCase()) void c.connection.reconnectUnlessClosed();
    }),
    // Back at the window (the laptop woke, the VPN came up meanwhile): try at once rather than at the next scheduled time.
    vscode.window.onDidChangeWindowState((w) => {
      if (w.focused) for (const c of clusters.all) c.connection.retryNow();
    }),
    workspaceCluster.onDidChange(() => void connection.reconnectUnlessClosed()),
    ...registerDiagnostics(output),
    ...registerConnectCommands(services),
    ...registerClusterCommands(services),
    ...registerConnectionActions(services),
  ];
}
