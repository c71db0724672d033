/**
 * The processes of one cluster connection as a tree: container requests seen in the stream (and
 * the user's recent top-level ones), each under the request whose container asked for it
 * (`requesting_container_uuid`), with their containers read on demand and cached. A step seen
 * before its parent waits at the top and moves under it once the parent is known; a retry's new
 * container keeps the steps its earlier containers asked for. Changes are announced at most
 * every `refreshIntervalMs` (4 a second), however many events arrive. No vscode here.
 */
import { Emitter, type ArvadosEvent, type Disposable, type Logger } from '../../arvados';
import { silentLogger } from '../../arvados';
import type { NameBook } from '../labels';
import { realScheduler, type Scheduler } from '../scheduler';
import { DetailFetcher, REQUEST_FIELDS, type FetchResults, type ListApi } from './fetcher';
import { isFailure, processStatus, STATUS_ORDER, type ContainerFacts, type ProcessStatus, type RequestFacts, type StatusWord } from './status';

const REQUEST_KIND = 'arvados#containerRequest';
const CONTAINER_KIND = 'arvados#container';

export interface ProcessNode {
  readonly uuid: string;
  request: RequestFacts;
  /** The current container, once read. */
  container?: ContainerFacts;
  /** Every container the request ran on, the current one last: steps may name an earlier one. */
  readonly containerUuids: string[];
  /** Whether the request's own attributes were read (not only the six an event carries). */
  loaded: boolean;
  /** When the tree first saw it (ms): the order of top-level rows when created_at is unknown. */
  readonly seenAt: number;
  /** created_at in ms (parsed once), else seenAt: what rows are sorted by. */
  sortTime: number;
  /** Whether it belongs to the current user (top-level requests; undefined until known). */
  mine?: boolean;
}

export interface ProcessTreeOptions {
  api(): ListApi | undefined;
  /** The current user's uuid. */
  userUuid(): string | undefined;
  /** Whether an owner (a user or project) is the current user's, through projects. */
  ownedByMe?(ownerUuid: string): Promise<boolean>;
  /** Names learned here go to the shared book: a container reads as its request's name. */
  names?: NameBook;
  scheduler?: Scheduler;
  /** Least time between two announced changes (default 250 ms: 4 a second). */
  refreshIntervalMs?: number;
  /** Most requests kept; past it, the least recently active top-level trees are dropped. */
  maxNodes?: number;
  logger?: Logger;
}

export interface TreeFilter {
  /** Only the current user's top-level requests (and their steps). */
  mineOnly: boolean;
  /** Only failed, failing and cancelled processes, and the workflows they are in. */
  failedOnly: boolean;
}

export class ProcessTree implements Disposable {
  private readonly nodes = new Map<string, ProcessNode>();
  /** Container uuid → the request that runs (or ran) on it. */
  private readonly byContainer = new Map<string, string>();
  /** Container uuid → the requests it asked for. */
  private readonly childrenOf = new Map<string, Set<string>>();
  /** Containers read, by uuid (a reused container serves several requests). */
  private readonly containers = new Map<string, ContainerFacts>();
  /** Parent lookups asked for already (by requesting container), so a missing parent is asked once. */
  private readonly parentAsked = new Set<string>();
  private readonly activity = new Map<string, number>();
  private readonly fetcher: DetailFetcher;
  private readonly scheduler: Scheduler;
  private readonly refreshIntervalMs: number;
  private readonly maxNodes: number;
  private readonly logger: Logger;
  private refreshTimer: unknown;
  private lastRefresh = -Infinity;
  private disposed = false;
  private readonly changeEmitter = new Emitter<void>();
  /** The tree changed: at most once per refresh interval. */
  readonly onDidChange = this.changeEmitter.event;
  /** Changes announced, for tests and the benchmark. */
  refreshes = 0;

  constructor(private readonly options: ProcessTreeOptions) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 250;
    this.maxNodes = options.maxNodes ?? 20_000;
    this.logger = options.logger ?? silentLogger;
    this.fetcher = new DetailFetcher({ api: options.api, deliver: (r) => this.deliver(r), scheduler: this.scheduler, intervalMs: this.refreshIntervalMs, logger: this.logger });
  }

  /** List requests sent for details so far. */
  get detailRequests(): number {
    return this.fetcher.listCalls;
  }

  get size(): number {
    return this.nodes.size;
  }

  // ---- input ------------------------------------------------------------------------------

  /** Follows every event of `source` (the connection). */
  observe(source: { onEvent(listener: (e: { event: ArvadosEvent }) => void): Disposable }): Disposable {
    return source.onEvent(({ event }) => this.onEvent(event));
  }

  onEvent(ev: ArvadosEvent): void {
    if (this.disposed || !ev.object_uuid) return;
    if (ev.object_kind === REQUEST_KIND) this.onRequestEvent(ev);
    else if (ev.object_kind === CONTAINER_KIND) this.onContainerEvent(ev);
  }

  private onRequestEvent(ev: ArvadosEvent): void {
    const uuid = ev.object_uuid;
    if (ev.event_type === 'delete') {
      this.remove(uuid);
      return;
    }
    const attrs = (ev.properties?.new_attributes ?? {}) as Record<string, unknown>;
    const known: Partial<RequestFacts> = {};
    // Only what the event carries: live events have six attributes, not all of them.
    for (const k of REQUEST_FIELDS) if (k in attrs && k !== 'uuid') (known as Record<string, unknown>)[k] = attrs[k];
    if (known.owner_uuid === undefined && ev.object_owner_uuid) known.owner_uuid = ev.object_owner_uuid;
    this.upsert({ uuid, ...known }, false);
    // Its other attributes (container_uuid, cost, ...) may have changed with it.
    this.fetcher.request(uuid);
    this.changed();
  }

  private onContainerEvent(ev: ArvadosEvent): void {
    const requestUuid = this.byContainer.get(ev.object_uuid);
    if (!requestUuid) return;
    const state = ev.properties?.new_attributes?.state;
    const c = this.containers.get(ev.object_uuid);
    if (c && typeof state === 'string') c.state = state;
    this.touch(this.rootOf(requestUuid));
    this.fetcher.container(ev.object_uuid);
    this.changed();
  }

  /** Lists the user's recent top-level requests (newest first): what the view shows at startup. */
  async loadRecent(limit = 50): Promise<number> {
    const api = this.options.api();
    const user = this.options.userUuid();
    if (!api || !user) return 0;
    const page = await api.list<RequestFacts>('container_requests', {
      filters: [['requesting_container_uuid', '=', null]],
      order: ['created_at desc'],
      limit,
      select: [...REQUEST_FIELDS],
      count: 'none',
    });
    for (const r of page.items) {
      const node = this.upsert(r, true);
      void this.checkMine(node, true);
    }
    this.changed();
    return page.items.length;
  }

  /** Reads a request and its container now (for Show Details), through the cache. */
  async refresh(uuid: string): Promise<ProcessNode | undefined> {
    const api = this.options.api();
    if (!api) return this.nodes.get(uuid);
    const [req] = (await api.list<RequestFacts>('container_requests', { filters: [['uuid', '=', uuid]], select: [...REQUEST_FIELDS], limit: 1, count: 'none' })).items;
    if (!req) return this.nodes.get(uuid);
    const node = this.upsert(req, true);
    if (req.container_uuid) {
      const [c] = (await api.list<ContainerFacts>('containers', { filters: [['uuid', '=', req.container_uuid]], limit: 1, count: 'none' })).items;
      if (c) this.containers.set(c.uuid, c);
      node.container = c ?? node.container;
    }
    this.changed();
    return node;
  }

  /** Forgets everything (another cluster, another user). */
  clear(): void {
    this.nodes.clear();
    this.byContainer.clear();
    this.childrenOf.clear();
    this.containers.clear();
    this.parentAsked.clear();
    this.activity.clear();
    this.changed();
  }

  // ---- what the view reads -----------------------------------------------------------------

  node(uuid: string): ProcessNode | undefined {
    return this.nodes.get(uuid);
  }

  /** The request whose container asked for this one, when it is known. */
  parentOf(uuid: string): ProcessNode | undefined {
    const asker = this.nodes.get(uuid)?.request.requesting_container_uuid;
    const parent = asker ? this.byContainer.get(asker) : undefined;
    return parent && parent !== uuid ? this.nodes.get(parent) : undefined;
  }

  /** Top-level rows, newest first: requests with no known parent. */
  roots(filter?: TreeFilter): ProcessNode[] {
    const out: ProcessNode[] = [];
    for (const node of this.nodes.values()) {
      if (this.parentOf(node.uuid)) continue;
      if (filter?.mineOnly && node.mine === false) continue;
      if (filter?.failedOnly && !this.hasFailure(node)) continue;
      out.push(node);
    }
    return out.sort((a, b) => b.sortTime - a.sortTime);
  }

  /** A request's steps, oldest first. */
  children(uuid: string, filter?: TreeFilter): ProcessNode[] {
    const node = this.nodes.get(uuid);
    if (!node) return [];
    const out: ProcessNode[] = [];
    for (const c of node.containerUuids) {
      for (const child of this.childrenOf.get(c) ?? []) {
        const n = this.nodes.get(child);
        if (!n || n.uuid === uuid) continue;
        if (filter?.failedOnly && !this.hasFailure(n)) continue;
        out.push(n);
      }
    }
    return out.sort((a, b) => a.sortTime - b.sortTime);
  }

  hasChildren(uuid: string): boolean {
    const node = this.nodes.get(uuid);
    return !!node && node.containerUuids.some((c) => (this.childrenOf.get(c)?.size ?? 0) > 0);
  }

  status(node: ProcessNode): ProcessStatus {
    const container = node.request.container_uuid ? this.containers.get(node.request.container_uuid) : undefined;
    return processStatus(node.request, container);
  }

  /** A workflow's steps per status, in STATUS_ORDER. */
  counts(uuid: string): Array<[StatusWord, number]> {
    if (!this.hasChildren(uuid)) return [];
    const tally = new Map<StatusWord, number>();
    for (const child of this.children(uuid)) {
      const w = this.status(child).word;
      tally.set(w, (tally.get(w) ?? 0) + 1);
    }
    return STATUS_ORDER.filter((w) => tally.has(w)).map((w) => [w, tally.get(w)!]);
  }

  /** The request a container belongs to (the one that runs or ran on it). */
  requestOfContainer(containerUuid: string): ProcessNode | undefined {
    const uuid = this.byContainer.get(containerUuid);
    return uuid ? this.nodes.get(uuid) : undefined;
  }

  private hasFailure(node: ProcessNode, depth = 0): boolean {
    if (isFailure(this.status(node))) return true;
    if (depth > 32) return false;
    return this.children(node.uuid).some((c) => this.hasFailure(c, depth + 1));
  }

  private rootOf(uuid: string): string {
    let current = uuid;
    for (let i = 0; i < 32; i++) {
      const p = this.parentOf(current);
      if (!p) break;
      current = p.uuid;
    }
    return current;
  }

  // ---- keeping it up to date --------------------------------------------------------------

  private upsert(facts: RequestFacts, loaded: boolean): ProcessNode {
    let node = this.nodes.get(facts.uuid);
    if (!node) {
      const now = this.scheduler.now();
      node = { uuid: facts.uuid, request: { uuid: facts.uuid }, containerUuids: [], loaded: false, seenAt: now, sortTime: now };
      this.nodes.set(facts.uuid, node);
    }
    const before = node.request.requesting_container_uuid;
    const createdBefore = node.request.created_at;
    node.request = { ...node.request, ...facts };
    if (node.request.created_at !== createdBefore) {
      const created = Date.parse(node.request.created_at ?? '');
      node.sortTime = Number.isFinite(created) ? created : node.seenAt;
    }
    node.loaded ||= loaded;
    const asker = node.request.requesting_container_uuid;
    if (asker !== before) {
      if (before) this.childrenOf.get(before)?.delete(node.uuid);
      if (asker) {
        let set = this.childrenOf.get(asker);
        if (!set) this.childrenOf.set(asker, (set = new Set()));
        set.add(node.uuid);
      }
    }
    const c = node.request.container_uuid;
    if (c) {
      if (!node.containerUuids.includes(c)) node.containerUuids.push(c);
      this.byContainer.set(c, node.uuid);
      node.container = this.containers.get(c);
      if (!node.container && loaded) this.fetcher.container(c);
    }
    const name = node.request.name;
    if (name && this.options.names) {
      this.options.names.set(node.uuid, name);
      for (const cu of node.containerUuids) this.options.names.set(cu, name);
    }
    // A step whose parent is not known yet: ask once who runs on its requesting container.
    if (asker && !this.byContainer.has(asker) && !this.parentAsked.has(asker)) {
      this.parentAsked.add(asker);
      this.fetcher.parentOf(asker);
    }
    if (!asker && node.mine === undefined) void this.checkMine(node, false);
    this.touch(this.rootOf(node.uuid));
    this.evictIfNeeded();
    return node;
  }

  private async checkMine(node: ProcessNode, announce: boolean): Promise<void> {
    const owner = node.request.owner_uuid;
    const me = this.options.userUuid();
    if (!owner || !me) return;
    if (!this.options.ownedByMe) {
      node.mine = owner === me;
      return;
    }
    try {
      node.mine = await this.options.ownedByMe(owner);
      if (announce || node.mine === false) this.changed();
    } catch {
      // unknown: shown
    }
  }

  private deliver({ requests, containers }: FetchResults): void {
    if (this.disposed) return;
    for (const c of containers) {
      this.containers.set(c.uuid, c);
      const owner = this.byContainer.get(c.uuid);
      const node = owner ? this.nodes.get(owner) : undefined;
      if (node && node.request.container_uuid === c.uuid) node.container = c;
    }
    for (const r of requests) this.upsert(r, true);
    // A reused container serves requests other than the one byContainer names.
    for (const node of this.nodes.values()) {
      const cu = node.request.container_uuid;
      if (cu && !node.container) node.container = this.containers.get(cu);
    }
    this.changed();
  }

  private remove(uuid: string): void {
    const node = this.nodes.get(uuid);
    if (!node) return;
    this.nodes.delete(uuid);
    this.activity.delete(uuid);
    const asker = node.request.requesting_container_uuid;
    if (asker) this.childrenOf.get(asker)?.delete(uuid);
    for (const c of node.containerUuids) if (this.byContainer.get(c) === uuid) this.byContainer.delete(c);
    this.changed();
  }

  private touch(rootUuid: string): void {
    this.activity.delete(rootUuid);
    this.activity.set(rootUuid, this.scheduler.now());
  }

  /** Past maxNodes: drops whole top-level trees, the least recently active first. */
  private evictIfNeeded(): void {
    if (this.nodes.size <= this.maxNodes) return;
    for (const root of [...this.activity.keys()]) {
      if (this.nodes.size <= this.maxNodes * 0.9) break;
      if (!this.nodes.has(root) || this.parentOf(root)) {
        this.activity.delete(root);
        continue;
      }
      this.dropSubtree(root, 0);
    }
  }

  private dropSubtree(uuid: string, depth: number): void {
    if (depth < 64) for (const child of this.children(uuid)) this.dropSubtree(child.uuid, depth + 1);
    const node = this.nodes.get(uuid);
    for (const c of node?.containerUuids ?? []) {
      this.containers.delete(c);
      this.childrenOf.delete(c);
      this.parentAsked.delete(c);
    }
    this.remove(uuid);
  }

  /** Announces a change: the first at once (next tick), then at most one per interval. */
  private changed(): void {
    if (this.refreshTimer !== undefined || this.disposed) return;
    const wait = Math.max(0, this.lastRefresh + this.refreshIntervalMs - this.scheduler.now());
    this.refreshTimer = this.scheduler.setTimeout(() => {
      this.refreshTimer = undefined;
      this.lastRefresh = this.scheduler.now();
      this.refreshes++;
      this.changeEmitter.fire(undefined, (e) => this.logger.error(`A processes listener failed: ${String(e)}`));
    }, wait);
  }

  dispose(): void {
    this.disposed = true;
    if (this.refreshTimer !== undefined) this.scheduler.clearTimeout(this.refreshTimer);
    this.fetcher.dispose();
    this.changeEmitter.dispose();
  }
}
