/** Activation and what the extension registers with VS Code. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activeWhenTestsLoaded, extension, packageJson, setup } from './fixture';

describe('activation', () => {
  it('is lazy: it waits for startup to finish, so the eager activations left it inactive', () => {
    assert.equal(activeWhenTestsLoaded, false, 'active once the eager activations were done');
    // Not '*' nor workspaceContains:, onLanguage: or any other event of a starting window.
    assert.deepEqual(packageJson().activationEvents, ['onStartupFinished']);
  });

  describe('once activated', () => {
    before(async () => {
      await setup();
    });

    it('is active, with its views\' tree data providers exported', () => {
      assert.equal(extension().isActive, true);
      const views = Object.values(packageJson().contributes.views).flat().map((v) => v.id).sort();
      assert.deepEqual(views, ['arvados.events', 'arvados.processes', 'arvados.subscriptions', 'arvados.watched']);
      assert.deepEqual(Object.keys(extension().exports.treeDataProviders).sort(), views);
    });

    it('registers every command it contributes, and no other arvados.* command', async () => {
      const contributed = packageJson().contributes.commands.map((c) => c.command).sort();
      assert.equal(contributed.length, 31, "the 21 of the first views, the live log's two, the processes' six, Add Cluster and Stop Following Cluster");
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
      // VS Code adds <view id>.focus and the like for every view; those are not the extension's.
      const viewIds = Object.values(packageJson().contributes.views).flat().map((v) => v.id);
      const extra = [...registered].filter((c) => c.startsWith('arvados.') && !contributed.includes(c)
        && !viewIds.some((v) => c.startsWith(`${v}.`)));
      assert.deepEqual(extra, [], 'registered but not contributed');
    });

    it('its views exist in the workbench (their focus commands run)', async () => {
      for (const view of ['arvados.events', 'arvados.subscriptions', 'arvados.watched', 'arvados.processes']) {
        await vscode.commands.executeCommand(`${view}.focus`);
      }
    });
  });
});
