import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig, parseSettingsFile, settingsFileCandidates, isTruthy, normalizeApiHost } from '../../../src/arvados/config';
import { ConfigError } from '../../../src/arvados/errors';

function tempHome(settings?: string): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-config-'));
  if (settings !== undefined) {
    fs.mkdirSync(path.join(dir, '.config', 'arvados'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.config', 'arvados', 'settings.conf'), settings);
  }
  return { dir, env: { HOME: dir, XDG_CONFIG_DIRS: path.join(dir, 'etc-xdg') } };
}

test('environment variables alone are enough', () => {
  const { env } = tempHome();
  const c = resolveConfig({ env: { ...env, ARVADOS_API_HOST: 'zzzzz.example.com', ARVADOS_API_TOKEN: 'v2/zzzzz-gj3su-000000000000000/secret123' } });
  assert.equal(c.apiHost, 'zzzzz.example.com');
  assert.equal(c.token, 'v2/zzzzz-gj3su-000000000000000/secret123');
  assert.equal(c.insecure, false);
  assert.equal(c.disableWebsockets, false);
  assert.match(c.sources.apiHost!, /ARVADOS_API_HOST/);
});

test('settings.conf is read, and the environment overrides it key by key', () => {
  const { env } = tempHome('# comment\n\nARVADOS_API_HOST=file.example:8443\nARVADOS_API_TOKEN=filetoken\nARVADOS_API_HOST_INSECURE=yes\n');
  const fromFile = resolveConfig({ env });
  assert.equal(fromFile.apiHost, 'file.example:8443');
  assert.equal(fromFile.token, 'filetoken');
  assert.equal(fromFile.insecure, true);
  const mixed = resolveConfig({ env: { ...env, ARVADOS_API_TOKEN: 'envtoken' } });
  assert.equal(mixed.apiHost, 'file.example:8443', 'host still from the file');
  assert.equal(mixed.token, 'envtoken', 'token from the environment');
  assert.match(mixed.sources.token!, /environment/);
});

test('XDG_CONFIG_HOME is honoured, and only the first settings file found is read', () => {
  const { env, dir } = tempHome('ARVADOS_API_HOST=home.example\nARVADOS_API_TOKEN=t1\n');
  const xdg = path.join(dir, 'xdg');
  fs.mkdirSync(path.join(xdg, 'arvados'), { recursive: true });
  fs.writeFileSync(path.join(xdg, 'arvados', 'settings.conf'), 'ARVADOS_API_HOST=xdg.example\n');
  const c = () => resolveConfig({ env: { ...env, XDG_CONFIG_HOME: xdg } });
  assert.throws(c, /ARVADOS_API_TOKEN/, 'the xdg file wins and has no token; the home file is not merged in');
  assert.equal(settingsFileCandidates({ ...env, XDG_CONFIG_HOME: xdg })[0], path.join(xdg, 'arvados', 'settings.conf'));
});

test('explicit overrides (extension settings, SecretStorage) win over everything', () => {
  const { env } = tempHome('ARVADOS_API_HOST=file.example\nARVADOS_API_TOKEN=filetoken\n');
  const c = resolveConfig({ env: { ...env, ARVADOS_API_HOST: 'env.example' }, overrides: { apiHost: 'settings.example', token: 'secret-storage-token', insecure: true } });
  assert.equal(c.apiHost, 'settings.example');
  assert.equal(c.token, 'secret-storage-token');
  assert.equal(c.insecure, true);
});

test('a missing host or token is a clear error naming what to set', () => {
  const { env } = tempHome();
  assert.throws(() => resolveConfig({ env }), (e: Error) => e instanceof ConfigError && /ARVADOS_API_HOST and ARVADOS_API_TOKEN/.test(e.message));
  assert.throws(() => resolveConfig({ env: { ...env, ARVADOS_API_HOST: 'h.example' } }), /No Arvados ARVADOS_API_TOKEN is set/);
});

test('insecure accepts the SDK truthy words and nothing else', () => {
  for (const w of ['1', 't', 'true', 'y', 'yes', 'TRUE', ' Yes ']) assert.equal(isTruthy(w), true, w);
  for (const w of ['0', 'false', 'no', '', 'on', undefined]) assert.equal(isTruthy(w), false, String(w));
});

test('ARVADOS_DISABLE_WEBSOCKETS is read from the environment', () => {
  const { env } = tempHome('ARVADOS_API_HOST=h\nARVADOS_API_TOKEN=t1234\n');
  assert.equal(resolveConfig({ env: { ...env, ARVADOS_DISABLE_WEBSOCKETS: '1' } }).disableWebsockets, true);
});

test('hosts: a scheme-less host is kept; https:// and trailing slashes are forgiven; http:// and paths are refused', () => {
  assert.equal(normalizeApiHost('zzzzz.example.com'), 'zzzzz.example.com');
  assert.equal(normalizeApiHost('127.0.0.1:8000'), '127.0.0.1:8000');
  assert.equal(normalizeApiHost('https://zzzzz.example.com/'), 'zzzzz.example.com');
  assert.equal(normalizeApiHost('[::1]:443'), '[::1]:443');
  assert.throws(() => normalizeApiHost('http://zzzzz.example.com'), /always reached over HTTPS/);
  assert.throws(() => normalizeApiHost('zzzzz.example.com/arvados'), /host\[:port\]/);
  assert.throws(() => normalizeApiHost('has space'), /host\[:port\]/);
});

test('a settings line without = names the file and line but never its content', () => {
  assert.throws(
    () => parseSettingsFile('ARVADOS_API_HOST=h\nv2/zzzzz-gj3su-000000000000000/supersecret\n', '/x/settings.conf'),
    (e: Error) => /\/x\/settings.conf, line 2: expected KEY=value/.test(e.message) && !e.message.includes('supersecret'),
  );
  assert.deepEqual(parseSettingsFile(' ARVADOS_API_HOST = h.example \r\nX=a=b\n', 'f'), { ARVADOS_API_HOST: 'h.example', X: 'a=b' });
});
