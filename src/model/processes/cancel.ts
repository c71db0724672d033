/**
 * Cancelling a process: its container request's priority set to 0 (protocol facts §7.2). One
 * exchange, never retried (a write the user asked for once), and a refusal is an error that says
 * why in the server's words: 403 (not yours), 422 (already finished, or not allowed). No vscode.
 */
import { ApiError, type ApiClient } from '../../arvados';

export type CancelApi = Pick<ApiClient, 'exchange' | 'errorFor'>;

export class CancelRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

/** Sets the request's priority to 0. Resolves with the updated request; rejects with CancelRefused for 403/422. */
export async function cancelRequest(api: CancelApi, requestUuid: string): Promise<Record<string, unknown>> {
  const path = `/arvados/v1/container_requests/${encodeURIComponent(requestUuid)}`;
  const res = await api.exchange('PUT', path, {
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ container_request: { priority: 0 } }),
    maxBytes: 16 * 1024 * 1024,
  });
  const body = res.body.toString('utf8');
  if (res.status < 200 || res.status >= 300) {
    const err = api.errorFor('PUT', path, res.status, body);
    const reasons = err instanceof ApiError ? err.errors : [];
    if (res.status === 403) throw new CancelRefused(`The cluster refused to cancel it (403, not permitted)${detail(reasons)}`, 403, reasons);
    if (res.status === 422) throw new CancelRefused(`The cluster refused to cancel it (422)${detail(reasons)}`, 422, reasons);
    throw err;
  }
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function detail(reasons: string[]): string {
  // Rails appends the request id: " (req-…)"; it helps no one reading a notification.
  const text = reasons.map((r) => r.replace(/\s*\(req-[a-z0-9]+\)$/, '')).join('; ');
  return text ? `: ${text}` : '';
}
