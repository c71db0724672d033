/** The engine's connection messages say what a VS Code user can act on (issue: TLS advice, 401, unreachable). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNetworkError, nodeMessage } from '../../../src/arvados/rest';
import { setTranslator, formatMessage } from '../../../src/arvados/l10n';

const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

test("a TLS trust error drops Node's --use-system-ca advice and says what to do instead", () => {
  // Node 24's wording for a certificate signed by a CA it does not know.
  const e = describeNetworkError(nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca'), 'zzzzz.example');
  assert.doesNotMatch(e.message, /use-system-ca|Node\.js/);
  assert.match(e.message, /TLS certificate of zzzzz\.example is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\)/);
  assert.match(e.message, /SSL_CERT_FILE/);
  assert.match(e.message, /setting arvados\.insecure/);
  assert.equal(e.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(nodeMessage('self-signed certificate in certificate chain'), 'self-signed certificate in certificate chain');
});

test('unreachable hosts: refused, unresolvable, timed out, each naming the host', () => {
  assert.match(describeNetworkError(nodeError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'), 'zzzzz.example').message, /^zzzzz\.example refused the connection \(ECONNREFUSED\)/);
  assert.match(describeNetworkError(nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND zzzzz.example'), 'zzzzz.example').message, /Cannot resolve the host name of zzzzz\.example \(ENOTFOUND\).*VPN/);
  assert.match(describeNetworkError(nodeError('ETIMEDOUT', 'timeout'), 'zzzzz.example').message, /zzzzz\.example did not answer in time/);
});

test('engine messages go through the translator the extension plugs in', () => {
  setTranslator((message, ...args) => `«${formatMessage(message, ...args)}»`);
  try {
    assert.match(describeNetworkError(nodeError('ECONNREFUSED', 'x'), 'zzzzz.example').message, /^«zzzzz\.example refused the connection/);
  } finally {
    setTranslator(formatMessage);
  }
});
