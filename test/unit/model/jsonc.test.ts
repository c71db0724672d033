// Reading a workspace's settings.json as VS Code accepts it (src/model/jsonc.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonc, settingValue } from '../../../src/model/jsonc';

test('comments and trailing commas are accepted; strings are left alone', () => {
  const text = `{
    // a line comment
    "arvados.apiHost": "w.example:8443", /* a block
       comment */
    "url": "https://x.example/a//b/*c*/", // slashes inside a string stay
    "quote": "say \\"hi\\", // not a comment",
    "list": [1, 2, /* last */ 3,],
  }`;
  assert.deepEqual(parseJsonc(text), {
    'arvados.apiHost': 'w.example:8443',
    url: 'https://x.example/a//b/*c*/',
    quote: 'say "hi", // not a comment',
    list: [1, 2, 3],
  });
  assert.equal(parseJsonc('  // nothing\n'), undefined);
  assert.throws(() => parseJsonc('{ "a": }'), SyntaxError);
});

test('a setting is found flat or nested', () => {
  assert.equal(settingValue({ 'arvados.apiHost': 'a' }, 'arvados.apiHost'), 'a');
  assert.equal(settingValue({ arvados: { apiHost: 'b' } }, 'arvados.apiHost'), 'b');
  assert.equal(settingValue({ arvados: { insecure: true } }, 'arvados.apiHost'), undefined);
  assert.equal(settingValue(['arvados.apiHost'], 'arvados.apiHost'), undefined);
  assert.equal(settingValue(undefined, 'arvados.apiHost'), undefined);
  // A .code-workspace file: its settings, then the setting.
  assert.equal(settingValue(settingValue({ folders: [], settings: { 'arvados.apiHost': 'c' } }, 'settings'), 'arvados.apiHost'), 'c');
});
