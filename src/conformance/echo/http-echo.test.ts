import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { WebSocket } from 'ws';
import { startEchoPod, type EchoPod } from './pod.ts';
import { createCA, createLeaf, type CertAndKey } from '../certs.ts';
import { parseGoDuration, canonicalHeaderKey } from './go-compat.ts';
import { applyEchoSetHeader } from './http-echo.ts';

const IP = '127.20.250.1';
const lines: string[] = [];
let pod: EchoPod;
let tlsPod: EchoPod;
let ca: CertAndKey;
let client: CertAndKey;

before(async () => {
  ca = await createCA();
  const server = await createLeaf(['abc.example.com'], 'ServerAuth', ca);
  client = await createLeaf([], 'ClientAuth', ca);
  const env = { POD_NAME: 'infra-backend-v1-abc12-xyz34', NAMESPACE: 'gateway-conformance-infra', HTTP_PORT: '0', H2C_PORT: '0' };
  pod = await startEchoPod({ ip: IP, image: 'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0', env, log: (l) => lines.push(l) });
  tlsPod = await startEchoPod({
    ip: '127.0.0.1',
    image: 'echo-basic',
    env: { ...env, POD_NAME: 'tls-backend-1-2', HTTPS_PORT: '0', TLS_SERVER_CERT: '/s/crt', TLS_SERVER_PRIVKEY: '/s/key', TLS_CLIENT_CACERTS: '/c/ca' },
    files: { '/s/crt': server.certPem, '/s/key': server.keyPem, '/c/ca': ca.certPem },
    log: () => {},
  });
});
after(async () => {
  await pod?.stop();
  await tlsPod?.stop();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function h1(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: IP, port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function h2(authority: string, path: string, opts: http2.SecureClientSessionOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(authority, opts);
    session.on('error', reject);
    const req = session.request({ ':path': path, 'x-test': 'yes' });
    let body = '';
    let status = 0;
    let headers: http.IncomingHttpHeaders = {};
    req.on('response', (h) => {
      status = Number(h[':status']);
      headers = h as http.IncomingHttpHeaders;
    });
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('close', () => {
      session.close();
      if (status === 0) reject(new Error('stream closed without a response'));
      else resolve({ status, headers, rawHeaders: [], body });
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTP/1.1 echo: JSON body with the request and pod identity, and the log line', async () => {
  const r = await h1(pod.ports.http, '/foo//bar?x=1&y=%2F', { Host: 'example.com', 'x-custom-header': 'a', 'X-Echo-Set-Header': '' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const doc = JSON.parse(r.body);
  assert.equal(doc.path, '/foo//bar?x=1&y=%2F');
  assert.equal(doc.host, 'example.com');
  assert.equal(doc.method, 'GET');
  assert.equal(doc.proto, 'HTTP/1.1');
  assert.deepEqual(doc.headers['X-Custom-Header'], ['a']);
  assert.equal(doc.headers.Host, undefined);
  assert.equal(doc.namespace, 'gateway-conformance-infra');
  assert.equal(doc.pod, 'infra-backend-v1-abc12-xyz34');
  assert.equal(doc.httpPort, '0');
  assert.equal(doc.tls, undefined);
  assert.ok(lines.some((l) => l.startsWith('Echoing back request made to /foo//bar?x=1&y=%2F to client (127.')), lines.join('\n'));
  assert.match(r.body, /^\{\n "path"/, 'one-space indentation');
});

test('X-Echo-Set-Header sets response headers with names as written', async () => {
  const r = await h1(pod.ports.http, '/', { 'X-Echo-Set-Header': 'X-Header-Set: set, X-Header-Set:again,Other:v' });
  const names = r.rawHeaders.filter((_, i) => i % 2 === 0);
  assert.ok(names.includes('X-Header-Set'));
  // The value keeps its leading space on the server side; HTTP clients trim it on the wire.
  assert.equal(r.headers['x-header-set'], 'set,again');
  assert.equal(r.headers.other, 'v');
  const list: [string, string][] = [];
  applyEchoSetHeader(['a: 1,,A:2', 'a:3'], list);
  assert.deepEqual(list, [['a', ' 1,3'], ['A', '2']]);
});

test('health, status codes, delay errors and the 404-free catch-all', async () => {
  assert.equal((await h1(pod.ports.http, '/health')).body, 'OK');
  assert.equal((await h1(pod.ports.http, '/status/503')).status, 503);
  assert.equal((await h1(pod.ports.http, '/status/5x3')).status, 400);
  const bad = await h1(pod.ports.http, '/?delay=abc');
  assert.equal(bad.status, 500);
  assert.deepEqual(JSON.parse(bad.body), { message: 'time: invalid duration "abc"' });
  assert.equal((await h1(pod.ports.http, '/?delay=1ms')).status, 200);
});

test('retry simulator fails until succeedAfter attempts were made', async () => {
  assert.equal((await h1(pod.ports.http, '/retry/x')).status, 400);
  const path = '/retry/a?uuid=u1&succeedAfter=2&responseCode=503';
  assert.equal((await h1(pod.ports.http, path)).status, 503);
  assert.equal((await h1(pod.ports.http, path)).status, 503);
  assert.equal((await h1(pod.ports.http, path)).status, 200);
  await assert.rejects(h1(pod.ports.http, '/retry/b?uuid=u2&succeedAfter=1'), /ECONNRESET|socket hang up/);
  assert.equal((await h1(pod.ports.http, '/retry/b?uuid=u2&succeedAfter=1')).status, 200);
});

test('h2c port: prior-knowledge HTTP/2 echoed, plain HTTP/1 refused, Upgrade: h2c echoed', async () => {
  const r = await h2(`http://${IP}:${pod.ports.h2c}`, '/h2c');
  assert.equal(r.status, 200);
  const doc = JSON.parse(r.body);
  assert.equal(doc.proto, 'HTTP/2.0');
  assert.equal(doc.host, `${IP}:${pod.ports.h2c}`);
  assert.deepEqual(doc.headers['X-Test'], ['yes']);
  const plain = await h1(pod.ports.h2c, '/');
  assert.equal(plain.status, 400);
  assert.equal(plain.body, 'Expected h2c request');
  const up = await h1(pod.ports.h2c, '/up', { Upgrade: 'h2c', Connection: 'Upgrade, HTTP2-Settings', 'HTTP2-Settings': '' });
  assert.equal(up.status, 200);
  assert.equal(JSON.parse(up.body).path, '/up');
});

test('HTTPS: HTTP/1.1 and h2 via ALPN, SNI and client certificate reported', async () => {
  const port = tlsPod.ports.https;
  const r = await h2(`https://127.0.0.1:${port}`, '/tls', { ca: ca.certPem, servername: 'abc.example.com', cert: client.certPem, key: client.keyPem });
  const doc = JSON.parse(r.body);
  assert.equal(doc.proto, 'HTTP/2.0');
  assert.equal(doc.tls.serverName, 'abc.example.com');
  assert.equal(doc.tls.negotiatedProtocol, 'h2');
  assert.match(doc.tls.version, /^TLSv1\.[23]$/);
  assert.match(doc.tls.cipherSuite, /^TLS_/);
  assert.equal(doc.tls.peerCertificates[0], client.certPem);
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/one', ca: ca.certPem, servername: 'abc.example.com', agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
  const one = JSON.parse(body);
  assert.equal(one.proto, 'HTTP/1.1');
  assert.equal(one.tls.serverName, 'abc.example.com');
  assert.equal(one.tls.peerCertificates, undefined, 'no client certificate presented');
});

test('HTTPS with an untrusted client certificate is refused', async () => {
  const stranger = await createLeaf([], 'ClientAuth');
  await assert.rejects(h2(`https://127.0.0.1:${tlsPod.ports.https}`, '/', { ca: ca.certPem, servername: 'abc.example.com', cert: stranger.certPem, key: stranger.keyPem }));
});

test('WebSocket echo on /ws copies text and binary frames', async () => {
  const ws = new WebSocket(`ws://${IP}:${pod.ports.http}/ws`);
  const got: { data: string; binary: boolean }[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send('hello');
      ws.send(Buffer.from([1, 2, 3]));
    });
    ws.on('message', (data, binary) => {
      got.push({ data: Buffer.from(data as Buffer).toString('hex'), binary });
      if (got.length === 2) ws.close();
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  assert.deepEqual(got, [
    { data: Buffer.from('hello').toString('hex'), binary: false },
    { data: '010203', binary: true },
  ]);
});

test('Go duration parsing and canonical header keys', () => {
  assert.deepEqual(parseGoDuration('1h2m3.5s'), { ok: true, value: 3_723_500 });
  assert.deepEqual(parseGoDuration('500ms'), { ok: true, value: 500 });
  assert.equal(parseGoDuration('5').ok, false);
  assert.equal(canonicalHeaderKey('x-fOO-bar'), 'X-Foo-Bar');
  assert.equal(canonicalHeaderKey('bad header'), 'bad header');
  void net;
});
