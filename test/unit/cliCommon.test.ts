import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { LineWriter } from '../../src/cliCommon';

function sink(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({ write: (chunk, _enc, done) => (writes.push(chunk.toString()), done()) });
  return { out, writes };
}

test('LineWriter writes a large batch in pieces of about 64 KB, each whole lines, all of them in order', () => {
  const { out, writes } = sink();
  const w = new LineWriter(out);
  const lines = Array.from({ length: 3000 }, (_, i) => `{"id":${i},"pad":"${'x'.repeat(100 + (i % 50))}"}`);
  for (const l of lines) w.push(l);
  w.flush();
  assert.ok(writes.length > 1, `one batch of ${lines.join('').length} characters in ${writes.length} write(s)`);
  for (const piece of writes) {
    assert.ok(piece.length <= 64 * 1024 + 200, `a write of ${piece.length} characters`);
    assert.ok(piece.endsWith('\n'), 'each write ends a line');
  }
  assert.equal(writes.join(''), lines.join('\n') + '\n');
});

test('LineWriter: a small batch is one write; a line longer than a piece is written whole; nothing is written twice', () => {
  const { out, writes } = sink();
  const w = new LineWriter(out);
  w.push('a');
  w.push('b');
  w.flush();
  assert.deepEqual(writes, ['a\nb\n']);
  const long = 'y'.repeat(200_000);
  w.push('c');
  w.push(long);
  w.push('d');
  w.flush();
  w.flush();
  assert.deepEqual(writes.slice(1), [`c\n${long}\n`, 'd\n']);
});
