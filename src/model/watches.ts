/**
 * The watched objects: uuids the user asked to be told about, with the name and last state seen.
 * Persisted in workspace state per cluster; bounded. While watches exist, they are followed on the
 * connection (owner `watched`), so their events arrive under narrower user filters.
 */
import type { ArvadosEvent } from '../arvados';
import { defaultKinds, Emitter, UUID_PATTERN, type Disposable } from '../arvados';
import { outcomeInWords, type Outcome } from '../arvados/outcome';
import { nameFromEvent } from './labels';
import { realScheduler, type Scheduler } from './scheduler';
import { Following, type Follows } from './cluster';
import { migrateLegacyKeys, storeKey, type KeyValueStore } from './store';

/** The owner tag of events about watched objects. */
export const WATCHED_OWNER = 'watched';

export interface Watch {
  uuid: string;
  kind: string;
  name?: string;
  /** Last known state (`state` attribute, or trashed/deleted). */
  state?: string;
  /** The outcome in words, once a finished request or container has been read. */
  outcome?: string;
  outcomeStatus?: Outcome['status'];
  lastEventId?: number;
  lastEventAt?: string;
}

export const MAX_WATCHES = 500;

/** The shape of a saved watch. */
function isSavedWatch(v: unknown): v is Watch {
  return typeof v === 'object' && v !== null && typeof (v as Watch).uuid === 'string';
}

export class WatchList {
  private readonly watches = new Map<string, Watch>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  private saveTimer: unknown;

  constructor(
    private readonly store: KeyValueStore,
    private readonly scheduler: Scheduler = realScheduler,
    private host?: string,
  ) {
    this.restore();
  }

  private restore(): void {
    this.watches.clear();
    const saved = this.store.get<unknown[]>(storeKey('watches', this.host));
    if (Array.isArray(saved)) for (const w of saved.filter(isSavedWatch).slice(0, MAX_WATCHES)) this.watches.set(w.uuid, { ...w });
  }

  /** Another cluster: its own watches. */
  async rescope(host: string): Promise<void> {
    if (host === this.host) return;
    this.flush();
    this.host = host;
    await migrateLegacyKeys(this.store, host);
    this.restore();
    this.changed.fire();
  }

  /** Follows the watched objects on `connection` for as long as the result lives. */
  follow(connection: Follows): Disposable {
    const following = new Following(connection, WATCHED_OWNER);
    let followed: string | undefined;
    const update = () => {
      const uuids = [...this.watches.keys()].sort();
      // Most changes are of state, not of which objects: those change nothing here.
      if (uuids.join() === followed) return;
      followed = uuids.join();
      following.set(uuids.length ? [[['object_uuid', 'in', uuids]]] : []);
    };
    update();
    const sub = this.onDidChange(update);
    return { dispose: () => (sub.dispose(), following.dispose()) };
  }

  get size(): number {
    return this.watches.size;
  }

  list(): Watch[] {
    return [...this.watches.values()];
  }

  has(uuid: string): boolean {
    return this.watches.has(uuid);
  }

  get(uuid: string): Watch | undefined {
    return this.watches.get(uuid);
  }

  /** Starts watching; returns false when already watched. Throws RangeError past MAX_WATCHES. */
  add(uuid: string, info: Partial<Omit<Watch, 'uuid'>> = {}): boolean {
    if (this.watches.has(uuid)) return false;
    if (this.watches.size >= MAX_WATCHES) throw new RangeError(`At most ${MAX_WATCHES} objects can be watched.`);
    this.watches.set(uuid, { uuid, kind: info.kind || defaultKinds.kindOf(uuid), ...stripUndefined(info) });
    this.save();
    return true;
  }

  remove(uuid: string): boolean {
    if (!this.watches.delete(uuid)) return false;
    this.save();
    return true;
  }

  clear(): void {
    if (!this.watches.size) return;
    this.watches.clear();
    this.save();
  }

  /** Merges what is known about a watched object (e.g. fetched when watching it). */
  describe(uuid: string, info: Partial<Omit<Watch, 'uuid'>>): void {
    const w = this.watches.get(uuid);
    if (!w) return;
    Object.assign(w, stripUndefined(info));
    this.save();
  }

  /** Notes what an event tells of a watched object; returns true when something changed. */
  observe(ev: ArvadosEvent): boolean {
    const w = this.watches.get(ev.object_uuid);
    if (!w) return false;
    const name = nameFromEvent(ev);
    const after = ev.properties?.new_attributes;
    let state = typeof after?.state === 'string' ? after.state : w.state;
    if (ev.event_type === 'delete') state = 'deleted';
    else if (after?.is_trashed === true) state = 'trashed';
    else if (after?.is_trashed === false && w.state === 'trashed') state = typeof after?.state === 'string' ? after.state : undefined;
    const stateChanged = state !== w.state;
    Object.assign(w, stripUndefined({ name: name ?? w.name, kind: w.kind || ev.object_kind, lastEventId: ev.id, lastEventAt: ev.event_at }));
    w.state = state;
    // A new state makes an old outcome stale.
    if (stateChanged) {
      w.outcome = undefined;
      w.outcomeStatus = undefined;
    }
    // Events about a busy object can come often: persist at most once a second.
    this.saveSoon();
    return true;
  }

  setOutcome(uuid: string, outcome: Outcome): boolean {
    const w = this.watches.get(uuid);
    if (!w) return false;
    w.outcome = outcomeInWords(outcome);
    w.outcomeStatus = outcome.status;
    this.save();
    return true;
  }

  /** Writes pending changes now (at shutdown). */
  flush(): void {
    if (this.saveTimer === undefined) return;
    this.scheduler.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    void this.store.update(storeKey('watches', this.host), this.list());
  }

  dispose(): void {
    this.flush();
    this.changed.dispose();
  }

  private save(): void {
    if (this.saveTimer !== undefined) this.scheduler.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    void this.store.update(storeKey('watches', this.host), this.list());
    this.changed.fire();
  }

  private saveSoon(): void {
    this.changed.fire();
    if (this.saveTimer !== undefined) return;
    this.saveTimer = this.scheduler.setTimeout(() => {
      this.saveTimer = undefined;
      void this.store.update(storeKey('watches', this.host), this.list());
    }, 1000);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether text is something that can be watched: an object UUID. */
export function isWatchableUuid(text: string): boolean {
  return UUID_PATTERN.test(text.trim());
}
