/** The status bar item's menu of connection actions, and Show Output. */
import * as vscode from 'vscode';
import { COMMANDS, focusCommand, VIEWS } from '../ids';
import type { Services } from '../services';

const t = vscode.l10n.t;

async function connectionActions({ connection, feed }: Services): Promise<void> {
  type Action = vscode.QuickPickItem & { command: string };
  const items: Action[] = [];
  if (!connection.isOpen) items.push({ label: `$(plug) ${t('Connect')}`, command: COMMANDS.connect });
  if (connection.isOpen) items.push({ label: `$(debug-disconnect) ${t('Close Connection')}`, command: COMMANDS.closeConnection });
  items.push({ label: `$(refresh) ${t('Reconnect')}`, command: COMMANDS.reconnect });
  if (connection.isOpen && !feed.paused) items.push({ label: `$(debug-pause) ${t('Pause')}`, command: COMMANDS.pause });
  if (feed.paused) items.push({ label: `$(debug-continue) ${t('Resume')}`, description: t('{0} new events', feed.counts.pausedCount), command: COMMANDS.resume });
  items.push(
    { label: `$(server) ${t('Set Cluster')}`, description: connection.host, command: COMMANDS.setCluster },
    { label: `$(key) ${t('Set API Token')}`, command: COMMANDS.setApiToken },
    { label: `$(list-flat) ${t('Show Events')}`, command: focusCommand(VIEWS.events) },
    { label: `$(output) ${t('Show Output')}`, command: COMMANDS.showOutput },
  );
  const picked = await vscode.window.showQuickPick(items, { title: t('Arvados: {0}', connection.host ?? t('no cluster')), placeHolder: t('Connection actions') });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

export function registerConnectionActions(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showConnectionActions, () => connectionActions(services)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => services.output.show()),
  ];
}
