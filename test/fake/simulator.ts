/**
 * A simulated Arvados cluster at work, on top of FakeCluster: users submit container requests and
 * arvados-cwl-runner workflows (whose containers submit child requests), dispatchers lock, run,
 * retry and cancel containers, requests finish with log and output collections, and users upload,
 * rename, update and trash collections and make projects. A second user does the same in their own
 * projects, which the first user's token must never see.
 *
 * Everything is stored in the fake (so GET returns current attributes) and logged through its
 * createObject/updateObject/trashObject/deleteObject/emit, so log rows carry old and new
 * attributes as the API server writes them. The history is a function of the seed alone: actions
 * run on a virtual clock (SimAgenda) with a seeded PRNG (SimRandom), object UUIDs included; the
 * Pacer maps virtual time onto wall time at the requested rate.
 *
 * Usage: `const sim = new Simulator(cluster, { seed: 1 }); sim.step(); await sim.run({ rate: 5 })`,
 * or `startSimulatedCluster({ rate: 5 })` for a cluster and a running simulator in one call.
 */
import { crunchRunTime } from './processLogs';
import { defaultKinds } from '../../src/arvados/kinds';
import { FakeCluster, FakeClusterOptions, FakeLogRow, FakeUser } from './cluster';
import type { Attrs } from './models';
import { SimAction, SimAgenda } from './simAgenda';
import * as catalog from './simCatalog';
import type { Stage, Template, Tool } from './simCatalog';
import { Pacer } from './simPacer';
import { SimRandom } from './simRandom';
import { assertTransition, CONTAINER_TRANSITIONS, ContainerState, REQUEST_TRANSITIONS, RequestState } from './simStates';
import { railsTime } from './time';

/**
 * Events per virtual second the activity mix below produces in the long run (measured: 1.00 to
 * 1.03 over 100k events, three seeds): `run({ rate })` plays virtual time at rate / this.
 */
export const EVENTS_PER_VIRTUAL_SECOND = 1;

/** Mean virtual seconds between two users' actions (submissions, uploads, ...). */
const ARRIVAL_MEAN_S = 10;
const TOP_PRIORITY = 500;
const MAX_PICKABLE_COLLECTIONS = 500;
const DEFAULT_WARMUP_S = 600;
/**
 * How long a simulated cluster keeps its audit log rows (AuditLogs.MaxAge, fake clock) unless told
 * otherwise: memory stays bounded in long runs, and it is twice the 5 minutes Arvados needs for
 * the websocket's replay (and matches its 10-minute window).
 */
export const DEFAULT_LOG_MAX_AGE_MS = 10 * 60_000;
/**
 * And at most this many rows of any type: non-audit rows (`dispatch`) are never aged out, and a
 * flood of thousands of events/s would keep millions of rows for ten minutes (~4 KB each with the
 * simulator's objects, so this is ~400 MB).
 */
export const DEFAULT_LOG_MAX_ROWS = 100_000;

/** Chances per container or request, and of each kind of user action. */
const P = {
  draft: 0.15,
  draftDeleted: 0.25,
  reuse: 0.7,
  unsatisfiable: 0.008,
  dispatchError: 0.045,
  infraFailure: 0.04,
  warning: 0.3,
  adminCancel: 0.004,
  trashThenDelete: 0.5,
  /** container_count_max 2 instead of the default 3. */
  fewerRetries: 0.1,
};

export interface SimulatorOptions {
  seed: string | number;
  /** Whose work is simulated (default: users.active, then users.other). The first is the busiest. */
  users?: FakeUser[];
}

export interface SimulatorStats {
  /** step() calls that produced events. */
  steps: number;
  /** Log rows written. */
  events: number;
  /** Virtual time reached, ms since the simulation began. */
  virtualMs: number;
  byEventType: Record<string, number>;
  byKind: Record<string, number>;
  requests: number;
  requestsFinal: number;
  containers: number;
  retries: number;
  collections: number;
  projects: number;
}

export interface RunOptions {
  /** Events per second, approximately (the mix is bursty by nature). */
  rate: number;
  signal?: AbortSignal;
  /** Stop after this much wall time. */
  durationMs?: number;
  maxEvents?: number;
}

interface UserState {
  user: FakeUser;
  weight: number;
  projectNames: readonly string[];
  projects: string[];
  names: Set<string>;
  /** Collections the user may still rename, update or trash. */
  collections: Collection[];
  /** Top-level requests still Committed: what the user may cancel. */
  requests: Request[];
}

interface Collection {
  uuid: string;
  name: string;
  files: Array<{ name: string; size: number }>;
  version: number;
}

/** A container request the simulator drives. */
interface Request {
  uuid: string;
  owner: UserState;
  project: string;
  name: string;
  subject: string;
  tool?: Tool;
  stages?: Stage[];
  state: RequestState | 'deleted';
  priority: number;
  containerCountMax: number;
  containerCount: number;
  container?: Container;
  outputName: string | null;
  /** For a child: the workflow request, and the container of it that asked. */
  parent?: Request;
  requestedBy?: Container;
  /** A workflow's children still running in the current stage, and those not yet submitted. */
  children: Set<Request>;
  toSubmit: number;
  stage: number;
  stageFailed: boolean;
  /** No instance type fits it: every container it gets is cancelled by the dispatcher. */
  unsatisfiable: boolean;
}

interface Container {
  uuid: string;
  request: Request;
  state: ContainerState;
  lockCount: number;
  started: boolean;
  exitCode: number | null;
  /** What crunch-run saves: the log from the start, the output on success. */
  log?: Contents;
  output?: Contents;
  cost: number;
}

/** A collection's files and the manifest attributes made of them (PDH included), made once. */
interface Contents {
  files: Array<{ name: string; size: number }>;
  attrs: ReturnType<typeof catalog.manifest>;
}

export class Simulator {
  readonly cluster: FakeCluster;
  private readonly rng: SimRandom;
  private readonly agenda = new SimAgenda();
  private readonly users: UserState[];
  private readonly dispatcherAuth: string;
  /** Complete, exit 0 containers by what they ran: what a new identical request reuses. */
  private readonly reusable = new Map<string, Container>();
  private readonly counters: Omit<SimulatorStats, 'virtualMs'> = {
    steps: 0, events: 0, byEventType: {}, byKind: {}, requests: 0, requestsFinal: 0, containers: 0, retries: 0, collections: 0, projects: 0,
  };
  private readonly activities: ReadonlyArray<readonly [(u: UserState) => number, number]>;
  private pacer?: Pacer;

  constructor(cluster: FakeCluster, options: SimulatorOptions) {
    this.cluster = cluster;
    this.rng = new SimRandom(options.seed);
    const users = options.users ?? [cluster.users.active, cluster.users.other];
    if (!users.length) throw new Error('Simulator: no users');
    this.users = users.map((user, i) => ({
      user,
      weight: i === 0 ? 3 : 1,
      projectNames: i === 0 ? catalog.PROJECT_NAMES.top : catalog.PROJECT_NAMES.other,
      projects: [],
      names: new Set(),
      collections: [],
      requests: [],
    }));
    this.dispatcherAuth = this.newUuid('arvados#apiClientAuthorization');
    this.activities = [
      [(u) => this.submit(u, 'tool'), 40],
      [(u) => this.submit(u, 'workflow'), 9],
      [(u) => this.upload(u), 10],
      [(u) => this.addFile(u), 6],
      [(u) => this.rename(u), 6],
      [(u) => this.trash(u), 5],
      [(u) => this.newProject(u), 2],
      [(u) => this.editProject(u), 2],
      [(u) => this.cancelSomething(u), 3],
    ];
    // Everyone starts with two projects and a subproject, then the users' actions begin.
    for (const u of this.users) {
      this.agenda.after(0, () => this.newProject(u, false));
      this.agenda.after(100, () => this.newProject(u, false));
      this.agenda.after(200, () => this.newProject(u, true));
    }
    this.agenda.after(1000, this.arrive);
  }

  // ---- driving --------------------------------------------------------------------------------

  /**
   * Advances the simulation to its next event(s): takes due actions in virtual-time order until
   * one writes log rows (a container finishing writes several). Returns how many it wrote.
   */
  step(): number {
    for (;;) {
      const action = this.agenda.take();
      if (!action) return 0;
      const rows = action();
      if (rows > 0) {
        this.counters.steps++;
        return rows;
      }
    }
  }

  /**
   * Plays `seconds` of virtual time at once: history that happened before anyone watched (the mix
   * takes about ten virtual minutes to reach its steady rate; workflows run for minutes). Rows
   * get the times they would have had at `speed` (virtual ms per wall ms): the fake's clock is set
   * back while they are written.
   */
  warmUp(seconds: number, speed = 1): number {
    const until = this.agenda.now + seconds * 1000;
    const offset = this.cluster.clock.offset;
    let events = 0;
    try {
      while (this.agenda.nextAt <= until) {
        this.cluster.setClockOffset(offset - (until - this.agenda.nextAt) / speed);
        events += this.step();
      }
    } finally {
      this.cluster.setClockOffset(offset);
    }
    return events;
  }

  /** Runs in real time at about `rate` events/s until stop(), the signal, or a limit. */
  async run(opts: RunOptions): Promise<void> {
    if (this.pacer) throw new Error('Simulator: already running');
    this.pacer = new Pacer();
    try {
      await this.pacer.run(this, {
        speed: opts.rate / EVENTS_PER_VIRTUAL_SECOND,
        signal: opts.signal,
        durationMs: opts.durationMs,
        maxEvents: opts.maxEvents,
      });
    } finally {
      this.pacer = undefined;
    }
  }

  /** Ends a run() (it resolves at its next slice). */
  stop(): void {
    this.pacer?.stop();
  }

  /** Virtual ms now, and of the next action (for the Pacer). */
  get now(): number {
    return this.agenda.now;
  }

  get nextAt(): number {
    return this.agenda.nextAt;
  }

  get stats(): SimulatorStats {
    return { ...structuredClone(this.counters), virtualMs: this.agenda.now };
  }

  // ---- users' actions -------------------------------------------------------------------------

  /** The users' actions form one Poisson process; each action picks a user and what to do. */
  private readonly arrive: SimAction = () => {
    this.after(this.rng.exp(ARRIVAL_MEAN_S), this.arrive);
    const user = this.rng.weighted(this.users.map((u) => [u, u.weight] as const));
    return this.rng.weighted(this.activities)(user);
  };

  private submit(owner: UserState, type: Template['type']): number {
    const templates = catalog.TEMPLATES.filter(([t]) => t.type === type);
    const template = this.rng.weighted(templates);
    const subject = template.subject(this.rng);
    const name = template.name(subject);
    const req = this.newRequest({
      owner,
      project: this.rng.pick(owner.projects),
      name,
      subject,
      ...(template.type === 'tool' ? { tool: template.tool } : { stages: template.stages }),
      outputName: template.type === 'workflow' ? `Output from workflow ${name}` : null,
    });
    const prior = req.tool && this.reusable.get(signature(req));
    if (prior && prior.state === 'Complete' && this.rng.chance(P.reuse)) return this.submitReusing(req, prior);
    if (this.rng.chance(P.draft)) return this.submitDraft(req);
    owner.requests.push(req);
    return this.submitCommitted(req);
  }

  private upload(owner: UserState): number {
    const { name, files } = catalog.upload(this.rng);
    this.newCollection(owner, this.rng.pick(owner.projects), name, this.contents(files), {}, true);
    return 1;
  }

  /** A new version of a collection: a file added, so a new portable data hash. */
  private addFile(owner: UserState): number {
    const c = this.pickCollection(owner);
    if (!c) return 0;
    const contents = this.contents([catalog.addedFile(this.rng)], c.files);
    c.files = contents.files;
    c.version++;
    return this.update(c.uuid, { ...contents.attrs, version: c.version });
  }

  private rename(owner: UserState): number {
    const c = this.pickCollection(owner);
    if (!c) return 0;
    c.name = catalog.renamed(c.name, this.rng);
    return this.update(c.uuid, { name: c.name });
  }

  /** Trashing is an update (is_trashed); some trashed collections are deleted later. */
  private trash(owner: UserState): number {
    const c = this.pickCollection(owner);
    if (!c) return 0;
    owner.collections.splice(owner.collections.indexOf(c), 1);
    const rows = this.count(this.cluster.trashObject(c.uuid));
    if (this.rng.chance(P.trashThenDelete)) {
      this.after(30 + this.rng.exp(60), () => this.count(this.cluster.deleteObject(c.uuid)));
    }
    return rows;
  }

  private newProject(owner: UserState, sub = owner.projects.length > 0 && this.rng.chance(0.4)): number {
    const parent = sub ? this.rng.pick(owner.projects) : owner.user.uuid;
    const name = this.uniqueName(owner, this.rng.pick(sub ? catalog.PROJECT_NAMES.sub : owner.projectNames));
    const { object, log } = this.cluster.createObject({
      uuid: this.newUuid('arvados#group'),
      group_class: 'project',
      name,
      owner_uuid: parent,
      description: this.rng.chance(0.5) ? this.rng.pick(catalog.PROJECT_DESCRIPTIONS) : null,
    });
    owner.projects.push(object.uuid as string);
    this.counters.projects++;
    return this.count(log);
  }

  private editProject(owner: UserState): number {
    const uuid = this.rng.pick(owner.projects);
    if (this.rng.chance(0.5)) return this.update(uuid, { description: this.rng.pick(catalog.PROJECT_DESCRIPTIONS) });
    const name = this.uniqueName(owner, `${this.rng.pick(owner.projectNames)} (${this.rng.pick(['archived', 'old', 'shared', 'v2'])})`);
    return this.update(uuid, { name });
  }

  /** Cancelling a request is setting its priority to 0 (protocol §7.2). */
  private cancelSomething(owner: UserState): number {
    const live = owner.requests.filter((r) => r.state === 'Committed' && r.priority > 0);
    return live.length ? this.cancelRequest(this.rng.pick(live), owner.user.uuid) : 0;
  }

  // ---- container requests ---------------------------------------------------------------------

  private newRequest(init: Pick<Request, 'owner' | 'project' | 'name' | 'subject' | 'tool' | 'stages' | 'outputName' | 'parent' | 'requestedBy'>): Request {
    this.counters.requests++;
    return {
      ...init,
      uuid: this.newUuid('arvados#containerRequest'),
      state: 'Uncommitted',
      priority: 0,
      containerCountMax: this.rng.chance(P.fewerRetries) ? 2 : 3,
      containerCount: 0,
      children: new Set(),
      toSubmit: 0,
      stage: 0,
      stageFailed: false,
      unsatisfiable: false,
    };
  }

  /** What a request runs, as both the request and its container record it. */
  private runSpec(req: Request): Attrs {
    const tool = req.tool;
    return {
      container_image: tool ? tool.image : catalog.RUNNER.image,
      command: tool ? tool.command(req.subject) : catalog.RUNNER.command(`${req.name.split(':')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.cwl`),
      runtime_constraints: tool ? catalog.runtimeConstraints(tool.vcpus, tool.ramGiB) : catalog.runtimeConstraints(catalog.RUNNER.vcpus, catalog.RUNNER.ramGiB),
      cwd: '/var/spool/cwl',
      output_path: '/var/spool/cwl',
      mounts: { '/var/spool/cwl': { kind: 'tmp', capacity: 10 * 1024 ** 3 } },
      scheduling_parameters: { preemptible: !!tool, partitions: [], max_run_time: 0 },
    };
  }

  private requestAttrs(req: Request): Attrs {
    return {
      uuid: req.uuid,
      owner_uuid: req.project,
      name: req.name,
      description: null,
      ...this.runSpec(req),
      output_name: req.outputName,
      requesting_container_uuid: req.requestedBy?.uuid ?? null,
      container_count_max: req.containerCountMax,
      use_existing: true,
    };
  }

  /**
   * nil → Committed, with its first container. The request's row goes out before the container's:
   * a container is readable through the requests that use it, and the fake checks permission as
   * it sends (the real server checks after the transaction commits, seeing both).
   */
  private submitCommitted(req: Request): number {
    const container = this.newContainer(req);
    return this.createCommitted(req, container.uuid) + this.announce(container);
  }

  /** nil → Committed on a given container: the request's create row. */
  private createCommitted(req: Request, containerUuid: string): number {
    req.state = 'Committed';
    req.priority = TOP_PRIORITY;
    req.containerCount = 1;
    const { log } = this.cluster.createObject({
      ...this.requestAttrs(req),
      state: 'Committed',
      priority: req.priority,
      container_uuid: containerUuid,
      container_count: 1,
    });
    return this.count(log);
  }

  /** nil → Uncommitted: a draft, edited, then committed or deleted. */
  private submitDraft(req: Request): number {
    const { log } = this.cluster.createObject({ ...this.requestAttrs(req), state: 'Uncommitted', priority: 0, container_uuid: null, container_count: 0 });
    this.after(5 + this.rng.exp(15), () => {
      if (req.state !== 'Uncommitted') return 0;
      this.after(3 + this.rng.exp(10), () => (this.rng.chance(P.draftDeleted) ? this.deleteDraft(req) : this.commitDraft(req)));
      return this.update(req.uuid, { description: this.rng.pick(catalog.DRAFT_NOTES) });
    });
    return this.count(log);
  }

  private commitDraft(req: Request): number {
    if (req.state !== 'Uncommitted') return 0;
    const container = this.newContainer(req);
    req.priority = TOP_PRIORITY;
    req.containerCount = 1;
    req.owner.requests.push(req);
    const rows = this.setRequestState(req, 'Committed', { priority: req.priority, container_uuid: container.uuid, container_count: 1 });
    return rows + this.announce(container);
  }

  private deleteDraft(req: Request): number {
    if (req.state !== 'Uncommitted') return 0;
    req.state = 'deleted';
    return this.count(this.cluster.deleteObject(req.uuid));
  }

  /** Container reuse: an identical request finishes at once on the existing container. */
  private submitReusing(req: Request, prior: Container): number {
    return this.createCommitted(req, prior.uuid) + this.finalize(req, prior);
  }

  /** Committed → Final once its container is Complete, or Cancelled with no retry left. */
  private finalize(req: Request, container: Container): number {
    let rows = 0;
    const attrs: Attrs = { cumulative_cost: container.cost };
    // The API server copies the container's log and output into collections the request owns.
    if (container.log) {
      attrs.log_uuid = this.newCollection(req.owner, req.project, `Container log for request ${req.uuid}`, container.log, { type: 'log', container_request: req.uuid }, false);
      rows++;
    }
    if (container.state === 'Complete' && container.exitCode === 0 && container.output) {
      const name = req.outputName ?? `Container output for request ${req.uuid}`;
      attrs.output_uuid = this.newCollection(req.owner, req.project, name, container.output, { type: 'output', container_request: req.uuid }, !req.parent);
      rows++;
    }
    rows += this.setRequestState(req, 'Final', attrs, this.cluster.systemUserUuid);
    this.counters.requestsFinal++;
    const mine = req.owner.requests.indexOf(req);
    if (mine >= 0) req.owner.requests.splice(mine, 1);
    if (req.parent) this.childFinished(req);
    if (container.state === 'Complete' && this.rng.chance(P.adminCancel)) {
      // An admin marks a finished container unusable for reuse: Complete → Cancelled.
      this.after(10 + this.rng.exp(30), () => (container.state === 'Complete' ? this.setContainerState(container, 'Cancelled', {}) : 0));
    }
    return rows;
  }

  /** priority 0, then the dispatcher cancels the container; the request goes Final without retry. */
  private cancelRequest(req: Request, by: string): number {
    if (req.state !== 'Committed' || req.priority === 0) return 0;
    req.priority = 0;
    let rows = this.update(req.uuid, { priority: 0 }, by);
    const c = req.container;
    if (c && isActive(c.state)) {
      rows += this.update(c.uuid, { priority: 0 });
      this.after(0.5 + this.rng.exp(1), () => (this.isCurrent(c) && isActive(c.state) ? this.cancelContainer(c, {}) : 0));
    }
    return rows;
  }

  // ---- containers -----------------------------------------------------------------------------

  /** A Queued container for `req`, stored silently: announce() logs its creation. */
  private newContainer(req: Request): Container {
    const c: Container = { uuid: this.newUuid('arvados#container'), request: req, state: 'Queued', lockCount: 0, started: false, exitCode: null, cost: 0 };
    this.cluster.putObject({
      uuid: c.uuid,
      owner_uuid: this.cluster.systemUserUuid,
      state: 'Queued',
      priority: TOP_PRIORITY,
      ...this.runSpec(req),
      environment: { HOME: '/var/spool/cwl', TMPDIR: '/tmp' },
    });
    req.container = c;
    this.counters.containers++;
    return c;
  }

  private announce(c: Container): number {
    this.after(0.3 + this.rng.exp(3), () => this.lock(c));
    return this.count(this.cluster.recordChange(c.uuid, 'create'));
  }

  /** Still the container its request runs on (a retry replaces it). */
  private isCurrent(c: Container): boolean {
    return c.request.container === c;
  }

  private lock(c: Container): number {
    if (c.state !== 'Queued' || !this.isCurrent(c)) return 0;
    c.lockCount++;
    const r = this.rng.next();
    if (c.request.unsatisfiable || r < P.unsatisfiable) this.after(1 + this.rng.exp(1), () => this.unsatisfiable(c));
    else if (r < P.unsatisfiable + P.dispatchError) this.after(1 + this.rng.exp(2), () => this.dispatchError(c));
    else this.after(1 + this.rng.exp(5), () => this.start(c));
    return this.setContainerState(c, 'Locked', { locked_by_uuid: this.dispatcherAuth, lock_count: c.lockCount });
  }

  /** The dispatcher could not submit it: a `dispatch` row, then Locked → Queued for another try. */
  private dispatchError(c: Container): number {
    if (c.state !== 'Locked' || !this.isCurrent(c)) return 0;
    const rows = this.dispatch(c, catalog.dispatchErrorText(c.uuid, this.rng));
    this.after(0.3 + this.rng.exp(3), () => this.lock(c));
    return rows + this.setContainerState(c, 'Queued', { locked_by_uuid: null });
  }

  /** No instance type fits: a `dispatch` row, then Cancelled (retries fail the same way). */
  private unsatisfiable(c: Container): number {
    if (c.state !== 'Locked' || !this.isCurrent(c)) return 0;
    c.request.unsatisfiable = true;
    const spec = c.request.tool ?? catalog.RUNNER;
    const rows = this.dispatch(c, catalog.unsatisfiableText(c.uuid, spec.vcpus, spec.ramGiB));
    return rows + this.cancelContainer(c, { runtime_status: { error: 'constraints not satisfiable' } });
  }

  private start(c: Container): number {
    if (c.state !== 'Locked' || !this.isCurrent(c)) return 0;
    c.started = true;
    c.log = this.contents(catalog.LOG_FILES);
    const req = c.request;
    if (req.stages) {
      this.after(3 + this.rng.exp(3), () => this.nextStage(req, c));
    } else {
      this.planRun(c, req.tool!);
    }
    this.writeLog(c, 'crunch-run.txt', `crunch-run starting container ${c.uuid}`);
    this.after(1, () => this.logWhileRunning(c, 0));
    return this.setContainerState(c, 'Running', {
      started_at: railsTime(this.cluster.nowMs()),
      auth_uuid: this.newUuid('arvados#apiClientAuthorization'),
      runtime_user_uuid: req.owner.user.uuid,
      progress: 0,
    });
  }

  /** How a tool's run goes: its length, a warning maybe, and its end. */
  private planRun(c: Container, tool: Tool): void {
    const seconds = this.rng.between(tool.runSeconds[0], tool.runSeconds[1]);
    if (this.rng.chance(P.warning)) {
      const status = this.rng.pick(catalog.RUNTIME_WARNINGS);
      this.after(seconds * this.rng.between(0.2, 0.8), () => (c.state === 'Running' ? this.update(c.uuid, { runtime_status: status }) : 0));
    }
    const r = this.rng.next();
    if (r < P.infraFailure) {
      const status = this.rng.pick(catalog.INFRA_FAILURES);
      this.after(seconds * this.rng.between(0.1, 0.9), () => (c.state === 'Running' && this.isCurrent(c) ? this.cancelContainer(c, { runtime_status: status }) : 0));
    } else if (r < P.infraFailure + tool.failRate) {
      this.after(seconds, () => this.failing(c, this.rng.weighted(tool.exitCodes)));
    } else {
      this.after(seconds, () => this.complete(c, 0));
    }
  }

  /**
   * What a running process writes to its log files (read through the log endpoint): no log rows,
   * and no draws from the PRNG, so the event history of a seed does not change.
   */
  private logWhileRunning(c: Container, n: number): number {
    if (c.state !== 'Running') return 0;
    const step = c.request.name;
    if (n % 5 === 0) this.writeLog(c, 'crunch-run.txt', `crunch-run: ${step}: checkpoint ${n / 5 + 1}, ${40 + ((n * 7) % 50)}% of memory in use`);
    this.writeLog(c, 'stderr.txt', `${step}: processed ${(n + 1) * 12_500} records (${(n * 13) % 97} per second)`);
    if (n % 3 === 1) this.writeLog(c, 'stdout.txt', `chunk ${n}\tok`);
    if (n % 11 === 10) this.writeLog(c, 'stderr.txt', `warning: low-quality reads skipped\n  (${n} in batch ${n >> 2})`);
    this.after(1 + (n % 3) * 0.5, () => this.logWhileRunning(c, n + 1));
    return 0;
  }

  /** Appends timestamped lines (crunch-run's format: RFC 3339 with nanoseconds) to a container's log file. */
  private writeLog(c: Container, file: string, text: string): void {
    const at = crunchRunTime(this.cluster.nowMs());
    const [first, ...rest] = text.split('\n');
    this.cluster.writeProcessLog(c.uuid, file, `${at} ${first}\n${rest.map((l) => `${l}\n`).join('')}`);
  }

  /** crunch-run reports the error first (runtime_status.error), then the container completes. */
  private failing(c: Container, exitCode: number): number {
    if (c.state !== 'Running' || !this.isCurrent(c)) return 0;
    this.after(1 + this.rng.exp(1), () => this.complete(c, exitCode));
    return this.update(c.uuid, { runtime_status: catalog.failureStatus(exitCode) });
  }

  /** Running → Complete; its request goes Final with log and output collections. */
  private complete(c: Container, exitCode: number): number {
    if (c.state !== 'Running' || !this.isCurrent(c)) return 0;
    const req = c.request;
    if (exitCode !== 0) this.writeLog(c, 'stderr.txt', `Traceback (most recent call last):\n  File "run.py", line 42, in main\nRuntimeError: exit status ${exitCode}`);
    this.writeLog(c, 'crunch-run.txt', `Container exited with status code ${exitCode}`);
    this.writeLog(c, 'crunch-run.txt', 'Complete');
    c.exitCode = exitCode;
    c.cost = Math.round(this.rng.between(0.01, 4) * 1000) / 1000;
    if (exitCode === 0) c.output = this.contents(req.tool ? req.tool.outputs(req.subject) : req.stages!.at(-1)!.tool.outputs(req.subject));
    let rows = this.setContainerState(c, 'Complete', {
      exit_code: exitCode,
      finished_at: railsTime(this.cluster.nowMs()),
      progress: 1,
      log: c.log!.attrs.portable_data_hash,
      output: c.output?.attrs.portable_data_hash ?? null,
      cost: c.cost,
    });
    if (exitCode === 0 && req.tool) this.reusable.set(signature(req), c);
    rows += this.finalize(req, c);
    return rows;
  }

  /**
   * A container that ends Cancelled: a workflow's children are cancelled with it; its request
   * retries on a new container while it has priority and attempts left, else goes Final.
   */
  private cancelContainer(c: Container, attrs: Attrs): number {
    const req = c.request;
    const ran = c.log ? { finished_at: railsTime(this.cluster.nowMs()), log: c.log.attrs.portable_data_hash } : {};
    let rows = this.setContainerState(c, 'Cancelled', { ...attrs, ...ran });
    for (const child of req.children) rows += this.cancelRequest(child, this.cluster.systemUserUuid);
    req.children.clear();
    req.toSubmit = 0;
    if (req.state !== 'Committed') return rows; // finalized already (e.g. a reused container)
    if (req.priority > 0 && req.containerCount < req.containerCountMax) return rows + this.retry(req);
    return rows + this.finalize(req, c);
  }

  /** The request stays Committed and gets a new container: container_uuid changes. */
  private retry(req: Request): number {
    const container = this.newContainer(req);
    req.containerCount++;
    req.stage = 0;
    req.stageFailed = false;
    this.counters.retries++;
    const rows = this.update(req.uuid, { container_uuid: container.uuid, container_count: req.containerCount }, this.cluster.systemUserUuid);
    return rows + this.announce(container);
  }

  // ---- workflows (arvados-cwl-runner) ---------------------------------------------------------

  /** The runner submits a stage's steps as child requests, a little apart. */
  private nextStage(req: Request, runner: Container): number {
    if (runner.state !== 'Running' || !this.isCurrent(runner)) return 0;
    const stage = req.stages![req.stage]!;
    const n = this.rng.int(stage.scatter[0], stage.scatter[1]);
    const parts = stage.parts ? this.sample(stage.parts, n) : undefined;
    req.toSubmit = n;
    for (let i = 0; i < n; i++) {
      const step = parts ? `${stage.tool.step}_${parts[i]}` : i === 0 ? stage.tool.step : `${stage.tool.step}_${i + 1}`;
      this.after(0.2 * i + this.rng.exp(0.5), () => this.submitChild(req, runner, stage, step));
    }
    return 0;
  }

  /** A stage's step: a tool's request, or (a sub-workflow stage) a runner's that submits its own steps. */
  private submitChild(parent: Request, runner: Container, stage: Stage, step: string): number {
    if (runner.state !== 'Running' || !this.isCurrent(runner)) return 0;
    const child = this.newRequest({
      owner: parent.owner,
      project: parent.project,
      name: step,
      subject: parent.subject,
      ...(stage.sub ? { stages: stage.sub } : { tool: stage.tool }),
      outputName: `Output for step ${step}`,
      parent,
      requestedBy: runner,
    });
    parent.toSubmit--;
    parent.children.add(child);
    return this.submitCommitted(child);
  }

  /** A child went Final: when the stage is done, the runner moves on, or fails. */
  private childFinished(child: Request): void {
    const parent = child.parent!;
    const runner = child.requestedBy!;
    if (!parent.children.delete(child) || !this.isCurrent(runner) || runner.state !== 'Running') return;
    if (!(child.container?.state === 'Complete' && child.container.exitCode === 0)) parent.stageFailed = true;
    if (parent.children.size > 0 || parent.toSubmit > 0) return;
    if (parent.stageFailed) {
      this.after(2 + this.rng.exp(2), () => this.failing(runner, 1));
    } else if (++parent.stage < parent.stages!.length) {
      this.after(1 + this.rng.exp(2), () => this.nextStage(parent, runner));
    } else {
      this.after(3 + this.rng.exp(3), () => this.complete(runner, 0));
    }
  }

  // ---- collections ----------------------------------------------------------------------------

  /**
   * Creates a collection (one log row) and returns its UUID. A request's log and output are made
   * by the system. `editable`: one the user may later rename, change and trash.
   */
  private newCollection(owner: UserState, project: string, name: string, contents: Contents, properties: { type?: string; container_request?: string }, editable: boolean): string {
    const { object, log } = this.cluster.createObject(
      { uuid: this.newUuid('arvados#collection'), owner_uuid: project, name, properties, ...contents.attrs },
      properties.container_request ? { by: this.cluster.systemUserUuid } : {},
    );
    const uuid = object.uuid as string;
    this.count(log);
    this.counters.collections++;
    if (editable) {
      owner.collections.push({ uuid, name, files: contents.files, version: 1 });
      if (owner.collections.length > MAX_PICKABLE_COLLECTIONS) owner.collections.shift();
    }
    return uuid;
  }

  /** Files (with sizes) and their manifest; `existing` files are kept first. */
  private contents(names: readonly string[], existing: Contents['files'] = []): Contents {
    const files = [...existing, ...catalog.fileList([...names], this.rng)];
    return { files, attrs: catalog.manifest(files, this.rng) };
  }

  private pickCollection(owner: UserState): Collection | undefined {
    return owner.collections.length ? this.rng.pick(owner.collections) : undefined;
  }

  // ---- writing rows ---------------------------------------------------------------------------

  private setRequestState(req: Request, to: RequestState, attrs: Attrs, by?: string): number {
    assertTransition(REQUEST_TRANSITIONS, req.uuid, req.state === 'deleted' ? 'Final' : req.state, to);
    req.state = to;
    return this.update(req.uuid, { ...attrs, state: to }, by);
  }

  private setContainerState(c: Container, to: ContainerState, attrs: Attrs): number {
    assertTransition(CONTAINER_TRANSITIONS, c.uuid, c.state, to);
    c.state = to;
    return this.update(c.uuid, { ...attrs, state: to });
  }

  private update(uuid: string, attrs: Attrs, by?: string): number {
    return this.count(this.cluster.updateObject(uuid, attrs, by ? { by } : {}));
  }

  /** A `dispatch` row, as the dispatcher POSTs it (as the system user). */
  private dispatch(c: Container, text: string): number {
    return this.count(this.cluster.emit({ object_uuid: c.uuid, event_type: 'dispatch', owner_uuid: this.cluster.systemUserUuid, properties: { text } }));
  }

  private count(row: FakeLogRow): number {
    const k = this.counters;
    k.events++;
    const type = row.event_type ?? '';
    const kind = row.object_kind ?? '';
    k.byEventType[type] = (k.byEventType[type] ?? 0) + 1;
    k.byKind[kind] = (k.byKind[kind] ?? 0) + 1;
    return 1;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private after(seconds: number, action: SimAction): void {
    this.agenda.after(seconds * 1000, action);
  }

  /** UUIDs come from the simulator's PRNG, so they depend on the seed only. */
  private newUuid(kind: string): string {
    return `${this.cluster.clusterId}-${defaultKinds.infixOf(kind)}-${this.rng.base36(15)}`;
  }

  private uniqueName(owner: UserState, base: string): string {
    let name = base;
    for (let n = 2; owner.names.has(name); n++) name = `${base} (${n})`;
    owner.names.add(name);
    return name;
  }

  /** `n` distinct items, in random order. */
  private sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(this.rng.int(0, pool.length - 1), 1)[0]!);
    return out;
  }
}

function isActive(state: ContainerState): boolean {
  return state === 'Queued' || state === 'Locked' || state === 'Running';
}

/**
 * What container reuse matches on. Real reuse also crosses users; keeping it per user keeps each
 * user's containers their own, which the permission tests rely on.
 */
function signature(req: Request): string {
  return `${req.owner.user.uuid}\0${req.tool!.image}\0${req.tool!.command(req.subject).join('\0')}`;
}

// ---- a cluster with a simulator, in one call ------------------------------------------------------

export interface SimulatedClusterOptions {
  port?: number;
  /** Events per second (default 1); 0 starts nothing: call simulator.step() or run() yourself. */
  rate?: number;
  seed?: string | number;
  sendTimeoutMs?: number;
  /** Stop the simulator (not the cluster) after this much wall time. */
  durationMs?: number;
  /** Virtual seconds of history played at once before real time starts (default 600, see warmUp). */
  warmupSeconds?: number;
  /**
   * More options for the fake cluster (its seed defaults to the simulator's; its logs table is
   * pruned after DEFAULT_LOG_MAX_AGE_MS and capped at DEFAULT_LOG_MAX_ROWS unless these say
   * otherwise: 0 turns either off).
   */
  cluster?: FakeClusterOptions;
}

export interface SimulatedCluster {
  cluster: FakeCluster;
  simulator: Simulator;
  /** Settles when the simulator stops running (at once when rate is 0). */
  running: Promise<void>;
  /** Stops the simulator, then the cluster. */
  stop(): Promise<void>;
}

export async function startSimulatedCluster(opts: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const seed = opts.seed ?? 1;
  const cluster = await FakeCluster.start({
    seed: `simulator-${seed}`,
    auditLogsMaxAgeMs: DEFAULT_LOG_MAX_AGE_MS,
    logMaxRows: DEFAULT_LOG_MAX_ROWS,
    ...opts.cluster,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.sendTimeoutMs !== undefined ? { sendTimeoutMs: opts.sendTimeoutMs } : {}),
  });
  const simulator = new Simulator(cluster, { seed });
  const rate = opts.rate ?? 1;
  simulator.warmUp(opts.warmupSeconds ?? DEFAULT_WARMUP_S, rate > 0 ? rate / EVENTS_PER_VIRTUAL_SECOND : 1);
  const running = rate > 0 ? simulator.run({ rate, durationMs: opts.durationMs }) : Promise.resolve();
  let stopping: Promise<void> | undefined;
  return {
    cluster,
    simulator,
    running,
    stop: () =>
      (stopping ??= (async () => {
        simulator.stop();
        await running.catch(() => undefined);
        await cluster.stop();
      })()),
  };
}
