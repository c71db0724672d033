import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clustersStatusText, eventsDescription, stateWords, statusText, type StatusInput } from '../../../src/model/status';
import type { ClusterStatus } from '../../../src/model/cluster';

const base = (status: ClusterStatus, extra: Partial<StatusInput> = {}): StatusInput => ({ status, paused: false, pausedCount: 0, rate: 0, now: Date.parse('2026-01-01T00:01:00Z'), ...extra });
const open = (connection: Extract<ClusterStatus, { kind: 'open' }>['connection']): ClusterStatus => ({ kind: 'open', connection });

test('the status bar names the state: live, polling, reconnecting n, paused, closed, error', () => {
  assert.equal(statusText(base(open({ status: 'live', transport: 'websocket' }), { rate: 12.4 })).text, '$(pulse) Arvados: live · 12/s');
  assert.equal(statusText(base(open({ status: 'polling', transport: 'poll' }))).text, '$(history) Arvados: polling · 0/s');
  assert.match(statusText(base(open({ status: 'reconnecting', transport: 'websocket', attempt: 3, delayMs: 800, reason: 'code 1006' }))).text, /reconnecting 3/);
  assert.equal(statusText(base(open({ status: 'live', transport: 'websocket' }), { paused: true, pausedCount: 7 })).text, '$(debug-pause) Arvados: paused · 0/s · 7 new');
  assert.equal(statusText(base({ kind: 'closed' })).text, '$(debug-disconnect) Arvados: closed');
  const err = statusText(base({ kind: 'error', message: 'The API token was refused', cause: 'token' }));
  assert.equal(err.text, '$(error) Arvados: error');
  assert.equal(err.severity, 'error');
  assert.equal(stateWords({ kind: 'unconfigured', message: '' }), 'not configured');
});

test('the tooltip names the cluster and the last event time, and escapes what it quotes', () => {
  const s = statusText(base(open({ status: 'live', transport: 'websocket' }), { host: 'zzzzz.example', user: 'active', transport: 'websocket', lastEventAt: '2026-01-01T00:00:30Z' }));
  assert.match(s.tooltip, /Cluster \*\*zzzzz\\\.example\*\* · active/);
  assert.match(s.tooltip, /Last event: 2026-01-01T00:00:30Z \(30 s ago\)/);
  const e = statusText(base({ kind: 'unconfigured', message: 'Set ARVADOS_API_HOST' }));
  assert.match(e.tooltip, /ARVADOS\\_API\\_HOST/);
  assert.match(e.tooltip, /No cluster configured/);
});

test('the Events view description: shown, dropped, skipped, paused', () => {
  assert.equal(eventsDescription({ shown: 10, dropped: 0, skipped: 0, paused: false, pausedCount: 0 }), '10 shown');
  assert.equal(eventsDescription({ shown: 5000, dropped: 120, skipped: 3, paused: true, pausedCount: 9 }), '5000 shown · 120 dropped · 3 skipped · paused (9 new)');
  assert.equal(eventsDescription({ shown: 1, dropped: 0, skipped: 0, paused: true, pausedCount: 0 }), '1 shown · paused');
});

test('several clusters: the worst state and the total rate, a tooltip line per cluster', () => {
  const live = base(open({ status: 'live', transport: 'websocket' }), { rate: 10, host: 'a.example', cluster: 'a.example', user: 'alice' });
  const reconnecting = base(open({ status: 'reconnecting', transport: 'websocket', attempt: 2, delayMs: 800, reason: 'the server closed the connection' }), { rate: 3, host: 'b.example', cluster: 'bbbbb (b.example)' });
  const s = clustersStatusText([live, reconnecting]);
  assert.equal(s.text, '$(sync~spin) Arvados: reconnecting 2 · 13/s');
  assert.equal(s.severity, 'warning');
  // Markdown escapes aside (escapeMarkdown's backslashes).
  const lines = s.tooltip.replace(/\\/g, '').split('\n\n');
  assert.equal(lines[0], '**2 clusters**');
  assert.match(lines[1], /^\*\*a\.example\*\* · alice · live · 10\/s/);
  assert.match(lines[2], /^\*\*bbbbb \(b\.example\)\*\* · reconnecting 2 · 3\.0\/s — the server closed the connection$/);
  // One in error, one live: error is worst; the live one's rate still counts.
  const err = clustersStatusText([live, base({ kind: 'error', message: 'The API token was refused', cause: 'token' }, { cluster: 'c.example' })]);
  assert.equal(err.text, '$(error) Arvados: error · 10/s');
  assert.equal(err.severity, 'error');
  assert.match(err.tooltip.replace(/\\/g, ''), /\*\*c\.example\*\* · error — The API token was refused/);
  // One cluster: the single-cluster wording.
  assert.equal(clustersStatusText([live]).text, statusText(live).text);
});
