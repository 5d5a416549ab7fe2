import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { IRFilter, IRRoute } from '../../ir/types.ts';
import { HttpDataPlane } from '../index.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from '../testing.ts';
import { rawRequest, startRawUpstream, statuses, type RawUpstream } from './testing.ts';

const prefix = (value: string) => ({ match: { path: { type: 'PathPrefix' as const, value } } });
const HDR: IRFilter[] = [
  { type: 'RequestHeaderModifier', set: [['X-Set', 'set']], add: [['x-ADD', 'added']], remove: ['x-remove'] },
  { type: 'ResponseHeaderModifier', set: [['X-Resp', 'r']], add: [['X-Echo-Name', 'extra']], remove: ['x-echo-gone'] },
];

/** A large body with varied bytes, so that bytes relayed out of order or overwritten would show. */
const BIG = Buffer.alloc(16 * 1024 * 1024); // more than loopback socket buffers hold: writes queue up
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7919 + (i >> 11)) & 0xff;

/** Canned upstream answers per path. */
function canned(path: string, nth: number): string | Buffer | null {
  switch (path) {
    case '/raw/big':
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`), BIG]);
    case '/raw/bigchunked':
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${BIG.length.toString(16)}\r\n`), BIG, Buffer.from('\r\n0\r\n\r\n')]);
    case '/raw/chunked':
      return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n';
    case '/raw/close':
      return 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end';
    case '/raw/204':
      return 'HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n';
    case '/raw/304':
      return 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 10\r\n\r\n';
    case '/raw/head':
      return 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n';
    case '/raw/early':
      return 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: X-Hop\r\nX-Hop: gone\r\nKeep-Alive: timeout=5\r\n\r\nok';
    case '/raw/garbage':
      return 'HTTP/1.1 2x0 What\r\n\r\n';
    case '/raw/stale':
      return nth === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst' : null; // 2nd on a connection: reset
    default:
      return 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  }
}

describe('HTTP/1.1 fast path end to end', () => {
  let echo: EchoServer;
  let other: EchoServer;
  let raw: RawUpstream;
  let dp: HttpDataPlane;
  let slowDp: HttpDataPlane;
  let port: number;
  let slowPort: number;
  let dead: number;
  const routes = (): IRRoute[] => [
    route('hdr', [backend('up', [echo.port])], { ...prefix('/hdr'), filters: HDR }),
    route('redir', [], { ...prefix('/redir'), filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }] }),
    route('raw', [backend('raw', [raw.port])], prefix('/raw')),
    route('dead', [backend('dead', [dead])], prefix('/dead')),
    route('empty', [], prefix('/empty')), // no backends: a local 500
    route('echo', [backend('up', [echo.port])], prefix('/')),
  ];

  before(async () => {
    echo = await startEcho('up');
    other = await startEcho('other');
    raw = await startRawUpstream(canned);
    [port, slowPort, dead] = await Promise.all([freePort(), freePort(), freePort()]);
    dp = new HttpDataPlane({ drainTimeoutMs: 2_000 });
    slowDp = new HttpDataPlane({ fastPath: false });
    await dp.apply(simpleIR(1, port, routes()));
    await slowDp.apply(simpleIR(1, slowPort, routes()));
  });
  after(async () => {
    await dp.close();
    await slowDp.close();
    await Promise.all([echo.close(), other.close(), raw.close()]);
  });

  it('serves many requests on one keep-alive connection over pooled upstream sockets', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = dp.fastPath!.stats.served;
    const conns = echo.connections;
    for (let i = 0; i < 30; i++) {
      const r = await send(port, `/n/${i}`, { agent });
      assert.equal(r.status, 200);
      assert.equal(r.echo?.path, `/n/${i}`);
    }
    agent.destroy();
    assert.equal(dp.fastPath!.stats.served - before, 30);
    assert.ok(echo.connections - conns <= 1, 'upstream connection reused');
  });

  it('answers pipelined requests in order', async () => {
    const reqs = ['/p/1', '/p/2', '/raw/x', '/p/3'].map((p, i, a) => `GET ${p} HTTP/1.1\r\nHost: h\r\n${i === a.length - 1 ? 'Connection: close\r\n' : ''}\r\n`);
    const t = await rawRequest(port, reqs.join(''));
    assert.deepEqual(statuses(t), [200, 200, 200, 200]);
    const order = [...t.matchAll(/"path":"([^"]+)"|\r\n\r\nok/g)].map((m) => m[1] ?? 'raw');
    assert.deepEqual(order, ['/p/1', '/p/2', 'raw', '/p/3']);
  });

  it('streams request bodies by Content-Length and chunked, large ones with backpressure', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 120);
    const cl = await send(port, '/body', { method: 'POST', body: big, headers: { 'content-length': String(big.length) } });
    assert.equal(cl.echo?.bodyBytes, big.length);
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/chunked', method: 'PUT', agent: false }, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      for (let i = 0; i < 64; i++) req.write(big.subarray(0, 32 * 1024));
      req.end();
    });
    assert.equal(JSON.parse(chunked).bodyBytes, 64 * 32 * 1024);
    assert.equal(JSON.parse(chunked).headers['transfer-encoding'], 'chunked');
  });

  it('relays chunked responses with trailers, close-delimited ones, and body-less answers', async () => {
    const t = await rawRequest(port, 'GET /raw/chunked HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    assert.match(t, /transfer-encoding: chunked\r\n/i);
    assert.match(t, /\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n$/);
    assert.doesNotMatch(t, /^trailer:/im);
    const c = await rawRequest(port, 'GET /raw/close HTTP/1.1\r\nHost: h\r\n\r\n'); // keep-alive asked, closed after
    assert.match(c, /connection: close\r\n/);
    assert.ok(c.endsWith('\r\n\r\nuntil the end'));
    const multi = await rawRequest(port, 'GET /raw/204 HTTP/1.1\r\nHost: h\r\n\r\nGET /raw/304 HTTP/1.1\r\nHost: h\r\n\r\n' +
      'HEAD /raw/head HTTP/1.1\r\nHost: h\r\n\r\nGET /raw/early HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    assert.deepEqual(statuses(multi), [204, 304, 200, 200]); // 1xx not relayed; bodies of 304/HEAD not expected
    assert.match(multi, /content-length: 1234\r\n/i);
    assert.ok(multi.endsWith('\r\n\r\nok'));
    assert.doesNotMatch(multi, /x-hop|keep-alive: timeout=5/i);
  });

  it('relays large bodies byte for byte, several at once', async () => {
    const get = (path: string) => new Promise<Buffer>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.pause(); // a slow reader: the proxy's writes queue up while upstream reads continue
        setTimeout(() => res.resume(), 100);
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject).end();
    });
    const bodies = await Promise.all([get('/raw/big'), get('/raw/bigchunked'), get('/raw/big')]);
    for (const b of bodies) assert.ok(b.equals(BIG));
  });

  it('retries a stale pooled socket once, maps upstream failures to 503 and 502', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await send(port, '/raw/stale', { agent })).body, 'first');
    const heads = raw.heads.length;
    assert.equal((await send(port, '/raw/stale', { agent })).body, 'first'); // reset on reuse, retried fresh
    assert.equal(raw.heads.length - heads, 2);
    agent.destroy();
    const down = await send(port, '/dead');
    assert.equal(down.status, 503);
    assert.match(down.body, /upstream connect error/);
    assert.equal((await send(port, '/raw/garbage')).status, 502);
  });

  it('hands a connection over to node:http for a route it does not serve, and keeps working', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const handed = dp.fastPath!.stats.handedOver;
    assert.equal((await send(port, '/a', { agent })).status, 200);
    assert.equal((await send(port, '/redir', { agent })).status, 301);
    assert.equal((await send(port, '/b', { agent })).echo?.path, '/b');
    agent.destroy();
    assert.equal(dp.fastPath!.stats.handedOver - handed, 1);
    const bad = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    assert.deepEqual(statuses(bad), [400]);
  });

  it('sends upstream and back exactly what the node:http path does (X-Forwarded-*, modifiers)', async () => {
    const headers = { Host: 'gw.example', 'X-SET': 'orig', 'X-Add': 'first', 'X-Remove': 'gone', 'X-Forwarded-For': '10.0.0.1', Connection: 'x-drop', 'X-Drop': '1', Te: 'trailers' };
    const [fast, slow] = await Promise.all([send(port, '/hdr?q=1', { headers }), send(slowPort, '/hdr?q=1', { headers })]);
    const served = dp.fastPath!.stats.served;
    assert.ok(served > 0);
    assert.deepEqual(fast.echo, slow.echo);
    assert.equal(fast.echo?.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(fast.echo?.headers['x-drop'], undefined);
    const strip = (h: Record<string, unknown>) => ({ ...h, date: undefined });
    assert.deepEqual(strip(fast.headers), strip(slow.headers));
    assert.equal(fast.headers['x-echo-name'], 'up,extra');
    assert.equal(fast.headers['content-type'], 'application/json');
  });

  it('finishes an in-flight request on the version it started on', async () => {
    const inflight = send(port, '/slow?ms=200');
    await new Promise((r) => setTimeout(r, 50));
    await dp.apply(simpleIR(2, port, [route('other', [backend('other', [other.port])], prefix('/'))]));
    assert.equal((await inflight).echo?.name, 'up');
    assert.equal((await send(port, '/x')).echo?.name, 'other');
    await dp.apply(simpleIR(3, port, routes()));
  });

  it('stops reading a client that pipelines requests for local answers but never reads them', async () => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('error', () => undefined);
    await once(sock, 'connect');
    sock.pause(); // reads nothing: every answer the proxy writes stays queued somewhere
    const block = 'GET /empty HTTP/1.1\r\nHost: h\r\n\r\n'.repeat(2048);
    const cap = 32 * 1024 * 1024; // a proxy that reads on regardless accepts all of it (and buffers ~3x in answers)
    let written = 0;
    let stalled = false;
    while (written < cap) {
      written += block.length;
      if (sock.write(block)) continue;
      // No drain within a second: the proxy stopped reading, as it must once its own writes back up.
      const drained = await Promise.race([once(sock, 'drain').then(() => true), new Promise<boolean>((r) => setTimeout(r, 1_000, false))]);
      if (!drained) {
        stalled = true;
        break;
      }
    }
    sock.destroy();
    assert.ok(stalled, `the proxy kept reading: ${written} bytes of requests accepted`);
    assert.ok(written < cap);
  });

  it('drains on listener removal: the busy connection finishes, idle ones close', async () => {
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    await send(port, '/warm', { agent: idle });
    const idleSock = Object.values(idle.freeSockets)[0]![0];
    const idleClosed = new Promise<void>((r) => idleSock.once('close', () => r()));
    const inflight = send(port, '/slow?ms=200');
    await new Promise((r) => setTimeout(r, 50));
    await dp.apply({ version: 4, sockets: [] });
    await idleClosed;
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.equal(r.headers['connection'], 'close');
    idle.destroy();
  });
});

describe('HTTP/1.1 fast path: timeouts and a slow upstream reader', () => {
  it('closes a keep-alive connection idle past the keep-alive timeout', async () => {
    const echo = await startEcho('up');
    const port = await freePort();
    const dp = new HttpDataPlane({ keepAliveTimeoutMs: 100 });
    await dp.apply(simpleIR(1, port, [route('echo', [backend('up', [echo.port])])]));
    try {
      const t = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n'); // resolves only once the server closes
      assert.deepEqual(statuses(t), [200]);
      assert.match(t, /keep-alive: timeout=0\r\n/);
    } finally {
      await dp.close();
      await echo.close();
    }
  });

  it('pauses the client while an upstream reads a large body slowly, and delivers all of it', async () => {
    let received = 0;
    const { createServer } = await import('node:net');
    const size = 4 * 1024 * 1024;
    let total = Infinity; // head + body, known once the head was seen
    const up = createServer((sock) => {
      sock.pause();
      const tick = setInterval(() => {
        sock.resume();
        setTimeout(() => sock.pause(), 2);
      }, 10);
      sock.on('data', (c: Buffer) => {
        if (received === 0) total = c.indexOf('\r\n\r\n') + 4 + size;
        received += c.length;
        if (received >= total) {
          clearInterval(tick);
          sock.resume();
          sock.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone');
        }
      });
      sock.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
    const upPort = (up.address() as import('node:net').AddressInfo).port;
    const port = await freePort();
    const dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, [route('slow', [backend('slow', [upPort])])]));
    try {
      const r = await send(port, '/upload', { method: 'POST', body: Buffer.alloc(size, 97), headers: { 'content-length': String(size) } });
      assert.equal(r.body, 'done');
      assert.equal(received, total);
      assert.equal(dp.fastPath!.stats.served, 1);
    } finally {
      await dp.close();
      await new Promise((r) => up.close(r));
    }
  });
});
