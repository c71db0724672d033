// A token goes only to the host it came with: the binding rule (src/arvados/binding.ts), the
// CLI's resolveConfig and the extension's connectionConfig/createOpener that use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindInsecure, bindToken, sameHost, type HostedSource, type TokenSources } from '../../../src/arvados/binding';
import { readConnectionSources, resolveConfig } from '../../../src/arvados/config';
import { ConfigError } from '../../../src/arvados/errors';
import { silentLogger } from '../../../src/arvados/types';
import { connectionConfig, createOpener, ownHost } from '../../../src/model/connection';

const ENV_TOKEN = 'v2/zzzzz-gj3su-000000000000001/environmentsecret';
const FILE_TOKEN = 'v2/zzzzz-gj3su-000000000000002/settingsconfsecret';
const STORED = 'v2/wwwww-gj3su-000000000000003/storedsecret';

const env = (v: Partial<HostedSource> = {}): HostedSource => ({ label: 'the environment', ...v });
const file = (v: Partial<HostedSource> = {}): HostedSource => ({ label: '/home/u/.config/arvados/settings.conf', ...v });
const sources = (e: Partial<HostedSource>, f: Partial<HostedSource>, more: Partial<TokenSources> = {}): TokenSources => ({ environment: env(e), file: file(f), ...more });

/** An environment whose settings.conf (in a fresh HOME) has `settings`. */
function homeWith(settings?: string): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-binding-'));
  if (settings !== undefined) {
    fs.mkdirSync(path.join(dir, '.config', 'arvados'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.config', 'arvados', 'settings.conf'), settings);
  }
  return { HOME: dir, XDG_CONFIG_DIRS: path.join(dir, 'etc-xdg') };
}

test('a stored token goes to exactly the host it was stored for', () => {
  const s = sources({ host: 'a.example', token: ENV_TOKEN }, {}, { stored: STORED });
  assert.deepEqual(bindToken('w.example', s), { token: STORED, source: 'secret storage' });
});

test("the environment's token goes only to the environment's host", () => {
  const s = sources({ host: 'a.example', token: ENV_TOKEN }, {});
  assert.equal(bindToken('a.example', s)?.token, ENV_TOKEN);
  assert.match(bindToken('a.example', s)!.source, /environment.*ARVADOS_API_TOKEN/);
  assert.equal(bindToken('w.example', s), undefined, 'not to a workspace host');
  assert.equal(bindToken('w.example', { ...s, userHost: 'w.example' }), undefined, "nor to the user's setting: the environment named its host");
});

test("settings.conf's token goes only to settings.conf's host", () => {
  const s = sources({}, { host: 'c.example', token: FILE_TOKEN });
  assert.equal(bindToken('c.example', s)?.token, FILE_TOKEN);
  assert.equal(bindToken('w.example', s), undefined);
  // The environment names another host and no token: settings.conf's does not follow it there.
  const mixed = sources({ host: 'a.example' }, { host: 'c.example', token: FILE_TOKEN });
  assert.equal(bindToken('a.example', mixed), undefined);
  assert.equal(bindToken('c.example', mixed)?.token, FILE_TOKEN);
});

test('the per-key merge stays where a source has a token but names no host', () => {
  // settings.conf has only a token: it goes with the environment's host (and the other way round).
  assert.equal(bindToken('a.example', sources({ host: 'a.example' }, { token: FILE_TOKEN }))?.token, FILE_TOKEN);
  assert.equal(bindToken('c.example', sources({ token: ENV_TOKEN }, { host: 'c.example', token: FILE_TOKEN }))?.token, ENV_TOKEN, 'the environment overrides settings.conf for its host');
  // Neither names a host: the token goes with the user's own setting, and nowhere else.
  const hostless = sources({ token: ENV_TOKEN }, {}, { userHost: 'u.example' });
  assert.equal(bindToken('u.example', hostless)?.token, ENV_TOKEN);
  assert.equal(bindToken('w.example', hostless), undefined);
  assert.equal(bindToken('w.example', sources({ token: ENV_TOKEN }, {})), undefined, 'no host anywhere: bound to nothing');
});

test('both name the same host: the environment wins, as in the SDKs', () => {
  const s = sources({ host: 'a.example', token: ENV_TOKEN }, { host: 'A.EXAMPLE:443', token: FILE_TOKEN });
  assert.equal(bindToken('a.example', s)?.token, ENV_TOKEN);
  assert.equal(bindToken('a.example', sources({ host: 'a.example' }, { host: 'a.example', token: FILE_TOKEN }))?.token, FILE_TOKEN);
});

test('hosts compare without case, scheme, trailing slash or the default port', () => {
  assert.ok(sameHost('Zzzzz.Example.com', 'zzzzz.example.com:443'));
  assert.ok(sameHost('https://zzzzz.example.com/', 'zzzzz.example.com'));
  assert.ok(!sameHost('zzzzz.example.com:8443', 'zzzzz.example.com'));
  assert.ok(!sameHost(undefined, undefined));
});

test('ARVADOS_API_HOST_INSECURE relaxes TLS only for the host it came with', () => {
  const s = sources({ host: 'a.example', insecure: true }, {});
  assert.equal(bindInsecure('a.example', s).insecure, true);
  assert.equal(bindInsecure('w.example', s).insecure, false);
  // An explicit "0" in the environment overrides settings.conf's "1" for the same host.
  assert.equal(bindInsecure('a.example', sources({ insecure: false }, { host: 'a.example', insecure: true })).insecure, false);
  assert.equal(bindInsecure('c.example', sources({ host: 'a.example' }, { host: 'c.example', insecure: true })).insecure, true);
});

test('resolveConfig (the CLI) sends no token to a host it did not come with, and says why without the token', () => {
  const e = { ...homeWith(`ARVADOS_API_HOST=c.example\nARVADOS_API_TOKEN=${FILE_TOKEN}\n`), ARVADOS_API_HOST: 'a.example' };
  assert.throws(
    () => resolveConfig({ env: e }),
    (err: Error) => err instanceof ConfigError && /No API token for a\.example/.test(err.message) && /is for c\.example/.test(err.message) && !err.message.includes('settingsconfsecret'),
  );
  // The SDK merge where settings.conf names no host.
  const merged = resolveConfig({ env: { ...homeWith(`ARVADOS_API_TOKEN=${FILE_TOKEN}\n`), ARVADOS_API_HOST: 'a.example' } });
  assert.equal(merged.apiHost, 'a.example');
  assert.equal(merged.token, FILE_TOKEN);
  // An explicit host (Set Cluster) does not take the environment's token of another host...
  assert.throws(() => resolveConfig({ env: { ...homeWith(), ARVADOS_API_HOST: 'a.example', ARVADOS_API_TOKEN: ENV_TOKEN }, overrides: { apiHost: 'u.example' } }), /No API token for u\.example/);
  // ...but does take a token that names no host.
  assert.equal(resolveConfig({ env: { ...homeWith(), ARVADOS_API_TOKEN: ENV_TOKEN }, overrides: { apiHost: 'u.example' } }).token, ENV_TOKEN);
});

test("connectionConfig: a workspace's host gets only a token stored for it, and TLS stays verified", () => {
  const e = { ...homeWith(), ARVADOS_API_HOST: 'a.example', ARVADOS_API_TOKEN: ENV_TOKEN, ARVADOS_API_HOST_INSECURE: '1' };
  const s = readConnectionSources(e);
  const settings = { apiHost: '', insecure: true };
  assert.throws(
    () => connectionConfig('w.example', settings, s, undefined),
    (err: Error) => err instanceof ConfigError && /^No API token for w\.example: use "Arvados: Set API Token"/.test(err.message) && /is for a\.example/.test(err.message) && !err.message.includes('environmentsecret'),
  );
  const w = connectionConfig('w.example', settings, s, STORED);
  assert.equal(w.token, STORED);
  assert.equal(w.insecure, false, "neither arvados.insecure (the user's own host) nor the environment's flag (a.example) applies");
  assert.match(w.sources.apiHost!, /workspace/);
  const own = connectionConfig('a.example', settings, s, undefined);
  assert.equal(own.token, ENV_TOKEN);
  assert.equal(own.insecure, true);
  assert.equal(ownHost('', s), 'a.example');
  assert.equal(ownHost('u.example', s), 'u.example', "the user's setting first");
});

test('createOpener: a host chosen elsewhere without a token bound to it fails before anything is sent', async () => {
  const e = { ...homeWith(), ARVADOS_API_HOST: '127.0.0.1:1', ARVADOS_API_TOKEN: ENV_TOKEN };
  const asked: string[] = [];
  let ownSeen: string | undefined;
  let hasTokenForOwn: boolean | undefined;
  const open = createOpener(async (h) => void asked.push(h), e, async (own, hasToken) => {
    ownSeen = own;
    hasTokenForOwn = await hasToken(own!);
    return 'w.example';
  });
  const settings = { transport: 'auto' as const, pollIntervalMs: 1000, maxBackfill: 10 };
  await assert.rejects(open({ settings, filters: [], lastLogIdFor: () => undefined, logger: silentLogger }), (err: Error) => err instanceof ConfigError && /No API token for w\.example/.test(err.message));
  assert.equal(ownSeen, '127.0.0.1:1');
  assert.equal(hasTokenForOwn, true);
  assert.deepEqual(asked, ['127.0.0.1:1', 'w.example'], 'only secret storage was asked, for each host');
  // Nothing at all: the same message as before, naming both variables.
  await assert.rejects(createOpener(async () => undefined, homeWith())({ settings, filters: [], lastLogIdFor: () => undefined, logger: silentLogger }), /ARVADOS_API_HOST and ARVADOS_API_TOKEN/);
});

test('createOpener: the own host\'s token is read while the host is chosen, once', async () => {
  const e = { ...homeWith(), ARVADOS_API_HOST: '127.0.0.1:1' };
  const asked: string[] = [];
  let askedWhileChoosing: string[] = [];
  const open = createOpener(async (h) => void asked.push(h), e, async (own) => {
    // SecretStorage is a round trip to the window: the own host's read is already under way.
    askedWhileChoosing = [...asked];
    return own;
  });
  const settings = { transport: 'auto' as const, pollIntervalMs: 1000, maxBackfill: 10 };
  await assert.rejects(open({ settings, filters: [], lastLogIdFor: () => undefined, logger: silentLogger }), /No API token for 127\.0\.0\.1:1/);
  assert.deepEqual(askedWhileChoosing, ['127.0.0.1:1']);
  assert.deepEqual(asked, ['127.0.0.1:1'], 'read once');
});

test('createOpener: a token stored for the chosen host while it was chosen is the one used', async () => {
  const e = { ...homeWith(), ARVADOS_API_HOST: '127.0.0.1:1', ARVADOS_API_TOKEN: ENV_TOKEN };
  const secrets = new Map<string, string>();
  const open = createOpener(async (h) => secrets.get(h), e, async (_own, hasToken) => {
    assert.equal(await hasToken('127.0.0.1:2'), false);
    // The user accepted the workspace's host and Set API Token stored one for it.
    secrets.set('127.0.0.1:2', 'v2/zzzzz-gj3su-000000000000002/secret2');
    return '127.0.0.1:2';
  });
  const settings = { transport: 'auto' as const, pollIntervalMs: 1000, maxBackfill: 10 };
  let host: string | undefined;
  // Nothing listens there: the attempt fails connecting, not for want of a token.
  await assert.rejects(open({ settings, filters: [], lastLogIdFor: () => undefined, logger: silentLogger, onHost: (h) => (host = h) }), (err: Error) => !(err instanceof ConfigError));
  assert.equal(host, '127.0.0.1:2');
});

test('package.json: the host, cluster and trust settings are machine-scoped, and restricted in untrusted workspaces', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  const trust = ['arvados.apiHost', 'arvados.clusters', 'arvados.insecure'];
  for (const key of trust) assert.equal(props[key].scope, 'machine', key);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), trust);
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});
