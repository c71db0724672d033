/**
 * How an event reads in the views: its label (the object's name when known), its description,
 * its icon, its tooltip and its output line. Pure functions of the event, the names seen so far
 * and (for the icon) an outcome already fetched; no vscode.
 */
import { kindInWords, type ArvadosEvent } from '../arvados';
import type { Outcome } from '../arvados/outcome';
import { clip } from '../arvados/values';
import { LruMap } from './lru';
import { t } from './l10n';

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/** The name an event carries: `new_attributes.name`, else `old_attributes.name`. */
export function nameFromEvent(ev: ArvadosEvent): string | undefined {
  return nonEmptyString(ev.properties?.new_attributes?.name) ?? nonEmptyString(ev.properties?.old_attributes?.name);
}

/** Names seen per uuid, so an event without a name still reads as its object. Bounded (LRU). */
export class NameBook {
  private readonly names: LruMap<string, string>;

  constructor(capacity = 20_000) {
    this.names = new LruMap(capacity);
  }

  get size(): number {
    return this.names.size;
  }

  /** Notes the name an event carries, if any. */
  learn(ev: ArvadosEvent): void {
    const name = nameFromEvent(ev);
    if (name && ev.object_uuid) this.set(ev.object_uuid, name);
  }

  set(uuid: string, name: string): void {
    if (this.names.peek(uuid) !== name) this.names.set(uuid, name);
  }

  get(uuid: string): string | undefined {
    return this.names.peek(uuid);
  }
}

/** The object's name when known (event, then names seen), else its uuid. */
export function eventLabel(ev: ArvadosEvent, names?: NameBook): string {
  return nameFromEvent(ev) ?? (ev.object_uuid ? names?.get(ev.object_uuid) : undefined) ?? (ev.object_uuid || ev.uuid || `#${ev.id}`);
}

/** The object's state after the event (`new_attributes.state`), else before it. */
export function stateOf(ev: ArvadosEvent): string | undefined {
  return nonEmptyString(ev.properties?.new_attributes?.state) ?? nonEmptyString(ev.properties?.old_attributes?.state);
}

/** `Committed → Final` when the event changes the state, `Final` when it only shows it. */
export function stateChangeOf(ev: ArvadosEvent): string | undefined {
  const before = nonEmptyString(ev.properties?.old_attributes?.state);
  const after = nonEmptyString(ev.properties?.new_attributes?.state);
  if (before && after && before !== after) return `${before} → ${after}`;
  return after ?? before;
}

export function kindOfEvent(ev: ArvadosEvent): string {
  return ev.object_kind ? kindInWords(ev.object_kind) : t('unknown kind');
}

/** Milliseconds since the epoch of an event time, or NaN. */
export function eventTime(ev: ArvadosEvent): number {
  return Date.parse(ev.event_at || '');
}

/** `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`, then the date. */
export function relativeTime(ms: number, now: number): string {
  if (!Number.isFinite(ms)) return t('unknown time');
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return t('just now');
  if (s < 60) return t('{0} s ago', s);
  const m = Math.floor(s / 60);
  if (m < 60) return t('{0} min ago', m);
  const h = Math.floor(m / 60);
  if (h < 24) return t('{0} h ago', h);
  const d = Math.floor(h / 24);
  if (d < 30) return t('{0} d ago', d);
  return new Date(ms).toISOString().slice(0, 10);
}

/** A finished process's outcome in a few words: `succeeded`, `failed, exit 1`, `cancelled`; undefined when not known. */
export function outcomeShort(outcome: Outcome | undefined): string | undefined {
  switch (outcome?.status) {
    case 'succeeded':
      return t('succeeded');
    case 'failed':
      return t('failed, exit {0}', outcome.exitCode);
    case 'cancelled':
      return t('cancelled');
    default:
      return undefined;
  }
}

/** Whether the event shows its object finished (a Final request, a Complete container): then it has an outcome. */
export function showsFinished(ev: ArvadosEvent): boolean {
  const state = nonEmptyString(ev.properties?.new_attributes?.state);
  return state === 'Final' || state === 'Complete';
}

/**
 * The state the event shows and, once known, the outcome, in words, so that the row says what
 * its icon shows: `Committed → Final · failed, exit 1`, `Running`, `trashed`, `deleted`.
 */
export function stateInWords(ev: ArvadosEvent, outcome?: Outcome): string | undefined {
  if (ev.event_type === 'delete') return t('deleted');
  if (ev.properties?.new_attributes?.is_trashed === true) return t('trashed');
  const state = stateChangeOf(ev);
  const result = showsFinished(ev) ? outcomeShort(outcome) : undefined;
  return [state, result].filter((x) => !!x).join(' · ') || undefined;
}

/** The row's description, most useful first (a narrow sidebar cuts the end): `Final · failed, exit 1 · 5 s ago · update · container request`. */
export function eventDescription(ev: ArvadosEvent, now: number, outcome?: Outcome): string {
  const state = stateInWords(ev, outcome);
  return [...(state ? [state] : []), relativeTime(eventTime(ev), now), ev.event_type || t('(no type)'), kindOfEvent(ev)].join(' · ');
}

/** What a screen reader says for a row: the label, then the description's parts as a sentence (the icon's meaning included). */
export function eventAccessibleLabel(ev: ArvadosEvent, names: NameBook | undefined, now: number, outcome?: Outcome): string {
  const state = stateInWords(ev, outcome)?.replace(/ → /g, ` ${t('to')} `).replace(/ · /g, ', ');
  return [eventLabel(ev, names), kindOfEvent(ev), ev.event_type || t('(no type)'), ...(state ? [state] : []), relativeTime(eventTime(ev), now)].join(', ');
}

export interface IconChoice {
  /** A codicon id (ThemeIcon). */
  id: string;
  /** A theme color id (ThemeColor), when the icon tells success, failure, running or trash. */
  color?: string;
}

/**
 * Theme colour ids of the icons: contributed in package.json (`contributes.colors`) with light,
 * dark and high-contrast values that reach 3:1 against the default themes' sidebars (a unit test
 * computes it from those values), and that a theme or the user may override.
 */
export const COLORS = {
  success: 'arvados.succeeded',
  failure: 'arvados.failed',
  running: 'arvados.running',
  cancelled: 'arvados.cancelled',
  trashed: 'arvados.trashed',
  deleted: 'arvados.deleted',
} as const;

const TYPE_ICONS: Record<string, string> = {
  create: 'add',
  update: 'edit',
  delete: 'trash',
  dispatch: 'rocket',
  file_download: 'cloud-download',
  file_upload: 'cloud-upload',
  secret_access: 'key',
  stdout: 'output',
  stderr: 'output',
  'crunch-run': 'output',
  crunchstat: 'pulse',
  hoststat: 'pulse',
};

/**
 * The icon: the object's state when the event shows one (running, finished, cancelled, trashed),
 * else the event type. A finished container request or container is colored only when its
 * outcome is known (fetched for watched objects and notifications): events carry no exit code.
 */
export function eventIcon(ev: ArvadosEvent, outcome?: Outcome): IconChoice {
  if (ev.event_type === 'delete') return { id: 'trash', color: COLORS.deleted };
  if (ev.properties?.new_attributes?.is_trashed === true) return { id: 'trash', color: COLORS.trashed };
  if (ev.event_type === 'dispatch') return { id: 'warning', color: COLORS.failure };
  const state = nonEmptyString(ev.properties?.new_attributes?.state);
  switch (state) {
    case 'Running':
      return { id: 'play-circle', color: COLORS.running };
    case 'Queued':
    case 'Locked':
    case 'Committed':
      return { id: 'clock' };
    case 'Uncommitted':
      return { id: 'circle-large-outline' };
    case 'Cancelled':
      return { id: 'circle-slash', color: COLORS.cancelled };
    case 'Complete':
    case 'Final':
      if (outcome?.status === 'succeeded') return { id: 'pass', color: COLORS.success };
      if (outcome?.status === 'failed') return { id: 'error', color: COLORS.failure };
      if (outcome?.status === 'cancelled') return { id: 'circle-slash', color: COLORS.cancelled };
      // Finished, outcome not known yet: no tick, which would claim success.
      return { id: 'circle-large-filled' };
  }
  return { id: TYPE_ICONS[ev.event_type] ?? 'symbol-event' };
}

/** Escapes text for a Markdown tooltip: names come from the cluster and may hold anything. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** A Markdown tooltip with every field of the event. */
export function eventTooltip(ev: ArvadosEvent, names?: NameBook, outcome?: Outcome, outcomeText?: string): string {
  const rows: Array<[string, string | undefined]> = [
    ['id', String(ev.id)],
    ['event_type', ev.event_type],
    ['event_at', ev.event_at],
    ['object_uuid', ev.object_uuid],
    ['object_kind', ev.object_kind ? `${ev.object_kind} (${kindInWords(ev.object_kind)})` : ''],
    ['object_owner_uuid', ev.object_owner_uuid],
    ['uuid', ev.uuid],
    ['state', stateChangeOf(ev)],
    ['outcome', outcome && outcomeText],
  ];
  const lines = [`**${escapeMarkdown(eventLabel(ev, names))}**`, ''];
  for (const [k, v] of rows) if (v) lines.push(`- \`${k}\`: ${escapeMarkdown(v)}`);
  const props = clip(JSON.stringify(ev.properties ?? {}, null, 2), 4000).replace(/```/g, '``\u200b`');
  lines.push('', '`properties`:', '', '```json', props, '```');
  return lines.join('\n');
}

/** One line per event for the output channel: `#42 update container request zzzzz-xvhdp-… "name" Committed → Final`. */
export function eventLogLine(ev: ArvadosEvent, names?: NameBook): string {
  const name = nameFromEvent(ev) ?? (ev.object_uuid ? names?.get(ev.object_uuid) : undefined);
  const parts = [`#${ev.id}`, ev.event_type || '-', ev.object_kind ? kindInWords(ev.object_kind) : 'object', ev.object_uuid || '-'];
  if (name) parts.push(JSON.stringify(clip(name, 80)));
  const state = stateChangeOf(ev);
  if (state) parts.push(state);
  if (ev.properties?.new_attributes?.is_trashed === true) parts.push('(trashed)');
  return parts.join(' ');
}
