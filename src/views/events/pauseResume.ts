/** Pause and Resume: the connection stays; events are held (bounded) and shown on Resume. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { EventsFeature } from './feature';

/** Every followed cluster's feed pauses and resumes together: the view is one. */
export function registerPauseResume({ clusters }: EventsFeature): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.pause, () => clusters.all.forEach((c) => c.feed.pause())),
    vscode.commands.registerCommand(COMMANDS.resume, () => clusters.all.forEach((c) => c.feed.resume())),
  ];
}
