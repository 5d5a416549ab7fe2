import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BAIL, MAX_HEAD, NEED_MORE, parseRequest, type ParseResult, type RequestHead } from './request.ts';

const parse = (s: string | Buffer): ParseResult => {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return parseRequest(b, 0, b.length);
};

function head(r: ParseResult): RequestHead {
  assert.ok(typeof r === 'object', `expected a head, got ${String(r)}`);
  return r;
}

test('a clean request parses into method, target, lower-cased headers and framing', () => {
  const h = head(parse('POST /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Thing:  v 1 \t\r\nContent-Length: 5\r\nConnection: keep-alive, close\r\n\r\nhello'));
  assert.equal(h.method, 'POST');
  assert.equal(h.target, '/a/b?x=1');
  assert.equal(h.host, 'example.com');
  assert.equal(h.headers['x-thing'], 'v 1');
  assert.equal(h.bodyLength, 5);
  assert.equal(h.close, true);
  assert.equal(h.length, Buffer.byteLength('POST /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Thing:  v 1 \t\r\nContent-Length: 5\r\nConnection: keep-alive, close\r\n\r\n'));
  assert.equal(head(parse('GET / HTTP/1.1\r\nhost: h\r\ntransfer-encoding: Chunked\r\n\r\n')).bodyLength, -1);
});

test('an incomplete head waits; one that cannot complete as CRLF CRLF bails', () => {
  assert.equal(parse('GET / HTTP/1.1\r\nHost: h\r\n'), NEED_MORE);
  assert.equal(parse('GET / HTTP/1.1\nHost: h\n'), BAIL);
  assert.equal(parse('GET / HTTP/1.1\r\nHost: ' + 'a'.repeat(MAX_HEAD)), BAIL);
});

test('smuggling shapes and everything unusual bail', () => {
  const bad = [
    'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', // CL + TE
    'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n', // CL twice
    'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\n', // CL list
    'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n', // obs-fold
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\nX-B: 2\r\n\r\n', // bare LF
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\rX-B: 2\r\n\r\n', // bare CR
    'GET / HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n', // space before colon
    'GET / HTTP/1.1\r\nHost: h\r\nX(A): 1\r\n\r\n', // bad token
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n', // CTL in value
    'GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n',
    'GET / HTTP/1.0\r\nHost: h\r\n\r\n',
    'GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n', // absolute-form
    'GET /a b HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET /a"b HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET  / HTTP/1.1\r\nHost: h\r\n\r\n',
    'BREW / HTTP/1.1\r\nHost: h\r\n\r\n', // method node:http may not know
    'get / HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.1\r\n\r\n', // no Host
    'GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n__proto__: x\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n' + 'X-A: 1\r\n'.repeat(101) + '\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX-A: ' + 'a'.repeat(MAX_HEAD) + '\r\n\r\n', // oversize
  ];
  for (const s of bad) assert.equal(parse(s), BAIL, JSON.stringify(s));
});

const TCHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~';
const name = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 }).map((n) => `x-${n}`);
const value = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 });
const path = fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~!$&\'()*+,;=%:@/?'), maxLength: 30 }).map((p) => `/${p}`);

/** A valid request and its expected parse. */
const request = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  target: path,
  fields: fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n.toLowerCase(), maxLength: 8 }),
  body: fc.constantFrom('none', 'length', 'chunked'),
});

/** The reference serialisation of a generated request. */
function serialise(r: { method: string; target: string; fields: [string, string][]; body: string }): string {
  let s = `${r.method} ${r.target} HTTP/1.1\r\nHost: example.test\r\n`;
  for (const [n, v] of r.fields) s += `${n}: ${v}\r\n`;
  if (r.body === 'length') s += 'Content-Length: 12\r\n';
  if (r.body === 'chunked') s += 'Transfer-Encoding: chunked\r\n';
  return s + '\r\n';
}

test('property: a valid request parses to what was serialised (round trip)', () => {
  fc.assert(fc.property(request, (r) => {
    const h = head(parse(serialise(r)));
    assert.equal(h.method, r.method);
    assert.equal(h.target, r.target);
    for (const [n, v] of r.fields) assert.equal(h.headers[n.toLowerCase()], v);
    assert.equal(h.bodyLength, r.body === 'none' ? 0 : r.body === 'length' ? 12 : -1);
    assert.equal(h.length, Buffer.byteLength(serialise(r)));
  }));
});

test('property: split at any byte boundary, a head parses the same once complete', () => {
  fc.assert(fc.property(request, fc.nat(), fc.string({ maxLength: 10 }), (r, cut, extra) => {
    const whole = Buffer.from(serialise(r) + extra, 'latin1');
    const full = head(parse(whole));
    const at = cut % (full.length - 1);
    assert.equal(parseRequest(whole, 0, at), NEED_MORE); // a strict prefix of the head is never accepted
    // The head parsed from the middle of a buffer (as after a pipelined predecessor) is the same.
    const shifted = Buffer.concat([Buffer.from('junk'), whole]);
    assert.deepEqual(parseRequest(shifted, 4, shifted.length), full);
  }));
});

test('property: a single inserted CTL, bare CR/LF or non-token byte in the head never gets accepted as clean', () => {
  const poison = fc.constantFrom('\n', '\r', '\x00', '\x7f', '\x1b', '\x0b');
  fc.assert(fc.property(request, fc.nat(), poison, (r, pos, p) => {
    const s = serialise(r);
    const at = pos % (s.length - 4); // inside the head, before its final empty line
    const r2 = parse(s.slice(0, at) + p + s.slice(at));
    if (typeof r2 !== 'object') return; // bail or need more: fine
    // Accepted only when the insertion landed where it is harmless: the CRLF of an existing line boundary.
    assert.ok(p === '\r' || p === '\n', `accepted ${JSON.stringify(p)} at ${at}`);
    for (const n in r2.headers) assert.match(n, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
    for (const v of Object.values(r2.headers)) assert.doesNotMatch(String(v), /[\r\n\x00-\x08\x0a-\x1f\x7f]/);
  }));
});

test('property: random bytes are never accepted unless they form a clean head', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    const r = parse(Buffer.from(bytes));
    if (typeof r !== 'object') return;
    assert.ok(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].includes(r.method));
    assert.ok(r.target.startsWith('/'));
  }));
});
