/**
 * keyPairProblem on the key formats Secrets carry: RSA PKCS#1 (what the conformance suite
 * generates), EC PKCS#8, chains, mismatches, encrypted and garbage keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createLeaf } from '../conformance/certs.ts';
import { selfSigned } from '../dataplane/tls/testing.ts';
import { keyPairProblem } from './keypair.ts';

test('RSA PKCS#1 leaf and key, as the conformance suite makes them, are accepted', async () => {
  const leaf = await createLeaf(['example.org'], 'ServerAuth');
  assert.match(leaf.keyPem, /BEGIN RSA PRIVATE KEY/);
  assert.equal(keyPairProblem(leaf.certPem, leaf.keyPem), undefined);
});

test('EC PKCS#8 pair and a chain (leaf first) are accepted', async () => {
  const a = await selfSigned(['a.example.com']);
  const b = await selfSigned(['b.example.com']);
  assert.equal(keyPairProblem(a.certPem, a.keyPem), undefined);
  assert.equal(keyPairProblem(a.certPem + b.certPem, a.keyPem), undefined);
});

test('a key of another certificate does not match', async () => {
  const a = await selfSigned(['a.example.com']);
  const b = await selfSigned(['b.example.com']);
  assert.equal(keyPairProblem(a.certPem, b.keyPem), 'tls.key does not match the certificate in tls.crt');
  // The key matches the second certificate of the chain only: the leaf is what counts.
  assert.equal(keyPairProblem(a.certPem + b.certPem, b.keyPem), 'tls.key does not match the certificate in tls.crt');
});

test('a key of another type does not match either', async () => {
  const ec = await selfSigned(['a.example.com']);
  const rsa = await createLeaf(['a.example.com'], 'ServerAuth');
  assert.equal(keyPairProblem(ec.certPem, rsa.keyPem), 'tls.key does not match the certificate in tls.crt');
});

test('missing or broken PEM is named precisely', async () => {
  const a = await selfSigned(['a.example.com']);
  assert.equal(keyPairProblem('Hello world\n', a.keyPem), 'tls.crt holds no PEM certificate');
  const broken = '-----BEGIN CERTIFICATE-----\nSGVsbG8=\n-----END CERTIFICATE-----\n';
  assert.match(keyPairProblem(broken, a.keyPem) ?? '', /^tls\.crt: the certificate cannot be parsed/);
  assert.match(keyPairProblem(a.certPem + broken, a.keyPem) ?? '', /^tls\.crt: certificate 2 of the chain cannot be parsed/);
  assert.match(keyPairProblem(a.certPem, 'Hello world\n') ?? '', /^tls\.key holds no usable PEM private key/);
});

test('a passphrase-protected key is not usable', async () => {
  const a = await selfSigned(['a.example.com']);
  const encrypted = createPrivateKey(a.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
  assert.match(keyPairProblem(a.certPem, encrypted) ?? '', /^tls\.key holds no usable PEM private key/);
});
