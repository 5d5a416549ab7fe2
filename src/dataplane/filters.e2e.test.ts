import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IRFilter, IRRoute } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from './testing.ts';

const prefix = (value: string) => ({ match: { path: { type: 'PathPrefix' as const, value } } });

describe('filters end to end', () => {
  let up: EchoServer;
  let mirror: EchoServer;
  let dp: HttpDataPlane;
  let port: number;
  let dead: number;

  before(async () => {
    up = await startEcho('up');
    mirror = await startEcho('mirror');
    port = await freePort();
    dead = await freePort();
    dp = new HttpDataPlane();
    const be = backend('up', [up.port]);
    const f = (...filters: IRFilter[]) => ({ filters });
    const routes: IRRoute[] = [
      route('hdr', [be], { ...prefix('/hdr'), ...f(
        { type: 'RequestHeaderModifier', set: [['X-Set', 'set']], add: [['x-ADD', 'added']], remove: ['x-remove'] },
        { type: 'ResponseHeaderModifier', set: [['X-Resp', 'r']], add: [['X-Echo-Name', 'extra']], remove: ['x-powered-by'] },
      ) }),
      route('redir', [], { ...prefix('/redir'), ...f({ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }) }),
      route('redir-port', [], { ...prefix('/rport'), ...f({ type: 'RequestRedirect', hostname: 'example.org', port: 8083, statusCode: 302, path: { type: 'ReplacePrefixMatch', value: '/new', prefix: '/rport' } }) }),
      route('redir-listener', [], { ...prefix('/rlis'), ...f({ type: 'RequestRedirect', hostname: 'example.org', statusCode: 302 }) }),
      route('rewrite', [be], { ...prefix('/strip'), ...f({ type: 'URLRewrite', hostname: 'rewritten.example', path: { type: 'ReplacePrefixMatch', value: '/', prefix: '/strip' } }) }),
      route('mirror-dead', [be], { ...prefix('/mdead'), ...f({ type: 'RequestMirror', backend: backend('dead', [dead]), fraction: 1 }) }),
      route('mirror', [be], { ...prefix('/mirror'), ...f({ type: 'RequestMirror', backend: backend('mirror', [mirror.port]), fraction: 1 }) }),
      route('cors', [be], { ...prefix('/cors'), ...f({ type: 'CORS', allowOrigins: ['https://*.bar.com'], allowCredentials: true, allowMethods: ['GET'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAge: 60 }) }),
      route('reject', [be], { ...prefix('/reject'), ...f({ type: 'Reject', status: 500, reason: 'UnsupportedValue' }) }),
      route('backend-filter', [backend('up', [up.port], { filters: [{ type: 'RequestHeaderModifier', set: [['x-from', 'backend']], add: [], remove: [] }] })], {
        ...prefix('/bf'), ...f({ type: 'RequestHeaderModifier', set: [['x-from', 'route'], ['x-route', '1']], add: [], remove: [] }),
      }),
      route('timeout', [be], { ...prefix('/slow'), timeouts: { requestMs: 50 } }),
      route('retry', [backend('flaky', [dead, up.port])], { ...prefix('/retry'), retry: { attempts: 2, codes: [503], backoffMs: 0 } }),
    ];
    await dp.apply(simpleIR(1, port, routes));
  });
  after(async () => {
    await dp.close();
    await up.close();
    await mirror.close();
  });

  it('modifies request and response headers regardless of name casing', async () => {
    const r = await send(port, '/hdr', { headers: { 'X-SET': 'orig', 'X-Add': 'first', 'X-Remove': 'gone' } });
    assert.equal(r.echo?.headers['x-set'], 'set');
    assert.equal(r.echo?.headers['x-add'], 'first,added');
    assert.equal(r.echo?.headers['x-remove'], undefined);
    assert.equal(r.headers['x-resp'], 'r');
    assert.equal(r.headers['x-echo-name'], 'up,extra');
  });

  it('redirects with the spec port rules', async () => {
    const a = await send(port, '/redir/x?q=1', { headers: { host: 'Example.com:9999' } });
    assert.equal(a.status, 301);
    assert.equal(a.headers.location, 'https://example.com/redir/x?q=1');
    const b = await send(port, '/rport/y');
    assert.equal(b.status, 302);
    assert.equal(b.headers.location, 'http://example.org:8083/new/y');
    const c = await send(port, '/rlis');
    assert.equal(c.headers.location, `http://example.org:${port}/rlis`);
  });

  it('rewrites host and path prefix', async () => {
    const a = await send(port, '/strip/one?z=2');
    assert.equal(a.echo?.path, '/one?z=2');
    assert.equal(a.echo?.headers.host, 'rewritten.example');
    assert.equal((await send(port, '/strip')).echo?.path, '/');
  });

  it('mirrors without affecting the primary, even to a dead backend', async () => {
    const dead = await send(port, '/mdead', { method: 'POST', body: 'payload' });
    assert.equal(dead.status, 200);
    assert.equal(dead.echo?.bodyBytes, 7);
    const seen = mirror.requests;
    const ok = await send(port, '/mirror/copy');
    assert.equal(ok.echo?.name, 'up');
    while (mirror.requests === seen) await new Promise((r) => setTimeout(r, 5));
    assert.equal(mirror.requests, seen + 1);
  });

  it('answers CORS preflights and decorates actual responses', async () => {
    const pre = await send(port, '/cors', { method: 'OPTIONS', headers: { origin: 'https://a.b.bar.com', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://a.b.bar.com');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.equal(pre.echo, undefined, 'answered by the gateway');
    const denied = await send(port, '/cors', { method: 'OPTIONS', headers: { origin: 'https://evil.com', 'access-control-request-method': 'GET' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
    const actual = await send(port, '/cors', { headers: { origin: 'https://x.bar.com' } });
    assert.equal(actual.echo?.name, 'up');
    assert.equal(actual.headers['access-control-allow-origin'], 'https://x.bar.com');
    assert.equal(actual.headers['access-control-expose-headers'], 'x-b');
    const plain = await send(port, '/cors');
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
  });

  it('rejects with the IR status', async () => {
    assert.equal((await send(port, '/reject')).status, 500);
  });

  it('applies backend filters after route filters', async () => {
    const r = await send(port, '/bf');
    assert.equal(r.echo?.headers['x-from'], 'backend');
    assert.equal(r.echo?.headers['x-route'], '1');
  });

  it('answers 504 when the request timeout expires', async () => {
    assert.equal((await send(port, '/slow?ms=2000')).status, 504);
  });

  it('retries connect errors on the next endpoint', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await send(port, '/retry')).echo?.name, 'up');
  });
});
