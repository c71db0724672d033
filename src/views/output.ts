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

export const CHANNEL_NAME = 'Arvados Events';
const MAX_LINES_PER_BATCH = 2000;

export class Output implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  readonly logger: Logger;
  private redact: (text: string) => string = (s) => s;
  private readonly lines: Batcher<ArvadosEvent>;

  constructor(private readonly names?: NameBook) {
    this.channel = vscode.window.createOutputChannel(CHANNEL_NAME, { log: true });
    const r = (m: string) => this.redact(m);
    this.logger = {
      debug: (m) => this.channel.debug(r(m)),
      info: (m) => this.channel.info(r(m)),
      warn: (m) => this.channel.warn(r(m)),
      error: (m) => this.channel.error(r(m)),
    };
    this.lines = new Batcher<ArvadosEvent>({
      intervalMs: 250,
      maxItems: MAX_LINES_PER_BATCH * 4,
      flush: (events, dropped) => {
        const lines = eventLogLines(events, dropped, this.names, MAX_LINES_PER_BATCH);
        // One entry per line: each gets its own timestamp and level.
        for (const line of lines) this.channel.info(r(line));
      },
    });
  }

  setRedactor(redact: ((text: string) => string) | undefined): void {
    this.redact = redact ?? ((s) => s);
  }

  logEvent(ev: ArvadosEvent): void {
    this.lines.push(ev);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.lines.flushNow();
    this.lines.dispose();
    this.channel.dispose();
  }
}
