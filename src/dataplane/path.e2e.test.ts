import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from './testing.ts';

describe('path normalisation end to end', () => {
  let admin: EchoServer;
  let pub: EchoServer;
  let rest: EchoServer;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    [admin, pub, rest] = await Promise.all([startEcho('admin'), startEcho('public'), startEcho('rest')]);
    port = await freePort();
    dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, [
      route('admin', [backend('admin', [admin.port])], { match: { path: { type: 'Exact', value: '/admin' } } }),
      route('tilde', [backend('admin', [admin.port])], { match: { path: { type: 'Exact', value: '/%7euser' } } }),
      route('public', [backend('public', [pub.port])], { match: { path: { type: 'PathPrefix', value: '/public' } } }),
      route('strip', [backend('public', [pub.port])], {
        match: { path: { type: 'PathPrefix', value: '/strip' } },
        filters: [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/', prefix: '/strip' } }],
      }),
      route('redirect', [], {
        match: { path: { type: 'PathPrefix', value: '/old' } },
        filters: [{ type: 'RequestRedirect', statusCode: 302, hostname: 'example.org' }],
      }),
      route('rest', [backend('rest', [rest.port])]),
    ]));
  });
  after(async () => {
    await dp.close();
    await Promise.all([admin.close(), pub.close(), rest.close()]);
  });

  it('matches on the dot-segment-free path but forwards the path as sent', async () => {
    const r = await send(port, '/public/../admin?q=1');
    assert.equal(r.echo?.name, 'admin', 'routed where the backend will resolve the path');
    assert.equal(r.echo?.path, '/public/../admin?q=1');
    assert.equal((await send(port, '/public/%2E%2e/admin')).echo?.name, 'admin', 'encoded dot-segments count too');
    assert.equal((await send(port, '/admin/./')).echo?.name, 'rest', '"/admin/" is not Exact "/admin"');
  });

  it('decodes unreserved escapes before matching, in requests and in route values', async () => {
    const r = await send(port, '/%70ublic/x');
    assert.equal(r.echo?.name, 'public');
    assert.equal(r.echo?.path, '/%70ublic/x');
    assert.equal((await send(port, '/~user')).echo?.name, 'admin');
    assert.equal((await send(port, '/%7Euser')).echo?.name, 'admin');
  });

  it('treats an encoded slash as data, not as a segment boundary', async () => {
    assert.equal((await send(port, '/public%2Fx')).echo?.name, 'rest');
    assert.equal((await send(port, '/public/a%2F..%2Fb')).echo?.name, 'public');
  });

  it('rewrites from the normalised path', async () => {
    assert.equal((await send(port, '/strip/%2e%2e/strip/y')).echo?.path, '/y');
    assert.equal((await send(port, '/x/../strip/z')).echo?.path, '/z');
  });

  it('redirects keep the request path as sent when no path modifier is set', async () => {
    const r = await send(port, '/old/./a');
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, `http://example.org:${port}/old/./a`);
  });
});
