/**
 * What every feature's `register(services)` gets: the models (src/model) and the few VS Code
 * services they share. Built once in extension.ts; features subscribe to what they need.
 */
import type { ClusterConnection } from '../model/cluster';
import type { ClusterSet } from '../model/clusters';
import type { FollowedCluster } from '../model/followedCluster';
import type { FollowedClusters } from './clusters/followedClusters';
import type { EventFeed } from '../model/eventFeed';
import type { ObjectFacts } from '../model/objects';
import type { UserFilters } from '../model/userFilters';
import type { WatchList } from '../model/watches';
import type { Credentials } from './connection/credentials';
import type { WorkspaceCluster } from './connection/workspaceCluster';
import type { ContextKeys } from './contextKeys';
import type { Output } from './output';
import type { ObjectActions } from './objectActions';
import type { Selection } from './selection';

export interface Services {
  /** Every followed cluster, the default one first. */
  clusters: ClusterSet<FollowedCluster>;
  /** Which clusters are followed (the setting, the profiles found): refresh() after a change. */
  followed: FollowedClusters;
  /** The default cluster's parts, for features that act on one cluster. */
  connection: ClusterConnection;
  userFilters: UserFilters;
  watches: WatchList;
  objects: ObjectFacts;
  /** What the Events view shows: batches, pause, counts. */
  feed: EventFeed;
  output: Output;
  credentials: Credentials;
  /** A workspace asking for another cluster: asks the user, remembers the answer. */
  workspaceCluster: WorkspaceCluster;
  contextKeys: ContextKeys;
  selection: Selection;
  /** Actions features offer on objects of some kinds (e.g. Show Live Log on a notification about a request). */
  objectActions: ObjectActions;
  /**
   * Each feature's tree data provider, by view id, as VS Code's own interface: the extension
   * returns them from activate() for the in-host tests (test/vscode), since VS Code offers no
   * way to reach a registered view's provider.
   */
  treeDataProviders: Record<string, import('vscode').TreeDataProvider<unknown>>;
}
