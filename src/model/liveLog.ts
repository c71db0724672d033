/**
 * One open live log: a process log follower and what a view needs of it, without vscode. New
 * lines are batched (one append per `flushMs`) as text to append, so a view's cost per update is
 * the new text, not the whole log; the view keeps only the newest `maxChars` and says how much it
 * trimmed. The first line of the view gives the state ("Running on container …").
 */
import {
  DEFAULT_LOG_FILES,
  Emitter,
  ProcessLogFollower,
  type LogApi,
  type LogLine,
  type Logger,
  type ProcessOutcome,
  type ProcessPhase,
} from '../arvados';
import { t } from './l10n';

export interface LiveLogOptions {
  files?: string[];
  /** Most characters a view keeps (default 4 MB worth). */
  maxChars?: number;
  flushMs?: number;
  runningIntervalMs?: number;
  waitingIntervalMs?: number;
  logger?: Logger;
}

/** What a view shows as the first line. */
export function describePhase(p: ProcessPhase): string {
  switch (p.phase) {
    case 'waiting':
      return t('Waiting: the request is {0} and has no container yet', p.requestState);
    case 'queued':
      return p.schedulingStatus ? t('{0} (container {1}): {2}', p.containerState, p.containerUuid, p.schedulingStatus) : t('{0} (container {1})', p.containerState, p.containerUuid);
    case 'running':
      return t('Running on container {0}', p.containerUuid);
    case 'finished':
      return t('Finished: {0}', describeOutcome(p.outcome));
  }
}

export function describeOutcome(o: ProcessOutcome): string {
  if (o.kind === 'succeeded') return t('succeeded');
  if (o.kind === 'cancelled') return t('cancelled');
  return o.exitCode === null ? t('failed') : t('failed with exit code {0}', o.exitCode);
}

/** A line as the view shows it: the file's short name, then the line. */
export function formatLine(l: LogLine): string {
  return `${l.file.replace(/\.txt$/, '').padEnd(9)} ${l.text}`;
}

export class LiveLog {
  private readonly appended = new Emitter<string>();
  private readonly statusChanged = new Emitter<string>();
  private readonly ended = new Emitter<ProcessOutcome | Error>();
  /** Text to append, batched: one view update per flush. */
  readonly onAppend = this.appended.event;
  /** The first line changed. */
  readonly onStatus = this.statusChanged.event;
  /** The request finished (or the log cannot be followed: the error says why). */
  readonly onEnd = this.ended.event;
  private follower?: ProcessLogFollower;
  private pending: string[] = [];
  private timer?: NodeJS.Timeout;
  private disposed = false;
  private filesValue: string[];
  status = t('Connecting…');
  name?: string;
  /** Characters appended in all (the view keeps the newest `maxChars` of them). */
  totalChars = 0;
  readonly maxChars: number;

  constructor(
    private readonly api: LogApi,
    readonly uuid: string,
    private readonly options: LiveLogOptions = {},
  ) {
    this.filesValue = options.files?.length ? [...options.files] : [...DEFAULT_LOG_FILES];
    this.maxChars = options.maxChars ?? 4_000_000;
  }

  get files(): readonly string[] {
    return this.filesValue;
  }

  /** Starts following (from the last part of each file, as `arvados-client logs` does). */
  start(): void {
    this.follow(false);
  }

  /** Follows another set of files, from their start. */
  setFiles(files: string[]): void {
    if (!files.length) return;
    this.filesValue = [...new Set(files)];
    this.follower?.close();
    this.append(`${'—'.repeat(8)} ${t('now following {0}', this.filesValue.join(', '))} ${'—'.repeat(8)}`);
    this.follow(true);
  }

  /** Reads at once: an event about the request or its container arrived. */
  poke(): void {
    this.follower?.poke();
  }

  /** The request and its current container, for telling which events should poke it. */
  get watchedUuids(): string[] {
    return [this.follower?.requestUuid ?? this.uuid, ...(this.currentContainer ? [this.currentContainer] : [])];
  }

  private currentContainer?: string;

  private follow(fromStart: boolean): void {
    const follower = new ProcessLogFollower(this.api, this.uuid, {
      files: this.filesValue,
      fromStart,
      follow: true,
      runningIntervalMs: this.options.runningIntervalMs,
      waitingIntervalMs: this.options.waitingIntervalMs,
      logger: this.options.logger,
      onLines: (lines) => {
        if (follower !== this.follower) return;
        for (const l of lines) this.append(formatLine(l));
      },
      onPhase: (p) => {
        if (follower !== this.follower) return;
        if ('containerUuid' in p && p.containerUuid) this.currentContainer = p.containerUuid;
        this.name = follower.requestName ?? this.name;
        this.setStatus(describePhase(p));
      },
    });
    this.follower = follower;
    follower.run().then(
      (outcome) => {
        if (follower !== this.follower || this.disposed || !outcome) return;
        this.flush();
        this.ended.fire(outcome);
      },
      (err: Error) => {
        if (follower !== this.follower || this.disposed) return;
        this.flush();
        this.setStatus(t('Cannot follow this log: {0}', this.api.redact(err.message)));
        this.ended.fire(err);
      },
    );
  }

  private setStatus(text: string): void {
    if (text === this.status) return;
    this.status = text;
    this.statusChanged.fire(text);
  }

  private append(line: string): void {
    this.pending.push(line);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.options.flushMs ?? 100);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || this.disposed) return;
    let text = this.pending.join('\n') + '\n';
    this.pending = [];
    // More than a view keeps, in one batch: hand on only its end.
    if (text.length > this.maxChars) text = text.slice(text.length - this.maxChars);
    this.totalChars += text.length;
    this.appended.fire(text);
  }

  /** Stops polling; nothing more is appended. */
  dispose(): void {
    this.disposed = true;
    this.follower?.close();
    this.follower = undefined;
    clearTimeout(this.timer);
    this.appended.dispose();
    this.statusChanged.dispose();
    this.ended.dispose();
  }
}
