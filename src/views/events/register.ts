/**
 * The Events view: the events the user's filters follow, from each followed cluster's feed
 * (batched, paused, counted), in a tree of one EventsModel per cluster; event documents; and the
 * view's commands.
 */
import * as vscode from 'vscode';
import { EventsModel } from '../../model/eventsModel';
import { connectionProblem } from '../../model/status';
import { CONTEXT, VIEWS } from '../ids';
import type { TreeNode } from '../nodes';
import type { Services } from '../services';
import { readSettings, SECTION } from '../settings';
import { registerClearEvents } from './clearEvents';
import type { EventsFeature } from './feature';
import { EventDocuments } from './eventDocuments';
import { EventsView, type EventsSection } from './eventsView';
import { shownClusters } from '../clusters/pickCluster';
import { registerExportEvents } from './exportEvents';
import { registerGroupBy } from './groupBy';
import { registerObjectCommands } from './objectCommands';
import { registerOpenEvent } from './openEvent';
import { registerPauseResume } from './pauseResume';

export function register(services: Services): vscode.Disposable[] {
  const { clusters, contextKeys } = services;
  const settings = readSettings();
  // One model per followed cluster: event ids of two clusters may collide.
  const sections = new Map<string, EventsSection>();
  const shown = () => shownClusters(services).map((c) => sections.get(c.entry.key)).filter((s): s is EventsSection => !!s);
  const view = new EventsView({ shown, get: (key) => sections.get(key) });
  services.treeDataProviders[VIEWS.events] = view as vscode.TreeDataProvider<unknown>;
  const documents = new EventDocuments(
    (host, id) => [...sections.values()].find((s) => s.cluster.connection.host === host)?.model.get(id),
    (text) => clusters.all.reduce((out, c) => c.connection.api?.redact(out) ?? out, text),
  );
  services.selection.track(view.treeView as vscode.TreeView<TreeNode>);
  const feature: EventsFeature = { ...services, sections: shown, view, documents };

  const showCounts = () => {
    const all = shown();
    const feeds = all.map((s) => s.cluster.feed.counts);
    const paused = feeds.length > 0 && feeds.every((c) => c.paused);
    view.setDescription({
      shown: view.size,
      dropped: all.reduce((n, s) => n + s.model.dropped, 0),
      skipped: feeds.reduce((n, c) => n + c.skipped, 0),
      paused,
      pausedCount: feeds.reduce((n, c) => n + c.pausedCount, 0),
    });
    contextKeys.set(CONTEXT.hasEvents, view.size > 0);
    contextKeys.set(CONTEXT.paused, paused);
    // While paused the view does not move, not even its relative times.
    view.setFrozen(paused);
  };
  contextKeys.set(CONTEXT.groupBy, settings.groupBy);

  const disposables = [
    view,
    documents,
    clusters.each((cluster) => {
      const current = readSettings();
      const section: EventsSection = { cluster, model: new EventsModel(current.bufferSize, current.groupBy) };
      sections.set(cluster.entry.key, section);
      const { feed, connection } = cluster;
      return [
        feed.onBatch(({ events, dropped }) => view.apply(section.model.add(events, dropped), section)),
        feed.onCounts(showCounts),
        // A finished row's outcome came in: its words, icon and colour change.
        cluster.objects.onOutcome(() => view.refreshSoon()),
        connection.onStatus((st) => {
          if (cluster === clusters.all[0]) view.setProblem(connectionProblem(st, { reason: connection.pollReason, intervalMs: connection.pollIntervalMs }));
          // The root nodes show each cluster's state; whether the default one is shown may change.
          if (clusters.size > 1) view.refreshRoot();
        }),
        { dispose: () => sections.delete(cluster.entry.key) },
      ];
    }),
    clusters.onDidChange(() => (view.refreshRoot(), showCounts())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const next = readSettings();
      if (e.affectsConfiguration(`${SECTION}.bufferSize`)) {
        for (const s of sections.values()) {
          s.cluster.feed.resize(next.bufferSize);
          view.apply(s.model.resize(next.bufferSize), s);
        }
        showCounts();
      }
      if (e.affectsConfiguration(`${SECTION}.groupBy`)) {
        for (const s of sections.values()) s.model.setGroupBy(next.groupBy);
        contextKeys.set(CONTEXT.groupBy, next.groupBy);
        view.refreshRoot();
      }
    }),
    ...registerPauseResume(feature),
    registerClearEvents(feature),
    registerExportEvents(feature),
    registerGroupBy(),
    registerOpenEvent(feature),
    ...registerObjectCommands(services),
  ];
  showCounts();
  return disposables;
}

