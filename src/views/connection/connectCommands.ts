/** Connect, Close Connection and Reconnect; a failed attempt the user asked for says why and offers the fixes. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';
import type { ClusterConnection } from '../../model/cluster';
import { pickCluster } from '../clusters/pickCluster';
import { nodeOf } from '../nodes';

const t = vscode.l10n.t;

/** After a connection attempt the user asked for: say why it failed and offer the fixes. */
async function reportFailure(services: Services, connection: ClusterConnection = services.connection): Promise<void> {
  const status = connection.status;
  // A refused token has its own notification, once (connection/register.ts).
  if (status.kind === 'error' && status.cause !== 'token') {
    const RETRY = t('Retry');
    const OUTPUT = t('Show Output');
    const TOKEN = t('Set API Token');
    const choice = await vscode.window.showErrorMessage(t('Arvados: cannot connect. {0}', status.message), RETRY, TOKEN, OUTPUT);
    if (choice === RETRY) await connect(services, connection);
    else if (choice === TOKEN) await vscode.commands.executeCommand(COMMANDS.setApiToken);
    else if (choice === OUTPUT) services.output.show();
  } else if (status.kind === 'waiting') {
    const OUTPUT = t('Show Output');
    const choice = await vscode.window.showWarningMessage(t('Arvados: {0} cannot be reached yet. {1} Trying again by itself.', status.host ?? t('the cluster'), status.message), OUTPUT);
    if (choice === OUTPUT) services.output.show();
  } else if (status.kind === 'unconfigured') {
    const CLUSTER = t('Set Cluster');
    const TOKEN = t('Set API Token');
    const choice = await vscode.window.showWarningMessage(status.message, CLUSTER, TOKEN);
    if (choice === CLUSTER) await vscode.commands.executeCommand(COMMANDS.setCluster);
    else if (choice === TOKEN) await vscode.commands.executeCommand(COMMANDS.setApiToken);
  }
}

async function connect(services: Services, connection: ClusterConnection): Promise<void> {
  await connection.connect();
  // Not awaited: the command ends while the message waits for the user.
  void reportFailure(services, connection);
}

/** The connections a command acts on: a cluster node's, else all of them or one, asked for when several are followed. */
async function chosen(services: Services, arg: unknown, title: string): Promise<ClusterConnection[]> {
  const key = nodeOf(arg, 'cluster')?.cluster;
  const byNode = key !== undefined ? services.clusters.get(key) : undefined;
  const clusters = byNode ? [byNode] : await pickCluster(services, title, { all: true });
  return (clusters ?? []).map((c) => c.connection);
}

export function registerConnectCommands(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.connect, async (arg: unknown) => {
      for (const c of await chosen(services, arg, t('Connect'))) await connect(services, c);
    }),
    vscode.commands.registerCommand(COMMANDS.closeConnection, async (arg: unknown) => {
      for (const c of await chosen(services, arg, t('Close Connection'))) await c.close();
    }),
    vscode.commands.registerCommand(COMMANDS.reconnect, async (arg: unknown) => {
      for (const c of await chosen(services, arg, t('Reconnect'))) {
        await c.reconnect();
        void reportFailure(services, c);
      }
    }),
  ];
}
