import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareHostnameSpecificity, effectiveHostnames, hostnameCovers, intersectHostnames, sortHostnames } from './hostnames.ts';

/** Sign without negative zero (strict equality tells 0 and -0 apart). */
const sgn = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const neg = (x: number) => -sgn(x) || 0;

test('intersection: exact, wildcard on either side, both wildcards, disjoint', () => {
  assert.equal(intersectHostnames('a.example.com', 'a.example.com'), 'a.example.com');
  assert.equal(intersectHostnames('*.example.com', 'a.example.com'), 'a.example.com');
  assert.equal(intersectHostnames('a.example.com', '*.example.com'), 'a.example.com');
  assert.equal(intersectHostnames('*.example.com', 'a.b.example.com'), 'a.b.example.com');
  assert.equal(intersectHostnames('*.example.com', '*.api.example.com'), '*.api.example.com');
  assert.equal(intersectHostnames('*.api.example.com', '*.example.com'), '*.api.example.com');
  assert.equal(intersectHostnames('*.example.com', 'example.com'), undefined);
  assert.equal(intersectHostnames('a.example.com', 'b.example.com'), undefined);
  assert.equal(intersectHostnames('*.example.com', '*.example.org'), undefined);
  assert.equal(intersectHostnames('*.example.com', 'aexample.com'), undefined);
});

test('effective hostnames: any-host listener, no route hostnames, filtering, lower case', () => {
  assert.deepEqual(effectiveHostnames('', []), ['*']);
  assert.deepEqual(effectiveHostnames('*.example.com', []), ['*.example.com']);
  assert.deepEqual(effectiveHostnames('', ['B.example.com', '*.example.com']), ['b.example.com', '*.example.com']);
  assert.deepEqual(effectiveHostnames('*.example.com', ['x.example.com', 'x.example.org', 'example.com']), ['x.example.com']);
  assert.deepEqual(effectiveHostnames('a.example.com', ['b.example.com']), []);
});

test('specificity: exact before wildcard before any; more labels first among wildcards', () => {
  assert.deepEqual(
    sortHostnames(['*', '*.example.com', 'a.example.com', '*.foo.example.com', 'zz.example.com']),
    ['zz.example.com', 'a.example.com', '*.foo.example.com', '*.example.com', '*'],
  );
  assert.ok(compareHostnameSpecificity('', '*.a.b') > 0);
});

const label = fc.stringMatching(/^[a-c]{1,2}$/);
const host = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 })).map(([wild, ls]) => (wild ? '*.' : '') + ls.join('.'));

test('property: intersection is symmetric and its result is covered by both sides', () => {
  fc.assert(fc.property(host, host, (a, b) => {
    const i = intersectHostnames(a, b);
    assert.equal(i, intersectHostnames(b, a));
    if (i !== undefined) {
      assert.ok(hostnameCovers(a, i), `${a} covers ${i}`);
      assert.ok(hostnameCovers(b, i), `${b} covers ${i}`);
    }
  }));
});

test('property: specificity comparator is a total order', () => {
  fc.assert(fc.property(host, host, host, (a, b, c) => {
    assert.equal(sgn(compareHostnameSpecificity(a, b)), neg(compareHostnameSpecificity(b, a)));
    assert.equal(compareHostnameSpecificity(a, b) === 0, a === b);
    if (compareHostnameSpecificity(a, b) < 0 && compareHostnameSpecificity(b, c) < 0) assert.ok(compareHostnameSpecificity(a, c) < 0);
  }));
});

test('property: a covering hostname never sorts before the one it covers', () => {
  fc.assert(fc.property(host, host, (a, b) => {
    if (a !== b && hostnameCovers(a, b)) assert.ok(compareHostnameSpecificity(b, a) < 0, `${b} before ${a}`);
  }));
});
