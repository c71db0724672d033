import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { effectiveHost } from '../../../src/model/connection';

test('the effective host: setting, else environment, else settings.conf', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-conf-'));
  fs.mkdirSync(path.join(dir, 'arvados'));
  fs.writeFileSync(path.join(dir, 'arvados', 'settings.conf'), 'ARVADOS_API_HOST=fromfile.example:8443\nARVADOS_API_TOKEN=x\n');
  const env = { HOME: dir, XDG_CONFIG_HOME: dir, XDG_CONFIG_DIRS: '/nonexistent' };
  assert.equal(effectiveHost('https://set.example/', env), 'set.example');
  assert.equal(effectiveHost('', { ...env, ARVADOS_API_HOST: 'env.example' }), 'env.example');
  assert.equal(effectiveHost(undefined, env), 'fromfile.example:8443');
  assert.equal(effectiveHost(undefined, { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent', XDG_CONFIG_DIRS: '/nonexistent' }), undefined);
  assert.equal(effectiveHost('http://bad', env), undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});
