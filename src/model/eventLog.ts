/** The output channel's event lines for one batch: one line per event, bounded per batch. */
import type { ArvadosEvent } from '../arvados';
import { eventLogLine, type NameBook } from './labels';

/** Lines for a batch; past `maxLines` the rest are summarized in one line. `cluster` names the cluster when several are followed. */
export function eventLogLines(events: readonly ArvadosEvent[], dropped: number, names: NameBook | undefined, maxLines: number, cluster?: string): string[] {
  const lines: string[] = [];
  const shown = Math.min(events.length, maxLines);
  const head = cluster ? `event [${cluster}] ` : 'event ';
  for (let i = 0; i < shown; i++) lines.push(head + eventLogLine(events[i], names));
  const notLogged = events.length - shown + dropped;
  if (notLogged > 0) lines.push(`… ${notLogged} more events not logged (more than ${maxLines} in a quarter second)`);
  return lines;
}
