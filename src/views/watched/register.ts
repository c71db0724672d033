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
import { shownClusters } from '../clusters/pickCluster';

export function register(services: Services): vscode.Disposable[] {
  const { clusters, contextKeys } = services;
  const view = new WatchedView({ shown: () => shownClusters(services), get: (key) => clusters.get(key) });
  services.treeDataProviders[VIEWS.watched] = view as vscode.TreeDataProvider<unknown>;
  const onWatches = () => {
    contextKeys.set(CONTEXT.hasWatches, clusters.all.some((c) => c.watches.size > 0));
    view.refreshSoon();
  };
  onWatches();
  return [
    view,
    clusters.onDidChange(onWatches),
    // Per cluster: its watches are followed on its connection, updated from its events and outcomes.
    clusters.each(({ watches, connection, objects }) => [
      watches.follow(connection),
      watches.onDidChange(onWatches),
      connection.onStatus(() => view.refreshSoon()),
      connection.onEvent(({ event }) => {
        if (watches.has(event.object_uuid)) watches.observe(event);
      }),
      objects.onOutcome(({ uuid, outcome }) => watches.setOutcome(uuid, outcome)),
    ]),
    ...registerWatchCommands(services),
  ];
}
