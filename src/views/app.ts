/** The parts of the running extension that commands act on; built and wired in extension.ts. */
import type * as vscode from 'vscode';
import type { Outcome } from '../arvados/outcome';
import type { EventsModel } from '../model/eventsModel';
import type { NameBook } from '../model/labels';
import type { LruMap } from '../model/lru';
import type { Notifier } from '../model/notifications';
import type { Session } from '../model/session';
import type { WatchList } from '../model/watches';
import type { ContextKeys } from './contextKeys';
import type { Credentials } from './credentials';
import type { EventDocuments } from './eventDocument';
import type { EventsView } from './eventsView';
import type { Output } from './output';
import type { StatusBar } from './statusBar';
import type { SubscriptionsView } from './subscriptionsView';
import type { WatchedView } from './watchedView';
import type { WorkspaceCluster } from './workspaceCluster';

export interface App {
  context: vscode.ExtensionContext;
  session: Session;
  model: EventsModel;
  names: NameBook;
  /** Outcomes already fetched, by object uuid (for icons and tooltips). */
  outcomes: LruMap<string, Outcome>;
  watches: WatchList;
  notifier: Notifier;
  output: Output;
  credentials: Credentials;
  /** A workspace asking for another cluster: asks the user, remembers the answer. */
  workspaceCluster: WorkspaceCluster;
  documents: EventDocuments;
  eventsView: EventsView;
  subscriptionsView: SubscriptionsView;
  watchedView: WatchedView;
  statusBar: StatusBar;
  contextKeys: ContextKeys;
  /** Events the engine skipped while filling gaps, since the last Clear Events. */
  skipped: number;
  /** Updates the Events view's description, context keys and status bar. */
  refreshChrome(): void;
}
