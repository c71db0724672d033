/**
 * Live logs: "Arvados: Show Live Log" opens a container request's log in an editor tab that grows
 * as the process writes (see liveLogPanel.ts), from the palette (recent requests, or a pasted
 * UUID), from the context menu of container request and container rows, and from notifications
 * about watched requests. Each open log follows its request and container on the connection, so
 * an event about either reads the log at once instead of at the next poll.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { registerChooseLogFiles } from './chooseFiles';
import type { LiveLogPanel } from './liveLogPanel';
import { RecentProcesses } from './recentProcesses';
import { registerShowLiveLog } from './showLiveLog';
import { clusterForObject } from '../clusters/pickCluster';

/** What the logs commands share. */
export interface LogsFeature extends Services {
  /** Open tabs, by the UUID they were opened for. */
  panels: Map<string, LiveLogPanel>;
  recent: RecentProcesses;
  open(uuid: string): Promise<LiveLogPanel | undefined>;
  /** The tab in front, if it is a live log. */
  active(): LiveLogPanel | undefined;
}

export function register(services: Services): vscode.Disposable[] {
  const { clusters } = services;
  const panels = new Map<string, LiveLogPanel>();
  /** Which cluster each open tab reads from, by the UUID it was opened for. */
  const clusterOfPanel = new Map<string, string>();
  // A process's cluster is the one its UUID names (else the default one).
  const recent = new RecentProcesses({ nameOf: (uuid) => clusterForObject(services, uuid).objects.nameOf(uuid) });
  // The live log itself (its reader and its tab) loads when the first log opens.
  const open = async (uuid: string): Promise<LiveLogPanel | undefined> => (await import('./openLiveLog')).openLiveLog(services, { panels, clusterOfPanel }, uuid);

  const feature: LogsFeature = {
    ...services,
    panels,
    recent,
    open,
    active: () => [...panels.values()].find((p) => p.panel.active),
  };

  return [
    clusters.each((cluster) => [
      recent.observe(cluster.connection),
      // A new connection (another cluster, another token) leaves open logs reading the old API.
      cluster.connection.onStatus((st) => {
        if (st.kind !== 'closed' && st.kind !== 'unconfigured') return;
        for (const [uuid, p] of [...panels]) if (clusterOfPanel.get(uuid) === cluster.entry.key) p.dispose();
      }),
    ]),
    // On a notification about a watched request or container.
    services.objectActions.register({ title: vscode.l10n.t('Show Live Log'), command: COMMANDS.showLiveLog, kinds: ['arvados#containerRequest', 'arvados#container'] }),
    ...registerShowLiveLog(feature),
    ...registerChooseLogFiles(feature),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  ];
}
