/** Open Event: the clicked (or selected) event as a read-only JSON document. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { nodeOf } from '../nodes';
import type { EventsFeature } from './feature';

export function registerOpenEvent({ documents, selection, view }: EventsFeature): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.openEvent, async (arg: unknown, cluster?: unknown) => {
    // A row's click passes its event id and its cluster's key (ids collide across clusters); a context menu passes the node.
    const node = (typeof arg === 'number' ? view.eventNode(arg, typeof cluster === 'string' ? cluster : undefined) : nodeOf(arg, 'event')) ?? nodeOf(selection.node, 'event');
    if (!node) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select an event in the Events view first.'));
      return;
    }
    await documents.open(node);
  });
}
