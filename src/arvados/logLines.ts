/**
 * Lines of a process's log files, as crunch-run writes them: each line starts with an RFC 3339
 * UTC timestamp (`2026-12-01T10:00:00.123456789Z text`); a line without one continues the line
 * before it. Files are read in byte ranges, so a chunk may end in the middle of a line, or even
 * of a UTF-8 character.
 */

/** One line of one file. */
export interface LogLine {
  file: string;
  text: string;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)(?: |$)/;

/** The timestamp a line starts with, if any. */
export function timestampOf(line: string): string | undefined {
  return TIMESTAMP.exec(line)?.[1];
}

/** Splits one file's bytes into complete lines, keeping a partial last line until it ends. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);
  /** Bytes to drop up to the first line end: the file was entered in the middle (a tail). */
  private skipToLineStart = false;

  constructor(readonly file: string) {}

  /** Starts mid-file: what comes before the first line end is the end of a line not shown. */
  enterMidLine(): void {
    this.skipToLineStart = true;
  }

  push(chunk: Buffer): LogLine[] {
    let data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    if (this.skipToLineStart) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) {
        this.rest = Buffer.alloc(0);
        return [];
      }
      data = data.subarray(nl + 1);
      this.skipToLineStart = false;
    }
    const last = data.lastIndexOf(0x0a);
    if (last < 0) {
      this.rest = Buffer.from(data);
      return [];
    }
    // Copy the partial tail: the chunk it came from can then be freed.
    this.rest = Buffer.from(data.subarray(last + 1));
    return this.lines(data.subarray(0, last).toString('utf8'));
  }

  /** The partial last line, if any, as a line (at the end of a finished file). */
  flush(): LogLine[] {
    if (!this.rest.length || this.skipToLineStart) return [];
    const text = this.rest.toString('utf8');
    this.rest = Buffer.alloc(0);
    return this.lines(text);
  }

  /** Bytes held for a partial line. */
  get pending(): number {
    return this.rest.length;
  }

  private lines(text: string): LogLine[] {
    const file = this.file;
    return text.split('\n').map((raw) => ({ file, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw }));
  }
}

/**
 * Merges several files' lines by timestamp. Lines keep their order within a file, and a
 * continuation line stays right after the line it continues (it sorts with that line's time).
 */
export function mergeByTime(perFile: LogLine[][]): LogLine[] {
  const nonEmpty = perFile.filter((lines) => lines.length);
  // One file (the common case of a read that caught up): nothing to merge.
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  // Group each file's lines into records: a timestamped line and its continuations.
  const queues = nonEmpty.map((lines) => {
    const records: Array<{ at: string; lines: LogLine[] }> = [];
    for (const line of lines) {
      const at = timestampOf(line.text);
      const prev = records[records.length - 1];
      if (at === undefined && prev) prev.lines.push(line);
      else records.push({ at: at ?? '', lines: [line] });
    }
    return records;
  });
  const heads = queues.map(() => 0);
  const out: LogLine[] = [];
  for (;;) {
    let pick = -1;
    for (let q = 0; q < queues.length; q++) {
      if (heads[q] >= queues[q].length) continue;
      // Same-format UTC timestamps compare as strings, except for a shorter fraction: compare by time then.
      if (pick < 0 || earlier(queues[q][heads[q]].at, queues[pick][heads[pick]].at)) pick = q;
    }
    if (pick < 0) return out;
    out.push(...queues[pick][heads[pick]++].lines);
  }
}

/** True when timestamp `a` is strictly before `b`; a line without a time ('') goes first. */
function earlier(a: string, b: string): boolean {
  if (a === b) return false;
  if (!a || !b) return !a;
  const secA = a.slice(0, 19);
  const secB = b.slice(0, 19);
  if (secA !== secB) return secA < secB;
  return fraction(a) < fraction(b);
}

function fraction(t: string): number {
  const m = /\.(\d+)Z$/.exec(t);
  return m ? Number(`0.${m[1]}`) : 0;
}
