import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate, parseResponse } from './loadgen.ts';

test('parseResponse: content-length body is complete only when all bytes arrived', () => {
  const full = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
  assert.deepEqual(parseResponse(full), [200, full.length]);
  assert.equal(parseResponse(full.subarray(0, full.length - 1)), undefined);
  assert.equal(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le')), undefined);
});

test('parseResponse: chunked body ends at the zero chunk and its blank line', () => {
  const body = 'HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
  const buf = Buffer.from(body + 'HTTP/1.1 200');
  assert.deepEqual(parseResponse(buf), [404, body.length]);
  assert.equal(parseResponse(Buffer.from(body.slice(0, -2))), undefined);
});

test('generate: counts every status and keeps the fixed rate', async () => {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    res.statusCode = n % 4 === 0 ? 503 : 200;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await generate({ host: '127.0.0.1', port, path: '/', connections: 4, rate: 400, durationMs: 500 });
    const total = Object.values(r.statuses).reduce((a, b) => a + b, 0);
    assert.equal(total, r.completed);
    assert.equal(total, n, 'every answer the server sent is counted once');
    assert.ok(r.statuses['503'] > 0 && r.statuses['200'] > r.statuses['503']);
    assert.ok(r.completed >= 150 && r.completed <= 210, `about 200 requests at 400/s for 0.5 s, got ${r.completed}`);
    assert.deepEqual(r.errors, {});
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('generate: a refused connection is an error, not a crash', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r)); // nothing listens there now
  const r = await generate({ host: '127.0.0.1', port, path: '/', connections: 1, rate: 0, durationMs: 100 });
  assert.equal(r.completed, 0);
  assert.ok((r.errors.ECONNREFUSED ?? 0) > 0, JSON.stringify(r.errors));
});
