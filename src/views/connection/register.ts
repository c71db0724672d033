/**
 * The connections: the status bar item (the worst state of the followed clusters, one tooltip
 * line each) and the context keys of the default cluster's state, the log of every event,
 * reconnecting when settings or credentials change (unless the user closed it), and the
 * connection commands.
 */
import * as vscode from 'vscode';
import { CONTEXT } from '../ids';
import type { Services } from '../services';
import { CONNECTION_SETTINGS, connectionSettings, readSettings, SECTION } from '../settings';
import { registerClusterCommands } from './clusterCommands';
import { registerConnectCommands } from './connectCommands';
import { registerConnectionActions } from './connectionActions';
import { registerDiagnostics } from './diagnostics';
import { StatusBar } from './statusBar';
import { shownClusters } from '../clusters/pickCluster';

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
      return [
        events,
        c.connection.onEvent(({ event }) => events.log(event)),
        c.connection.onStatus(() => {
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
    workspaceCluster.onDidChange(() => void connection.reconnectUnlessClosed()),
    ...registerDiagnostics(output),
    ...registerConnectCommands(services),
    ...registerClusterCommands(services),
    ...registerConnectionActions(services),
  ];
}
