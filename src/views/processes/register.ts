/**
 * Processes: workflows and their steps as a live tree (ProcessesView), with details on demand (a
 * Markdown tooltip, Show Details), Cancel, and two title-bar toggles (mine/all, failed only) whose
 * icons flip with context keys. One ProcessTree per followed cluster (a root node each while
 * several are shown): it follows that connection's container request and container events, and lists the user's recent top-level
 * requests each time the connection opens for a new host or user.
 */
import * as vscode from 'vscode';
import type { FollowedCluster } from '../../model/followedCluster';
import { t } from '../../model/l10n';
import { cancelRequest, CancelRefused } from '../../model/processes/cancel';
import { nameOf } from '../../model/processes/presentation';
import { ProcessTree, type TreeFilter } from '../../model/processes/tree';
import { COMMANDS, CONTEXT, VIEWS } from '../ids';
import { nodeOf, uuidOf } from '../nodes';
import { clusterForObject, shownClusters } from '../clusters/pickCluster';
import type { Services } from '../services';
import { ProcessDocuments } from './processDocuments';
import { ProcessesView, type ProcessSection } from './processesView';

const OWNER = 'processes';
const PROCESS_KINDS = ['arvados#containerRequest', 'arvados#container'];
const REQUEST_UUID = /^[a-z0-9]{5}-xvhdp-[a-z0-9]{15}$/;
const CONTAINER_UUID = /^[a-z0-9]{5}-dz642-[a-z0-9]{15}$/;
const MEMENTO_MINE = 'arvados.processes.mineOnly';
const MEMENTO_FAILED = 'arvados.processes.failedOnly';

export function register(services: Services, memento?: vscode.Memento): vscode.Disposable[] {
  const { clusters, contextKeys } = services;
  const sections = new Map<string, ProcessSection>();
  const shown = () => shownClusters(services).map((c) => sections.get(c.entry.key)).filter((s): s is ProcessSection => !!s);
  const filter: TreeFilter = { mineOnly: memento?.get<boolean>(MEMENTO_MINE) ?? true, failedOnly: memento?.get<boolean>(MEMENTO_FAILED) ?? false };
  const setKeys = () => {
    contextKeys.set(CONTEXT.processesMineOnly, filter.mineOnly);
    contextKeys.set(CONTEXT.processesFailedOnly, filter.failedOnly);
  };
  setKeys();

  const view = new ProcessesView({ shown, get: (key) => sections.get(key) }, () => filter);
  const documents = new ProcessDocuments((host) => {
    const section = [...sections.values()].find((s) => s.cluster.connection.host === host);
    return section && { tree: section.tree, workbenchUrl: section.cluster.connection.workbenchUrl };
  });
  services.treeDataProviders[VIEWS.processes] = view as vscode.TreeDataProvider<unknown>;

  /** One ProcessTree per cluster: it follows that connection's requests and containers. */
  const attach = (cluster: FollowedCluster): vscode.Disposable[] => {
    const { connection, objects } = cluster;
    const tree = new ProcessTree({
      api: () => connection.api,
      userUuid: () => connection.user?.uuid,
      ownedByMe: (owner) => objects.ownedByMe(owner),
      names: objects.names,
      logger: cluster.logger,
    });
    const section: ProcessSection = { cluster, tree };
    sections.set(cluster.entry.key, section);
    // The user's recent top-level requests, once per host and user (a reconnect keeps the tree).
    let loadedFor: string | undefined;
    const onStatus = () => {
      if (clusters.size > 1) view.refresh();
      const st = connection.status;
      if (st.kind !== 'open' || !connection.user) return;
      const key = `${connection.host}\n${connection.user.uuid}`;
      if (key === loadedFor) return;
      if (loadedFor !== undefined) tree.clear();
      loadedFor = key;
      tree.loadRecent(50).then(
        (n) => cluster.logger.info(`Processes: listed ${n} recent top-level requests on ${connection.host}`),
        (err: unknown) => cluster.logger.warn(`Processes: could not list recent requests on ${connection.host}: ${(err as Error).message}`),
      );
    };
    onStatus();
    return [
      tree,
      tree.observe(connection),
      // The events the tree reads, whatever the user's filters narrow the Events view to.
      connection.follow(OWNER, [[['object_uuid', 'is_a', PROCESS_KINDS]]]),
      connection.onStatus(onStatus),
      tree.onDidChange(() => (view.refresh(), documents.treeChanged())),
      { dispose: () => sections.delete(cluster.entry.key) },
    ];
  };

  const setFilter = (change: Partial<TreeFilter>) => {
    Object.assign(filter, change);
    setKeys();
    void memento?.update(MEMENTO_MINE, filter.mineOnly);
    void memento?.update(MEMENTO_FAILED, filter.failedOnly);
    view.refresh();
  };

  /** The section of a command argument: the row's cluster, else the one its UUID names. */
  const sectionOf = (arg: unknown, uuid: string): ProcessSection | undefined => {
    const key = nodeOf(arg, 'process')?.cluster;
    return (key !== undefined ? sections.get(key) : undefined) ?? sections.get(clusterForObject(services, uuid).entry.key);
  };

  /** The request a command argument stands for: a row, a request uuid, or a container's request. */
  const requestOf = (arg: unknown): { section: ProcessSection; uuid: string } | undefined => {
    const uuid = uuidOf(arg);
    const section = uuid ? sectionOf(arg, uuid) : undefined;
    if (!uuid || !section) return undefined;
    if (REQUEST_UUID.test(uuid)) return { section, uuid };
    const request = CONTAINER_UUID.test(uuid) ? section.tree.requestOfContainer(uuid)?.uuid : undefined;
    return request ? { section, uuid: request } : undefined;
  };

  return [
    view,
    documents,
    clusters.each(attach),
    clusters.onDidChange(() => view.refresh()),
    services.objectActions.register({ title: t('Show Details'), command: COMMANDS.showProcessDetails, kinds: ['arvados#containerRequest'] }),
    vscode.commands.registerCommand(COMMANDS.showProcessDetails, async (arg: unknown) => {
      const chosen = requestOf(arg) ?? (await askRequest(shown()));
      if (chosen) await documents.open(chosen.section.cluster.connection.host ?? '', chosen.uuid);
    }),
    vscode.commands.registerCommand(COMMANDS.cancelProcess, async (arg: unknown) => {
      const chosen = requestOf(arg);
      if (chosen) await cancel(chosen.section, chosen.uuid);
    }),
    vscode.commands.registerCommand(COMMANDS.showAllProcesses, () => setFilter({ mineOnly: false })),
    vscode.commands.registerCommand(COMMANDS.showMyProcesses, () => setFilter({ mineOnly: true })),
    vscode.commands.registerCommand(COMMANDS.showFailedProcessesOnly, () => setFilter({ failedOnly: true })),
    vscode.commands.registerCommand(COMMANDS.showEveryProcess, () => setFilter({ failedOnly: false })),
  ];
}

async function askRequest(sections: ProcessSection[]): Promise<{ section: ProcessSection; uuid: string } | undefined> {
  const items = sections.flatMap((section) =>
    section.tree.roots().slice(0, 200).map((n) => ({ label: nameOf(n), description: sections.length > 1 ? `${n.uuid} · ${section.cluster.label}` : n.uuid, section, uuid: n.uuid })),
  );
  const chosen = await vscode.window.showQuickPick(items, { title: t('Show Details'), placeHolder: t('A process in the Processes view'), matchOnDescription: true });
  return chosen && { section: chosen.section, uuid: chosen.uuid };
}

/** Asks first, naming the process; then sets its priority to 0. A refusal says why. */
async function cancel({ tree, cluster: { connection, logger } }: ProcessSection, uuid: string): Promise<void> {
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
    logger.info(`Cancelled ${uuid} (priority 0)`);
    void vscode.window.setStatusBarMessage(t('Cancelling "{0}"', name), 5000);
    await tree.refresh(uuid).catch(() => undefined);
  } catch (err) {
    const message = (err as Error).message;
    logger.warn(`Cancel of ${uuid} failed: ${message}`);
    if (err instanceof CancelRefused) void vscode.window.showErrorMessage(t('Cannot cancel "{0}": {1}', name, message));
    else void vscode.window.showErrorMessage(t('Cancelling "{0}" failed: {1}', name, message));
  }
}
