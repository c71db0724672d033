/**
 * The Processes view: the connection's process tree (src/model/processes/tree.ts) as workflows
 * and their steps, each row with its status word and icon, runtime, cost and a workflow's steps
 * per status; Markdown tooltips. The model announces changes at most 4 times a second; the view
 * refreshes once per announcement.
 */
import * as vscode from 'vscode';
import { processDescription, processTooltip, statusIcon, nameOf } from '../../model/processes/presentation';
import { isFinished } from '../../model/processes/status';
import type { ProcessTree, TreeFilter } from '../../model/processes/tree';
import { ITEMS, VIEWS } from '../ids';
import type { ProcessTreeNode } from '../nodes';

export class ProcessesView implements vscode.TreeDataProvider<ProcessTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<ProcessTreeNode>;
  private readonly subscription: vscode.Disposable;
  /** Nodes handed to VS Code, by uuid, so getParent and reveal see the same objects. */
  private readonly handed = new Map<string, ProcessTreeNode>();

  constructor(
    private readonly tree: () => ProcessTree,
    private readonly filter: () => TreeFilter,
    private readonly host: () => string | undefined,
    onTreeChange: (listener: () => void) => vscode.Disposable,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.processes, { treeDataProvider: this, showCollapseAll: true });
    this.subscription = onTreeChange(() => this.refresh());
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
    const roots = this.tree().roots(this.filter());
    this.treeView.message = roots.length || !this.tree().size ? undefined : vscode.l10n.t('No process matches the filters in the title bar.');
  }

  private nodeFor(uuid: string): ProcessTreeNode {
    let n = this.handed.get(uuid);
    if (!n) {
      n = { kind: 'process', uuid, host: this.host() };
      this.handed.set(uuid, n);
    }
    return n;
  }

  getChildren(node?: ProcessTreeNode): ProcessTreeNode[] {
    const tree = this.tree();
    if (!node) {
      // Forget nodes of requests that left the tree (bounded by the tree's own size).
      for (const uuid of this.handed.keys()) if (!tree.node(uuid)) this.handed.delete(uuid);
    }
    const list = node ? tree.children(node.uuid, this.filter()) : tree.roots(this.filter());
    return list.map((n) => this.nodeFor(n.uuid));
  }

  getParent(node: ProcessTreeNode): ProcessTreeNode | undefined {
    const parent = this.tree().parentOf(node.uuid);
    return parent ? this.nodeFor(parent.uuid) : undefined;
  }

  getTreeItem(node: ProcessTreeNode): vscode.TreeItem {
    const tree = this.tree();
    const p = tree.node(node.uuid);
    if (!p) return new vscode.TreeItem(node.uuid);
    const now = Date.now();
    const item = new vscode.TreeItem(nameOf(p), tree.hasChildren(p.uuid) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `process:${node.host ?? ''}:${p.uuid}`;
    item.description = processDescription(tree, p, now);
    const status = tree.status(p);
    const icon = statusIcon(status);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = ITEMS.process(!isFinished(status) && status.word !== 'Cancelling' && p.request.state === 'Committed');
    item.accessibilityInformation = { label: `${nameOf(p)}, ${item.description}` };
    return item;
  }

  /** The tooltip, built only when the row is hovered: a flood refreshes thousands of rows. */
  resolveTreeItem(item: vscode.TreeItem, node: ProcessTreeNode): vscode.TreeItem {
    const p = this.tree().node(node.uuid);
    if (p) item.tooltip = new vscode.MarkdownString(processTooltip(this.tree(), p, Date.now()));
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
