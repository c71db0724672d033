/**
 * A live log in an editor tab: a webview, because a text document provider must hand over the
 * whole text on every change, while a webview takes only what is new (appending costs O(new
 * text)). The page keeps the newest `maxChars` and says how much it trimmed; the end stays in
 * view unless the user has scrolled up. The first line gives the state. Read-only by nature.
 */
import * as vscode from 'vscode';
import type { LiveLog } from '../../model/liveLog';
import { describeOutcome } from '../../model/liveLog';
import { LIVE_LOG_PANEL } from '../ids';

const t = vscode.l10n.t;

type ToPage =
  | { type: 'append'; text: string }
  | { type: 'status'; text: string; ended?: 'succeeded' | 'failed' }
  | { type: 'files'; files: string };

export class LiveLogPanel implements vscode.Disposable {
  static readonly viewType = LIVE_LOG_PANEL;
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  /** Messages for the page before its script has said it is ready. */
  private queued: ToPage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(readonly log: LiveLog) {
    this.panel = vscode.window.createWebviewPanel(LiveLogPanel.viewType, this.title(), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [],
    });
    this.panel.webview.html = page(this.panel.webview.cspSource, nonce(), log.maxChars);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: { type?: string }) => {
        if (m?.type !== 'ready') return;
        this.ready = true;
        const queued = this.queued;
        this.queued = [];
        this.post({ type: 'status', text: log.status });
        this.post({ type: 'files', files: log.files.join(', ') });
        for (const q of queued) this.post(q);
      }),
      log.onAppend((text) => this.post({ type: 'append', text })),
      log.onStatus((text) => {
        this.panel.title = this.title();
        this.post({ type: 'status', text });
      }),
      log.onEnd((end) => {
        if (end instanceof Error) return;
        this.post({ type: 'status', text: log.status, ended: end.kind === 'succeeded' ? 'succeeded' : 'failed' });
        this.panel.title = `${this.log.name ?? this.log.uuid} · ${describeOutcome(end)}`;
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Follows other files (the page says so). */
  setFiles(files: string[]): void {
    this.log.setFiles(files);
    this.post({ type: 'files', files: this.log.files.join(', ') });
  }

  private title(): string {
    return t('{0} · log', this.log.name ?? this.log.uuid);
  }

  private post(message: ToPage): void {
    if (!this.ready) {
      this.queued.push(message);
      // Before the page is up, keep only a bounded amount of text.
      let chars = 0;
      for (let i = this.queued.length - 1; i >= 0; i--) {
        const q = this.queued[i];
        if (q.type === 'append') chars += q.text.length;
        if (chars > this.log.maxChars) {
          this.queued = this.queued.slice(i + 1);
          break;
        }
      }
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    // Polling stops when the tab closes.
    this.log.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.disposed.fire();
    this.disposed.dispose();
    this.panel.dispose();
  }
}

function nonce(): string {
  let s = '';
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

function page(cspSource: string, n: string, maxChars: number): string {
  const trimmedWord = JSON.stringify(t('{0} of older output trimmed: this tab keeps the newest {1}.'));
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${n}">
  html, body { height: 100%; margin: 0; padding: 0; }
  body { display: flex; flex-direction: column; color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  header { padding: 4px 12px; border-bottom: 1px solid var(--vscode-panel-border, transparent); font-family: var(--vscode-font-family); }
  header.succeeded #status::before { content: '✓ '; color: var(--vscode-testing-iconPassed); }
  header.failed #status::before { content: '✗ '; color: var(--vscode-testing-iconFailed); }
  #files, #trimmed { opacity: 0.8; font-size: 0.9em; }
  #log { flex: 1; overflow: auto; margin: 0; padding: 4px 12px; white-space: pre; tab-size: 8; }
  #log:focus { outline: 1px solid var(--vscode-focusBorder); }
</style>
</head>
<body>
<header><div id="status" role="status" aria-live="polite"></div><div id="files"></div><div id="trimmed" hidden></div></header>
<pre id="log" role="log" aria-live="off" tabindex="0" aria-label="${escapeHtml(t('Process log'))}"></pre>
<script nonce="${n}">
  const vscode = acquireVsCodeApi();
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const header = document.querySelector('header');
  const files = document.getElementById('files');
  const trimmedNote = document.getElementById('trimmed');
  const maxChars = ${maxChars};
  const trimmedWord = ${trimmedWord};
  let kept = 0;
  let trimmed = 0;
  const size = (n) => n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.round(n / 1e3) + ' kB';
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (m.type === 'status') {
      status.textContent = m.text;
      header.className = m.ended || '';
    } else if (m.type === 'files') {
      files.textContent = m.files;
    } else if (m.type === 'append') {
      // Follow the end only if the reader is at the end now.
      const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(document.createTextNode(m.text));
      kept += m.text.length;
      while (kept > maxChars && log.firstChild) {
        const first = log.firstChild;
        kept -= first.textContent.length;
        trimmed += first.textContent.length;
        first.remove();
      }
      if (trimmed) {
        trimmedNote.hidden = false;
        trimmedNote.textContent = trimmedWord.replace('{0}', size(trimmed)).replace('{1}', size(maxChars));
      }
      if (atEnd) log.scrollTop = log.scrollHeight;
    }
  });
  vscode.postMessage({ type: 'ready' });
</script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
