import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, urlForDisplay } from '../../../src/arvados/redact';

const token = 'v2/zzzzz-gj3su-0123456789abcde/s3cr3t+with/slash=';

test('the whole token, its secret, and their URL-encoded forms are masked', () => {
  const r = new Redactor([token]);
  const secret = token.split('/')[2];
  for (const text of [token, secret, encodeURIComponent(token), encodeURIComponent(secret), `Bearer ${token}.`]) {
    const out = r.redact(`before ${text} after`);
    assert.ok(!out.includes(secret), out);
    assert.ok(out.includes('***'), out);
  }
});

test('api_token query parameters are masked whatever their value', () => {
  assert.equal(urlForDisplay('wss://ws.example/websocket?api_token=abc%2Fdef&x=1'), 'wss://ws.example/websocket?api_token=***&x=1');
  assert.equal(new Redactor([]).redact('GET /x?a=1&api_token=zzz'), 'GET /x?a=1&api_token=***');
});

test('text without the token is left alone; tiny tokens are not used as needles', () => {
  const r = new Redactor([token, 'ab', undefined]);
  assert.equal(r.redact('nothing secret about cabbage'), 'nothing secret about cabbage');
});
