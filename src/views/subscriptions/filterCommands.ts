/** Add Filter (guided), Remove Filter, Clear Filters and Add Filter for This Object. */
import * as vscode from 'vscode';
import { FilterError, type Filter } from '../../arvados';
import { objectFilter } from '../../model/filterPresets';
import { COMMANDS } from '../ids';
import { nodeOf, uuidOf } from '../nodes';
import type { Services } from '../services';
import { pickFilter } from './filterPicker';

const t = vscode.l10n.t;

function addFilter({ userFilters }: Services, filter: Filter): void {
  try {
    const { added } = userFilters.add(filter);
    if (!added) void vscode.window.setStatusBarMessage(t('That filter is already followed.'), 3000);
  } catch (err) {
    // Presets and the picker validate first; this is a last guard.
    void vscode.window.showErrorMessage(err instanceof FilterError ? err.message : String(err));
  }
}

export function registerFilterCommands(services: Services): vscode.Disposable[] {
  const { userFilters, connection, selection } = services;
  return [
    vscode.commands.registerCommand(COMMANDS.addFilter, async () => {
      const filter = await pickFilter({ user: connection.user, selectedUuid: selection.uuid });
      if (filter) addFilter(services, filter);
    }),
    vscode.commands.registerCommand(COMMANDS.removeFilter, async (arg: unknown) => {
      let filter = nodeOf(arg, 'filter')?.filter;
      if (!filter) {
        if (!userFilters.list.length) return;
        const picked = await vscode.window.showQuickPick(
          userFilters.list.map((f) => ({ label: JSON.stringify(f), filter: f })),
          { title: t('Remove Filter') },
        );
        filter = picked?.filter;
      }
      if (filter) userFilters.remove(filter);
    }),
    vscode.commands.registerCommand(COMMANDS.clearFilters, () => userFilters.clear()),
    vscode.commands.registerCommand(COMMANDS.addFilterForObject, (arg: unknown) => {
      const uuid = uuidOf(arg) ?? selection.uuid;
      if (!uuid) return;
      try {
        addFilter(services, objectFilter(uuid));
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
      }
    }),
  ];
}
