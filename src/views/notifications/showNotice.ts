/**
 * Shows the model's notices as VS Code notifications, with their actions, which run commands by
 * id. "Don't Show Again" turns off the kind of notification it came from, in the user settings
 * (persisted, and reversible from the Settings editor).
 */
import * as vscode from 'vscode';
import type { Notice } from '../../model/notifications';
import { COMMANDS, focusCommand, VIEWS } from '../ids';
import type { ObjectActions } from '../objectActions';
import type { EventNode } from '../nodes';
import { SECTION, updateSetting } from '../settings';

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand(command, ...args);

/** `host`: the cluster the events came from; `isWatched`: whether Unwatch applies; `actions`: what other features offer on an object of a kind. */
export function showNotice(notice: Notice, host: string | undefined, isWatched: (uuid: string) => boolean, actions: ObjectActions): void {
  const OPEN_EVENT = vscode.l10n.t('Open Event');
  const OPEN_WORKBENCH = vscode.l10n.t('Open in Workbench');
  const UNWATCH = vscode.l10n.t('Unwatch');
  const SHOW_EVENTS = vscode.l10n.t('Show Events');
  const DONT_SHOW = vscode.l10n.t("Don't Show Again");
  const single = notice.items.length === 1 && !notice.more ? notice.items[0] : undefined;
  const offered = single ? actions.for(single.event.object_kind) : [];
  const buttons = single
    ? [OPEN_EVENT, ...offered.map((a) => a.title), OPEN_WORKBENCH, ...(isWatched(single.uuid) ? [UNWATCH] : []), DONT_SHOW]
    : [SHOW_EVENTS, DONT_SHOW];
  const show = notice.severity === 'error'
    ? vscode.window.showErrorMessage
    : notice.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void Promise.resolve(show(notice.message, ...buttons)).then(async (choice) => {
    if (!choice) return;
    if (choice === DONT_SHOW) {
      for (const source of notice.sources) {
        if (source === 'watched') await updateSetting('notifications.watchedObjects', false);
        else await updateSetting('notifications.myContainerRequests', 'off');
      }
      const which = notice.sources.map((s) => (s === 'watched' ? `${SECTION}.notifications.watchedObjects` : `${SECTION}.notifications.myContainerRequests`));
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Turned off: {0}', which.join(', ')), 5000);
    } else if (single && choice === OPEN_EVENT) {
      const node: EventNode = { kind: 'event', event: single.event, host };
      await run(COMMANDS.openEvent, node);
    } else if (single && offered.some((a) => a.title === choice)) {
      await run(offered.find((a) => a.title === choice)!.command, single.uuid);
    } else if (single && choice === OPEN_WORKBENCH) {
      await run(COMMANDS.openInWorkbench, single.uuid);
    } else if (single && choice === UNWATCH) {
      await run(COMMANDS.unwatchObject, single.uuid);
    } else if (choice === SHOW_EVENTS) {
      await run(focusCommand(VIEWS.events));
    }
  });
}
