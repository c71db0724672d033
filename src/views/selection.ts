/**
 * The node selected in the Events view, for commands run from the palette (Watch Object, Add
 * Filter for This Object…): the events feature tracks its tree here, other features only read.
 */
import type * as vscode from 'vscode';
import { uuidOf, type TreeNode } from './nodes';

export class Selection {
  private tree?: vscode.TreeView<TreeNode>;

  track(tree: vscode.TreeView<TreeNode>): void {
    this.tree = tree;
  }

  get node(): TreeNode | undefined {
    return this.tree?.selection[0];
  }

  /** The uuid of the selected event's (or object group's) object. */
  get uuid(): string | undefined {
    return uuidOf(this.node);
  }
}
