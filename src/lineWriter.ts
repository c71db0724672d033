/** The command-line follower's output: lines in batches, with back-pressure. */
/** Bytes written but not yet taken by the reader of stdout, past which the engine is told to wait. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;

/**
 * Writes JSON lines in batches: one write per turn of the event loop rather than one per event.
 * When the reader of stdout falls more than a few MB behind (a slow pipe), `ready()` returns a
 * promise until it catches up, and the engine waits for it instead of piling up lines here. Below
 * that, reading and writing overlap.
 */
export class LineWriter {
  private lines: string[] = [];
  private scheduled = false;
  private draining?: Promise<void>;
  constructor(private readonly out: NodeJS.WritableStream & { writableLength?: number }) {}
  push(line: string): void {
    this.lines.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.scheduled = false;
    if (!this.lines.length) return;
    this.out.write(this.lines.join('\n') + '\n');
    this.lines = [];
  }
  /** A promise while the output is too far behind; undefined when more may come. */
  ready(): Promise<void> | undefined {
    if (this.draining) return this.draining;
    if (this.lines.length) this.flush();
    if ((this.out.writableLength ?? 0) <= OUTPUT_HIGH_WATER) return undefined;
    this.draining = new Promise<void>((resolve) => this.out.once('drain', resolve)).then(() => (this.draining = undefined));
    return this.draining;
  }
}
