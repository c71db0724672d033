/** Pause and Resume: the connection stays; events are held (bounded) and shown on Resume. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { EventsFeature } from './feature';

export function registerPauseResume({ feed }: EventsFeature): vscode.Disposable[] {
  return [vscode.commands.registerCommand(COMMANDS.pause, () => feed.pause()), vscode.commands.registerCommand(COMMANDS.resume, () => feed.resume())];
}
