/**
 * What the Events view shows: the bounded buffer plus, when grouping, the group index, and for
 * each batch the smallest refresh that shows it (nothing, some groups, or the root).
 */
import type { ArvadosEvent } from '../arvados';
import { EventBuffer } from './eventBuffer';
import { EventGroup, GroupIndex, groupKey, type GroupBy } from './grouping';

export type EventsNode = ArvadosEvent | EventGroup;

export function isGroup(node: unknown): node is EventGroup {
  return node instanceof EventGroup;
}

export type TreeChange = { kind: 'none' } | { kind: 'root' } | { kind: 'groups'; groups: EventGroup[] };

/** Past this many changed groups one root refresh is cheaper than many element refreshes. */
const MAX_GROUP_REFRESHES = 50;

export class EventsModel {
  readonly buffer: EventBuffer;
  private index?: GroupIndex;
  private by: GroupBy;

  constructor(capacity: number, groupBy: GroupBy = 'none') {
    this.buffer = new EventBuffer(capacity);
    this.by = groupBy;
    if (groupBy !== 'none') this.index = new GroupIndex(groupBy);
  }

  get groupBy(): GroupBy {
    return this.by;
  }

  get size(): number {
    return this.buffer.size;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  add(events: readonly ArvadosEvent[], droppedUpstream = 0): TreeChange {
    this.buffer.addDropped(droppedUpstream);
    if (!events.length) return { kind: 'none' };
    const { added, evicted } = this.buffer.pushAll(events);
    if (!added.length && !evicted.length) return { kind: 'none' };
    return this.changeOf(added, evicted);
  }

  private changeOf(added: ArvadosEvent[], evicted: ArvadosEvent[]): TreeChange {
    if (!this.index) return { kind: 'root' };
    const { changed, structureChanged } = this.index.apply(added, evicted);
    if (structureChanged || changed.length > MAX_GROUP_REFRESHES) return { kind: 'root' };
    return changed.length ? { kind: 'groups', groups: changed } : { kind: 'none' };
  }

  setGroupBy(by: GroupBy): void {
    if (by === this.by) return;
    this.by = by;
    this.index = by === 'none' ? undefined : new GroupIndex(by);
    this.index?.rebuild(this.buffer.oldestFirst());
  }

  resize(capacity: number): TreeChange {
    if (capacity === this.buffer.capacity) return { kind: 'none' };
    const evicted = this.buffer.resize(capacity);
    return evicted.length ? this.changeOf([], evicted) : { kind: 'none' };
  }

  clear(): void {
    this.buffer.clear();
    this.index?.rebuild([]);
  }

  /** Top-level nodes: events newest first, or groups. */
  roots(): EventsNode[] {
    return this.index ? this.index.list() : this.buffer.newestFirst();
  }

  children(node?: EventsNode): EventsNode[] {
    if (!node) return this.roots();
    return isGroup(node) ? node.newestFirst() : [];
  }

  /** The group an event is shown in, for TreeView.reveal. */
  parentOf(node: EventsNode): EventGroup | undefined {
    if (isGroup(node) || !this.index) return undefined;
    return this.index.get(groupKey(node, this.index.by));
  }

  get(id: number): ArvadosEvent | undefined {
    return this.buffer.get(id);
  }
}
