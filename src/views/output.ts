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
 * (formatting, VS Code's log file) and garbage to collect. A batch is written in one go (~1 ms).
 */
const MAX_LINES_PER_BATCH = 250;

export class Output implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly logger: Logger;
  /** The token redactor of each cluster's last connection, by cluster key. */
  private readonly redactors = new Map<string, (text: string) => string>();

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
      },
    };
  }

  private write(lines: string[]): void {
    // One entry per line: each gets its own timestamp and level.
    for (const line of lines) this.channel.info(this.redact(line));
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
    this.channel.dispose();
  }
}
