/**
 * The module as the data plane is meant to use it: an http2 secure server (HTTP/1.1 allowed) built
 * from the holder's options, answering 421 when isMisdirected says so. HTTP/2 and HTTP/1.1 clients
 * send an SNI and a Host/:authority that agree or not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as h2connect, createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createTlsContexts } from './contexts.ts';
import { TlsHolder } from './holder.ts';
import { isMisdirected } from './misdirect.ts';
import { httpsSocket, selfSigned } from './testing.ts';

let server: Http2SecureServer;
let port: number;

before(async () => {
  const shared = await selfSigned(['example.org', 'second-example.org']);
  const socket = httpsSocket([
    { name: 'second', hostname: 'second-example.org', certs: [shared] },
    { name: 'any', hostname: '', certs: [shared] },
  ]);
  const holder = new TlsHolder(createTlsContexts(socket, { alpn: ['h2', 'http/1.1'] }));
  server = createSecureServer({ ...holder.serverOptions(), allowHTTP1: true }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const tlsSocket = req.socket as TLSSocket;
    const host = (req.headers[':authority'] as string | undefined) ?? req.headers.host;
    const listeners = holder.current.listeners;
    if (isMisdirected(tlsSocket.servername, host, listeners)) {
      res.writeHead(421).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(listeners.lookup(String(host).split(':')[0])?.name ?? 'none');
  });
  holder.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function h2get(servername: string, authority: string): Promise<{ status: number; body: string; alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, { servername, rejectUnauthorized: false });
    session.once('error', reject);
    const req = session.request({ ':path': '/', ':authority': authority });
    let body = '';
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status, body, alpn });
    });
    req.once('error', reject);
    req.end();
  });
}

function h1get(servername: string, host: string): Promise<{ status: number; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols reaches tls.connect; @types/node does not list it on https.RequestOptions.
    const opts: RequestOptions & { ALPNProtocols: string[] } = {
      host: '127.0.0.1', port, servername, headers: { host }, rejectUnauthorized: false, agent: false, ALPNProtocols: ['http/1.1'],
    };
    const req = httpsRequest(opts, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, alpn: (res.socket as TLSSocket).alpnProtocol }));
    });
    req.once('error', reject);
    req.end();
  });
}

test('HTTP/2: SNI and :authority on the same listener are served', async () => {
  const r = await h2get('second-example.org', 'second-example.org');
  assert.equal(r.alpn, 'h2');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'test/gw/second');
});

test('HTTP/2: connection for the catch-all reused for second-example.org gets 421', async () => {
  assert.equal((await h2get('example.org', 'second-example.org')).status, 421);
  assert.equal((await h2get('second-example.org', 'example.org')).status, 421);
});

test('HTTP/1.1 over the same server: Host checked against SNI too', async () => {
  const ok = await h1get('example.org', 'example.org:443');
  assert.equal(ok.status, 200);
  assert.equal(ok.alpn, 'http/1.1');
  assert.equal((await h1get('example.org', 'second-example.org')).status, 421);
});
