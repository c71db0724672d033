/** `arvados.diagnostics.eventLoopMonitor`: event-loop delay and heap lines in the log, on demand. */
import * as vscode from 'vscode';
import { LoopMonitor } from '../../model/loopMonitor';
import type { Output } from '../output';
import { readSettings, SECTION } from '../settings';

export function registerDiagnostics(output: Output): vscode.Disposable[] {
  const monitor = new LoopMonitor((line) => output.logger.info(line));
  const apply = (on: boolean) => {
    if (on === monitor.running) return;
    if (on) monitor.start();
    else monitor.stop();
    output.logger.info(on ? 'Event loop monitor on' : 'Event loop monitor off');
  };
  apply(readSettings().eventLoopMonitor);
  return [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.diagnostics`)) apply(readSettings().eventLoopMonitor);
    }),
    { dispose: () => monitor.stop() },
  ];
}
