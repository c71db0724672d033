/**
 * The logs table: rows in commit order, with ids from a sequence. A test can reserve an id and
 * commit its row later, to reproduce rows that commit out of id order (NOTIFY fires at commit,
 * the id is taken at insert).
 */
import { defaultKinds, PDH_PATTERN } from '../../src/arvados/kinds';
import { railsTime } from './time';

export interface LogRecord {
  id: number;
  uuid: string;
  owner_uuid: string | null;
  modified_by_user_uuid: string | null;
  object_uuid: string | null;
  object_owner_uuid: string | null;
  event_type: string | null;
  /** Times in ms since the epoch (fake clock). */
  event_at: number | null;
  created_at: number;
  modified_at: number;
  summary: string | null;
  /** Stored whole; the REST API returns it untrimmed. */
  properties: unknown;
  etag: string;
}

export class LogTable {
  private readonly rows: LogRecord[] = [];
  private readonly ids = new Set<number>();
  private lastId: number;

  constructor(firstId = 1) {
    this.lastId = firstId - 1;
  }

  /** Takes the next id from the sequence without committing a row. */
  reserveId(): number {
    return ++this.lastId;
  }

  get maxId(): number {
    return this.lastId;
  }

  append(row: LogRecord): void {
    if (this.ids.has(row.id)) throw new Error(`log id ${row.id} is already used`);
    this.ids.add(row.id);
    if (row.id > this.lastId) this.lastId = row.id;
    this.rows.push(row);
  }

  /** All rows in commit order. */
  all(): readonly LogRecord[] {
    return this.rows;
  }

  byUuid(uuid: string): LogRecord | undefined {
    return this.rows.find((r) => r.uuid === uuid);
  }
}

/** `object_kind` as Rails computes it: the model of the UUID's infix; null for a PDH or unknown. */
export function restObjectKind(objectUuid: string | null): string | null {
  if (!objectUuid || PDH_PATTERN.test(objectUuid)) return null;
  return defaultKinds.kindOf(objectUuid) || null;
}

/** A row as the logs REST API returns it: every attribute, properties untrimmed. */
export function restLogItem(r: LogRecord): Record<string, unknown> {
  return {
    kind: 'arvados#log',
    etag: r.etag,
    id: r.id,
    uuid: r.uuid,
    owner_uuid: r.owner_uuid,
    created_at: railsTime(r.created_at),
    modified_by_user_uuid: r.modified_by_user_uuid,
    modified_at: railsTime(r.modified_at),
    object_uuid: r.object_uuid,
    object_owner_uuid: r.object_owner_uuid,
    object_kind: restObjectKind(r.object_uuid),
    event_at: r.event_at === null ? null : railsTime(r.event_at),
    event_type: r.event_type,
    summary: r.summary,
    properties: structuredClone(r.properties),
  };
}

/**
 * The row as the filter engine sees it: every column, `updated_at` included, `properties` as the
 * JSON text the column holds. Values are computed when first read: most rows of a large table
 * are only ever asked for their id.
 */
export function logColumns(r: LogRecord): Record<string, unknown> {
  const time = (ms: number | null) => (ms === null ? null : railsTime(ms));
  const columns: Record<string, () => unknown> = {
    id: () => r.id,
    uuid: () => r.uuid,
    owner_uuid: () => r.owner_uuid,
    modified_by_user_uuid: () => r.modified_by_user_uuid,
    object_uuid: () => r.object_uuid,
    object_owner_uuid: () => r.object_owner_uuid,
    event_type: () => r.event_type,
    summary: () => r.summary,
    event_at: () => time(r.event_at),
    created_at: () => time(r.created_at),
    updated_at: () => time(r.modified_at),
    modified_at: () => time(r.modified_at),
    properties: () => JSON.stringify(r.properties ?? null),
  };
  const out: Record<string, unknown> = {};
  for (const [name, get] of Object.entries(columns)) Object.defineProperty(out, name, { get, enumerable: true });
  return out;
}
