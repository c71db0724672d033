/**
 * The Events view: a thin adapter from EventsModel to a TreeView. It refreshes only what a batch
 * changed (changed groups, or the root in flat mode), does no tree work while hidden (catching up
 * when shown), and builds tooltips lazily. Its nodes are tagged (EventNode, GroupNode), made once
 * per event or group so that refreshes and reveal keep their identity.
 */
import * as vscode from 'vscode';
import type { ArvadosEvent } from '../../arvados';
import { outcomeInWords } from '../../arvados/outcome';
import type { EventsModel, EventsNode, TreeChange } from '../../model/eventsModel';
import { isGroup, isOlder } from '../../model/eventsModel';
import { eventId, groupLabel, type EventGroup } from '../../model/grouping';
import { eventDescription, eventIcon, eventTooltip } from '../../model/labels';
import { t } from '../../model/l10n';
import { registerLoopCounter } from '../../model/loopMonitor';
import type { ObjectFacts } from '../../model/objects';
import { eventsDescription, type CountsInput } from '../../model/status';
import { COMMANDS, ITEMS, VIEWS } from '../ids';
import type { EventNode, GroupNode, OlderEventsNode } from '../nodes';

type Node = EventNode | GroupNode | OlderEventsNode;

const GROUP_ICONS = { object: 'symbol-object', kind: 'symbol-class', eventType: 'symbol-event' } as const;
/** Relative times in descriptions are refreshed this often while the view is visible. */
const RELATIVE_TIME_REFRESH_MS = 30_000;

export class EventsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<Node>;
  private readonly eventNodes = new WeakMap<ArvadosEvent, EventNode>();
  private readonly groupNodes = new WeakMap<EventGroup, GroupNode>();
  /** By the position they start at, so that an expanded "older events" node stays expanded. */
  private readonly olderNodes = new Map<number, OlderEventsNode>();
  private dirty = false;
  private pendingGroups = new Set<EventGroup>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly clock: NodeJS.Timeout;
  private frozen = false;
  private descriptionText = '';
  private problem?: string;
  /** Refreshes done, for diagnostics. */
  refreshes = 0;

  constructor(
    private readonly model: EventsModel,
    private readonly objects: ObjectFacts,
    /** The cluster the shown events come from: it is part of their tree ids. */
    private readonly host: () => string | undefined,
  ) {
    this.treeView = vscode.window.createTreeView(VIEWS.events, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.treeView,
      this.changeEmitter,
      this.treeView.onDidChangeVisibility((e) => {
        if (e.visible) this.catchUp();
      }),
      // Reported with the event-loop monitor's lines (arvados.diagnostics.eventLoopMonitor), for the benchmarks.
      registerLoopCounter('tree refreshes', () => this.refreshes),
    );
    this.clock = setInterval(() => {
      if (this.treeView.visible && !this.frozen && this.model.size) this.refreshRoot();
    }, RELATIVE_TIME_REFRESH_MS);
    this.clock.unref?.();
  }

  /** While paused the view does not move, not even its relative times. */
  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  /** Shows a model change: at most one refresh call per batch, none while hidden. */
  apply(change: TreeChange): void {
    if (change.kind === 'none') return;
    if (!this.treeView.visible) {
      this.dirty = true;
      return;
    }
    if (change.kind === 'root') this.refreshRoot();
    else this.refreshGroups(change.groups);
  }

  /** Everything changed (grouping, clear). */
  refreshRoot(): void {
    if (!this.treeView.visible) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.pendingGroups.clear();
    this.refreshes++;
    this.changeEmitter.fire(undefined);
  }

  private refreshGroups(groups: EventGroup[]): void {
    this.refreshes++;
    this.changeEmitter.fire(groups.map((g) => this.nodeOf(g)));
  }

  private nodeOf(node: EventsNode): Node {
    if (isOlder(node)) {
      let n = this.olderNodes.get(node.start);
      if (!n) this.olderNodes.set(node.start, (n = { kind: 'older', older: node }));
      n.older = node;
      return n;
    }
    if (isGroup(node)) {
      let n = this.groupNodes.get(node);
      if (!n) this.groupNodes.set(node, (n = { kind: 'group', group: node }));
      return n;
    }
    let n = this.eventNodes.get(node);
    if (!n) this.eventNodes.set(node, (n = { kind: 'event', event: node, host: this.host() }));
    return n;
  }

  /** The node of an event still in the buffer: what a row's command argument (the event id) stands for. */
  eventNode(id: number): EventNode | undefined {
    const ev = this.model.get(id);
    return ev && (this.nodeOf(ev) as EventNode);
  }

  private catchUp(): void {
    if (this.dirty) this.refreshRoot();
  }

  setDescription(counts: CountsInput): void {
    this.updateMessage();
    const text = eventsDescription(counts);
    if (text === this.descriptionText) return;
    this.descriptionText = text;
    this.treeView.description = text;
  }

  /**
   * The reason the connection failed. VS Code hides the welcome content (with its buttons) while
   * a view has a message, so the message is shown only when there are events to keep showing.
   */
  setProblem(problem: string | undefined): void {
    this.problem = problem;
    this.updateMessage();
  }

  private updateMessage(): void {
    const message = this.problem && this.model.size ? this.problem : undefined;
    if (this.treeView.message !== message) this.treeView.message = message;
  }

  // TreeDataProvider

  getChildren(node?: Node): Node[] {
    return this.model.children(node && modelNode(node)).map((n) => this.nodeOf(n));
  }

  getParent(node: Node): Node | undefined {
    const parent = node.kind === 'group' ? undefined : this.model.parentOf(modelNode(node));
    return parent && this.nodeOf(parent);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'older') return this.olderItem(node);
    return node.kind === 'group' ? this.groupItem(node.group) : this.eventItem(node);
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind !== 'event') return item;
    const ev = node.event;
    const outcome = this.objects.outcomeOf(ev.object_uuid);
    const md = new vscode.MarkdownString(eventTooltip(ev, this.objects.names, outcome, outcome && outcomeInWords(outcome)));
    md.supportHtml = false;
    md.isTrusted = false;
    item.tooltip = md;
    return item;
  }

  private eventItem(node: EventNode): vscode.TreeItem {
    const ev = node.event;
    const item = new vscode.TreeItem(this.objects.label(ev), vscode.TreeItemCollapsibleState.None);
    item.id = eventId(ev, node.host);
    item.description = eventDescription(ev, Date.now());
    const icon = eventIcon(ev, this.objects.outcomeOf(ev.object_uuid));
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = ITEMS.eventOf(ev.object_kind);
    // The id, not the event: VS Code keeps every row's arguments until the next refresh.
    item.command = { command: COMMANDS.openEvent, title: t('Open Event'), arguments: [ev.id] };
    return item;
  }

  private olderItem({ older }: OlderEventsNode): vscode.TreeItem {
    const item = new vscode.TreeItem(older.count === 1 ? t('1 older event') : t('{0} older events', older.count), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `older-events:${older.start}`;
    item.iconPath = new vscode.ThemeIcon('history');
    return item;
  }

  private groupItem(group: EventGroup): vscode.TreeItem {
    const item = new vscode.TreeItem(groupLabel(group, this.objects.names), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = group.id;
    item.description = group.size === 1 ? t('1 event') : t('{0} events', group.size);
    item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[group.by]);
    item.contextValue = ITEMS.group(group.by);
    if (group.by === 'object') item.tooltip = group.key;
    return item;
  }

  dispose(): void {
    clearInterval(this.clock);
    this.olderNodes.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function modelNode(node: Node): EventsNode {
  return node.kind === 'group' ? node.group : node.kind === 'older' ? node.older : node.event;
}
