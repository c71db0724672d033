/**
 * Wiring only: builds the session (src/model, no vscode) and the views (src/views), connects
 * their events, registers the commands, and connects at startup when a cluster is configured
 * (settings, SecretStorage, ARVADOS_* environment variables or settings.conf).
 */
import * as vscode from 'vscode';
import type { ArvadosEvent } from './arvados';
import { containerOutcome, containerRequestOutcome, type Outcome } from './arvados/outcome';
import { createOpener } from './model/connection';
import { EventsModel } from './model/eventsModel';
import { setTranslator } from './model/l10n';
import { eventLabel, NameBook } from './model/labels';
import { LoopMonitor } from './model/loopMonitor';
import { LruMap } from './model/lru';
import { MirroredStore } from './model/mirroredStore';
import { backgroundFilters, Notifier } from './model/notifications';
import { OwnershipResolver } from './model/ownership';
import { Session } from './model/session';
import { STORE_KEYS } from './model/store';
import { WatchList } from './model/watches';
import type { App } from './views/app';
import { openEvent, openInWorkbench, registerCommands, setApiToken, unwatch } from './views/commands';
import { CONTEXT, ContextKeys } from './views/contextKeys';
import { Credentials } from './views/credentials';
import { EventDocuments } from './views/eventDocument';
import { EVENTS_VIEW_ID, EventsView } from './views/eventsView';
import { showNotice } from './views/notifier';
import { Output } from './views/output';
import { CONNECTION_SETTINGS, readSettings, SECTION, sessionSettings } from './views/settings';
import { StatusBar } from './views/statusBar';
import { SubscriptionsView } from './views/subscriptionsView';
import { WatchedView } from './views/watchedView';
import { WorkspaceCluster } from './views/workspaceCluster';

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ treeDataProviders: Record<string, vscode.TreeDataProvider<unknown>> }> {
  setTranslator(vscode.l10n.t);
  const settings = readSettings();
  const names = new NameBook();
  const output = new Output(names);
  const credentials = new Credentials(context.secrets);
  // The last event id also goes to a file the extension host writes itself (see MirroredStore).
  const storage = context.storageUri ?? context.globalStorageUri;
  const positionStore = new MirroredStore(context.workspaceState, vscode.Uri.joinPath(storage, 'position.json').fsPath, new Set([STORE_KEYS.lastEventId]));
  // Asks before connecting to a cluster a workspace names; its token prompt needs `app`, built below.
  const workspaceCluster = new WorkspaceCluster(context.workspaceState, output.logger, (host) => setApiToken(app, host));
  const s = new Session(
    { open: createOpener((host) => credentials.tokenFor(host), process.env, workspaceCluster.choose), store: positionStore, logger: output.logger },
    sessionSettings(settings),
  );
  session = s;
  const model = new EventsModel(settings.bufferSize, settings.groupBy);
  const outcomes = new LruMap<string, Outcome>(5_000);
  const watches = new WatchList(context.workspaceState);
  const contextKeys = new ContextKeys();
  const documents = new EventDocuments((id) => model.get(id), (text) => s.api?.redact(text) ?? text);
  const eventsView = new EventsView(model, names, outcomes);
  const subscriptionsView = new SubscriptionsView(() => s.filters);
  const watchedView = new WatchedView(watches);
  const statusBar = new StatusBar(() => ({
    status: s.status,
    paused: s.paused,
    pausedCount: s.pausedCount,
    rate: s.rate(),
    host: s.host,
    user: s.user?.username ?? s.user?.full_name ?? s.user?.uuid,
    transport: s.transport,
    lastEventAt: s.lastEventAt,
    now: Date.now(),
  }));
  const ownership = new OwnershipResolver(async (uuid) => (await s.api?.getObject<{ owner_uuid?: string }>(uuid))?.owner_uuid);
  const notConnected: Outcome = { status: 'unknown', reason: 'not connected' };

  // Its actions need `app`, built below: they run only once a notification is clicked.
  const notifier = new Notifier({
    settings: { watchedObjects: settings.watchedObjects, myContainerRequests: settings.myContainerRequests },
    isWatched: (uuid) => watches.has(uuid),
    isMine: (ev: ArvadosEvent) => {
      const me = s.user?.uuid;
      return me && ev.object_owner_uuid ? ownership.ownedBy(ev.object_owner_uuid, me) : false;
    },
    requestOutcome: (uuid) => (s.api ? containerRequestOutcome(s.api, uuid) : Promise.resolve(notConnected)),
    containerOutcome: (uuid) => (s.api ? containerOutcome(s.api, uuid) : Promise.resolve(notConnected)),
    nameOf: (ev) => eventLabel(ev, names),
    onOutcome: (uuid, outcome) => {
      outcomes.set(uuid, outcome);
      watches.setOutcome(uuid, outcome);
    },
    show: (notice) => {
      output.logger.info(`Notification: ${notice.message}`);
      showNotice(notice, {
        openEvent: (item) => openEvent(app, item.event),
        openInWorkbench: (uuid) => openInWorkbench(app, uuid),
        unwatch: (uuid) => unwatch(app, uuid),
        showEvents: () => vscode.commands.executeCommand(`${EVENTS_VIEW_ID}.focus`),
        isWatched: (uuid) => watches.has(uuid),
      });
    },
  });

  let chromeTimer: NodeJS.Timeout | undefined;
  const app: App = {
    context, session: s, model, names, outcomes, watches, output, credentials, workspaceCluster, documents,
    eventsView, subscriptionsView, watchedView, statusBar, contextKeys,
    notifier,
    skipped: 0,
    // At most 4 times a second, however often it is asked.
    refreshChrome: () => {
      if (chromeTimer) return;
      chromeTimer = setTimeout(() => {
        chromeTimer = undefined;
        eventsView.setDescription({ shown: model.size, dropped: model.dropped, skipped: app.skipped, paused: s.paused, pausedCount: s.pausedCount });
        contextKeys.set(CONTEXT.hasEvents, model.size > 0);
        statusBar.requestUpdate();
      }, 250);
    },
  };

  const loopMonitor = new LoopMonitor((line) => output.logger.info(line));
  const applyDiagnostics = (on: boolean) => {
    if (on === loopMonitor.running) return;
    if (on) loopMonitor.start();
    else loopMonitor.stop();
    output.logger.info(on ? 'Event loop monitor on' : 'Event loop monitor off');
  };
  applyDiagnostics(settings.eventLoopMonitor);

  const onStatus = () => {
    const st = s.status;
    contextKeys.set(CONTEXT.connectionState, s.connectionKey);
    contextKeys.set(CONTEXT.configured, st.kind !== 'unconfigured');
    contextKeys.set(CONTEXT.connected, s.isOpen);
    contextKeys.set(CONTEXT.hasWorkbench, !!s.workbenchUrl);
    // Keep the redactor of the last connection: lines about it may come after it closed.
    const api = s.api;
    if (api) output.setRedactor((text) => api.redact(text));
    contextKeys.set(CONTEXT.errorKind, st.kind === 'error' ? st.cause : '');
    eventsView.setProblem(st.kind === 'error' || st.kind === 'unconfigured' ? st.message : undefined);
    statusBar.requestUpdate();
  };
  const onFilters = () => {
    contextKeys.set(CONTEXT.hasFilters, s.filters.length > 0);
    subscriptionsView.refresh();
  };
  // Watched objects and my container requests stay followed under narrow filters.
  const onBackground = () => s.setBackgroundFilters(backgroundFilters(watches.list().map((w) => w.uuid), notifier.settings.myContainerRequests));
  const onWatches = () => {
    contextKeys.set(CONTEXT.hasWatches, watches.size > 0);
    onBackground();
  };

  context.subscriptions.push(
    output, credentials, workspaceCluster, documents, eventsView, subscriptionsView, watchedView, statusBar, watches,
    { dispose: () => notifier.dispose() },
    { dispose: () => loopMonitor.stop() },
    { dispose: () => clearTimeout(chromeTimer) },
    s.onStatus(onStatus),
    s.onFilters(onFilters),
    s.onPaused((paused) => {
      contextKeys.set(CONTEXT.paused, paused);
      eventsView.setFrozen(paused);
      app.refreshChrome();
    }),
    // Every event, as it arrives: cheap bookkeeping only.
    s.onEvent((ev) => {
      names.learn(ev);
      output.logEvent(ev);
      if (watches.has(ev.object_uuid)) watches.observe(ev);
      void notifier.consider(ev).catch((err) => output.logger.error(`Notification failed: ${(err as Error).message}`));
      if (s.paused) app.refreshChrome();
    }),
    // Batches (at most 4 a second): the views.
    s.onBatch(({ events, dropped }) => {
      eventsView.apply(model.add(events, dropped));
      app.refreshChrome();
    }),
    s.onSkipped((n) => {
      app.skipped += n;
      output.logger.warn(`Skipped ${n} events while filling a gap (more than the buffer holds)`);
      app.refreshChrome();
    }),
    watches.onDidChange(onWatches),
    ...registerCommands(app),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const next = readSettings();
      s.updateSettings(sessionSettings(next));
      notifier.settings = { watchedObjects: next.watchedObjects, myContainerRequests: next.myContainerRequests };
      applyDiagnostics(next.eventLoopMonitor);
      onBackground();
      if (e.affectsConfiguration(`${SECTION}.bufferSize`)) eventsView.apply(model.resize(next.bufferSize));
      if (e.affectsConfiguration(`${SECTION}.groupBy`)) {
        model.setGroupBy(next.groupBy);
        contextKeys.set(CONTEXT.groupBy, next.groupBy);
        eventsView.refreshRoot();
      }
      app.refreshChrome();
      // Close means closed: a settings change reconnects only what is meant to be connected.
      if (CONNECTION_SETTINGS.some((k) => e.affectsConfiguration(k)) && s.status.kind !== 'closed') void s.reconnect();
    }),
    credentials.onDidChange(() => {
      if (s.status.kind !== 'closed') void s.reconnect();
    }),
    workspaceCluster.onDidChange(() => {
      if (s.status.kind !== 'closed') void s.reconnect();
    }),
  );

  contextKeys.set(CONTEXT.paused, false);
  contextKeys.set(CONTEXT.groupBy, settings.groupBy);
  onStatus();
  onFilters();
  onWatches();
  app.refreshChrome();
  output.logger.info(`Arvados Events ${String(context.extension.packageJSON.version ?? '')} started`);
  // Connect in the background: activation must not wait for the network.
  void s.connect();
  // The views' data as VS Code's own interface, by view id: for the in-host tests (test/vscode).
  return { treeDataProviders: { [EVENTS_VIEW_ID]: eventsView, 'arvados.subscriptions': subscriptionsView, 'arvados.watched': watchedView } };
}

export async function deactivate(): Promise<void> {
  const s = session;
  session = undefined;
  await s?.dispose();
}
