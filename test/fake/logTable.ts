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

export interface LogTableOptions {
  /** The first id of the sequence (default 1). */
  firstId?: number;
  /**
   * AuditLogs.MaxAge in ms: audit rows created longer ago than this are deleted. Default: never,
   * as on a cluster whose AuditLogs.MaxDeleteBatch is 0 (the Arvados default).
   */
  maxAgeMs?: number;
  /** Not an Arvados setting: keep at most this many rows, dropping the oldest (default: no cap). */
  maxRows?: number;
  /** The fake clock's now, in ms (what created_at is compared with). */
  nowMs?: () => number;
}

/** The event types the API server's sweep deletes (`AuditLogs.delete_old`); others are kept. */
const AUDIT_EVENT_TYPES: ReadonlySet<string | null> = new Set(['create', 'update', 'destroy', 'delete']);

export class LogTable {
  /** Rows in commit order. Replaced when pruned, never spliced: an array from all() stays whole. */
  private rows: LogRecord[] = [];
  private readonly byIdIndex = new Map<number, LogRecord>();
  private readonly byUuidIndex = new Map<string, LogRecord>();
  private lastId: number;
  private readonly maxAgeMs: number;
  private readonly maxRows: number;
  private readonly nowMs: () => number;
  /** Fake-clock time of the last sweep. */
  private lastSweepAt = -Infinity;
  /** Sweeps run so far (each one a pass over the table). */
  sweeps = 0;

  constructor(options: LogTableOptions = {}) {
    this.lastId = (options.firstId ?? 1) - 1;
    this.maxAgeMs = options.maxAgeMs && options.maxAgeMs > 0 ? options.maxAgeMs : Infinity;
    this.maxRows = options.maxRows && options.maxRows > 0 ? options.maxRows : Infinity;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Takes the next id from the sequence without committing a row. */
  reserveId(): number {
    return ++this.lastId;
  }

  /** The highest id taken: it never goes down, whatever is pruned. */
  get maxId(): number {
    return this.lastId;
  }

  get size(): number {
    return this.rows.length;
  }

  append(row: LogRecord): void {
    // A pruned row's id is free again, as after a DELETE in Postgres (only an explicit id takes it).
    if (this.byIdIndex.has(row.id)) throw new Error(`log id ${row.id} is already used`);
    this.byIdIndex.set(row.id, row);
    // The first row with a UUID is the one GET finds (a test may give two rows the same one).
    if (!this.byUuidIndex.has(row.uuid)) this.byUuidIndex.set(row.uuid, row);
    if (row.id > this.lastId) this.lastId = row.id;
    this.rows.push(row);
    this.prune();
  }

  /** All rows in commit order. */
  all(): readonly LogRecord[] {
    return this.rows;
  }

  byUuid(uuid: string): LogRecord | undefined {
    return this.byUuidIndex.get(uuid);
  }

  /**
   * Runs after each commit, like `AuditLogs.tidy_in_background` after each log row: at most once
   * per maxAge/14 (fake clock) it deletes every audit row created more than maxAge ago. A pass
   * over the table per sweep, not per row: at a steady rate that is ~15 rows looked at per row
   * appended. The row cap is applied in chunks of a tenth, for the same reason. The fake clock
   * can be set back (the simulator's warm-up writes the past): then the next commit sweeps too.
   */
  private prune(): void {
    if (this.maxAgeMs !== Infinity) {
      const now = this.nowMs();
      if (now >= this.lastSweepAt + this.maxAgeMs / 14 || now < this.lastSweepAt) {
        this.lastSweepAt = now;
        this.sweeps++;
        const threshold = now - this.maxAgeMs;
        this.keep((r) => !(r.created_at < threshold && AUDIT_EVENT_TYPES.has(r.event_type)));
      }
    }
    if (this.rows.length > this.maxRows) {
      const drop = this.rows.length - Math.max(1, Math.floor(this.maxRows * 0.9));
      this.keep((_r, i) => i >= drop);
    }
  }

  private keep(predicate: (r: LogRecord, i: number) => boolean): void {
    const kept: LogRecord[] = [];
    this.rows.forEach((r, i) => {
      if (predicate(r, i)) kept.push(r);
      else {
        this.byIdIndex.delete(r.id);
        if (this.byUuidIndex.get(r.uuid) === r) this.byUuidIndex.delete(r.uuid);
      }
    });
    if (kept.length !== this.rows.length) this.rows = kept;
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
