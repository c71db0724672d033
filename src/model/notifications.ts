/**
 * Which events become notifications, and how they read. Only watched objects and, when the user
 * opts in, the user's own container requests notify. One notification per object per state; a
 * burst within the coalescing window becomes one summary; failures say so in their first word.
 * A container request is finished only when it is Final; its outcome is fetched from its
 * container. A Cancelled container alone is not the request's outcome (it may be retried).
 */
import { kindInWords, type ArvadosEvent } from '../arvados';
import type { Outcome } from '../arvados/outcome';
import { t } from './l10n';
import { LruMap } from './lru';
import { realScheduler, type Scheduler } from './scheduler';

export type NotifyLevel = 'off' | 'failures' | 'all';
export type NotificationSource = 'watched' | 'myContainerRequests';
export type Severity = 'info' | 'warning' | 'error';
export type Verdict = 'failed' | 'succeeded' | 'cancelled' | 'running' | 'updated' | 'trashed' | 'restored' | 'deleted' | 'state' | 'unknown';

export const KIND_CONTAINER_REQUEST = 'arvados#containerRequest';
export const KIND_CONTAINER = 'arvados#container';
export const KIND_COLLECTION = 'arvados#collection';

/** A change of an object that an event shows, worth telling a watcher about. */
export interface ObjectChange {
  uuid: string;
  kind: string;
  /** One notification per object per state: the dedupe key. */
  state: string;
  /** What must be fetched to word it. */
  needs?: 'requestOutcome' | 'containerOutcome';
  event: ArvadosEvent;
}

function attrs(ev: ArvadosEvent, which: 'old_attributes' | 'new_attributes'): Record<string, unknown> | undefined {
  const a = ev.properties?.[which];
  return a && typeof a === 'object' ? a : undefined;
}

/** What notable change an event shows, if any. */
export function changeOf(ev: ArvadosEvent): ObjectChange | undefined {
  const uuid = ev.object_uuid;
  if (!uuid) return undefined;
  const kind = ev.object_kind;
  const base = { uuid, kind, event: ev };
  if (ev.event_type === 'delete') return { ...base, state: 'deleted' };
  if (ev.event_type !== 'create' && ev.event_type !== 'update') return undefined;
  const before = attrs(ev, 'old_attributes');
  const after = attrs(ev, 'new_attributes');
  if (!after) return undefined;
  if (after.is_trashed === true && before?.is_trashed !== true) return { ...base, state: 'trashed' };
  if (after.is_trashed === false && before?.is_trashed === true) return { ...base, state: 'restored' };
  const state = typeof after.state === 'string' ? after.state : undefined;
  const stateChanged = state !== undefined && state !== before?.state;
  if (kind === KIND_CONTAINER_REQUEST) {
    // Committed and Uncommitted are steps, not news; Final is the finish.
    return stateChanged && state === 'Final' ? { ...base, state, needs: 'requestOutcome' } : undefined;
  }
  if (kind === KIND_CONTAINER) {
    if (!stateChanged) return undefined;
    if (state === 'Running' || state === 'Cancelled') return { ...base, state };
    if (state === 'Complete') return { ...base, state, needs: 'containerOutcome' };
    return undefined;
  }
  if (stateChanged) return { ...base, state: state! };
  if (ev.event_type === 'update') {
    // What the event shows of the object; an update that shows nothing new is not news.
    const signature = JSON.stringify([after.name ?? null, after.portable_data_hash ?? null, after.owner_uuid ?? null]);
    const previous = before ? JSON.stringify([before.name ?? null, before.portable_data_hash ?? null, before.owner_uuid ?? null]) : undefined;
    if (signature === previous && kind !== KIND_COLLECTION) return undefined;
    return { ...base, state: `updated:${signature}` };
  }
  return undefined;
}

export interface Wording {
  verdict: Verdict;
  severity: Severity;
  message: string;
}

/** The words of one notification: the verdict first ("Failed: …"). */
export function describeChange(change: ObjectChange, name: string, outcome?: Outcome): Wording {
  const what = kindInWords(change.kind || 'arvados#object');
  const subject = `${name} (${what})`;
  if (change.state === 'deleted') return { verdict: 'deleted', severity: 'info', message: t('Deleted: {0} was deleted.', subject) };
  if (change.state === 'trashed') return { verdict: 'trashed', severity: 'info', message: t('Trashed: {0} was moved to the trash.', subject) };
  if (change.state === 'restored') return { verdict: 'restored', severity: 'info', message: t('Restored: {0} was taken out of the trash.', subject) };
  if (change.state.startsWith('updated:')) return { verdict: 'updated', severity: 'info', message: t('Updated: {0} changed.', subject) };
  if (change.needs) {
    switch (outcome?.status) {
      case 'succeeded':
        return { verdict: 'succeeded', severity: 'info', message: t('Succeeded: {0} finished with exit code 0.', subject) };
      case 'failed':
        return { verdict: 'failed', severity: 'error', message: t('Failed: {0} exited with code {1}.', subject, outcome.exitCode) };
      case 'cancelled':
        return { verdict: 'cancelled', severity: 'warning', message: t('Cancelled: {0} was cancelled.', subject) };
      default: {
        const reason = outcome?.status === 'unknown' ? outcome.reason : outcome?.status === 'pending' ? outcome.state : t('not read');
        return { verdict: 'unknown', severity: 'info', message: t('Finished: {0} is {1}; its outcome could not be read ({2}).', subject, change.state, reason) };
      }
    }
  }
  if (change.kind === KIND_CONTAINER && change.state === 'Running') return { verdict: 'running', severity: 'info', message: t('Running: {0} started running.', subject) };
  if (change.kind === KIND_CONTAINER && change.state === 'Cancelled') {
    return { verdict: 'cancelled', severity: 'warning', message: t('Cancelled: {0} was cancelled; its container request may retry with a new container.', subject) };
  }
  return { verdict: 'state', severity: 'info', message: t('{0}: {1} is now {0}.', change.state, subject) };
}

/** One object's notification, before coalescing. */
export interface NoticeItem extends Wording {
  source: NotificationSource;
  uuid: string;
  kind: string;
  name: string;
  state: string;
  eventId: number;
  event: ArvadosEvent;
  outcome?: Outcome;
}

/** What is shown: one item, or a summary of several. */
export interface Notice {
  severity: Severity;
  message: string;
  items: NoticeItem[];
  /** Items beyond the bounded list, counted only. */
  more: number;
  sources: NotificationSource[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

const VERDICT_WORDS: Record<Verdict, string> = {
  failed: 'failed',
  succeeded: 'succeeded',
  cancelled: 'cancelled',
  running: 'running',
  updated: 'updated',
  trashed: 'trashed',
  restored: 'restored',
  deleted: 'deleted',
  state: 'changed state',
  unknown: 'finished',
};

/** One notice for a burst: the item itself when alone, else a summary led by the failures. */
export function summarize(items: NoticeItem[], more = 0): Notice {
  const sources = [...new Set(items.map((i) => i.source))];
  const severity = items.reduce<Severity>((s, i) => (SEVERITY_RANK[i.severity] > SEVERITY_RANK[s] ? i.severity : s), 'info');
  if (items.length === 1 && !more) return { severity, message: items[0].message, items, more, sources };
  const counts = new Map<Verdict, number>();
  for (const i of items) counts.set(i.verdict, (counts.get(i.verdict) ?? 0) + 1);
  const total = items.length + more;
  const tally = [...counts].map(([v, n]) => `${n} ${t(VERDICT_WORDS[v])}`).join(', ');
  const failed = items.filter((i) => i.verdict === 'failed');
  const tail = more ? t(' (and {0} more)', more) : '';
  if (failed.length) {
    const names = failed.slice(0, 3).map((i) => i.name).join(', ') + (failed.length > 3 ? t(' and {0} others', failed.length - 3) : '');
    return { severity, message: t('Failed: {0}. {1} Arvados changes: {2}{3}.', names, total, tally, tail), items, more, sources };
  }
  return { severity, message: t('{0} Arvados changes: {1}{2}.', total, tally, tail), items, more, sources };
}

export interface NotifierSettings {
  /** Notifications for watched objects (turned off by "Don't Show Again"). */
  watchedObjects: boolean;
  myContainerRequests: NotifyLevel;
}

export interface NotifierOptions {
  settings: NotifierSettings;
  isWatched(uuid: string): boolean;
  /** Whether a container request event is the current user's (owner chain); false when unknown. */
  isMine(ev: ArvadosEvent): boolean | Promise<boolean>;
  requestOutcome(uuid: string): Promise<Outcome>;
  containerOutcome(uuid: string): Promise<Outcome>;
  nameOf(ev: ArvadosEvent): string;
  show(notice: Notice): void;
  /** Told about every outcome fetched (for the watched objects view and icons). */
  onOutcome?(uuid: string, outcome: Outcome): void;
  scheduler?: Scheduler;
  /** Bursts within this window become one summary. */
  coalesceMs?: number;
  /** Items listed in one notice; more are counted. */
  maxItems?: number;
  /** Object/state pairs remembered for deduplication. */
  dedupeCapacity?: number;
}

export class Notifier {
  settings: NotifierSettings;
  private readonly seen: LruMap<string, true>;
  private pending: NoticeItem[] = [];
  private more = 0;
  private timer: unknown;
  private readonly scheduler: Scheduler;
  private readonly coalesceMs: number;
  private readonly maxItems: number;
  private disposed = false;
  /** Fetches in flight, bounded so a flood of finished requests cannot pile up requests. */
  private inFlight = 0;
  private static readonly MAX_IN_FLIGHT = 16;

  constructor(private readonly options: NotifierOptions) {
    this.settings = { ...options.settings };
    this.scheduler = options.scheduler ?? realScheduler;
    this.coalesceMs = options.coalesceMs ?? 1500;
    this.maxItems = options.maxItems ?? 20;
    this.seen = new LruMap(options.dedupeCapacity ?? 10_000);
  }

  private enabled(source: NotificationSource): boolean {
    return source === 'watched' ? this.settings.watchedObjects : this.settings.myContainerRequests !== 'off';
  }

  /** Looks at one event; resolves when it has been queued or dismissed (for tests). */
  /**
   * Whether `consider` could notify about this event at all: the object is watched, or it is a
   * container request and "my container requests" is on. Cheap, for every event of a flood (the
   * rest of `consider` allocates an object change and a promise per event).
   */
  mayNotify(ev: ArvadosEvent): boolean {
    if (this.disposed || !ev.object_uuid) return false;
    if (this.settings.watchedObjects && this.options.isWatched(ev.object_uuid)) return true;
    return this.settings.myContainerRequests !== 'off' && ev.object_kind === KIND_CONTAINER_REQUEST;
  }

  async consider(ev: ArvadosEvent): Promise<void> {
    if (!this.mayNotify(ev)) return;
    const change = changeOf(ev);
    if (!change) return;
    const watched = this.settings.watchedObjects && this.options.isWatched(change.uuid);
    const mineCandidate = !watched && this.settings.myContainerRequests !== 'off' && change.kind === KIND_CONTAINER_REQUEST && change.state === 'Final';
    if (!watched && !mineCandidate) return;
    const key = `${change.uuid}\u0000${change.state}`;
    if (this.seen.has(key)) return;
    if (mineCandidate && this.inFlight >= Notifier.MAX_IN_FLIGHT) return;
    // Marked before any await, so a replayed event cannot slip through while we fetch.
    this.seen.set(key, true);
    this.inFlight++;
    try {
      const source: NotificationSource = watched ? 'watched' : 'myContainerRequests';
      if (mineCandidate && !(await this.options.isMine(ev))) return;
      let outcome: Outcome | undefined;
      if (change.needs === 'requestOutcome') outcome = await this.options.requestOutcome(change.uuid);
      else if (change.needs === 'containerOutcome') outcome = await this.options.containerOutcome(change.uuid);
      if (outcome) this.options.onOutcome?.(change.uuid, outcome);
      if (this.disposed || !this.enabled(source)) return;
      const wording = describeChange(change, this.options.nameOf(ev), outcome);
      if (source === 'myContainerRequests' && this.settings.myContainerRequests === 'failures' && wording.verdict !== 'failed' && wording.verdict !== 'cancelled') return;
      this.enqueue({ ...wording, source, uuid: change.uuid, kind: change.kind, name: this.options.nameOf(ev), state: change.state, eventId: ev.id, event: ev, outcome });
    } finally {
      this.inFlight--;
    }
  }

  private enqueue(item: NoticeItem): void {
    if (this.pending.length < this.maxItems) this.pending.push(item);
    else this.more++;
    if (this.timer === undefined) this.timer = this.scheduler.setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** Shows what is pending now. */
  flush(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    // Turned off meanwhile ("Don't Show Again" on an earlier notice): drop those.
    const items = this.pending.filter((i) => this.enabled(i.source));
    const more = this.more;
    this.pending = [];
    this.more = 0;
    if (!items.length) return;
    this.options.show(summarize(items, more));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}

/** The owner tag of events followed for "my container requests" notifications. */
export const MY_REQUESTS_OWNER = 'myContainerRequests';

/** What "my container requests" notifications follow: container requests, their owner checked on arrival. */
export function myRequestsFilters(level: NotifyLevel): Array<Array<[string, string, unknown]>> {
  return level === 'off' ? [] : [[['object_uuid', 'is_a', KIND_CONTAINER_REQUEST]]];
}
