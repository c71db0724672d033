/** Export of the buffer: JSON Lines, oldest first, passed through the token redactor for safety. */
import type { ArvadosEvent } from '../arvados';

export function toJsonLines(eventsOldestFirst: readonly ArvadosEvent[], redact: (text: string) => string = (s) => s): string {
  let out = '';
  for (const ev of eventsOldestFirst) out += redact(JSON.stringify(ev)) + '\n';
  return out;
}

/** `arvados-events-2026-11-24T10-00-00.jsonl`: a file name that sorts by time. */
export function defaultExportName(now: Date): string {
  return `arvados-events-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.jsonl`;
}
