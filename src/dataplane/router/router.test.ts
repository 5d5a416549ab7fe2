import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { IRHttpListener, IRRoute, IRSocket, IRStringMatch } from '../../ir/types.ts';
import { compileIR } from '../compile/compile.ts';
import type { CompiledSocket } from '../compile/types.ts';
import { normaliseHost } from './hosts.ts';
import { referenceMatch, type RefRequest } from './reference.ts';
import { matchRoute } from './router.ts';

function compileSocket(s: IRSocket): CompiledSocket {
  return compileIR({ version: 1, sockets: [s] }).sockets.get(s.key)!;
}

function toNodeHeaders(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, v] of pairs) {
    const k = n.toLowerCase();
    out[k] = out[k] === undefined ? v : `${out[k]}, ${v}`; // what joinDuplicateHeaders gives
  }
  return out;
}

function compiledMatch(cs: CompiledSocket, req: RefRequest): string | undefined {
  const r = matchRoute(cs, { host: req.host, method: req.method, path: req.path, query: req.query, headers: toNodeHeaders(req.headers) });
  return r.route?.id;
}

const seg = fc.constantFrom('a', 'b', 'ab', 'a.b', '');
const pathArb = fc.array(seg, { maxLength: 4 }).map((s) => '/' + s.join('/'));
const prefixArb = fc.array(fc.constantFrom('a', 'b', 'ab'), { maxLength: 3 }).chain((s) =>
  fc.constantFrom('/' + s.join('/'), '/' + s.join('/') + (s.length ? '/' : '')));
const regexArb = fc.constantFrom('/a.*', '/[ab]+(/.*)?', '/a/b', '.*b', '/(a|ab)/?', '[^/]*');
const pathMatchArb = fc.oneof(
  pathArb.map((value) => ({ type: 'Exact' as const, value })),
  prefixArb.map((value) => ({ type: 'PathPrefix' as const, value })),
  regexArb.map((value) => ({ type: 'RegularExpression' as const, value })),
);
const valueMatch = (names: string[]): fc.Arbitrary<IRStringMatch> =>
  fc.record({
    name: fc.constantFrom(...names),
    type: fc.constantFrom('Exact' as const, 'RegularExpression' as const),
    value: fc.constantFrom('1', '2', '1|2', '1, 2', '.*'),
  });
const routeArb: fc.Arbitrary<Omit<IRRoute, 'id'>> = fc.record({
  match: fc.record({
    path: pathMatchArb,
    method: fc.constantFrom(undefined, 'GET', 'POST'),
    headers: fc.array(valueMatch(['x-a', 'x-b']), { maxLength: 2 }),
    queryParams: fc.array(valueMatch(['q', 'Q']), { maxLength: 2 }),
  }),
  filters: fc.constant([]),
  backends: fc.constant([]),
});
const vhostNames = ['a.example.com', '*.example.com', '*', 'x.a.example.com', '*.a.example.com', 'other.org'];
const listenerNames = ['', 'a.example.com', '*.example.com', '*.b.example.com', 'example.com', 'other.org'];

let nextId = 0;
const listenerArb: fc.Arbitrary<IRHttpListener> = fc.record({
  name: fc.constant('l'),
  hostname: fc.constantFrom(...listenerNames),
  virtualHosts: fc.uniqueArray(
    fc.record({ hostname: fc.constantFrom(...vhostNames), routes: fc.array(routeArb, { maxLength: 6 }) }),
    { selector: (v) => v.hostname, maxLength: 4 },
  ).map((vs) => vs.map((v) => ({ hostname: v.hostname, routes: v.routes.map((r) => ({ ...r, id: `r${nextId++}` })) }))),
});
const socketArb: fc.Arbitrary<IRSocket> = fc.uniqueArray(listenerArb, { selector: (l) => l.hostname, maxLength: 4 }).map((ls) => ({
  key: '127.0.0.1:80', address: '127.0.0.1', port: 80, protocol: 'HTTP', gateway: 'ns/gw', httpListeners: ls,
}));
const requestArb: fc.Arbitrary<RefRequest> = fc.record({
  host: fc.constantFrom('a.example.com', 'A.Example.COM:8080', 'x.a.example.com', 'y.x.a.example.com', 'example.com', 'c.b.example.com', 'other.org.', '[::1]:80', 'zzz'),
  method: fc.constantFrom('GET', 'POST', 'PUT'),
  path: pathArb,
  query: fc.array(fc.tuple(fc.constantFrom('q', 'Q', 'r'), fc.constantFrom('1', '2', '')), { maxLength: 3 }).map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&')),
  headers: fc.array(fc.tuple(fc.constantFrom('x-a', 'X-A', 'x-b', 'X-B', 'y'), fc.constantFrom('1', '2')), { maxLength: 3 }),
});

describe('router', () => {
  it('agrees with the reference matcher on random tables and requests', () => {
    fc.assert(
      fc.property(socketArb, fc.array(requestArb, { minLength: 1, maxLength: 10 }), (s, reqs) => {
        const cs = compileSocket(s);
        for (const req of reqs) assert.equal(compiledMatch(cs, req), referenceMatch(s, req), JSON.stringify(req));
      }),
      { numRuns: 500 },
    );
  });

  it('isolates listeners: the most specific listener wins even when its routes do not match', () => {
    const r = (id: string, value: string): IRRoute => ({ id, match: { path: { type: 'PathPrefix', value }, headers: [], queryParams: [] }, filters: [], backends: [] });
    const s: IRSocket = {
      key: 'k', address: '127.0.0.1', port: 80, protocol: 'HTTP', gateway: 'g',
      httpListeners: [
        { name: 'any', hostname: '', virtualHosts: [{ hostname: '*', routes: [r('any', '/')] }] },
        { name: 'wild', hostname: '*.example.com', virtualHosts: [{ hostname: '*.example.com', routes: [r('wild', '/w')] }] },
        { name: 'exact', hostname: 'a.example.com', virtualHosts: [{ hostname: 'a.example.com', routes: [r('exact', '/e')] }] },
      ],
    };
    const cs = compileSocket(s);
    const m = (host: string, path: string) => matchRoute(cs, { host, method: 'GET', path, query: '', headers: {} });
    assert.equal(m('a.example.com', '/e').route?.id, 'exact');
    assert.equal(m('a.example.com', '/w').route, undefined, 'no fall-through to a less specific listener');
    assert.equal(m('b.c.example.com', '/w').route?.id, 'wild');
    assert.equal(m('example.com', '/w').route?.id, 'any', '"*.example.com" does not match "example.com"');
    assert.equal(m('B.Example.com:8080', '/w/x').route?.id, 'wild');
    const miss = m('a.example.com', '/x');
    assert.equal(miss.route === undefined && miss.reason, 'NoRoute');
  });

  it('normalises hosts', () => {
    assert.equal(normaliseHost('Example.COM:8080'), 'example.com');
    assert.equal(normaliseHost('[::1]:80'), '[::1]');
    assert.equal(normaliseHost('a.b.'), 'a.b');
    assert.equal(normaliseHost(undefined), '');
  });
});
