/**
 * Certificate selection by SNI, checked with real handshakes against a node:tls server built from
 * the holder's options.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { IRCertificate } from '../../ir/types.ts';
import { createTlsContexts, type TlsOptions } from './contexts.ts';
import { TlsHolder } from './holder.ts';
import { fingerprint, handshake, httpsSocket, selfSigned } from './testing.ts';

/** Serves one socket's selector on 127.0.0.1:ephemeral; every connection is closed after the handshake. */
async function serve(holder: TlsHolder): Promise<{ server: Server; port: number }> {
  const server = createServer(holder.serverOptions(), (sock) => sock.end());
  server.on('tlsClientError', () => undefined);
  holder.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('SNI selects the listener the way Host does', () => {
  let certs: Record<'any' | 'second' | 'wild' | 'fourth', IRCertificate>;
  let server: Server;
  let port: number;

  before(async () => {
    certs = {
      any: await selfSigned(['example.org']),
      second: await selfSigned(['second-example.org']),
      wild: await selfSigned(['*.wildcard.org']),
      fourth: await selfSigned(['fourth-example.wildcard.org']),
    };
    const socket = httpsSocket([
      { name: 'fourth', hostname: 'fourth-example.wildcard.org', certs: [certs.fourth] },
      { name: 'second', hostname: 'second-example.org', certs: [certs.second] },
      { name: 'wild', hostname: '*.wildcard.org', certs: [certs.wild] },
      { name: 'any', hostname: '', certs: [certs.any] },
    ]);
    const selector = createTlsContexts(socket);
    assert.deepEqual(selector.errors, []);
    ({ server, port } = await serve(new TlsHolder(selector)));
  });
  after(() => closeServer(server));

  const cases: [string | undefined, keyof typeof certs][] = [
    ['example.org', 'any'],
    ['unknown.example.net', 'any'],
    ['second-example.org', 'second'],
    ['SECOND-example.org', 'second'],
    ['third.wildcard.org', 'wild'],
    ['a.b.wildcard.org', 'wild'],
    ['fourth-example.wildcard.org', 'fourth'],
    ['wildcard.org', 'any'],
    [undefined, 'any'],
  ];
  for (const [sni, want] of cases) {
    test(`SNI ${sni ?? '(none)'} gets the ${want} certificate`, async () => {
      const r = await handshake(port, { servername: sni });
      assert.ok(r.ok, !r.ok ? r.error : '');
      assert.equal(r.fingerprint, fingerprint(certs[want].certPem));
    });
  }
});

describe('without a catch-all listener', () => {
  test('unknown SNI is refused, no SNI gets the first listener certificate', async () => {
    const a = await selfSigned(['a.example.com']);
    const b = await selfSigned(['*.example.com']);
    const holder = new TlsHolder(
      createTlsContexts(httpsSocket([
        { name: 'a', hostname: 'a.example.com', certs: [a] },
        { name: 'b', hostname: '*.example.com', certs: [b] },
      ])),
    );
    const { server, port } = await serve(holder);
    try {
      const unknown = await handshake(port, { servername: 'other.net' });
      assert.equal(unknown.ok, false);
      const none = await handshake(port);
      assert.ok(none.ok);
      assert.equal(none.fingerprint, fingerprint(a.certPem));
      const wild = await handshake(port, { servername: 'z.example.com' });
      assert.ok(wild.ok);
      assert.equal(wild.fingerprint, fingerprint(b.certPem));
    } finally {
      await closeServer(server);
    }
  });
});

describe('several certificates on one listener', () => {
  test('the certificate naming the SNI wins: exact, then wildcard, then the first', async () => {
    const wild = await selfSigned(['*.example.com']);
    const exact = await selfSigned(['a.example.com']);
    const other = await selfSigned(['other.org']);
    const holder = new TlsHolder(createTlsContexts(httpsSocket([{ name: 'any', hostname: '', certs: [other, wild, exact] }])));
    const { server, port } = await serve(holder);
    try {
      const expect = [
        ['a.example.com', exact],
        ['b.example.com', wild],
        ['nothing.net', other],
      ] as const;
      for (const [sni, cert] of expect) {
        const r = await handshake(port, { servername: sni });
        assert.ok(r.ok);
        assert.equal(r.fingerprint, fingerprint(cert.certPem), sni);
      }
    } finally {
      await closeServer(server);
    }
  });
});

describe('protocol settings', () => {
  async function withServer(opts: TlsOptions, body: (port: number) => Promise<void>): Promise<void> {
    const cert = await selfSigned(['example.org']);
    const holder = new TlsHolder(createTlsContexts(httpsSocket([{ name: 'any', hostname: '', certs: [cert] }]), opts));
    const { server, port } = await serve(holder);
    try {
      await body(port);
    } finally {
      await closeServer(server);
    }
  }

  test('default ALPN offers only http/1.1', () =>
    withServer({}, async (port) => {
      const r = await handshake(port, { servername: 'example.org', alpn: ['h2', 'http/1.1'] });
      assert.ok(r.ok);
      assert.equal(r.alpn, 'http/1.1');
    }));

  test('ALPN h2 is negotiated when enabled, also on an SNI-selected context', () =>
    withServer({ alpn: ['h2', 'http/1.1'] }, async (port) => {
      const sni = await handshake(port, { servername: 'example.org', alpn: ['h2', 'http/1.1'] });
      assert.ok(sni.ok);
      assert.equal(sni.alpn, 'h2');
      const old = await handshake(port, { servername: 'example.org', alpn: ['http/1.1'] });
      assert.ok(old.ok);
      assert.equal(old.alpn, 'http/1.1');
    }));

  test('TLS 1.2 is the default minimum and accepted', () =>
    withServer({}, async (port) => {
      const r = await handshake(port, { servername: 'example.org', maxVersion: 'TLSv1.2' });
      assert.ok(r.ok, !r.ok ? r.error : '');
    }));

  test('minVersion TLSv1.3 refuses a TLS 1.2 client, with and without SNI', () =>
    withServer({ minVersion: 'TLSv1.3' }, async (port) => {
      assert.equal((await handshake(port, { servername: 'example.org', maxVersion: 'TLSv1.2' })).ok, false);
      assert.equal((await handshake(port, { maxVersion: 'TLSv1.2' })).ok, false);
      assert.equal((await handshake(port, { servername: 'example.org' })).ok, true);
    }));
});

describe('bad certificates are errors, not exceptions', () => {
  test('a listener whose certificate cannot load fails its handshakes; the others still serve', async () => {
    const good = await selfSigned(['good.example.com']);
    const other = await selfSigned(['bad.example.com']);
    const mismatched: IRCertificate = { secret: 'test/bad', certPem: other.certPem, keyPem: good.keyPem };
    const garbage: IRCertificate = { secret: 'test/garbage', certPem: 'not a certificate', keyPem: 'not a key' };
    const selector = createTlsContexts(httpsSocket([
      { name: 'bad', hostname: 'bad.example.com', certs: [mismatched, garbage] },
      { name: 'good', hostname: 'good.example.com', certs: [good] },
      { name: 'empty', hostname: 'empty.example.com', certs: [] },
    ]));
    assert.equal(selector.errors.length, 3);
    assert.match(selector.errors[0], /^test\/gw\/bad: Secret test\/bad: /);
    assert.match(selector.errors[1], /^test\/gw\/bad: Secret test\/garbage: /);
    assert.equal(selector.errors[2], 'test/gw/empty: listener has no certificate');
    const { server, port } = await serve(new TlsHolder(selector));
    try {
      assert.equal((await handshake(port, { servername: 'bad.example.com' })).ok, false);
      assert.equal((await handshake(port, { servername: 'empty.example.com' })).ok, false);
      const r = await handshake(port, { servername: 'good.example.com' });
      assert.ok(r.ok);
      assert.equal(r.fingerprint, fingerprint(good.certPem));
    } finally {
      await closeServer(server);
    }
  });
});

describe('context reuse across IR versions', () => {
  test('an unchanged certificate keeps its SecureContext; a changed one gets a new context', async () => {
    const a = await selfSigned(['a.example.com']);
    const b = await selfSigned(['b.example.com']);
    const b2 = await selfSigned(['b.example.com']);
    const v1 = createTlsContexts(httpsSocket([{ name: 'a', hostname: 'a.example.com', certs: [a] }, { name: 'b', hostname: 'b.example.com', certs: [b] }]));
    const v2 = createTlsContexts(
      httpsSocket([{ name: 'a', hostname: 'a.example.com', certs: [{ ...a }] }, { name: 'b', hostname: 'b.example.com', certs: [b2] }]),
      { previous: v1 },
    );
    assert.equal(v2.contextFor('a.example.com'), v1.contextFor('a.example.com'));
    assert.notEqual(v2.contextFor('b.example.com'), v1.contextFor('b.example.com'));
    assert.notEqual(v2.contextFor('b.example.com'), undefined);
    const v3 = createTlsContexts(httpsSocket([{ name: 'a', hostname: 'a.example.com', certs: [a] }]), { previous: v2, minVersion: 'TLSv1.3' });
    assert.notEqual(v3.contextFor('a.example.com'), v2.contextFor('a.example.com'), 'a different minVersion must not reuse contexts');
  });
});
