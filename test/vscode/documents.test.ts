/**
 * `arvados-event:` documents: an event as read-only JSON, opened by the Events view's click
 * command or from its URI alone. (Live-log documents do not exist yet.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { setup, waitForRows, type Fixture } from './fixture';

interface EventJson { id: number; uuid: string; object_uuid: string; object_kind: string; event_type: string; properties: Record<string, unknown> }

/** The event of a row's node, `{ kind: 'event', event, host }` (its click command passes the event id). */
function eventOf(node: unknown): EventJson | undefined {
  const n = node as { kind?: string; event?: EventJson } | undefined;
  return n?.kind === 'event' ? n.event : undefined;
}

describe('arvados-event: documents', () => {
  let f: Fixture;
  let ev: EventJson;
  /** Another event, never opened from the view. */
  let otherId: number;

  before(async () => {
    f = await setup();
    const row = f.cluster.updateObject(f.reads, { name: 'reads-doc.bam' });
    otherId = f.cluster.updateObject(f.other, { name: 'other-doc.vcf' }).id;
    const shown = (id: number) => (r: { node: unknown }) => eventOf(r.node)?.id === id;
    const rs = await waitForRows('arvados.events', (r) => r.some(shown(row.id)) && r.some(shown(otherId)), 'the events');
    ev = eventOf(rs.find(shown(row.id))!.node)!;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the Events view\'s click command opens the event as a JSON document', async () => {
    const rs = await waitForRows('arvados.events', (r) => r.length > 0, 'events');
    const row = rs.find((r) => eventOf(r.node)?.id === ev.id)!;
    assert.deepEqual(row.item.command?.arguments, [ev.id, 'default'], 'the click passes the event id and its cluster');
    await vscode.commands.executeCommand(row.item.command!.command, ...(row.item.command!.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor opened');
    const doc = editor.document;
    assert.equal(doc.uri.toString(), `arvados-event://${f.cluster.host}/event-${ev.id}.json`, 'the URI names the cluster');
    assert.equal(doc.languageId, 'json');
    assert.equal(doc.isDirty, false);
    const json = JSON.parse(doc.getText()) as EventJson;
    assert.equal(json.id, ev.id);
    assert.equal(json.object_uuid, f.reads);
    assert.equal(json.object_kind, 'arvados#collection');
    assert.equal(json.event_type, 'update');
    // Pretty-printed, two spaces.
    assert.match(doc.getText(), new RegExp(`^\\{\\n  "id": ${ev.id},\\n`));
  });

  it('resolves from its URI alone, as the cluster logged the event, without the token', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(`arvados-event://${f.cluster.host}/event-${otherId}.json`));
    const json = JSON.parse(doc.getText()) as EventJson;
    const logged = f.cluster.logRows().find((r) => r.id === otherId);
    assert.ok(logged, 'the cluster logged it');
    assert.equal(json.id, otherId);
    assert.equal(json.uuid, logged.uuid);
    assert.equal(json.object_uuid, f.other);
    assert.equal((json.properties.new_attributes as { name?: string }).name, 'other-doc.vcf');
    const secret = f.cluster.users.active.token.split('/')[2];
    assert.ok(!doc.getText().includes(secret), 'never the token');
  });

  it('an event no longer in the buffer resolves to an explanation', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(`arvados-event://${f.cluster.host}/event-987654321.json`));
    assert.deepEqual(JSON.parse(doc.getText()), { error: 'Event 987654321 is no longer in the buffer.' });
  });
});
