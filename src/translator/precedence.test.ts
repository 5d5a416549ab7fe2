import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IRMatch } from '../ir/types.ts';
import { comparePrecedence } from './precedence.ts';
import type { PrecedenceKey } from './precedence.ts';

/** Sign without negative zero (strict equality tells 0 and -0 apart). */
const sgn = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const neg = (x: number) => -sgn(x) || 0;

const sm = (name: string) => ({ name, type: 'Exact' as const, value: 'v' });

const matchArb: fc.Arbitrary<IRMatch> = fc.record({
  pathType: fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'),
  path: fc.stringMatching(/^\/[ab]{0,3}$/),
  method: fc.option(fc.constantFrom('GET', 'POST'), { nil: undefined }),
  headers: fc.nat(3),
  query: fc.nat(3),
}).map((r) => ({
  path: { type: r.pathType, value: r.path } as IRMatch['path'],
  ...(r.method && { method: r.method }),
  headers: Array.from({ length: r.headers }, (_, i) => sm(`h${i}`)),
  queryParams: Array.from({ length: r.query }, (_, i) => sm(`q${i}`)),
}));

const keyArb: fc.Arbitrary<PrecedenceKey> = fc.record({
  match: matchArb,
  created: fc.option(fc.constantFrom('2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z'), { nil: undefined }),
  route: fc.constantFrom('HTTPRoute/a/x', 'HTTPRoute/a/y', 'HTTPRoute/b/x'),
  ruleIndex: fc.nat(2),
  matchIndex: fc.nat(2),
});

/**
 * The specification's criteria, written out independently as a list of "who wins" rules:
 * the first rule that distinguishes a and b must agree with the comparator.
 */
const RANK = { Exact: 0, PathPrefix: 1, RegularExpression: 2 } as const;
const rules: ((k: PrecedenceKey) => number | string)[] = [
  (k) => RANK[k.match.path.type],
  (k) => -k.match.path.value.length,
  (k) => k.match.path.value,
  (k) => (k.match.method ? 0 : 1),
  (k) => -k.match.headers.length,
  (k) => -k.match.queryParams.length,
  (k) => (k.created ? Date.parse(k.created) : Number.POSITIVE_INFINITY),
  (k) => k.route,
  (k) => k.ruleIndex,
  (k) => k.matchIndex,
];

function expected(a: PrecedenceKey, b: PrecedenceKey): number {
  for (const r of rules) {
    const x = r(a);
    const y = r(b);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

test('property: comparator follows the specification criteria in order', () => {
  fc.assert(fc.property(keyArb, keyArb, (a, b) => {
    assert.equal(sgn(comparePrecedence(a, b)), expected(a, b));
  }), { numRuns: 2000 });
});

test('property: comparator is a total order (antisymmetric, transitive, 0 only for equal keys)', () => {
  fc.assert(fc.property(keyArb, keyArb, keyArb, (a, b, c) => {
    assert.equal(sgn(comparePrecedence(a, b)), neg(comparePrecedence(b, a)));
    if (comparePrecedence(a, b) <= 0 && comparePrecedence(b, c) <= 0) assert.ok(comparePrecedence(a, c) <= 0);
    // structuredClone: fast-check may build either key with a null prototype; the comparison is about the data.
    if (comparePrecedence(a, b) === 0) assert.deepEqual(structuredClone(a), structuredClone(b));
  }), { numRuns: 2000 });
});

test('examples: exact beats any prefix; longer prefix beats method; older route wins ties', () => {
  const k = (path: IRMatch['path'], extra: Partial<PrecedenceKey> = {}, m: Partial<IRMatch> = {}): PrecedenceKey => ({
    match: { path, headers: [], queryParams: [], ...m }, route: 'HTTPRoute/a/x', ruleIndex: 0, matchIndex: 0, ...extra,
  });
  assert.ok(comparePrecedence(k({ type: 'Exact', value: '/' }), k({ type: 'PathPrefix', value: '/very/long' })) < 0);
  assert.ok(comparePrecedence(k({ type: 'PathPrefix', value: '/ab' }), k({ type: 'PathPrefix', value: '/a' }, {}, { method: 'GET' })) < 0);
  assert.ok(comparePrecedence(
    k({ type: 'PathPrefix', value: '/' }, { created: '2024-01-01T00:00:00Z', route: 'HTTPRoute/z/z' }),
    k({ type: 'PathPrefix', value: '/' }, { created: '2024-02-01T00:00:00Z', route: 'HTTPRoute/a/a' }),
  ) < 0);
});
