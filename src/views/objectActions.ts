/**
 * Actions a feature offers on objects of some kinds, for the places that show one object and
 * are not that feature's: a notification about it. The feature registers them; the notifier
 * offers those that fit the object's kind, running the command with the object's UUID.
 */
import type * as vscode from 'vscode';

export interface ObjectAction {
  /** The button's words (already translated). */
  title: string;
  /** Run with the object's UUID. */
  command: string;
  kinds: readonly string[];
}

export class ObjectActions {
  private actions: ObjectAction[] = [];

  register(action: ObjectAction): vscode.Disposable {
    this.actions = [...this.actions, action];
    return { dispose: () => (this.actions = this.actions.filter((a) => a !== action)) };
  }

  for(kind: string): ObjectAction[] {
    return this.actions.filter((a) => a.kinds.includes(kind));
  }
}
