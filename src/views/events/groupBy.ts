/** Group Events By…: writes `arvados.groupBy`; the setting change regroups the view. */
import * as vscode from 'vscode';
import { GROUP_BY_VALUES, type GroupBy } from '../../model/grouping';
import { COMMANDS } from '../ids';
import { readSettings, updateSetting } from '../settings';

const t = vscode.l10n.t;

const GROUP_LABELS: Record<GroupBy, string> = {
  none: 'None (newest first)',
  object: 'Object',
  kind: 'Kind',
  eventType: 'Event type',
};

async function chooseGrouping(arg: unknown): Promise<void> {
  let choice: GroupBy | undefined = typeof arg === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(arg) ? (arg as GroupBy) : undefined;
  if (!choice) {
    const current = readSettings().groupBy;
    const picked = await vscode.window.showQuickPick(
      GROUP_BY_VALUES.map((by) => ({ label: t(GROUP_LABELS[by]), description: by === current ? t('current') : undefined, by })),
      { title: t('Group Events By') },
    );
    choice = picked?.by;
  }
  if (choice) await updateSetting('groupBy', choice);
}

export function registerGroupBy(): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.groupBy, (arg: unknown) => chooseGrouping(arg));
}
