/** Open Event: the clicked (or selected) event as a read-only JSON document. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { nodeOf } from '../nodes';
import type { EventsFeature } from './feature';

export function registerOpenEvent({ documents, selection }: EventsFeature): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.openEvent, async (arg: unknown) => {
    const node = nodeOf(arg, 'event') ?? nodeOf(selection.node, 'event');
    if (!node) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select an event in the Events view first.'));
      return;
    }
    await documents.open(node);
  });
}
