/**
 * What is known about the cluster's objects, in one place, free of vscode: names seen in events,
 * outcomes of finished requests and containers (cached, bounded), who owns a project, and what
 * is fetched on demand. Where many objects are needed at once (the owners of a burst of
 * container requests), their lookups share one list request (`uuid in [...]`).
 */
import { Emitter, type ArvadosEvent, type CurrentUser, type Disposable } from '../arvados';
import { containerOutcome, containerRequestOutcome, type Outcome } from '../arvados/outcome';
import type { SessionApi } from './connection';
import { UUID_TYPE, uuidType } from '../arvados/kinds';
import { eventLabel, NameBook, showsFinished } from './labels';
import { LruMap } from './lru';
import { OwnershipResolver } from './ownership';

const NOT_CONNECTED: Outcome = { status: 'unknown', reason: 'not connected' };
/** Uuids per list request: well under the API's page size and URL limits. */
const MAX_UUIDS_PER_LIST = 100;
/** Outcome lookups the rows may have running at once; more wait for a later render. */
const MAX_ROW_LOOKUPS = 8;

export interface ObjectSummary {
  uuid: string;
  name?: string;
  kind?: string;
  /** The `state` attribute, or `trashed`. */
  state?: string;
  outcome?: Outcome;
}

/** Where facts are read: the open connection's API and user. */
export interface FactsSource {
  api(): SessionApi | undefined;
  user(): CurrentUser | undefined;
}

export class ObjectFacts implements Disposable {
  readonly names = new NameBook();
  private readonly outcomes = new LruMap<string, Outcome>(5_000);
  private readonly ownership: OwnershipResolver;
  private readonly groupOwners: BatchedLookup<string | undefined>;
  private readonly outcomeEmitter = new Emitter<{ uuid: string; outcome: Outcome }>();
  /** An outcome was read (for the watched objects and the icons). */
  readonly onOutcome = this.outcomeEmitter.event;

  constructor(private readonly source: FactsSource) {
    this.groupOwners = new BatchedLookup((uuids) => this.listOwners(uuids));
    this.ownership = new OwnershipResolver((uuid) => this.groupOwners.get(uuid));
  }

  /** Learns from every event of `source` (names), before other listeners subscribed later. */
  observe(source: { onEvent(listener: (e: { event: ArvadosEvent }) => void): Disposable }): Disposable {
    return source.onEvent(({ event }) => this.names.learn(event));
  }

  /** The label of an event: its object's name when known, else its uuid. */
  label(ev: ArvadosEvent): string {
    return eventLabel(ev, this.names);
  }

  nameOf(uuid: string): string | undefined {
    return this.names.get(uuid);
  }

  /** The outcome already read, if any; never fetches. */
  outcomeOf(uuid: string): Outcome | undefined {
    return this.outcomes.peek(uuid);
  }

  private readonly rowLookups = new Set<string>();

  /**
   * The outcome of the object an event shows finished (a Final request, a Complete container),
   * for its row: the one already read, else undefined while it is read in the background (a
   * few at a time; `onOutcome` fires when it is in). Other events: what is known, never a fetch.
   */
  outcomeForRow(ev: ArvadosEvent): Outcome | undefined {
    const uuid = ev.object_uuid;
    const known = uuid ? this.outcomes.peek(uuid) : undefined;
    if (known || !uuid || !showsFinished(ev) || this.rowLookups.has(uuid) || this.rowLookups.size >= MAX_ROW_LOOKUPS || !this.source.api()) return known;
    const infix = uuidType(uuid);
    const read = infix === UUID_TYPE.containerRequest ? this.requestOutcome(uuid) : infix === UUID_TYPE.container ? this.containerOutcome(uuid) : undefined;
    if (!read) return undefined;
    this.rowLookups.add(uuid);
    void read.finally(() => this.rowLookups.delete(uuid));
    return undefined;
  }

  requestOutcome(uuid: string): Promise<Outcome> {
    const api = this.source.api();
    return api ? containerRequestOutcome(api, uuid).then((o) => this.noteOutcome(uuid, o)) : Promise.resolve(NOT_CONNECTED);
  }

  containerOutcome(uuid: string): Promise<Outcome> {
    const api = this.source.api();
    return api ? containerOutcome(api, uuid).then((o) => this.noteOutcome(uuid, o)) : Promise.resolve(NOT_CONNECTED);
  }

  private noteOutcome(uuid: string, outcome: Outcome): Outcome {
    this.outcomes.set(uuid, outcome);
    this.outcomeEmitter.fire({ uuid, outcome });
    return outcome;
  }

  /** Whether an event's object is the current user's: owned by them or by a project they own. */
  async isMine(ev: ArvadosEvent): Promise<boolean> {
    const me = this.source.user()?.uuid;
    return me && ev.object_owner_uuid ? this.ownership.ownedBy(ev.object_owner_uuid, me) : false;
  }

  /** Whether an owner (a user, or a project at any depth) is the current user. */
  async ownedByMe(ownerUuid: string): Promise<boolean> {
    const me = this.source.user()?.uuid;
    return me ? this.ownership.ownedBy(ownerUuid, me) : false;
  }

  /** Reads an object now (name, kind, state; the outcome of a finished request). Throws when it cannot. */
  async describe(uuid: string): Promise<ObjectSummary | undefined> {
    const api = this.source.api();
    if (!api) return undefined;
    const obj = await api.getObject<{ name?: string | null; state?: string | null; is_trashed?: boolean; kind?: string }>(uuid);
    if (obj.name) this.names.set(uuid, obj.name);
    const summary: ObjectSummary = { uuid, name: obj.name || undefined, kind: obj.kind || undefined, state: obj.is_trashed ? 'trashed' : obj.state || undefined };
    if (obj.kind === 'arvados#containerRequest' && obj.state === 'Final') summary.outcome = await this.requestOutcome(uuid);
    return summary;
  }

  /** The owners of several projects, in one request per hundred. */
  private async listOwners(uuids: string[]): Promise<Map<string, string | undefined>> {
    const api = this.source.api();
    const out = new Map<string, string | undefined>();
    if (!api) return out;
    for (let i = 0; i < uuids.length; i += MAX_UUIDS_PER_LIST) {
      const chunk = uuids.slice(i, i + MAX_UUIDS_PER_LIST);
      const page = await api.list<{ uuid: string; owner_uuid?: string }>('groups', { filters: [['uuid', 'in', chunk]], select: ['uuid', 'owner_uuid'], limit: chunk.length, count: 'none' });
      for (const g of page.items) out.set(g.uuid, g.owner_uuid);
    }
    return out;
  }

  dispose(): void {
    this.groupOwners.dispose();
    this.outcomeEmitter.dispose();
  }
}

/**
 * Lookups asked for within one turn of the event loop (the events of one read from the socket)
 * become one call of `fetchMany`. A key the result lacks resolves to undefined; a failure too.
 */
export class BatchedLookup<V> implements Disposable {
  private queued = new Map<string, Array<(v: V | undefined) => void>>();
  private timer?: NodeJS.Immediate;

  constructor(private readonly fetchMany: (keys: string[]) => Promise<Map<string, V>>) {}

  get(key: string): Promise<V | undefined> {
    return new Promise((resolve) => {
      const waiting = this.queued.get(key);
      if (waiting) waiting.push(resolve);
      else this.queued.set(key, [resolve]);
      this.timer ??= setImmediate(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    let found: Map<string, V> | undefined;
    try {
      found = await this.fetchMany([...batch.keys()]);
    } catch {
      found = undefined;
    }
    for (const [key, waiting] of batch) for (const resolve of waiting) resolve(found?.get(key));
  }

  dispose(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    for (const waiting of batch.values()) for (const resolve of waiting) resolve(undefined);
  }
}
