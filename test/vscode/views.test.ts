/**
 * The three views' tree data providers against the fake cluster's events, driven by the
 * extension's commands as a click or the palette would run them.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { setup, waitFor, waitForRows, rows, type Fixture, type Row } from './fixture';

const EVENTS = 'arvados.events';
const SUBSCRIPTIONS = 'arvados.subscriptions';
const WATCHED = 'arvados.watched';
const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand(command, ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('views', () => {
  let f: Fixture;

  before(async () => {
    f = await setup();
  });

  beforeEach(async () => {
    await run('arvados.clearEvents');
    await waitForRows(EVENTS, (rs) => rs.length === 0, 'empty after Clear Events');
  });

  describe('Events', () => {
    after(async () => {
      await run('arvados.groupBy', 'none');
      await vscode.workspace.getConfiguration('arvados').update('groupBy', undefined, vscode.ConfigurationTarget.Global);
    });

    it('one row per event, newest first, labelled with the object\'s name', async () => {
      const first = f.cluster.updateObject(f.reads, { name: 'reads-v2.bam' });
      const second = f.cluster.updateObject(f.other, { name: 'other-v2.vcf' });
      const rs = await waitForRows(EVENTS, (r) => r.length === 2, 'two events');
      assert.deepEqual(rs.map((r) => r.label), ['other-v2.vcf', 'reads-v2.bam']);
      for (const r of rs) {
        assert.equal(r.item.contextValue, 'event.collection', "an event names its object's kind (other features' menus match on it)");
        assert.match(String(r.item.description), / · update · collection$/);
        assert.equal(r.item.collapsibleState, vscode.TreeItemCollapsibleState.None);
        // A click opens the event.
        assert.equal(r.item.command?.command, 'arvados.openEvent');
      }
      // The argument is the event id (VS Code keeps every row's arguments), and the command resolves it.
      assert.deepEqual(rs.map((r) => r.item.command?.arguments), [[second.id, 'default'], [first.id, 'default']]);
      await run('arvados.openEvent', first.id);
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.path, { until: (p) => p === `/event-${first.id}.json`, message: 'the clicked event opened' });
      await run('workbench.action.closeAllEditors');
    });

    it('grouped by object: a group per object, its events as children', async () => {
      f.cluster.updateObject(f.reads, { name: 'reads-v3.bam' });
      f.cluster.updateObject(f.reads, { name: 'reads-v4.bam' });
      f.cluster.updateObject(f.other, { name: 'other-v3.vcf' });
      await waitForRows(EVENTS, (r) => r.length === 3, 'three events');
      await run('arvados.groupBy', 'object');
      const groups = await waitForRows(EVENTS, (r) => r.length === 2 && r.every((g) => g.item.contextValue === 'group.object'), 'two object groups');
      const readsGroup = groups.find((g) => g.item.tooltip === f.reads);
      assert.ok(readsGroup, 'a group for reads.bam');
      assert.equal(readsGroup.item.description, '2 events');
      assert.equal(readsGroup.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      const children = await rows(EVENTS, readsGroup.node);
      assert.equal(children.length, 2);
      assert.ok(children.every((c) => c.item.contextValue === 'event.collection'));
      await run('arvados.groupBy', 'none');
      await waitForRows(EVENTS, (r) => r.length === 3 && r.every((e) => e.item.contextValue === 'event.collection'), 'flat again');
    });

    it('paused: the view holds still while events arrive; Resume shows them', async () => {
      f.cluster.updateObject(f.reads, { name: 'reads-v5.bam' });
      await waitForRows(EVENTS, (r) => r.length === 1, 'one event');
      await run('arvados.pause');
      try {
        f.cluster.updateObject(f.other, { name: 'other-v4.vcf' });
        // Longer than a batch (250 ms) and the time the event takes to arrive.
        await sleep(1000);
        assert.deepEqual((await rows(EVENTS)).map((r) => r.label), ['reads-v5.bam']);
      } finally {
        await run('arvados.resume');
      }
      await waitForRows(EVENTS, (r) => r.length === 2 && r[0].label === 'other-v4.vcf', 'the held event shown');
    });
  });

  describe('Subscriptions', () => {
    after(async () => {
      await run('arvados.clearFilters');
    });

    it('"All events" without filters; a row per filter; removing it widens back', async () => {
      const all = await waitForRows(SUBSCRIPTIONS, (r) => r.length === 1, 'one row');
      assert.equal(all[0].label, 'All events');
      assert.equal(all[0].item.contextValue, 'allEvents');

      await run('arvados.addFilterForObject', f.reads);
      const filters = await waitForRows(SUBSCRIPTIONS, (r) => r.length === 1 && r[0].item.contextValue === 'filter', 'the filter');
      assert.deepEqual((filters[0].node as { filter: unknown }).filter, [['object_uuid', '=', f.reads]]);
      assert.match(filters[0].label, /^object uuid = /);
      // Only that object's events come through now.
      f.cluster.updateObject(f.other, { name: 'other-filtered.vcf' });
      f.cluster.updateObject(f.reads, { name: 'reads-filtered.bam' });
      const events = await waitForRows(EVENTS, (r) => r.some((e) => e.label === 'reads-filtered.bam'), 'the filtered object\'s event');
      assert.ok(!events.some((e) => e.label === 'other-filtered.vcf'), 'no event of another object');

      // The context menu's Remove Filter gets the clicked node.
      await run('arvados.removeFilter', filters[0].node);
      const back = await waitForRows(SUBSCRIPTIONS, (r) => r.length === 1 && r[0].item.contextValue === 'allEvents', 'All events again');
      assert.equal(back[0].label, 'All events');
    });
  });

  describe('Watched Objects', () => {
    after(async () => {
      await run('arvados.unwatchObject', f.reads);
    });

    it('a watched object shows with its name and kind from the cluster; Unwatch removes it', async () => {
      assert.deepEqual(await rows(WATCHED), []);
      await run('arvados.watchObject', f.reads);
      const watched: Row[] = await waitForRows(WATCHED, (r) => r.length === 1 && !r[0].label.includes('-4zz18-'), 'the watch with its name');
      assert.equal(watched[0].item.contextValue, 'watch.collection');
      assert.match(watched[0].label, /^reads/);
      assert.match(String(watched[0].item.description), /^collection/);
      await run('arvados.unwatchObject', watched[0].node);
      await waitForRows(WATCHED, (r) => r.length === 0, 'no watch');
    });
  });
});
