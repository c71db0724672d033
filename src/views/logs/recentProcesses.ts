/** The container requests seen lately in the event stream, newest first: what Show Live Log offers to pick from. */
import type * as vscode from 'vscode';
import { LruMap } from '../../model/lru';
import type { ArvadosEvent } from '../../arvados';

export class RecentProcesses {
  private readonly seen = new LruMap<string, { uuid: string; at: string; state?: string }>(200);

  constructor(private readonly objects: { nameOf(uuid: string): string | undefined }) {}

  observe(source: { onEvent(listener: (e: { event: ArvadosEvent }) => void): vscode.Disposable }): vscode.Disposable {
    return source.onEvent(({ event }) => {
      if (event.object_kind !== 'arvados#containerRequest') return;
      const state = event.properties?.new_attributes?.state;
      this.seen.set(event.object_uuid, { uuid: event.object_uuid, at: event.event_at, state: typeof state === 'string' ? state : undefined });
    });
  }

  /** Newest first, with names where known. */
  list(): Array<{ uuid: string; name?: string; at: string; state?: string }> {
    return [...this.seen.values()].reverse().map((r) => ({ ...r, name: this.objects.nameOf(r.uuid) }));
  }
}
