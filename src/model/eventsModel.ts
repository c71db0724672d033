/**
 * What the Events view shows: the bounded buffer plus, when grouping, the group index, and for
 * each batch the smallest refresh that shows it (nothing, some groups, or the root).
 */
import type { ArvadosEvent } from '../arvados';
import { EventBuffer } from './eventBuffer';
import { EventGroup, GroupIndex, groupKey, type GroupBy } from './grouping';

/**
 * Rows of one level of the flat view. A refresh of the root makes VS Code rebuild and send every
 * root item, in one task after the last getTreeItem (which Pacer cannot split); past this many the
 * rest are under an "N older events" node, read when expanded. 500, not 1,000: in the flood
 * benchmark 1,000 rows left an event-loop p99 of ~25 ms and ~6 MB retained per flood, 500 rows
 * ~15 ms and ~3 MB.
 */
export const FLAT_PAGE = 500;

/** The flat view's events from the `start`-th newest on (`count` of them), shown when expanded. */
export class OlderEvents {
  constructor(
    readonly start: number,
    readonly count: number,
  ) {}
}

export type EventsNode = ArvadosEvent | EventGroup | OlderEvents;

export function isGroup(node: unknown): node is EventGroup {
  return node instanceof EventGroup;
}

export function isOlder(node: unknown): node is OlderEvents {
  return node instanceof OlderEvents;
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

  /** Top-level nodes: the newest FLAT_PAGE events and an OlderEvents node for the rest, or groups. */
  roots(): EventsNode[] {
    return this.index ? this.index.list() : this.page(0);
  }

  children(node?: EventsNode): EventsNode[] {
    if (!node) return this.roots();
    if (isOlder(node)) return this.index ? [] : this.page(node.start);
    return isGroup(node) ? node.newestFirst() : [];
  }

  private page(start: number): EventsNode[] {
    const end = start + FLAT_PAGE;
    const rows: EventsNode[] = this.buffer.newestSlice(start, end);
    if (this.buffer.size > end) rows.push(new OlderEvents(end, this.buffer.size - end));
    return rows;
  }

  /** The node an event (or an OlderEvents node) is shown under, for TreeView.reveal; undefined for the root. */
  parentOf(node: EventsNode): EventGroup | OlderEvents | undefined {
    if (isGroup(node)) return undefined;
    if (!this.index) {
      const rank = isOlder(node) ? node.start - 1 : this.buffer.rankOf(node);
      const start = Math.floor(rank / FLAT_PAGE) * FLAT_PAGE;
      return start > 0 ? new OlderEvents(start, this.buffer.size - start) : undefined;
    }
    return isOlder(node) ? undefined : this.index.get(groupKey(node, this.index.by));
  }

  get(id: number): ArvadosEvent | undefined {
    return this.buffer.get(id);
  }
}
