import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { upstreamRequestHeaders } from '../upstream/headers.ts';
import { parseRequest, type RequestHead } from './request.ts';
import { serialise } from './response.ts';
import { upstreamHead } from './route.ts';

/** The upstream head the general way: header object copied, X-Forwarded-* appended, serialised. */
function reference(req: RequestHead, remote: string | undefined): string {
  const h = upstreamRequestHeaders(req.headers, { remoteAddress: remote, proto: 'http', host: req.host });
  let out = `${req.method} ${req.target} HTTP/1.1\r\nhost: ${req.host}\r\nconnection: keep-alive\r\n` + serialise(h, true);
  if (req.bodyLength < 0) out += 'transfer-encoding: chunked\r\n';
  else if (req.headers['content-length'] !== undefined) out += `content-length: ${req.bodyLength}\r\n`;
  return out + '\r\n';
}

const NAMES = ['User-Agent', 'accept', 'X-Forwarded-For', 'x-forwarded-proto', 'X-Forwarded-Host', 'Keep-Alive', 'TE', 'Trailer',
  'Proxy-Authorization', 'Connection', 'Content-Length', 'X-Custom', 'x-a', 'Cookie', 'Via'];

test('property: the head written from the client fields equals the one rebuilt through a header object', () => {
  const field = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('1', 'v a l', 'keep-alive', 'close', 'Close', 'x-custom', '10.1.2.3'));
  const fields = fc.uniqueArray(field, { selector: ([n]) => n.toLowerCase(), maxLength: 8 });
  fc.assert(fc.property(fields, fc.constantFrom('127.0.0.1', undefined), (fs, remote) => {
    let s = 'GET /p?q=1 HTTP/1.1\r\nHost: gw.example\r\n';
    for (const [n, v] of fs) s += `${n}: ${n === 'Content-Length' ? '3' : v}\r\n`;
    const b = Buffer.from(s + '\r\n', 'latin1');
    const req = parseRequest(b, 0, b.length);
    if (typeof req !== 'object') return; // e.g. "Connection: x-custom, upgrade" shapes the fast path leaves alone
    assert.equal(upstreamHead(req, remote, undefined), reference(req, remote));
  }));
});

test('the request target is split into path and query', () => {
  const b = Buffer.from('GET /a/b?x=1&y HTTP/1.1\r\nHost: h\r\n\r\n');
  const req = parseRequest(b, 0, b.length) as RequestHead;
  assert.equal(req.path, '/a/b');
  assert.equal(req.query, 'x=1&y');
  const c = Buffer.from('GET /a? HTTP/1.1\r\nHost: h\r\n\r\n');
  assert.deepEqual([(parseRequest(c, 0, c.length) as RequestHead).path, (parseRequest(c, 0, c.length) as RequestHead).query], ['/a', '']);
});
