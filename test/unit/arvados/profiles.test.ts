import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findProfile, isProfileName, listProfiles, profileConfig, profileHost } from '../../../src/arvados/profiles';
import { ConfigError } from '../../../src/arvados/errors';

/** A HOME with ~/.config/arvados and a system folder, each with the given files. */
function folders(user: Record<string, string>, system: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-profiles-'));
  const userDir = path.join(home, '.config', 'arvados');
  const systemRoot = path.join(home, 'etc-xdg');
  fs.mkdirSync(userDir, { recursive: true });
  fs.mkdirSync(path.join(systemRoot, 'arvados'), { recursive: true });
  for (const [name, text] of Object.entries(user)) fs.writeFileSync(path.join(userDir, name), text);
  for (const [name, text] of Object.entries(system)) fs.writeFileSync(path.join(systemRoot, 'arvados', name), text);
  return { HOME: home, XDG_CONFIG_DIRS: systemRoot };
}

const SECRET = 'v2/zzzzz-gj3su-000000000000000/verysecret';

test('profiles are the NAME.conf files of every config folder, settings.conf excepted; the first folder wins', () => {
  const env = folders(
    { 'zzzzz.conf': 'ARVADOS_API_HOST=z.example\n', 'settings.conf': 'ARVADOS_API_HOST=default.example\n', 'notes.txt': 'x', '.hidden.conf': 'x' },
    { 'zzzzz.conf': 'ARVADOS_API_HOST=system.example\n', 'xxxxx.conf': 'ARVADOS_API_HOST=x.example\n' },
  );
  const profiles = listProfiles(env);
  assert.deepEqual(profiles.map((p) => p.name).sort(), ['xxxxx', 'zzzzz']);
  assert.equal(profileHost(findProfile('zzzzz', env)!), 'z.example', 'the user folder before the system one');
  assert.equal(profileHost(findProfile('xxxxx', env)!), 'x.example');
  assert.equal(findProfile('settings', env), undefined, 'settings.conf is the default cluster, not a profile');
});

test('a profile gives its own host, token and insecure flag; the environment plays no part', () => {
  const env = folders({ 'zzzzz.conf': `ARVADOS_API_HOST=https://z.example:8443/\nARVADOS_API_TOKEN=${SECRET}\nARVADOS_API_HOST_INSECURE=yes\n` });
  const c = profileConfig('zzzzz', { ...env, ARVADOS_API_HOST: 'env.example', ARVADOS_API_TOKEN: 'envtoken', ARVADOS_API_HOST_INSECURE: '0', SSL_CERT_FILE: '/ca.pem' });
  assert.equal(c.apiHost, 'z.example:8443');
  assert.equal(c.token, SECRET);
  assert.equal(c.insecure, true);
  assert.equal(c.caFile, '/ca.pem');
  assert.match(c.sources.token!, /zzzzz\.conf$/);
});

test('a missing or incomplete profile is a clear error that never quotes a token', () => {
  const env = folders({ 'zzzzz.conf': `ARVADOS_API_TOKEN=${SECRET}\n`, 'yyyyy.conf': 'ARVADOS_API_HOST=y.example\n' });
  assert.throws(() => profileConfig('qqqqq', env), (e: Error) => e instanceof ConfigError && /No Arvados profile "qqqqq"/.test(e.message) && /Profiles found: yyyyy, zzzzz/.test(e.message));
  assert.throws(() => profileConfig('zzzzz', env), (e: Error) => e instanceof ConfigError && /has no ARVADOS_API_HOST/.test(e.message) && !e.message.includes('verysecret'));
  assert.throws(() => profileConfig('yyyyy', env), /has no ARVADOS_API_TOKEN/);
  const broken = folders({ 'bad.conf': `ARVADOS_API_HOST=b.example\n${SECRET}\n` });
  assert.throws(() => profileConfig('bad', broken), (e: Error) => /line 2: expected KEY=value/.test(e.message) && !e.message.includes('verysecret'));
});

test('a profile name is a file name, never a path', () => {
  for (const bad of ['../zzzzz', 'a/b', '.hidden', '', 'settings']) assert.equal(isProfileName(bad), false, bad);
  for (const good of ['zzzzz', 'prod', 'dev-cluster', 'x1.y']) assert.equal(isProfileName(good), true, good);
  assert.throws(() => profileConfig('../etc/passwd', folders({})), /is not a profile name/);
});
