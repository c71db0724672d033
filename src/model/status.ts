/**
 * The words and icons of the connection state, for the status bar item and the Events view's
 * description. Pure functions; the views call them at most twice a second.
 */
import { formatRate } from './rate';
import { t } from './l10n';
import { escapeMarkdown, relativeTime } from './labels';
import { connectionKey, type ClusterStatus } from './cluster';
import { worstState } from './clusters';

export interface StatusInput {
  status: ClusterStatus;
  paused: boolean;
  pausedCount: number;
  rate: number;
  host?: string;
  /** The cluster's name, when several are followed. */
  cluster?: string;
  user?: string;
  transport?: string;
  lastEventAt?: string;
  now: number;
}

export interface StatusText {
  /** With codicons, e.g. `$(pulse) Arvados: live · 12/s`. */
  text: string;
  /** Markdown. */
  tooltip: string;
  severity: 'normal' | 'warning' | 'error';
}

/** The state in a word or two: live, polling, reconnecting 3, paused, closed, error… */
export function stateWords(status: ClusterStatus): string {
  switch (status.kind) {
    case 'unconfigured':
      return t('not configured');
    case 'idle':
      return t('not connected');
    case 'connecting':
      return t('connecting');
    case 'closed':
      return t('closed');
    case 'error':
      return t('error');
    case 'open': {
      const c = status.connection;
      switch (c.status) {
        case 'live':
          return t('live');
        case 'polling':
          return t('polling');
        case 'reconnecting':
          return t('reconnecting {0}', c.attempt);
        case 'catching-up':
          return t('catching up');
        case 'connecting':
          return t('connecting');
        case 'closed':
          return t('closed');
      }
    }
  }
}

function iconOf(status: ClusterStatus, paused: boolean): string {
  if (paused) return '$(debug-pause)';
  switch (status.kind) {
    case 'unconfigured':
      return '$(gear)';
    case 'idle':
    case 'closed':
      return '$(debug-disconnect)';
    case 'connecting':
      return '$(sync~spin)';
    case 'error':
      return '$(error)';
    case 'open':
      switch (status.connection.status) {
        case 'live':
          return '$(pulse)';
        case 'polling':
          return '$(history)';
        case 'closed':
          return '$(debug-disconnect)';
        default:
          return '$(sync~spin)';
      }
  }
}

export function statusText(input: StatusInput): StatusText {
  const { status, paused } = input;
  const parts = [paused ? t('paused') : stateWords(status)];
  if (status.kind === 'open') parts.push(t('{0}/s', formatRate(input.rate)));
  if (paused && input.pausedCount) parts.push(t('{0} new', input.pausedCount));
  const text = `${iconOf(status, paused)} ${t('Arvados')}: ${parts.join(' · ')}`;

  const lines: string[] = [];
  if (input.host) lines.push(t('Cluster **{0}**', escapeMarkdown(input.host)) + (input.user ? ` · ${escapeMarkdown(input.user)}` : ''));
  else lines.push(t('No cluster configured'));
  let state = stateWords(status);
  if (status.kind === 'open' && input.transport) state += ` (${input.transport === 'poll' ? t('polling the logs API') : t('websocket')})`;
  lines.push(t('State: {0}', state) + (paused ? ` · ${t('paused, {0} events held', input.pausedCount)}` : ''));
  if (status.kind === 'error' || status.kind === 'unconfigured') lines.push(escapeMarkdown(status.message));
  if (status.kind === 'open' && status.connection.status === 'reconnecting') lines.push(escapeMarkdown(status.connection.reason));
  if (input.lastEventAt) lines.push(t('Last event: {0} ({1})', input.lastEventAt, relativeTime(Date.parse(input.lastEventAt), input.now)));
  else lines.push(t('No events yet'));
  lines.push(t('Click for connection actions'));
  const severity = status.kind === 'error' ? 'error' : status.kind === 'open' && status.connection.status === 'reconnecting' ? 'warning' : 'normal';
  return { text, tooltip: lines.join('\n\n'), severity };
}

/**
 * Of several clusters: the worst state and the total rate in the item, one tooltip line per
 * cluster. Of one, statusText.
 */
export function clustersStatusText(inputs: readonly StatusInput[]): StatusText {
  if (inputs.length <= 1) return statusText(inputs[0] ?? { status: { kind: 'idle' }, paused: false, pausedCount: 0, rate: 0, now: Date.now() });
  const worstKey = worstState(inputs.map((i) => connectionKey(i.status)));
  const worst = inputs.find((i) => connectionKey(i.status) === worstKey) ?? inputs[0];
  const paused = inputs.every((i) => i.paused);
  const rate = inputs.reduce((sum, i) => sum + (i.status.kind === 'open' ? i.rate : 0), 0);
  const pausedCount = inputs.reduce((sum, i) => sum + i.pausedCount, 0);
  // The worst state may not be open while others are: the rate of those is still shown.
  const parts = [paused ? t('paused') : stateWords(worst.status)];
  if (inputs.some((i) => i.status.kind === 'open')) parts.push(t('{0}/s', formatRate(rate)));
  if (paused && pausedCount) parts.push(t('{0} new', pausedCount));
  const text = `${iconOf(worst.status, paused)} ${t('Arvados')}: ${parts.join(' · ')}`;
  const lines = [t('**{0} clusters**', inputs.length)];
  for (const i of inputs) {
    let state = i.paused ? t('paused') : stateWords(i.status);
    if (i.status.kind === 'open' && i.transport === 'poll') state += ` (${t('polling the logs API')})`;
    const line = [`**${escapeMarkdown(i.cluster ?? i.host ?? t('default cluster'))}**`];
    if (i.user) line.push(escapeMarkdown(i.user));
    line.push(state);
    if (i.status.kind === 'open') line.push(t('{0}/s', formatRate(i.rate)));
    if (i.lastEventAt) line.push(t('last event {0}', relativeTime(Date.parse(i.lastEventAt), i.now)));
    let entry = line.join(' · ');
    if (i.status.kind === 'error' || i.status.kind === 'unconfigured') entry += ` — ${escapeMarkdown(i.status.message)}`;
    else if (i.status.kind === 'open' && i.status.connection.status === 'reconnecting') entry += ` — ${escapeMarkdown(i.status.connection.reason)}`;
    lines.push(entry);
  }
  lines.push(t('Click for connection actions'));
  return { text, tooltip: lines.join('\n\n'), severity: statusText(worst).severity };
}

export interface CountsInput {
  shown: number;
  dropped: number;
  skipped: number;
  paused: boolean;
  pausedCount: number;
}

/** The Events view's description: `120 shown · 3 dropped · paused (12 new)`. */
export function eventsDescription(c: CountsInput): string {
  const parts = [t('{0} shown', c.shown)];
  if (c.dropped) parts.push(t('{0} dropped', c.dropped));
  if (c.skipped) parts.push(t('{0} skipped', c.skipped));
  if (c.paused) parts.push(c.pausedCount ? t('paused ({0} new)', c.pausedCount) : t('paused'));
  return parts.join(' · ');
}
