/**
 * Benchmark 3, polling: the engine's PollClient reading a backlog of 100,000 events from the logs
 * API from event 1 (lastLogId 0), the websocket turned off on the fake cluster. Reports events/s
 * (from the first request to the last event delivered) and the requests per 10,000 events,
 * counted on the server side. The client runs in a child process; the backlog is emitted once.
 *
 * The fake's logs index costs O(rows in the table) per request (about 1.5 s a page at 100,000
 * rows), so reading the whole backlog from it would take minutes and measure only the fake. So:
 *  - fast index (client-bound): the whole backlog, through the proxy of bench/replay.ts answering
 *    the poller's queries from a snapshot of the fake's rows (checked identical to the fake's);
 *  - live fake (server-bound): the first `liveN` events of the same backlog, straight from the fake.
 */
import { performance } from 'node:perf_hooks';
import { FakeCluster } from '../test/fake/cluster';
import { argsOf, benchCollection, BenchResult, cpuMsSince, emitUpdates, endChild, figure, forkClient, median, nextMessage, progress, runAsScript, sleep } from './lib';
import { ReplayProxy } from './replay';

interface RunResult {
  ratePerS: number;
  requestsPer10k: number;
  cpuUsPerEvent: number;
  serverCore: number;
}

async function measure(cluster: FakeCluster, host: string, n: number, countRequests: () => number): Promise<RunResult> {
  const env = { ARVADOS_API_HOST: host, ARVADOS_API_TOKEN: cluster.users.active.token, SSL_CERT_FILE: cluster.certFile, HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' };
  const child = forkClient({ mode: 'poll-engine', n }, env);
  try {
    await nextMessage(child, (m) => m.type === 'ready');
    const before = countRequests();
    const done = nextMessage(child, (m) => m.type === 'done', 300_000);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    child.send({ type: 'go' });
    const r = await done;
    const serverCore = cpuMsSince(cpu0) / (performance.now() - w0);
    const requests = countRequests() - before;
    return { ratePerS: r.ratePerS, requestsPer10k: (requests * 10_000) / n, cpuUsPerEvent: (r.cpuMs * 1000) / n, serverCore };
  } finally {
    await endChild(child);
  }
}

export async function run(): Promise<BenchResult> {
  const args = argsOf();
  const n = Number(args.n ?? 100_000);
  const liveN = Number(args.liveN ?? 2_000);
  const runs = Number(args.runs ?? 2);
  const started = Date.now();
  const fast: RunResult[] = [];
  const live: RunResult[] = [];
  const cluster = await FakeCluster.start({ sendTimeoutMs: 600_000 });
  try {
    cluster.setWebsocketEnabled(false);
    const uuid = benchCollection(cluster);
    // The collection's create row is event 1: the backlog is n events in all.
    await emitUpdates(cluster, uuid, n - 1);
    const proxy = await ReplayProxy.start(cluster);
    try {
      proxy.useFastLogs();
      await proxy.checkFastLogs(cluster.users.active.token);
      const logsRequests = () => cluster.apiRequests.filter((q) => q.path === '/arvados/v1/logs').length + proxy.fastLogRequests;
      for (let i = 0; i < runs; i++) {
        const f = await measure(cluster, proxy.host, n, logsRequests);
        fast.push(f);
        progress('poll', `fast index ${i + 1}/${runs}: ${Math.round(f.ratePerS)} events/s, ${f.requestsPer10k} requests per 10k, client ${f.cpuUsPerEvent.toFixed(1)} µs CPU/event, server ${Math.round(f.serverCore * 100)}% of a core`);
        const l = await measure(cluster, cluster.host, liveN, logsRequests);
        live.push(l);
        progress('poll', `live fake ${i + 1}/${runs}: ${Math.round(l.ratePerS)} events/s, ${l.requestsPer10k} requests per 10k, server ${Math.round(l.serverCore * 100)}% of a core`);
        // The child is gone, but the fake may still be building the page it asked for last.
        await sleep(2000);
      }
    } finally {
      await proxy.stop();
    }
  } finally {
    await cluster.stop();
  }
  return {
    bench: 'poll',
    durationMs: Date.now() - started,
    notes: [
      `PollClient (pageSize 1000 = the API's MaxItemsPerResponse) from lastLogId 0 over a backlog of ${n} events, websocket off; ${runs} runs of each, alternated.`,
      `Fast index: the whole backlog through the proxy answering the poller's queries from a snapshot of the fake's rows (answers checked identical to the fake's); server ${Math.round(median(fast.map((r) => r.serverCore)) * 100)}% of a core, client ${median(fast.map((r) => r.cpuUsPerEvent)).toFixed(1)} µs CPU per event.`,
      `Live fake: the first ${liveN} events of the same backlog straight from the fake; server ${Math.round(median(live.map((r) => r.serverCore)) * 100)}% of a core: its logs index is O(table) per request (logColumns getters for every row, then a sort), ~1.5 s a page at 100k rows, so it is the bottleneck and its rate says nothing about the client.`,
    ],
    figures: [
      figure('poll.fast.rate', 'PollClient, 100k backlog through the bench proxy\'s fast logs index (a proxy figure, not the fake)', fast.map((r) => r.ratePerS), 'events/s'),
      figure('poll.requestsPer10k', 'logs API requests per 10,000 events', fast.map((r) => r.requestsPer10k), 'requests', { digits: 1 }),
      figure('poll.fast.cpuPerEvent', 'PollClient CPU per event (through the proxy)', fast.map((r) => r.cpuUsPerEvent), 'µs', { digits: 1 }),
      figure('poll.live.rate', `PollClient straight against the fake, first ${liveN} of the backlog`, live.map((r) => r.ratePerS), 'events/s'),
    ],
  };
}

runAsScript(module, run);
