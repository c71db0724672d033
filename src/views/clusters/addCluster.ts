/**
 * "Arvados: Add Cluster": follows one more cluster, either a profile found in the Arvados config
 * folder (`NAME.conf`, with its own token) or a host, whose token is kept in SecretStorage for
 * that host. In a LoginCluster federation one token works on every member: the user may say that
 * a followed cluster's token serves the new one too (it is then stored for the new host: nothing
 * else ever sends a token to another host).
 */
import * as vscode from 'vscode';
import { normalizeApiHost, profileConfig, sameHost } from '../../arvados';
import { tokenBoundTo } from '../../model/connection';
import type { FollowedCluster } from '../../model/followedCluster';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { shownClusters } from './pickCluster';

const t = vscode.l10n.t;

/** The token a followed cluster connects with, read again from where it lives. */
async function tokenOf(services: Services, cluster: FollowedCluster): Promise<string | undefined> {
  const { source } = cluster.entry;
  try {
    if (source.kind === 'profile') return profileConfig(source.name).token;
    const host = cluster.connection.host;
    if (!host) return undefined;
    return (await tokenBoundTo(host, source.kind === 'default' ? readSettings().apiHost : undefined, (h) => services.credentials.tokenFor(h)))?.token;
  } catch {
    return undefined;
  }
}

async function askHost(): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: t('Arvados: Add Cluster'),
    prompt: t('The API host of the cluster, host[:port] without https://'),
    placeHolder: 'xxxxx.arvadosapi.com',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        normalizeApiHost(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  return value === undefined ? undefined : normalizeApiHost(value);
}

/** Makes sure a token is stored for `host`: asks for one, or for which followed cluster's token serves it too. */
async function provideToken(services: Services, host: string): Promise<boolean> {
  if (await services.credentials.tokenFor(host)) return true;
  type Item = vscode.QuickPickItem & { from?: FollowedCluster };
  const others = shownClusters(services).filter((c) => c.connection.host && !sameHost(c.connection.host, host));
  const items: Item[] = [
    { label: `$(key) ${t('Enter a token for {0}', host)}` },
    ...others.map((c) => ({
      label: `$(link) ${t('Use the token of {0}', c.label)}`,
      detail: t('Only in a LoginCluster federation, where one token works on every member: it will also be sent to {0}.', host),
      from: c,
    })),
  ];
  const picked = others.length ? await vscode.window.showQuickPick(items, { title: t('Arvados: API token for {0}', host), ignoreFocusOut: true }) : items[0];
  if (!picked) return false;
  let token: string | undefined;
  if (picked.from) {
    token = await tokenOf(services, picked.from);
    if (!token) {
      void vscode.window.showErrorMessage(t('No token of {0} could be read.', picked.from.label));
      return false;
    }
  } else {
    token = await vscode.window.showInputBox({
      title: t('Arvados: API token for {0}', host),
      prompt: t('The API token for {0}. It is kept in VS Code\'s secret storage and only sent to {0}.', host),
      placeHolder: 'v2/xxxxx-gj3su-0123456789abcde/…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (!v.trim() ? t('Enter a token.') : /\s/.test(v.trim()) ? t('A token has no spaces.') : undefined),
    });
    if (!token) return false;
  }
  await services.credentials.store(host, token);
  services.output.logger.info(picked.from ? `The token of ${picked.from.label} is stored for ${host} too (LoginCluster federation)` : `API token stored in secret storage for ${host}`);
  return true;
}

export async function addCluster(services: Services): Promise<void> {
  const { followed } = services;
  const following = new Set(shownClusters(services).map((c) => c.connection.host?.toLowerCase()));
  type Item = vscode.QuickPickItem & { profile?: string };
  const profiles = followed.profiles().filter((p) => !followed.setting.includes(p.name) && !(p.host && following.has(p.host.toLowerCase())));
  const items: Item[] = [
    ...profiles.map((p) => ({ label: `$(file) ${p.name}`, description: p.host ?? t('names no host'), detail: p.path, profile: p.name })),
    { label: `$(add) ${t('Enter a host…')}`, detail: t('Its token is kept in VS Code\'s secret storage for that host') },
  ];
  const picked = profiles.length ? await vscode.window.showQuickPick(items, { title: t('Arvados: Add Cluster'), placeHolder: t('A profile from the Arvados config folder, or a host') }) : items[items.length - 1];
  if (!picked) return;
  if (picked.profile) {
    await followed.add(picked.profile);
    return;
  }
  const host = await askHost();
  if (!host) return;
  if (following.has(host.toLowerCase())) {
    void vscode.window.showInformationMessage(t('{0} is already followed.', host));
    return;
  }
  if (!(await provideToken(services, host))) return;
  await followed.add(host);
}
