/**
 * The DevTools protocol on a running Node process we did not start with inspector flags (the VS
 * Code extension host): SIGUSR1 makes Node open its inspector on 127.0.0.1:9229, and a websocket
 * to it starts and stops the sampling profiler or forces a garbage collection.
 */
import WebSocket from 'ws';
import { sleep } from './lib';

export interface Inspector {
  call(method: string, params?: object): Promise<any>;
  close(): void;
}

export async function inspect(pid: number, port = 9229): Promise<Inspector> {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) throw new Error(`inspect: refusing pid ${pid}`);
  // Harmless when the inspector is already open.
  process.kill(pid, 'SIGUSR1');
  let url: string | undefined;
  const deadline = Date.now() + 10_000;
  while (!url) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
      url = list[0]?.webSocketDebuggerUrl;
    } catch {
      /* not listening yet */
    }
    if (!url) {
      if (Date.now() > deadline) throw new Error(`process ${pid} opened no inspector on port ${port}`);
      await sleep(100);
    }
  }
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: any) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    const p = m.id ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message} (${m.error.code})`));
    else p.resolve(m.result);
  });
  const inspector: Inspector = {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
  // The port is the machine's: make sure it is this process that answers.
  const answer = await inspector.call('Runtime.evaluate', { expression: 'process.pid' });
  if (answer?.result?.value !== pid) {
    inspector.close();
    throw new Error(`inspect: port ${port} belongs to process ${answer?.result?.value}, not ${pid}`);
  }
  return inspector;
}

/** Starts the sampling profiler; stop() returns the profile (.cpuprofile JSON). */
export async function profileProcess(pid: number): Promise<{ stop(): Promise<object> }> {
  const i = await inspect(pid);
  await i.call('Profiler.enable');
  await i.call('Profiler.start');
  return {
    async stop() {
      const { profile } = await i.call('Profiler.stop');
      await i.call('Profiler.disable');
      i.close();
      return profile;
    },
  };
}

/** A full garbage collection in that process, now. */
export async function collectGarbage(pid: number): Promise<void> {
  const i = await inspect(pid);
  try {
    await i.call('HeapProfiler.collectGarbage');
  } finally {
    i.close();
  }
}
