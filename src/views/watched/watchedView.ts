/** The Watched Objects view: watched uuids with their name and last known state. */
import * as vscode from 'vscode';
import { kindInWords } from '../../arvados';
import { COLORS, escapeMarkdown } from '../../model/labels';
import { t } from '../../model/l10n';
import type { FollowedCluster } from '../../model/followedCluster';
import type { Watch } from '../../model/watches';
import { ClusterNodes, type ClusterSections } from '../clusterNodes';
import { ITEMS, VIEWS } from '../ids';
import type { ClusterNode, WatchNode } from '../nodes';

function iconOf(w: Watch): vscode.ThemeIcon {
  const color = (id: string) => new vscode.ThemeColor(id);
  if (w.outcomeStatus === 'succeeded') return new vscode.ThemeIcon('pass', color(COLORS.success));
  if (w.outcomeStatus === 'failed') return new vscode.ThemeIcon('error', color(COLORS.failure));
  if (w.outcomeStatus === 'cancelled' || w.state === 'Cancelled') return new vscode.ThemeIcon('circle-slash', color(COLORS.cancelled));
  if (w.state === 'Running') return new vscode.ThemeIcon('play-circle', color(COLORS.running));
  if (w.state === 'trashed' || w.state === 'deleted') return new vscode.ThemeIcon('trash', color(COLORS.trashed));
  return new vscode.ThemeIcon('eye');
}

type Node = WatchNode | ClusterNode;

/** What the view shows: the followed clusters' watch lists, with a root node per cluster while there are several. */
export type WatchedSource = ClusterSections<FollowedCluster>;

export class WatchedView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<Node>;
  private timer?: NodeJS.Timeout;
  private readonly roots = new ClusterNodes(VIEWS.watched);

  constructor(private readonly clusters: WatchedSource) {
    this.treeView = vscode.window.createTreeView(VIEWS.watched, { treeDataProvider: this });
  }

  /** Events about watched objects can come in bursts: refresh at most 4 times a second. */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changeEmitter.fire(undefined);
    }, 250);
  }

  getChildren(node?: Node): Node[] {
    const shown = this.clusters.shown();
    if (!node) return shown.length > 1 ? shown.map((c) => this.roots.of(c)) : shown.flatMap((c) => this.watchesOf(c, false));
    const cluster = node.kind === 'cluster' ? this.clusters.get(node.cluster) : undefined;
    return cluster ? this.watchesOf(cluster, true) : [];
  }

  private watchesOf(cluster: FollowedCluster, rooted: boolean): WatchNode[] {
    return cluster.watches.list().map((watch) => ({ kind: 'watch', watch, cluster: cluster.entry.key, rooted }));
  }

  getParent(node: Node): Node | undefined {
    const cluster = node.kind === 'watch' && node.cluster && this.clusters.shown().length > 1 ? this.clusters.get(node.cluster) : undefined;
    return cluster && this.roots.of(cluster);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'cluster') {
      const cluster = this.clusters.get(node.cluster);
      if (!cluster) return new vscode.TreeItem(node.cluster);
      const n = cluster.watches.size;
      return this.roots.item(cluster, n === 1 ? t('1 watched') : t('{0} watched', n));
    }
    const w = node.watch;
    const item = new vscode.TreeItem(w.name ?? w.uuid);
    item.id = node.rooted ? `watch:${node.cluster}:${w.uuid}` : `watch:${w.uuid}`;
    const parts = [w.kind ? kindInWords(w.kind) : t('object')];
    if (w.state) parts.push(w.state);
    if (w.outcome && w.outcome !== w.state) parts.push(w.outcome);
    item.description = parts.join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMarkdown(w.name ?? w.uuid)}**\n\n`);
    md.appendMarkdown(`- \`uuid\`: ${escapeMarkdown(w.uuid)}\n`);
    if (w.kind) md.appendMarkdown(`- \`kind\`: ${escapeMarkdown(w.kind)}\n`);
    if (w.state) md.appendMarkdown(`- ${escapeMarkdown(t('state'))}: ${escapeMarkdown(w.state)}\n`);
    if (w.outcome) md.appendMarkdown(`- ${escapeMarkdown(t('outcome'))}: ${escapeMarkdown(w.outcome)}\n`);
    if (w.lastEventAt) md.appendMarkdown(`- ${escapeMarkdown(t('last event'))}: ${escapeMarkdown(w.lastEventAt)} (#${w.lastEventId})\n`);
    item.tooltip = md;
    item.iconPath = iconOf(w);
    item.contextValue = ITEMS.watchOf(w.kind);
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
