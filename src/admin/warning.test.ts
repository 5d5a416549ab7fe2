import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWarnings, warningHeader } from './warning.ts';

test('warning headers quote and escape, stay ASCII, and decode back', () => {
  const [h] = warningHeader(['say "hi" \\ now\nplease — ok']);
  assert.equal(h, '299 - "say \\"hi\\" \\\\ now please ? ok"');
  assert.deepEqual(decodeWarnings(h), ['say "hi" \\ now please ? ok']);
});

test('decodeWarnings splits comma-joined values and decodes UTF-8 sent as bytes', () => {
  const utf8AsLatin1 = Buffer.from('caf\u00e9 \u2014 x', 'utf8').toString('latin1');
  const joined = `299 - "a, b", 299 - "${utf8AsLatin1}"`;
  assert.deepEqual(decodeWarnings(joined), ['a, b', 'caf\u00e9 \u2014 x']);
  assert.deepEqual(decodeWarnings(null), []);
});
