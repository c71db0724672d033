/**
 * "Arvados: Show Live Log": from a row's context menu (a container request or container event or
 * watch), a notification's action (a UUID), or the palette: a pick of recently seen container
 * requests, or a pasted UUID.
 */
import * as vscode from 'vscode';
import { uuidOf } from '../nodes';
import { COMMANDS } from '../ids';
import type { LogsFeature } from './register';

const t = vscode.l10n.t;
const PROCESS_UUID = /^[a-z0-9]{5}-(xvhdp|dz642)-[a-z0-9]{15}$/;

export function registerShowLiveLog(feature: LogsFeature): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showLiveLog, async (arg?: unknown) => {
      const uuid = uuidOf(arg) ?? (await pick(feature));
      if (!uuid) return;
      if (!PROCESS_UUID.test(uuid)) {
        void vscode.window.showWarningMessage(t('{0} is not a container request or a container: only processes have a live log.', uuid));
        return;
      }
      await feature.open(uuid);
    }),
  ];
}

async function pick(feature: LogsFeature): Promise<string | undefined> {
  const paste: vscode.QuickPickItem = { label: `$(edit) ${t('Paste a UUID…')}`, alwaysShow: true };
  const items: Array<vscode.QuickPickItem & { uuid?: string }> = [
    ...feature.recent.list().map((r) => ({
      label: r.name ?? r.uuid,
      description: [r.state, r.name ? r.uuid : undefined].filter(Boolean).join(' · '),
      detail: r.at ? t('last event {0}', r.at) : undefined,
      uuid: r.uuid,
    })),
    paste,
  ];
  const chosen = await vscode.window.showQuickPick(items, {
    title: t('Show Live Log'),
    placeHolder: items.length > 1 ? t('A container request seen recently, or paste a UUID') : t('No container request seen yet: paste a UUID'),
    matchOnDescription: true,
  });
  if (!chosen) return undefined;
  if (chosen !== paste) return chosen.uuid;
  const typed = await vscode.window.showInputBox({
    title: t('Show Live Log'),
    prompt: t('The UUID of a container request (xxxxx-xvhdp-…) or a container (xxxxx-dz642-…)'),
    validateInput: (v) => (PROCESS_UUID.test(v.trim()) ? undefined : t('A container request or container UUID, such as zzzzz-xvhdp-0123456789abcde')),
  });
  return typed?.trim() || undefined;
}
