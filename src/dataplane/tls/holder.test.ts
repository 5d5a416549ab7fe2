/**
 * Certificate rotation through the holder: handshakes keep succeeding while selectors are swapped
 * under them, new handshakes (with and without SNI) see the new certificate, and a connection made
 * before the swap keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createTlsContexts } from './contexts.ts';
import { TlsHolder } from './holder.ts';
import { fingerprint, handshake, httpsSocket, selfSigned, type Handshake } from './testing.ts';

function echoOnce(sock: TLSSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    sock.once('data', (d: Buffer) => resolve(d.toString()));
    sock.once('error', reject);
    sock.write(text);
  });
}

test('rotation under traffic: no failed handshake, new certificate served, old connections kept', async () => {
  const v1cert = await selfSigned(['example.org'], 'test/v1');
  const v2cert = await selfSigned(['example.org'], 'test/v2');
  const socketOf = (cert: typeof v1cert) => httpsSocket([{ name: 'any', hostname: '', certs: [cert] }]);
  const v1 = createTlsContexts(socketOf(v1cert));
  const holder = new TlsHolder(v1);

  const server = createServer(holder.serverOptions(), (sock) => sock.pipe(sock));
  holder.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const early = connect({ host: '127.0.0.1', port, servername: 'example.org', rejectUnauthorized: false });
  await new Promise<void>((resolve) => early.once('secureConnect', () => resolve()));
  assert.equal(early.getPeerCertificate().fingerprint256, fingerprint(v1cert.certPem));

  // Workers handshake back to back; the main loop swaps after every few completed handshakes.
  const results: Handshake[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  let stop = false;
  const worker = async (sni: string | undefined): Promise<void> => {
    while (!stop) {
      results.push(await handshake(port, { servername: sni }));
      if (waiter && results.length >= waiter.n) waiter.resolve();
    }
  };
  const reached = (n: number) => new Promise<void>((resolve) => (waiter = { n, resolve }));
  const workers = [worker('example.org'), worker('example.org'), worker(undefined)];
  for (let i = 1; i <= 8; i++) {
    await reached(i * 6);
    holder.swap(createTlsContexts(socketOf(i % 2 === 1 ? v2cert : v1cert), { previous: holder.current }));
  }
  await reached(results.length + 6);
  stop = true;
  await Promise.all(workers);

  const failed = results.filter((r) => !r.ok);
  assert.deepEqual(failed, [], 'a handshake failed during rotation');
  const seen = new Set(results.map((r) => (r.ok ? r.fingerprint : '')));
  assert.ok(seen.has(fingerprint(v1cert.certPem)) && seen.has(fingerprint(v2cert.certPem)), 'both certificates were served');

  // The last swap installed v1 again (8 swaps); rotate once more to v2 and check new handshakes.
  holder.swap(createTlsContexts(socketOf(v2cert), { previous: holder.current }));
  for (const servername of ['example.org', undefined]) {
    const r = await handshake(port, { servername });
    assert.ok(r.ok);
    assert.equal(r.fingerprint, fingerprint(v2cert.certPem), `after rotation, SNI ${servername ?? '(none)'}`);
  }

  assert.equal(await echoOnce(early, 'still here'), 'still here');
  early.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('swapping to a selector without certificates makes new handshakes fail closed', async () => {
  const cert = await selfSigned(['example.org']);
  const holder = new TlsHolder(createTlsContexts(httpsSocket([{ name: 'any', hostname: '', certs: [cert] }])));
  const server = createServer(holder.serverOptions(), (sock) => sock.end());
  server.on('tlsClientError', () => undefined);
  holder.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    assert.equal((await handshake(port, { servername: 'example.org' })).ok, true);
    holder.swap(createTlsContexts(httpsSocket([{ name: 'any', hostname: '', certs: [] }])));
    assert.equal((await handshake(port, { servername: 'example.org' })).ok, false);
    assert.equal((await handshake(port)).ok, false);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
