/**
 * Filters on a backendRef (HTTPRouteBackendURLRewrite, HTTPRouteBackendRequestRedirect): they run only
 * for requests forwarded to that backend, with the rule's match prefix for ReplacePrefixMatch, and a
 * backend redirect answers with the rule's response header edits like any other answer of the rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IRFilter, IRPathModifier } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from './testing.ts';

const prefix = (value: string) => ({ match: { path: { type: 'PathPrefix' as const, value } } });
const replacePrefix = (p: string, value: string): IRPathModifier => ({ type: 'ReplacePrefixMatch', prefix: p, value });
const redirect = (extra: Partial<Extract<IRFilter, { type: 'RequestRedirect' }>>): IRFilter => ({ type: 'RequestRedirect', statusCode: 302, ...extra });
const rewrite = (extra: Partial<Extract<IRFilter, { type: 'URLRewrite' }>>): IRFilter => ({ type: 'URLRewrite', ...extra });

describe('backendRef filters end to end', () => {
  let a: EchoServer;
  let b: EchoServer;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    a = await startEcho('a');
    b = await startEcho('b');
    port = await freePort();
    dp = new HttpDataPlane();
    const be = (name: string, up: EchoServer, ...filters: IRFilter[]) => backend(name, [up.port], { filters });
    await dp.apply(simpleIR(1, port, [
      route('full', [be('a', a, redirect({ path: { type: 'ReplaceFullPath', value: '/redirected-full' } }))], prefix('/full')),
      route('prefix', [be('a', a, redirect({ path: replacePrefix('/prefix', '/redirected-prefix') }))], prefix('/prefix')),
      route('scheme', [be('a', a, redirect({ scheme: 'https', hostname: 'secure.example', statusCode: 301 }))], prefix('/scheme')),
      route('ported', [be('a', a, redirect({ port: 8443, statusCode: 307 }))], prefix('/ported')),
      route('no-endpoints', [backend('empty', [], { filters: [redirect({ hostname: 'elsewhere.example' })] })], prefix('/gone')),
      route('resp', [be('a', a, redirect({ hostname: 'moved.example' }), { type: 'ResponseHeaderModifier', set: [['x-backend', 'b']], add: [], remove: [] })], {
        ...prefix('/resp'),
        filters: [{ type: 'ResponseHeaderModifier', set: [['X-Rule', 'r'], ['x-backend', 'rule']], add: [], remove: [] }],
      }),
      route('rw-full', [be('a', a, rewrite({ path: { type: 'ReplaceFullPath', value: '/rewritten-full' } }))], prefix('/rw-full')),
      route('rw-strip', [be('a', a, rewrite({ hostname: 'inner.example', path: replacePrefix('/strip', '/') }))], prefix('/strip')),
      route('split', [be('a', a, rewrite({ path: replacePrefix('/split', '/only-a') })), { ...be('b', b), weight: 1 }], prefix('/split')),
      route('split-redirect', [be('a', a, redirect({ hostname: 'a.example' })), be('b', b)], prefix('/half')),
    ]));
  });
  after(async () => {
    await dp.close();
    await a.close();
    await b.close();
  });

  it('redirects with ReplaceFullPath, keeping host and listener port', async () => {
    const r = await send(port, '/full/original', { headers: { host: 'gw.example' } });
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `http://gw.example:${port}/redirected-full`);
  });

  it('redirects with ReplacePrefixMatch on segment boundaries', async () => {
    const cases: [string, string][] = [
      ['/prefix/original', '/redirected-prefix/original'],
      ['/prefix', '/redirected-prefix'],
      ['/prefix/', '/redirected-prefix/'],
    ];
    for (const [from, to] of cases) {
      const r = await send(port, from, { headers: { host: 'gw.example:1234' } });
      assert.equal(r.status, 302, from);
      assert.equal(r.headers.location, `http://gw.example:${port}${to}`, from);
    }
    assert.equal((await send(port, '/prefixed')).status, 404, 'not a segment match, so not this rule');
  });

  it('a scheme change drops to the scheme default port; an explicit port is kept', async () => {
    const s = await send(port, '/scheme/x');
    assert.equal(s.status, 301);
    assert.equal(s.headers.location, 'https://secure.example/scheme/x');
    const p = await send(port, '/ported/y', { headers: { host: 'gw.example' } });
    assert.equal(p.status, 307);
    assert.equal(p.headers.location, 'http://gw.example:8443/ported/y');
  });

  it('a backend redirect needs no endpoint and never reaches the upstream', async () => {
    const before = a.requests;
    const r = await send(port, '/gone/z');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `http://elsewhere.example:${port}/gone/z`);
    await send(port, '/full/q');
    assert.equal(a.requests, before);
  });

  it('a backend redirect carries the rule response headers, then its own', async () => {
    const r = await send(port, '/resp');
    assert.equal(r.status, 302);
    assert.equal(r.headers['x-rule'], 'r');
    assert.equal(r.headers['x-backend'], 'b', 'the backend filter runs after the rule filter');
    assert.equal(r.headers.location, `http://moved.example:${port}/resp`);
  });

  it('rewrites the full path at the backend', async () => {
    const r = await send(port, '/rw-full/original?q=1');
    assert.equal(r.status, 200);
    assert.equal(r.echo?.path, '/rewritten-full?q=1');
  });

  it('strips the matched prefix and replaces the host at the backend', async () => {
    for (const [from, to] of [['/strip/x/y', '/x/y'], ['/strip', '/'], ['/strip/', '/']]) {
      const r = await send(port, from, { headers: { host: 'outer.example' } });
      assert.equal(r.echo?.path, to, from);
      assert.equal(r.echo?.headers.host, 'inner.example');
    }
  });

  it('runs backend filters only for requests sent to that backend', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = await send(port, '/split/p');
      assert.equal(r.status, 200);
      seen.add(r.echo!.name);
      assert.equal(r.echo?.path, r.echo?.name === 'a' ? '/only-a/p' : '/split/p');
    }
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'both backends were picked');
    const answers = new Set<number>();
    for (let i = 0; i < 8; i++) answers.add((await send(port, '/half')).status);
    assert.deepEqual([...answers].sort(), [200, 302], 'only the backend with the redirect redirects');
  });
});
