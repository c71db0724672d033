/**
 * The "Arvados Events" log channel: connection lifecycle, errors with their causes, and one line
 * per event, written in batches (at most 4 a second, bounded) so a flood cannot flood the channel.
 * Every line passes the token redactor of the current connection.
 */
import * as vscode from 'vscode';
import type { ArvadosEvent, Logger } from '../arvados';
import { Batcher } from '../model/batcher';
import { eventLogLines } from '../model/eventLog';
import type { NameBook } from '../model/labels';

export interface EventLog extends vscode.Disposable {
  log(ev: ArvadosEvent): void;
}

export const CHANNEL_NAME = 'Arvados Events';
/**
 * Event lines per batch (a quarter second) at most, the rest counted in one line: 1,000 lines a
 * second is more than anyone reads, and in a flood every line is work for the extension host
 * (formatting, VS Code's log file) and garbage to collect.
 */
const MAX_LINES_PER_BATCH = 250;
/** Lines written per event-loop turn: a batch of 2,000 in one go holds the extension host ~10 ms. */
const LINES_PER_TURN = 200;

export class Output implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly logger: Logger;
  /** The token redactor of each cluster's last connection, by cluster key. */
  private readonly redactors = new Map<string, (text: string) => string>();
  /** Event lines not written yet, oldest first; written LINES_PER_TURN a turn. */
  private pending: string[] = [];
  private pendingFrom = 0;
  private drainScheduled?: NodeJS.Immediate;

  constructor() {
    this.channel = vscode.window.createOutputChannel(CHANNEL_NAME, { log: true });
    const r = (m: string) => this.redact(m);
    this.logger = {
      debug: (m) => this.channel.debug(r(m)),
      info: (m) => this.channel.info(r(m)),
      warn: (m) => this.channel.warn(r(m)),
      error: (m) => this.channel.error(r(m)),
    };
  }

  /**
   * The event lines of one cluster, labelled with its names; `cluster()` names it in each line
   * while several clusters are followed. Dispose to write what is pending.
   */
  eventLog(names: NameBook, cluster: () => string | undefined = () => undefined): EventLog {
    const lines = new Batcher<ArvadosEvent>({
      intervalMs: 250,
      maxItems: MAX_LINES_PER_BATCH * 4,
      flush: (events, dropped) => this.write(eventLogLines(events, dropped, names, MAX_LINES_PER_BATCH, cluster())),
    });
    return {
      log: (ev) => lines.push(ev),
      dispose: () => {
        lines.flushNow();
        lines.dispose();
        this.drain(Infinity);
      },
    };
  }

  private write(lines: string[]): void {
    for (const line of lines) this.pending.push(line);
    this.drainSoon();
  }

  private drainSoon(): void {
    this.drainScheduled ??= setImmediate(() => {
      this.drainScheduled = undefined;
      this.drain(LINES_PER_TURN);
    });
  }

  /** Writes up to `max` pending lines, and schedules the rest for the next turn. */
  private drain(max: number): void {
    const end = Math.min(this.pending.length, this.pendingFrom + max);
    // One entry per line: each gets its own timestamp and level.
    for (let i = this.pendingFrom; i < end; i++) this.channel.info(this.redact(this.pending[i]));
    this.pendingFrom = end;
    if (end < this.pending.length) this.drainSoon();
    else {
      this.pending = [];
      this.pendingFrom = 0;
    }
  }

  /** Keeps `redact` (the last connection's of cluster `key`): every line passes every cluster's. */
  setRedactor(key: string, redact: (text: string) => string): void {
    this.redactors.set(key, redact);
  }

  private redact(text: string): string {
    for (const r of this.redactors.values()) text = r(text);
    return text;
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.drain(Infinity);
    if (this.drainScheduled) clearImmediate(this.drainScheduled);
    this.channel.dispose();
  }
}
