import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const importsVscode = /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the core (src/arvados) never imports vscode', () => {
  const files = tsFiles(path.join(root, 'src', 'arvados'));
  assert.ok(files.length >= 10, 'the core has its modules');
  const offenders = files.filter((f) => importsVscode.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the view-model modules (src/model) never import vscode', () => {
  const dir = path.join(root, 'src', 'model');
  if (!fs.existsSync(dir)) return assert.fail('src/model is missing');
  const offenders = tsFiles(dir).filter((f) => importsVscode.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
