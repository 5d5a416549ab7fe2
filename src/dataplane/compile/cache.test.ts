/**
 * CompileCache: an IR route handed over again (the same object) keeps its compiled route, picker state
 * included; a changed route is compiled afresh; every version still gets fresh tables of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IR, IRRoute, IRVirtualHost } from '../../ir/types.ts';
import fc from 'fast-check';
import { CompileCache, compileIR } from './compile.ts';

const route = (id: string, ports: number[]): IRRoute => ({
  id,
  match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
  filters: [],
  backends: ports.map((port) => ({ name: `b${port}`, weight: 1, endpoints: [{ address: '127.0.0.1', port }], protocol: 'http1' as const, filters: [] })),
});

const ir = (version: number, vhosts: IRVirtualHost[]): IR => ({
  version,
  sockets: [{ key: '127.0.0.1:80', address: '127.0.0.1', port: 80, protocol: 'HTTP', gateway: 'ns/g', httpListeners: [{ name: 'ns/g/http', hostname: '', virtualHosts: vhosts }] }],
});

function routesOf(c: ReturnType<typeof compileIR>, host: string) {
  return c.sockets.get('127.0.0.1:80')!.listeners.lookup(host)!.vhosts.lookup(host)!.routes;
}

test('unchanged IR routes keep their compiled route and its round-robin position', () => {
  const cache = new CompileCache();
  const a = route('a', [1, 2]);
  const b1 = route('b', [3]);
  const v1 = compileIR(ir(1, [{ hostname: 'a.test', routes: [a] }, { hostname: 'b.test', routes: [b1] }]), cache);
  assert.deepEqual(cache.stats, { reused: 0, compiled: 2 });
  const first = routesOf(v1, 'a.test')[0].picker.pick()!.endpoints;
  const b2 = route('b', [4]); // b changed: a new IR object
  const v2 = compileIR(ir(2, [{ hostname: 'a.test', routes: [a] }, { hostname: 'b.test', routes: [b2] }]), cache);
  assert.deepEqual(cache.stats, { reused: 1, compiled: 1 });
  assert.notEqual(v2, v1);
  assert.notEqual(v2.sockets, v1.sockets); // a new table to swap in; the old one is untouched
  assert.equal(routesOf(v2, 'a.test')[0], routesOf(v1, 'a.test')[0]);
  assert.notEqual(routesOf(v2, 'b.test')[0], routesOf(v1, 'b.test')[0]);
  assert.equal(routesOf(v2, 'b.test')[0].picker.pick()!.endpoints[0].port, 4);
  // The picker carried over continues where it was: the other backend comes next.
  assert.notDeepEqual(routesOf(v2, 'a.test')[0].picker.pick()!.endpoints, first);
});

test('a virtual host handed over again is reused whole; without a cache everything is compiled', () => {
  const cache = new CompileCache();
  const vh: IRVirtualHost = { hostname: 'a.test', routes: [route('a', [1])] };
  const v1 = compileIR(ir(1, [vh]), cache);
  const v2 = compileIR(ir(2, [vh]), cache);
  assert.equal(v2.sockets.get('127.0.0.1:80')!.listeners.lookup('a.test')!.vhosts.lookup('a.test'), v1.sockets.get('127.0.0.1:80')!.listeners.lookup('a.test')!.vhosts.lookup('a.test'));
  // The new listener's host table is derived from the last one: the unchanged host is not even visited.
  assert.deepEqual(cache.stats, { reused: 0, compiled: 0 });
  const fresh = compileIR(ir(3, [vh]));
  assert.notEqual(routesOf(fresh, 'a.test')[0], routesOf(v1, 'a.test')[0]);
});

test('a socket handed over again is reused whole; a new one around an unchanged listener reuses the listener', () => {
  const cache = new CompileCache();
  const v1 = compileIR(ir(1, [{ hostname: 'a.test', routes: [route('a', [1])] }]), cache);
  const same = compileIR({ version: 2, sockets: v1.ir.sockets }, cache);
  assert.equal(same.sockets.get('127.0.0.1:80'), v1.sockets.get('127.0.0.1:80'));
  assert.deepEqual(cache.stats, { reused: 0, compiled: 0 }, 'nothing below the socket is looked at');
  const s = v1.ir.sockets[0];
  const wrapped = compileIR({ version: 3, sockets: [{ ...s, key: s.key }] }, cache);
  assert.notEqual(wrapped.sockets.get('127.0.0.1:80'), v1.sockets.get('127.0.0.1:80'));
  assert.equal(wrapped.sockets.get('127.0.0.1:80')!.listeners.lookup('a.test'), v1.sockets.get('127.0.0.1:80')!.listeners.lookup('a.test'));
});

test('a listener that gained, lost or changed a few exact hosts derives its host table and looks up like one built whole', () => {
  const cache = new CompileCache();
  const hosts = (names: string[], routes: Map<string, IRVirtualHost>) => names.map((h) => routes.get(h) ?? { hostname: h, routes: [route(h, [1])] });
  const kept = new Map<string, IRVirtualHost>();
  const names = ['a.test', 'b.test', 'c.test', 'd.test', '*.test'];
  for (const v of hosts(names, new Map())) kept.set(v.hostname, v);
  compileIR(ir(1, hosts(names, kept)), cache);
  kept.delete('b.test'); // replaced
  const next = hosts(['a.test', 'b.test', 'bb.test', 'd.test', '*.test'], kept); // c removed, bb added
  const derived = compileIR(ir(2, next), cache);
  const whole = compileIR(ir(2, next));
  const first = (c: ReturnType<typeof compileIR>, h: string) => c.sockets.get('127.0.0.1:80')!.listeners.lookup(h)?.vhosts.lookup(h)?.routes[0]?.id;
  for (const h of ['a.test', 'b.test', 'bb.test', 'c.test', 'd.test', 'x.test', 'other']) assert.equal(first(derived, h), first(whole, h), h);
  assert.equal(routesOf(derived, 'c.test')[0].id, '*.test', 'a removed host falls to the wildcard');
  assert.deepEqual(cache.stats, { reused: 0, compiled: 2 }, 'only the new b.test and bb.test are visited (derived, not rebuilt)');
});

test('property: host tables derived version after version look up like tables built whole', () => {
  const names = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', '*.test', 'f.other'];
  const version = fc.array(fc.record({ name: fc.constantFrom(...names), fresh: fc.boolean() }), { maxLength: 7 });
  fc.assert(
    fc.property(fc.array(version, { minLength: 1, maxLength: 8 }), (versions) => {
      const cache = new CompileCache();
      let last = new Map<string, IRVirtualHost>();
      versions.forEach((vs, n) => {
        const next = new Map<string, IRVirtualHost>();
        for (const { name, fresh } of vs) if (!next.has(name)) next.set(name, (!fresh && last.get(name)) || { hostname: name, routes: [route(`${name}@${n}`, [1])] });
        const list = [...next.values()];
        const derived = compileIR(ir(n, list), cache);
        const whole = compileIR(ir(n, list));
        const first = (c: ReturnType<typeof compileIR>, h: string) => c.sockets.get('127.0.0.1:80')!.listeners.lookup(h)?.vhosts.lookup(h)?.routes[0]?.id;
        for (const h of [...names, 'x.test', 'y.other']) assert.equal(first(derived, h), first(whole, h), `${h} in version ${n}`);
        last = next;
      });
    }),
    { numRuns: 300 },
  );
});
