/**
 * What the echo servers report about a TLS connection: version, SNI, ALPN, cipher suite and the
 * client's certificates as PEM, read from a node:tls socket.
 */
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';

/** TLS facts of one connection, in node:tls terms (the echo modes format them differently). */
export interface TlsFacts {
  /** "TLSv1.3", "TLSv1.2", ... */
  version: string;
  serverName: string;
  negotiatedProtocol: string;
  /** IANA (= Go) cipher suite name, e.g. TLS_AES_128_GCM_SHA256. */
  cipherSuite: string;
  /** Client certificates as PEM, leaf first. */
  peerCertificates: string[];
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The chain the peer presented, leaf first (stops where the chain loops back on itself). */
function peerChain(sock: TLSSocket): string[] {
  const out: string[] = [];
  let cert: DetailedPeerCertificate | undefined = sock.getPeerCertificate(true) as DetailedPeerCertificate;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(toPem(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Reads the TLS facts of a connected server-side socket. */
export function tlsFacts(sock: TLSSocket): TlsFacts {
  const cipher = sock.getCipher();
  const servername = (sock as TLSSocket & { servername?: string | false }).servername;
  return {
    version: sock.getProtocol() ?? '',
    serverName: typeof servername === 'string' ? servername : '',
    negotiatedProtocol: typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : '',
    cipherSuite: cipher?.standardName ?? cipher?.name ?? '',
    peerCertificates: peerChain(sock),
  };
}

/** Go's `tls.VersionName` spelling ("TLS 1.3") of a node version string ("TLSv1.3"). */
export function goVersionName(nodeVersion: string): string {
  const m = /^TLSv(\d\.\d)$/.exec(nodeVersion);
  return m ? `TLS ${m[1]}` : nodeVersion;
}

/**
 * Closes connections whose client presented a certificate the CA does not validate, which is Go's
 * VerifyClientCertIfGiven: no certificate is fine, a bad one is not.
 */
export function rejectBadClientCerts(sock: TLSSocket): boolean {
  const peer = sock.getPeerCertificate();
  const presented = !!peer && Object.keys(peer).length > 0;
  if (presented && !sock.authorized) {
    sock.destroy();
    return true;
  }
  return false;
}
