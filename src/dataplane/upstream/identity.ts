/**
 * Backend certificate identity checks for TLS origination. Without subjectAltNames the policy hostname
 * is checked the way any TLS client checks a server name (node's checkServerIdentity). With them, the
 * certificate must carry at least one of the listed SANs and the hostname is not used for
 * authentication (GEP-1897): DNS SANs match like server names (a certificate wildcard covers exactly
 * one leftmost label), URI SANs match exactly.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { IRBackendTLS, IRSubjectAltName } from '../../ir/types.ts';

/** The error a certificate that fails the identity check is rejected with (node uses the same code). */
export const ALTNAME_INVALID = 'ERR_TLS_CERT_ALTNAME_INVALID';

/** One SAN entry of a certificate: "DNS", "URI", "IP Address", ... and its value. */
export interface SanEntry {
  readonly kind: string;
  readonly value: string;
}

/**
 * Parses node's `subjectaltname` string ("DNS:a.example, URI:spiffe://x, IP Address:10.0.0.1"). Values with
 * separators or quotes in them are JSON strings ("URI:\"http://a, b\""), which is why a plain split would not do.
 */
export function parseSubjectAltName(text: string | undefined): SanEntry[] {
  const out: SanEntry[] = [];
  if (text === undefined) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const kind = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      next = text.indexOf(',', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    out.push({ kind, value });
    if (next < 0) break;
    i = next + 1;
    while (text[i] === ' ') i++;
  }
  return out;
}

/** True when certificate DNS name `pattern` (maybe "*.example.com") covers `name`. Both compared lower case. */
export function dnsNameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === n;
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot) === p.slice(1);
}

/** True when one of `wanted` is among the certificate's SANs. */
export function sanMatches(entries: readonly SanEntry[], wanted: readonly IRSubjectAltName[]): boolean {
  for (const w of wanted) {
    for (const e of entries) {
      if (w.type === 'Hostname' && e.kind === 'DNS' && dnsNameMatches(e.value, w.value)) return true;
      if (w.type === 'URI' && e.kind === 'URI' && e.value === w.value) return true;
    }
  }
  return false;
}

/** The checkServerIdentity function node's TLS client should call for a backend of these settings. */
export function identityCheck(s: IRBackendTLS): (host: string, cert: PeerCertificate) => Error | undefined {
  const sans = s.subjectAltNames;
  if (sans === undefined || sans.length === 0) return (_host, cert) => checkServerIdentity(s.servername, cert);
  const wanted = sans.map((x) => `${x.type === 'URI' ? 'URI' : 'DNS'}:${x.value}`).join(', ');
  return (_host, cert) => {
    if (sanMatches(parseSubjectAltName(cert.subjectaltname), sans)) return undefined;
    const err = new Error(`backend certificate has none of the required subjectAltNames (${wanted}); it has: ${cert.subjectaltname ?? 'none'}`) as Error & { code: string };
    err.code = ALTNAME_INVALID;
    return err;
  };
}
