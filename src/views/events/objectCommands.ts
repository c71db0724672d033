/**
 * Copy UUID and Open in Workbench, on the object of an event, an object group or a watched object
 * (or a uuid, from a notification); from elsewhere, the selected event's.
 */
import * as vscode from 'vscode';
import { resolveWorkbenchUrl } from '../../arvados/workbench';
import { COMMANDS } from '../ids';
import { uuidOf } from '../nodes';
import type { Services } from '../services';
import { clusterForObject } from '../clusters/pickCluster';

const t = vscode.l10n.t;

async function openInWorkbench(services: Services, uuid: string | undefined): Promise<void> {
  if (!uuid) return;
  // The cluster the object belongs to (its UUID's prefix), else the default one.
  const { connection } = clusterForObject(services, uuid);
  const base = connection.workbenchUrl;
  const api = connection.api;
  if (!base || !api) {
    void vscode.window.showWarningMessage(connection.isOpen ? t('The cluster publishes no Workbench URL.') : t('Connect to the cluster first: Workbench links need its address.'));
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

export function registerObjectCommands(services: Services): vscode.Disposable[] {
  const { selection } = services;
  return [
    vscode.commands.registerCommand(COMMANDS.copyUuid, async (arg: unknown) => {
      const uuid = uuidOf(arg) ?? selection.uuid;
      if (!uuid) return;
      await vscode.env.clipboard.writeText(uuid);
      void vscode.window.setStatusBarMessage(t('Copied {0}', uuid), 3000);
    }),
    vscode.commands.registerCommand(COMMANDS.openInWorkbench, (arg: unknown) => openInWorkbench(services, uuidOf(arg) ?? selection.uuid)),
  ];
}
