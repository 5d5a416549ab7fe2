/**
 * Frontend client certificate validation on HTTPS sockets, with real handshakes: AllowValidOnly serves
 * only clients whose certificate chains to the configured CA; AllowInsecureFallback asks for a certificate
 * but serves everyone; a new IR version changes the mode and the CA without rebinding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IR, IRCertificate, IRClientValidation } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, startEcho, type EchoServer } from './testing.ts';
import { h2tlsConnect, h2tlsGet, httpsGet, httpsRoutesSocket } from './testing-tls.ts';
import { clientCertificate, selfSigned, testCa, type TestCa } from './tls/testing.ts';

describe('client certificate validation', () => {
  let up: EchoServer;
  let dp: HttpDataPlane;
  let port: number;
  let server: IRCertificate;
  let caA: TestCa;
  let caB: TestCa;
  let certA: { cert: string; key: string };
  let certB: { cert: string; key: string };
  let version = 1;

  function ir(validation: IRClientValidation | undefined): IR {
    const listeners = [
      { name: 'second', hostname: 'second-example.org', certs: [server], routes: [route('r2', [backend('v1', [up.port])])] },
      { name: 'any', hostname: '', certs: [server], routes: [route('r1', [backend('v1', [up.port])])] },
    ];
    return { version: version++, sockets: [httpsRoutesSocket(port, listeners, validation)] };
  }
  const validOnly = (ca: TestCa): IRClientValidation => ({ mode: 'AllowValidOnly', caPem: ca.certPem, sources: [`ConfigMap test/${ca.name}`] });

  before(async () => {
    [up, server, caA, caB, port] = await Promise.all([startEcho('v1'), selfSigned(['example.org', 'second-example.org']), testCa('ca-a'), testCa('ca-b'), freePort()]);
    [certA, certB] = await Promise.all([clientCertificate(caA, 'client-a'), clientCertificate(caB, 'client-b')]);
    dp = new HttpDataPlane({ drainTimeoutMs: 200 });
    assert.equal((await dp.apply(ir(validOnly(caA)))).bindErrors.size, 0);
  });

  after(async () => {
    await dp.close();
    await up.close();
  });

  it('AllowValidOnly: a certificate signed by the CA is requested and served', async () => {
    const r = await httpsGet(port, { servername: 'example.org', cert: certA });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.status, 200);
    assert.equal(r.certRequested, true);
  });

  it('AllowValidOnly: no certificate, or one of another CA, ends the connection', async () => {
    const none = await httpsGet(port, { servername: 'example.org' });
    assert.equal(none.ok, false);
    const wrong = await httpsGet(port, { servername: 'example.org', cert: certB });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.certRequested, true);
  });

  it('AllowValidOnly applies on HTTP/2 and to every listener of the port', async () => {
    const good = h2tlsConnect(port, 'second-example.org', certA);
    const bad = h2tlsConnect(port, 'second-example.org', certB);
    try {
      const ok = await h2tlsGet(good, 'second-example.org');
      assert.ok(ok.ok, ok.ok ? '' : ok.error);
      assert.equal(ok.status, 200);
      assert.equal((await h2tlsGet(bad, 'second-example.org')).ok, false);
    } finally {
      good.close();
      bad.destroy();
    }
  });

  it('AllowInsecureFallback: requests a certificate but serves clients without one or with an untrusted one', async () => {
    await dp.apply(ir({ ...validOnly(caA), mode: 'AllowInsecureFallback' }));
    try {
      for (const cert of [certA, certB, undefined]) {
        const r = await httpsGet(port, { servername: 'example.org', cert });
        assert.ok(r.ok, r.ok ? '' : r.error);
        assert.equal(r.status, 200);
        if (cert !== undefined) assert.equal(r.certRequested, true);
      }
    } finally {
      await dp.apply(ir(validOnly(caA)));
    }
  });

  it('a new version swaps the trusted CA, and removing validation stops requesting certificates', async () => {
    await dp.apply(ir(validOnly(caB)));
    assert.equal((await httpsGet(port, { servername: 'example.org', cert: certA })).ok, false);
    const b = await httpsGet(port, { servername: 'example.org', cert: certB });
    assert.ok(b.ok && b.status === 200);
    await dp.apply(ir(undefined));
    const open = await httpsGet(port, { servername: 'example.org', cert: certA });
    assert.ok(open.ok, open.ok ? '' : open.error);
    assert.equal(open.certRequested, false);
    await dp.apply(ir(validOnly(caA)));
    assert.equal((await httpsGet(port, { servername: 'example.org' })).ok, false);
  });

  it('an SNI-less client is validated with the same CA (default context)', async () => {
    const ok = await httpsGet(port, { servername: '', host: 'example.org', cert: certA });
    assert.ok(ok.ok, ok.ok ? '' : ok.error);
    assert.equal(ok.status, 200);
    assert.equal((await httpsGet(port, { servername: '', host: 'example.org', cert: certB })).ok, false);
  });
});
