/**
 * The Events view: the events the user's filters follow, from the feed (batched, paused, counted),
 * in a tree of EventsModel; event documents; and the view's commands.
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
import { EventsView } from './eventsView';
import { registerExportEvents } from './exportEvents';
import { registerGroupBy } from './groupBy';
import { registerObjectCommands } from './objectCommands';
import { registerOpenEvent } from './openEvent';
import { registerPauseResume } from './pauseResume';

export function register(services: Services): vscode.Disposable[] {
  const { connection, feed, objects, contextKeys } = services;
  const settings = readSettings();
  const model = new EventsModel(settings.bufferSize, settings.groupBy);
  const view = new EventsView(model, objects, () => connection.host);
  services.treeDataProviders[VIEWS.events] = view as vscode.TreeDataProvider<unknown>;
  const documents = new EventDocuments(
    (host, id) => (host === (connection.host ?? '') ? model.get(id) : undefined),
    (text) => connection.api?.redact(text) ?? text,
  );
  services.selection.track(view.treeView as vscode.TreeView<TreeNode>);
  const feature: EventsFeature = { ...services, model, view, documents };

  const showCounts = () => {
    const counts = feed.counts;
    view.setDescription({ shown: model.size, dropped: model.dropped, ...counts });
    contextKeys.set(CONTEXT.hasEvents, model.size > 0);
    contextKeys.set(CONTEXT.paused, counts.paused);
    // While paused the view does not move, not even its relative times.
    view.setFrozen(counts.paused);
  };
  contextKeys.set(CONTEXT.groupBy, settings.groupBy);
  showCounts();

  return [
    view,
    documents,
    feed.onBatch(({ events, dropped }) => view.apply(model.add(events, dropped))),
    feed.onCounts(showCounts),
    // A finished row's outcome came in: its words, icon and colour change.
    objects.onOutcome(() => view.refreshSoon()),
    connection.onStatus((st) => view.setProblem(connectionProblem(st, { reason: connection.pollReason, intervalMs: connection.pollIntervalMs }))),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const next = readSettings();
      if (e.affectsConfiguration(`${SECTION}.bufferSize`)) {
        feed.resize(next.bufferSize);
        view.apply(model.resize(next.bufferSize));
        showCounts();
      }
      if (e.affectsConfiguration(`${SECTION}.groupBy`)) {
        model.setGroupBy(next.groupBy);
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
}

