/**
 * Named cluster profiles, arv-copy's convention: `<name>.conf` beside settings.conf in the
 * Arvados config folders (the docs suggest `~/.config/arvados/<ClusterID>.conf`), in the same
 * `KEY=value` format. A profile is self-contained: its token goes to its own host only, and the
 * environment's ARVADOS_API_* variables play no part in it (arv-copy reads only the file too).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFolders, isTruthy, normalizeApiHost, parseSettingsFile, type ArvadosConfig } from './config';
import { ConfigError } from './errors';

export interface Profile {
  /** The file name without `.conf`. */
  name: string;
  path: string;
}

/** A profile name as a file name: no folders, no dot first (so never `../x` or a hidden file). */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name) && name !== 'settings';
}

/**
 * Every profile in the config folders, by name. A name in several folders is the first folder's,
 * as settings.conf is found. settings.conf itself is the default cluster, not a profile.
 */
export function listProfiles(env: NodeJS.ProcessEnv = process.env): Profile[] {
  const byName = new Map<string, Profile>();
  for (const dir of configFolders(env)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const file of names.sort()) {
      if (!file.endsWith('.conf')) continue;
      const name = file.slice(0, -'.conf'.length);
      if (!isProfileName(name) || byName.has(name)) continue;
      const full = path.join(dir, file);
      try {
        if (!fs.statSync(full).isFile()) continue;
      } catch {
        continue;
      }
      byName.set(name, { name, path: full });
    }
  }
  return [...byName.values()];
}

export function findProfile(name: string, env: NodeJS.ProcessEnv = process.env): Profile | undefined {
  return isProfileName(name) ? listProfiles(env).find((p) => p.name === name) : undefined;
}

/** Reads a profile's host alone (for listing clusters without needing its token); undefined when it names none or is unreadable. */
export function profileHost(profile: Profile): string | undefined {
  try {
    const host = parseSettingsFile(fs.readFileSync(profile.path, 'utf8'), profile.path).ARVADOS_API_HOST;
    return host ? normalizeApiHost(host) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection a profile describes. Throws ConfigError naming the profile for a missing or
 * incomplete one; never quotes a token.
 */
export function profileConfig(name: string, env: NodeJS.ProcessEnv = process.env): ArvadosConfig {
  if (!isProfileName(name)) {
    throw new ConfigError(`"${name.slice(0, 40)}" is not a profile name: a profile is a file NAME.conf in the Arvados config folder, such as ~/.config/arvados/zzzzz.conf, named without ".conf" or a folder.`);
  }
  const profile = findProfile(name, env);
  if (!profile) {
    const known = listProfiles(env).map((p) => p.name);
    throw new ConfigError(
      `No Arvados profile "${name}": there is no ${name}.conf in ${configFolders(env).join(', ')}.` +
        (known.length ? ` Profiles found: ${known.join(', ')}.` : ' No profiles were found.'),
    );
  }
  let values: Record<string, string>;
  try {
    values = parseSettingsFile(fs.readFileSync(profile.path, 'utf8'), profile.path);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot read the profile ${profile.path}: ${(err as Error).message}`);
  }
  const missing = ['ARVADOS_API_HOST', 'ARVADOS_API_TOKEN'].filter((k) => !values[k]?.trim());
  if (missing.length) throw new ConfigError(`The profile ${profile.path} has no ${missing.join(' or ')}: a profile names its cluster's host and the token for it.`);
  const apiHost = normalizeApiHost(values.ARVADOS_API_HOST);
  const insecure = isTruthy(values.ARVADOS_API_HOST_INSECURE);
  return {
    apiHost,
    token: values.ARVADOS_API_TOKEN.trim(),
    insecure,
    disableWebsockets: isTruthy(values.ARVADOS_DISABLE_WEBSOCKETS ?? env.ARVADOS_DISABLE_WEBSOCKETS),
    caFile: env.SSL_CERT_FILE || undefined,
    sources: { apiHost: profile.path, token: profile.path, ...(insecure ? { insecure: profile.path } : {}) },
  };
}
