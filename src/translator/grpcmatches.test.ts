import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import type { IRMatch, IRPathMatch } from '../ir/types.ts';
import { hostnamesOverlap } from './crossserving.ts';
import { convertGRPCMatch, methodPath } from './grpcmatches.ts';
import { comparePrecedence } from './precedence.ts';

/** What the data plane does with a path match (segment-boundary prefixes, anchored expressions). */
function pathMatches(m: IRPathMatch, path: string): boolean {
  if (m.type === 'Exact') return path === m.value;
  if (m.type === 'PathPrefix') return m.value === '/' || path === m.value || path.startsWith(`${m.value}/`);
  return RE2JS.compile(m.value).matches(path);
}

function pathOf(method: any): IRPathMatch {
  const p = methodPath(method);
  assert.notEqual(typeof p, 'string', `unexpected problem: ${String(p)}`);
  return p as IRPathMatch;
}

test('each method match form selects exactly the calls it names', () => {
  const calls = ['/foo.Bar/Baz', '/foo.Bar/Qux', '/foo.BarX/Baz', '/other.Svc/Baz', '/other.Svc/Get'];
  const cases: [any, string[]][] = [
    [{ service: 'foo.Bar', method: 'Baz' }, ['/foo.Bar/Baz']],
    [{ service: 'foo.Bar' }, ['/foo.Bar/Baz', '/foo.Bar/Qux']],
    [{ method: 'Baz' }, ['/foo.Bar/Baz', '/foo.BarX/Baz', '/other.Svc/Baz']],
    [{ type: 'RegularExpression', service: 'foo\\.Bar.*', method: 'B.*' }, ['/foo.Bar/Baz', '/foo.BarX/Baz']],
    [{ type: 'RegularExpression', method: 'Get|Qux' }, ['/foo.Bar/Qux', '/other.Svc/Get']],
    [undefined, calls],
    [{ type: 'RegularExpression' }, calls],
  ];
  for (const [method, want] of cases) {
    const p = pathOf(method);
    assert.deepEqual(calls.filter((c) => pathMatches(p, c)), want, JSON.stringify(method));
  }
});

test('an alternation stays inside its side of the path', () => {
  const p = pathOf({ type: 'RegularExpression', service: 'a|b', method: 'M' });
  assert.equal(pathMatches(p, '/a/M'), true);
  assert.equal(pathMatches(p, '/a'), false);
  assert.equal(pathMatches(p, '/b/N'), false);
});

test('a literal method is escaped, an invalid expression is a problem, not a throw', () => {
  assert.equal(pathMatches(pathOf({ method: 'A_b' }), '/s/A_b'), true);
  assert.match(String(methodPath({ type: 'RegularExpression', service: 'foo(' })), /invalid regular expression/);
  assert.match(String(methodPath({ type: 'Prefix', service: 'x' })), /unsupported method match type "Prefix"/);
});

test('headers are lower-cased with the first of a repeated name winning; no query or HTTP method', () => {
  const r = convertGRPCMatch({ method: { service: 's', method: 'm' }, headers: [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] });
  assert.ok(r.ok);
  assert.deepEqual(r.match.headers, [{ name: 'x-a', type: 'Exact', value: '1' }]);
  assert.deepEqual(r.match.queryParams, []);
  assert.equal(r.match.method, undefined);
});

test('precedence: more service characters, then more method characters, then more headers', () => {
  const m = (method: any, headers = 0): IRMatch => {
    const r = convertGRPCMatch({ method, headers: Array.from({ length: headers }, (_, i) => ({ name: `h${i}`, value: 'v' })) });
    assert.ok(r.ok);
    return r.match;
  };
  const ranked = [
    m({ service: 'foo.Bar', method: 'Baz' }, 1),
    m({ service: 'foo.Bar', method: 'Baz' }),
    m({ service: 'foo.Bar' }),
    m({ method: 'LongerName' }),
    m({ method: 'Baz' }),
    m(undefined, 2),
    m(undefined),
  ];
  const keyed = ranked.map((match, i) => ({ match, route: 'GRPCRoute/ns/r', ruleIndex: i, matchIndex: 0 }));
  const shuffled = [...keyed].reverse().sort(comparePrecedence);
  assert.deepEqual(shuffled.map((k) => k.ruleIndex), ranked.map((_, i) => i));
});

test('hostnamesOverlap: "*" overlaps everything, wildcards overlap what they cover', () => {
  assert.equal(hostnamesOverlap(['*'], ['a.example.com']), true);
  assert.equal(hostnamesOverlap(['*.example.com'], ['a.example.com']), true);
  assert.equal(hostnamesOverlap(['*.example.com'], ['example.com']), false);
  assert.equal(hostnamesOverlap(['a.example.com', 'b.example.com'], ['c.example.com']), false);
});
