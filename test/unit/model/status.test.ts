import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clustersStatusText, connectionProblem, eventsDescription, pollingExplanation, stateWords, statusText, TokenRefusalNotice, type StatusInput } from '../../../src/model/status';
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

test('an error names the cluster it happened on, never "No cluster configured"', () => {
  for (const cause of ['certificate', 'unreachable'] as const) {
    const s = statusText(base({ kind: 'error', message: 'The TLS certificate of zzzzz.example is not trusted', cause, host: 'zzzzz.example' }));
    assert.doesNotMatch(s.tooltip, /No cluster configured/);
    assert.match(s.tooltip, /Cluster \*\*zzzzz\\\.example\*\*/);
  }
});

test('waiting for the host: the state names it, and the tooltip says when the next try is', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const waiting: ClusterStatus = { kind: 'waiting', message: 'zzzzz.example refused the connection (ECONNREFUSED)', cause: 'unreachable', host: 'zzzzz.example', attempt: 3, retryAt: now + 7_400 };
  const s = statusText(base(waiting));
  assert.equal(s.text, '$(watch) Arvados: waiting for zzzzz.example');
  assert.equal(s.severity, 'warning');
  assert.match(s.tooltip, /Trying again by itself: next try in 8 s \(attempt 4\)/);
  assert.match(s.tooltip, /refused the connection \\\(ECONNREFUSED\\\)/);
  assert.equal(connectionProblem(waiting), 'Waiting for zzzzz.example: zzzzz.example refused the connection (ECONNREFUSED) Trying again by itself; it connects as soon as the cluster answers.');
});

test('polling says why and how often, in the tooltip and above the rows; it never claims to be live', () => {
  const polling = open({ status: 'polling', transport: 'poll' });
  const s = statusText(base(polling, { host: 'zzzzz.example', transport: 'poll', pollIntervalMs: 15_000, pollReason: 'zzzzz.example publishes no websocket URL' }));
  assert.match(s.tooltip, /Polling the logs API every 15 s, so events appear up to 15 s after they happen: zzzzz\\\.example publishes no websocket URL\\\./);
  assert.doesNotMatch(s.text + s.tooltip, /\blive\b/);
  assert.equal(connectionProblem(polling, { reason: 'ARVADOS_DISABLE_WEBSOCKETS is set', intervalMs: 5000 }), 'Polling the logs API every 5 s, so events appear up to 5 s after they happen: ARVADOS_DISABLE_WEBSOCKETS is set.');
  assert.equal(pollingExplanation(undefined, 2000), 'Polling the logs API every 2 s, so events appear up to 2 s after they happen.');
  assert.equal(connectionProblem(open({ status: 'live', transport: 'websocket' })), undefined);
});

test("the status bar's accessible label is plain words: no Markdown, no icon names", () => {
  const inputs: StatusInput[] = [
    base(open({ status: 'live', transport: 'websocket' }), { host: 'zzzzz.example', user: 'a_user*', transport: 'websocket', rate: 3, lastEventAt: '2026-01-01T00:00:30Z' }),
    base({ kind: 'error', message: 'The API token was refused by zzzzz.example (401). Use "Arvados: Set API Token".', cause: 'token', host: 'zzzzz.example' }),
    base({ kind: 'unconfigured', message: 'Set ARVADOS_API_HOST' }),
    base(open({ status: 'live', transport: 'websocket' }), { paused: true, pausedCount: 4 }),
  ];
  for (const input of inputs) {
    const { accessibleLabel } = statusText(input);
    assert.doesNotMatch(accessibleLabel, /\$\(|\*\*|\\|`/, accessibleLabel);
    assert.match(accessibleLabel, /^Arvados Events: /);
  }
  const live = statusText(inputs[0]).accessibleLabel;
  assert.match(live, /Arvados Events: live, 3\.0\/s\. Cluster zzzzz\.example · a_user\*\. State: live \(websocket\)\. Last event/);
  assert.match(statusText(inputs[1]).accessibleLabel, /ARVADOS_API_TOKEN|Set API Token/);
  assert.match(statusText(inputs[2]).accessibleLabel, /ARVADOS_API_HOST/);
});

test('a refused token is notified once, not at every retry; again after a success', () => {
  const notice = new TokenRefusalNotice();
  const refused: ClusterStatus = { kind: 'error', message: 'The API token was refused', cause: 'token', host: 'zzzzz.example' };
  assert.equal(notice.shouldNotify(refused), true);
  assert.equal(notice.shouldNotify({ kind: 'connecting' }), false);
  assert.equal(notice.shouldNotify(refused), false, 'not again for the same refusal');
  assert.equal(notice.shouldNotify({ kind: 'error', message: 'unreachable', cause: 'unreachable' }), false, 'other errors never');
  assert.equal(notice.shouldNotify(open({ status: 'live', transport: 'websocket' })), false);
  assert.equal(notice.shouldNotify(refused), true, 'after a success, a new refusal is news');
  assert.equal(notice.shouldNotify({ ...refused, host: 'other.example' }), true, 'another host is news');
});
