/** Set Cluster and Set API Token: where to connect, and the token kept (in SecretStorage) for that host. */
import * as vscode from 'vscode';
import { normalizeApiHost } from '../../arvados';
import { effectiveHost, tokenBoundTo } from '../../model/connection';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import { readSettings, updateSetting } from '../settings';

const t = vscode.l10n.t;

async function setCluster(services: Services): Promise<void> {
  const { connection, workspaceCluster, credentials, output } = services;
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
  const leftWorkspace = await workspaceCluster.preferOwn();
  await updateSetting('apiHost', host);
  if (unchanged && leftWorkspace) void connection.reconnectUnlessClosed();
  output.logger.info(host ? `Cluster set to ${host}` : 'Cluster setting cleared: using the environment or settings.conf');
  // Without a token bound to the new host, ask for one (the configuration change reconnects).
  const effective = effectiveHost(host);
  if (effective && !(await tokenBoundTo(effective, host, (h) => credentials.tokenFor(h)))) {
    await setApiToken(services, effective);
  }
}

/**
 * Stores (or forgets) the token of `host`; by default the host the extension connects to (a
 * workspace's cluster the user accepted, else the user's own).
 */
async function setApiToken(services: Services, host = services.workspaceCluster.chosen ?? effectiveHost(readSettings().apiHost)): Promise<void> {
  const { credentials, output } = services;
  if (!host) {
    const CLUSTER = t('Set Cluster');
    const choice = await vscode.window.showWarningMessage(t('Set the cluster first: a token is stored for one cluster.'), CLUSTER);
    if (choice === CLUSTER) await setCluster(services);
    return;
  }
  const stored = await credentials.tokenFor(host);
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
      await credentials.forget(host);
      output.logger.info(`Forgot the API token stored for ${host}`);
    }
    return;
  }
  await credentials.store(host, value);
  output.logger.info(`API token stored in secret storage for ${host}`);
  // The secret storage change event reconnects.
}

export function registerClusterCommands(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.setCluster, () => setCluster(services)),
    // A host argument: a workspace's cluster asking for its token.
    vscode.commands.registerCommand(COMMANDS.setApiToken, (host?: unknown) => setApiToken(services, typeof host === 'string' && host ? host : undefined)),
  ];
}
