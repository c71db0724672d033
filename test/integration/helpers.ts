/** Shared set-up for the engine's integration tests: a client of the fake cluster, and a log that keeps every line. */
import { ApiClient } from '../../src/arvados/rest';
import type { ArvadosConfig } from '../../src/arvados/config';
import type { ArvadosEvent, Logger } from '../../src/arvados/types';
import type { EventStream } from '../../src/arvados/stream';
import type { FakeCluster } from '../fake/cluster';

/** A logger that keeps everything, so tests can search it (for the token, for messages). */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  text(): string {
    return this.lines.join('\n');
  }
}

/** Every line the engine printed in this test run, for the final search for the token. */
export const allOutput: string[] = [];

export function clientOf(cluster: FakeCluster, over: Partial<ArvadosConfig> = {}, logger = new RecordingLogger()): { api: ApiClient; logger: RecordingLogger } {
  const config: ArvadosConfig = {
    apiHost: cluster.host,
    token: cluster.users.active.token,
    insecure: false,
    disableWebsockets: false,
    caFile: cluster.certFile,
    sources: {},
    ...over,
  };
  allOutput.push(''); // keeps the array referenced even when a test logs nothing
  const api = new ApiClient(config, { logger, retry: { retries: 3, initialDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 5000 });
  const origPush = logger.lines.push.bind(logger.lines);
  logger.lines.push = (...items: string[]) => (allOutput.push(...items), origPush(...items));
  return { api, logger };
}

/** Collects a stream's events and states. */
export function record(stream: EventStream): { events: ArvadosEvent[]; states: string[]; errors: string[]; skipped: number[] } {
  const r = { events: [] as ArvadosEvent[], states: [] as string[], errors: [] as string[], skipped: [] as number[] };
  stream.onEvent((e) => r.events.push(e));
  stream.onState((s) => r.states.push(s.status === 'reconnecting' ? `reconnecting ${s.attempt}` : s.status));
  stream.onError((e) => (r.errors.push(e.message), allOutput.push(e.message)));
  stream.onSkipped((n) => r.skipped.push(n));
  return r;
}

export async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Asserts ids are strictly increasing (in order, no duplicates). */
export function strictlyIncreasing(ids: number[]): boolean {
  return ids.every((id, i) => i === 0 || id > ids[i - 1]);
}
