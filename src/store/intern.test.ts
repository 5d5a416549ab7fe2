import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freezeInterned, frozenCopy, StringPool } from './intern.ts';

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

test('frozenCopy copies what is not frozen, shares what is, and never freezes its input', () => {
  const pool = new StringPool();
  const shared = Object.freeze({ x: Object.freeze(['a']) });
  const input = { kept: shared, fresh: { list: [{ s: 'ab' }] }, n: 1 };
  const copy = frozenCopy(input, pool);
  assert.deepEqual(copy, input);
  assert.equal(copy.kept, shared);
  assert.notEqual(copy.fresh, input.fresh);
  assert.ok(Object.isFrozen(copy) && Object.isFrozen(copy.fresh.list[0]));
  assert.ok(!Object.isFrozen(input) && !Object.isFrozen(input.fresh.list));
  assert.equal(copy.fresh.list[0].s, pool.intern('ab'));
});

test('an own "__proto__" key from JSON stays a plain data key through frozenCopy', () => {
  const input = JSON.parse('{"a":{"__proto__":{"polluted":true}}}');
  const copy = frozenCopy(input, new StringPool());
  assert.equal(Object.getPrototypeOf(copy.a), Object.prototype);
  assert.equal((copy.a as any).polluted, undefined);
  assert.deepEqual(Object.keys(copy.a), ['__proto__']);
});
