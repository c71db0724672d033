/**
 * Groups of events for the Events view: by object, by kind or by event type. Groups are kept up
 * to date incrementally (added events join a group, evicted events leave it), and each keeps a
 * stable key and tree id, so a refresh touches only the groups that changed and expansion
 * survives updates. Object groups are ordered newest first by creation; kind and event type
 * groups alphabetically: neither order changes when an existing group gains events, so adding
 * events to known groups never needs a root refresh.
 */
import { kindInWords, type ArvadosEvent } from '../arvados';
import { t } from './l10n';
import type { NameBook } from './labels';

export type GroupBy = 'none' | 'object' | 'kind' | 'eventType';
export const GROUP_BY_VALUES: readonly GroupBy[] = ['none', 'object', 'kind', 'eventType'];

export function isGroupBy(v: unknown): v is GroupBy {
  return typeof v === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(v);
}

/** The key of an event's group. */
export function groupKey(ev: ArvadosEvent, by: Exclude<GroupBy, 'none'>): string {
  switch (by) {
    case 'object':
      return ev.object_uuid;
    case 'kind':
      return ev.object_kind;
    case 'eventType':
      return ev.event_type;
  }
}

/** The tree id of a group: stable for as long as the grouping and key are. */
export function groupId(by: GroupBy, key: string): string {
  return `group:${by}:${key}`;
}

/** The tree id of an event: ids are per cluster, so it names its cluster. */
export function eventId(ev: ArvadosEvent, host?: string): string {
  return host ? `event:${host}/${ev.id}` : `event:${ev.id}`;
}

export class EventGroup {
  readonly type = 'group' as const;
  readonly id: string;
  /** Events oldest first, from `head` on (a queue: eviction removes the oldest). */
  private items: ArvadosEvent[] = [];
  private head = 0;

  constructor(
    readonly by: Exclude<GroupBy, 'none'>,
    readonly key: string,
    /** Creation order, for newest-first ordering of object groups. */
    readonly seq: number,
  ) {
    this.id = groupId(by, key);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  newest(): ArvadosEvent | undefined {
    return this.size ? this.items[this.items.length - 1] : undefined;
  }

  add(ev: ArvadosEvent): void {
    this.items.push(ev);
  }

  /** Removes an event; it is almost always the oldest, since buffer and group share arrival order. */
  remove(ev: ArvadosEvent): boolean {
    if (this.items[this.head] === ev) {
      this.items[this.head++] = undefined as unknown as ArvadosEvent;
      if (this.head > 64 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return true;
    }
    const i = this.items.indexOf(ev, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  newestFirst(): ArvadosEvent[] {
    const out: ArvadosEvent[] = [];
    for (let i = this.items.length - 1; i >= this.head; i--) out.push(this.items[i]);
    return out;
  }
}

/** A group's label: the object's name (or uuid), the kind in words, or the event type. */
export function groupLabel(group: EventGroup, names?: NameBook): string {
  switch (group.by) {
    case 'object':
      return group.key ? (names?.get(group.key) ?? group.key) : t('(no object)');
    case 'kind':
      return group.key ? kindInWords(group.key) : t('unknown kind');
    case 'eventType':
      return group.key || t('(no event type)');
  }
}

export interface GroupChange {
  /** Existing groups whose events changed. */
  changed: EventGroup[];
  /** Groups were created or removed: the list of groups itself must be refreshed. */
  structureChanged: boolean;
}

export class GroupIndex {
  private readonly groups = new Map<string, EventGroup>();
  private seq = 0;
  private sorted?: EventGroup[];

  constructor(readonly by: Exclude<GroupBy, 'none'>) {}

  get size(): number {
    return this.groups.size;
  }

  get(key: string): EventGroup | undefined {
    return this.groups.get(key);
  }

  /** Applies a buffer change: evicted events leave their groups, added ones join theirs. */
  apply(added: readonly ArvadosEvent[], evicted: readonly ArvadosEvent[]): GroupChange {
    const changed = new Set<EventGroup>();
    const created = new Set<EventGroup>();
    let structureChanged = false;
    for (const ev of evicted) {
      const g = this.groups.get(groupKey(ev, this.by));
      if (!g || !g.remove(ev)) continue;
      changed.add(g);
      if (!g.size) {
        this.groups.delete(g.key);
        structureChanged = true;
      }
    }
    for (const ev of added) {
      const key = groupKey(ev, this.by);
      let g = this.groups.get(key);
      if (!g) {
        g = new EventGroup(this.by, key, this.seq++);
        this.groups.set(key, g);
        created.add(g);
        structureChanged = true;
      }
      g.add(ev);
      changed.add(g);
    }
    if (structureChanged) this.sorted = undefined;
    // New groups appear with the root refresh; removed ones are gone.
    return { changed: [...changed].filter((g) => !created.has(g) && this.groups.get(g.key) === g), structureChanged };
  }

  /** Rebuilds from scratch (after a change of grouping or a clear). */
  rebuild(eventsOldestFirst: readonly ArvadosEvent[]): void {
    this.groups.clear();
    this.sorted = undefined;
    this.apply(eventsOldestFirst, []);
  }

  /** The groups in display order. Group labels of kinds and event types do not depend on names. */
  list(): EventGroup[] {
    if (!this.sorted) {
      const all = [...this.groups.values()];
      if (this.by === 'object') all.sort((a, b) => b.seq - a.seq);
      else all.sort((a, b) => groupLabel(a).localeCompare(groupLabel(b)) || a.key.localeCompare(b.key));
      this.sorted = all;
    }
    return this.sorted;
  }
}
