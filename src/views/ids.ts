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
} as const;

export const VIEWS = {
  events: 'arvados.events',
  subscriptions: 'arvados.subscriptions',
  watched: 'arvados.watched',
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
} as const;

/** Tree items' `contextValue` (`viewItem` in menus). A process (container request or container) has its own, for Show Live Log. */
export const ITEMS = {
  event: 'event',
  processEvent: 'event.process',
  processWatch: 'watch.process',
  group: (by: string) => `group.${by}`,
  filter: 'filter',
  allEvents: 'allEvents',
  watch: 'watch',
} as const;

export const STATUS_BAR_ID = 'arvados.status';

/** The webview panel of a live log (`activeWebviewPanelId` in when-clauses). */
export const LIVE_LOG_PANEL = 'arvados.liveLog';

/** Kinds whose objects have a live log. */
export function isProcessKind(kind: string | undefined): boolean {
  return kind === 'arvados#containerRequest' || kind === 'arvados#container';
}

/** The scheme of event documents: `arvados-event://<host>/event-<id>.json`. */
export const EVENT_SCHEME = 'arvados-event';
