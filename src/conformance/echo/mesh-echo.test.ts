import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { meshEchoBody, parseMeshArgs, startMeshEcho } from './mesh-echo.ts';
import { decodeMessageField, encodeMessageField, grpcFrame, readGrpcFrame } from './mesh-wire.ts';
import { echoModeOf, startEchoPod } from './pod.ts';

test('parseMeshArgs reads the manifest flags and falls back to the image defaults', () => {
  const a = parseMeshArgs(['--tcp=9090', '--port=8080', '--grpc=7070', '--port=8443', '--tls=8443', '--crt=/cert.crt', '--key=/cert.key']);
  assert.ok(a.ok);
  assert.deepEqual([a.value.httpPorts, a.value.grpcPorts, a.value.tcpPorts, a.value.tlsPorts], [[8080, 8443], [7070], [9090], [8443]]);
  assert.equal(a.value.crt, '/cert.crt');
  const d = parseMeshArgs([]);
  assert.ok(d.ok);
  assert.deepEqual([d.value.httpPorts, d.value.grpcPorts, d.value.tcpPorts], [[8080], [7070], []]);
  const bad = parseMeshArgs(['--port=http']);
  assert.ok(!bad.ok && /not a port/.test(bad.error));
  const unknown = parseMeshArgs(['--bogus=1']);
  assert.ok(!unknown.ok && /unknown flag: --bogus/.test(unknown.error));
});

test('meshEchoBody prints canonical request headers without Host, and the Hostname last', () => {
  const body = meshEchoBody({
    version: 'v1', cluster: '', port: 8080, host: 'echo', url: '/a?b=1', method: 'GET', proto: 'HTTP/1.1', remoteIp: '127.0.0.9', alpn: '',
    headers: [['x-foo', '1'], ['host', 'echo'], ['X-FOO', '2'], ['accept', '*/*']], hostname: 'echo-v1-abc-def',
  });
  const lines = body.trim().split('\n');
  assert.ok(lines.includes('RequestHeader=X-Foo:1') && lines.includes('RequestHeader=X-Foo:2'));
  assert.ok(!lines.some((l) => l.startsWith('RequestHeader=Host')));
  assert.ok(lines.includes('URL=/a?b=1') && lines.includes('StatusCode=200') && lines.includes('IP=127.0.0.9'));
  assert.equal(lines.at(-1), 'Hostname=echo-v1-abc-def');
});

test('gRPC wire helpers round-trip the message field', () => {
  const text = 'x'.repeat(300) + '\nHostname=p';
  const framed = grpcFrame(encodeMessageField(text));
  assert.equal(decodeMessageField(readGrpcFrame(framed)!), text);
  assert.equal(readGrpcFrame(framed.subarray(0, 10)), undefined);
  assert.equal(decodeMessageField(Buffer.from([0x0a, 0x05, 0x61])), '');
});

test('echo-advanced pods run the mesh echo: HTTP and TCP answer with the pod identity', async () => {
  assert.equal(echoModeOf('registry.k8s.io/gateway-api/conformance/echo-advanced:v0.1.0', {}), 'mesh');
  const lines: string[] = [];
  const pod = await startEchoPod({
    ip: '127.0.0.1', image: 'registry.k8s.io/gateway-api/conformance/echo-advanced:v0.1.0', args: ['--port=0', '--grpc=0', '--tcp=0'],
    env: { HOSTNAME: 'echo-v1-abc12-xyz34' }, log: (l) => lines.push(l),
  });
  try {
    assert.equal(pod.mode, 'mesh');
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: pod.ports.http, path: '/hello', headers: { 'x-test': 'yes' } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      }).on('error', reject);
    });
    assert.match(body, /^Hostname=echo-v1-abc12-xyz34$/m);
    assert.match(body, /^RequestHeader=X-Test:yes$/m);
    assert.match(body, /^URL=\/hello$/m);
    assert.match(body, new RegExp(`^ServicePort=${pod.ports.http}$`, 'm'));
    const tcp = await new Promise<string>((resolve, reject) => {
      const s = net.connect(pod.ports.tcp!, '127.0.0.1', () => s.write('ping'));
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.on('error', reject);
    });
    assert.match(tcp, /^ping/);
    assert.match(tcp, /Hostname=echo-v1-abc12-xyz34/);
    assert.ok(pod.ports.grpc! > 0);
    assert.ok(lines.some((l) => l.includes('mesh echo echo-v1-abc12-xyz34')));
  } finally {
    await pod.stop();
  }
});

test('a mesh echo with a bad flag does not start', async () => {
  await assert.rejects(startMeshEcho({ ip: '127.0.0.1', args: ['--nope'], hostname: 'h', log: () => {} }), /flag needs an argument|unknown flag/);
});
