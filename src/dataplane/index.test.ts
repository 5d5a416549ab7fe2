import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, simpleIR, socket, startEcho, type EchoServer } from './testing.ts';

describe('HttpDataPlane end to end', () => {
  let v1: EchoServer;
  let v2: EchoServer;
  let dp: HttpDataPlane;
  let port: number;
  let deadPort: number;

  before(async () => {
    v1 = await startEcho('v1');
    v2 = await startEcho('v2');
    port = await freePort();
    deadPort = await freePort();
    dp = new HttpDataPlane();
  });
  after(async () => {
    await dp.close();
    await v1.close();
    await v2.close();
  });

  it('routes by path, method, header and query, preserving Host and adding X-Forwarded-*', async () => {
    const r = await dp.apply(simpleIR(1, port, [
      route('exact', [backend('v2', [v2.port])], { match: { path: { type: 'Exact', value: '/only' } } }),
      route('method', [backend('v2', [v2.port])], { match: { method: 'POST', path: { type: 'PathPrefix', value: '/m' } } }),
      route('header', [backend('v2', [v2.port])], { match: { headers: [{ name: 'x-env', type: 'Exact', value: 'canary' }] } }),
      route('query', [backend('v2', [v2.port])], { match: { queryParams: [{ name: 'v', type: 'RegularExpression', value: '2|two' }] } }),
      route('rest', [backend('v1', [v1.port])]),
    ]));
    assert.equal(r.bindErrors.size, 0);
    assert.equal((await send(port, '/only')).echo?.name, 'v2');
    assert.equal((await send(port, '/only/more')).echo?.name, 'v1');
    assert.equal((await send(port, '/m', { method: 'POST' })).echo?.name, 'v2');
    assert.equal((await send(port, '/m')).echo?.name, 'v1');
    assert.equal((await send(port, '/x', { headers: { 'X-ENV': 'canary' } })).echo?.name, 'v2');
    assert.equal((await send(port, '/x?v=two&v=1')).echo?.name, 'v2');
    assert.equal((await send(port, '/x?v=1&v=two')).echo?.name, 'v1', 'only the first of repeated query keys counts');
    const e = (await send(port, '/x?a=1', { headers: { host: 'Example.com:8080', connection: 'keep-alive, x-hop', 'x-hop': '1' } })).echo!;
    assert.equal(e.path, '/x?a=1');
    assert.equal(e.headers.host, 'Example.com:8080');
    assert.equal(e.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.equal(e.headers['x-forwarded-host'], 'Example.com:8080');
    assert.equal(e.headers['x-hop'], undefined, 'headers named in Connection are hop-by-hop');
  });

  it('answers 404, 500 and 503 for the failure cases', async () => {
    await dp.apply({ version: 2, sockets: [socket(port, [
      { hostname: 'known.test', routes: [
        route('none', [], { match: { path: { type: 'PathPrefix', value: '/none' } } }),
        route('zero', [backend('a', [v1.port], { weight: 0 })], { match: { path: { type: 'PathPrefix', value: '/zero' } } }),
        route('invalid', [backend('bad', [], { invalid: { status: 500, reason: 'BackendNotFound' } })], { match: { path: { type: 'PathPrefix', value: '/invalid' } } }),
        route('noeps', [backend('empty', [])], { match: { path: { type: 'PathPrefix', value: '/noeps' } } }),
        route('dead', [backend('dead', [deadPort])], { match: { path: { type: 'PathPrefix', value: '/dead' } } }),
        route('ok', [backend('v1', [v1.port])], { match: { path: { type: 'Exact', value: '/ok' } } }),
      ] },
      { hostname: 'broken.test', routes: [route('badre', [backend('v1', [v1.port])], { match: { path: { type: 'RegularExpression', value: '/re(' } } })] },
    ])] });
    const h = { host: 'known.test' };
    assert.equal((await send(port, '/ok', { headers: { host: 'other.test' } })).status, 404);
    assert.equal((await send(port, '/nothing', { headers: h })).status, 404);
    assert.equal((await send(port, '/none', { headers: h })).status, 500);
    assert.equal((await send(port, '/zero', { headers: h })).status, 500);
    assert.equal((await send(port, '/invalid', { headers: h })).status, 500);
    const noeps = await send(port, '/noeps', { headers: h });
    assert.equal(noeps.status, 503);
    assert.match(noeps.headers['content-type'] ?? '', /text\/plain/);
    const dead = await send(port, '/dead', { headers: h });
    assert.equal(dead.status, 503, 'an unreachable upstream is unavailable');
    assert.match(dead.body, /connect error/);
    assert.equal((await send(port, '/anything', { headers: { host: 'broken.test' } })).status, 500, 'a broken regex route fails closed');
  });

  it('reuses upstream connections (keep-alive pool)', async () => {
    const v3 = await startEcho('v3');
    await dp.apply(simpleIR(3, port, [route('all', [backend('v3', [v3.port])])]));
    for (let i = 0; i < 20; i++) assert.equal((await send(port, `/ka/${i}`)).echo?.name, 'v3');
    assert.equal(v3.requests, 20);
    assert.equal(v3.connections, 1, 'twenty sequential requests share one upstream connection');
    await v3.close();
  });

  it('streams large bodies in both directions', async () => {
    await dp.apply(simpleIR(4, port, [route('all', [backend('v1', [v1.port])])]));
    const size = 8 * 1024 * 1024;
    const up = await send(port, '/upload', { method: 'POST', body: Buffer.alloc(size, 1) });
    assert.equal(up.echo?.bodyBytes, size);
    const down = await send(port, `/stream?bytes=${size}`);
    assert.equal(down.body.length, size);
    assert.equal(down.headers['transfer-encoding'], 'chunked');
  });

  it('destroys the client connection when the upstream dies mid-response', async () => {
    await assert.rejects(send(port, '/die'));
  });

  it('splits traffic by weight', async () => {
    await dp.apply(simpleIR(5, port, [route('w', [backend('v1', [v1.port], { weight: 3 }), backend('v2', [v2.port], { weight: 1 }), backend('never', [deadPort], { weight: 0 })])]));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const counts = new Map<string, number>();
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => send(port, `/w/${i}`, { agent })));
    agent.destroy();
    for (const r of replies) counts.set(r.echo?.name ?? String(r.status), (counts.get(r.echo?.name ?? String(r.status)) ?? 0) + 1);
    assert.equal(counts.get('503'), undefined, 'weight 0 is never picked');
    const share = (counts.get('v1') ?? 0) / 200;
    assert.ok(share > 0.6 && share < 0.9, `v1 share ${share}`);
  });

  it('finishes in-flight requests on the version they started on', async () => {
    await dp.apply(simpleIR(6, port, [route('v1', [backend('v1', [v1.port])])]));
    const seen = v1.requests;
    const slow = send(port, '/slow?ms=300');
    await waitFor(() => v1.requests > seen);
    await dp.apply(simpleIR(7, port, [route('v2', [backend('v2', [v2.port])])]));
    assert.equal((await send(port, '/fast')).echo?.name, 'v2');
    assert.equal((await slow).echo?.name, 'v1');
    assert.equal(dp.version, 7);
  });

  it('reports bind errors per socket and keeps serving the rest', async () => {
    const taken = await startEcho('squatter');
    const r = await dp.apply({ version: 8, sockets: [socket(port, [{ hostname: '*', routes: [route('a', [backend('v1', [v1.port])])] }]), socket(taken.port, [])] });
    assert.match(r.bindErrors.get(`127.0.0.1:${taken.port}`) ?? '', /EADDRINUSE/);
    assert.equal((await send(port, '/still')).echo?.name, 'v1');
    await taken.close();
  });

  it('rejects an older IR version and keeps the current one', async () => {
    const r = await dp.apply(simpleIR(1, port, [route('old', [backend('v2', [v2.port])])]));
    assert.equal(r.version, 8);
    assert.equal((await send(port, '/x')).echo?.name, 'v1');
  });

  it('rejects an IR that cannot compile and keeps serving the old version', async () => {
    const dup = socket(port, [{ hostname: '*', routes: [route('dup', [backend('v2', [v2.port])])] }]);
    await assert.rejects(dp.apply({ version: 100, sockets: [dup, dup] }), /duplicate socket key/);
    assert.equal(dp.version, 8);
    assert.equal((await send(port, '/x')).echo?.name, 'v1');
  });

  it('closes removed sockets and does not rebind kept ones', async () => {
    const port2 = await freePort();
    await dp.apply({ version: 9, sockets: [socket(port, [{ hostname: '*', routes: [route('a', [backend('v1', [v1.port])])] }]), socket(port2, [{ hostname: '*', routes: [route('b', [backend('v2', [v2.port])])] }])] });
    const keep = new Agent({ keepAlive: true });
    assert.equal((await send(port, '/a', { agent: keep })).echo?.name, 'v1');
    assert.equal((await send(port2, '/b')).echo?.name, 'v2');
    await dp.apply({ version: 10, sockets: [socket(port, [{ hostname: '*', routes: [route('a2', [backend('v2', [v2.port])])] }])] });
    await assert.rejects(send(port2, '/b'), /ECONNREFUSED/);
    // The kept socket was not rebound: the keep-alive connection from before still works, on the new table.
    assert.equal((await send(port, '/a', { agent: keep })).echo?.name, 'v2');
    keep.destroy();
  });
});

/** Polls a condition on the event loop (no timing assertion: it only orders the steps). */
async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
