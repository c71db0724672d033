/**
 * The packaged extension: `npm run package` writes arvados-events-<version>.vsix, which installs
 * into a real VS Code (code-server --install-extension) and works from its bundle alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeCluster } from '../fake/cluster';
import { startWorkbench, type Workbench } from './harness';

const REPO = resolve(__dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const VSIX = join(REPO, `arvados-events-${version}.vsix`);

describe('the packaged .vsix', () => {
  let cluster: FakeCluster;
  let wb: Workbench;
  let home: string;

  before(async () => {
    const r = spawnSync('npm', ['run', 'package'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(existsSync(VSIX), `${VSIX} was written`);
    cluster = await FakeCluster.start({ sendTimeoutMs: 2000 });
    home = mkdtempSync(join(tmpdir(), 'arv-e2e-home-'));
    wb = await startWorkbench({
      vsix: VSIX,
      env: { HOME: home, ARVADOS_API_HOST: cluster.host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile },
    });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('installs, activates at startup and follows events', async () => {
    const uuid = cluster.createObject({ kind: 'arvados#collection', name: 'from-the-vsix.txt' }).object.uuid as string;
    await wb.waitFor(() => wb.statusBarText('arvados.status'), (t) => !!t && /live/.test(t), { timeout: 30000, message: 'live without opening the panel' });
    await cluster.waitFor(() => cluster.wsSessions().some((s) => s.subscriptions > 0), 10000, 'subscribed');
    await wb.openViewContainer('Arvados');
    cluster.updateObject(uuid, { name: 'from-the-vsix-v2.txt' });
    await wb.waitFor(() => wb.treeRows('Events'), (rows) => rows.some((r) => r.includes('from-the-vsix-v2.txt')), { message: 'event row' });
  });
});
