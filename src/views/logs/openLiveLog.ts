/**
 * Opening a live log tab: its model (LiveLog, the log reader) and its editor tab (LiveLogPanel).
 * Loaded when the first log opens (see register.ts), not at activation.
 */
import * as vscode from 'vscode';
import { Following } from '../../model/cluster';
import { LiveLog } from '../../model/liveLog';
import type { Services } from '../services';
import { clusterForObject } from '../clusters/pickCluster';
import { LiveLogPanel } from './liveLogPanel';

/** The open tabs, shared with the commands that act on them. */
export interface OpenLogs {
  /** Open tabs, by the UUID they were opened for. */
  panels: Map<string, LiveLogPanel>;
  /** Which cluster each open tab reads from, by the UUID it was opened for. */
  clusterOfPanel: Map<string, string>;
}

let counter = 0;

/** Reveals the tab of `uuid`, else opens one that follows the process on its cluster's connection. */
export function openLiveLog(services: Services, logs: OpenLogs, uuid: string): LiveLogPanel | undefined {
  const { panels, clusterOfPanel } = logs;
  const existing = panels.get(uuid);
  if (existing) {
    existing.panel.reveal();
    return existing;
  }
  // A process's cluster is the one its UUID names (else the default one).
  const { connection, objects, entry } = clusterForObject(services, uuid);
  const api = connection.api;
  if (!api) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Connect to a cluster first: the live log is read from its API.'));
    return undefined;
  }
  const log = new LiveLog(api, uuid, { logger: services.output.logger });
  log.name = objects.nameOf(uuid);
  const panel = new LiveLogPanel(log);
  panels.set(uuid, panel);
  clusterOfPanel.set(uuid, entry.key);
  // Follow the request and its current container: their events read the log at once.
  const following = new Following(connection, `liveLog:${++counter}`);
  const follow = () => following.set([[['object_uuid', 'in', log.watchedUuids]]]);
  follow();
  const subscriptions = [
    following,
    log.onStatus(follow),
    connection.onEvent(({ owners }) => {
      if (owners.has(following.owner)) log.poke();
    }),
  ];
  panel.onDidDispose(() => {
    panels.delete(uuid);
    clusterOfPanel.delete(uuid);
    for (const s of subscriptions) s.dispose();
  });
  log.start();
  return panel;
}
