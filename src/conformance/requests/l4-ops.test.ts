import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { StepFailure } from '../types.ts';
import { grpcEcho, fullyQualifiedMethod } from '../grpc-def.ts';
import { requestOps } from './index.ts';
import { requestCustomHandlers } from './custom.ts';
import { dnsQuery } from './udp-ops.ts';
import { fakeCtx } from './testkit.ts';

/** A TCP echo per echo-contract §4; `pods` is cycled per connection. */
async function startTcpEcho(pods: string[]) {
  let n = 0;
  const srv = net.createServer((s) => {
    const pod = pods[n++ % pods.length];
    s.write('Gateway API Test TCP Server\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const cmd = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (cmd === 'PING') s.write('PONG\n');
        else if (cmd === 'IS_TLS') s.write('false\n');
        else if (cmd === 'TEST') s.write(JSON.stringify({ namespace: 'ns', pod, isTLS: false }) + '\n');
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { addr: `127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(r)) };
}

/** A UDP echo per echo-contract §5 (DNS-looking datagrams get a DNS-shaped answer). */
async function startUdpEcho(pod: string, service = 'udp-svc') {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    if (msg.length >= 12 && msg[2] === 0x01) {
      const reply = Buffer.from(msg);
      reply[2] = 0x81;
      sock.send(reply, rinfo.port, rinfo.address);
      return;
    }
    sock.send(JSON.stringify({ request: msg.toString(), namespace: 'ns', service, pod }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { addr: `127.0.0.1:${sock.address().port}`, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

test('TCP: full exchange checked, mismatches are non-fatal', async () => {
  const echo = await startTcpEcho(['tcp-backend-1-a-b']);
  try {
    const op = requestOps['tcp.MakeTCPRequestAndExpectEventuallyValidResponse']!;
    await op({ op: 'x', gwAddr: echo.addr, useTLS: false, serverName: '', serverCertificate: null, expected: { backend: 'tcp-backend-1', namespace: 'ns' } }, fakeCtx());
    await assert.rejects(op({ op: 'x', gwAddr: echo.addr, useTLS: false, expected: { backend: 'tcp-backend-2', namespace: 'ns' } }, fakeCtx()), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal && /not a pod of tcp-backend-2/.test(e.message));
      return true;
    });
    assert.equal(await requestOps['tcp.EchoSendOnce']!({ op: 'x', gwAddr: echo.addr, timeoutMs: 500 }, fakeCtx()), 'tcp-backend-1-a-b');
    await requestOps['tcp.ExpectEchoResponse']!({ op: 'x', address: echo.addr }, fakeCtx());
    await requestOps['tcp.ExpectAddressBeAvailable']!({ op: 'x', address: echo.addr }, fakeCtx());
  } finally {
    await echo.close();
  }
});

test('TCP: nothing listening is fatal for ExpectEchoResponse', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  await new Promise((r) => srv.close(r));
  await assert.rejects(requestOps['tcp.ExpectEchoResponse']!({ op: 'x', address: addr }, fakeCtx()), (e: unknown) => e instanceof StepFailure && e.fatal);
});

test('TCPRouteMultipleRoutesAttachment sampling: every pod must be the older backend', async () => {
  const good = await startTcpEcho(['tcp-attach-backend-1-a-b']);
  const bad = await startTcpEcho(['tcp-attach-backend-1-a-b', 'tcp-attach-backend-2-a-b']);
  const h = requestCustomHandlers.TCPRouteMultipleRoutesAttachment!;
  const data = { timeoutMs: 500, sampleCount: 10, podMustNotHavePrefix: 'tcp-attach-backend-2-', podMustHavePrefix: 'tcp-attach-backend-1-' };
  try {
    await h({ op: 'custom', data: { ...data, gwAddr: good.addr } }, fakeCtx());
    await assert.rejects(h({ op: 'custom', data: { ...data, gwAddr: bad.addr } }, fakeCtx()), /request 2\/10 .* newer route/);
  } finally {
    await good.close();
    await bad.close();
  }
});

test('UDP: echo from the expected service; mismatch is non-fatal', async () => {
  const echo = await startUdpEcho('udp-backend-v1-a-b');
  try {
    await requestOps['udp.ExpectEchoResponse']!({ op: 'x', gwAddr: echo.addr }, fakeCtx());
    await requestOps['udp.ExpectEchoResponseFromBackend']!({ op: 'x', gwAddr: echo.addr, expected: { service: 'udp-svc', namespace: 'ns' } }, fakeCtx());
    await assert.rejects(requestOps['udp.ExpectEchoResponseFromBackend']!({ op: 'x', gwAddr: echo.addr, expected: { service: 'other' } }, fakeCtx()), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal && /service "udp-svc"/.test(e.message));
      return true;
    });
    const pod = await requestCustomHandlers.UDPRouteWeightedRouting!({ op: 'custom', data: { gwAddr: echo.addr, timeoutMs: 500 } }, fakeCtx());
    assert.equal(pod, 'udp-backend-v1-a-b');
    await requestCustomHandlers.UDPRouteMultipleRoutesAttachment!({ op: 'custom', data: { gwAddr: echo.addr, podMustHavePrefix: 'udp-backend-v1-', podMustNotHavePrefix: 'udp-backend-v2-', batchSize: 5 } }, fakeCtx());
    await assert.rejects(
      requestCustomHandlers.UDPRouteMultipleRoutesAttachment!({ op: 'custom', data: { gwAddr: echo.addr, podMustHavePrefix: 'x-', podMustNotHavePrefix: 'udp-backend-v1-' } }, fakeCtx()),
      /newer route/,
    );
  } finally {
    await echo.close();
  }
});

test('UDPRoute DNS probe: a reply with the query id passes; silence is non-fatal', async () => {
  assert.deepEqual([...dnsQuery(0x1234, 'foo.bar.com.').subarray(12)], [3, 102, 111, 111, 3, 98, 97, 114, 3, 99, 111, 109, 0, 0, 1, 0, 1]);
  const echo = await startUdpEcho('coredns-a-b');
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  try {
    const h = requestCustomHandlers.UDPRoute!;
    await h({ op: 'custom', data: { gwAddr: echo.addr, domain: 'foo.bar.com.', pollIntervalMs: 10, timeoutMs: 3000 } }, fakeCtx());
    await assert.rejects(h({ op: 'custom', data: { gwAddr: `127.0.0.1:${silent.address().port}`, pollIntervalMs: 10, timeoutMs: 300 } }, fakeCtx()), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal);
      return true;
    });
  } finally {
    await echo.close();
    silent.close();
  }
});

/** A gRPC echo per echo-contract §3. */
async function startGrpcEcho(pod: string) {
  const server = new grpc.Server();
  const answer = (method: string) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
    cb(null, { assertions: { fully_qualified_method: fullyQualifiedMethod(method as any), authority: call.getPath(), context: { namespace: 'ns', pod } } });
  server.addService(grpcEcho.service, {
    Echo: answer('Echo'),
    EchoTwo: answer('EchoTwo'),
    EchoThree: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not implemented' }),
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { addr: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}

test('gRPC: consistent response, codes by name, failure variant', async () => {
  const echo = await startGrpcEcho('grpc-infra-backend-v1-a-b');
  try {
    const ok = requestOps['grpc.MakeRequestAndExpectEventuallyConsistentResponse']!;
    await ok({ op: 'x', gwAddr: echo.addr, expected: { echoRequest: {}, backend: 'grpc-infra-backend-v1', namespace: 'ns' } }, fakeCtx());
    await ok({ op: 'x', gwAddr: echo.addr, expected: { echoThreeRequest: {}, response: { code: 'Unimplemented' } } }, fakeCtx());
    await assert.rejects(ok({ op: 'x', gwAddr: echo.addr, expected: { echoTwoRequest: {}, backend: 'grpc-infra-backend-v2' } }, fakeCtx()), /expected a pod of grpc-infra-backend-v2/);
    await assert.rejects(ok({ op: 'x', gwAddr: echo.addr, expected: { echoRequest: {}, echoTwoRequest: {} } }, fakeCtx()), /exactly one/);
    const fail = requestOps['grpc.MakeRequestAndExpectEventuallyConsistentFailure']!;
    await fail({ op: 'x', gwAddr: echo.addr, expected: { echoThreeRequest: {} } }, fakeCtx());
    await assert.rejects(fail({ op: 'x', gwAddr: echo.addr, expected: { echoRequest: {} } }, fakeCtx()), /expected a non-OK status, got OK/);
    const pod = await requestCustomHandlers.GRPCRouteWeight!({ op: 'custom', data: { gwAddr: echo.addr, expected: { echoRequest: {} }, timeoutMs: 500 } }, fakeCtx());
    assert.equal(pod, 'grpc-infra-backend-v1-a-b');
  } finally {
    await echo.close();
  }
});
