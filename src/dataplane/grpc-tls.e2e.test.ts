/**
 * gRPC on an HTTPS socket (a GRPCRoute on an HTTPS listener): @grpc/grpc-js over TLS with ALPN h2 and
 * SNI, forwarded to an h2c upstream; the gateway's own answers keep their gRPC form over TLS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route } from './testing.ts';
import { httpsRoutesSocket } from './testing-tls.ts';
import { selfSigned } from './tls/testing.ts';

const identity = (b: Buffer): Buffer => b;

describe('gRPC over HTTPS', () => {
  let up: grpc.Server;
  let dp: HttpDataPlane;
  let client: grpc.Client;

  before(async () => {
    up = new grpc.Server();
    const echo = { path: '/test.Svc/Echo', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity };
    up.addService({ Echo: echo }, {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(String(call.metadata.get('x-test')[0] ?? ''))),
    });
    const upPort = await new Promise<number>((resolve, reject) =>
      up.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    const [cert, port] = await Promise.all([selfSigned(['grpc.example.com']), freePort()]);
    dp = new HttpDataPlane({ drainTimeoutMs: 200 });
    const routes = [route('echo', [backend('up', [upPort], { protocol: 'h2c' })], { match: { path: { type: 'Exact', value: '/test.Svc/Echo' } }, grpc: true })];
    const r = await dp.apply({ version: 1, sockets: [httpsRoutesSocket(port, [{ name: 'grpc', hostname: 'grpc.example.com', certs: [cert], routes }])] });
    assert.equal(r.bindErrors.size, 0);
    // The self-signed server certificate is its own trust anchor; the target name sets SNI and :authority.
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(cert.certPem)), {
      'grpc.ssl_target_name_override': 'grpc.example.com',
      'grpc.default_authority': 'grpc.example.com',
    });
  });

  after(async () => {
    client.close();
    await dp.close();
    await new Promise<void>((r) => up.tryShutdown(() => r()));
  });

  function call(path: string): Promise<{ code: number; body?: string }> {
    return new Promise((resolve) => {
      const md = new grpc.Metadata();
      md.set('x-test', 'over-tls');
      client.makeUnaryRequest(path, identity, identity, Buffer.alloc(0), md, { deadline: Date.now() + 5000 }, (err, res) => {
        resolve(err ? { code: err.code } : { code: 0, body: res!.toString() });
      });
    });
  }

  it('forwards a call made over TLS to the h2c upstream, metadata included', async () => {
    const r = await call('/test.Svc/Echo');
    assert.equal(r.code, 0);
    assert.equal(r.body, 'over-tls');
  });

  it('answers UNIMPLEMENTED over TLS when no route matches', async () => {
    assert.equal((await call('/other.Svc/Echo')).code, grpc.status.UNIMPLEMENTED);
  });
});
