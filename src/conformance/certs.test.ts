import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { K8sObject } from '../api/object.ts';
import { classifyHosts, generateSetupObjects, isDns1123Subdomain } from './certs.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const environment = JSON.parse(readFileSync(path.resolve(projectRoot, '..', 'shared', 'conformance', 'environment.json'), 'utf8'));

let objects: K8sObject[] = [];
const find = (kind: string, ns: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.namespace === ns && x.metadata.name === name);
  assert.ok(o, `${kind} ${ns}/${name} generated`);
  return o;
};
const certOf = (s: K8sObject) => Buffer.from(s.data['tls.crt'], 'base64').toString();
const keyOf = (s: K8sObject) => Buffer.from(s.data['tls.key'], 'base64').toString();
const caOf = (cm: K8sObject) => cm.data['ca.crt'] as string;

before(async () => {
  objects = await generateSetupObjects(environment);
});

test('host classification follows the SAN rules', () => {
  assert.deepEqual(classifyHosts(['*', '*.org', '10.0.0.1', 'spiffe://a.example.com/x', 'Upper.Case']), {
    dns: ['*.org'],
    ip: ['10.0.0.1'],
    uri: ['*', 'spiffe://a.example.com/x', 'Upper.Case'],
  });
  assert.equal(isDns1123Subdomain('a-b.c'), true);
  assert.equal(isDns1123Subdomain('-a.c'), false);
});

test('every generated object is present, in order, with the expected shape', () => {
  const expected = [
    ...environment.generatedSecrets.map((e: any) => ({ ...e, kind: 'Secret' })),
    ...environment.generatedConfigMaps.map((e: any) => ({ ...e, kind: 'ConfigMap' })),
  ].sort((a, b) => a.order - b.order);
  assert.deepEqual(
    objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
    expected.map((e) => `${e.kind} ${e.namespace}/${e.name}`),
  );
  for (const o of objects) {
    if (o.kind === 'ConfigMap') {
      const ca = new X509Certificate(caOf(o));
      assert.equal(ca.ca, true);
      assert.equal(ca.serialNumber, '07E8');
      assert.equal(ca.subject, 'C=US\nO=Kubernetes Gateway API\nCN=gatewayapi');
      assert.ok(ca.verify(ca.publicKey), 'CA is self-signed');
      continue;
    }
    assert.equal(o.type, 'kubernetes.io/tls');
    assert.match(keyOf(o), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const cert = new X509Certificate(certOf(o));
    assert.ok(cert.checkPrivateKey(createPrivateKey(keyOf(o))), 'key matches certificate');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(cert.ca, false);
    assert.equal(cert.subject, 'O=Acme Co\nCN=default');
  }
});

test('SANs and extended key usage match environment.json', () => {
  for (const e of environment.generatedSecrets) {
    const cert = new X509Certificate(certOf(find('Secret', e.namespace, e.name)));
    const want = [...e.sans.dns.map((d: string) => `DNS:${d}`), ...e.sans.ip.map((d: string) => `IP Address:${d}`), ...e.sans.uri.map((d: string) => `URI:${d}`)];
    const got = cert.subjectAltName ? cert.subjectAltName.split(', ') : [];
    assert.deepEqual(got.sort(), want.sort(), `${e.name} SANs`);
    const eku = e.extKeyUsage === 'ClientAuth' ? '1.3.6.1.5.5.7.3.2' : '1.3.6.1.5.5.7.3.1';
    assert.deepEqual(cert.keyUsage, [eku], `${e.name} EKU`);
  }
});

test('CA relationships: each CA verifies exactly what it signs', () => {
  const cms = environment.generatedConfigMaps.map((c: any) => ({ c, ca: new X509Certificate(caOf(find('ConfigMap', c.namespace, c.name))) }));
  for (const e of environment.generatedSecrets) {
    const cert = new X509Certificate(certOf(find('Secret', e.namespace, e.name)));
    const ref = `${e.namespace}/${e.name}`;
    if (e.issuer === 'self-signed') {
      assert.ok(cert.verify(cert.publicKey), `${ref} self-signed`);
      assert.equal(cert.issuer, cert.subject);
    }
    for (const { c, ca } of cms) {
      assert.equal(cert.verify(ca.publicKey), c.signs.includes(ref), `${ref} vs CA ${c.name}`);
    }
  }
});

async function handshake(serverSecret: K8sObject, ca: string, servername: string): Promise<boolean> {
  const server = tls.createServer({ cert: certOf(serverSecret), key: keyOf(serverSecret) }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<boolean>((resolve) => {
      const sock = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('a real TLS handshake succeeds for listed hostnames only', async () => {
  const secret = find('Secret', 'gateway-conformance-infra', 'tls-checks-certificate');
  const ca = caOf(find('ConfigMap', 'gateway-conformance-infra', 'tls-checks-ca-certificate'));
  const other = caOf(find('ConfigMap', 'gateway-conformance-infra', 'mismatch-ca-certificate'));
  assert.equal(await handshake(secret, ca, 'abc.example.com'), true);
  assert.equal(await handshake(secret, ca, 'other.example.com'), true);
  assert.equal(await handshake(secret, ca, 'nope.example.com'), false);
  assert.equal(await handshake(secret, other, 'abc.example.com'), false, 'an unrelated CA does not validate it');
  const wildcard = find('Secret', 'gateway-conformance-infra', 'tls-validity-checks-certificate');
  const selfPem = certOf(wildcard);
  assert.equal(await handshake(wildcard, selfPem, 'x.wildcard.org'), true);
  assert.equal(await handshake(wildcard, selfPem, 'a.b.example.com'), false);
});
