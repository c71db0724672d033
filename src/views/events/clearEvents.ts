/** Clear Events: empties the view and its counts; the connection and filters stay. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { EventsFeature } from './feature';

export function registerClearEvents({ sections, view, clusters }: EventsFeature): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.clearEvents, () => {
    for (const s of sections()) s.model.clear();
    for (const c of clusters.all) c.feed.clearCounts();
    view.refreshRoot();
  });
}
