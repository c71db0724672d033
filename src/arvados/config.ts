/**
 * Connection settings, resolved the way the Arvados SDKs do: each `ARVADOS_*` environment
 * variable overrides, key by key, the `KEY=value` lines of the first `settings.conf` found
 * ($CONFIGURATION_DIRECTORY, then $XDG_CONFIG_HOME/arvados or ~/.config/arvados, then each of
 * $XDG_CONFIG_DIRS/arvados). Explicit overrides (the extension's settings and SecretStorage)
 * win over both. A token goes only to the host it came with (binding.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindInsecure, bindToken, elsewhereSentence, type HostedSource, type TokenSources } from './binding';
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

/**
 * The Arvados config folders, in the Python SDK's order: each $CONFIGURATION_DIRECTORY entry,
 * $XDG_CONFIG_HOME/arvados (default ~/.config/arvados), each $XDG_CONFIG_DIRS entry plus
 * /arvados (default /etc/xdg/arvados). settings.conf and the `<name>.conf` profiles live there.
 */
export function configFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  const out: string[] = [];
  for (const dir of (env.CONFIGURATION_DIRECTORY ?? '').split(':')) if (dir) out.push(dir);
  out.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'arvados'));
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')) if (dir) out.push(path.join(dir, 'arvados'));
  return out;
}

/** The settings.conf files to look at, in the Python SDK's order. Only the first that exists is read. */
export function settingsFileCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return configFolders(env).map((dir) => path.join(dir, 'settings.conf'));
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
    // An own property whatever the key: `__proto__=x` assigned plainly would be dropped.
    Object.defineProperty(values, line.slice(0, eq).trim(), { value: line.slice(eq + 1).trim(), enumerable: true, writable: true, configurable: true });
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

/** A mistyped value as a message quotes it: clipped, and kept on one line. */
function quoted(value: string): string {
  const clipped = value.length > 60 ? `${value.slice(0, 59)}…` : value;
  return JSON.stringify(clipped).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * Accepts `host`, `host:port`, and, forgivingly, `https://host[:port][/]`. Refuses anything
 * else with a message saying what a host looks like.
 */
export function normalizeApiHost(value: string): string {
  let host = value.trim();
  if (/^http:\/\//i.test(host)) throw new ConfigError(`ARVADOS_API_HOST must not use http://: Arvados is always reached over HTTPS (got ${quoted(host)})`);
  host = host.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) {
    throw new ConfigError(`ARVADOS_API_HOST must be host[:port] with no scheme or path, such as "zzzzz.example.com" or "127.0.0.1:8000" (got ${quoted(value)})`);
  }
  // Node refuses a port outside 1-65535 only when connecting, with a RangeError.
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) {
    throw new ConfigError(`ARVADOS_API_HOST has port ${m[2]}, but a port is a number from 1 to 65535 (got ${quoted(value)})`);
  }
  return host;
}

/** What the environment and the first settings.conf say about the connection, each source on its own. */
export interface ConnectionSources {
  environment: HostedSource;
  file: HostedSource & { path?: string };
  disableWebsockets: boolean;
  caFile?: string;
}

export function readConnectionSources(env: NodeJS.ProcessEnv = process.env): ConnectionSources {
  const file = readSettingsFile(env);
  const value = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
  const flag = (v: string | undefined) => (value(v) === undefined ? undefined : isTruthy(v));
  return {
    environment: { host: value(env.ARVADOS_API_HOST), token: value(env.ARVADOS_API_TOKEN), insecure: flag(env.ARVADOS_API_HOST_INSECURE), label: 'the environment' },
    file: {
      host: value(file.values.ARVADOS_API_HOST),
      token: value(file.values.ARVADOS_API_TOKEN),
      insecure: flag(file.values.ARVADOS_API_HOST_INSECURE),
      label: file.file ?? 'settings.conf',
      path: file.file,
    },
    disableWebsockets: isTruthy(env.ARVADOS_DISABLE_WEBSOCKETS ?? file.values.ARVADOS_DISABLE_WEBSOCKETS),
    caFile: env.SSL_CERT_FILE || undefined,
  };
}

/** "No Arvados ARVADOS_API_HOST is set. Set it in the environment or in settings.conf ..." */
export function missingSettingsError(missing: string[], file?: string): ConfigError {
  return new ConfigError(
    `No Arvados ${missing.join(' or ')} is set. Set ${missing.join(' and ')} in the environment or in ${file ?? '~/.config/arvados/settings.conf'}` +
      ` (the extension also has the commands "Arvados: Set Cluster" and "Arvados: Set API Token").`,
  );
}

/**
 * The host (explicit override, else the environment's, else settings.conf's) and the token
 * bound to it (see binding.ts): an explicit token goes with that host; otherwise the
 * environment's or settings.conf's token only when it came with that host.
 */
export function resolveConfig(options: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): ArvadosConfig {
  const env = options.env ?? process.env;
  const o = options.overrides ?? {};
  const s = readConnectionSources(env);
  const explicitHost = o.apiHost?.trim() || undefined;
  const explicitToken = o.token?.trim() || undefined;
  const host = explicitHost ?? s.environment.host ?? s.file.host;
  const missing = [!host && 'ARVADOS_API_HOST', !(explicitToken || s.environment.token || s.file.token) && 'ARVADOS_API_TOKEN'].filter(Boolean) as string[];
  if (missing.length) throw missingSettingsError(missing, s.file.path);
  const apiHost = normalizeApiHost(host!);
  const binding: TokenSources = { environment: s.environment, file: s.file, stored: explicitToken, userHost: explicitHost };
  const token = bindToken(apiHost, binding);
  if (!token) {
    throw new ConfigError(
      `No API token for ${apiHost}.${elsewhereSentence(apiHost, binding)} Set ARVADOS_API_TOKEN with ARVADOS_API_HOST=${apiHost}` +
        ` in the environment or in ${s.file.path ?? '~/.config/arvados/settings.conf'} (the extension also has the command "Arvados: Set API Token").`,
    );
  }
  const insecure = o.insecure ? { insecure: true, source: 'settings' } : bindInsecure(apiHost, binding);
  const sources: ArvadosConfig['sources'] = {
    apiHost: explicitHost ? 'settings' : s.environment.host ? 'environment (ARVADOS_API_HOST)' : s.file.label,
    token: explicitToken ? 'settings' : token.source,
  };
  if (insecure.source) sources.insecure = insecure.source;
  return { apiHost, token: token.token, insecure: insecure.insecure, disableWebsockets: s.disableWebsockets, caFile: s.caFile, sources };
}
