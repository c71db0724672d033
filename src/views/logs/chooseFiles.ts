/** "Arvados: Choose Log Files": which of the process's files the live log in front follows. */
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import type { LogsFeature } from './register';

const t = vscode.l10n.t;
/** The files crunch-run writes (docs/protocol.md). */
const KNOWN_FILES = ['crunch-run.txt', 'stderr.txt', 'stdout.txt', 'crunchstat.txt', 'hoststat.txt', 'arv-mount.txt', 'node-info.txt', 'keepstore.txt'];

export function registerChooseLogFiles(feature: LogsFeature): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.chooseLogFiles, async () => {
      const panel = feature.active() ?? [...feature.panels.values()].at(-1);
      if (!panel) return;
      const current = new Set(panel.log.files);
      const files = [...new Set([...KNOWN_FILES, ...current])];
      const chosen = await vscode.window.showQuickPick(
        files.map((f) => ({ label: f, picked: current.has(f) })),
        { title: t('Files of {0}', panel.log.name ?? panel.log.uuid), canPickMany: true, placeHolder: t('The files to follow, merged by time') },
      );
      if (!chosen?.length) return;
      panel.setFiles(chosen.map((c) => c.label));
    }),
  ];
}
