/**
 * The client side of the throughput benchmarks, one per child process so that it has a core of
 * its own and its CPU time is its own. Reads ARVADOS_API_HOST, ARVADOS_API_TOKEN and SSL_CERT_FILE.
 *
 *   --mode=ws-bare      a bare `ws` client: subscribe, JSON.parse every frame, count events
 *   --mode=ws-engine    the engine: subscribe() → EventClient (parse, filter, dedupe) → onEvent
 *   --mode=poll-engine  the engine's PollClient from event 1 (lastLogId 0), websocket unused
 *   --mode=lines-floor  the floor client: a bare `ws` client that parses each frame and writes
 *                       its text back as a line on stdout, batched per turn of the event loop
 *   --mode=lines-engine the engine, writing each event it delivers as a JSON line, batched the same
 *                       way, as the CLI writes it: the JSON text the engine hands over with the event
 *                       (the frame's own, when the event is exactly its parse), else JSON.stringify
 *
 * The first event is a sentinel: once it is delivered the client is live (the engine has caught
 * up) and says `ready`. The next `n` events are measured: wall time and CPU time from the first
 * to the last of them, reported as `{type: 'done', ...}` over IPC. (The lines-* modes report
 * nothing: the parent counts their lines and reads their CPU time from /proc.)
 *
 * --profile=FILE writes a CPU profile of the measured span (inspector) to FILE before `done`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ApiClient, resolveConfig, type ArvadosEvent } from '../src/arvados';
import { PollClient, subscribe } from '../src/arvados/transport';
import { argsOf } from './lib';

const args = argsOf();
const mode = args.mode;
const n = Number(args.n);
const send = (m: unknown) => process.send?.(m);

let count = 0;
let profiler: Session | undefined;

function post(method: string, params?: object): Promise<any> {
  return new Promise((resolve, reject) => profiler!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
}

async function startProfile(): Promise<void> {
  if (!args.profile) return;
  profiler = new Session();
  profiler.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
}

async function stopProfile(): Promise<void> {
  if (!profiler) return;
  const { profile } = await post('Profiler.stop');
  writeFileSync(args.profile, JSON.stringify(profile));
}

let t0 = 0;
let cpu0: NodeJS.CpuUsage | undefined;

/** Called once per event delivered, sentinel included. */
function counted(): void {
  count++;
  if (count === 1) return void startProfile().then(() => send({ type: 'ready' }));
  if (count === 2) {
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  }
  if (count === n + 1) {
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // n - 1 intervals between the first and the last measured event.
    const done = { type: 'done', events: n, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ratePerS: ((n - 1) / wallMs) * 1000, heapMb: process.memoryUsage().heapUsed / 2 ** 20 };
    void stopProfile().then(() => send(done));
  }
}

/** Lines on stdout, written once per turn of the event loop, as the CLI writes. */
function lineWriter(): (line: string) => void {
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    process.stdout.write(lines.join('\n') + '\n');
    lines = [];
  };
  return (line) => {
    lines.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

function bareSocket(): WebSocket {
  const host = process.env.ARVADOS_API_HOST!;
  const token = process.env.ARVADOS_API_TOKEN!;
  const ws = new WebSocket(`wss://${host}/websocket?api_token=${encodeURIComponent(token)}`, { ca: readFileSync(process.env.SSL_CERT_FILE!) });
  ws.on('open', () => ws.send(JSON.stringify({ method: 'subscribe' })));
  ws.on('error', (err) => send({ type: 'error', message: err.message }));
  return ws;
}

async function main(): Promise<void> {
  switch (mode) {
    case 'ws-bare': {
      const ws = bareSocket();
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        if (msg.event_type !== undefined) counted();
      });
      return;
    }
    case 'lines-floor': {
      // The floor of a client that prints events: parse each frame, write its text back.
      const ws = bareSocket();
      const write = lineWriter();
      ws.on('message', (data) => {
        const text = data.toString();
        const msg = JSON.parse(text);
        if (msg.event_type !== undefined) write(text);
      });
      return;
    }
    case 'lines-engine': {
      // The engine with the floor's output: each event it delivers, written as JSON the way the CLI does.
      const api = new ApiClient(resolveConfig({ env: process.env }));
      const filters = args.uuid ? [[['object_uuid', '=', args.uuid] as [string, string, unknown]]] : [[]];
      const write = lineWriter();
      await subscribe(api, { filters, transport: 'websocket', onEvent: (ev: ArvadosEvent, json?: string) => write(json ?? JSON.stringify(ev)) });
      return;
    }
    case 'ws-engine': {
      const api = new ApiClient(resolveConfig({ env: process.env }));
      // A client-side condition every event passes (the server does not apply object_uuid).
      const filters = args.uuid ? [[['object_uuid', '=', args.uuid] as [string, string, unknown]]] : [[]];
      await subscribe(api, { filters, transport: 'websocket', onEvent: (_ev: ArvadosEvent) => counted() });
      return;
    }
    case 'poll-engine': {
      const api = new ApiClient(resolveConfig({ env: process.env }));
      const client = new PollClient(api, { intervalMs: 60_000, pageSize: Number(args.pageSize ?? 1000) });
      client.subscribe([], 0);
      client.onEvent(() => {
        if (++count === n) {
          const wallMs = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          send({ type: 'done', events: n, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ratePerS: (n / wallMs) * 1000, requests: client.requests });
        }
      });
      send({ type: 'ready' });
      // Started by the parent's `go`; the timing starts with the first request.
      process.on('message', (m: any) => {
        if (m?.type !== 'go') return;
        t0 = performance.now();
        cpu0 = process.cpuUsage();
        client.start();
      });
      return;
    }
    default:
      throw new Error(`unknown --mode=${mode}`);
  }
}

process.on('SIGTERM', () => process.exit(0));
main().catch((err) => {
  send({ type: 'error', message: (err as Error).message });
  process.exit(1);
});
