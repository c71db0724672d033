/**
 * The shape of an event on the wire. The websocket server trims `properties` (it forwards only
 * six attributes of old/new objects, or the whole map when it has `text`); the logs API returns
 * full rows. Events read from the logs API are trimmed the same way, so that a consumer sees one
 * shape whichever transport delivered an event.
 */
import type { ArvadosEvent, EventProperties } from './types';
import { isMap } from './values';

/** The attributes the websocket server forwards in `old_attributes` / `new_attributes`. */
export const FORWARDED_ATTRIBUTES = [
  'is_trashed',
  'name',
  'owner_uuid',
  'portable_data_hash',
  'requesting_container_uuid',
  'state',
] as const;

/**
 * An event's text field as sent: text as is, a number or boolean spelled out, NULL and anything
 * else ''. Not String(v): a map with a non-function `toString` key makes String throw.
 */
function textField(v: unknown): string {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** A number or numeric text as a number; NaN for anything else (Number() of a map may throw). */
function numberField(v: unknown): number {
  return typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
}

function pick(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of FORWARDED_ATTRIBUTES) if (k in attrs) out[k] = attrs[k];
  return out;
}

/** Trims a log row's `properties` exactly as the websocket server does before sending it. */
export function trimProperties(properties: unknown): EventProperties {
  if (!isMap(properties)) return {};
  if (properties.text !== undefined && properties.text !== null) return { ...properties };
  const out: EventProperties = {};
  if (isMap(properties.old_attributes)) out.old_attributes = pick(properties.old_attributes);
  if (isMap(properties.new_attributes)) out.new_attributes = pick(properties.new_attributes);
  return out;
}

/** A row of the logs API as far as the engine reads it. */
export interface LogRow {
  id: number;
  uuid: string;
  object_uuid?: string | null;
  object_owner_uuid?: string | null;
  object_kind?: string | null;
  event_type?: string | null;
  event_at?: string | null;
  created_at?: string | null;
  properties?: unknown;
}

/**
 * Turns a logs API row into an event of the websocket shape (NULLs become '' as the server sends
 * them). Fields the websocket does not send (created_at, summary, owner_uuid) are left out, so an
 * event looks the same whichever transport brought it.
 */
export function eventFromLogRow(row: LogRow, kindOf: (uuid: string) => string): ArvadosEvent {
  // The row is JSON from the server: read every field as textField does, whatever its type.
  const objectUuid = textField(row.object_uuid);
  const ev: ArvadosEvent = {
    id: numberField(row.id),
    uuid: textField(row.uuid),
    object_uuid: objectUuid,
    object_owner_uuid: textField(row.object_owner_uuid),
    object_kind: textField(row.object_kind) || kindOf(objectUuid),
    event_type: textField(row.event_type),
    event_at: textField(row.event_at),
    properties: trimProperties(row.properties),
  };
  return ev;
}

/**
 * Reads one websocket frame's JSON. Returns what kind of message it is: a status reply, a
 * keepalive (`{}`), an event, or something malformed that the caller logs and skips.
 */
export type Frame =
  | { type: 'status'; status: number }
  | { type: 'keepalive' }
  | {
      type: 'event';
      event: ArvadosEvent;
      /**
       * The frame's text without its msgID, when the event is exactly what that text parses to
       * (no field fixed, none added or dropped) and it is one line: the event as JSON, without a
       * JSON.stringify. Key order and escapes are the server's (Go sorts keys, escapes <, >, &).
       */
      json?: string;
    }
  | { type: 'malformed'; reason: string };

const MSG_ID_KEY = '"msgID":';

/**
 * The frame's text without its top-level `"msgID":N` member, so that the parsed object already
 * has the event's shape (deleting the key after parsing would put V8's object in slow mode).
 * Go's JSON sorts map keys, so msgID comes after event_at, event_type and id, which are scalars.
 * The member is cut only where it is certainly a top-level key: no `{` before it but the opening
 * one, right after `{` or a `,`, its value digits. Otherwise the text is left alone (and the
 * event is copied out of the parsed object).
 */
function withoutMsgId(text: string): string {
  const at = text.indexOf(MSG_ID_KEY);
  if (at < 1 || text.lastIndexOf('{', at) !== 0) return text;
  const before = text.charCodeAt(at - 1);
  let end = at + MSG_ID_KEY.length;
  const digits = end;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  if (end === digits) return text;
  const after = text[end];
  if (before === 44 /* , */ && (after === ',' || after === '}')) return text.slice(0, at - 1) + text.slice(end);
  if (at === 1 && after === ',' && text[end + 1] === '"') return `{${text.slice(end + 1)}`;
  return text;
}

const TEXT_FIELDS = ['uuid', 'object_uuid', 'object_owner_uuid', 'object_kind', 'event_type', 'event_at'] as const;
/** id, the text fields, properties. */
const EVENT_KEYS = TEXT_FIELDS.length + 2;

/** Own enumerable keys, and inherited ones (none on a parsed object; more keys only ever means "not the usual frame"). */
function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** The event's fields of a frame whose text and id fields were already made right. */
function eventFields(msg: Record<string, unknown>): ArvadosEvent {
  return {
    id: msg.id as number,
    uuid: msg.uuid as string,
    object_uuid: msg.object_uuid as string,
    object_owner_uuid: msg.object_owner_uuid as string,
    object_kind: msg.object_kind as string,
    event_type: msg.event_type as string,
    event_at: msg.event_at as string,
    properties: msg.properties as EventProperties,
  };
}

/** A line break: JSON allows them between tokens, and a line of JSON Lines must not have one. */
const hasLineBreak = (text: string) => text.indexOf("\n") !== -1 || text.indexOf("\r") !== -1;

export function classifyFrame(text: string): Frame {
  let msg: unknown;
  const stripped = withoutMsgId(text);
  try {
    msg = JSON.parse(stripped);
  } catch {
    return { type: 'malformed', reason: 'not JSON' };
  }
  if (!isMap(msg)) return { type: 'malformed', reason: 'not a JSON object' };
  if (typeof msg.status === 'number') return { type: 'status', status: msg.status };
  if ('event_type' in msg) {
    const id = numberField(msg.id);
    if (!Number.isSafeInteger(id) || id <= 0) return { type: 'malformed', reason: 'event without a valid id' };
    // The parsed object becomes the event: each field is fixed in place only when it is not
    // already what the event's type says (the server sends text; NULL becomes '').
    let fixed = false;
    if (msg.id !== id) (msg.id = id), (fixed = true);
    // Each field by name, not a loop over TEXT_FIELDS: a keyed access per name is slower on this path.
    if (typeof msg.uuid !== 'string') (msg.uuid = textField(msg.uuid)), (fixed = true);
    if (typeof msg.object_uuid !== 'string') (msg.object_uuid = textField(msg.object_uuid)), (fixed = true);
    if (typeof msg.object_owner_uuid !== 'string') (msg.object_owner_uuid = textField(msg.object_owner_uuid)), (fixed = true);
    if (typeof msg.object_kind !== 'string') (msg.object_kind = textField(msg.object_kind)), (fixed = true);
    if (typeof msg.event_type !== 'string') (msg.event_type = textField(msg.event_type)), (fixed = true);
    if (typeof msg.event_at !== 'string') (msg.event_at = textField(msg.event_at)), (fixed = true);
    if (!isMap(msg.properties)) (msg.properties = {}), (fixed = true);
    // An unusual frame (a msgID left in, fields an event does not have): a copy of the fields.
    if (keyCount(msg) !== EVENT_KEYS) return { type: 'event', event: eventFields(msg) };
    const event = msg as unknown as ArvadosEvent;
    if (fixed || hasLineBreak(stripped)) return { type: 'event', event };
    return { type: 'event', event, json: stripped };
  }
  if (Object.keys(msg).length === 0) return { type: 'keepalive' };
  return { type: 'malformed', reason: 'neither a status reply, a keepalive nor an event' };
}
