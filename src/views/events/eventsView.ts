/**
 * The Events view: a thin adapter from EventsModel to a TreeView, one model per followed cluster
 * (a section), under a root node per cluster while several are shown. It refreshes only what a
 * batch changed (changed groups, or the section's root in flat mode), does no tree work while
 * hidden (catching up when shown), and builds tooltips lazily. Its nodes are tagged (EventNode,
 * GroupNode, ClusterNode), made once per event or group so that refreshes and reveal keep their
 * identity; each names its cluster, since event ids and UUIDs of two clusters may collide.
 */
import * as vscode from 'vscode';
import type { ArvadosEvent } from '../../arvados';
import { outcomeInWords } from '../../arvados/outcome';
import type { EventsModel, EventsNode, TreeChange } from '../../model/eventsModel';
import { isGroup, isOlder } from '../../model/eventsModel';
import { eventId, groupLabel, type EventGroup } from '../../model/grouping';
import { eventAccessibleLabel, eventDescription, eventIcon, eventTooltip } from '../../model/labels';
import { t } from '../../model/l10n';
import { registerLoopCounter } from '../../model/loopMonitor';
import type { ObjectFacts } from '../../model/objects';
import { eventsDescription, type CountsInput } from '../../model/status';
import { COMMANDS, ITEMS, VIEWS } from '../ids';
import type { ClusterNode, EventNode, GroupNode, OlderEventsNode } from '../nodes';
import { ClusterNodes, type ClusterSections } from '../clusterNodes';
import { Pacer } from '../pacer';
import type { FollowedCluster } from '../../model/followedCluster';

type Node = EventNode | GroupNode | OlderEventsNode | ClusterNode;

/** One cluster's part of the view. */
export interface EventsSection {
  readonly cluster: FollowedCluster;
  readonly model: EventsModel;
}

export type EventsSections = ClusterSections<EventsSection>;

const GROUP_ICONS = { object: 'symbol-object', kind: 'symbol-class', eventType: 'symbol-event' } as const;
/** Relative times in descriptions are refreshed this often while the view is visible. */
const RELATIVE_TIME_REFRESH_MS = 30_000;

export class EventsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<Node>;
  private readonly eventNodes = new WeakMap<ArvadosEvent, EventNode>();
  private readonly groupNodes = new WeakMap<EventGroup, GroupNode>();
  private readonly olderNodes = new Map<string, OlderEventsNode>();
  private dirty = false;
  private pendingGroups = new Set<EventGroup>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly clock: NodeJS.Timeout;
  private frozen = false;
  private descriptionText = '';
  private problem?: string;
  private readonly roots = new ClusterNodes(VIEWS.events);
  /** A refresh's rows are built 100 per event-loop turn. */
  private readonly pacer = new Pacer(100);
  /** Refreshes done, for diagnostics. */
  refreshes = 0;
  /** Refreshes of the whole tree (the root). */
  private wholeRefreshes = 0;
  private lastRefreshAt = 0;

  constructor(private readonly sections: EventsSections) {
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
      // Not while events keep coming: their refreshes update the relative times too.
      if (this.treeView.visible && !this.frozen && this.size && Date.now() - this.lastRefreshAt > 1000) this.refreshRoot();
    }, RELATIVE_TIME_REFRESH_MS);
    this.clock.unref?.();
  }

  /** While paused the view does not move, not even its relative times. */
  setFrozen(frozen: boolean): void {
    this.frozen = frozen;
  }

  /** Events shown, in every section. */
  get size(): number {
    return this.sections.shown().reduce((n, s) => n + s.model.size, 0);
  }

  private get several(): boolean {
    return this.sections.shown().length > 1;
  }

  /** Shows a change of one section's model: at most one refresh call per batch, none while hidden. */
  apply(change: TreeChange, section: EventsSection): void {
    if (change.kind === 'none') return;
    if (!this.treeView.visible) {
      this.dirty = true;
      return;
    }
    if (change.kind === 'root') {
      if (this.several && this.sections.shown().includes(section)) {
        this.counted();
        this.changeEmitter.fire(this.roots.of(section.cluster));
      } else this.refreshRoot();
    } else this.refreshGroups(change.groups, section);
  }

  private soon?: NodeJS.Timeout;

  /**
   * Refreshes within a quarter second, once however often asked (outcomes arriving one by one),
   * unless the whole tree is refreshed meanwhile: that shows the change too (in a flood of the
   * flat view, one every 250 ms).
   */
  refreshSoon(): void {
    if (this.soon) return;
    const askedAt = this.wholeRefreshes;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      if (!this.frozen && this.wholeRefreshes === askedAt) this.refreshRoot();
    }, 250);
    this.soon.unref?.();
  }

  /** Every refresh passes here: counted for the diagnostics, and timed. */
  private counted(): void {
    this.refreshes++;
    this.lastRefreshAt = Date.now();
  }

  /** Everything changed (grouping, clear). */
  refreshRoot(): void {
    if (!this.treeView.visible) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.pendingGroups.clear();
    this.counted();
    this.wholeRefreshes++;
    this.changeEmitter.fire(undefined);
  }

  private refreshGroups(groups: EventGroup[], section: EventsSection): void {
    this.counted();
    this.changeEmitter.fire(groups.map((g) => this.nodeOf(g, section)));
  }

  private nodeOf(node: EventsNode, section: EventsSection): EventNode | GroupNode | OlderEventsNode {
    const cluster = section.cluster.entry.key;
    if (isOlder(node)) {
      // By cluster and the position it starts at, so that an expanded "older events" node stays expanded.
      const key = `${cluster}\n${node.start}`;
      let n = this.olderNodes.get(key);
      if (!n) this.olderNodes.set(key, (n = { kind: 'older', older: node, cluster }));
      n.older = node;
      return n;
    }
    if (isGroup(node)) {
      let n = this.groupNodes.get(node);
      if (!n) this.groupNodes.set(node, (n = { kind: 'group', group: node, cluster }));
      return n;
    }
    let n = this.eventNodes.get(node);
    if (!n) this.eventNodes.set(node, (n = { kind: 'event', event: node, host: section.cluster.connection.host, cluster }));
    return n;
  }

  /** The node of an event still in the buffer: what a row's command arguments (event id, cluster key) stand for. */
  eventNode(id: number, cluster?: string): EventNode | undefined {
    const section = cluster !== undefined ? this.sections.get(cluster) : this.sections.shown()[0];
    const ev = section?.model.get(id);
    return ev && section ? (this.nodeOf(ev, section) as EventNode) : undefined;
  }

  /** The section a node belongs to. */
  private sectionOf(node: Node): EventsSection | undefined {
    return node.cluster !== undefined ? this.sections.get(node.cluster) : this.sections.shown()[0];
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
    const message = this.problem && this.size ? this.problem : undefined;
    if (this.treeView.message !== message) this.treeView.message = message;
  }

  // TreeDataProvider

  getChildren(node?: Node): Node[] {
    this.pacer.restart();
    if (!node) {
      const shown = this.sections.shown();
      if (shown.length > 1) return shown.map((s) => this.roots.of(s.cluster));
      return shown[0] ? this.childrenIn(shown[0]) : [];
    }
    const section = this.sectionOf(node);
    if (!section) return [];
    if (node.kind === 'cluster') return this.childrenIn(section);
    return this.childrenIn(section, modelNode(node));
  }

  private childrenIn(section: EventsSection, parent?: EventsNode): Node[] {
    return section.model.children(parent).map((n) => this.nodeOf(n, section));
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'cluster') return undefined;
    const section = this.sectionOf(node);
    if (!section) return undefined;
    const parent = node.kind === 'group' ? undefined : section.model.parentOf(modelNode(node));
    if (parent) return this.nodeOf(parent, section);
    return this.several ? this.roots.of(section.cluster) : undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.pacer.build(() => this.treeItem(node));
  }

  private treeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'cluster') {
      const section = this.sections.get(node.cluster);
      if (!section) return new vscode.TreeItem(node.cluster);
      const n = section.model.size;
      return this.roots.item(section.cluster, n === 1 ? t('1 event') : t('{0} events', n));
    }
    if (node.kind === 'older') return this.olderItem(node);
    const objects = this.sectionOf(node)?.cluster.objects;
    if (!objects) return new vscode.TreeItem('');
    return node.kind === 'group' ? this.groupItem(node.group, objects, node.cluster) : this.eventItem(node, objects);
  }

  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind !== 'event') return item;
    const objects = this.sectionOf(node)?.cluster.objects;
    if (!objects) return item;
    const ev = node.event;
    const outcome = objects.outcomeOf(ev.object_uuid);
    const md = new vscode.MarkdownString(eventTooltip(ev, objects.names, outcome, outcome && outcomeInWords(outcome)));
    md.supportHtml = false;
    md.isTrusted = false;
    item.tooltip = md;
    return item;
  }

  private eventItem(node: EventNode, objects: ObjectFacts): vscode.TreeItem {
    const ev = node.event;
    const item = new vscode.TreeItem(objects.label(ev), vscode.TreeItemCollapsibleState.None);
    item.id = eventId(ev, node.host);
    const outcome = objects.outcomeForRow(ev);
    const now = Date.now();
    item.description = eventDescription(ev, now, outcome);
    // The state and outcome in words too, not only in the icon and its colour.
    item.accessibilityInformation = { label: eventAccessibleLabel(ev, objects.names, now, outcome) };
    const icon = eventIcon(ev, outcome);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = ITEMS.eventOf(ev.object_kind);
    // The id (and the cluster's key), not the event: VS Code keeps every row's arguments until the next refresh.
    item.command = { command: COMMANDS.openEvent, title: t('Open Event'), arguments: [ev.id, node.cluster] };
    return item;
  }

  private olderItem({ older, cluster }: OlderEventsNode): vscode.TreeItem {
    const item = new vscode.TreeItem(older.count === 1 ? t('1 older event') : t('{0} older events', older.count), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.several && cluster ? `${cluster}/older-events:${older.start}` : `older-events:${older.start}`;
    item.iconPath = new vscode.ThemeIcon('history');
    return item;
  }

  private groupItem(group: EventGroup, objects: ObjectFacts, cluster: string | undefined): vscode.TreeItem {
    const item = new vscode.TreeItem(groupLabel(group, objects.names), vscode.TreeItemCollapsibleState.Collapsed);
    // Two clusters' groups of one kind or event type: ids of their own.
    item.id = this.several && cluster ? `${cluster}/${group.id}` : group.id;
    item.description = group.size === 1 ? t('1 event') : t('{0} events', group.size);
    item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[group.by]);
    item.contextValue = ITEMS.group(group.by);
    if (group.by === 'object') item.tooltip = group.key;
    return item;
  }

  dispose(): void {
    clearInterval(this.clock);
    clearTimeout(this.soon);
    this.olderNodes.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function modelNode(node: EventNode | GroupNode | OlderEventsNode): EventsNode {
  return node.kind === 'group' ? node.group : node.kind === 'older' ? node.older : node.event;
}
