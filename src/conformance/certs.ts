/**
 * Generated certificates for the conformance environment: the TLS Secrets and CA ConfigMaps of
 * environment.json (`generatedSecrets`, `generatedConfigMaps`), made the way the upstream suite
 * makes them (`certificateProfile`): fresh RSA-2048 keys as PKCS#1 PEM, self-signed or CA-signed
 * leaves with DNS/IP/URI SANs, client certificates with ClientAuth, CAs stored as `ca.crt` only.
 */
import * as crypto from 'node:crypto';
import { isIP } from 'node:net';
import 'reflect-metadata'; // @peculiar/x509's DI container (tsyringe) needs the Reflect metadata API at load time
import * as x509 from '@peculiar/x509';
import type { K8sObject } from '../api/object.ts';

x509.cryptoProvider.set(crypto.webcrypto as any);

type CryptoKeyPair = crypto.webcrypto.CryptoKeyPair;
type CryptoKey = crypto.webcrypto.CryptoKey;

const RSA_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const SIGNING_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
/** Subject of every leaf (Go's pkix order: O before CN). */
const LEAF_SUBJECT = 'O=Acme Co, CN=default';
/** Subject (and, being self-signed, issuer) of every CA. */
const CA_SUBJECT = 'C=US, O=Kubernetes Gateway API, CN=gatewayapi';
/** The CA serial number the profile fixes (2024). */
const CA_SERIAL_HEX = (2024).toString(16).padStart(4, '0');

/** A certificate with its key, both PEM; `signer` is kept for CAs that sign further certificates. */
export interface CertAndKey {
  certPem: string;
  /** PKCS#1 `RSA PRIVATE KEY` PEM. */
  keyPem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** Which extended key usage a leaf gets. */
export type LeafUsage = 'ServerAuth' | 'ClientAuth';

/** The SANs a list of host strings turns into (certificateProfile.leaf.sanRules). */
export interface Sans {
  dns: string[];
  uri: string[];
  ip: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when s is a DNS-1123 subdomain: at most 253 characters, every label a DNS-1123 label. */
export function isDns1123Subdomain(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  return s.split('.').every((l) => l.length <= 63 && DNS_LABEL.test(l));
}

/**
 * Classifies host strings: literal IP → IP SAN; DNS-1123 subdomain (after dropping a leading `*.`)
 * → DNS SAN kept as written; anything else that could be a URI reference → URI SAN (so `*` alone
 * is a URI SAN, like upstream).
 */
export function classifyHosts(hosts: readonly string[]): Sans {
  const out: Sans = { dns: [], uri: [], ip: [] };
  for (const h of hosts) {
    if (isIP(h)) out.ip.push(h);
    else if (isDns1123Subdomain(h.startsWith('*.') ? h.slice(2) : h)) out.dns.push(h);
    else if (h !== '' && !/[\s\x00-\x1f\x7f]/.test(h)) out.uri.push(h);
  }
  return out;
}

function randomSerialHex(): string {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f; // positive and below 2^127 < 2^128
  return b.toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await crypto.webcrypto.subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PKCS#1 PEM of a webcrypto RSA private key. */
async function pkcs1Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', key));
  return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }).toString();
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<CertAndKey> {
  return { cert, keys, certPem: cert.toString('pem') + '\n', keyPem: await pkcs1Pem(keys.privateKey) };
}

/** A fresh self-signed CA (serial 2024, valid one year, CertSign + DigitalSignature, ClientAuth + ServerAuth). */
export async function createCA(now = new Date()): Promise<CertAndKey> {
  const keys = await newKeys();
  const notAfter = new Date(now);
  notAfter.setFullYear(now.getFullYear() + 1);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: CA_SERIAL_HEX,
    name: CA_SUBJECT,
    keys,
    notBefore: now,
    notAfter,
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as any),
    ],
  });
  return finish(cert, keys);
}

function sanExtension(hosts: readonly string[]): x509.Extension[] {
  const s = classifyHosts(hosts);
  const names: x509.JsonGeneralName[] = [
    ...s.dns.map((value) => ({ type: 'dns' as const, value })),
    ...s.ip.map((value) => ({ type: 'ip' as const, value })),
    ...s.uri.map((value) => ({ type: 'url' as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

/**
 * A leaf certificate (CN=default, O=Acme Co; KeyEncipherment + DigitalSignature; valid 365 days)
 * for `hosts`, signed by `ca` or self-signed when `ca` is undefined.
 */
export async function createLeaf(hosts: readonly string[], usage: LeafUsage, ca?: CertAndKey, now = new Date()): Promise<CertAndKey> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([usage === 'ClientAuth' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
    ...sanExtension(hosts),
  ];
  const common = { serialNumber: randomSerialHex(), notBefore: now, notAfter: new Date(now.getTime() + 365 * DAY_MS), signingAlgorithm: SIGNING_ALG };
  if (!ca) {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: LEAF_SUBJECT, keys, extensions });
    return finish(cert, keys);
  }
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    ...common,
    subject: LEAF_SUBJECT,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return finish(cert, keys);
}

/** A `kubernetes.io/tls` Secret holding a certificate and its key. */
export function tlsSecret(namespace: string, name: string, ck: CertAndKey): K8sObject {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(ck.certPem), 'tls.key': b64(ck.keyPem) },
  };
}

/** A ConfigMap holding a CA certificate as `ca.crt`. */
export function caConfigMap(namespace: string, name: string, ca: CertAndKey): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'ca.crt': ca.certPem } };
}

/** The CA id an environment.json `issuer` text names ("CA-validity (ConfigMap ...)" → "CA-validity"); undefined for self-signed. */
export function issuerCaId(issuer: string): string | undefined {
  const m = /^(CA-[A-Za-z0-9-]+)/.exec(issuer.trim());
  return m ? m[1] : undefined;
}

/** The extended key usage of an environment.json secret entry, from its `extKeyUsage` or its helper name. */
function usageOf(entry: any): LeafUsage {
  if (entry.extKeyUsage === 'ClientAuth' || /ClientCert/.test(entry.helper ?? '')) return 'ClientAuth';
  return 'ServerAuth';
}

/**
 * Creates the Secrets and ConfigMaps of environment.json `generatedSecrets` and
 * `generatedConfigMaps`, in their `order`. CAs are keyed by their id (`caId` of a ConfigMap, the
 * `issuer` of a Secret), so a ConfigMap and the certificates it signs share one CA.
 */
export async function generateSetupObjects(environment: any): Promise<K8sObject[]> {
  const entries: { order: number; kind: 'Secret' | 'ConfigMap'; entry: any }[] = [
    ...((environment?.generatedSecrets ?? []) as any[]).map((entry) => ({ order: Number(entry.order), kind: 'Secret' as const, entry })),
    ...((environment?.generatedConfigMaps ?? []) as any[]).map((entry) => ({ order: Number(entry.order), kind: 'ConfigMap' as const, entry })),
  ].sort((a, b) => a.order - b.order);
  const cas = new Map<string, Promise<CertAndKey>>();
  const caFor = (id: string) => {
    let ca = cas.get(id);
    if (!ca) cas.set(id, (ca = createCA()));
    return ca;
  };
  const out: K8sObject[] = [];
  for (const { kind, entry } of entries) {
    if (kind === 'ConfigMap') {
      out.push(caConfigMap(entry.namespace, entry.name, await caFor(String(entry.caId ?? `CA-${entry.namespace}-${entry.name}`))));
      continue;
    }
    const caId = issuerCaId(String(entry.issuer ?? ''));
    const ca = caId ? await caFor(caId) : undefined;
    const usage = usageOf(entry);
    const hosts: string[] = usage === 'ClientAuth' ? [] : (entry.hosts ?? []);
    out.push(tlsSecret(entry.namespace, entry.name, await createLeaf(hosts, usage, ca)));
  }
  return out;
}
