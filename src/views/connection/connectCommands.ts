/** Connect, Close Connection and Reconnect; a failed attempt the user asked for says why and offers the fixes. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { Services } from '../services';

const t = vscode.l10n.t;

/** After a connection attempt the user asked for: say why it failed and offer the fixes. */
async function reportFailure(services: Services): Promise<void> {
  const status = services.connection.status;
  // A refused token has its own notification, once (connection/register.ts).
  if (status.kind === 'error' && status.cause !== 'token') {
    const RETRY = t('Retry');
    const OUTPUT = t('Show Output');
    const TOKEN = t('Set API Token');
    const choice = await vscode.window.showErrorMessage(t('Arvados: cannot connect. {0}', status.message), RETRY, TOKEN, OUTPUT);
    if (choice === RETRY) await connect(services);
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

async function connect(services: Services): Promise<void> {
  await services.connection.connect();
  // Not awaited: the command ends while the message waits for the user.
  void reportFailure(services);
}

export function registerConnectCommands(services: Services): vscode.Disposable[] {
  const { connection } = services;
  return [
    vscode.commands.registerCommand(COMMANDS.connect, () => connect(services)),
    vscode.commands.registerCommand(COMMANDS.closeConnection, () => connection.close()),
    vscode.commands.registerCommand(COMMANDS.reconnect, async () => {
      await connection.reconnect();
      void reportFailure(services);
    }),
  ];
}
