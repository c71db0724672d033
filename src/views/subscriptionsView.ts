/**
 * The Subscriptions view: one node per filter, or a single "All events" node when there are none
 * (no filters means everything).
 */
import * as vscode from 'vscode';
import { describeFilter, type Filter } from '../arvados';
import { t } from '../model/l10n';

export const SUBSCRIPTIONS_VIEW_ID = 'arvados.subscriptions';

export type SubscriptionNode = { type: 'filter'; filter: Filter } | { type: 'all' };

export function isFilterNode(v: unknown): v is { type: 'filter'; filter: Filter } {
  return typeof v === 'object' && v !== null && (v as SubscriptionNode).type === 'filter' && Array.isArray((v as { filter: unknown }).filter);
}

export class SubscriptionsView implements vscode.TreeDataProvider<SubscriptionNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<SubscriptionNode>;

  constructor(private readonly filters: () => readonly Filter[]) {
    this.treeView = vscode.window.createTreeView(SUBSCRIPTIONS_VIEW_ID, { treeDataProvider: this });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getChildren(node?: SubscriptionNode): SubscriptionNode[] {
    if (node) return [];
    const filters = this.filters();
    return filters.length ? filters.map((filter) => ({ type: 'filter', filter })) : [{ type: 'all' }];
  }

  getTreeItem(node: SubscriptionNode): vscode.TreeItem {
    if (node.type === 'all') {
      const item = new vscode.TreeItem(t('All events'));
      item.id = 'subscription:all';
      item.description = t('no filters: every event the token may read');
      item.tooltip = t('With no filters, the Events view follows every event this token may read. Add a filter to narrow it; removing the last filter widens it back.');
      item.iconPath = new vscode.ThemeIcon('globe');
      item.contextValue = 'allEvents';
      return item;
    }
    const json = JSON.stringify(node.filter);
    const item = new vscode.TreeItem(describeFilter(node.filter));
    item.id = `subscription:${json}`;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(JSON.stringify(node.filter, null, 2), 'json');
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon('filter');
    item.contextValue = 'filter';
    return item;
  }

  dispose(): void {
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
