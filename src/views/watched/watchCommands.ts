/** Watch Object and Unwatch Object: on a node, a uuid, the selected event's object, or asked for. */
import * as vscode from 'vscode';
import { kindInWords, type ArvadosEvent } from '../../arvados';
import { nameFromEvent } from '../../model/labels';
import { isWatchableUuid } from '../../model/watches';
import { COMMANDS } from '../ids';
import { nodeOf, uuidOf } from '../nodes';
import type { Services } from '../services';
import { clusterForObject } from '../clusters/pickCluster';

const t = vscode.l10n.t;

async function askUuid({ selection }: Services, title: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title,
    prompt: t('The UUID of an Arvados object'),
    placeHolder: 'zzzzz-xvhdp-0123456789abcde',
    value: selection.uuid,
    ignoreFocusOut: true,
    validateInput: (v) => (isWatchableUuid(v) ? undefined : t('An Arvados UUID has the form zzzzz-xxxxx-0123456789abcde (27 characters).')),
  });
  return value?.trim();
}

async function watch(services: Services, uuid: string, known?: ArvadosEvent): Promise<void> {
  const { output } = services;
  // Watched on the cluster its UUID names.
  const { watches, objects } = clusterForObject(services, uuid);
  let added: boolean;
  try {
    added = watches.add(uuid, { kind: known?.object_kind || undefined, name: (known && nameFromEvent(known)) ?? objects.nameOf(uuid) });
  } catch (err) {
    void vscode.window.showErrorMessage((err as Error).message);
    return;
  }
  if (!added) {
    void vscode.window.setStatusBarMessage(t('Already watching {0}', uuid), 3000);
    return;
  }
  output.logger.info(`Watching ${uuid}`);
  // Fill in the name and state now rather than at its next event.
  try {
    const facts = await objects.describe(uuid);
    if (facts) watches.describe(uuid, { name: facts.name, kind: facts.kind, state: facts.state });
  } catch (err) {
    output.logger.warn(`Could not read ${uuid}: ${(err as Error).message}`);
  }
}

function unwatch(services: Services, uuid: string): void {
  // Wherever it is watched (a UUID's cluster may not be known while it is not connected).
  for (const c of services.clusters.all) if (c.watches.remove(uuid)) services.output.logger.info(`Stopped watching ${uuid}`);
}

export function registerWatchCommands(services: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.watchObject, async (arg: unknown) => {
      const uuid = uuidOf(arg) ?? (await askUuid(services, t('Watch Object')));
      if (uuid) await watch(services, uuid, nodeOf(arg, 'event')?.event);
    }),
    vscode.commands.registerCommand(COMMANDS.unwatchObject, async (arg: unknown) => {
      let uuid = uuidOf(arg);
      if (!uuid) {
        const picked = await vscode.window.showQuickPick(
          services.clusters.all.flatMap((c) => c.watches.list()).map((w) => ({ label: w.name ?? w.uuid, description: `${w.kind ? kindInWords(w.kind) : ''} ${w.uuid}`, uuid: w.uuid })),
          { title: t('Unwatch Object') },
        );
        uuid = picked?.uuid;
      }
      if (uuid) unwatch(services, uuid);
    }),
  ];
}
