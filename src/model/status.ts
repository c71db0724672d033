/**
 * The words and icons of the connection state, for the status bar item and the Events view's
 * description. Pure functions; the views call them at most twice a second.
 */
import { formatRate } from './rate';
import { t } from './l10n';
import { escapeMarkdown, relativeTime } from './labels';
import type { ClusterStatus } from './cluster';

export interface StatusInput {
  status: ClusterStatus;
  paused: boolean;
  pausedCount: number;
  rate: number;
  host?: string;
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
