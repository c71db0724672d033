import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MirroredStore } from '../../../src/model/mirroredStore';
import { MemoryStore } from '../../helpers/memoryStore';

test('the mirrored store keeps chosen keys in a file, written at once, and reads them back first', () => {
  const isPos = (key: string) => key === 'pos';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-store-'));
  const file = path.join(dir, 'sub', 'state.json');
  const primary = new MemoryStore();
  const store = new MirroredStore(primary, file, isPos);
  store.update('pos', { host: 'h', id: 5 });
  store.update('other', [1]);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { pos: { host: 'h', id: 5 } }, 'only the chosen keys go to the file');
  assert.deepEqual(primary.get('pos'), { host: 'h', id: 5 }, 'and to the primary store');
  // The window lost the last update: the file still has it.
  primary.update('pos', { host: 'h', id: 3 });
  assert.deepEqual(new MirroredStore(primary, file, isPos).get('pos'), { host: 'h', id: 5 });
  assert.deepEqual(new MirroredStore(primary, path.join(dir, 'missing.json'), isPos).get('pos'), { host: 'h', id: 3 }, 'no file: the primary store');
  fs.writeFileSync(file, 'garbage');
  assert.deepEqual(new MirroredStore(primary, file, isPos).get('pos'), { host: 'h', id: 3 });
  fs.rmSync(dir, { recursive: true, force: true });
});
