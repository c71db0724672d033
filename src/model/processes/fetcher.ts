/**
 * Reads many container requests and containers with few list requests: what is asked for within
 * one coalescing window becomes `uuid in [...]` lists of at most 100 uuids each (protocol §12),
 * one window at a time, at most `intervalMs` apart. A request's parent is found the same way,
 * by `container_uuid in [...]`. No vscode here.
 */
import type { Disposable, ListParams, ListResult, Logger } from '../../arvados';
import { silentLogger } from '../../arvados';
import { realScheduler, type Scheduler } from '../scheduler';
import type { ContainerFacts, RequestFacts } from './status';

/** Uuids per list request: well under the API's page size and URL limits. */
export const MAX_UUIDS_PER_LIST = 100;

export const REQUEST_FIELDS = [
  'uuid', 'name', 'state', 'priority', 'owner_uuid', 'requesting_container_uuid', 'container_uuid', 'container_count',
  'container_count_max', 'log_uuid', 'output_uuid', 'cumulative_cost', 'created_at', 'modified_at',
] as const;
export const CONTAINER_FIELDS = ['uuid', 'state', 'exit_code', 'runtime_status', 'started_at', 'finished_at', 'cost', 'subrequests_cost', 'priority', 'log', 'output'] as const;

/** What the fetcher needs of the API. */
export interface ListApi {
  list<T>(resource: string, params?: ListParams): Promise<ListResult<T>>;
}

export interface FetchResults {
  requests: RequestFacts[];
  containers: ContainerFacts[];
}

export interface FetcherOptions {
  api(): ListApi | undefined;
  /** Receives what each window read. */
  deliver(results: FetchResults): void;
  scheduler?: Scheduler;
  /** Least time between two windows (default 250 ms). */
  intervalMs?: number;
  /** Wait after the first ask of a window, so that a burst of events shares it (default 20 ms). */
  gatherMs?: number;
  logger?: Logger;
}

type Queue = 'requests' | 'containers' | 'parents';

export class DetailFetcher implements Disposable {
  private readonly queued: Record<Queue, Set<string>> = { requests: new Set(), containers: new Set(), parents: new Set() };
  private timer: unknown;
  private lastRun = -Infinity;
  private running = false;
  private disposed = false;
  private readonly scheduler: Scheduler;
  private readonly intervalMs: number;
  private readonly gatherMs: number;
  private readonly logger: Logger;
  /** List requests sent, for tests and the benchmark. */
  listCalls = 0;

  constructor(private readonly options: FetcherOptions) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.intervalMs = options.intervalMs ?? 250;
    this.gatherMs = options.gatherMs ?? 20;
    this.logger = options.logger ?? silentLogger;
  }

  /** Reads the request (again) in the next window. */
  request(uuid: string): void {
    this.ask('requests', uuid);
  }

  container(uuid: string): void {
    this.ask('containers', uuid);
  }

  /** Finds the request that runs on `containerUuid` (a step's parent). */
  parentOf(containerUuid: string): void {
    this.ask('parents', containerUuid);
  }

  get pending(): number {
    return this.queued.requests.size + this.queued.containers.size + this.queued.parents.size;
  }

  private ask(queue: Queue, uuid: string): void {
    if (this.disposed) return;
    this.queued[queue].add(uuid);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running || this.disposed) return;
    const wait = Math.max(this.gatherMs, this.lastRun + this.intervalMs - this.scheduler.now());
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private take(queue: Queue): string[] {
    const out = [...this.queued[queue]];
    this.queued[queue].clear();
    return out;
  }

  private async run(): Promise<void> {
    const api = this.options.api();
    if (!api || this.disposed) return;
    this.running = true;
    this.lastRun = this.scheduler.now();
    const requests = this.take('requests');
    const containers = this.take('containers');
    const parents = this.take('parents');
    try {
      const [byUuid, byContainer, found] = await Promise.all([
        this.listChunks<RequestFacts>(api, 'container_requests', 'uuid', requests, REQUEST_FIELDS),
        this.listChunks<RequestFacts>(api, 'container_requests', 'container_uuid', parents, REQUEST_FIELDS),
        this.listChunks<ContainerFacts>(api, 'containers', 'uuid', containers, CONTAINER_FIELDS),
      ]);
      if (!this.disposed) this.options.deliver({ requests: [...byUuid, ...byContainer], containers: found });
    } finally {
      this.running = false;
      if (this.pending) this.schedule();
    }
  }

  /** Lists `uuids` by `column in [...]`, 100 at a time; a chunk that fails is logged and skipped. */
  private async listChunks<T>(api: ListApi, resource: string, column: string, uuids: string[], select: readonly string[]): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < uuids.length; i += MAX_UUIDS_PER_LIST) {
      const chunk = uuids.slice(i, i + MAX_UUIDS_PER_LIST);
      this.listCalls++;
      try {
        const page = await api.list<T>(resource, { filters: [[column, 'in', chunk]], select: [...select], limit: MAX_UUIDS_PER_LIST * 4, count: 'none' });
        out.push(...page.items);
      } catch (err) {
        this.logger.warn(`Could not read ${chunk.length} ${resource}: ${(err as Error).message}`);
      }
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    for (const q of Object.values(this.queued)) q.clear();
  }
}
