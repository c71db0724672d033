/** Clear Events: empties the view and its counts; the connection and filters stay. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { EventsFeature } from './feature';

export function registerClearEvents({ model, view, feed }: EventsFeature): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.clearEvents, () => {
    model.clear();
    view.refreshRoot();
    feed.clearCounts();
  });
}
