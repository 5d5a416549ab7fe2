import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpDataPlane } from './index.ts';
import { h2Connect, h2Send, startH2Echo, type H2Echo, type H2EchoServer } from './testing-h2.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type Echo, type EchoServer } from './testing.ts';

const prefix = (value: string) => ({ match: { path: { type: 'PathPrefix' as const, value } } });

/** An HTTP/1.1 GET that also returns the trailers. */
function getWithTrailers(port: number, path: string): Promise<{ status: number; body: string; trailers: Record<string, string | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { te: 'trailers' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, trailers: res.trailers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP/2 cleartext', () => {
  let h2up: H2EchoServer;
  let h1up: EchoServer;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    h2up = await startH2Echo('h2');
    h1up = await startEcho('h1');
    port = await freePort();
    dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, [
      route('h2c', [backend('h2', [h2up.port], { protocol: 'h2c' })], {
        ...prefix('/h2'),
        filters: [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/', prefix: '/h2' } }, { type: 'ResponseHeaderModifier', set: [['x-resp', 'gw']], add: [], remove: [] }],
      }),
      route('h1', [backend('h1', [h1up.port])]),
    ]));
  });
  after(async () => {
    await dp.close();
    await h2up.close();
    await h1up.close();
  });

  it('speaks h2c to an h2c backend and maps the answer back to HTTP/1.1', async () => {
    const r = await send(port, '/h2/hello?q=1', { headers: { host: 'app.example', 'x-client': 'c' } });
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body) as H2Echo;
    assert.equal(e.proto, 'HTTP/2.0');
    assert.equal(e.path, '/hello?q=1');
    assert.equal(e.authority, 'app.example', 'Host becomes :authority');
    assert.equal(e.headers['host'], undefined);
    assert.equal(e.headers['x-client'], 'c');
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.equal(e.headers['connection'], undefined);
    assert.equal(r.headers['x-echo-name'], 'h2');
    assert.equal(r.headers['x-resp'], 'gw');
    for (const name of Object.keys(r.headers)) assert.ok(!name.startsWith(':'), `pseudo-header ${name} leaked`);
  });

  it('reuses one upstream session for many requests, sequential and concurrent', async () => {
    const before = h2up.sessions;
    for (let i = 0; i < 10; i++) assert.equal((await send(port, `/h2/seq/${i}`)).status, 200);
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => send(port, `/h2/par/${i}`)));
    assert.ok(all.every((r) => r.status === 200));
    assert.ok(h2up.sessions - before <= 1, `opened ${h2up.sessions - before} sessions`);
  });

  it('reconnects after GOAWAY and after the upstream drops the session', async () => {
    assert.equal((await send(port, '/h2/warm')).status, 200);
    const before = h2up.sessions;
    assert.equal((await send(port, '/h2/goaway')).status, 200);
    await new Promise((r) => setTimeout(r, 20)); // let the GOAWAY frame arrive (ordering only, nothing timed)
    assert.equal((await send(port, '/h2/after-goaway')).status, 200);
    assert.equal(h2up.sessions, before + 1, 'a fresh session after GOAWAY');
    assert.equal((await send(port, '/h2/kill')).status, 200);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal((await send(port, '/h2/after-kill')).status, 200);
    assert.equal(h2up.sessions, before + 2, 'a fresh session after the old one died');
  });

  it('streams bodies both ways and relays trailers', async () => {
    const size = 4 * 1024 * 1024;
    const up = await send(port, '/h2/upload', { method: 'POST', body: Buffer.alloc(size, 1) });
    assert.equal((JSON.parse(up.body) as H2Echo).bodyBytes, size);
    const down = await send(port, `/h2/stream?bytes=${size}`);
    assert.equal(down.body.length, size);
    const t = await getWithTrailers(port, '/h2/trailers');
    assert.equal(t.body, 'body');
    assert.equal(t.trailers['x-checksum'], 'abc');
    assert.equal(t.trailers['grpc-status'], '0');
  });

  it('answers 503 when the h2c backend is down', async () => {
    const dead = await freePort();
    const port2 = await freePort();
    const dp2 = new HttpDataPlane();
    await dp2.apply(simpleIR(1, port2, [route('d', [backend('dead', [dead], { protocol: 'h2c' })])]));
    assert.equal((await send(port2, '/x')).status, 503);
    const s = h2Connect(port2);
    const posted = await h2Send(s, '/x', { method: 'POST', body: 'lost' });
    assert.equal(posted.status, 503, 'an HTTP/2 client gets the same local answer');
    assert.equal(posted.headers['connection'], undefined);
    s.close();
    await dp2.close();
  });

  it('serves h2c prior-knowledge clients with the same router and filters', async () => {
    const s = h2Connect(port);
    const toH1 = await h2Send(s, '/plain?x=1', { headers: { ':authority': 'front.example', 'x-h2': 'yes' } });
    assert.equal(toH1.status, 200);
    const e = JSON.parse(toH1.body.toString()) as Echo;
    assert.equal(e.name, 'h1');
    assert.equal(e.path, '/plain?x=1');
    assert.equal(e.headers.host, 'front.example', ':authority becomes Host for an HTTP/1.1 upstream');
    assert.equal(e.headers['x-h2'], 'yes');
    const toH2 = await h2Send(s, '/h2/e2e');
    assert.equal(toH2.headers['x-resp'], 'gw');
    assert.equal((JSON.parse(toH2.body.toString()) as H2Echo).path, '/e2e');
    const posted = await h2Send(s, '/h2/post', { method: 'POST', body: Buffer.alloc(100_000, 3) });
    assert.equal((JSON.parse(posted.body.toString()) as H2Echo).bodyBytes, 100_000);
    const trailers = await h2Send(s, '/h2/trailers');
    assert.equal(trailers.trailers?.['grpc-status'], '0', 'trailers reach HTTP/2 clients');
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => h2Send(s, `/multi/${i}`)));
    assert.deepEqual(many.map((r) => (JSON.parse(r.body.toString()) as Echo).path), many.map((_, i) => `/multi/${i}`));
    assert.equal((await h2Send(s, '/h2/status/404')).status, 404);
    s.close();
  });

  it('lets streams in flight finish and sends GOAWAY when an h2c socket is removed', async () => {
    const port2 = await freePort();
    const dp2 = new HttpDataPlane();
    await dp2.apply(simpleIR(1, port2, [route('slow', [backend('h1', [h1up.port])])]));
    const s = h2Connect(port2);
    const goaway = new Promise<void>((r) => s.once('goaway', () => r()));
    const seen = h1up.requests;
    const slow = h2Send(s, '/slow?ms=150');
    while (h1up.requests === seen) await new Promise((r) => setTimeout(r, 5));
    await dp2.apply({ version: 2, sockets: [] });
    await goaway;
    const r = await slow;
    assert.equal(r.status, 200, 'the stream that was running completed');
    assert.equal((JSON.parse(r.body.toString()) as Echo).path, '/slow?ms=150');
    s.close();
    await dp2.close();
  });

  it('still serves HTTP/1.1 whose first bytes look like the start of the preface', async () => {
    // "P" alone could begin "PRI * HTTP/2.0": the sniffer must wait, then hand the socket to HTTP/1.1.
    const sock = netConnect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let answer = '';
    sock.on('data', (c: Buffer) => (answer += c.toString()));
    sock.write('P');
    await new Promise((r) => setTimeout(r, 10));
    sock.write('OST /split HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi');
    await new Promise((r) => sock.once('close', r));
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.match(answer, /"path":"\/split"/);
    assert.match(answer, /"bodyBytes":2/);
  });
});
