/**
 * Localization: every message the code passes to a translator (`vscode.l10n.t`, or the engine's
 * and model's `t`, which the extension points at `vscode.l10n.t`) is in l10n/bundle.l10n.json,
 * the bundle package.json names; every `%key%` of the manifest is in package.nls.json.
 * `npm run l10n` regenerates the bundle (scripts/l10n.mjs, the same collector as here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMessage, setTranslator } from '../../src/model/l10n';
import { t as engineT } from '../../src/arvados/l10n';

const root = path.join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

interface Collector {
  collectMessages(root?: string): { messages: string[]; problems: string[] };
  bundleOf(messages: string[]): Record<string, string>;
}
// A computed specifier keeps TypeScript (CommonJS here) from resolving the .mjs itself.
const collector = () => import(pathToFileURL(path.join(root, 'scripts', 'l10n.mjs')).href) as Promise<Collector>;

test('package.json names the l10n folder, and its bundle has every message of src/ (npm run l10n)', async () => {
  const manifest = readJson('package.json');
  assert.equal(manifest.l10n, './l10n');
  const bundle = readJson('l10n/bundle.l10n.json');
  const { messages, problems } = (await collector()).collectMessages(root);
  assert.deepEqual(problems, [], 'every translated message is a literal (or a constant table entry)');
  assert.ok(messages.length > 100, `found ${messages.length} messages`);
  const missing = messages.filter((m) => !(m in bundle));
  assert.deepEqual(missing, [], 'run npm run l10n');
  for (const [k, v] of Object.entries(bundle)) assert.equal(v, k, 'the bundle is the English source');
});

test('the collector finds literals, constant tables and engine messages, and reports what it cannot translate', async () => {
  const { collectMessages } = await collector();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arv-l10n-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.ts'), [
      "import * as vscode from 'vscode';",
      "const WORDS = { a: 'first word', b: 'second word' } as const;",
      "vscode.l10n.t('Hello {0}', name);",
      "t(WORDS[key]);",
      "t(`not ${'translatable'}`);",
    ].join('\n'));
    const r = collectMessages(dir);
    assert.deepEqual(r.messages, ['Hello {0}', 'first word', 'second word']);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /a\.ts:5: the message is not a string literal/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("engine messages that reach the UI go through the extension's translator", () => {
  setTranslator((m, ...a) => `<${formatMessage(m, ...a)}>`);
  try {
    assert.equal(engineT('{0} refused', 'x'), '<x refused>');
  } finally {
    setTranslator(formatMessage);
  }
});

test('every %key% of package.json is in package.nls.json', () => {
  const nls = readJson('package.nls.json');
  const keys = [...fs.readFileSync(path.join(root, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
  assert.ok(keys.length > 50);
  assert.deepEqual(keys.filter((k) => !(k in nls)), []);
});
