import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startEchoPod, type EchoPod } from './pod.ts';
import { createCA, createLeaf, type CertAndKey } from '../certs.ts';
import { GRPC_ECHO_SERVICE, decodeEchoResponse, encodeEchoResponse, type EchoResponse } from './grpc-proto.ts';

const method = (name: string) => ({
  path: `/${GRPC_ECHO_SERVICE}/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: () => Buffer.alloc(0),
  requestDeserialize: () => ({}),
  responseSerialize: encodeEchoResponse,
  responseDeserialize: decodeEchoResponse,
});
const EchoClient = grpc.makeGenericClientConstructor({ Echo: method('Echo'), EchoTwo: method('EchoTwo'), EchoThree: method('EchoThree') }, 'GrpcEcho');

let pod: EchoPod;
let ca: CertAndKey;
const clients: grpc.Client[] = [];

before(async () => {
  ca = await createCA();
  const leaf = await createLeaf(['abc.example.com'], 'ServerAuth', ca);
  pod = await startEchoPod({
    ip: '127.20.250.2',
    image: 'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0',
    env: { GRPC_ECHO_SERVER: '1', POD_NAME: 'grpc-infra-backend-v1-aaaaa-bbbbb', NAMESPACE: 'gateway-conformance-infra', HTTP_PORT: '0', HTTPS_PORT: '0', TLS_SERVER_CERT: '/crt', TLS_SERVER_PRIV_KEY: '/key' },
    files: { '/crt': leaf.certPem, '/key': leaf.keyPem },
    log: () => {},
  });
});
after(async () => {
  for (const c of clients) c.close();
  await pod?.stop();
});

function call(client: grpc.Client, name: string, md = new grpc.Metadata()): Promise<EchoResponse> {
  return new Promise((resolve, reject) => (client as any)[name]({}, md, (err: grpc.ServiceError | null, res: EchoResponse) => (err ? reject(err) : resolve(res))));
}

test('plaintext Echo and EchoTwo report method, metadata, authority and pod context', async () => {
  assert.equal(pod.mode, 'grpc');
  const client = new EchoClient(`127.20.250.2:${pod.ports.grpc}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'grpc.example.com' });
  clients.push(client);
  const md = new grpc.Metadata();
  md.add('x-custom', 'one');
  const res = await call(client, 'Echo', md);
  const a = res.assertions!;
  assert.equal(a.fullyQualifiedMethod, `/${GRPC_ECHO_SERVICE}/Echo`);
  assert.equal(a.authority, 'grpc.example.com');
  assert.deepEqual(a.context, { namespace: 'gateway-conformance-infra', ingress: '', serviceName: '', pod: 'grpc-infra-backend-v1-aaaaa-bbbbb' });
  assert.ok(a.headers.some((h) => h.key === ':authority' && h.value === 'grpc.example.com'));
  assert.ok(a.headers.some((h) => h.key === 'x-custom' && h.value === 'one'));
  assert.ok(!a.headers.some((h) => h.key === 'te'), 'reserved headers are not echoed');
  assert.equal(a.tlsAssertions, undefined);
  assert.equal((await call(client, 'EchoTwo')).assertions!.fullyQualifiedMethod, `/${GRPC_ECHO_SERVICE}/EchoTwo`);
});

test('EchoThree is UNIMPLEMENTED', async () => {
  const client = new EchoClient(`127.20.250.2:${pod.ports.grpc}`, grpc.credentials.createInsecure());
  clients.push(client);
  await assert.rejects(call(client, 'EchoThree'), (err: grpc.ServiceError) => err.code === grpc.status.UNIMPLEMENTED);
});

test('the TLS server reports TLS assertions', async () => {
  const client = new EchoClient(`127.20.250.2:${pod.ports.grpcTls}`, grpc.credentials.createSsl(Buffer.from(ca.certPem)), { 'grpc.ssl_target_name_override': 'abc.example.com' });
  clients.push(client);
  const t = (await call(client, 'Echo')).assertions!.tlsAssertions!;
  assert.equal(t.serverName, 'abc.example.com');
  assert.equal(t.negotiatedProtocol, 'h2');
  assert.match(t.version, /^TLSv1\.[23]$/);
  assert.match(t.cipherSuite, /^TLS_/);
});

test('protobuf round trip of a full EchoResponse', () => {
  const r: EchoResponse = {
    assertions: {
      fullyQualifiedMethod: '/a/b',
      headers: [{ key: 'k', value: 'v' }, { key: 'k', value: 'w' }],
      authority: 'h',
      context: { namespace: 'n', ingress: '', serviceName: 's', pod: 'p' },
      tlsAssertions: { version: 'TLSv1.3', negotiatedProtocol: '', serverName: 'x', cipherSuite: 'c', peerCertificates: ['A', 'B'] },
    },
  };
  assert.deepEqual(decodeEchoResponse(encodeEchoResponse(r)), r);
  assert.throws(() => decodeEchoResponse(Buffer.from([0x0a, 0x05, 0x01])));
});
