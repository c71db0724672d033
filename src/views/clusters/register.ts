/** Several clusters: Add Cluster, Stop Following Cluster, and the context key of "more than one". */
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT } from '../ids';
import type { Services } from '../services';
import { addCluster } from './addCluster';
import { shownClusters } from './pickCluster';
import { removeCluster } from './removeCluster';

export function register(services: Services): vscode.Disposable[] {
  const { clusters, contextKeys } = services;
  const update = () => contextKeys.set(CONTEXT.severalClusters, shownClusters(services).length > 1);
  update();
  return [
    clusters.onDidChange(update),
    clusters.each((c) => [c.connection.onStatus(update)]),
    vscode.commands.registerCommand(COMMANDS.addCluster, () => addCluster(services)),
    vscode.commands.registerCommand(COMMANDS.removeCluster, () => removeCluster(services)),
  ];
}
