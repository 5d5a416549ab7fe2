/**
 * Test helpers: fresh self-signed certificates (ECDSA P-256, fast to generate) and IR sockets of
 * HTTPS listeners, plus a TLS client that reports what the server presented. Tests only.
 */
import * as crypto from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import 'reflect-metadata'; // @peculiar/x509's DI container needs the Reflect metadata API at load time
import * as x509 from '@peculiar/x509';
import type { IRCertificate, IRHttpListener, IRSocket } from '../../ir/types.ts';

x509.cryptoProvider.set(crypto.webcrypto as any);

const EC = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN = { name: 'ECDSA', hash: 'SHA-256' };

/** A self-signed server certificate for DNS names (the first is also the CN), as an IR certificate. */
export async function selfSigned(names: readonly string[], secret = `test/${names[0]}`): Promise<IRCertificate> {
  const keys = (await crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto.randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${names[0]}`,
    keys,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const der = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { secret, certPem: cert.toString('pem') + '\n', keyPem };
}

/** An IR HTTPS socket with one listener per entry (no routes: TLS tests need none). */
export function httpsSocket(listeners: readonly { name: string; hostname: string; certs: readonly IRCertificate[] }[]): IRSocket {
  const httpListeners: IRHttpListener[] = listeners.map((l) => ({
    name: `test/gw/${l.name}`,
    hostname: l.hostname,
    virtualHosts: [],
    tls: { certificates: l.certs },
  }));
  return { key: '127.0.0.1:0', address: '127.0.0.1', port: 0, protocol: 'HTTPS', gateway: 'test/gw', httpListeners };
}

/** SHA-256 fingerprint of a PEM certificate, in the colon form node:tls reports. */
export function fingerprint(pem: string): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

/** What a handshake produced: the server certificate's fingerprint and the ALPN protocol, or the error. */
export type Handshake = { ok: true; fingerprint: string; alpn: string | false } | { ok: false; error: string };

/** Connects, completes a handshake (certificate not verified: tests compare fingerprints), closes. */
export function handshake(port: number, opts: { servername?: string; alpn?: string[]; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const sock = connect({
      host: '127.0.0.1',
      port,
      // An empty servername makes node send no SNI at all.
      servername: opts.servername ?? '',
      rejectUnauthorized: false,
      ALPNProtocols: opts.alpn,
      maxVersion: opts.maxVersion,
    });
    sock.once('secureConnect', () => {
      const peer: PeerCertificate = sock.getPeerCertificate();
      resolve({ ok: true, fingerprint: peer.fingerprint256, alpn: sock.alpnProtocol ?? false });
      sock.destroy();
    });
    sock.once('error', (err) => resolve({ ok: false, error: err.message }));
  });
}

/** A test certificate authority: its PEM and the key that signs client certificates. */
export interface TestCa {
  readonly name: string;
  readonly certPem: string;
  readonly privateKey: crypto.webcrypto.CryptoKey;
}

/** A fresh self-signed CA (ECDSA P-256). */
export async function testCa(name: string): Promise<TestCa> {
  const keys = (await crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto.randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${name}`,
    keys,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return { name, certPem: cert.toString('pem') + '\n', privateKey: keys.privateKey };
}

/** A client certificate (CN `cn`, clientAuth usage) signed by `ca`, with its private key, both PEM. */
export async function clientCertificate(ca: TestCa, cn: string): Promise<{ cert: string; key: string }> {
  const keys = (await crypto.webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: crypto.randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `CN=${cn}`,
    issuer: `CN=${ca.name}`,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const der = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert: cert.toString('pem') + '\n', key };
}
