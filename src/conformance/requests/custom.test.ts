import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { StepFailure } from '../types.ts';
import { requestOps } from './index.ts';
import { requestCustomHandlers } from './custom.ts';
import { isDeferredCall } from './mirror.ts';
import { mirrorBand } from './mirror-percentage.ts';
import { retryQuery } from './retry-probe.ts';
import { setQueryParam } from './request-id.ts';
import { FakeWorkloads, fakeCtx, startEcho } from './testkit.ts';

test('ExpectMirroredRequest: finds the log line; a missing line is a non-fatal failure of the wait', async () => {
  const ctx = fakeCtx();
  const wl = ctx.workloads as FakeWorkloads;
  const primary = wl.addPod('ns', 'infra-backend-v1-a-b', 'infra-backend-v1');
  const mirror = wl.addPod('ns', 'infra-backend-v2-c-d', 'infra-backend-v2');
  const echo = await startEcho({ workloads: wl, podRef: primary, namespace: 'ns', pod: primary.name });
  try {
    const path = '/mirror?gateway-api-conformance-request-id=1';
    const wait = await requestOps['http.ExpectMirroredRequest']!({ op: 'x', mirrorPods: [{ name: 'infra-backend-v2', namespace: 'ns' }], path }, ctx);
    assert.ok(isDeferredCall(wait) && typeof wait === 'function');
    await requestOps['http.MakeRequestAndExpectEventuallyConsistentResponse']!({ op: 'x', gwAddr: echo.addr, expected: { request: { path }, namespace: 'ns', backend: 'infra-backend-v1' } }, ctx);
    wl.print(mirror, `Echoing back request made to ${path} to client (127.0.0.1:1)`);
    await wait.wait();
    const other = await requestOps['http.ExpectMirroredRequest']!({ op: 'x', mirrorPods: [{ name: 'infra-backend-v2', namespace: 'ns' }], path: '/never' }, ctx);
    await assert.rejects((other as () => Promise<void>)(), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal && e.message.includes('ns/infra-backend-v2'));
      return true;
    });
    await assert.rejects(requestOps['http.ExpectMirroredRequest']!({ op: 'x', mirrorPods: [{ name: '' }], path }, ctx), (e: unknown) => e instanceof StepFailure && e.fatal);
    // The mirror test's custom handler runs a deferred wait routed to it.
    await requestCustomHandlers.HTTPRouteRequestMirror!({ op: 'custom', data: { call: wait, deferred: true } }, ctx);
  } finally {
    await echo.close();
  }
});

test('percentage mirror: band math and one passing attempt', async () => {
  const b = mirrorBand(500, 20, 3);
  assert.equal(b.expected, 100);
  assert.ok(Math.abs(b.min - 73.16718427000252) < 1e-9 && Math.abs(b.max - 126.83281572999748) < 1e-9);
  const ctx = fakeCtx({}, 'HTTPRouteRequestPercentageMirror');
  const wl = ctx.workloads as FakeWorkloads;
  const primary = wl.addPod('ns', 'infra-backend-v1-a-b', 'infra-backend-v1');
  const mirror = wl.addPod('ns', 'infra-backend-v2-c-d', 'infra-backend-v2');
  let n = 0;
  const echo = await startEcho({
    namespace: 'ns',
    pod: primary.name,
    behaviour: (req, _res, echoIt) => {
      if (n++ % 5 === 0) wl.print(mirror, `Echoing back request made to ${req.url} to client (x)`); // exactly 20%
      echoIt();
    },
  });
  try {
    const expected = { request: { path: '/percent-mirror?gateway-api-conformance-request-id=$requestID' }, expectedRequest: { path: '/percent-mirror?gateway-api-conformance-request-id=$requestID' }, namespace: 'ns', backend: 'infra-backend-v1', mirroredTo: [{ name: 'infra-backend-v2', namespace: 'ns', percent: 20 }] };
    await requestCustomHandlers.HTTPRouteRequestPercentageMirror!({ op: 'custom', data: { numDistributionChecks: 1, totalRequests: 100, concurrentRequests: 10, toleranceStdDevs: 3, perRequest: { gwAddr: echo.addr, expected } } }, ctx);
    assert.equal(echo.hits, 100);
    const bad = { ...expected, mirroredTo: [{ name: 'infra-backend-v2', namespace: 'ns', percent: 80 }] };
    await assert.rejects(
      requestCustomHandlers.HTTPRouteRequestPercentageMirror!({ op: 'custom', data: { numDistributionChecks: 1, totalRequests: 50, failMessage: 'pm failed', perRequest: { gwAddr: echo.addr, expected: bad } } }, ctx),
      /pm failed; last attempt: ns\/infra-backend-v2 logged 10 of 50/,
    );
  } finally {
    await echo.close();
  }
});

test('request-id and retry query encoding: sorted keys, form escaping', () => {
  assert.equal(setQueryParam('/p?b=2&a=x y&gateway-api-conformance-request-id=old', 'gateway-api-conformance-request-id', 'N'), '/p?a=x+y&b=2&gateway-api-conformance-request-id=N');
  assert.equal(retryQuery({ succeedAfter: ['2'], responseCode: ['503'], delayRetry: ['1s'] }, 'U'), 'delayRetry=1s&responseCode=503&succeedAfter=2&uuid=U');
});

test('assertConsistentRetryBehaviour: a fresh uuid per attempt, backend infra-backend-v3', async () => {
  const uuids = new Set<string>();
  const echo = await startEcho({ pod: 'infra-backend-v3-a-b', namespace: 'ns', behaviour: (req, _res, echoIt) => (uuids.add(new URL(req.url!, 'http://x').searchParams.get('uuid')!), echoIt()) });
  try {
    await requestOps.assertConsistentRetryBehaviour!({ op: 'x', gwAddr: echo.addr, ns: 'ns', path: '/retry', values: { succeedAfter: ['1'] }, response: { statusCode: 200 } }, fakeCtx());
    assert.equal(uuids.size, 3);
  } finally {
    await echo.close();
  }
});

test('HTTPRouteWeight sender returns the pod after a full comparison', async () => {
  const echo = await startEcho({ pod: 'infra-backend-v1-a-b', namespace: 'gateway-conformance-infra' });
  try {
    const h = requestCustomHandlers.HTTPRouteWeight!;
    const data = { expected: { request: { path: '/' }, response: { statusCodes: [200] }, namespace: 'gateway-conformance-infra' }, gwAddr: echo.addr, protocol: 'HTTP', scheme: 'http' };
    assert.equal(await h({ op: 'custom', data }, fakeCtx()), 'infra-backend-v1-a-b');
    await assert.rejects(h({ op: 'custom', data: { ...data, expected: { ...data.expected, namespace: 'other' } } }, fakeCtx()), /expected namespace "other"/);
  } finally {
    await echo.close();
  }
});

test('HeaderModifierBackendWeights: the Backend header must name the answering pod', async () => {
  let n = 0;
  const make = (honest: boolean) =>
    startEcho({
      namespace: 'ns',
      pod: 'infra-backend-v1-a-b',
      behaviour: (req, _res, echoIt) => {
        req.rawHeaders.push('Backend', honest || n++ % 2 === 0 ? 'infra-backend-v1' : 'infra-backend-v2');
        echoIt();
      },
    });
  const good = await make(true);
  const bad = await make(false);
  try {
    const h = requestCustomHandlers.HTTPRouteRequestHeaderModifierBackendWeights!;
    const req = await requestOps['http.MakeRequest']!({ op: 'x', expected: { request: { path: '/' }, namespace: 'ns' }, gwAddr: good.addr }, fakeCtx());
    await h({ op: 'custom', data: { req } }, fakeCtx());
    await assert.rejects(h({ op: 'custom', data: { expected: { request: { path: '/' }, namespace: 'ns' }, gwAddr: bad.addr } }, fakeCtx()), /request 2\/100: backend pod "infra-backend-v1-a-b" saw backend header "infra-backend-v2"/);
  } finally {
    await good.close();
    await bad.close();
  }
});

test('WebSocket attempt: text and binary echoed; a non-echoing server fails the attempt', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  const bad = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/bad') bad.handleUpgrade(req, socket, head, (ws) => ws.on('message', () => ws.send('nope')));
    else wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = requestCustomHandlers.HTTPRouteBackendProtocolWebSocket!;
  const data = { url: `ws://${addr}/ws`, protocol: '', origin: 'ws://gateway/x', textMessage: 'Websocket Support!', binaryMessage: [1, 2, 3, 4, 5, 6, 7] };
  try {
    assert.equal(await h({ op: 'custom', data }, fakeCtx()), true);
    await assert.rejects(h({ op: 'custom', data: { ...data, url: `ws://${addr}/bad` } }, fakeCtx()), /text echo mismatch/);
  } finally {
    for (const c of [...wss.clients, ...bad.clients]) c.terminate();
    wss.close();
    bad.close();
    await new Promise((r) => server.close(r));
  }
});
