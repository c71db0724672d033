/**
 * The Subscriptions view: one node per filter, or a single "All events" node when there are none
 * (no filters means everything).
 */
import * as vscode from 'vscode';
import { describeFilter, type Filter } from '../../arvados';
import { t } from '../../model/l10n';
import { ITEMS, VIEWS } from '../ids';
import type { AllEventsNode, FilterNode } from '../nodes';

type SubscriptionNode = FilterNode | AllEventsNode;

export class SubscriptionsView implements vscode.TreeDataProvider<SubscriptionNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<SubscriptionNode>;

  constructor(
    private readonly filters: () => readonly Filter[],
    /** The cluster the filters are kept for: filters are per cluster, and so are their tree ids. */
    private readonly host: () => string | undefined,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.subscriptions, { treeDataProvider: this });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getChildren(node?: SubscriptionNode): SubscriptionNode[] {
    if (node) return [];
    const filters = this.filters();
    return filters.length ? filters.map((filter) => ({ kind: 'filter', filter })) : [{ kind: 'allEvents' }];
  }

  getTreeItem(node: SubscriptionNode): vscode.TreeItem {
    if (node.kind === 'allEvents') {
      const item = new vscode.TreeItem(t('All events'));
      item.id = `subscription:${this.host() ?? ''}/all`;
      item.description = t('no filters: every event the token may read');
      item.tooltip = t('With no filters, the Events view follows every event this token may read. Add a filter to narrow it; removing the last filter widens it back.');
      item.iconPath = new vscode.ThemeIcon('globe');
      item.contextValue = ITEMS.allEvents;
      return item;
    }
    const json = JSON.stringify(node.filter);
    const item = new vscode.TreeItem(describeFilter(node.filter));
    item.id = `subscription:${this.host() ?? ''}/${json}`;
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
