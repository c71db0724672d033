/**
 * Which clusters are followed: the default one, plus each entry of the machine-scoped
 * `arvados.clusters` setting (a profile's name or a host added with "Arvados: Add Cluster"),
 * read from the user's own settings only. Re-read when the setting or the user's host changes.
 */
import * as vscode from 'vscode';
import { listProfiles, profileHost, type Logger, type Profile } from '../../arvados';
import { followedEntries, type ClusterSet } from '../../model/clusters';
import { effectiveHost } from '../../model/connection';
import type { FollowedCluster } from '../../model/followedCluster';
import { readSettings, SECTION, updateSetting } from '../settings';

export class FollowedClusters implements vscode.Disposable {
  private lastProblems = '';
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly clusters: ClusterSet<FollowedCluster>,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.clusters`) || e.affectsConfiguration(`${SECTION}.apiHost`)) this.refresh();
    });
  }

  /** The profiles found now, each with the host its file names. */
  profiles(): Array<Profile & { host?: string }> {
    return listProfiles(this.env).map((p) => ({ ...p, host: profileHost(p) }));
  }

  /** The setting as the user wrote it. */
  get setting(): string[] {
    return readSettings().clusters;
  }

  /** Follows what the setting says now (profiles are looked up again). */
  refresh(): void {
    const { entries, problems } = followedEntries(this.setting, effectiveHost(readSettings().apiHost, this.env), this.profiles());
    this.clusters.update(entries);
    const text = problems.join(' ');
    if (text && text !== this.lastProblems) this.logger.warn(`arvados.clusters: ${text}`);
    this.lastProblems = text;
  }

  /** Adds an entry (a profile's name or a host) to the user's setting; the change refreshes. */
  async add(entry: string): Promise<void> {
    const current = this.setting;
    if (!current.includes(entry)) await updateSetting('clusters', [...current, entry]);
  }

  async remove(entry: string): Promise<void> {
    const current = this.setting;
    if (current.includes(entry)) await updateSetting('clusters', current.filter((e) => e !== entry));
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
