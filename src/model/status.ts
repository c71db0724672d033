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
  /** When polling: why, and how often. */
  pollReason?: string;
  pollIntervalMs?: number;
  lastEventAt?: string;
  now: number;
}

export interface StatusText {
  /** With codicons, e.g. `$(pulse) Arvados: live · 12/s`. */
  text: string;
  /** Markdown. */
  tooltip: string;
  /** What a screen reader says: plain words, no Markdown, no icon names. */
  accessibleLabel: string;
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
    case 'waiting':
      return status.host ? t('waiting for {0}', status.host) : t('waiting for the cluster');
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
    case 'waiting':
      return '$(watch)';
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

/** Seconds until `at`, at least 0. */
function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Why the extension polls and how often: `Polling the logs API every 15 s: <reason>.` */
export function pollingExplanation(reason: string | undefined, intervalMs: number | undefined): string {
  const every = intervalMs ? t('Polling the logs API every {0} s, so events appear up to {0} s after they happen', Math.round(intervalMs / 100) / 10) : t('Polling the logs API');
  return reason ? t('{0}: {1}.', every, reason) : `${every}.`;
}

/**
 * What the Events view says above its rows about the connection (VS Code hides the welcome
 * view while rows show): why it failed, what it is waiting for, why it polls. Plain text.
 */
export function connectionProblem(status: ClusterStatus, poll?: { reason?: string; intervalMs?: number }): string | undefined {
  switch (status.kind) {
    case 'unconfigured':
    case 'error':
      return status.message;
    case 'waiting':
      // Shown until the status changes, so no countdown here (the status bar has it).
      return t('Waiting for {0}: {1} Trying again by itself; it connects as soon as the cluster answers.', status.host ?? t('the cluster'), status.message);
    case 'open':
      if (status.connection.status === 'polling') return pollingExplanation(poll?.reason, poll?.intervalMs);
      if (status.connection.status === 'reconnecting') return t('Reconnecting: {0}', status.connection.reason);
      return undefined;
    default:
      return undefined;
  }
}

export function statusText(input: StatusInput): StatusText {
  const { status, paused } = input;
  const parts = [paused ? t('paused') : stateWords(status)];
  if (status.kind === 'open') parts.push(t('{0}/s', formatRate(input.rate)));
  if (paused && input.pausedCount) parts.push(t('{0} new', input.pausedCount));
  const text = `${iconOf(status, paused)} ${t('Arvados')}: ${parts.join(' · ')}`;

  // Each line in plain words for the accessible label, and as Markdown for the tooltip (where
  // what came from elsewhere, a message or a name, is escaped).
  const plain: string[] = [];
  const md: string[] = [];
  const line = (words: string, markdown = words) => (plain.push(words), md.push(markdown));
  const quoted = (words: string) => line(words, escapeMarkdown(words));
  const host = input.host ?? (status.kind === 'error' || status.kind === 'waiting' ? status.host : undefined);
  if (host) {
    const who = input.user ? ` · ${input.user}` : '';
    line(t('Cluster {0}', host) + who, t('Cluster **{0}**', escapeMarkdown(host)) + (input.user ? ` · ${escapeMarkdown(input.user)}` : ''));
  } else if (status.kind === 'unconfigured') line(t('No cluster configured'));
  let state = stateWords(status);
  if (status.kind === 'open' && input.transport) state += ` (${input.transport === 'poll' ? t('polling the logs API') : t('websocket')})`;
  line(t('State: {0}', state) + (paused ? ` · ${t('paused, {0} events held', input.pausedCount)}` : ''));
  if (status.kind === 'error' || status.kind === 'unconfigured') quoted(status.message);
  if (status.kind === 'waiting') {
    quoted(status.message);
    line(t('Trying again by itself: next try in {0} s (attempt {1}).', secondsUntil(status.retryAt, input.now), status.attempt + 1));
  }
  if (status.kind === 'open' && status.connection.status === 'reconnecting') quoted(status.connection.reason);
  if (status.kind === 'open' && (input.transport === 'poll' || status.connection.status === 'polling')) quoted(pollingExplanation(input.pollReason, input.pollIntervalMs));
  if (input.lastEventAt) line(t('Last event: {0} ({1})', input.lastEventAt, relativeTime(Date.parse(input.lastEventAt), input.now)));
  else line(t('No events yet'));
  md.push(t('Click for connection actions'));
  const severity = status.kind === 'error' ? 'error' : status.kind === 'waiting' || (status.kind === 'open' && status.connection.status === 'reconnecting') ? 'warning' : 'normal';
  const spoken = `${t('Arvados Events')}: ${parts.join(', ')}. ${plain.join('. ')}`.replace(/\.\./g, '.').replace(/\s+/g, ' ').trim();
  return { text, tooltip: md.join('\n\n'), accessibleLabel: spoken, severity };
}

/**
 * Whether to tell the user, in a notification, that the token was refused: once per refusal,
 * not at every retry or re-render; again only after a connection succeeded (or another host).
 */
export class TokenRefusalNotice {
  private notifiedFor?: string;

  /** True when this status should raise the notification now. */
  shouldNotify(status: ClusterStatus): boolean {
    if (status.kind === 'open' && (status.connection.status === 'live' || status.connection.status === 'polling')) this.notifiedFor = undefined;
    if (status.kind !== 'error' || status.cause !== 'token') return false;
    const key = status.host ?? '';
    if (this.notifiedFor === key) return false;
    this.notifiedFor = key;
    return true;
  }
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
  // Each line in plain words for the accessible label, and as Markdown for the tooltip.
  const plain = [t('{0} clusters', inputs.length)];
  const md = [`**${t('{0} clusters', inputs.length)}**`];
  for (const i of inputs) {
    let state = i.paused ? t('paused') : stateWords(i.status);
    if (i.status.kind === 'open' && i.transport === 'poll') state += ` (${t('polling the logs API')})`;
    const name = i.cluster ?? i.host ?? t('default cluster');
    const rest: string[] = [];
    if (i.user) rest.push(i.user);
    rest.push(state);
    if (i.status.kind === 'open') rest.push(t('{0}/s', formatRate(i.rate)));
    if (i.lastEventAt) rest.push(t('last event {0}', relativeTime(Date.parse(i.lastEventAt), i.now)));
    const st = i.status;
    const why = st.kind === 'error' || st.kind === 'unconfigured' || st.kind === 'waiting' ? st.message : st.kind === 'open' && st.connection.status === 'reconnecting' ? st.connection.reason : undefined;
    plain.push([name, ...rest].join(' · ') + (why ? ` — ${why}` : ''));
    md.push([`**${escapeMarkdown(name)}**`, ...rest.map(escapeMarkdown)].join(' · ') + (why ? ` — ${escapeMarkdown(why)}` : ''));
  }
  md.push(t('Click for connection actions'));
  const spoken = `${t('Arvados Events')}: ${parts.join(', ')}. ${plain.join('. ')}`.replace(/\.\./g, '.').replace(/\s+/g, ' ').trim();
  return { text, tooltip: md.join('\n\n'), accessibleLabel: spoken, severity: statusText(worst).severity };
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
