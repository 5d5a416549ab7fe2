import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpDataPlane } from './index.ts';
import { startH2Echo, type H2EchoServer } from './testing-h2.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from './testing.ts';

/** What a mirror upstream saw of one request. */
interface Seen {
  readonly path: string;
  readonly bytes: number;
  /** False when the copy was cut off before its end. */
  readonly complete: boolean;
}

/** A mirror upstream that records requests; `stall` paths are never read, so they back up. */
async function startRecorder(): Promise<{ server: Server; port: number; seen: Seen[]; next(): Promise<Seen> }> {
  const seen: Seen[] = [];
  const waiters: ((s: Seen) => void)[] = [];
  const record = (s: Seen): void => {
    seen.push(s);
    waiters.shift()?.(s);
  };
  const server = createServer((req: IncomingMessage, res) => {
    let bytes = 0;
    if (req.url?.startsWith('/stall')) {
      req.pause(); // never read: the mirror copy can only pile up on the gateway's side
      return;
    }
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      record({ path: req.url ?? '', bytes, complete: req.complete });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const next = (): Promise<Seen> => new Promise((r) => waiters.push(r));
  return { server, port: (server.address() as AddressInfo).port, seen, next };
}

describe('RequestMirror with bodies', () => {
  let up: EchoServer;
  let h2m: H2EchoServer;
  let rec: Awaited<ReturnType<typeof startRecorder>>;
  let dp: HttpDataPlane;
  let port: number;
  const logged: string[] = [];

  before(async () => {
    up = await startEcho('primary');
    h2m = await startH2Echo('h2mirror');
    rec = await startRecorder();
    port = await freePort();
    dp = new HttpDataPlane({ log: (_level, msg) => logged.push(msg) });
    const mirrorTo = (b: ReturnType<typeof backend>) => [{ type: 'RequestMirror' as const, backend: b, fraction: 1 }];
    await dp.apply(simpleIR(1, port, [
      route('h2', [backend('primary', [up.port])], { match: { path: { type: 'PathPrefix', value: '/h2' } }, filters: mirrorTo(backend('h2m', [h2m.port], { protocol: 'h2c' })) }),
      route('m', [backend('primary', [up.port])], { filters: mirrorTo(backend('rec', [rec.port])) }),
    ]));
  });
  after(async () => {
    await dp.close();
    await up.close();
    await h2m.close();
    rec.server.closeAllConnections();
    await new Promise<void>((r) => rec.server.close(() => r()));
  });

  it('sends the whole body to the mirror as well as to the primary', async () => {
    const body = Buffer.alloc(512 * 1024, 7);
    const copy = rec.next();
    const r = await send(port, '/upload?x=1', { method: 'POST', body });
    assert.equal(r.echo?.bodyBytes, body.length);
    const s = await copy;
    assert.deepEqual(s, { path: '/upload?x=1', bytes: body.length, complete: true });
  });

  it('tees chunked bodies too', async () => {
    const copy = rec.next();
    const r = await send(port, '/chunked', { method: 'PUT', body: 'abc', headers: { 'transfer-encoding': 'chunked' } });
    assert.equal(r.echo?.bodyBytes, 3);
    assert.deepEqual(await copy, { path: '/chunked', bytes: 3, complete: true });
  });

  it('drops the copy of a mirror that cannot keep up, never slowing the primary', async () => {
    const size = 48 * 1024 * 1024; // far beyond the tee's budget plus what loopback socket buffers absorb
    const r = await send(port, '/stall', { method: 'POST', body: Buffer.alloc(size, 1) });
    assert.equal(r.status, 200);
    assert.equal(r.echo?.bodyBytes, size, 'the primary got every byte');
    assert.ok(logged.includes('mirror cannot keep up; copy dropped'), 'the stalled mirror copy was abandoned');
    assert.ok(!rec.seen.some((s) => s.path === '/stall'), 'the stalled mirror never saw a complete body');
  });

  it('mirrors bodies to h2c backends', async () => {
    const before = h2m.requests;
    const r = await send(port, '/h2/post', { method: 'POST', body: 'hello' });
    assert.equal(r.echo?.name, 'primary');
    while (h2m.requests === before) await new Promise((res) => setTimeout(res, 5));
    assert.equal(h2m.requests, before + 1);
  });
});
