/**
 * Keeps the API token out of everything people can read. A v2 token `v2/<uuid>/<secret>` is
 * redacted as a whole and by its secret alone, in raw and URL-encoded form, and any
 * `api_token=` query parameter is masked whatever its value.
 */

const MASK = '***';

function secretsOf(token: string): string[] {
  const parts = token.split('/');
  const secrets = [token];
  if (parts.length >= 3 && parts[0] === 'v2' && parts[2].length >= 8) secrets.push(parts[2]);
  return secrets;
}

export class Redactor {
  private readonly needles: string[];

  constructor(tokens: Array<string | undefined>) {
    const all = new Set<string>();
    for (const t of tokens) {
      if (!t || t.length < 4) continue;
      for (const s of secretsOf(t)) {
        all.add(s);
        all.add(encodeURIComponent(s));
      }
    }
    // Longest first, so a whole token is masked before its secret part.
    this.needles = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    // Every output line passes here (thousands a second in a flood): search before rebuilding.
    let out = text.includes('api_token=') ? text.replace(/([?&]api_token=)[^&\s"']*/g, `$1${MASK}`) : text;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(MASK);
    return out;
  }
}

/** Masks the `api_token` query parameter of a URL, for printing it. */
export function urlForDisplay(url: string): string {
  return new Redactor([]).redact(url);
}
