import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { StepFailure } from '../types.ts';
import { requestOps } from './index.ts';
import { fakeCtx, startEcho } from './testkit.ts';

const ok = { request: { path: '/' }, response: { statusCodes: [200] }, namespace: 'ns', backend: 'backend-v1' };
const run = (op: string, step: Record<string, unknown>, ctx = fakeCtx()) => requestOps[op]!({ op, ...step }, ctx);

test('eventually consistent response: 3 passes in a row end the loop', async () => {
  const echo = await startEcho();
  try {
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected: ok });
    assert.equal(echo.hits, 3);
  } finally {
    await echo.close();
  }
});

test('a flapping backend resets the streak', async () => {
  // pass, pass, fail, pass, pass, pass → converges after 6 requests.
  const pattern = [true, true, false, true, true, true];
  let i = 0;
  const echo = await startEcho({
    behaviour: (_req, res, echoIt) => {
      if (pattern[i++] ?? true) echoIt();
      else res.writeHead(503).end();
    },
  });
  try {
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected: ok });
    assert.equal(echo.hits, 6);
  } finally {
    await echo.close();
  }
});

test('no convergence is a fatal failure naming request and answer', async () => {
  const echo = await startEcho({ pod: 'backend-v2-aaa-bbb' });
  try {
    await assert.rejects(run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected: ok }), (e: unknown) => {
      assert.ok(e instanceof StepFailure);
      assert.equal(e.fatal, true);
      assert.match(e.message, /GET http:\/\/127\.0\.0\.1:\d+\//);
      assert.match(e.message, /backend-v2-aaa-bbb/);
      return true;
    });
  } finally {
    await echo.close();
  }
});

test('request host, method, headers and the port key reach the backend', async () => {
  const echo = await startEcho();
  try {
    const expected = {
      request: { path: '/x?y=1', host: 'h.example', method: 'PATCH', headers: { 'x-custom': 'v' } },
      expectedRequest: { path: '/x?y=1', host: 'h.example', method: 'PATCH', headers: { 'X-Custom': 'v', 'X-Echo-Set-Header': '' } },
      namespace: 'ns',
    };
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: '127.0.0.1:1', port: echo.port, expected });
    assert.equal(echo.hits, 3);
  } finally {
    await echo.close();
  }
});

test('expect failure: three non-200 answers pass, timeouts do not count', async () => {
  const codes = [504, 404, 404, 404];
  let i = 0;
  const echo = await startEcho({ behaviour: (_q, res) => void res.writeHead(codes[i++] ?? 404).end() });
  try {
    await run('http.MakeRequestAndExpectFailure', { gwAddr: echo.addr, expected: { request: { path: '/' } } });
    assert.equal(echo.hits, 4);
  } finally {
    await echo.close();
  }
});

test('expect failure: a 200 fails fatally at once', async () => {
  const echo = await startEcho();
  try {
    await assert.rejects(run('http.MakeRequestAndExpectFailure', { gwAddr: echo.addr, expected: { request: { path: '/' } } }), /expected a failure, got status 200/);
    assert.equal(echo.hits, 1);
  } finally {
    await echo.close();
  }
});

test('redirects: not followed with unfollowRedirect, Location compared', async () => {
  const echo = await startEcho({ behaviour: (_q, res) => void res.writeHead(302, { Location: 'http://example.org:8083/new' }).end() });
  try {
    const expected = { request: { path: '/old', unfollowRedirect: true }, response: { statusCode: 302 }, redirectRequest: { host: 'example.org', port: '8083', path: '/new' } };
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected });
    const wrong = { ...expected, redirectRequest: { host: 'example.org', port: '9999' } };
    await assert.rejects(run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected: wrong }), /expected redirect port "9999"/);
  } finally {
    await echo.close();
  }
});

test('redirects: followed to loopback, refused to other hosts', async () => {
  const echo = await startEcho({
    behaviour: (req, res, echoIt) => {
      if (req.url === '/start') res.writeHead(301, { Location: '/final' }).end();
      else if (req.url === '/away') res.writeHead(302, { Location: 'http://example.org/' }).end();
      else echoIt();
    },
  });
  try {
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', {
      gwAddr: echo.addr,
      expected: { request: { path: '/start' }, expectedRequest: { path: '/final' }, namespace: 'ns' },
    });
    await assert.rejects(run('http.MakeRequestAndExpectEventuallyConsistentResponse', { gwAddr: echo.addr, expected: { request: { path: '/away' }, namespace: 'ns' } }), /only talks to loopback/);
  } finally {
    await echo.close();
  }
});

test('H2C prior knowledge and the response protocol', async () => {
  const server = http2.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, host: req.headers[':authority'], method: req.method, namespace: 'ns', pod: 'backend-v1-a-b' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await run('http.MakeRequestAndExpectEventuallyConsistentResponse', {
      gwAddr: addr,
      expected: { request: { path: '/h2', host: 'h2.example', protocol: 'H2C_PRIOR_KNOWLEDGE' }, response: { statusCode: 200, protocol: 'HTTP/2.0' }, backend: 'backend-v1', namespace: 'ns' },
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('AwaitConvergence runs the body until it passes 3 times in a row', async () => {
  let calls = 0;
  const ctx = fakeCtx({
    callFunction: async () => {
      calls++;
      if (calls === 2) throw new StepFailure('flap');
      return true;
    },
  });
  await run('http.AwaitConvergence', { fn: [{ op: 'custom' }] }, ctx);
  assert.equal(calls, 5);
});

test('Ipv6SafeHost and AddRequestIDQueryParam', async () => {
  assert.equal(await run('http.Ipv6SafeHost', { host: '::1' }), '[::1]');
  assert.equal(await run('http.Ipv6SafeHost', { host: '127.0.0.1' }), '127.0.0.1');
  const id = '123e4567-e89b-42d3-a456-426614174000';
  assert.equal(await run('http.ExpectedResponse.AddRequestIDQueryParam', { requestID: id }), id);
  await assert.rejects(run('http.ExpectedResponse.AddRequestIDQueryParam', { requestID: '$uuid' }), /harness:/);
});

test('MakeRequest returns the request with the defaulted expectation', async () => {
  const req = (await run('http.MakeRequest', { expected: { request: { path: '/' } }, gwAddr: '127.0.0.1:80', protocol: 'HTTP', scheme: 'http' })) as any;
  assert.equal(req.url, 'http://127.0.0.1/');
  assert.deepEqual(req.expected.response.statusCodes, [200]);
});
