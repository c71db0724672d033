/**
 * Every command, view, context key and context value id, in one place (package.json names the
 * same ones; test/unit/views/ids.test.ts keeps them in step). No vscode here.
 */

export const COMMANDS = {
  connect: 'arvados.connect',
  closeConnection: 'arvados.closeConnection',
  reconnect: 'arvados.reconnect',
  setCluster: 'arvados.setCluster',
  setApiToken: 'arvados.setApiToken',
  addFilter: 'arvados.addFilter',
  removeFilter: 'arvados.removeFilter',
  clearFilters: 'arvados.clearFilters',
  watchObject: 'arvados.watchObject',
  unwatchObject: 'arvados.unwatchObject',
  pause: 'arvados.pause',
  resume: 'arvados.resume',
  clearEvents: 'arvados.clearEvents',
  exportEvents: 'arvados.exportEvents',
  showOutput: 'arvados.showOutput',
  groupBy: 'arvados.groupBy',
  copyUuid: 'arvados.copyUuid',
  openInWorkbench: 'arvados.openInWorkbench',
  openEvent: 'arvados.openEvent',
  addFilterForObject: 'arvados.addFilterForObject',
  showConnectionActions: 'arvados.showConnectionActions',
  showLiveLog: 'arvados.showLiveLog',
  chooseLogFiles: 'arvados.chooseLogFiles',
  addCluster: 'arvados.addCluster',
  removeCluster: 'arvados.removeCluster',
  showProcessDetails: 'arvados.showProcessDetails',
  cancelProcess: 'arvados.cancelProcess',
  showAllProcesses: 'arvados.showAllProcesses',
  showMyProcesses: 'arvados.showMyProcesses',
  showFailedProcessesOnly: 'arvados.showFailedProcessesOnly',
  showEveryProcess: 'arvados.showEveryProcess',
} as const;

export const VIEWS = {
  events: 'arvados.events',
  subscriptions: 'arvados.subscriptions',
  watched: 'arvados.watched',
  processes: 'arvados.processes',
} as const;

/** The command that reveals a view. */
export function focusCommand(view: (typeof VIEWS)[keyof typeof VIEWS]): string {
  return `${view}.focus`;
}

/** Context keys for `when` clauses. */
export const CONTEXT = {
  configured: 'arvados.configured',
  connectionState: 'arvados.connectionState',
  errorKind: 'arvados.errorKind',
  connected: 'arvados.connected',
  paused: 'arvados.paused',
  hasFilters: 'arvados.hasFilters',
  hasWatches: 'arvados.hasWatches',
  hasEvents: 'arvados.hasEvents',
  groupBy: 'arvados.groupBy',
  hasWorkbench: 'arvados.hasWorkbench',
  /** More than one cluster is shown (views have a root node per cluster). */
  severalClusters: 'arvados.severalClusters',
  /** The Processes view shows only the user's processes (its mine/all toggle). */
  processesMineOnly: 'arvados.processesMineOnly',
  /** The Processes view shows only failed ones (its failed-only toggle). */
  processesFailedOnly: 'arvados.processesFailedOnly',
} as const;

/**
 * Tree items' `contextValue` (`viewItem` in menus). An event's and a watch's name their object's
 * kind (`event.containerRequest`, `watch.collection`), so a feature can add menu items for the
 * kinds it handles with `viewItem =~ /^event\.containerRequest$/` without touching these views.
 */
export const ITEMS = {
  event: 'event',
  eventOf: (kind: string | undefined) => withKind('event', kind),
  watchOf: (kind: string | undefined) => withKind('watch', kind),
  group: (by: string) => `group.${by}`,
  filter: 'filter',
  allEvents: 'allEvents',
  watch: 'watch',
  cluster: 'cluster',
  /** A process in the Processes view: `process.active` (may be cancelled) or `process.finished`. */
  process: (active: boolean) => (active ? 'process.active' : 'process.finished'),
} as const;

export const STATUS_BAR_ID = 'arvados.status';

/** The webview panel of a live log (`activeWebviewPanelId` in when-clauses). */
export const LIVE_LOG_PANEL = 'arvados.liveLog';

/** `event.containerRequest` for `arvados#containerRequest`; the bare prefix for an unknown kind. */
function withKind(prefix: string, kind: string | undefined): string {
  const name = kind?.startsWith('arvados#') ? kind.slice('arvados#'.length) : '';
  return /^[A-Za-z]+$/.test(name) ? `${prefix}.${name}` : prefix;
}

/** The scheme of process details documents: `arvados-process://<host>/<request uuid>.md`. */
export const PROCESS_SCHEME = 'arvados-process';

/** The scheme of event documents: `arvados-event://<host>/event-<id>.json`. */
export const EVENT_SCHEME = 'arvados-event';
