/**
 * Notifications: watched objects' changes and, when asked for, the user's own finished container
 * requests, which it follows on the connection itself (owner `myContainerRequests`).
 */
import * as vscode from 'vscode';
import { Following } from '../../model/cluster';
import { MY_REQUESTS_OWNER, myRequestsFilters, Notifier, type NotifierSettings } from '../../model/notifications';
import type { Services } from '../services';
import { readSettings, SECTION } from '../settings';
import { showNotice } from './showNotice';

function notifierSettings(): NotifierSettings {
  const s = readSettings();
  return { watchedObjects: s.watchedObjects, myContainerRequests: s.myContainerRequests };
}

export function register({ clusters, output, objectActions }: Services): vscode.Disposable[] {
  // Per cluster: its watches, its user's requests, its names and outcomes.
  return [clusters.each(({ connection, watches, objects }) => {
    const notifier = new Notifier({
      settings: notifierSettings(),
      isWatched: (uuid) => watches.has(uuid),
      isMine: (ev) => objects.isMine(ev),
      requestOutcome: (uuid) => objects.requestOutcome(uuid),
      containerOutcome: (uuid) => objects.containerOutcome(uuid),
      nameOf: (ev) => objects.label(ev),
      show: (notice) => {
        output.logger.info(`Notification: ${notice.message}`);
        showNotice(notice, connection.host, (uuid) => watches.has(uuid), objectActions);
      },
    });
    const myRequests = new Following(connection, MY_REQUESTS_OWNER);
    myRequests.set(myRequestsFilters(notifier.settings.myContainerRequests));
    return [
      { dispose: () => notifier.dispose() },
      myRequests,
      connection.onEvent(({ event }) => {
        if (notifier.mayNotify(event)) void notifier.consider(event).catch((err) => output.logger.error(`Notification failed: ${(err as Error).message}`));
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`${SECTION}.notifications`)) return;
        notifier.settings = notifierSettings();
        myRequests.set(myRequestsFilters(notifier.settings.myContainerRequests));
      }),
    ];
  })];
}
