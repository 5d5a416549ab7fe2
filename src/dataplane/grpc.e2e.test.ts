/**
 * gRPC through the data plane, with @grpc/grpc-js on both sides: h2c prior knowledge from the client,
 * h2c upstream, metadata and trailers relayed, and the gateway's own answers in gRPC form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { IRRoute } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, simpleIR } from './testing.ts';

const identity = (b: Buffer): Buffer => b;
const unary = (path: string) => ({
  path, requestStream: false, responseStream: false,
  requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
});

/** A gRPC server: Echo answers with the request metadata as JSON; Fail answers NOT_FOUND with a trailer. */
async function startServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService({ Echo: unary('/test.Svc/Echo'), Fail: unary('/test.Svc/Fail') }, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', 'kept');
      cb(null, Buffer.from(JSON.stringify(call.metadata.getMap())), trailer);
    },
    Fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { server, port };
}

interface Outcome {
  code: number;
  details: string;
  body?: Record<string, unknown>;
  trailers?: Record<string, unknown>;
}

/** One unary call; the outcome whatever it is. */
function call(client: grpc.Client, path: string, md: Record<string, string> = {}): Promise<Outcome> {
  const meta = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) meta.set(k, v);
  return new Promise((resolve) => {
    let out: Outcome | undefined;
    const c = client.makeUnaryRequest(path, identity, identity, Buffer.alloc(0), meta, { deadline: Date.now() + 5000 }, (err, res) => {
      out = err ? { code: err.code, details: err.details } : { code: 0, details: '', body: JSON.parse(res!.toString()) };
    });
    // 'status' (with the trailers) comes right after the callback.
    c.on('status', (s: grpc.StatusObject) => resolve({ ...out!, trailers: s.metadata.getMap() }));
  });
}

const exact = (value: string) => ({ match: { path: { type: 'Exact' as const, value } }, grpc: true as const });

describe('gRPC through the data plane', () => {
  let up: { server: grpc.Server; port: number };
  let dp: HttpDataPlane;
  let client: grpc.Client;

  before(async () => {
    up = await startServer();
    const port = await freePort();
    const h2c = (name: string) => backend(name, [up.port], { protocol: 'h2c' });
    const routes: IRRoute[] = [
      route('echo', [h2c('up')], {
        ...exact('/test.Svc/Echo'),
        filters: [{ type: 'RequestHeaderModifier', set: [['x-set', 'gw']], add: [], remove: ['x-remove'] }],
      }),
      route('fail', [h2c('up')], exact('/test.Svc/Fail')),
      route('nowhere', [], exact('/test.Svc/Nowhere')),
      route('invalid', [backend('bad', [], { protocol: 'h2c', invalid: { status: 503, reason: 'not permitted' } })], exact('/test.Svc/Invalid')),
      route('empty', [backend('empty', [], { protocol: 'h2c' })], exact('/test.Svc/Empty')),
    ];
    dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, routes));
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await dp.close();
    await new Promise<void>((r) => up.server.tryShutdown(() => r()));
  });

  it('forwards a call over h2c with request filters applied and trailers relayed', async () => {
    const r = await call(client, '/test.Svc/Echo', { 'x-keep': 'yes', 'x-remove': 'no', 'x-set': 'client' });
    assert.equal(r.code, 0, r.details);
    assert.equal(r.body?.['x-keep'], 'yes');
    assert.equal(r.body?.['x-set'], 'gw');
    assert.equal(r.body?.['x-remove'], undefined);
    assert.equal(r.trailers?.['x-trailer'], 'kept');
  });

  it('relays an error status of the upstream (trailers-only) unchanged', async () => {
    const r = await call(client, '/test.Svc/Fail');
    assert.equal(r.code, grpc.status.NOT_FOUND);
    assert.equal(r.details, 'no such thing');
  });

  it('answers UNIMPLEMENTED when no route matches', async () => {
    const r = await call(client, '/other.Svc/Echo');
    assert.equal(r.code, grpc.status.UNIMPLEMENTED);
    assert.match(r.details, /no route matched/);
  });

  it('answers UNIMPLEMENTED for a GRPCRoute rule without backends', async () => {
    assert.equal((await call(client, '/test.Svc/Nowhere')).code, grpc.status.UNIMPLEMENTED);
  });

  it('answers UNAVAILABLE for an invalid backend and for one without endpoints', async () => {
    assert.equal((await call(client, '/test.Svc/Invalid')).code, grpc.status.UNAVAILABLE);
    assert.equal((await call(client, '/test.Svc/Empty')).code, grpc.status.UNAVAILABLE);
  });

  it('keeps serving calls on the same connection after local answers', async () => {
    const outcomes = await Promise.all([call(client, '/nope/x'), call(client, '/test.Svc/Echo'), call(client, '/test.Svc/Nowhere')]);
    assert.deepEqual(outcomes.map((o) => o.code), [grpc.status.UNIMPLEMENTED, 0, grpc.status.UNIMPLEMENTED]);
  });
});
