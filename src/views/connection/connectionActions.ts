/** The status bar item's menu of connection actions, and Show Output. */
import * as vscode from 'vscode';
import { COMMANDS, focusCommand, VIEWS } from '../ids';
import type { Services } from '../services';
import { shownClusters } from '../clusters/pickCluster';

const t = vscode.l10n.t;

async function connectionActions(services: Services): Promise<void> {
  const { connection, feed } = services;
  type Action = vscode.QuickPickItem & { command: string };
  const items: Action[] = [];
  if (shownClusters(services).length > 1) return severalClustersActions(services);
  if (!connection.isOpen) items.push({ label: `$(plug) ${t('Connect')}`, command: COMMANDS.connect });
  if (connection.isOpen) items.push({ label: `$(debug-disconnect) ${t('Close Connection')}`, command: COMMANDS.closeConnection });
  items.push({ label: `$(refresh) ${t('Reconnect')}`, command: COMMANDS.reconnect });
  if (connection.isOpen && !feed.paused) items.push({ label: `$(debug-pause) ${t('Pause')}`, command: COMMANDS.pause });
  if (feed.paused) items.push({ label: `$(debug-continue) ${t('Resume')}`, description: t('{0} new events', feed.counts.pausedCount), command: COMMANDS.resume });
  items.push(
    { label: `$(server) ${t('Set Cluster')}`, description: connection.host, command: COMMANDS.setCluster },
    { label: `$(key) ${t('Set API Token')}`, command: COMMANDS.setApiToken },
    { label: `$(add) ${t('Add Cluster')}`, command: COMMANDS.addCluster },
    { label: `$(list-flat) ${t('Show Events')}`, command: focusCommand(VIEWS.events) },
    { label: `$(output) ${t('Show Output')}`, command: COMMANDS.showOutput },
  );
  const picked = await vscode.window.showQuickPick(items, { title: t('Arvados: {0}', connection.host ?? t('no cluster')), placeHolder: t('Connection actions') });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

/** With several clusters, the actions ask which cluster (Connect, Close, Reconnect do). */
async function severalClustersActions(services: Services): Promise<void> {
  type Action = vscode.QuickPickItem & { command: string };
  const paused = services.clusters.all.every((c) => c.feed.paused);
  const items: Action[] = [
    { label: `$(plug) ${t('Connect')}`, command: COMMANDS.connect },
    { label: `$(debug-disconnect) ${t('Close Connection')}`, command: COMMANDS.closeConnection },
    { label: `$(refresh) ${t('Reconnect')}`, command: COMMANDS.reconnect },
    paused ? { label: `$(debug-continue) ${t('Resume')}`, command: COMMANDS.resume } : { label: `$(debug-pause) ${t('Pause')}`, command: COMMANDS.pause },
    { label: `$(add) ${t('Add Cluster')}`, command: COMMANDS.addCluster },
    { label: `$(remove) ${t('Stop Following Cluster')}`, command: COMMANDS.removeCluster },
    { label: `$(list-flat) ${t('Show Events')}`, command: focusCommand(VIEWS.events) },
    { label: `$(output) ${t('Show Output')}`, command: COMMANDS.showOutput },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: t('Arvados: {0} clusters', shownClusters(services).length), placeHolder: t('Connection actions') });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

export function registerConnectionActions(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showConnectionActions, () => connectionActions(services)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => services.output.show()),
  ];
}
