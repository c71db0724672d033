/**
 * JSON as Go's encoding/json writes a `map[string]interface{}`: keys sorted, and `<`, `>`, `&`,
 * U+2028 and U+2029 escaped. The websocket server builds its event messages that way, so the
 * fake's frames are byte-for-byte in the same style.
 */

export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return escapeHtml(JSON.stringify(value));
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))); // Go sorts keys bytewise
  return `{${keys.map((k) => `${escapeHtml(JSON.stringify(k))}:${goJson(obj[k])}`).join(',')}}`;
}

function escapeHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
