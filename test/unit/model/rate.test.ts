import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRate, RateMeter } from '../../../src/model/rate';

test('the rate is the average over the window and decays to zero', () => {
  const m = new RateMeter(5000, 10);
  for (let t = 0; t < 5000; t += 10) m.record(10_000 + t); // 100 a second for 5 s
  const r = m.perSecond(14_999);
  assert.ok(r > 90 && r <= 100, String(r));
  assert.ok(m.perSecond(17_500) < r, 'older buckets fall out');
  assert.equal(m.perSecond(30_000), 0);
  m.record(30_000, 50);
  assert.equal(m.perSecond(30_000), 10);
  m.reset();
  assert.equal(m.perSecond(30_000), 0);
});

test('rates are formatted compactly', () => {
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(0.4), '0.4');
  assert.equal(formatRate(12.4), '12');
  assert.equal(formatRate(1234), '1.2k');
  assert.equal(formatRate(25_000), '25k');
});
