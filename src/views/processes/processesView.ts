/**
 * The Processes view: each followed cluster's process tree (src/model/processes/tree.ts), under a
 * root node per cluster while several are shown, as workflows and their steps, each row with its status word and icon, runtime, cost and a workflow's steps
 * per status; Markdown tooltips. The model announces changes at most 4 times a second; the view
 * refreshes once per announcement.
 */
import * as vscode from 'vscode';
import { processDescription, processTooltip, statusIcon, nameOf } from '../../model/processes/presentation';
import { isFinished } from '../../model/processes/status';
import type { ProcessTree, TreeFilter } from '../../model/processes/tree';
import { ITEMS, VIEWS } from '../ids';
import type { FollowedCluster } from '../../model/followedCluster';
import { ClusterNodes, type ClusterSections } from '../clusterNodes';
import { Pacer } from '../pacer';
import type { ClusterNode, ProcessTreeNode } from '../nodes';

type Node = ProcessTreeNode | ClusterNode;

/** One cluster's process tree. */
export interface ProcessSection {
  readonly cluster: FollowedCluster;
  readonly tree: ProcessTree;
}

export type ProcessSections = ClusterSections<ProcessSection>;

export class ProcessesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<Node>;
  /** Nodes handed to VS Code, by cluster and uuid, so getParent and reveal see the same objects. */
  private readonly handed = new Map<string, ProcessTreeNode>();
  private readonly roots = new ClusterNodes(VIEWS.processes);
  /** A workflow's thousands of steps are built 100 per event-loop turn. */
  private readonly pacer = new Pacer(100);

  constructor(
    private readonly sections: ProcessSections,
    private readonly filter: () => TreeFilter,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.processes, { treeDataProvider: this, showCollapseAll: true });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
    const shown = this.sections.shown();
    const any = shown.some((s) => s.tree.size > 0);
    const matching = shown.some((s) => s.tree.roots(this.filter()).length > 0);
    this.treeView.message = matching || !any ? undefined : vscode.l10n.t('No process matches the filters in the title bar.');
  }

  private nodeFor(section: ProcessSection, uuid: string): ProcessTreeNode {
    const cluster = section.cluster.entry.key;
    const key = `${cluster}\n${uuid}`;
    let n = this.handed.get(key);
    if (!n) {
      n = { kind: 'process', uuid, host: section.cluster.connection.host, cluster };
      this.handed.set(key, n);
    }
    return n;
  }

  private sectionOf(node: Node): ProcessSection | undefined {
    return node.cluster !== undefined ? this.sections.get(node.cluster) : this.sections.shown()[0];
  }

  getChildren(node?: Node): Node[] {
    this.pacer.restart();
    const shown = this.sections.shown();
    if (!node) {
      // Forget nodes of requests that left their tree (bounded by the trees' own sizes).
      for (const [key, n] of this.handed) if (!this.sectionOf(n)?.tree.node(n.uuid)) this.handed.delete(key);
      if (shown.length > 1) return shown.map((s) => this.roots.of(s.cluster));
      return shown[0] ? this.childrenIn(shown[0]) : [];
    }
    const section = this.sectionOf(node);
    if (!section) return [];
    return node.kind === 'cluster' ? this.childrenIn(section) : this.childrenIn(section, node.uuid);
  }

  private childrenIn(section: ProcessSection, parent?: string): ProcessTreeNode[] {
    const list = parent ? section.tree.children(parent, this.filter()) : section.tree.roots(this.filter());
    return list.map((n) => this.nodeFor(section, n.uuid));
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'cluster') return undefined;
    const section = this.sectionOf(node);
    if (!section) return undefined;
    const parent = section.tree.parentOf(node.uuid);
    if (parent) return this.nodeFor(section, parent.uuid);
    return this.sections.shown().length > 1 ? this.roots.of(section.cluster) : undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.pacer.build(() => this.treeItem(node));
  }

  private treeItem(node: Node): vscode.TreeItem {
    const section = this.sectionOf(node);
    if (node.kind === 'cluster') {
      if (!section) return new vscode.TreeItem(node.cluster);
      const n = section.tree.roots(this.filter()).length;
      return this.roots.item(section.cluster, n === 1 ? vscode.l10n.t('1 process') : vscode.l10n.t('{0} processes', n));
    }
    if (!section) return new vscode.TreeItem(node.uuid);
    const tree = section.tree;
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
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind !== 'process') return item;
    const tree = this.sectionOf(node)?.tree;
    const p = tree?.node(node.uuid);
    if (tree && p) item.tooltip = new vscode.MarkdownString(processTooltip(tree, p, Date.now()));
    return item;
  }

  dispose(): void {
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
