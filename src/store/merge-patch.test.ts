import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch, mergePatched } from './merge-patch.ts';

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};

test('mergePatched gives what mergePatch gives, without writing its target, sharing what the patch does not reach', () => {
  const target = deepFreeze({ metadata: { name: 'a', labels: { x: '1', y: '2' } }, spec: { rules: [{ a: 1 }], hostnames: ['h'] }, status: { s: 1 } });
  const patch = { metadata: { labels: { x: null, z: '3' } }, spec: { hostnames: ['k'] }, extra: { deep: { v: 1 } } };
  const out: any = mergePatched(target, patch);
  assert.deepEqual(mergePatch(structuredClone(target), patch), out);
  assert.deepEqual(out.metadata.labels, { y: '2', z: '3' });
  assert.equal(out.spec.rules, target.spec.rules, 'untouched subtree shared');
  assert.equal(out.status, target.status);
  assert.deepEqual(target.metadata.labels, { x: '1', y: '2' }, 'target unchanged');
  assert.deepEqual(mergePatched(target, ['replace']), ['replace'], 'a non-object patch replaces the whole value');
  assert.deepEqual(mergePatched({ a: [1] }, { a: { b: 1 } }), { a: { b: 1 } }, 'an object replaces a non-object');
});
