/**
 * The SO_REUSEPORT hook, in this test process (each test file runs in its own process): after it is
 * installed, listening the way the data plane listens succeeds twice on one port, for TCP and for UDP
 * (through an ES-module named import of createSocket, as src/dataplane/udp/relay.ts imports it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { installReusePort, reusePortSupported } from './reuseport.ts';

const skip = reusePortSupported() ? false : 'SO_REUSEPORT balancing is Linux/FreeBSD only';

function listen(server: Server, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(undefined));
  });
}

function bind(sock: Socket, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    sock.bind({ address: '127.0.0.1', port, exclusive: true }, () => resolve(undefined));
  });
}

test('before the hook a second bind fails; after it, TCP and UDP sockets share the port', { skip }, async () => {
  const first = createServer();
  assert.equal(await listen(first, 0), undefined);
  const port = (first.address() as AddressInfo).port;
  const early = createServer();
  assert.equal(await listen(early, port), 'EADDRINUSE', 'without SO_REUSEPORT the port is exclusive');
  await new Promise<void>((r) => first.close(() => r()));

  installReusePort();
  const [a, b] = [createServer(), createServer()];
  assert.equal(await listen(a, port), undefined);
  assert.equal(await listen(b, port), undefined, 'a second TCP listener on the same port');
  const [u1, u2] = [createSocket({ type: 'udp4' }), createSocket({ type: 'udp4' })];
  assert.equal(await bind(u1, 0), undefined);
  const udpPort = u1.address().port;
  assert.equal(await bind(u2, udpPort), undefined, 'a second UDP socket on the same port');
  await Promise.all([a, b].map((s) => new Promise<void>((r) => s.close(() => r()))));
  u1.close();
  u2.close();
});
