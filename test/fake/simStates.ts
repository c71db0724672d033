/**
 * The state machines the simulator must respect (protocol §7.2, §7.3): every state change it
 * makes goes through `assertTransition`, so a simulator bug shows up as an exception rather than
 * as an impossible event in a demo.
 */

export type RequestState = 'Uncommitted' | 'Committed' | 'Final';
export type ContainerState = 'Queued' | 'Locked' | 'Running' | 'Complete' | 'Cancelled';

/** `null` is "does not exist yet". */
export const REQUEST_TRANSITIONS: ReadonlyMap<RequestState | null, readonly RequestState[]> = new Map<RequestState | null, RequestState[]>([
  [null, ['Uncommitted', 'Committed']],
  ['Uncommitted', ['Committed']],
  ['Committed', ['Final']],
  ['Final', []],
]);

export const CONTAINER_TRANSITIONS: ReadonlyMap<ContainerState | null, readonly ContainerState[]> = new Map<ContainerState | null, ContainerState[]>([
  [null, ['Queued']],
  ['Queued', ['Locked', 'Cancelled']],
  ['Locked', ['Queued', 'Running', 'Cancelled']],
  ['Running', ['Complete', 'Cancelled']],
  // An admin's reuse control (protocol §7.3).
  ['Complete', ['Cancelled']],
  ['Cancelled', []],
]);

export function assertTransition<S extends string>(table: ReadonlyMap<S | null, readonly S[]>, uuid: string, from: S | null, to: S): void {
  if (from === to) return;
  if (!table.get(from)?.includes(to)) throw new Error(`simulator: illegal state change of ${uuid}: ${String(from)} -> ${to}`);
}
