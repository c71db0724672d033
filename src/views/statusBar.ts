/** The status bar item: connection state and events per second, updated at most twice a second. */
import * as vscode from 'vscode';
import { statusText, type StatusInput } from '../model/status';

export const STATUS_BAR_ID = 'arvados.status';
const MIN_INTERVAL_MS = 500;

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private timer?: NodeJS.Timeout;
  private ticker?: NodeJS.Timeout;
  private last = 0;
  private lastText = '';
  private lastTooltip = '';
  private lastSeverity = 'normal';

  constructor(private readonly input: () => StatusInput) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Arvados Events');
    this.item.command = 'arvados.showConnectionActions';
    this.update();
    this.item.show();
    // The rate decays without events: re-read it every second.
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
    this.ticker.unref?.();
  }

  /** Coalesces update requests to at most one per 500 ms. */
  requestUpdate(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.last + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, wait);
  }

  private update(): void {
    this.last = Date.now();
    const s = statusText(this.input());
    if (s.text !== this.lastText) {
      this.lastText = s.text;
      this.item.text = s.text;
    }
    if (s.tooltip !== this.lastTooltip) {
      this.lastTooltip = s.tooltip;
      this.item.tooltip = new vscode.MarkdownString(s.tooltip, true);
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
