import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRoundTrip } from './compare.ts';
import { makeRequest, type ExpectedResponse } from './http-request.ts';
import type { CapturedRequest, RoundTripResult } from './http-client.ts';

function rt(status: number, echo: CapturedRequest = {}, headers: Record<string, string[]> = {}, location?: string): RoundTripResult {
  const redirect = location ? (() => {
    const u = new URL(location);
    return { scheme: u.protocol.slice(0, -1), host: u.hostname, port: u.port, path: u.pathname };
  })() : undefined;
  return { request: echo, response: { statusCode: status, protocol: 'HTTP/1.1', headers, redirect, clientCertRequested: false, body: '' }, finalUrl: '' };
}

const okEcho: CapturedRequest = { path: '/p', host: 'gw.example', method: 'GET', namespace: 'ns', pod: 'infra-backend-v1-aaa-bbb', headers: { 'X-A': ['1', '2'] }, httpPort: '3000' };

interface Case {
  name: string;
  expected: ExpectedResponse;
  result: RoundTripResult;
  /** Substring of the failure, or undefined when the case must pass. */
  fails?: string;
}

const base = (over: Partial<ExpectedResponse> = {}): ExpectedResponse => ({ request: { path: '/p', host: 'gw.example' }, namespace: 'ns', backend: 'infra-backend-v1', ...over });

const cases: Case[] = [
  { name: 'plain match', expected: base(), result: rt(200, okEcho) },
  { name: 'status not listed', expected: base(), result: rt(404, okEcho), fails: 'expected status one of [200], got 404' },
  { name: 'statusCodes list', expected: base({ response: { statusCodes: [200, 404] } }), result: rt(404) },
  { name: 'deprecated statusCode merged', expected: base({ response: { statusCode: 503 } }), result: rt(503) },
  { name: '504 passes when a timeout code is expected', expected: base({ response: { statusCodes: [408] } }), result: rt(504) },
  { name: '504 fails otherwise', expected: base(), result: rt(504), fails: 'got 504' },
  { name: 'protocol mismatch', expected: base({ response: { protocol: 'HTTP/2.0' } }), result: rt(200, okEcho), fails: 'expected protocol HTTP/2.0' },
  { name: 'path mismatch', expected: base({ request: { path: '/q' } }), result: rt(200, okEcho), fails: 'expected path "/q"' },
  { name: 'host mismatch', expected: base({ request: { path: '/p', host: 'other' } }), result: rt(200, okEcho), fails: 'expected host "other"' },
  { name: 'empty expected host is not checked', expected: base({ request: { path: '/p' } }), result: rt(200, okEcho) },
  { name: 'expectedRequest wins over request', expected: base({ request: { path: '/orig' }, expectedRequest: { path: '/p' } }), result: rt(200, okEcho) },
  { name: 'expectedRequest method defaults to GET', expected: base({ request: { path: '/p', method: 'POST' }, expectedRequest: { path: '/p' } }), result: rt(200, okEcho) },
  { name: 'method from request when no expectedRequest', expected: base({ request: { path: '/p', method: 'POST' } }), result: rt(200, okEcho), fails: 'expected method POST' },
  { name: 'namespace absent requires empty echo', expected: base({ namespace: undefined }), result: rt(200, okEcho), fails: 'expected namespace ""' },
  { name: 'namespace not checked on 404', expected: base({ namespace: 'zzz', response: { statusCodes: [404] } }), result: rt(404, okEcho) },
  { name: 'header joined with comma, case-insensitive name', expected: base({ expectedRequest: { path: '/p', headers: { 'x-a': '1,2' } } }), result: rt(200, okEcho) },
  { name: 'header value differs', expected: base({ expectedRequest: { path: '/p', headers: { 'X-A': '1' } } }), result: rt(200, okEcho), fails: 'expected request header X-A: "1"' },
  { name: 'header missing', expected: base({ expectedRequest: { path: '/p', headers: { 'X-B': '1' } } }), result: rt(200, okEcho), fails: 'it was absent' },
  { name: 'absent request header present', expected: base({ expectedRequest: { path: '/p', absentHeaders: ['x-a'] } }), result: rt(200, okEcho), fails: 'to be absent at the backend' },
  { name: 'absent request header really absent', expected: base({ expectedRequest: { path: '/p', absentHeaders: ['X-Gone'] } }), result: rt(200, okEcho) },
  { name: 'httpPort mismatch', expected: base({ expectedRequest: { path: '/p', httpPort: '8080' } }), result: rt(200, okEcho), fails: 'expected httpPort' },
  { name: 'backend prefix mismatch', expected: base({ backend: 'infra-backend-v2' }), result: rt(200, okEcho), fails: 'expected a pod of infra-backend-v2' },
  { name: 'empty backend matches any pod', expected: base({ backend: '' }), result: rt(200, okEcho) },
  { name: 'response header equal', expected: base({ response: { headers: { 'X-R': 'a,b' } } }), result: rt(200, okEcho, { 'x-r': ['a', 'b'] }) },
  { name: 'response header differs', expected: base({ response: { headers: { 'X-R': 'a' } } }), result: rt(200, okEcho, { 'x-r': ['b'] }), fails: 'expected response header X-R: "a"' },
  { name: 'response header whitespace ignored', expected: base({ response: { headers: { 'X-R': 'a, b' }, ignoreWhitespace: true } }), result: rt(200, okEcho, { 'x-r': ['a,b'] }) },
  { name: 'valid header values', expected: base({ response: { validHeaderValues: { 'X-R': ['x', 'GET, OPTIONS'] } } }), result: rt(200, okEcho, { 'x-r': ['GET, OPTIONS'] }) },
  { name: 'invalid header value', expected: base({ response: { validHeaderValues: { 'X-R': ['x'] } } }), result: rt(200, okEcho, { 'x-r': ['y'] }), fails: 'to be one of' },
  { name: 'absent response header present', expected: base({ response: { absentHeaders: ['X-R'] } }), result: rt(200, okEcho, { 'x-r': ['y'] }), fails: 'X-R to be absent' },
  { name: 'sni checked', expected: base({ expectedRequest: { path: '/p', sni: 'a.example' } }), result: rt(200, { ...okEcho, tls: { serverName: 'b.example' } }), fails: 'expected backend SNI "a.example"' },
  { name: 'request.sni checked without expectedRequest', expected: base({ request: { path: '/p', sni: 'a.example' } }), result: rt(200, { ...okEcho, tls: { serverName: 'a.example' } }) },
  { name: 'client cert must be echoed', expected: base({ expectedRequest: { path: '/p', clientCert: 'PEM' } }), result: rt(200, { ...okEcho, tls: { peerCertificates: ['OTHER'] } }), fails: 'client certificate' },
  { name: 'redirect without expectation passes', expected: base({ response: { statusCodes: [302] } }), result: rt(302, {}, {}, 'http://x.example/') },
  { name: 'redirect defaults: path and scheme from the request', expected: base({ request: { path: '/p?q=1' }, response: { statusCodes: [301] }, redirectRequest: { host: 'x.example' } }), result: rt(301, {}, {}, 'http://x.example/p') },
  { name: 'redirect host differs', expected: base({ response: { statusCodes: [302] }, redirectRequest: { host: 'y.example' } }), result: rt(302, {}, {}, 'http://x.example/p'), fails: 'expected redirect host "y.example"' },
  { name: 'redirect port 80 allowed for http', expected: base({ response: { statusCodes: [302] }, redirectRequest: { path: '/p' } }), result: rt(302, {}, {}, 'http://x.example:80/p') },
  { name: 'redirect unexpected port', expected: base({ response: { statusCodes: [302] }, redirectRequest: { path: '/p' } }), result: rt(302, {}, {}, 'http://x.example:8080/p'), fails: 'expected no port' },
  { name: 'redirect explicit port', expected: base({ response: { statusCodes: [302] }, redirectRequest: { port: '8083' } }), result: rt(302, {}, {}, 'http://x.example:8083/p') },
  { name: 'redirect scheme', expected: base({ response: { statusCodes: [302] }, redirectRequest: { scheme: 'https' } }), result: rt(302, {}, {}, 'http://x.example/p'), fails: 'expected redirect scheme "https"' },
  { name: 'redirect path', expected: base({ response: { statusCodes: [302] }, redirectRequest: { path: '/new' } }), result: rt(302, {}, {}, 'http://x.example/p'), fails: 'expected redirect path "/new"' },
];

for (const c of cases) {
  test(`CompareRoundTrip: ${c.name}`, () => {
    const req = makeRequest(c.expected, '127.0.0.1:80', 'HTTP', 'http');
    const got = compareRoundTrip(req, c.expected, c.result);
    if (c.fails === undefined) assert.equal(got, undefined);
    else {
      assert.ok(got, 'expected a failure');
      assert.ok(got.includes(c.fails), `"${got}" should contain "${c.fails}"`);
    }
  });
}

test('MakeRequest fills defaults and builds the URL', () => {
  const e: ExpectedResponse = { request: { path: '/a?b=c d', headers: { 'x-foo-bar': 'v' } }, response: { statusCode: 404 }, backendSetResponseHeaders: { 'X-S': 'v' } };
  const req = makeRequest(e, '127.0.0.1:80', 'HTTP', 'http');
  assert.equal(req.url, 'http://127.0.0.1/a?b=c d');
  assert.equal(req.method, 'GET');
  assert.equal(req.host, '127.0.0.1');
  assert.deepEqual(e.response?.statusCodes, [404]);
  assert.equal(e.request.protocol, 'HTTP');
  assert.deepEqual(req.headers, { 'X-Foo-Bar': 'v', 'X-Echo-Set-Header': 'X-S:v' });
  const e2: ExpectedResponse = { request: { host: 'h.example' } };
  const req2 = makeRequest(e2, '[::1]:8080', 'HTTPS', 'https');
  assert.equal(req2.url, 'https://[::1]:8080');
  assert.equal(req2.host, 'h.example');
  assert.deepEqual(e2.response?.statusCodes, [200]);
});
