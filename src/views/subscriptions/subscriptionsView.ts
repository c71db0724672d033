/**
 * The Subscriptions view: one node per filter, or a single "All events" node when there are none
 * (no filters means everything).
 */
import * as vscode from 'vscode';
import { describeFilter } from '../../arvados';
import type { FollowedCluster } from '../../model/followedCluster';
import { ClusterNodes, type ClusterSections } from '../clusterNodes';
import { t } from '../../model/l10n';
import { ITEMS, VIEWS } from '../ids';
import type { AllEventsNode, ClusterNode, FilterNode } from '../nodes';

type SubscriptionNode = FilterNode | AllEventsNode | ClusterNode;

/** The followed clusters shown, and any by its key: filters are per cluster. */
export type SubscriptionSource = ClusterSections<FollowedCluster>;

export class SubscriptionsView implements vscode.TreeDataProvider<SubscriptionNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<SubscriptionNode>;
  private readonly roots = new ClusterNodes(VIEWS.subscriptions);

  constructor(private readonly clusters: SubscriptionSource) {
    this.treeView = vscode.window.createTreeView(VIEWS.subscriptions, { treeDataProvider: this });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getChildren(node?: SubscriptionNode): SubscriptionNode[] {
    const shown = this.clusters.shown();
    if (!node) return shown.length > 1 ? shown.map((c) => this.roots.of(c)) : shown[0] ? this.filtersOf(shown[0]) : [];
    const cluster = node.kind === 'cluster' ? this.clusters.get(node.cluster) : undefined;
    return cluster ? this.filtersOf(cluster) : [];
  }

  private filtersOf(cluster: FollowedCluster): SubscriptionNode[] {
    const key = cluster.entry.key;
    const filters = cluster.userFilters.list;
    return filters.length ? filters.map((filter) => ({ kind: 'filter', filter, cluster: key })) : [{ kind: 'allEvents', cluster: key }];
  }

  getParent(node: SubscriptionNode): SubscriptionNode | undefined {
    const cluster = node.kind !== 'cluster' && this.clusters.shown().length > 1 ? this.clusters.get(node.cluster) : undefined;
    return cluster && this.roots.of(cluster);
  }

  /** The cluster whose filters these are: filters are per cluster, and so are their tree ids. */
  private hostOf(node: FilterNode | AllEventsNode): string {
    return this.clusters.get(node.cluster)?.userFilters.cluster ?? '';
  }

  getTreeItem(node: SubscriptionNode): vscode.TreeItem {
    if (node.kind === 'cluster') {
      const cluster = this.clusters.get(node.cluster);
      if (!cluster) return new vscode.TreeItem(node.cluster);
      const n = cluster.userFilters.list.length;
      return this.roots.item(cluster, n ? (n === 1 ? t('1 filter') : t('{0} filters', n)) : t('all events'));
    }
    if (node.kind === 'allEvents') {
      const item = new vscode.TreeItem(t('All events'));
      item.id = `subscription:${this.hostOf(node)}/all`;
      item.description = t('no filters: every event the token may read');
      item.tooltip = t('With no filters, the Events view follows every event this token may read. Add a filter to narrow it; removing the last filter widens it back.');
      item.iconPath = new vscode.ThemeIcon('globe');
      item.contextValue = ITEMS.allEvents;
      return item;
    }
    const json = JSON.stringify(node.filter);
    const item = new vscode.TreeItem(describeFilter(node.filter));
    item.id = `subscription:${this.hostOf(node)}/${json}`;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(JSON.stringify(node.filter, null, 2), 'json');
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon('filter');
    item.contextValue = ITEMS.filter;
    return item;
  }

  dispose(): void {
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
