/** Types shared by the event engine, the extension and the CLI. */

/** One condition of an Arvados filter: `[attribute, operator, operand]`. */
export type Condition = [attribute: string, operator: string, operand: unknown];

/** A filter is a list of conditions that must all hold. The empty filter matches everything. */
export type Filter = Condition[];

/** `properties` of an event, trimmed the way the websocket server trims it (see trimProperties). */
export interface EventProperties {
  text?: string;
  old_attributes?: Record<string, unknown> | null;
  new_attributes?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/**
 * An event as the engine delivers it: the fields of a websocket v0 event message. `msgID` is
 * left out on purpose: it restarts at 1 on every connection, so it identifies nothing.
 * Events read from the logs API are given the same fields (see eventFromLogRow).
 */
export interface ArvadosEvent {
  id: number;
  uuid: string;
  object_uuid: string;
  object_owner_uuid: string;
  object_kind: string;
  event_type: string;
  event_at: string;
  properties: EventProperties;
}

/** Where an event client stands. */
export type ConnectionState =
  | { status: 'connecting'; transport: Transport }
  | { status: 'catching-up'; transport: Transport; since: number }
  | { status: 'live'; transport: 'websocket' }
  | { status: 'polling'; transport: 'poll' }
  | { status: 'reconnecting'; transport: Transport; attempt: number; delayMs: number; reason: string }
  | { status: 'closed'; reason?: string; error?: Error };

export type Transport = 'websocket' | 'poll';

/** Where diagnostics go. The engine redacts the token before anything reaches a logger. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
