/** The recently delivered ids (dedupe without a high-water mark) and the stream position (where a re-read starts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveredIds } from '../../../src/arvados/deliveredIds';
import { StreamPosition } from '../../../src/arvados/position';

test('a lower id after a higher one is new; a repeat is not', () => {
  const d = new DeliveredIds();
  assert.equal(d.add(10), true);
  assert.equal(d.add(7), true, 'a late commit');
  assert.equal(d.add(10), false);
  assert.equal(d.add(7), false);
  assert.equal(d.highest, 10);
});

test('ids delivered more than the window before the newest delivery are forgotten, and count as delivered', () => {
  let now = 0;
  const d = new DeliveredIds({ windowMs: 1000, now: () => now });
  d.add(1);
  now = 500;
  d.add(5);
  now = 1600;
  d.add(9); // 1 is now 1600 ms older than the newest delivery; 5 only 1100 ms
  assert.equal(d.forgottenThrough, 5);
  assert.equal(d.has(3), true, 'below what was forgotten: too late to deliver');
  assert.equal(d.has(6), false, 'above it: a late commit is still new');
  assert.equal(d.size, 1);
});

test('an outage does not age what was delivered: the window is measured back from the newest delivery', () => {
  let now = 0;
  const d = new DeliveredIds({ windowMs: 1000, now: () => now });
  d.add(1);
  d.add(2);
  now = 1_000_000;
  assert.equal(d.has(2), true);
  assert.equal(d.add(3), true);
  assert.equal(d.forgottenThrough, 2, 'only now, with a newer delivery, do the old ones go');
});

test('capacity bounds memory', () => {
  const d = new DeliveredIds({ capacity: 100 });
  for (let i = 1; i <= 1000; i++) d.add(i);
  assert.equal(d.size, 100);
  assert.equal(d.forgottenThrough, 900);
  assert.equal(d.has(900), true);
  assert.equal(d.has(1001), false);
});

test('skipThrough makes everything up to a resume point count as delivered', () => {
  const d = new DeliveredIds();
  d.add(50);
  d.skipThrough(100);
  assert.equal(d.has(60), true);
  assert.equal(d.add(101), true);
  assert.equal(d.size, 1);
});

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, 0) + s * 1000).toISOString();

test('the overlap starts at the id reached a window before the newest row', () => {
  const p = new StreamPosition({ lateWindowMs: 60_000 });
  p.startAt(100);
  for (let s = 0; s <= 120; s++) p.advance(100 + (s + 1) * 10, at(s)); // ten ids a second
  assert.equal(p.resumeId, 1310);
  // The newest row is at second 120; the window opens at second 60, when the stream had reached id 700.
  assert.equal(p.overlapStart(), 700);
});

test('the overlap never reaches below a resume point given at start, nor further back than maxOverlapIds', () => {
  const p = new StreamPosition({ lateWindowMs: 60_000, maxOverlapIds: 50 });
  p.startAt(1000);
  p.advance(1010, at(0));
  assert.equal(p.overlapStart(), 1000, 'nothing before the resume point is re-read');
  for (let s = 1; s <= 10; s++) p.advance(1010 + s * 100, at(s));
  assert.equal(p.overlapStart(), 2010 - 50);
});

test('rows without an event_at move the resume point but not the marks', () => {
  const p = new StreamPosition();
  p.advance(5);
  assert.equal(p.resumeId, 5);
  assert.equal(p.overlapStart(), 5);
});

test('StreamPosition: rows of the same second share a mark; the same time of day on another day is another second', () => {
  const p = new StreamPosition({ lateWindowMs: 60_000 });
  p.advance(10, '2026-12-01T10:00:00.100Z');
  p.advance(20, '2026-12-01T10:00:00.900Z');
  p.advance(30, '2026-12-02T10:00:00.100Z');
  // A day later: the first day's rows are outside the window; a re-read starts after them.
  assert.equal(p.overlapStart(), 20);
  p.advance(40, '2026-12-02T10:00:00.500Z');
  assert.equal(p.resumeId, 40);
  assert.equal(p.overlapStart(), 20);
});

test('ids in order, then out of order, then in order again: every repeat is caught, every new id let through', () => {
  let now = 0;
  const d = new DeliveredIds({ windowMs: 1000, capacity: 50, now: () => now });
  // A reference: a plain set of everything delivered, less what is forgotten.
  const seen = new Set<number>();
  const check = (id: number) => {
    const isNew = id > d.forgottenThrough && !seen.has(id);
    assert.equal(d.has(id), !isNew, `has(${id})`);
    assert.equal(d.add(id), isNew, `add(${id})`);
    seen.add(id);
  };
  for (let id = 1; id <= 40; id++) check(id); // in order: the sorted queue
  for (const id of [35, 20, 41, 38, 39, 45, 43, 44, 42, 45, 1]) check(id); // late commits and repeats
  assert.equal(d.size, 45);
  now = 5000; // the window passes: the queue empties down to the newest
  check(46);
  assert.equal(d.forgottenThrough, 45);
  for (const id of [47, 49, 48, 49, 50, 46, 44]) check(id);
  for (let id = 51; id <= 200; id++) check(id); // past the capacity
  assert.equal(d.size, 50);
  assert.equal(d.forgottenThrough, 150);
  for (const id of [150, 151, 199, 200, 201]) check(id);
  d.skipThrough(190);
  assert.equal(d.size, 11, '191…201');
  for (const id of [185, 190, 191, 202]) check(id);
});

/** The plain model of DeliveredIds: a set and a queue, expired by time and capacity. */
class ReferenceIds {
  ids = new Set<number>();
  queue: Array<[number, number]> = [];
  newestAt = 0;
  forgottenThrough = 0;
  constructor(private readonly windowMs: number, private readonly capacity: number) {}
  has(id: number): boolean {
    return id <= this.forgottenThrough || this.ids.has(id);
  }
  add(id: number, at: number): boolean {
    if (this.has(id)) return false;
    this.ids.add(id);
    this.queue.push([id, at]);
    this.newestAt = Math.max(this.newestAt, at);
    while (this.queue.length && (this.queue.length > this.capacity || this.queue[0][1] < this.newestAt - this.windowMs)) {
      const [old] = this.queue.shift()!;
      this.ids.delete(old);
      this.forgottenThrough = Math.max(this.forgottenThrough, old);
    }
    return true;
  }
  skipThrough(id: number): void {
    if (id <= this.forgottenThrough) return;
    this.forgottenThrough = id;
    for (const k of this.ids) if (k <= id) this.ids.delete(k);
  }
}

test('DeliveredIds answers as a plain set and queue would, over random runs of in-order ids, late commits, repeats, resumes and time', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 40; run++) {
    let now = 0;
    const windowMs = 200 + Math.floor(random() * 2000);
    const capacity = 5 + Math.floor(random() * 300);
    const d = new DeliveredIds({ windowMs, capacity, now: () => now });
    const ref = new ReferenceIds(windowMs, capacity);
    let cursor = 1;
    // Some runs nearly in order (the queue stays sorted, no set), some with many late commits.
    const late = run % 2 ? random() * 0.02 : random() * 0.3;
    for (let step = 0; step < 3000; step++) {
      now += Math.floor(random() * 20);
      const r = random();
      let id: number;
      if (r >= 0.03 + late) id = cursor += 1 + Math.floor(random() * 3); // in order, with gaps
      else if (r >= 0.03) id = Math.max(1, cursor - Math.floor(random() * 400)); // a late commit or a repeat
      else {
        const to = Math.max(1, cursor - Math.floor(random() * 50));
        d.skipThrough(to);
        ref.skipThrough(to);
        continue;
      }
      assert.equal(d.has(id), ref.has(id), `run ${run} step ${step}: has(${id})`);
      const useClock = random() < 0.5;
      assert.equal(useClock ? d.add(id) : d.add(id, now), ref.add(id, now), `run ${run} step ${step}: add(${id})`);
      assert.equal(d.forgottenThrough, ref.forgottenThrough, `run ${run} step ${step}: forgottenThrough`);
      assert.equal(d.size, [...ref.ids].filter((k) => k > ref.forgottenThrough).length, `run ${run} step ${step}: size`);
    }
  }
});
