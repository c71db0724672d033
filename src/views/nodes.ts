/**
 * Tree nodes, each with a kind tag. VS Code passes the clicked node to a context-menu command, so
 * commands read their argument by its tag instead of guessing from its shape.
 */
import type { ArvadosEvent, Filter } from '../arvados';
import type { OlderEvents } from '../model/eventsModel';
import type { EventGroup } from '../model/grouping';
import type { Watch } from '../model/watches';

export interface EventNode {
  readonly kind: 'event';
  readonly event: ArvadosEvent;
  /** The cluster the event came from. */
  readonly host?: string;
  /** Its cluster's key (see ClusterEntry). */
  readonly cluster?: string;
}

export interface GroupNode {
  readonly kind: 'group';
  readonly group: EventGroup;
  readonly cluster?: string;
}

/** "N older events" under the flat Events view's newest rows; `older` is replaced as the buffer moves. */
export interface OlderEventsNode {
  readonly kind: 'older';
  older: OlderEvents;
  /** Its cluster's key (see ClusterEntry). */
  readonly cluster?: string;
}

export interface WatchNode {
  readonly kind: 'watch';
  readonly watch: Watch;
  readonly cluster?: string;
  /** Shown under its cluster's root node. */
  readonly rooted?: boolean;
}

/** A followed cluster, the root of its part of a view while several are shown. */
export interface ClusterNode {
  readonly kind: 'cluster';
  /** The cluster's key (see ClusterEntry). */
  readonly cluster: string;
}

export interface FilterNode {
  readonly kind: 'filter';
  readonly filter: Filter;
  /** The cluster whose filter it is. */
  readonly cluster: string;
}

export interface AllEventsNode {
  readonly kind: 'allEvents';
  readonly cluster: string;
}

/** A process (container request) in the Processes view. */
export interface ProcessTreeNode {
  readonly kind: 'process';
  readonly uuid: string;
  /** The cluster it runs on. */
  readonly host?: string;
  /** Its cluster's key (see ClusterEntry). */
  readonly cluster?: string;
}

export type TreeNode = EventNode | GroupNode | OlderEventsNode | WatchNode | FilterNode | AllEventsNode | ProcessTreeNode | ClusterNode;

function isNode(arg: unknown): arg is TreeNode {
  return typeof arg === 'object' && arg !== null && typeof (arg as { kind?: unknown }).kind === 'string';
}

/** The object uuid a command argument stands for: a node's object, or a uuid (a notification's action). */
export function uuidOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (!isNode(arg)) return undefined;
  switch (arg.kind) {
    case 'event':
      return arg.event.object_uuid || undefined;
    case 'group':
      return arg.group.by === 'object' ? arg.group.key || undefined : undefined;
    case 'watch':
      return arg.watch.uuid;
    case 'process':
      return arg.uuid;
    default:
      return undefined;
  }
}

/** The node when it is of that kind. */
export function nodeOf<K extends TreeNode['kind']>(arg: unknown, kind: K): Extract<TreeNode, { kind: K }> | undefined {
  return isNode(arg) && arg.kind === kind ? (arg as Extract<TreeNode, { kind: K }>) : undefined;
}
