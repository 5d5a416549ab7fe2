import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilters } from '../filters/plan.ts';
import { CHUNKED, clientHead, INCOMPLETE, INVALID, LENGTH, NO_BODY, parseResponse, UNTIL_CLOSE, type ResponseHead } from './response.ts';

function parse(s: string, head = false): ResponseHead | typeof INCOMPLETE | typeof INVALID {
  const b = Buffer.from(s, 'latin1');
  return parseResponse(b, 0, b.length, head);
}

function ok(s: string, head = false): ResponseHead {
  const r = parse(s, head);
  assert.ok(typeof r === 'object', `expected a head for ${JSON.stringify(s)}`);
  return r;
}

const TAIL = 'connection: keep-alive\r\n\r\n';

test('framing follows RFC 9112 §6.3', () => {
  assert.equal(ok('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n').framing, LENGTH);
  assert.equal(ok('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').framing, NO_BODY);
  assert.equal(ok('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n').framing, CHUNKED);
  assert.equal(ok('HTTP/1.1 200 OK\r\n\r\n').framing, UNTIL_CLOSE);
  assert.equal(ok('HTTP/1.1 200 OK\r\n\r\n').reusable, false);
  assert.equal(ok('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n').framing, NO_BODY);
  assert.equal(ok('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n').framing, NO_BODY);
  assert.equal(ok('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', true).framing, NO_BODY);
  assert.equal(ok('HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n').interim, true);
  assert.equal(ok('HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n').reusable, false);
  assert.equal(ok('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n').reusable, false);
});

test('invalid or ambiguous heads are refused, incomplete ones wait', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n'), INCOMPLETE);
  for (const bad of [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'HTTP/2.0 200 OK\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n',
    'HTTP/1.1 200 OK\r\n folded\r\n\r\n',
  ]) assert.equal(parse(bad), INVALID, JSON.stringify(bad));
});

test('the client head keeps end-to-end lines verbatim and drops hop-by-hop ones', () => {
  const r = ok('HTTP/1.1 200 Fine\r\nServer: up\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 2  \r\nDate: d\r\n\r\nok');
  assert.equal(clientHead(r, undefined, 'now', TAIL), 'HTTP/1.1 200 Fine\r\nServer: up\r\nContent-Length: 2  \r\nDate: d\r\n' + TAIL);
  const c = ok('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  assert.equal(clientHead(c, undefined, 'now', TAIL), 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ndate: now\r\n' + TAIL);
});

test('response header modifiers apply to the end-to-end fields in plan order', () => {
  const plans = [
    compileFilters([{ type: 'ResponseHeaderModifier', set: [['X-Set', 'a']], add: [['Vary', 'origin']], remove: ['server'] }]),
    compileFilters([{ type: 'ResponseHeaderModifier', set: [], add: [['x-set', 'b']], remove: [] }]),
  ];
  const r = ok('HTTP/1.1 200 OK\r\nServer: up\r\nVary: accept\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\nDate: d\r\n\r\n');
  assert.equal(clientHead(r, plans, 'now', TAIL),
    'HTTP/1.1 200 OK\r\nvary: accept,origin\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ncontent-length: 0\r\ndate: d\r\nx-set: a,b\r\n' + TAIL);
});

test('every hop-by-hop field is dropped whatever its case; look-alike names are kept', () => {
  const r = ok('HTTP/1.1 200 OK\r\nProxy-X: 1\r\nTE: t\r\nTrailer: x\r\nUpgrade: u\r\nKEEP-ALIVE: 1\r\nProxy: kept\r\nTEx: kept\r\nContent-Length: 0\r\nDate: d\r\n\r\n');
  assert.equal(clientHead(r, undefined, 'now', TAIL), 'HTTP/1.1 200 OK\r\nProxy: kept\r\nTEx: kept\r\nContent-Length: 0\r\nDate: d\r\n' + TAIL);
});

test('a strict prefix of a head is incomplete; the body decoded with the head is the small Content-Length body only', () => {
  const whole = 'HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 5\r\nConnection: Keep-Alive\r\n\r\nhelloNEXT';
  const head = whole.indexOf('\r\n\r\n') + 4;
  for (let cut = 0; cut < head; cut++) assert.equal(parse(whole.slice(0, cut)), INCOMPLETE, `cut at ${cut}`);
  const r = ok(whole);
  assert.equal(r.text, whole.slice(0, head + 5));
  assert.equal(r.reusable, true);
  assert.equal(ok('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n').reusable, false);
});
