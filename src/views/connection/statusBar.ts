/**
 * The status bar item: connection state and events per second (of several clusters: the worst
 * state and the total rate, with a tooltip line per cluster). The rate is updated at most twice a
 * second; a change of state (connected, reconnecting, paused…) shows at once.
 */
import * as vscode from 'vscode';
import { clustersStatusText, stateWords, type StatusInput } from '../../model/status';
import { COMMANDS, STATUS_BAR_ID } from '../ids';
const MIN_INTERVAL_MS = 500;

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private timer?: NodeJS.Timeout;
  private ticker?: NodeJS.Timeout;
  private last = 0;
  private lastText = '';
  private lastTooltip = '';
  private lastSeverity = 'normal';
  private lastLabel = '';
  private lastState = '';

  constructor(private readonly input: () => StatusInput[]) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Arvados Events');
    this.item.command = COMMANDS.showConnectionActions;
    this.update();
    this.item.show();
    // The rate decays without events: re-read it every second.
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
    this.ticker.unref?.();
  }

  /** Coalesces update requests to at most one per 500 ms, unless the state changed. */
  requestUpdate(): void {
    const input = this.input();
    if (stateOf(input) !== this.lastState) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.update(input);
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.last + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, wait);
  }

  private update(input: StatusInput[] = this.input()): void {
    this.last = Date.now();
    this.lastState = stateOf(input);
    const s = clustersStatusText(input);
    if (s.text !== this.lastText) {
      this.lastText = s.text;
      this.item.text = s.text;
    }
    if (s.tooltip !== this.lastTooltip) {
      this.lastTooltip = s.tooltip;
      this.item.tooltip = new vscode.MarkdownString(s.tooltip, true);
    }
    if (s.accessibleLabel !== this.lastLabel) {
      this.lastLabel = s.accessibleLabel;
      // Screen readers read this instead of the text and its Markdown tooltip.
      this.item.accessibilityInformation = { label: s.accessibleLabel, role: 'button' };
    }
    if (s.severity !== this.lastSeverity) {
      this.lastSeverity = s.severity;
      this.item.backgroundColor = s.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : s.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.item.dispose();
  }
}

/** What the item says apart from the rate and counts: the state in words, and paused. */
function stateOf(input: StatusInput[]): string {
  return input.map((i) => `${stateWords(i.status)}|${i.paused}`).join(',');
}
