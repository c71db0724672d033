/**
 * Connection settings, resolved the way the Arvados SDKs do: each `ARVADOS_*` environment
 * variable overrides, key by key, the `KEY=value` lines of the first `settings.conf` found
 * ($CONFIGURATION_DIRECTORY, then $XDG_CONFIG_HOME/arvados or ~/.config/arvados, then each of
 * $XDG_CONFIG_DIRS/arvados). Explicit overrides (the extension's settings and SecretStorage)
 * win over both.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './errors';

export interface ArvadosConfig {
  /** `host[:port]`, no scheme: HTTPS is always used. */
  apiHost: string;
  token: string;
  /** Skip TLS verification. Only ever true when the user said so. */
  insecure: boolean;
  disableWebsockets: boolean;
  /** A PEM bundle of extra trusted CAs (SSL_CERT_FILE), if any. */
  caFile?: string;
  /** Where each value came from, for diagnostics (never the values themselves). */
  sources: Partial<Record<'apiHost' | 'token' | 'insecure', string>>;
}

export interface ConfigOverrides {
  apiHost?: string;
  token?: string;
  insecure?: boolean;
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'y', 'yes']);

/** The SDKs' truthy set for flags such as ARVADOS_API_HOST_INSECURE. */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && TRUE_WORDS.has(value.trim().toLowerCase());
}

/** The settings.conf files to look at, in the Python SDK's order. Only the first that exists is read. */
export function settingsFileCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  const out: string[] = [];
  for (const dir of (env.CONFIGURATION_DIRECTORY ?? '').split(':')) if (dir) out.push(path.join(dir, 'settings.conf'));
  out.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'arvados', 'settings.conf'));
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')) if (dir) out.push(path.join(dir, 'arvados', 'settings.conf'));
  return out;
}

/**
 * Parses `KEY=value` lines. Blank lines and `#` comments are skipped; spaces around key and
 * value are trimmed (the Go SDK's reading, the more forgiving one). A line without `=` is an
 * error naming the file and line, but never the line's content: it may hold a token.
 */
export function parseSettingsFile(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${file}, line ${i + 1}: expected KEY=value`);
    values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return values;
}

export function readSettingsFile(env: NodeJS.ProcessEnv = process.env): { file?: string; values: Record<string, string> } {
  for (const file of settingsFileCandidates(env)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    return { file, values: parseSettingsFile(text, file) };
  }
  return { values: {} };
}

/**
 * Accepts `host`, `host:port`, and, forgivingly, `https://host[:port][/]`. Refuses anything
 * else with a message saying what a host looks like.
 */
export function normalizeApiHost(value: string): string {
  let host = value.trim();
  if (/^http:\/\//i.test(host)) throw new ConfigError(`ARVADOS_API_HOST must not use http://: Arvados is always reached over HTTPS (got "${host}")`);
  host = host.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
    throw new ConfigError(`ARVADOS_API_HOST must be host[:port] with no scheme or path, such as "zzzzz.example.com" or "127.0.0.1:8000" (got "${value}")`);
  }
  return host;
}

export function resolveConfig(options: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): ArvadosConfig {
  const env = options.env ?? process.env;
  const o = options.overrides ?? {};
  const file = readSettingsFile(env);
  const fileLabel = file.file ?? 'settings.conf';
  const sources: ArvadosConfig['sources'] = {};

  const pick = (key: 'apiHost' | 'token' | 'insecure', override: string | undefined, name: string): string | undefined => {
    if (override !== undefined && override !== '') return (sources[key] = 'settings', override);
    if (env[name] !== undefined && env[name] !== '') return (sources[key] = `environment (${name})`, env[name]);
    if (file.values[name] !== undefined && file.values[name] !== '') return (sources[key] = fileLabel, file.values[name]);
    return undefined;
  };

  const host = pick('apiHost', o.apiHost, 'ARVADOS_API_HOST');
  const token = pick('token', o.token, 'ARVADOS_API_TOKEN');
  const insecureText = pick('insecure', o.insecure ? 'true' : undefined, 'ARVADOS_API_HOST_INSECURE');
  const missing = [!host && 'ARVADOS_API_HOST', !token && 'ARVADOS_API_TOKEN'].filter(Boolean);
  if (missing.length) {
    throw new ConfigError(
      `No Arvados ${missing.join(' or ')} is set. Set ${missing.join(' and ')} in the environment or in ${file.file ?? '~/.config/arvados/settings.conf'}` +
        ` (the extension also has the commands "Arvados: Set Cluster" and "Arvados: Set API Token").`,
    );
  }
  const disable = env.ARVADOS_DISABLE_WEBSOCKETS ?? file.values.ARVADOS_DISABLE_WEBSOCKETS;
  const caFile = env.SSL_CERT_FILE || undefined;
  return {
    apiHost: normalizeApiHost(host!),
    token: token!.trim(),
    insecure: isTruthy(insecureText),
    disableWebsockets: isTruthy(disable),
    caFile,
    sources,
  };
}
