/** The ids in src/views/ids.ts and those package.json contributes are the same ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, CONTEXT, ITEMS, LIVE_LOG_PANEL, VIEWS } from '../../../src/views/ids';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const contributes = manifest.contributes;

test('every command is contributed, and every contributed command has its id', () => {
  const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(Object.values(COMMANDS).sort(), declared);
});

test('every view is contributed', () => {
  const declared = Object.values(contributes.views).flat().map((v) => (v as { id: string }).id).sort();
  assert.deepEqual(Object.values(VIEWS).sort(), declared);
});

test('when-clauses name only known context keys and item context values', () => {
  const whens: string[] = [
    ...contributes.viewsWelcome.map((w: { when: string }) => w.when),
    ...Object.values(contributes.menus).flat().map((m) => (m as { when?: string }).when ?? ''),
    ...contributes.commands.map((c: { enablement?: string }) => c.enablement ?? ''),
  ];
  const keys = new Set<string>(Object.values(CONTEXT));
  const items = new Set<string>([ITEMS.event, ITEMS.filter, ITEMS.allEvents, ITEMS.watch, ITEMS.cluster, ITEMS.group('object'), ITEMS.group('kind'), ITEMS.group('eventType')]);
  for (const when of whens) {
    for (const [key] of when.matchAll(/arvados\.[A-Za-z.]+/g)) {
      if (Object.values(VIEWS).includes(key as never) || key === LIVE_LOG_PANEL) continue;
      assert.ok(keys.has(key), `unknown context key ${key} in "${when}"`);
    }
    for (const m of when.matchAll(/viewItem == ([\w.]+)/g)) assert.ok(items.has(m[1]), `unknown item ${m[1]} in "${when}"`);
  }
});
