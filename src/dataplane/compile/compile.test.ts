import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { IRBackend } from '../../ir/types.ts';
import { parseQuery } from '../router/query.ts';
import { WeightedPicker } from './backends.ts';
import { CompileError, compileIR, compileRoute } from './compile.ts';
import { compilePath, matchPath } from './matchers.ts';
import { compileUserRegex } from './regex.ts';

const b = (name: string, weight: number, ports: number[] = [1]): IRBackend => ({
  name, weight, endpoints: ports.map((port) => ({ address: '127.0.0.1', port })), protocol: 'http1', filters: [],
});

describe('matchers', () => {
  it('PathPrefix matches on segment boundaries only', () => {
    const m = compilePath({ type: 'PathPrefix', value: '/foo' }).matcher;
    for (const p of ['/foo', '/foo/', '/foo/bar']) assert.ok(matchPath(m, p), p);
    for (const p of ['/foobar', '/fo', '/']) assert.ok(!matchPath(m, p), p);
    const slash = compilePath({ type: 'PathPrefix', value: '/foo/' }).matcher;
    assert.ok(matchPath(slash, '/foo') && matchPath(slash, '/foo/x') && !matchPath(slash, '/foox'));
  });
  it('anchors regular expressions to the whole path and reports bad ones', () => {
    const m = compilePath({ type: 'RegularExpression', value: '/v[0-9]+' }).matcher;
    assert.ok(matchPath(m, '/v12'));
    assert.ok(!matchPath(m, '/v12/x') && !matchPath(m, 'x/v1'));
    const bad = compilePath({ type: 'RegularExpression', value: '(?=x)' });
    assert.equal(bad.matcher.kind, 'broken');
    assert.match(bad.errors[0], /invalid regular expression/);
  });
  it('runs pathological patterns in linear time (RE2 semantics)', () => {
    const r = compileUserRegex('(a+)+$');
    assert.ok(r.ok);
    // A backtracking engine would not finish this in the lifetime of the test run.
    assert.equal(r.ok && r.regex.test('a'.repeat(5000) + '!'), false);
  });
  it('marks routes with broken matchers', () => {
    const r = compileRoute({ id: 'r', match: { path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'X', type: 'RegularExpression', value: '[' }], queryParams: [] }, filters: [], backends: [] });
    assert.equal(r.errors.length, 1);
    assert.equal(r.headers[0].name, 'x');
  });
});

describe('shared parts', () => {
  const plain = (id: string, backends: IRBackend[]) => compileRoute({ id, match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }, filters: [], backends });
  it('routes alike share their path matcher and empty lists, and still serve alike', () => {
    const [x, y] = [plain('x', [b('a', 1)]), plain('y', [b('b', 1)])];
    assert.equal(x.path, y.path);
    assert.equal(x.headers, y.headers);
    assert.equal(x.backendPlans, y.backendPlans);
    assert.ok(matchPath(x.path, '/any') && x.errors.length === 0 && x.backendPlans.length === 1);
    assert.equal(x.picker.pick()!.ir.name, 'a');
    assert.equal(y.picker.pick()!.ir.name, 'b');
  });
  it('a path matcher is not shared across values or kinds', () => {
    const exact = compileRoute({ id: 'e', match: { path: { type: 'Exact', value: '/a' }, headers: [], queryParams: [] }, filters: [], backends: [] });
    const prefix = compileRoute({ id: 'p', match: { path: { type: 'PathPrefix', value: '/a' }, headers: [], queryParams: [] }, filters: [], backends: [] });
    assert.notEqual(exact.path, prefix.path);
    assert.ok(matchPath(prefix.path, '/a/b') && !matchPath(exact.path, '/a/b'));
  });
});

describe('query parsing', () => {
  it('keeps the first value of repeated keys and decodes', () => {
    const q = parseQuery('a=1&a=2&b=x%20y+z&flag&&c=%zz');
    assert.equal(q.get('a'), '1');
    assert.equal(q.get('b'), 'x y z');
    assert.equal(q.get('flag'), '');
    assert.equal(q.get('c'), '%zz');
    assert.equal(q.size, 4);
  });
});

describe('weighted picker', () => {
  it('picks each backend exactly weight times per cycle, never weight 0', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 5 }), (weights) => {
      const p = new WeightedPicker(weights.map((w, i) => b(`b${i}`, w)));
      const total = weights.reduce((a, c) => a + c, 0);
      assert.equal(p.pickable, total > 0);
      if (total === 0) return assert.equal(p.pick(), undefined);
      const counts = weights.map(() => 0);
      for (let i = 0; i < total * 3; i++) counts[p.pick()!.index]++;
      assert.deepEqual(counts, weights.map((w) => w * 3));
    }));
  });
  it('interleaves rather than bursts', () => {
    const p = new WeightedPicker([b('a', 2), b('b', 2)]);
    assert.deepEqual([0, 1, 2, 3].map(() => p.pick()!.ir.name), ['a', 'b', 'a', 'b']);
  });
  it('round-robins endpoints of a backend', () => {
    const p = new WeightedPicker([b('a', 1, [1, 2, 3])]);
    const be = p.pick()!;
    assert.deepEqual([1, 2, 3, 4].map(() => be.nextEndpoint()!.port), [1, 2, 3, 1]);
  });
});

describe('compileIR', () => {
  it('rejects duplicate socket keys and bad ports', () => {
    const s = { key: 'k', address: '127.0.0.1', port: 80, protocol: 'HTTP' as const, gateway: 'g', httpListeners: [] };
    assert.throws(() => compileIR({ version: 1, sockets: [s, s] }), CompileError);
    assert.throws(() => compileIR({ version: 1, sockets: [{ ...s, port: 70000 }] }), /out of range/);
  });
});
