/**
 * Events opened as read-only, pretty-printed JSON documents, `arvados-event://<host>/event-<id>.json`:
 * the URI names the cluster the event came from (ids are per cluster). A content provider's
 * documents cannot be edited. Opened events are remembered (bounded) so a document still shows
 * after its event left the buffer.
 */
import * as vscode from 'vscode';
import type { ArvadosEvent } from '../../arvados';
import { LruMap } from '../../model/lru';
import { t } from '../../model/l10n';
import { EVENT_SCHEME } from '../ids';
import type { EventNode } from '../nodes';

export class EventDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly opened = new LruMap<string, ArvadosEvent>(500);
  private readonly registration: vscode.Disposable;

  constructor(
    /** An event still in the buffer, when it came from that host. */
    private readonly lookup: (host: string, id: number) => ArvadosEvent | undefined,
    private readonly redact: (text: string) => string,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, this);
  }

  static uriFor(host: string, id: number): vscode.Uri {
    return vscode.Uri.from({ scheme: EVENT_SCHEME, authority: host, path: `/event-${id}.json` });
  }

  static sourceOf(uri: vscode.Uri): { host: string; id: number } | undefined {
    const m = /^\/event-(\d+)\.json$/.exec(uri.path);
    return m ? { host: uri.authority, id: Number(m[1]) } : undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = EventDocuments.sourceOf(uri);
    const ev = source && (this.opened.get(uri.toString()) ?? this.lookup(source.host, source.id));
    if (!ev) return JSON.stringify({ error: t('Event {0} is no longer in the buffer.', String(source?.id)) }, null, 2) + '\n';
    // The event's fields in the order of its type (the engine keeps the server's, which sorts them).
    const { id, uuid, object_uuid, object_owner_uuid, object_kind, event_type, event_at, properties, ...rest } = ev;
    const ordered = { id, uuid, object_uuid, object_owner_uuid, object_kind, event_type, event_at, properties, ...rest };
    return this.redact(JSON.stringify(ordered, null, 2)) + '\n';
  }

  async open({ event, host }: EventNode, preview = true): Promise<vscode.TextEditor> {
    const uri = EventDocuments.uriFor(host ?? '', event.id);
    this.opened.set(uri.toString(), event);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(doc, { preview, preserveFocus: false });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
