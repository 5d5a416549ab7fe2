import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoPod } from '../echo/pod.ts';
import { requestOps } from './index.ts';
import { fakeCtx } from './testkit.ts';

const IMAGE = 'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0';
const IP = '127.20.251.3';

test('interop with the echo backends: HTTP, gRPC, TCP and UDP ops against echo pods', async () => {
  const logs: string[] = [];
  const base = { ip: IP, image: IMAGE, log: (l: string) => logs.push(l) };
  const env = { POD_NAME: 'infra-backend-v1-aaaaa-bbbbb', NAMESPACE: 'ns', SERVICE_NAME: 'svc' };
  const pods = await Promise.all([
    startEchoPod({ ...base, env: { ...env, HTTP_PORT: '0', H2C_PORT: '0' } }),
    startEchoPod({ ...base, env: { ...env, GRPC_ECHO_SERVER: '1', HTTP_PORT: '0', HTTPS_PORT: '0' } }),
    startEchoPod({ ...base, env: { ...env, TCP_ECHO_SERVER: '1', TCP_PORT: '0' } }),
    startEchoPod({ ...base, env: { ...env, UDP_ECHO_SERVER: '1', UDP_PORT: '0' } }),
  ]);
  try {
    const [h, g, t, u] = pods as [any, any, any, any];
    const ctx = fakeCtx();
    await requestOps['http.MakeRequestAndExpectEventuallyConsistentResponse']!(
      { op: 'x', gwAddr: `${IP}:${h.ports.http}`, expected: { request: { path: '/a?b=c', headers: { 'x-foo': 'bar' } }, backendSetResponseHeaders: { 'X-Set': 'v' }, response: { headers: { 'X-Set': 'v' } }, backend: 'infra-backend-v1', namespace: 'ns' } },
      ctx,
    );
    assert.ok(logs.some((l) => l.includes('Echoing back request made to /a?b=c to client')));
    await requestOps['http.MakeRequestAndExpectEventuallyConsistentResponse']!(
      { op: 'x', gwAddr: `${IP}:${h.ports.h2c}`, expected: { request: { path: '/', protocol: 'H2C_PRIOR_KNOWLEDGE' }, response: { protocol: 'HTTP/2.0' }, backend: 'infra-backend-v1', namespace: 'ns' } },
      ctx,
    );
    await requestOps['grpc.MakeRequestAndExpectEventuallyConsistentResponse']!({ op: 'x', gwAddr: `${IP}:${g.ports.grpc}`, expected: { echoTwoRequest: {}, backend: 'infra-backend-v1', namespace: 'ns' } }, ctx);
    await requestOps['grpc.MakeRequestAndExpectEventuallyConsistentResponse']!({ op: 'x', gwAddr: `${IP}:${g.ports.grpc}`, expected: { echoThreeRequest: {}, response: { code: 'Unimplemented' } } }, ctx);
    await requestOps['tcp.MakeTCPRequestAndExpectEventuallyValidResponse']!({ op: 'x', gwAddr: `${IP}:${t.ports.tcp}`, useTLS: false, expected: { backend: 'infra-backend-v1', namespace: 'ns' } }, ctx);
    await requestOps['udp.ExpectEchoResponseFromBackend']!({ op: 'x', gwAddr: `${IP}:${u.ports.udp}`, expected: { service: 'svc', namespace: 'ns' } }, ctx);
  } finally {
    await Promise.all(pods.map((p) => p.stop()));
  }
});
