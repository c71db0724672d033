/**
 * A process's status in Workbench2's words (protocol facts §12), so that VS Code reads as the
 * Workbench process page does: Queued, On hold, Running, Warning, Failing, Cancelling,
 * Completed, Reused, Failed (exit N), Cancelled; Draft for an uncommitted request. What a request
 * and its container say decides it; no vscode here.
 */

/** The attributes of a container request this view reads (events carry six; the rest is fetched). */
export interface RequestFacts {
  uuid: string;
  name?: string | null;
  state?: string | null;
  priority?: number | null;
  owner_uuid?: string | null;
  requesting_container_uuid?: string | null;
  container_uuid?: string | null;
  container_count?: number | null;
  container_count_max?: number | null;
  log_uuid?: string | null;
  output_uuid?: string | null;
  cumulative_cost?: number | null;
  created_at?: string | null;
  modified_at?: string | null;
}

export interface RuntimeStatus {
  error?: string;
  errorDetail?: string;
  warning?: string;
  warningDetail?: string;
  activity?: string;
  preemptionNotice?: string;
}

export interface ContainerFacts {
  uuid: string;
  state?: string | null;
  exit_code?: number | null;
  runtime_status?: RuntimeStatus | null;
  started_at?: string | null;
  finished_at?: string | null;
  cost?: number | null;
  subrequests_cost?: number | null;
  priority?: number | null;
  log?: string | null;
  output?: string | null;
}

export type StatusWord = 'Unknown' | 'Draft' | 'Queued' | 'On hold' | 'Running' | 'Warning' | 'Failing' | 'Cancelling' | 'Completed' | 'Reused' | 'Failed' | 'Cancelled';

/** Every status word, in the order counts are shown: what needs attention first. */
export const STATUS_ORDER: readonly StatusWord[] = ['Failed', 'Failing', 'Cancelling', 'Cancelled', 'Warning', 'Running', 'On hold', 'Queued', 'Draft', 'Reused', 'Completed', 'Unknown'];

export interface ProcessStatus {
  word: StatusWord;
  /** For Failed: the container's exit code. */
  exitCode?: number;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/**
 * Workbench2's rules, first match wins. Without the container (not read yet) the request's own
 * state stands in: a Final request whose container is not read yet is Unknown, not Cancelled.
 */
export function processStatus(request: Pick<RequestFacts, 'state' | 'priority' | 'created_at' | 'container_uuid'>, container?: ContainerFacts): ProcessStatus {
  if (request.state === 'Uncommitted') return { word: 'Draft' };
  const onHold = request.priority === 0;
  if (container?.state === 'Complete') {
    const code = container.exit_code;
    if (code === 0) {
      const finished = Date.parse(container.finished_at ?? '');
      const created = Date.parse(request.created_at ?? '');
      return { word: finished < created ? 'Reused' : 'Completed' };
    }
    if (typeof code === 'number') return { word: 'Failed', exitCode: code };
  }
  if (request.state === 'Final') {
    // Finished, but how is the container's to say, and it has not been read yet.
    if (!container && request.container_uuid) return { word: 'Unknown' };
    return { word: 'Cancelled' };
  }
  switch (container?.state) {
    case 'Running':
      if (onHold) return { word: 'Cancelling' };
      if (text(container.runtime_status?.error)) return { word: 'Failing' };
      if (text(container.runtime_status?.warning)) return { word: 'Warning' };
      return { word: 'Running' };
    case 'Complete':
      // Complete without an exit code: still being finalized.
      return { word: 'Running' };
    default:
      // Queued, Locked, or Cancelled on a request that will retry on a new container.
      return { word: onHold ? 'On hold' : 'Queued' };
  }
}

/** Whether a status means the process is over (nothing more will change without a retry). */
export function isFinished(status: ProcessStatus): boolean {
  return status.word === 'Completed' || status.word === 'Reused' || status.word === 'Failed' || status.word === 'Cancelled';
}

/** What "failed only" keeps: failed, failing, and cancelled processes. */
export function isFailure(status: ProcessStatus): boolean {
  return status.word === 'Failed' || status.word === 'Failing' || status.word === 'Cancelled';
}
