/** Add Filter (guided), Remove Filter, Clear Filters and Add Filter for This Object. */
import * as vscode from 'vscode';
import { FilterError, type Filter } from '../../arvados';
import { objectFilter } from '../../model/filterPresets';
import { COMMANDS } from '../ids';
import { nodeOf, uuidOf } from '../nodes';
import type { Services } from '../services';
import { pickFilter } from './filterPicker';
import { pickCluster } from '../clusters/pickCluster';
import type { FollowedCluster } from '../../model/followedCluster';
import type { UserFilters } from '../../model/userFilters';

const t = vscode.l10n.t;

function addFilter(userFilters: UserFilters, filter: Filter): void {
  try {
    const { added } = userFilters.add(filter);
    if (!added) void vscode.window.setStatusBarMessage(t('That filter is already followed.'), 3000);
  } catch (err) {
    // Presets and the picker validate first; this is a last guard.
    void vscode.window.showErrorMessage(err instanceof FilterError ? err.message : String(err));
  }
}

/** The cluster a filter command acts on: the node's, the object's, else asked for when several are followed. */
async function clusterFor(services: Services, arg: unknown, title: string, uuid?: string): Promise<FollowedCluster | undefined> {
  const key = nodeOf(arg, 'filter')?.cluster ?? nodeOf(arg, 'allEvents')?.cluster ?? nodeOf(arg, 'cluster')?.cluster;
  const byNode = key !== undefined ? services.clusters.get(key) : undefined;
  if (byNode) return byNode;
  return (await pickCluster(services, title, { uuid }))?.[0];
}

export function registerFilterCommands(services: Services): vscode.Disposable[] {
  const { selection } = services;
  return [
    vscode.commands.registerCommand(COMMANDS.addFilter, async (arg: unknown) => {
      const cluster = await clusterFor(services, arg, t('Add Filter'));
      if (!cluster) return;
      const filter = await pickFilter({ user: cluster.connection.user, selectedUuid: selection.uuid });
      if (filter) addFilter(cluster.userFilters, filter);
    }),
    vscode.commands.registerCommand(COMMANDS.removeFilter, async (arg: unknown) => {
      let filter = nodeOf(arg, 'filter')?.filter;
      const cluster = await clusterFor(services, arg, t('Remove Filter'));
      if (!cluster) return;
      const { userFilters } = cluster;
      if (!filter) {
        if (!userFilters.list.length) return;
        const picked = await vscode.window.showQuickPick(
          userFilters.list.map((f) => ({ label: JSON.stringify(f), filter: f })),
          { title: t('Remove Filter') },
        );
        filter = picked?.filter;
      }
      if (filter) userFilters.remove(filter);
    }),
    vscode.commands.registerCommand(COMMANDS.clearFilters, async (arg: unknown) => {
      const key = nodeOf(arg, 'cluster')?.cluster;
      const chosen = key !== undefined ? [services.clusters.get(key)!].filter(Boolean) : await pickCluster(services, t('Clear Filters'), { all: true });
      for (const c of chosen ?? []) c.userFilters.clear();
    }),
    vscode.commands.registerCommand(COMMANDS.addFilterForObject, async (arg: unknown) => {
      const uuid = uuidOf(arg) ?? selection.uuid;
      if (!uuid) return;
      // The node's cluster, else the one the UUID names.
      const key = nodeOf(arg, 'event')?.cluster ?? nodeOf(arg, 'group')?.cluster ?? nodeOf(arg, 'watch')?.cluster;
      const cluster = (key !== undefined ? services.clusters.get(key) : undefined) ?? (await pickCluster(services, t('Add Filter for This Object'), { uuid }))?.[0];
      if (!cluster) return;
      try {
        addFilter(cluster.userFilters, objectFilter(uuid));
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
      }
    }),
  ];
}
