/** "Arvados: Stop Following Cluster": drops a profile or an added host from `arvados.clusters`. */
import * as vscode from 'vscode';
import type { Services } from '../services';

const t = vscode.l10n.t;

export async function removeCluster(services: Services): Promise<void> {
  const { followed, clusters, credentials } = services;
  const removable = clusters.all.filter((c) => c.entry.source.kind !== 'default');
  if (!removable.length) {
    void vscode.window.showInformationMessage(t('Only the default cluster is followed (the environment, settings.conf or the Arvados: Set Cluster setting).'));
    return;
  }
  type Item = vscode.QuickPickItem & { entry: string; host?: string };
  const items: Item[] = removable.map((c) => ({
    label: c.label,
    description: c.entry.source.kind === 'profile' ? t('profile') : t('added host'),
    entry: c.entry.source.kind === 'profile' ? c.entry.source.name : c.entry.label,
    host: c.entry.source.kind === 'added' ? c.entry.source.host : undefined,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: t('Arvados: Stop Following Cluster') });
  if (!picked) return;
  await followed.remove(picked.entry);
  if (picked.host && (await credentials.tokenFor(picked.host))) {
    const FORGET = t('Forget Its Token');
    const choice = await vscode.window.showInformationMessage(t('Stopped following {0}.', picked.label), FORGET);
    if (choice === FORGET) await credentials.forget(picked.host);
  }
}
