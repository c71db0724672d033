/**
 * The commands (category "Arvados"). Context-menu commands take the clicked node: an event, an
 * object group, a watched object or a filter node; from the palette they fall back to the
 * selection or ask.
 */
import * as vscode from 'vscode';
import { FilterError, kindInWords, normalizeApiHost, type ArvadosEvent, type Filter } from '../arvados';
import { containerRequestOutcome } from '../arvados/outcome';
import { resolveWorkbenchUrl } from '../arvados/workbench';
import { effectiveHost, tokenBoundTo } from '../model/connection';
import { isGroup } from '../model/eventsModel';
import { defaultExportName, toJsonLines } from '../model/exportEvents';
import { objectFilter } from '../model/filterPresets';
import { GROUP_BY_VALUES, type GroupBy } from '../model/grouping';
import { nameFromEvent } from '../model/labels';
import { isWatchableUuid, type Watch } from '../model/watches';
import type { App } from './app';
import { pickFilter } from './filterPicker';
import { readSettings, updateSetting } from './settings';
import { isFilterNode } from './subscriptionsView';
import { isWatch } from './watchedView';
import { EVENTS_VIEW_ID } from './eventsView';

const t = vscode.l10n.t;

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
} as const;

function isEvent(v: unknown): v is ArvadosEvent {
  return typeof v === 'object' && v !== null && typeof (v as ArvadosEvent).id === 'number' && 'event_type' in v && 'object_uuid' in v;
}

/** The object uuid a command argument stands for. */
export function uuidOfArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (isEvent(arg)) return arg.object_uuid || undefined;
  if (isGroup(arg)) return arg.by === 'object' ? arg.key || undefined : undefined;
  if (isWatch(arg)) return arg.uuid;
  return undefined;
}

function selectedUuid(app: App): string | undefined {
  return uuidOfArg(app.eventsView.treeView.selection[0]);
}

async function askUuid(app: App, title: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title,
    prompt: t('The UUID of an Arvados object'),
    placeHolder: 'zzzzz-xvhdp-0123456789abcde',
    value: selectedUuid(app),
    ignoreFocusOut: true,
    validateInput: (v) => (isWatchableUuid(v) ? undefined : t('An Arvados UUID has the form zzzzz-xxxxx-0123456789abcde (27 characters).')),
  });
  return value?.trim();
}

async function connect(app: App, interactive: boolean): Promise<void> {
  await app.session.connect();
  // Not awaited: the command ends while the message waits for the user.
  if (interactive) void reportFailure(app);
}

/** After a connection attempt the user asked for: say why it failed and offer the fixes. */
async function reportFailure(app: App): Promise<void> {
  const status = app.session.status;
  if (status.kind === 'error') {
    const RETRY = t('Retry');
    const OUTPUT = t('Show Output');
    const TOKEN = t('Set API Token');
    const choice = await vscode.window.showErrorMessage(t('Arvados: cannot connect. {0}', status.message), RETRY, TOKEN, OUTPUT);
    if (choice === RETRY) await connect(app, true);
    else if (choice === TOKEN) await vscode.commands.executeCommand(COMMANDS.setApiToken);
    else if (choice === OUTPUT) app.output.show();
  } else if (status.kind === 'unconfigured') {
    const CLUSTER = t('Set Cluster');
    const TOKEN = t('Set API Token');
    const choice = await vscode.window.showWarningMessage(status.message, CLUSTER, TOKEN);
    if (choice === CLUSTER) await vscode.commands.executeCommand(COMMANDS.setCluster);
    else if (choice === TOKEN) await vscode.commands.executeCommand(COMMANDS.setApiToken);
  }
}

export async function openInWorkbench(app: App, uuid: string | undefined): Promise<void> {
  if (!uuid) return;
  const base = app.session.workbenchUrl;
  const api = app.session.api;
  if (!base || !api) {
    void vscode.window.showWarningMessage(app.session.isOpen ? t('The cluster publishes no Workbench URL.') : t('Connect to the cluster first: Workbench links need its address.'));
    return;
  }
  let url: string | undefined;
  try {
    url = await resolveWorkbenchUrl(api, base, uuid);
  } catch (err) {
    void vscode.window.showErrorMessage(t('Cannot find the Workbench page of {0}: {1}', uuid, (err as Error).message));
    return;
  }
  if (!url) {
    void vscode.window.showInformationMessage(t('{0} has no page in Workbench.', uuid));
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(url));
}

export async function openEvent(app: App, arg: unknown): Promise<void> {
  let ev: ArvadosEvent | undefined;
  if (isEvent(arg)) ev = arg;
  else if (typeof arg === 'number') ev = app.model.get(arg);
  else if (arg && typeof arg === 'object' && typeof (arg as { eventId?: unknown }).eventId === 'number') ev = (arg as { event?: ArvadosEvent }).event ?? app.model.get((arg as { eventId: number }).eventId);
  else {
    const sel = app.eventsView.treeView.selection[0];
    if (isEvent(sel)) ev = sel;
  }
  if (!ev) {
    void vscode.window.showInformationMessage(t('Select an event in the Events view first.'));
    return;
  }
  await app.documents.open(ev);
}

export async function watch(app: App, uuid: string, known?: ArvadosEvent): Promise<void> {
  const kind = known?.object_kind || undefined;
  let added: boolean;
  try {
    added = app.watches.add(uuid, { kind, name: known ? nameFromEvent(known) ?? app.names.get(uuid) : app.names.get(uuid) });
  } catch (err) {
    void vscode.window.showErrorMessage((err as Error).message);
    return;
  }
  if (!added) {
    void vscode.window.setStatusBarMessage(t('Already watching {0}', uuid), 3000);
    return;
  }
  app.output.logger.info(`Watching ${uuid}`);
  // Fill in the name and state now rather than at its next event.
  const api = app.session.api;
  if (!api) return;
  try {
    const obj = await api.getObject<{ name?: string | null; state?: string | null; is_trashed?: boolean; kind?: string }>(uuid);
    app.watches.describe(uuid, {
      name: obj.name || undefined,
      kind: obj.kind || undefined,
      state: obj.is_trashed ? 'trashed' : obj.state || undefined,
    });
    if (obj.name) app.names.set(uuid, obj.name);
    if (obj.kind === 'arvados#containerRequest' && obj.state === 'Final') {
      const outcome = await containerRequestOutcome(api, uuid);
      app.outcomes.set(uuid, outcome);
      app.watches.setOutcome(uuid, outcome);
    }
  } catch (err) {
    app.output.logger.warn(`Could not read ${uuid}: ${(err as Error).message}`);
  }
}

export function unwatch(app: App, uuid: string): void {
  if (app.watches.remove(uuid)) app.output.logger.info(`Stopped watching ${uuid}`);
}

function addFilter(app: App, filter: Filter): void {
  try {
    const { added } = app.session.addFilter(filter);
    if (!added) void vscode.window.setStatusBarMessage(t('That filter is already followed.'), 3000);
  } catch (err) {
    // Presets and the picker validate first; this is a last guard.
    void vscode.window.showErrorMessage(err instanceof FilterError ? err.message : String(err));
  }
}

async function setCluster(app: App): Promise<void> {
  const current = readSettings().apiHost || effectiveHost(undefined) || '';
  const value = await vscode.window.showInputBox({
    title: t('Arvados: Set Cluster'),
    prompt: t('The API host of the cluster (ARVADOS_API_HOST), host[:port] without https://. Leave empty to use the environment or settings.conf.'),
    placeHolder: 'zzzzz.arvadosapi.com',
    value: current,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return undefined;
      try {
        normalizeApiHost(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (value === undefined) return;
  const host = value.trim() ? normalizeApiHost(value) : '';
  // The user's own choice: a workspace's cluster accepted before no longer wins (first: the
  // setting change reconnects).
  const unchanged = readSettings().apiHost === host;
  const leftWorkspace = await app.workspaceCluster.preferOwn();
  await updateSetting('apiHost', host);
  if (unchanged && leftWorkspace && app.session.status.kind !== 'closed') void app.session.reconnect();
  app.output.logger.info(host ? `Cluster set to ${host}` : 'Cluster setting cleared: using the environment or settings.conf');
  // Without a token bound to the new host, ask for one (the configuration change reconnects).
  const effective = effectiveHost(host);
  if (effective && !(await tokenBoundTo(effective, host, (h) => app.credentials.tokenFor(h)))) {
    await setApiToken(app, effective);
  }
}

/**
 * Stores (or forgets) the token of `host`; by default the host the extension connects to (a
 * workspace's cluster the user accepted, else the user's own).
 */
export async function setApiToken(app: App, host = app.workspaceCluster.chosen ?? effectiveHost(readSettings().apiHost)): Promise<void> {
  if (!host) {
    const CLUSTER = t('Set Cluster');
    const choice = await vscode.window.showWarningMessage(t('Set the cluster first: a token is stored for one cluster.'), CLUSTER);
    if (choice === CLUSTER) await setCluster(app);
    return;
  }
  const stored = await app.credentials.tokenFor(host);
  const value = await vscode.window.showInputBox({
    title: t('Arvados: Set API Token for {0}', host),
    prompt: stored
      ? t('A token is stored for {0}. Enter a new one, or leave empty to forget it.', host)
      : t('The API token for {0} (ARVADOS_API_TOKEN). It is kept in VS Code\'s secret storage.', host),
    placeHolder: 'v2/zzzzz-gj3su-0123456789abcde/…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (/\s/.test(v.trim()) ? t('A token has no spaces.') : undefined),
  });
  if (value === undefined) return;
  if (!value.trim()) {
    if (stored) {
      await app.credentials.forget(host);
      app.output.logger.info(`Forgot the API token stored for ${host}`);
    }
    return;
  }
  await app.credentials.store(host, value);
  app.output.logger.info(`API token stored in secret storage for ${host}`);
  // The secret storage change event reconnects.
}

async function exportEvents(app: App): Promise<void> {
  const events = app.model.buffer.oldestFirst();
  if (!events.length) {
    void vscode.window.showInformationMessage(t('There are no events to export.'));
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = defaultExportName(new Date());
  const target = await vscode.window.showSaveDialog({
    title: t('Export Events'),
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { [t('JSON Lines')]: ['jsonl'], [t('All files')]: ['*'] },
    saveLabel: t('Export'),
  });
  if (!target) return;
  const api = app.session.api;
  const redact = api ? (s: string) => api.redact(s) : (s: string) => s;
  await vscode.workspace.fs.writeFile(target, Buffer.from(toJsonLines(events, redact), 'utf8'));
  app.output.logger.info(`Exported ${events.length} events to ${target.fsPath}`);
  const OPEN = t('Open');
  const choice = await vscode.window.showInformationMessage(t('Exported {0} events to {1}.', events.length, target.fsPath), OPEN);
  if (choice === OPEN) await vscode.window.showTextDocument(target);
}

const GROUP_LABELS: Record<GroupBy, string> = {
  none: 'None (newest first)',
  object: 'Object',
  kind: 'Kind',
  eventType: 'Event type',
};

async function chooseGrouping(arg: unknown): Promise<void> {
  let choice: GroupBy | undefined = typeof arg === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(arg) ? (arg as GroupBy) : undefined;
  if (!choice) {
    const current = readSettings().groupBy;
    const picked = await vscode.window.showQuickPick(
      GROUP_BY_VALUES.map((by) => ({ label: t(GROUP_LABELS[by]), description: by === current ? t('current') : undefined, by })),
      { title: t('Group Events By') },
    );
    choice = picked?.by;
  }
  if (choice) await updateSetting('groupBy', choice);
}

async function connectionActions(app: App): Promise<void> {
  const s = app.session;
  type Action = vscode.QuickPickItem & { command: string };
  const items: Action[] = [];
  if (!s.isOpen) items.push({ label: `$(plug) ${t('Connect')}`, command: COMMANDS.connect });
  if (s.isOpen) items.push({ label: `$(debug-disconnect) ${t('Close Connection')}`, command: COMMANDS.closeConnection });
  items.push({ label: `$(refresh) ${t('Reconnect')}`, command: COMMANDS.reconnect });
  if (s.isOpen && !s.paused) items.push({ label: `$(debug-pause) ${t('Pause')}`, command: COMMANDS.pause });
  if (s.paused) items.push({ label: `$(debug-continue) ${t('Resume')}`, description: t('{0} new events', s.pausedCount), command: COMMANDS.resume });
  items.push(
    { label: `$(server) ${t('Set Cluster')}`, description: s.host, command: COMMANDS.setCluster },
    { label: `$(key) ${t('Set API Token')}`, command: COMMANDS.setApiToken },
    { label: `$(list-flat) ${t('Show Events')}`, command: `${EVENTS_VIEW_ID}.focus` },
    { label: `$(output) ${t('Show Output')}`, command: COMMANDS.showOutput },
  );
  const picked = await vscode.window.showQuickPick(items, { title: t('Arvados: {0}', s.host ?? t('no cluster')), placeHolder: t('Connection actions') });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

export function registerCommands(app: App): vscode.Disposable[] {
  const { session } = app;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return [
    reg(COMMANDS.connect, () => connect(app, true)),
    reg(COMMANDS.closeConnection, () => session.close()),
    reg(COMMANDS.reconnect, async () => {
      await session.reconnect();
      void reportFailure(app);
    }),
    reg(COMMANDS.setCluster, () => setCluster(app)),
    reg(COMMANDS.setApiToken, () => setApiToken(app)),
    reg(COMMANDS.addFilter, async () => {
      const filter = await pickFilter({ user: session.user, selectedUuid: selectedUuid(app) });
      if (filter) addFilter(app, filter);
    }),
    reg(COMMANDS.removeFilter, async (arg) => {
      let filter: Filter | undefined = isFilterNode(arg) ? arg.filter : undefined;
      if (!filter) {
        if (!session.filters.length) return;
        const picked = await vscode.window.showQuickPick(
          session.filters.map((f) => ({ label: JSON.stringify(f), filter: f })),
          { title: t('Remove Filter') },
        );
        filter = picked?.filter;
      }
      if (filter) session.removeFilter(filter);
    }),
    reg(COMMANDS.clearFilters, () => session.clearFilters()),
    reg(COMMANDS.watchObject, async (arg) => {
      const uuid = uuidOfArg(arg) ?? (await askUuid(app, t('Watch Object')));
      if (uuid) await watch(app, uuid, isEvent(arg) ? arg : undefined);
    }),
    reg(COMMANDS.unwatchObject, async (arg) => {
      let uuid = uuidOfArg(arg);
      if (!uuid) {
        const picked = await vscode.window.showQuickPick(
          app.watches.list().map((w: Watch) => ({ label: w.name ?? w.uuid, description: `${w.kind ? kindInWords(w.kind) : ''} ${w.uuid}`, uuid: w.uuid })),
          { title: t('Unwatch Object') },
        );
        uuid = picked?.uuid;
      }
      if (uuid) unwatch(app, uuid);
    }),
    // The status bar shows the change at once (the view description follows within 250 ms).
    reg(COMMANDS.pause, () => {
      session.pause();
      app.statusBar.requestUpdate();
    }),
    reg(COMMANDS.resume, () => {
      session.resume();
      app.statusBar.requestUpdate();
    }),
    reg(COMMANDS.clearEvents, () => {
      app.model.clear();
      app.skipped = 0;
      app.eventsView.refreshRoot();
      app.refreshChrome();
    }),
    reg(COMMANDS.exportEvents, () => exportEvents(app)),
    reg(COMMANDS.showOutput, () => app.output.show()),
    reg(COMMANDS.groupBy, (arg) => chooseGrouping(arg)),
    reg(COMMANDS.copyUuid, async (arg) => {
      const uuid = uuidOfArg(arg) ?? selectedUuid(app);
      if (!uuid) return;
      await vscode.env.clipboard.writeText(uuid);
      void vscode.window.setStatusBarMessage(t('Copied {0}', uuid), 3000);
    }),
    reg(COMMANDS.openInWorkbench, (arg) => openInWorkbench(app, uuidOfArg(arg) ?? selectedUuid(app))),
    reg(COMMANDS.openEvent, (arg) => openEvent(app, arg)),
    reg(COMMANDS.addFilterForObject, (arg) => {
      const uuid = uuidOfArg(arg) ?? selectedUuid(app);
      if (!uuid) return;
      try {
        addFilter(app, objectFilter(uuid));
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
      }
    }),
    reg(COMMANDS.showConnectionActions, () => connectionActions(app)),
  ];
}

export { connect };
