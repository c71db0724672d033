/** Export Events…: the shown events as JSON Lines, oldest first, through the token redactor. */
import * as vscode from 'vscode';
import { defaultExportName, toJsonLines } from '../../model/exportEvents';
import { COMMANDS } from '../ids';
import type { EventsFeature } from './feature';

const t = vscode.l10n.t;

async function exportEvents({ sections, output }: EventsFeature): Promise<void> {
  // Each cluster's events through its own token's redactor, one cluster after the other.
  const parts = sections().map((s) => ({ events: s.model.buffer.oldestFirst(), api: s.cluster.connection.api }));
  const events = parts.flatMap((p) => p.events);
  if (!events.length) {
    void vscode.window.showInformationMessage(t('There are no events to export.'));
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = defaultExportName(new Date());
  const target = await vscode.window.showSaveDialog({
    title: t('Export Events'),
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { [t('JSON Lines')]: ['jsonl'], [t('All files')]: ['*'] },
    saveLabel: t('Export'),
  });
  if (!target) return;
  const text = parts.map(({ events: evs, api }) => toJsonLines(evs, api ? (s: string) => api.redact(s) : (s: string) => s)).join('');
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  output.logger.info(`Exported ${events.length} events to ${target.fsPath}`);
  const OPEN = t('Open');
  const choice = await vscode.window.showInformationMessage(t('Exported {0} events to {1}.', events.length, target.fsPath), OPEN);
  if (choice === OPEN) await vscode.window.showTextDocument(target);
}

export function registerExportEvents(feature: EventsFeature): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.exportEvents, () => exportEvents(feature));
}
