import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freezeInterned, StringPool } from './intern.ts';

test('the pool returns equal strings and stays within its capacity', () => {
  const pool = new StringPool(3);
  assert.equal(pool.intern('a' + 'b'), 'ab');
  assert.equal(pool.intern('ab'), 'ab');
  assert.equal(pool.size, 1, 'a repeated value is pooled once');
  for (const s of ['c', 'd', 'e', 'f']) pool.intern(s);
  assert.ok(pool.size <= 3, `bounded: ${pool.size}`);
  const long = 'x'.repeat(500);
  assert.equal(pool.intern(long), long);
  assert.ok(pool.size <= 3, 'long strings are not pooled');
});

test('freezeInterned freezes every level and keeps every value', () => {
  const obj = { a: 'x', b: [{ c: 'y', n: 1 }, 'z'], d: { e: { f: null as null | string } } };
  const copy = structuredClone(obj);
  freezeInterned(obj, new StringPool());
  assert.deepEqual(obj, copy);
  assert.ok(Object.isFrozen(obj) && Object.isFrozen(obj.b) && Object.isFrozen(obj.b[0]) && Object.isFrozen(obj.d.e));
  assert.throws(() => {
    (obj.d.e as { f: string | null }).f = 'changed';
  }, TypeError);
});
