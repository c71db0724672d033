/**
 * Events opened as read-only, pretty-printed JSON documents (`arvados-event:/event-<id>.json`).
 * A content provider's documents cannot be edited. Opened events are remembered (bounded) so a
 * document still shows after its event left the buffer.
 */
import * as vscode from 'vscode';
import type { ArvadosEvent } from '../arvados';
import { LruMap } from '../model/lru';
import { t } from '../model/l10n';

export const EVENT_SCHEME = 'arvados-event';

export class EventDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly opened = new LruMap<number, ArvadosEvent>(500);
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly lookup: (id: number) => ArvadosEvent | undefined,
    private readonly redact: (text: string) => string,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, this);
  }

  static uriFor(id: number): vscode.Uri {
    return vscode.Uri.from({ scheme: EVENT_SCHEME, path: `/event-${id}.json` });
  }

  static idOf(uri: vscode.Uri): number | undefined {
    const m = /event-(\d+)\.json$/.exec(uri.path);
    return m ? Number(m[1]) : undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = EventDocuments.idOf(uri);
    const ev = id === undefined ? undefined : (this.opened.get(id) ?? this.lookup(id));
    if (!ev) return JSON.stringify({ error: t('Event {0} is no longer in the buffer.', String(id)) }, null, 2) + '\n';
    return this.redact(JSON.stringify(ev, null, 2)) + '\n';
  }

  async open(ev: ArvadosEvent, preview = true): Promise<vscode.TextEditor> {
    this.opened.set(ev.id, ev);
    const doc = await vscode.workspace.openTextDocument(EventDocuments.uriFor(ev.id));
    if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(doc, { preview, preserveFocus: false });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
