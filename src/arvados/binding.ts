/**
 * Which token may go to which host. A token goes only to the host it came with:
 * - a token stored for a host (the extension's secret storage) to that host;
 * - the environment's ARVADOS_API_TOKEN to the environment's ARVADOS_API_HOST;
 * - settings.conf's token to settings.conf's host.
 * The SDKs' key-by-key merge is kept only where a source has a token but names no host: that
 * token goes with the other source's host, and, when neither names one, with the host the
 * user's own settings name. The same holds for ARVADOS_API_HOST_INSECURE: it relaxes TLS only
 * for the host it came with.
 *
 * The caller decides which host to connect to; this says which token, if any, may go there.
 * Plain functions on values already read (see readConnectionSources in config.ts).
 */

/** What one source (the environment, or settings.conf) says, as written. */
export interface HostedSource {
  /** ARVADOS_API_HOST as written (trimmed), if set. */
  host?: string;
  token?: string;
  /** ARVADOS_API_HOST_INSECURE read with the SDKs' true words; undefined when not set. */
  insecure?: boolean;
  /** Where the values come from, for messages: "the environment", a settings.conf path. */
  label: string;
}

export interface TokenSources {
  environment: HostedSource;
  file: HostedSource;
  /** A token the user stored for exactly the host asked about (secret storage). */
  stored?: string;
  /**
   * The host the user's own settings name (never a workspace's): where a token or an insecure
   * flag goes whose source names no host, when the other source names none either.
   */
  userHost?: string;
}

export interface BoundToken {
  token: string;
  /** "secret storage", "the environment (ARVADOS_API_TOKEN)" or the settings.conf path. */
  source: string;
}

/** A host for comparing: lower case, no scheme, no trailing slash, no default port. */
export function hostKey(host: string): string {
  return host.trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/+$/, '').replace(/:443$/, '');
}

export function sameHost(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && hostKey(a) === hostKey(b);
}

/** The host a source's values belong with: its own, else the other source's, else the user's. */
export function homeHost(source: HostedSource, other: HostedSource, userHost?: string): string | undefined {
  return source.host || other.host || userHost || undefined;
}

/** The token that may be sent to `host`, or undefined when none may. */
export function bindToken(host: string, sources: TokenSources): BoundToken | undefined {
  const stored = sources.stored?.trim();
  if (stored) return { token: stored, source: 'secret storage' };
  const { environment: env, file } = sources;
  // The environment first: where both belong with the host, it overrides settings.conf (the SDKs' order).
  for (const [source, other, name] of [[env, file, `${env.label} (ARVADOS_API_TOKEN)`], [file, env, file.label]] as const) {
    const token = source.token?.trim();
    if (token && sameHost(homeHost(source, other, sources.userHost), host)) return { token, source: name };
  }
  return undefined;
}

/** Whether ARVADOS_API_HOST_INSECURE, from a source that belongs with `host`, turns TLS verification off for it. */
export function bindInsecure(host: string, sources: TokenSources): { insecure: boolean; source?: string } {
  const { environment: env, file } = sources;
  for (const [source, other, name] of [[env, file, `${env.label} (ARVADOS_API_HOST_INSECURE)`], [file, env, file.label]] as const) {
    // Set (true or false) and belonging with the host: it decides, the environment first.
    if (source.insecure !== undefined && sameHost(homeHost(source, other, sources.userHost), host)) return { insecure: source.insecure, source: name };
  }
  return { insecure: false };
}

/** Tokens that exist but belong with another host than `host`: for saying why none is sent. */
export function tokensElsewhere(host: string, sources: TokenSources): Array<{ source: string; host?: string }> {
  const { environment: env, file } = sources;
  const out: Array<{ source: string; host?: string }> = [];
  for (const [source, other] of [[env, file], [file, env]] as const) {
    if (!source.token?.trim()) continue;
    const home = homeHost(source, other, sources.userHost);
    if (!sameHost(home, host)) out.push({ source: source.label, host: home });
  }
  return out;
}

/** "The token in the environment is for a.example and is only ever sent there." (empty when there is none) */
export function elsewhereSentence(host: string, sources: TokenSources): string {
  return tokensElsewhere(host, sources)
    .map((t) => (t.host ? ` The token in ${t.source} is for ${t.host} and is only ever sent there.` : ` The token in ${t.source} names no host and is not sent to ${host}.`))
    .join('');
}
