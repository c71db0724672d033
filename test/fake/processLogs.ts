/**
 * The container request log endpoint of the fake cluster:
 * `/arvados/v1/container_requests/<cr>/log/<container>/<file>` and `.../container_status`, with
 * the real server's behaviour (see docs/protocol.md): OPTIONS answered with a `Dav` header (or
 * without, to play an old server), PROPFIND with a 207 multistatus of `getcontentlength`, GET with
 * `Range` answered 206 with `Content-Range`, 416 from the end on, 404 for a file not written, an
 * empty folder while the container neither runs nor has a saved log, 401 with `Www-Authenticate`
 * without a token. `failNextApiCalls` with the route's path makes it answer 503, as while the
 * container's gateway is down.
 */
import type { ServerResponse } from 'node:http';
import type { Attrs } from './models';

/** A time as crunch-run stamps its log lines: RFC 3339 UTC with nanoseconds (`2026-12-01T10:00:00.123000000Z`). */
export function crunchRunTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** What processes wrote: container → file → bytes, grown by appends. */
export class ProcessLogStore {
  private readonly files = new Map<string, Map<string, Buffer[]>>();
  private readonly sizes = new Map<string, Map<string, number>>();
  /** False plays a server from before the log endpoint (OPTIONS without Dav). */
  davSupported = true;

  append(container: string, file: string, text: string | Buffer): void {
    const chunk = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let byFile = this.files.get(container);
    if (!byFile) {
      byFile = new Map();
      this.files.set(container, byFile);
      this.sizes.set(container, new Map());
    }
    const chunks = byFile.get(file) ?? [];
    chunks.push(chunk);
    byFile.set(file, chunks);
    const sizes = this.sizes.get(container)!;
    sizes.set(file, (sizes.get(file) ?? 0) + chunk.length);
  }

  fileNames(container: string): string[] {
    return [...(this.files.get(container)?.keys() ?? [])];
  }

  size(container: string, file: string): number | undefined {
    return this.sizes.get(container)?.get(file);
  }

  /** Bytes [start, end] of a file. */
  read(container: string, file: string, start: number, end: number): Buffer {
    const out: Buffer[] = [];
    let pos = 0;
    for (const c of this.files.get(container)?.get(file) ?? []) {
      const cStart = pos;
      pos += c.length;
      if (pos <= start) continue;
      if (cStart > end) break;
      out.push(c.subarray(Math.max(0, start - cStart), Math.min(c.length, end - cStart + 1)));
    }
    return Buffer.concat(out);
  }
}

export interface LogRouteContext {
  logs: ProcessLogStore;
  /** The request, if the user may read it. */
  readableRequest(user: string | null, uuid: string): Attrs | undefined;
  /** The container's state, for container_status. */
  container(uuid: string): Attrs | undefined;
}

export interface LogRequest {
  method: string;
  path: string;
  user: string | null;
  headers: Record<string, string | string[] | undefined>;
}

const ROUTE = /^\/arvados\/v1\/container_requests\/([^/]+)\/(log(?:\/([^/]+)(?:\/([^/]+))?)?\/?|container_status)$/;

/** Serves the request if it is one of the log routes; returns false otherwise. */
export function serveLogRoute(ctx: LogRouteContext, r: LogRequest, res: ServerResponse): boolean {
  const m = ROUTE.exec(r.path);
  if (!m) return false;
  const [, crUuid, what, container, file] = m;
  if (!r.user) {
    res.setHeader('Www-Authenticate', 'Basic realm="collections"');
    return send(res, 401, 'application/json', JSON.stringify({ errors: ['Not logged in'] }));
  }
  const cr = ctx.readableRequest(r.user, decodeURIComponent(crUuid));
  if (!cr) return send(res, 404, 'application/json', JSON.stringify({ errors: ['Path not found'] }));
  if (what === 'container_status') {
    const c = typeof cr.container_uuid === 'string' ? ctx.container(cr.container_uuid) : undefined;
    return send(res, 200, 'application/json', JSON.stringify({ uuid: cr.container_uuid ?? '', container_state: c?.state ?? '', scheduling_status: (c?.scheduling_status as string | undefined) ?? '' }));
  }
  if (r.method === 'OPTIONS') {
    if (ctx.logs.davSupported) res.setHeader('Dav', '1, 2');
    res.setHeader('Allow', 'GET, OPTIONS, PROPFIND');
    return send(res, 200, 'text/plain', '');
  }
  // While the container runs its gateway serves the files live; afterwards the saved log
  // collection does. Neither yet: an empty folder, and files that are not there.
  const state = container !== undefined ? ctx.container(container)?.state : undefined;
  const served = container !== undefined && (cr.log_uuid || state === 'Running' || state === 'Locked');
  const known = served ? ctx.logs.fileNames(container) : [];
  if (r.method === 'PROPFIND') {
    if (container === undefined) return send(res, 207, 'application/xml; charset=utf-8', multistatus(r.path, []));
    if (file !== undefined) return send(res, 405, 'text/plain', 'Method Not Allowed');
    const entries = known.map((f) => ({ href: `${r.path.replace(/\/?$/, '/')}${encodeURIComponent(f)}`, size: ctx.logs.size(container, f) ?? 0 }));
    return send(res, 207, 'application/xml; charset=utf-8', multistatus(r.path.replace(/\/?$/, '/'), entries));
  }
  if (r.method !== 'GET' && r.method !== 'HEAD') return send(res, 405, 'text/plain', 'Method Not Allowed');
  if (container === undefined || file === undefined) return send(res, 404, 'text/plain', 'Not Found');
  const name = decodeURIComponent(file);
  const size = known.includes(name) ? ctx.logs.size(container, name) : undefined;
  if (size === undefined) return send(res, 404, 'text/plain', 'Not Found');
  const range = String(r.headers.range ?? '');
  if (!range) return send(res, 200, 'text/plain; charset=utf-8', ctx.logs.read(container, name, 0, size - 1));
  const rm = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (!rm || (rm[1] === '' && rm[2] === '')) return send(res, 416, 'text/plain', 'Requested Range Not Satisfiable', `bytes */${size}`);
  let start: number;
  let end: number;
  if (rm[1] === '') {
    // A suffix: the last N bytes (Go's ServeContent answers bytes=-0 with an odd but useful range).
    const n = Number(rm[2]);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(rm[1]);
    end = rm[2] === '' ? size - 1 : Math.min(Number(rm[2]), size - 1);
  }
  if (start >= size || end < start) return send(res, 416, 'text/plain', 'Requested Range Not Satisfiable', `bytes */${size}`);
  return send(res, 206, 'text/plain; charset=utf-8', r.method === 'HEAD' ? '' : ctx.logs.read(container, name, start, end), `bytes ${start}-${end}/${size}`);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, contentRange?: string): true {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  if (contentRange) res.setHeader('Content-Range', contentRange);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
  return true;
}

function multistatus(folder: string, files: Array<{ href: string; size: number }>): string {
  const entry = (href: string, props: string) => `<D:response><D:href>${href}</D:href><D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:">' +
    entry(folder, '<D:resourcetype><D:collection/></D:resourcetype>') +
    files.map((f) => entry(f.href, `<D:resourcetype></D:resourcetype><D:getcontentlength>${f.size}</D:getcontentlength>`)).join('') +
    '</D:multistatus>'
  );
}
