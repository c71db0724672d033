/**
 * The settings as VS Code sees them. The security rules: a workspace cannot choose where the
 * token goes or what TLS trusts, so arvados.apiHost and arvados.insecure are machine-scoped (user
 * or remote settings only) and restricted in untrusted workspaces.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { packageJson, waitFor } from './fixture';

const USER_ONLY = ['arvados.apiHost', 'arvados.clusters', 'arvados.insecure'];

describe('settings', () => {
  it('arvados.apiHost, arvados.clusters and arvados.insecure are machine-scoped and restricted in untrusted workspaces', () => {
    const { contributes, capabilities } = packageJson();
    for (const key of USER_ONLY) assert.equal(contributes.configuration.properties[key]?.scope, 'machine', key);
    assert.deepEqual([...(capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [])].sort(), USER_ONLY);
  });

  it('VS Code knows every contributed setting, with the declared default', () => {
    const properties = packageJson().contributes.configuration.properties;
    assert.equal(Object.keys(properties).length, 10);
    for (const [key, decl] of Object.entries(properties)) {
      const section = key.slice(0, key.lastIndexOf('.'));
      const name = key.slice(key.lastIndexOf('.') + 1);
      const inspected = vscode.workspace.getConfiguration(section).inspect(name);
      assert.ok(inspected, `${key} is not registered`);
      assert.deepEqual(inspected.defaultValue, decl.default, key);
    }
  });

  describe('in a workspace', () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const file = folder && vscode.Uri.joinPath(folder, '.vscode', 'settings.json');

    after(async () => {
      if (file) await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      // (A failed test may have left the control value behind.)
      await vscode.workspace.getConfiguration('editor').update('tabSize', undefined, vscode.ConfigurationTarget.Workspace).then(undefined, () => undefined);
    });

    it('VS Code refuses to write them to workspace settings (and writes another setting there)', async function () {
      if (!folder) this.skip();
      for (const key of USER_ONLY) {
        const [section, name] = key.split('.');
        await assert.rejects(
          Promise.resolve(vscode.workspace.getConfiguration(section).update(name, key.endsWith('Host') ? 'workspace.example' : true, vscode.ConfigurationTarget.Workspace)),
          /user settings|machine|workspace/i,
          key,
        );
      }
      // A window-scoped setting can be written there: the refusal is the scope's.
      const editor = vscode.workspace.getConfiguration('editor');
      await editor.update('tabSize', 5, vscode.ConfigurationTarget.Workspace);
      assert.equal(vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue, 5);
      await editor.update('tabSize', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('values in a workspace\'s .vscode/settings.json do not apply to them', async function () {
      if (!file) this.skip();
      const text = JSON.stringify({ 'arvados.apiHost': 'workspace.example', 'arvados.insecure': true, 'arvados.clusters': ['evil.example'], 'editor.tabSize': 3 }, null, 2);
      await vscode.workspace.fs.writeFile(file!, Buffer.from(text, 'utf8'));
      // The control value shows once VS Code has read the file.
      await waitFor(() => vscode.workspace.getConfiguration('editor').get('tabSize'), { until: (v) => v === 3, message: 'workspace settings read' });
      const c = vscode.workspace.getConfiguration('arvados');
      assert.equal(c.get('apiHost'), '');
      assert.equal(c.get('insecure'), false);
      assert.equal(c.inspect('apiHost')?.workspaceValue, undefined);
      assert.equal(c.inspect('insecure')?.workspaceValue, undefined);
      assert.deepEqual(c.get('clusters'), []);
      assert.equal(c.inspect('clusters')?.workspaceValue, undefined);
    });
  });
});
