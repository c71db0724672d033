/**
 * Wiring only: builds the models (src/model, no vscode) and the shared services, lets each
 * feature (src/views/<feature>/register.ts) create its view, subscribe and register its commands,
 * then connects in the background. See docs/architecture.md.
 */
import * as vscode from 'vscode';
import { ClusterConnection } from './model/cluster';
import { createOpener, effectiveHost } from './model/connection';
import { EventFeed } from './model/eventFeed';
import { setTranslator } from './model/l10n';
import { MirroredStore } from './model/mirroredStore';
import { ObjectFacts } from './model/objects';
import { isPositionKey, migrateLegacyKeys } from './model/store';
import { USER_FILTERS_OWNER, UserFilters } from './model/userFilters';
import { WatchList } from './model/watches';
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
import { connectionSettings, readSettings } from './views/settings';
import { register as registerSubscriptions } from './views/subscriptions/register';
import { register as registerWatched } from './views/watched/register';

export async function activate(context: vscode.ExtensionContext): Promise<{ treeDataProviders: Record<string, vscode.TreeDataProvider<unknown>> }> {
  setTranslator(vscode.l10n.t);
  const settings = readSettings();
  const objects: ObjectFacts = new ObjectFacts({ api: () => connection.api, user: () => connection.user });
  const output = new Output(objects.names);
  const credentials = new Credentials(context.secrets);
  // The last event ids also go to a file the extension host writes itself (see MirroredStore).
  const storage = context.storageUri ?? context.globalStorageUri;
  const store = new MirroredStore(context.workspaceState, vscode.Uri.joinPath(storage, 'position.json').fsPath, isPositionKey);
  const workspaceCluster = new WorkspaceCluster(context.workspaceState, output.logger, async (host) => {
    await vscode.commands.executeCommand(COMMANDS.setApiToken, host);
  });
  const host = effectiveHost(settings.apiHost);
  await migrateLegacyKeys(store, host);
  const connection: ClusterConnection = new ClusterConnection(
    { open: createOpener((h) => credentials.tokenFor(h), process.env, workspaceCluster.choose), store, logger: output.logger, expectedHost: host },
    connectionSettings(settings),
  );
  // Names first: every later listener of the connection may read them.
  const learning = objects.observe(connection);
  const services: Services = {
    connection, objects, output, credentials, workspaceCluster,
    userFilters: new UserFilters(store, connection, host, output.logger),
    watches: new WatchList(store, undefined, host),
    feed: new EventFeed(connection, { owner: USER_FILTERS_OWNER, bufferSize: settings.bufferSize, logger: output.logger }),
    contextKeys: new ContextKeys(),
    selection: new Selection(),
    objectActions: new ObjectActions(),
    treeDataProviders: {},
  };
  context.subscriptions.push(
    // First (VS Code disposes in order): the position is saved at once, then the stream closes.
    { dispose: () => void connection.dispose() },
    output, credentials, workspaceCluster, objects, learning, services.userFilters, services.feed,
    ...registerConnection(services),
    ...registerEvents(services),
    ...registerSubscriptions(services),
    ...registerWatched(services),
    ...registerNotifications(services),
    ...registerLogs(services),
    ...registerProcesses(services, context.globalState),
  );
  output.logger.info(`Arvados Events ${String(context.extension.packageJSON.version ?? '')} started`);
  // Connect in the background: activation must not wait for the network.
  void connection.connect();
  // The views' data as VS Code's own interface, by view id: for the in-host tests (test/vscode).
  return { treeDataProviders: services.treeDataProviders };
}
