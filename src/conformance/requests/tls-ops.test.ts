import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { StepFailure } from '../types.ts';
import { createLeaf, type CertAndKey } from '../certs.ts';
import { requestOps } from './index.ts';
import { fakeCtx } from './testkit.ts';

let server: CertAndKey;
let other: CertAndKey;
let client: CertAndKey;
before(async () => {
  [server, other, client] = await Promise.all([
    createLeaf(['tls.example'], 'ServerAuth'),
    createLeaf(['tls.example'], 'ServerAuth'),
    createLeaf(['client.example'], 'ClientAuth'),
  ]);
});

async function startHttps(requestCert: boolean) {
  const srv = https.createServer({ cert: server.certPem, key: server.keyPem, requestCert, rejectUnauthorized: false }, (req, res) => {
    const s = req.socket as TLSSocket;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, host: req.headers.host, method: req.method, namespace: 'ns', pod: 'tls-backend-a-b', tls: { serverName: s.servername } }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { addr: `127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((r) => srv.close(r)) };
}

const expected = { request: { host: 'tls.example', path: '/', sni: 'tls.example' }, response: { statusCode: 200 }, backend: 'tls-backend', namespace: 'ns' };

test('TLS request with SNI and the pinned server certificate converges', async () => {
  const s = await startHttps(false);
  try {
    await requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentResponse']!(
      { op: 'x', gwAddr: s.addr, serverCertificate: server.certPem, clientCertificate: null, clientCertificateKey: null, serverName: 'tls.example', expected },
      fakeCtx(),
    );
  } finally {
    await s.close();
  }
});

test('an untrusted server certificate is the expected failure, not a response', async () => {
  const s = await startHttps(false);
  try {
    const step = { op: 'x', gwAddr: s.addr, serverCertificate: other.certPem, serverName: 'tls.example', expected };
    await requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentFailureResponse']!(step, fakeCtx());
    await assert.rejects(requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentResponse']!(step, fakeCtx()), /certificate|signature/i);
    const good = { ...step, serverCertificate: server.certPem };
    await assert.rejects(requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentFailureResponse']!(good, fakeCtx()), /expected a TLS\/transport error, got status 200/);
  } finally {
    await s.close();
  }
});

test('a client certificate the server never asked for is a non-fatal failure', async () => {
  const step = { op: 'x', serverCertificate: server.certPem, clientCertificate: client.certPem, clientCertificateKey: client.keyPem, serverName: 'tls.example', expected };
  const asking = await startHttps(true);
  const silent = await startHttps(false);
  try {
    await requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentResponse']!({ ...step, gwAddr: asking.addr }, fakeCtx());
    await assert.rejects(requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentResponse']!({ ...step, gwAddr: silent.addr }, fakeCtx()), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal && /never requested/.test(e.message));
      return true;
    });
    const mismatched = { ...step, gwAddr: asking.addr, clientCertificateKey: server.keyPem };
    await assert.rejects(requestOps['tls.MakeTLSRequestAndExpectEventuallyConsistentResponse']!(mismatched, fakeCtx()), /invalid client key pair/);
  } finally {
    await asking.close();
    await silent.close();
  }
});

test('connection rejection: a reset passes, a completed handshake does not', async () => {
  const resetter = net.createServer((s) => s.resetAndDestroy());
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  const s = await startHttps(false);
  try {
    const op = requestOps['tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection']!;
    await op({ op: 'x', gwAddr: `127.0.0.1:${(resetter.address() as AddressInfo).port}`, serverName: 'tls.example' }, fakeCtx());
    await assert.rejects(op({ op: 'x', gwAddr: s.addr, serverName: 'tls.example' }, fakeCtx()), (e: unknown) => {
      assert.ok(e instanceof StepFailure && !e.fatal && /never reset/.test(e.message));
      return true;
    });
  } finally {
    await new Promise((r) => resetter.close(r));
    await s.close();
  }
});
