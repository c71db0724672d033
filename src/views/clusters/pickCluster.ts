/** Which cluster a command acts on: asked only when it is ambiguous; for an object, its UUID decides. */
import * as vscode from 'vscode';
import type { FollowedCluster } from '../../model/followedCluster';
import type { Services } from '../services';

const t = vscode.l10n.t;

/** The clusters shown: all followed, but the default one while it is not configured and others exist. */
export function shownClusters({ clusters }: Pick<Services, 'clusters'>): FollowedCluster[] {
  const all = clusters.all;
  if (all.length <= 1) return [...all];
  return all.filter((c) => c.entry.source.kind !== 'default' || c.connection.status.kind !== 'unconfigured');
}

/** The cluster of an object (by its UUID's five-character prefix), else the only one shown, else undefined. */
export function clusterOfUuid(services: Pick<Services, 'clusters'>, uuid: string | undefined): FollowedCluster | undefined {
  const shown = shownClusters(services);
  if (shown.length <= 1) return shown[0] ?? services.clusters.all[0];
  return uuid ? services.clusters.forUuid(uuid) : undefined;
}

/** The cluster an object is acted on in: the one its UUID names, else the first shown (the default one, when configured). */
export function clusterForObject(services: Pick<Services, 'clusters'>, uuid: string): FollowedCluster {
  return clusterOfUuid(services, uuid) ?? shownClusters(services)[0] ?? services.clusters.all[0];
}

/**
 * One cluster, asked for only when several are followed. With `all`, "All clusters" is offered
 * first and chosen as an array of every cluster. Undefined: the user cancelled.
 */
export async function pickCluster(services: Pick<Services, 'clusters'>, title: string, options: { all?: boolean; uuid?: string } = {}): Promise<FollowedCluster[] | undefined> {
  const byUuid = options.uuid ? clusterOfUuid(services, options.uuid) : undefined;
  if (byUuid) return [byUuid];
  const shown = shownClusters(services);
  if (shown.length <= 1) return shown.length ? shown : [...services.clusters.all];
  type Item = vscode.QuickPickItem & { clusters: FollowedCluster[] };
  const items: Item[] = shown.map((c) => ({ label: `$(server) ${c.label}`, description: c.connection.connectionKey, clusters: [c] }));
  if (options.all) items.unshift({ label: `$(server-environment) ${t('All clusters')}`, clusters: shown });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: t('Which cluster?') });
  return picked?.clusters;
}
