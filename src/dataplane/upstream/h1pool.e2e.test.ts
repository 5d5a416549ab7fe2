import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpDataPlane } from '../index.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from '../testing.ts';
import { h2Connect, h2Send } from '../testing-h2.ts';
import { UpstreamPools } from './pool.ts';

/** An upstream with trailers and repeated headers, for what node:http and undici present differently. */
async function startShapes(): Promise<Server> {
  const server = createHttpServer((req, res) => {
    req.resume();
    if (req.url === '/shapes/trailers') {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-sum' });
      res.write('body');
      res.addTrailers({ 'x-sum': '42' });
      res.end();
      return;
    }
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeHead(200, [['x-multi', 'one'], ['x-multi', 'two'], ['content-type', 'text/plain']].flat());
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/**
 * A keep-alive upstream that answers the first request of every connection and closes the connection when a
 * second one arrives on it: the race of a pooled connection the server closed while it was idle.
 */
async function startIdleCloser(): Promise<{ port: number; answered: number; close(): Promise<void> }> {
  const state = { answered: 0 };
  const sockets = new Set<Socket>();
  const server = createNetServer((sock) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    let seen = 0;
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        if (++seen > 1) return void sock.end();
        state.answered++;
        sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  });
}

describe('HTTP/1.1 upstreams over undici pools', () => {
  let echo: EchoServer;
  let shapes: Server;
  let closer: Awaited<ReturnType<typeof startIdleCloser>>;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    echo = await startEcho('echo');
    shapes = await startShapes();
    closer = await startIdleCloser();
    port = await freePort();
    dp = new HttpDataPlane();
    const shapesPort = (shapes.address() as AddressInfo).port;
    await dp.apply(simpleIR(1, port, [
      route('shapes', [backend('shapes', [shapesPort])], { match: { path: { type: 'PathPrefix', value: '/shapes' } } }),
      route('closer', [backend('closer', [closer.port])], { match: { path: { type: 'PathPrefix', value: '/closer' } } }),
      route('echo', [backend('echo', [echo.port])]),
    ]));
  });
  after(async () => {
    await dp.close();
    await echo.close();
    shapes.closeAllConnections();
    await new Promise((r) => shapes.close(r));
    await closer.close();
  });

  it('relays response trailers to a client that accepts them', async () => {
    const trailers = await new Promise<Record<string, string | undefined>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/shapes/trailers', agent: false, headers: { te: 'trailers' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.trailers));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(trailers['x-sum'], '42');
  });

  it('keeps repeated response headers, each value intact', async () => {
    const r = await send(port, '/shapes/multi');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(r.headers['x-multi'], 'one, two');
    assert.equal(r.body, 'ok');
  });

  it('carries an HTTP/2 client body to an HTTP/1.1 upstream without tearing down the client stream', async () => {
    const session = h2Connect(port);
    try {
      const body = Buffer.alloc(200_000, 7);
      const first = await h2Send(session, '/upload', { method: 'POST', body });
      assert.equal(first.status, 200);
      assert.equal(JSON.parse(first.body.toString()).bodyBytes, body.length);
      const second = await h2Send(session, '/again');
      assert.equal(second.status, 200, 'the session survives the exchange');
    } finally {
      session.close();
    }
  });

  it('sends requests with an Expect header (which undici refuses) through node:http', async () => {
    const r = await send(port, '/expect', { method: 'POST', headers: { expect: '100-continue', 'content-length': '5' }, body: 'hello' });
    assert.equal(r.status, 200);
    assert.equal(r.echo?.bodyBytes, 5);
    assert.equal(r.echo?.headers['expect'], '100-continue');
  });

  it('retries once, for free, when a reused connection closes under a request without a retry policy', async () => {
    const firstAnswer = await send(port, '/closer/1');
    assert.equal(firstAnswer.status, 200);
    const r = await send(port, '/closer/2'); // goes out on the pooled connection, which the upstream closes
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
    assert.equal(closer.answered, 2, 'the retry went out on a fresh connection');
  });
});

describe('UpstreamPools', () => {
  it('keeps one pool per endpoint and sweeps those with no connection left', async () => {
    const echo = await startEcho('p');
    const pools = new UpstreamPools();
    try {
      const ep = { address: '127.0.0.1', port: echo.port };
      const pool = pools.get(ep);
      assert.equal(pools.get({ ...ep }), pool);
      assert.notEqual(pools.get({ address: '::1', port: echo.port }), pool, 'IPv6 endpoints get their own origin');
      assert.equal(pools.size, 2);
      const { statusCode, body } = await pool.request({ path: '/', method: 'GET' });
      await body.dump();
      assert.equal(statusCode, 200);
      assert.equal(pools.sweep(), 1, 'only the unused pool goes; the connected one stays');
      assert.equal(pools.size, 1);
      const gone = once(pool, 'disconnect');
      echo.server.closeAllConnections();
      await gone;
      assert.equal(pools.sweep(), 1);
      assert.equal(pools.size, 0);
    } finally {
      pools.close();
      await echo.close();
    }
  });
});
