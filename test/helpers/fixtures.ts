/** Events and a fake EventStream for the model's unit tests. */
import { Emitter, parseFilter, type ArvadosEvent, type ConnectionState, type EventStream, type Filter } from '../../src/arvados';
import { filterKey } from '../../src/arvados/stream';

let nextId = 1;

export function resetIds(n = 1): void {
  nextId = n;
}

export const CR = 'zzzzz-xvhdp-000000000000001';
export const CR2 = 'zzzzz-xvhdp-000000000000002';
export const CONTAINER = 'zzzzz-dz642-000000000000001';
export const COLLECTION = 'zzzzz-4zz18-000000000000001';
export const PROJECT = 'zzzzz-j7d0g-000000000000001';
export const USER = 'zzzzz-tpzed-000000000000001';
export const OTHER_USER = 'zzzzz-tpzed-000000000000002';

const KINDS: Record<string, string> = {
  xvhdp: 'arvados#containerRequest',
  dz642: 'arvados#container',
  '4zz18': 'arvados#collection',
  j7d0g: 'arvados#group',
  tpzed: 'arvados#user',
};

/** An event; `object_kind` follows from the uuid. */
export function ev(partial: Partial<ArvadosEvent> & { old?: Record<string, unknown>; new?: Record<string, unknown> } = {}): ArvadosEvent {
  const id = partial.id ?? nextId++;
  const objectUuid = partial.object_uuid ?? CR;
  const properties = partial.properties ?? {
    ...(partial.old ? { old_attributes: partial.old } : {}),
    ...(partial.new ? { new_attributes: partial.new } : {}),
  };
  return {
    id,
    uuid: partial.uuid ?? `zzzzz-57u5n-${String(id).padStart(15, '0')}`,
    object_uuid: objectUuid,
    object_owner_uuid: partial.object_owner_uuid ?? USER,
    object_kind: partial.object_kind ?? KINDS[objectUuid.slice(6, 11)] ?? '',
    event_type: partial.event_type ?? 'update',
    event_at: partial.event_at ?? new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + id * 1000).toISOString(),
    properties,
  };
}

/**
 * A test double of the engine's EventStream (unit level: the real streams are tested against a
 * fake cluster elsewhere). It records subscribe/unsubscribe calls and lets the test emit events
 * and state changes.
 */
export class FakeStream implements EventStream {
  readonly transport: 'websocket' | 'poll';
  state: ConnectionState;
  lastEventId = 0;
  private subs: Filter[] = [];
  readonly calls: string[] = [];
  closed = false;
  private readonly events = new Emitter<ArvadosEvent>();
  private readonly states = new Emitter<ConnectionState>();
  private readonly errors = new Emitter<Error>();
  private readonly skips = new Emitter<number>();
  readonly onEvent = this.events.event;
  readonly onState = this.states.event;
  readonly onError = this.errors.event;
  readonly onSkipped = this.skips.event;

  constructor(filters: Filter[] = [[]], transport: 'websocket' | 'poll' = 'websocket') {
    this.transport = transport;
    this.state = transport === 'poll' ? { status: 'polling', transport: 'poll' } : { status: 'live', transport: 'websocket' };
    this.subs = filters.map((f) => parseFilter(f));
  }

  get filters(): readonly Filter[] {
    return this.subs;
  }

  subscribe(filter: Filter | string): void {
    const f = parseFilter(filter);
    this.calls.push(`subscribe ${filterKey(f)}`);
    this.subs.push(f);
  }

  unsubscribe(filter: Filter | string): boolean {
    const f = parseFilter(filter);
    this.calls.push(`unsubscribe ${filterKey(f)}`);
    const i = this.subs.findIndex((g) => filterKey(g) === filterKey(f));
    if (i < 0) return false;
    this.subs.splice(i, 1);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.calls.push('close');
    this.setState({ status: 'closed', reason: 'closed by the user' });
  }

  emit(event: ArvadosEvent): void {
    if (this.closed) throw new Error('a closed stream must not deliver');
    this.lastEventId = Math.max(this.lastEventId, event.id);
    this.events.fire(event);
  }

  setState(state: ConnectionState): void {
    this.state = state;
    this.states.fire(state);
  }

  skip(n: number): void {
    this.skips.fire(n);
  }

  error(err: Error): void {
    this.errors.fire(err);
  }
}
