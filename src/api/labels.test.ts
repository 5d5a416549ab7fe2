import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, parseSelector } from './labels.ts';

test('matchLabels and every matchExpressions operator', () => {
  const labels = { env: 'prod', tier: 'web' };
  assert.equal(matchesSelector({}, labels), true, 'empty selector matches everything');
  assert.equal(matchesSelector({ matchLabels: { env: 'prod' } }, labels), true);
  assert.equal(matchesSelector({ matchLabels: { env: 'dev' } }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, labels), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, labels), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, labels), false);
  assert.equal(matchesSelector({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels), false);
});

test('the string form parses every term kind', () => {
  const sel = parseSelector('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g');
  assert.deepEqual(sel.matchLabels, { a: '1', b: '2' });
  assert.deepEqual(sel.matchExpressions, [
    { key: 'c', operator: 'NotIn', values: ['3'] },
    { key: 'd', operator: 'In', values: ['x', 'y'] },
    { key: 'e', operator: 'NotIn', values: ['z'] },
    { key: 'f', operator: 'Exists' },
    { key: 'g', operator: 'DoesNotExist' },
  ]);
  assert.equal(matchesSelector(sel, { a: '1', b: '2', c: '4', d: 'y', f: '' }), true);
  assert.throws(() => parseSelector('a in x'), /invalid label selector term/);
});
