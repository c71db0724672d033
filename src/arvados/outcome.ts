/**
 * The outcome of a container request, read from its container. Events carry only six attributes
 * (no exit_code, no container_uuid), so the outcome is fetched on demand when a request goes
 * Final. A Cancelled container alone is not an outcome: the request may retry with a new
 * container, so only a Final request is ever called finished (protocol §7.3, gotcha 16).
 */
import type { ApiClient, ListParams, ListResult } from './rest';

/** What outcome lookups need from the API: ApiClient satisfies it, tests pass a fake. */
export type ObjectSource = Pick<ApiClient, 'getObject'>;
export type ListSource = { list<T>(resource: string, params?: ListParams): Promise<ListResult<T>> };

export type Outcome =
  | { status: 'succeeded'; exitCode: 0; containerUuid?: string }
  | { status: 'failed'; exitCode: number; containerUuid?: string }
  | { status: 'cancelled'; containerUuid?: string }
  /** Not finished yet: the container (or request) is in this state. */
  | { status: 'pending'; state: string; containerUuid?: string }
  /** The outcome could not be read (the object is gone, or the API failed). */
  | { status: 'unknown'; reason: string; containerUuid?: string };

export interface ContainerFields {
  uuid?: string;
  state?: string | null;
  exit_code?: number | null;
}

export interface ContainerRequestFields {
  uuid?: string;
  state?: string | null;
  container_uuid?: string | null;
}

/** The outcome a container shows: Complete + exit code, or Cancelled; anything else is pending. */
export function outcomeOfContainer(container: ContainerFields): Outcome {
  const containerUuid = container.uuid;
  switch (container.state) {
    case 'Complete': {
      const code = container.exit_code;
      if (typeof code !== 'number') return { status: 'unknown', reason: 'the container is Complete but has no exit code', containerUuid };
      return code === 0 ? { status: 'succeeded', exitCode: 0, containerUuid } : { status: 'failed', exitCode: code, containerUuid };
    }
    case 'Cancelled':
      return { status: 'cancelled', containerUuid };
    default:
      return { status: 'pending', state: String(container.state ?? 'unknown'), containerUuid };
  }
}

/**
 * The outcome of a container request: pending until it is Final; then its container decides.
 * A Final request that never got a container was cancelled before it ran.
 */
export function outcomeOfRequest(request: ContainerRequestFields, container?: ContainerFields): Outcome {
  if (request.state !== 'Final') return { status: 'pending', state: String(request.state ?? 'unknown') };
  if (!request.container_uuid) return { status: 'cancelled' };
  if (!container) return { status: 'unknown', reason: 'its container could not be read', containerUuid: request.container_uuid };
  const outcome = outcomeOfContainer(container);
  // A Final request whose container still looks busy was finalized from above (its parent ended).
  if (outcome.status === 'pending') return { status: 'cancelled', containerUuid: request.container_uuid };
  return outcome;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads a container request and its container; never throws (an unreadable outcome is `unknown`). */
export async function containerRequestOutcome(api: ObjectSource, requestUuid: string): Promise<Outcome> {
  let request: ContainerRequestFields;
  try {
    request = await api.getObject<ContainerRequestFields>(requestUuid);
  } catch (err) {
    return { status: 'unknown', reason: reasonOf(err) };
  }
  if (request.state !== 'Final' || !request.container_uuid) return outcomeOfRequest(request);
  try {
    const container = await api.getObject<ContainerFields>(request.container_uuid);
    return outcomeOfRequest(request, container);
  } catch (err) {
    return { status: 'unknown', reason: reasonOf(err), containerUuid: request.container_uuid };
  }
}

/** Reads a container's outcome; never throws. */
export async function containerOutcome(api: ObjectSource, containerUuid: string): Promise<Outcome> {
  try {
    return outcomeOfContainer({ uuid: containerUuid, ...(await api.getObject<ContainerFields>(containerUuid)) });
  } catch (err) {
    return { status: 'unknown', reason: reasonOf(err), containerUuid };
  }
}

/** `succeeded`, `failed (exit code 1)`, `cancelled`, `Running`, `unknown`: for labels. */
export function outcomeInWords(outcome: Outcome): string {
  switch (outcome.status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return `failed (exit code ${outcome.exitCode})`;
    case 'cancelled':
      return 'cancelled';
    case 'pending':
      return outcome.state;
    case 'unknown':
      return 'outcome unknown';
  }
}
