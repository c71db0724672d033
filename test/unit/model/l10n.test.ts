import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage, setTranslator, t } from '../../../src/model/l10n';

test('l10n: placeholders are filled; a translator can be plugged in', () => {
  assert.equal(formatMessage('{0} of {1} ({0})', 1, 'two'), '1 of two (1)');
  assert.equal(formatMessage('{2}', 1), '{2}');
  setTranslator((m, ...a) => `[${formatMessage(m, ...a)}]`);
  assert.equal(t('x {0}', 1), '[x 1]');
  setTranslator(formatMessage);
});
