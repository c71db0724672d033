/**
 * Processes: workflows and their steps as a live tree (ProcessesView), with details on demand (a
 * Markdown tooltip, Show Details), Cancel, and two title-bar toggles (mine/all, failed only) whose
 * icons flip with context keys. One ProcessTree per cluster connection: it follows the
 * connection's container request and container events, and lists the user's recent top-level
 * requests each time the connection opens for a new host or user.
 */
import * as vscode from 'vscode';
import type { ClusterConnection } from '../../model/cluster';
import { t } from '../../model/l10n';
import { cancelRequest, CancelRefused } from '../../model/processes/cancel';
import { nameOf } from '../../model/processes/presentation';
import { ProcessTree, type TreeFilter } from '../../model/processes/tree';
import { COMMANDS, CONTEXT, VIEWS } from '../ids';
import { uuidOf } from '../nodes';
import type { Services } from '../services';
import { ProcessDocuments } from './processDocuments';
import { ProcessesView } from './processesView';

const OWNER = 'processes';
const PROCESS_KINDS = ['arvados#containerRequest', 'arvados#container'];
const REQUEST_UUID = /^[a-z0-9]{5}-xvhdp-[a-z0-9]{15}$/;
const CONTAINER_UUID = /^[a-z0-9]{5}-dz642-[a-z0-9]{15}$/;
const MEMENTO_MINE = 'arvados.processes.mineOnly';
const MEMENTO_FAILED = 'arvados.processes.failedOnly';

export function register(services: Services, memento?: vscode.Memento): vscode.Disposable[] {
  const { connection, objects, output, contextKeys } = services;
  const trees = new Map<ClusterConnection, ProcessTree>();
  const tree = new ProcessTree({
    api: () => connection.api,
    userUuid: () => connection.user?.uuid,
    ownedByMe: (owner) => objects.ownedByMe(owner),
    names: objects.names,
    logger: output.logger,
  });
  trees.set(connection, tree);
  const filter: TreeFilter = { mineOnly: memento?.get<boolean>(MEMENTO_MINE) ?? true, failedOnly: memento?.get<boolean>(MEMENTO_FAILED) ?? false };
  const setKeys = () => {
    contextKeys.set(CONTEXT.processesMineOnly, filter.mineOnly);
    contextKeys.set(CONTEXT.processesFailedOnly, filter.failedOnly);
  };
  setKeys();

  const onTreeChange = (listener: () => void) => tree.onDidChange(listener);
  const view = new ProcessesView(() => tree, () => filter, () => connection.host, onTreeChange);
  const documents = new ProcessDocuments(() => tree, () => connection.workbenchUrl, onTreeChange);
  services.treeDataProviders[VIEWS.processes] = view as vscode.TreeDataProvider<unknown>;

  // The user's recent top-level requests, once per host and user (a reconnect keeps the tree).
  let loadedFor: string | undefined;
  const onStatus = () => {
    const st = connection.status;
    if (st.kind !== 'open' || !connection.user) return;
    const key = `${connection.host}\n${connection.user.uuid}`;
    if (key === loadedFor) return;
    if (loadedFor !== undefined) tree.clear();
    loadedFor = key;
    tree.loadRecent(50).then(
      (n) => output.logger.info(`Processes: listed ${n} recent top-level requests`),
      (err: unknown) => output.logger.warn(`Processes: could not list recent requests: ${(err as Error).message}`),
    );
  };

  const setFilter = (change: Partial<TreeFilter>) => {
    Object.assign(filter, change);
    setKeys();
    void memento?.update(MEMENTO_MINE, filter.mineOnly);
    void memento?.update(MEMENTO_FAILED, filter.failedOnly);
    view.refresh();
  };

  /** The request a command argument stands for: a row, a request uuid, or a container's request. */
  const requestOf = (arg: unknown): string | undefined => {
    const uuid = uuidOf(arg);
    if (!uuid) return undefined;
    if (REQUEST_UUID.test(uuid)) return uuid;
    if (CONTAINER_UUID.test(uuid)) return tree.requestOfContainer(uuid)?.uuid;
    return undefined;
  };

  return [
    view,
    documents,
    tree,
    { dispose: () => trees.clear() },
    tree.observe(connection),
    // The events the tree reads, whatever the user's filters narrow the Events view to.
    connection.follow(OWNER, [[['object_uuid', 'is_a', PROCESS_KINDS]]]),
    connection.onStatus(onStatus),
    services.objectActions.register({ title: t('Show Details'), command: COMMANDS.showProcessDetails, kinds: ['arvados#containerRequest'] }),
    vscode.commands.registerCommand(COMMANDS.showProcessDetails, async (arg: unknown) => {
      const uuid = requestOf(arg) ?? (await askRequest(tree));
      if (uuid) await documents.open(connection.host ?? '', uuid);
    }),
    vscode.commands.registerCommand(COMMANDS.cancelProcess, async (arg: unknown) => {
      const uuid = requestOf(arg);
      if (!uuid) return;
      await cancel(services, tree, uuid);
    }),
    vscode.commands.registerCommand(COMMANDS.showAllProcesses, () => setFilter({ mineOnly: false })),
    vscode.commands.registerCommand(COMMANDS.showMyProcesses, () => setFilter({ mineOnly: true })),
    vscode.commands.registerCommand(COMMANDS.showFailedProcessesOnly, () => setFilter({ failedOnly: true })),
    vscode.commands.registerCommand(COMMANDS.showEveryProcess, () => setFilter({ failedOnly: false })),
  ];
}

async function askRequest(tree: ProcessTree): Promise<string | undefined> {
  const items = tree.roots().slice(0, 200).map((n) => ({ label: nameOf(n), description: n.uuid, uuid: n.uuid }));
  const chosen = await vscode.window.showQuickPick(items, { title: t('Show Details'), placeHolder: t('A process in the Processes view'), matchOnDescription: true });
  return chosen?.uuid;
}

/** Asks first, naming the process; then sets its priority to 0. A refusal says why. */
async function cancel({ connection, output }: Services, tree: ProcessTree, uuid: string): Promise<void> {
  const node = tree.node(uuid);
  const name = node ? nameOf(node) : uuid;
  const steps = tree.children(uuid).length;
  const yes = t('Cancel Process');
  const answer = await vscode.window.showWarningMessage(
    t('Cancel "{0}"?', name),
    { modal: true, detail: steps ? t('{0} ({1} steps) stops and its running steps are cancelled with it.', uuid, steps) : t('{0} stops; this cannot be undone.', uuid) },
    yes,
  );
  if (answer !== yes) return;
  const api = connection.api;
  if (!api) {
    void vscode.window.showWarningMessage(t('Connect to the cluster first: cancelling goes through its API.'));
    return;
  }
  try {
    await cancelRequest(api, uuid);
    output.logger.info(`Cancelled ${uuid} (priority 0)`);
    void vscode.window.setStatusBarMessage(t('Cancelling "{0}"', name), 5000);
    await tree.refresh(uuid).catch(() => undefined);
  } catch (err) {
    const message = (err as Error).message;
    output.logger.warn(`Cancel of ${uuid} failed: ${message}`);
    if (err instanceof CancelRefused) void vscode.window.showErrorMessage(t('Cannot cancel "{0}": {1}', name, message));
    else void vscode.window.showErrorMessage(t('Cancelling "{0}" failed: {1}', name, message));
  }
}
