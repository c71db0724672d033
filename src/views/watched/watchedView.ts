/** The Watched Objects view: watched uuids with their name and last known state. */
import * as vscode from 'vscode';
import { kindInWords } from '../../arvados';
import { COLORS, escapeMarkdown } from '../../model/labels';
import { t } from '../../model/l10n';
import type { Watch, WatchList } from '../../model/watches';
import { ITEMS, VIEWS } from '../ids';
import type { WatchNode } from '../nodes';

function iconOf(w: Watch): vscode.ThemeIcon {
  const color = (id: string) => new vscode.ThemeColor(id);
  if (w.outcomeStatus === 'succeeded') return new vscode.ThemeIcon('pass', color(COLORS.success));
  if (w.outcomeStatus === 'failed') return new vscode.ThemeIcon('error', color(COLORS.failure));
  if (w.outcomeStatus === 'cancelled' || w.state === 'Cancelled') return new vscode.ThemeIcon('circle-slash', color(COLORS.cancelled));
  if (w.state === 'Running') return new vscode.ThemeIcon('play-circle', color(COLORS.running));
  if (w.state === 'trashed' || w.state === 'deleted') return new vscode.ThemeIcon('trash', color(COLORS.trashed));
  return new vscode.ThemeIcon('eye');
}

export class WatchedView implements vscode.TreeDataProvider<WatchNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<WatchNode>;
  private timer?: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly watches: WatchList) {
    this.treeView = vscode.window.createTreeView(VIEWS.watched, { treeDataProvider: this });
    // Events about watched objects can come in bursts: refresh at most 4 times a second.
    this.subscription = watches.onDidChange(() => this.refreshSoon());
  }

  private refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changeEmitter.fire(undefined);
    }, 250);
  }

  getChildren(node?: WatchNode): WatchNode[] {
    return node ? [] : this.watches.list().map((watch) => ({ kind: 'watch', watch }));
  }

  getTreeItem({ watch: w }: WatchNode): vscode.TreeItem {
    const item = new vscode.TreeItem(w.name ?? w.uuid);
    item.id = `watch:${w.uuid}`;
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
    this.subscription.dispose();
    this.treeView.dispose();
    this.changeEmitter.dispose();
  }
}
