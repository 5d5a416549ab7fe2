/**
 * HTTPS sockets of the data plane with real handshakes: HTTP/1.1 and HTTP/2 over TLS through the same
 * router, certificates chosen by SNI, 421 for misdirected requests, certificate rotation without
 * rebinding, and a socket switching between HTTP and HTTPS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import type { IR, IRCertificate } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, socket, startEcho, type EchoServer } from './testing.ts';
import { h2tlsConnect, h2tlsGet, httpsGet, httpsRoutesSocket } from './testing-tls.ts';
import { fingerprint, handshake, selfSigned } from './tls/testing.ts';

describe('HTTPS sockets', () => {
  let up1: EchoServer;
  let up2: EchoServer;
  let dp: HttpDataPlane;
  let port: number;
  let shared: IRCertificate;
  let other: IRCertificate;
  let version = 1;

  /** example.org/second-example.org share a certificate; other.example.net has its own. */
  function ir(certOfAny: IRCertificate = shared): IR {
    return {
      version: version++,
      sockets: [httpsRoutesSocket(port, [
        { name: 'second', hostname: 'second-example.org', certs: [shared], routes: [route('r2', [backend('v2', [up2.port])])] },
        { name: 'other', hostname: 'other.example.net', certs: [other], routes: [route('r3', [backend('v2', [up2.port])])] },
        { name: 'any', hostname: '', certs: [certOfAny], routes: [route('r1', [backend('v1', [up1.port])])] },
      ])],
    };
  }

  before(async () => {
    [up1, up2, shared, other, port] = await Promise.all([
      startEcho('v1'), startEcho('v2'), selfSigned(['example.org', 'second-example.org']), selfSigned(['other.example.net']), freePort(),
    ]);
    dp = new HttpDataPlane({ drainTimeoutMs: 200 });
    const r = await dp.apply(ir());
    assert.equal(r.bindErrors.size, 0);
  });

  after(async () => {
    await dp.close();
    await Promise.all([up1.close(), up2.close()]);
  });

  it('serves HTTP/1.1 over TLS through the router, telling the upstream the scheme', async () => {
    const served = dp.fastPath!.stats.served;
    const r = await httpsGet(port, { servername: 'example.org', path: '/a' });
    assert.equal(dp.fastPath!.stats.served, served + 1, 'HTTP/1.1 over TLS is served by the fast path');
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.status, 200);
    assert.equal(r.alpn, 'http/1.1');
    assert.equal(r.echo?.name, 'v1');
    assert.equal(r.echo?.headers['x-forwarded-proto'], 'https');
    assert.equal(r.fingerprint, fingerprint(shared.certPem));
  });

  it('serves HTTP/2 over TLS (ALPN h2) with :authority as the host', async () => {
    const s = h2tlsConnect(port, 'second-example.org');
    try {
      const r = await h2tlsGet(s, 'second-example.org', '/b');
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.alpn, 'h2');
      assert.equal(r.status, 200);
      assert.equal(r.echo?.name, 'v2');
      assert.equal(r.echo?.path, '/b');
    } finally {
      s.close();
    }
  });

  it('presents the certificate of the listener the SNI selects', async () => {
    const a = await handshake(port, { servername: 'other.example.net', alpn: ['h2'] });
    assert.ok(a.ok);
    assert.equal(a.fingerprint, fingerprint(other.certPem));
    assert.equal(a.alpn, 'h2');
    const b = await handshake(port, { servername: 'anything.example.com' }); // the catch-all listener
    assert.ok(b.ok);
    assert.equal(b.fingerprint, fingerprint(shared.certPem));
  });

  it('serves a client that negotiates no ALPN protocol as HTTP/1.1', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'example.org', rejectUnauthorized: false });
      let data = '';
      s.once('secureConnect', () => {
        assert.equal(s.alpnProtocol, false);
        s.write('GET /raw HTTP/1.1\r\nhost: example.org\r\nconnection: close\r\n\r\n');
      });
      s.setEncoding('utf8');
      s.on('data', (d: string) => (data += d));
      s.once('end', () => resolve(data));
      s.once('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /"path":"\/raw"/);
  });

  it('hands a TLS connection to node:http mid-connection, after requests the fast path served', async () => {
    const served = dp.fastPath!.stats.served;
    const handedOver = dp.fastPath!.stats.handedOver;
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'example.org', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      let data = '';
      // Pipelined on one connection: two plain GETs (fast path), then one repeating a header name, which the
      // fast path leaves to node:http.
      s.once('secureConnect', () => s.write('GET /one HTTP/1.1\r\nhost: example.org\r\n\r\nGET /two HTTP/1.1\r\nhost: example.org\r\n\r\n' +
        'GET /three HTTP/1.1\r\nhost: example.org\r\nx-twice: 1\r\nx-twice: 2\r\nconnection: close\r\n\r\n'));
      s.setEncoding('utf8');
      s.on('data', (d: string) => (data += d));
      s.once('end', () => resolve(data));
      s.once('error', reject);
    });
    assert.deepEqual([...answer.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]), ['200', '200', '200']);
    assert.deepEqual([...answer.matchAll(/"path":"([^"]+)"/g)].map((m) => m[1]), ['/one', '/two', '/three']);
    assert.equal(dp.fastPath!.stats.served, served + 2);
    assert.equal(dp.fastPath!.stats.handedOver, handedOver + 1);
  });

  it('answers 421 when the Host selects another listener than the SNI, on HTTP/2 and HTTP/1.1', async () => {
    const s = h2tlsConnect(port, 'example.org');
    try {
      const same = await h2tlsGet(s, 'example.org');
      assert.ok(same.ok);
      assert.equal(same.status, 200);
      const mis = await h2tlsGet(s, 'second-example.org');
      assert.ok(mis.ok);
      assert.equal(mis.status, 421);
      // No listener claims the host: not misdirected, the catch-all routes it.
      const unknown = await h2tlsGet(s, 'unknown.example.org');
      assert.ok(unknown.ok);
      assert.equal(unknown.status, 200);
      assert.equal(unknown.echo?.name, 'v1');
    } finally {
      s.close();
    }
    const handedOver = dp.fastPath!.stats.handedOver;
    const h1 = await httpsGet(port, { servername: 'second-example.org', host: 'example.org:443' });
    assert.ok(h1.ok);
    assert.equal(h1.status, 421);
    assert.equal(dp.fastPath!.stats.handedOver, handedOver + 1, 'the fast path leaves a misdirected request to node:http');
    const upgrade = { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const ws = await httpsGet(port, { servername: 'second-example.org', host: 'example.org', headers: upgrade });
    assert.ok(ws.ok, ws.ok ? '' : ws.error);
    assert.equal(ws.status, 421);
  });

  it('rotates certificates on apply without rebinding and without failing a handshake', async () => {
    const next = await selfSigned(['example.org', 'second-example.org'], 'test/rotated');
    const before = await handshake(port, { servername: 'rotated.example.com' });
    assert.ok(before.ok);
    assert.equal(before.fingerprint, fingerprint(shared.certPem));
    // An established HTTP/2 connection keeps working across the swap.
    const s = h2tlsConnect(port, 'example.org');
    try {
      assert.equal((await h2tlsGet(s, 'example.org')).ok, true);
      const traffic = Array.from({ length: 20 }, () => handshake(port, { servername: 'rotated.example.com' }));
      await dp.apply(ir(next));
      const results = await Promise.all(traffic);
      assert.ok(results.every((h) => h.ok), 'a handshake failed during the swap');
      const after = await handshake(port, { servername: 'rotated.example.com' });
      assert.ok(after.ok);
      assert.equal(after.fingerprint, fingerprint(next.certPem));
      const still = await h2tlsGet(s, 'example.org');
      assert.ok(still.ok);
      assert.equal(still.status, 200);
    } finally {
      s.close();
      await dp.apply(ir());
    }
  });

  it('rebinds a socket that changes between HTTP and HTTPS', async () => {
    const p = await freePort();
    const plain: IR = { version: version++, sockets: [...ir().sockets, socket(p, [{ hostname: '*', routes: [route('p', [backend('v1', [up1.port])])] }])] };
    assert.equal((await dp.apply(plain)).bindErrors.size, 0);
    assert.equal((await send(p, '/')).status, 200);
    const tls: IR = { version: version++, sockets: [...ir().sockets, httpsRoutesSocket(p, [{ name: 'x', hostname: '', certs: [shared], routes: [route('p', [backend('v1', [up1.port])])] }])] };
    assert.equal((await dp.apply(tls)).bindErrors.size, 0);
    const r = await httpsGet(p, { servername: 'example.org' });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.status, 200);
    await dp.apply(ir());
  });
});
