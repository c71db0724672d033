/** The Subscriptions view: the user's filters (or "All events"), and the commands that change them. */
import * as vscode from 'vscode';
import { CONTEXT, VIEWS } from '../ids';
import type { Services } from '../services';
import { registerFilterCommands } from './filterCommands';
import { SubscriptionsView } from './subscriptionsView';

export function register(services: Services): vscode.Disposable[] {
  const { userFilters, contextKeys } = services;
  const view = new SubscriptionsView(() => userFilters.list, () => userFilters.cluster);
  services.treeDataProviders[VIEWS.subscriptions] = view as vscode.TreeDataProvider<unknown>;
  const onFilters = () => {
    contextKeys.set(CONTEXT.hasFilters, userFilters.list.length > 0);
    view.refresh();
  };
  onFilters();
  return [view, userFilters.onDidChange(onFilters), ...registerFilterCommands(services)];
}
