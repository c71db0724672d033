/**
 * API tokens in SecretStorage, one per host: a token stored for one cluster is never sent to
 * another. Never in settings, never logged.
 */
import * as vscode from 'vscode';

const PREFIX = 'arvados.apiToken/';

export class Credentials implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the host whose stored token changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(PREFIX)) this.changed.fire(e.key.slice(PREFIX.length));
    });
  }

  async tokenFor(host: string): Promise<string | undefined> {
    const token = await this.secrets.get(PREFIX + host.toLowerCase());
    return token?.trim() || undefined;
  }

  store(host: string, token: string): Thenable<void> {
    return this.secrets.store(PREFIX + host.toLowerCase(), token.trim());
  }

  forget(host: string): Thenable<void> {
    return this.secrets.delete(PREFIX + host.toLowerCase());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
