/** The Subscriptions view: each followed cluster's filters (or "All events"), and the commands that change them. */
import * as vscode from 'vscode';
import { CONTEXT, VIEWS } from '../ids';
import type { Services } from '../services';
import { registerFilterCommands } from './filterCommands';
import { SubscriptionsView } from './subscriptionsView';
import { shownClusters } from '../clusters/pickCluster';

export function register(services: Services): vscode.Disposable[] {
  const { clusters, contextKeys } = services;
  const view = new SubscriptionsView({ shown: () => shownClusters(services), get: (key) => clusters.get(key) });
  services.treeDataProviders[VIEWS.subscriptions] = view as vscode.TreeDataProvider<unknown>;
  const onFilters = () => {
    contextKeys.set(CONTEXT.hasFilters, clusters.all.some((c) => c.userFilters.list.length > 0));
    view.refresh();
  };
  onFilters();
  return [
    view,
    clusters.onDidChange(onFilters),
    clusters.each((c) => [c.userFilters.onDidChange(onFilters), c.connection.onStatus(() => clusters.size > 1 && view.refresh())]),
    ...registerFilterCommands(services),
  ];
}
