/**
 * Wiring only: builds the models (src/model, no vscode) and the shared services, lets each
 * feature (src/views/<feature>/register.ts) create its view, subscribe and register its commands,
 * then connects in the background. See docs/architecture.md.
 */
import * as vscode from 'vscode';
import { ClusterSet } from './model/clusters';
import { createOpener, effectiveHost } from './model/connection';
import { clusterLogger, FollowedCluster, openerOf } from './model/followedCluster';
import { setTranslator } from './model/l10n';
import { MirroredStore } from './model/mirroredStore';
import { hasLegacyKeys, isPositionKey, migrateLegacyKeys } from './model/store';
import { register as registerClusters } from './views/clusters/register';
import { FollowedClusters } from './views/clusters/followedClusters';
import { Credentials } from './views/connection/credentials';
import { register as registerConnection } from './views/connection/register';
import { WorkspaceCluster } from './views/connection/workspaceCluster';
import { ContextKeys } from './views/contextKeys';
import { register as registerEvents } from './views/events/register';
import { register as registerLogs } from './views/logs/register';
import { COMMANDS } from './views/ids';
import { register as registerNotifications } from './views/notifications/register';
import { register as registerProcesses } from './views/processes/register';
import { Output } from './views/output';
import { ObjectActions } from './views/objectActions';
import { Selection } from './views/selection';
import type { Services } from './views/services';
import { connectionSettings, readSettings, trackSettings } from './views/settings';
import { register as registerSubscriptions } from './views/subscriptions/register';
import { register as registerWatched } from './views/watched/register';

export async function activate(context: vscode.ExtensionContext): Promise<{ treeDataProviders: Record<string, vscode.TreeDataProvider<unknown>> }> {
  setTranslator(vscode.l10n.t);
  // Before any feature's own configuration listener: the features read the settings as they register.
  context.subscriptions.push(trackSettings());
  const settings = readSettings();
  const output = new Output();
  const credentials = new Credentials(context.secrets);
  // The last event ids also go to a file the extension host writes itself (see MirroredStore).
  const storage = context.storageUri ?? context.globalStorageUri;
  const store = new MirroredStore(context.workspaceState, vscode.Uri.joinPath(storage, 'position.json').fsPath, isPositionKey);
  const workspaceCluster = new WorkspaceCluster(context.workspaceState, output.logger, async (host) => {
    await vscode.commands.executeCommand(COMMANDS.setApiToken, host);
  });
  const host = effectiveHost(settings.apiHost);
  // Only a version before per-cluster keys left any to move; otherwise no await, so activate()
  // runs to its end at once instead of resuming after other extensions' work in the same turn.
  if (hasLegacyKeys(store)) await migrateLegacyKeys(store, host);
  const tokenFor = (h: string) => credentials.tokenFor(h);
  // One context per followed cluster; the default one (the SDKs' cluster) always exists.
  const clusters: ClusterSet<FollowedCluster> = new ClusterSet((entry) => {
    const logger = clusterLogger(output.logger, () => (clusters.size > 1 ? entry.label : undefined));
    const open = openerOf(entry, tokenFor) ?? createOpener(tokenFor, process.env, workspaceCluster.choose);
    return new FollowedCluster(entry, { open, store, logger, settings: connectionSettings(settings), bufferSize: settings.bufferSize });
  });
  const followed = new FollowedClusters(clusters, output.logger);
  followed.refresh();
  const primary = clusters.all[0];
  const services: Services = {
    clusters, followed,
    connection: primary.connection, objects: primary.objects, userFilters: primary.userFilters, watches: primary.watches, feed: primary.feed,
    output, credentials, workspaceCluster,
    contextKeys: new ContextKeys(),
    selection: new Selection(),
    objectActions: new ObjectActions(),
    treeDataProviders: {},
  };
  context.subscriptions.push(
    // First (VS Code disposes in order): each position is saved at once, then the streams close.
    clusters,
    output, credentials, workspaceCluster, followed,
    ...registerConnection(services),
    ...registerClusters(services),
    ...registerEvents(services),
    ...registerSubscriptions(services),
    ...registerWatched(services),
    ...registerNotifications(services),
    ...registerLogs(services),
    ...registerProcesses(services, context.globalState),
  );
  output.logger.info(`Arvados Events ${String(context.extension.packageJSON.version ?? '')} started`);
  // Connect in the background, each cluster as it is followed: activation must not wait for the network.
  context.subscriptions.push(clusters.each((c) => (void c.connection.connect(), [])));
  // The views' data as VS Code's own interface, by view id: for the in-host tests (test/vscode).
  return { treeDataProviders: services.treeDataProviders };
}
