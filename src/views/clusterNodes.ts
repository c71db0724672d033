/**
 * The root node of one cluster in a view, while several clusters are shown: its name, its state
 * in words, and the same identity across refreshes.
 */
import * as vscode from 'vscode';
import type { FollowedCluster } from '../model/followedCluster';
import { stateWords } from '../model/status';
import { ITEMS } from './ids';
import type { ClusterNode } from './nodes';

/** A view's per-cluster parts (a cluster with its model, or the cluster itself): those shown, in order, and any by its cluster's key. */
export interface ClusterSections<S> {
  shown(): S[];
  get(key: string): S | undefined;
}

export class ClusterNodes {
  private readonly nodes = new Map<string, ClusterNode>();

  constructor(private readonly view: string) {}

  /** The node of a cluster, made once per key. */
  of(cluster: FollowedCluster): ClusterNode {
    const key = cluster.entry.key;
    let node = this.nodes.get(key);
    if (!node) this.nodes.set(key, (node = { kind: 'cluster', cluster: key }));
    return node;
  }

  item(cluster: FollowedCluster, description?: string): vscode.TreeItem {
    const item = new vscode.TreeItem(cluster.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `${this.view}/cluster/${cluster.entry.key}`;
    const state = stateWords(cluster.connection.status);
    item.description = description ? `${state} · ${description}` : state;
    item.iconPath = new vscode.ThemeIcon('server');
    item.contextValue = ITEMS.cluster;
    item.tooltip = cluster.connection.host ? `${cluster.connection.host} · ${state}` : state;
    item.accessibilityInformation = { label: `${cluster.label}, ${item.description}`, role: 'treeitem' };
    return item;
  }
}
