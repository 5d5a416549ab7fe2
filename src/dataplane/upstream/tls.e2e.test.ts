/**
 * TLS origination end to end: the data plane in front of TLS backends (HTTP/1.1, HTTP/2, raw TCP) whose
 * certificates are signed by a test CA. Checks the SNI sent, the identity checks (hostname, SANs of type
 * Hostname and URI), fail-closed answers (wrong CA, expired, wrong name → 502 and a log line), the
 * Gateway's client certificate, TLS 1.2 as the floor, and that two policies never share a connection.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCA, createLeaf, type CertAndKey } from '../../conformance/certs.ts';
import type { IR, IRBackend, IRBackendTLS } from '../../ir/types.ts';
import { HttpDataPlane } from '../index.ts';
import { backend, freePort, route, send, simpleIR } from '../testing.ts';
import { TlsOrigins } from './tls.ts';

const SPIFFE = 'spiffe://abc.example.com/test-identity';

interface Seen {
  sni: string;
  alpn: string;
  proto: string;
  clientCert: string;
  remotePort: number;
}

let ca: CertAndKey;
let otherCa: CertAndKey;
let client: CertAndKey;
const servers: (HttpsServer | Http2SecureServer | TlsServer)[] = [];

/** Answers every request with what it saw of the TLS connection, as JSON. */
function reportTls(sock: TLSSocket, proto: string): Seen {
  const peer = sock.getPeerCertificate();
  return {
    sni: (sock as TLSSocket & { servername?: string }).servername || '',
    alpn: String(sock.alpnProtocol || ''),
    proto,
    clientCert: peer?.raw ? new X509Certificate(peer.raw).fingerprint256 : '',
    remotePort: sock.remotePort ?? 0,
  };
}

async function listen(s: HttpsServer | Http2SecureServer | TlsServer): Promise<number> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

/** An HTTPS backend (HTTP/1.1 and HTTP/2 by ALPN) serving `leaf`, asking for (not requiring) client certificates. */
async function tlsBackend(leaf: CertAndKey, extra: { maxVersion?: 'TLSv1.1' } = {}): Promise<number> {
  const s = createSecureServer({ cert: leaf.certPem, key: leaf.keyPem, allowHTTP1: true, requestCert: true, rejectUnauthorized: false, ca: ca.certPem, ...extra }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reportTls(req.socket as TLSSocket, `HTTP/${req.httpVersion}`)));
  });
  return listen(s);
}

let gwPort: number;
let dp: HttpDataPlane;
const logs: { msg: string; fields?: Record<string, unknown> }[] = [];

function tls(extra: Partial<IRBackendTLS> = {}): IRBackendTLS {
  return { policy: 'test/p', caPem: ca.certPem, servername: 'abc.example.com', ...extra };
}

async function serve(backends: Record<string, IRBackend>): Promise<void> {
  const routes = Object.entries(backends).map(([path, b]) => route(path, [b], { match: { path: { type: 'PathPrefix', value: path } } }));
  const ir: IR = simpleIR(Date.now(), gwPort, routes);
  await dp.apply(ir);
}

async function get(path: string): Promise<{ status: number; seen?: Seen; body: string }> {
  const r = await send(gwPort, path);
  return { status: r.status, body: r.body, ...(r.status === 200 && { seen: JSON.parse(r.body) as Seen }) };
}

describe('TLS origination (BackendTLSPolicy)', () => {
  let good: number;
  let expired: number;
  let selfSigned: number;
  let old: number;
  before(async () => {
    [ca, otherCa] = await Promise.all([createCA(), createCA()]);
    const longAgo = new Date(Date.now() - 3 * 365 * 24 * 3600_000);
    const [leaf, expiredLeaf, strangerLeaf, clientLeaf] = await Promise.all([
      createLeaf(['abc.example.com', SPIFFE, 'other.example.com'], 'ServerAuth', ca),
      createLeaf(['abc.example.com'], 'ServerAuth', ca, longAgo),
      createLeaf(['abc.example.com'], 'ServerAuth', otherCa),
      createLeaf(['gateway'], 'ClientAuth', ca),
    ]);
    client = clientLeaf;
    [good, expired, selfSigned, old] = await Promise.all([tlsBackend(leaf), tlsBackend(expiredLeaf), tlsBackend(strangerLeaf), tlsBackend(leaf, { maxVersion: 'TLSv1.1' })]);
    gwPort = await freePort();
    dp = new HttpDataPlane({ log: (_level, msg, fields) => logs.push({ msg, fields }) });
    await serve({
      '/ok': backend('ok', [good], { tls: tls() }),
      '/h2': backend('h2', [good], { protocol: 'h2c', tls: tls() }),
      '/wrong-ca': backend('wrong-ca', [selfSigned], { tls: tls({ policy: 'test/wrong-ca' }) }),
      '/expired': backend('expired', [expired], { tls: tls({ policy: 'test/expired' }) }),
      '/wrong-name': backend('wrong-name', [good], { tls: tls({ policy: 'test/wrong-name', servername: 'mismatch.example.com' }) }),
      '/san-host': backend('san-host', [good], { tls: tls({ servername: 'sni.example.com', subjectAltNames: [{ type: 'Hostname', value: 'other.example.com' }] }) }),
      '/san-uri': backend('san-uri', [good], { tls: tls({ servername: 'sni.example.com', subjectAltNames: [{ type: 'URI', value: SPIFFE }] }) }),
      '/san-none': backend('san-none', [good], { tls: tls({ subjectAltNames: [{ type: 'URI', value: 'spiffe://abc.example.com/other' }] }) }),
      '/client': backend('client', [good], { tls: tls({ policy: 'test/q', clientCert: { secret: 'test/client', certPem: client.certPem, keyPem: client.keyPem } }) }),
      '/old': backend('old', [old], { tls: tls() }),
      '/p1': backend('p1', [good], { tls: tls({ policy: 'test/p1' }) }),
      '/p2': backend('p2', [good], { tls: tls({ policy: 'test/p2' }) }),
    });
  });
  after(async () => {
    await dp.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('connects with TLS, sends the policy hostname as SNI and verifies against the CA', async () => {
    const r = await get('/ok');
    assert.equal(r.status, 200);
    assert.equal(r.seen!.sni, 'abc.example.com');
    assert.equal(r.seen!.alpn, 'http/1.1');
    assert.equal(r.seen!.clientCert, '', 'no client certificate unless the Gateway has one');
  });

  it('speaks HTTP/2 over TLS (ALPN h2) to h2 backends', async () => {
    const r = await get('/h2');
    assert.equal(r.status, 200);
    assert.equal(r.seen!.alpn, 'h2');
    assert.equal(r.seen!.proto, 'HTTP/2.0');
  });

  for (const [path, code] of [['/wrong-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'], ['/expired', 'CERT_HAS_EXPIRED'], ['/wrong-name', 'ERR_TLS_CERT_ALTNAME_INVALID']] as const) {
    it(`fails closed with 502 and a log line: ${path.slice(1)}`, async () => {
      const r = await get(path);
      assert.equal(r.status, 502);
      assert.match(r.body, /TLS handshake/);
      const line = logs.find((l) => l.fields?.backend === path.slice(1));
      assert.ok(line, 'a log line names the backend');
      assert.equal(line.fields?.code, code);
      assert.equal(line.fields?.policy, `test${path}`);
    });
  }

  it('verifies subjectAltNames instead of the hostname (Hostname and URI types)', async () => {
    const host = await get('/san-host');
    assert.equal(host.status, 200);
    assert.equal(host.seen!.sni, 'sni.example.com', 'the hostname is still the SNI');
    assert.equal((await get('/san-uri')).status, 200);
    assert.equal((await get('/san-none')).status, 502, 'a certificate without a listed SAN is refused, even though the hostname matches');
  });

  it('presents the Gateway client certificate', async () => {
    const r = await get('/client');
    assert.equal(r.status, 200);
    assert.equal(r.seen!.clientCert, new X509Certificate(client.certPem).fingerprint256);
  });

  it('refuses backends that cannot do TLS 1.2', async () => {
    assert.equal((await get('/old')).status, 502);
  });

  it('never shares a connection between two policies', async () => {
    const a = await get('/p1');
    const b = await get('/p2');
    const a2 = await get('/p1');
    assert.notEqual(a.seen!.remotePort, b.seen!.remotePort);
    assert.equal(a.seen!.remotePort, a2.seen!.remotePort, 'connections are pooled per policy');
  });
});

describe('TLS origination at L4 (TCP and terminated TLS routes)', () => {
  let dpl: HttpDataPlane | undefined;
  let echo: TlsServer | undefined;
  after(async () => {
    await dpl?.close();
    await new Promise((r) => (echo ? echo.close(r) : r(undefined)));
  });

  it('wraps a TCP route backend in verified TLS', async () => {
    ca ??= await createCA();
    const leaf = await createLeaf(['abc.example.com'], 'ServerAuth', ca);
    echo = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.end(`sni=${(s as TLSSocket & { servername?: string }).servername}\n`));
    await new Promise<void>((r) => echo!.listen(0, '127.0.0.1', r));
    const port = (echo.address() as AddressInfo).port;
    const tcpPort = await freePort();
    dpl = new HttpDataPlane();
    const b: IRBackend = { ...backend('tcp', [port]), tls: tls({ policy: 'test/tcp' }) };
    await dpl.apply({
      version: 1,
      sockets: [{
        key: `127.0.0.1:${tcpPort}`, address: '127.0.0.1', port: tcpPort, protocol: 'TCP', gateway: 'test/gw', httpListeners: [],
        l4Listeners: [{ name: 'test/gw/tcp', hostname: '', routes: [{ id: 'TCPRoute/test/t', hostname: '*', backends: [b] }] }],
      }],
    });
    const text = await new Promise<string>((resolve, reject) => {
      const c = netConnect(tcpPort, '127.0.0.1');
      let out = '';
      c.on('data', (d) => (out += d));
      c.on('end', () => resolve(out));
      c.on('error', reject);
    });
    assert.equal(text, 'sni=abc.example.com\n');
  });
});

describe('TlsOrigins', () => {
  it('keeps one origin per settings and retires those an IR no longer uses', async () => {
    ca ??= await createCA();
    const origins = new TlsOrigins();
    const t1 = tls({ policy: 'a/p' });
    const t2 = tls({ policy: 'a/q' });
    const o1 = origins.origin(t1);
    assert.equal(origins.origin({ ...t1 }), o1, 'equal settings share an origin');
    assert.notEqual(origins.origin(t2), o1);
    origins.retain(simpleIR(1, 1, [route('r', [backend('b', [1], { tls: t2 })])]));
    assert.equal(origins.size, 1);
    assert.equal(o1.retired, true);
    assert.notEqual(origins.origin(t1), o1, 'a retired origin is replaced on demand');
    origins.close();
  });
});
