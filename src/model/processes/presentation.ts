/**
 * How a process reads in the Processes view and its details document: the row's description
 * (status, runtime, cost, a workflow's steps per status), its icon, its Markdown tooltip, and the
 * read-only details document. Pure functions of the tree's facts and the time; no vscode.
 */
import { joinWorkbench, workbenchPath } from '../../arvados/workbench';
import { escapeMarkdown, type IconChoice } from '../labels';
import { t } from '../l10n';
import { type ContainerFacts, type ProcessStatus, type StatusWord } from './status';
import type { ProcessNode, ProcessTree } from './tree';

const ICONS: Record<StatusWord, IconChoice> = {
  Unknown: { id: 'loading~spin' },
  Draft: { id: 'edit' },
  Queued: { id: 'clock' },
  'On hold': { id: 'debug-pause', color: 'charts.yellow' },
  Running: { id: 'sync~spin', color: 'charts.blue' },
  Warning: { id: 'warning', color: 'charts.yellow' },
  Failing: { id: 'flame', color: 'testing.iconFailed' },
  Cancelling: { id: 'circle-slash', color: 'charts.yellow' },
  Completed: { id: 'pass', color: 'testing.iconPassed' },
  Reused: { id: 'references', color: 'testing.iconPassed' },
  Failed: { id: 'error', color: 'testing.iconFailed' },
  Cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

/** Each status word with its own icon. */
export function statusIcon(status: ProcessStatus): IconChoice {
  return ICONS[status.word];
}

/** `5 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('{0} s', s);
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? t('{0} min {1} s', m, s % 60) : t('{0} min', m);
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? t('{0} h {1} min', h, m % 60) : t('{0} h', h);
  const d = Math.floor(h / 24);
  return h % 24 ? t('{0} d {1} h', d, h % 24) : t('{0} d', d);
}

/** `ran 4 min 10 s`, `running for 12 s`, or nothing before it starts. */
export function runtimeOf(container: ContainerFacts | undefined, now: number): string | undefined {
  const start = Date.parse(container?.started_at ?? '');
  if (!Number.isFinite(start)) return undefined;
  const end = Date.parse(container?.finished_at ?? '');
  if (Number.isFinite(end)) return t('ran {0}', formatDuration(end - start));
  return container?.state === 'Running' ? t('running for {0}', formatDuration(now - start)) : undefined;
}

/** `$1.234`; nothing when the cost is unknown or zero. */
export function costOf(node: ProcessNode): string | undefined {
  const cost = node.request.cumulative_cost || (node.container ? (node.container.cost ?? 0) + (node.container.subrequests_cost ?? 0) : 0);
  return typeof cost === 'number' && cost > 0 ? `$${cost < 0.01 ? cost.toFixed(4) : cost.toFixed(3)}` : undefined;
}

/** The status words, as a table the l10n bundle is read from (scripts/l10n.mjs). */
const STATUS_LABELS: Record<StatusWord, string> = {
  Unknown: 'Unknown',
  Draft: 'Draft',
  Queued: 'Queued',
  'On hold': 'On hold',
  Running: 'Running',
  Warning: 'Warning',
  Failing: 'Failing',
  Cancelling: 'Cancelling',
  Completed: 'Completed',
  Reused: 'Reused',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
};

/** The status in Workbench2's words, translated: `Failed (exit 2)`, `Running`… */
export function statusLabel(status: ProcessStatus): string {
  return status.word === 'Failed' && status.exitCode !== undefined ? t('Failed (exit {0})', status.exitCode) : t(STATUS_LABELS[status.word]);
}

/** `12 completed · 2 running · 1 failed`. */
export function countsInWords(counts: Array<[StatusWord, number]>): string {
  return counts.map(([word, n]) => `${n} ${t(STATUS_LABELS[word]).toLowerCase()}`).join(' · ');
}

export function nameOf(node: ProcessNode): string {
  return node.request.name || node.uuid;
}

/** The row's description: status, runtime, cost; for a workflow, its steps per status. */
export function processDescription(tree: ProcessTree, node: ProcessNode, now: number): string {
  const status = tree.status(node);
  const parts = [statusLabel(status)];
  const runtime = runtimeOf(node.container, now);
  if (runtime) parts.push(runtime);
  const cost = costOf(node);
  if (cost) parts.push(cost);
  const counts = tree.counts(node.uuid);
  if (counts.length) parts.push(countsInWords(counts));
  return parts.join(' · ');
}

function row(label: string, value: string | undefined | null): string | undefined {
  return value ? `- ${escapeMarkdown(label)}: ${escapeMarkdown(value)}` : undefined;
}

/** The hover: the essentials, as Markdown (names come from the cluster and are escaped). */
export function processTooltip(tree: ProcessTree, node: ProcessNode, now: number): string {
  const status = tree.status(node);
  const c = node.container;
  const lines = [
    `**${escapeMarkdown(nameOf(node))}**`,
    '',
    row(t('Status'), statusLabel(status)),
    row(t('Runtime'), runtimeOf(c, now)),
    row(t('Cost'), costOf(node)),
    row(t('Steps'), countsInWords(tree.counts(node.uuid))),
    row(t('Error'), c?.runtime_status?.error),
    row(t('Warning'), c?.runtime_status?.warning),
    `- ${escapeMarkdown(t('Request'))}: \`${node.uuid}\``,
    c ? `- ${escapeMarkdown(t('Container'))}: \`${c.uuid}\`` : undefined,
  ];
  if (!node.loaded) lines.push('', `_${escapeMarkdown(t('Reading its details…'))}_`);
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

function urlOf(base: string | undefined, uuid: string | null | undefined): string | undefined {
  const path = base && uuid ? workbenchPath(uuid) : undefined;
  return path ? joinWorkbench(base!, path) : undefined;
}

/** `zzzzz-4zz18-…  https://workbench/collections/…`, or `none`. */
function objectLine(base: string | undefined, uuid: string | null | undefined): string {
  if (!uuid) return t('none');
  const url = urlOf(base, uuid);
  return url ? `${uuid}  ${url}` : uuid;
}

function value(v: unknown): string {
  return v === undefined || v === null || v === '' ? t('none') : String(v);
}

/**
 * The read-only details document: everything the view knows of one process, as plain lines
 * under Markdown headings (it is read as text, so nothing is escaped; links are bare URLs, which
 * the editor opens on Ctrl+click).
 */
export function processDetails(tree: ProcessTree, node: ProcessNode, now: number, workbenchBase?: string): string {
  const r = node.request;
  const c = node.container;
  const status = tree.status(node);
  const rs = c?.runtime_status ?? {};
  const parent = tree.parentOf(node.uuid);
  const rows: Array<[string, string]> = [
    [t('Status'), statusLabel(status)],
    [t('Open in Workbench'), urlOf(workbenchBase, node.uuid) ?? t('no Workbench address')],
    [t('Request'), node.uuid],
    [t('Request state'), value(r.state)],
    [t('Priority'), value(r.priority)],
    [t('Container'), value(r.container_uuid)],
    [t('Container state'), value(c?.state)],
    [t('Exit code'), value(c?.exit_code)],
    [t('Containers'), t('{0} of at most {1}', value(r.container_count), value(r.container_count_max))],
    [t('Started'), value(c?.started_at)],
    [t('Finished'), value(c?.finished_at)],
    [t('Runtime'), runtimeOf(c, now) ?? t('none')],
    [t('Cost'), costOf(node) ?? t('none')],
    [t('Output'), objectLine(workbenchBase, r.output_uuid)],
    [t('Log'), objectLine(workbenchBase, r.log_uuid)],
    [t('Parent'), parent ? `${nameOf(parent)}  (${objectLine(workbenchBase, parent.uuid)})` : t('none')],
  ];
  const counts = tree.counts(node.uuid);
  if (counts.length) rows.push([t('Steps'), countsInWords(counts)]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const out = [`# ${nameOf(node)}`, '', ...rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`), '', `## ${t('Runtime status')}`, ''];
  const entries: Array<[string, string | undefined]> = [
    [t('Error'), rs.error],
    [t('Error detail'), rs.errorDetail],
    [t('Warning'), rs.warning],
    [t('Warning detail'), rs.warningDetail],
    [t('Activity'), rs.activity],
    [t('Preemption notice'), rs.preemptionNotice],
  ];
  const shown = entries.filter(([, v]) => typeof v === 'string' && v.trim());
  if (!shown.length) out.push(t('Nothing reported.'));
  for (const [label, v] of shown) out.push(`### ${label}`, '', String(v), '');
  return out.join('\n') + '\n';
}
