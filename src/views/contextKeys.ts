/** Context keys for `when` clauses, set only when their value changes. */
import * as vscode from 'vscode';

export const CONTEXT = {
  configured: 'arvados.configured',
  connectionState: 'arvados.connectionState',
  errorKind: 'arvados.errorKind',
  connected: 'arvados.connected',
  paused: 'arvados.paused',
  hasFilters: 'arvados.hasFilters',
  hasWatches: 'arvados.hasWatches',
  hasEvents: 'arvados.hasEvents',
  groupBy: 'arvados.groupBy',
  hasWorkbench: 'arvados.hasWorkbench',
} as const;

export class ContextKeys {
  private readonly values = new Map<string, unknown>();

  set(key: string, value: unknown): void {
    if (this.values.has(key) && this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  get(key: string): unknown {
    return this.values.get(key);
  }
}
