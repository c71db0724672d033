import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { effectiveHost } from '../../src/model/connection';
import { eventLogLines } from '../../src/model/eventLog';
import { defaultExportName, toJsonLines } from '../../src/model/exportEvents';
import { formatMessage, setTranslator, t } from '../../src/model/l10n';
import { formatLoopSample, LoopMonitor } from '../../src/model/loopMonitor';
import { ev, resetIds } from './model-fixtures';

test('export writes JSON Lines, oldest first, through the redactor', () => {
  resetIds();
  const text = toJsonLines([ev({ new: { name: 'secret-token' } }), ev()], (s) => s.replace('secret-token', '***'));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[0]).id, 1);
  assert.ok(!text.includes('secret-token'));
  assert.equal(defaultExportName(new Date('2026-11-24T10:00:00.123Z')), 'arvados-events-2026-11-24T10-00-00.jsonl');
});

test('output lines: one per event, bounded per batch with a count of the rest', () => {
  resetIds();
  const events = Array.from({ length: 5 }, () => ev());
  const lines = eventLogLines(events, 2, undefined, 3);
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^event #1 update container request /);
  assert.match(lines[3], /4 more events not logged/);
  assert.deepEqual(eventLogLines([], 0, undefined, 3), []);
});

test('l10n: placeholders are filled; a translator can be plugged in', () => {
  assert.equal(formatMessage('{0} of {1} ({0})', 1, 'two'), '1 of two (1)');
  assert.equal(formatMessage('{2}', 1), '{2}');
  setTranslator((m, ...a) => `[${formatMessage(m, ...a)}]`);
  assert.equal(t('x {0}', 1), '[x 1]');
  setTranslator(formatMessage);
});

test('the effective host: setting, else environment, else settings.conf', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-conf-'));
  fs.mkdirSync(path.join(dir, 'arvados'));
  fs.writeFileSync(path.join(dir, 'arvados', 'settings.conf'), 'ARVADOS_API_HOST=fromfile.example:8443\nARVADOS_API_TOKEN=x\n');
  const env = { HOME: dir, XDG_CONFIG_HOME: dir, XDG_CONFIG_DIRS: '/nonexistent' };
  assert.equal(effectiveHost('https://set.example/', env), 'set.example');
  assert.equal(effectiveHost('', { ...env, ARVADOS_API_HOST: 'env.example' }), 'env.example');
  assert.equal(effectiveHost(undefined, env), 'fromfile.example:8443');
  assert.equal(effectiveHost(undefined, { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent', XDG_CONFIG_DIRS: '/nonexistent' }), undefined);
  assert.equal(effectiveHost('http://bad', env), undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the loop monitor samples delay and heap, and stops', async () => {
  const lines: string[] = [];
  const m = new LoopMonitor((line) => lines.push(line), 60_000);
  m.start();
  assert.ok(m.running);
  await new Promise((r) => setTimeout(r, 30));
  const s = m.sample();
  assert.ok(s && s.heapUsedMb > 0);
  assert.match(lines[0], /^event loop delay p50 [\d.]+ ms p99 [\d.]+ ms max [\d.]+ ms; heap used [\d.]+ MB/);
  m.stop();
  assert.equal(m.sample(), undefined);
  assert.match(formatLoopSample({ p50Ms: 1, p99Ms: 2, maxMs: 3, heapUsedMb: 4, rssMb: 5 }), /p50 1\.0 ms/);
});

test('the mirrored store keeps chosen keys in a file, written at once, and reads them back first', async () => {
  const { MirroredStore } = await import('../../src/model/mirroredStore');
  const { MemoryStore } = await import('../../src/model/store');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-store-'));
  const file = path.join(dir, 'sub', 'state.json');
  const primary = new MemoryStore();
  const store = new MirroredStore(primary, file, new Set(['pos']));
  store.update('pos', { host: 'h', id: 5 });
  store.update('other', [1]);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { pos: { host: 'h', id: 5 } }, 'only the chosen keys go to the file');
  assert.deepEqual(primary.get('pos'), { host: 'h', id: 5 }, 'and to the primary store');
  // The window lost the last update: the file still has it.
  primary.update('pos', { host: 'h', id: 3 });
  assert.deepEqual(new MirroredStore(primary, file, new Set(['pos'])).get('pos'), { host: 'h', id: 5 });
  assert.deepEqual(new MirroredStore(primary, path.join(dir, 'missing.json'), new Set(['pos'])).get('pos'), { host: 'h', id: 3 }, 'no file: the primary store');
  fs.writeFileSync(file, 'garbage');
  assert.deepEqual(new MirroredStore(primary, file, new Set(['pos'])).get('pos'), { host: 'h', id: 3 });
  fs.rmSync(dir, { recursive: true, force: true });
});
