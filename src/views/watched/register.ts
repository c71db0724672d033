/**
 * The Watched Objects view: watched objects with their name and last known state. Watches are
 * followed on the connection (so their events arrive under narrower filters), updated from every
 * event about them and from outcomes read.
 */
import * as vscode from 'vscode';
import { CONTEXT, VIEWS } from '../ids';
import type { Services } from '../services';
import { registerWatchCommands } from './watchCommands';
import { WatchedView } from './watchedView';

export function register(services: Services): vscode.Disposable[] {
  const { watches, connection, objects, contextKeys } = services;
  const view = new WatchedView(watches);
  services.treeDataProviders[VIEWS.watched] = view as vscode.TreeDataProvider<unknown>;
  const onWatches = () => contextKeys.set(CONTEXT.hasWatches, watches.size > 0);
  onWatches();
  return [
    view,
    watches,
    watches.follow(connection),
    watches.onDidChange(onWatches),
    connection.onEvent(({ event }) => {
      if (watches.has(event.object_uuid)) watches.observe(event);
    }),
    objects.onOutcome(({ uuid, outcome }) => watches.setOutcome(uuid, outcome)),
    ...registerWatchCommands(services),
  ];
}
