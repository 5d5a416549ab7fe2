/**
 * Hostname verification as the Go conformance client does it (crypto/x509 VerifyHostname), used
 * instead of node's checkServerIdentity: Go accepts a wildcard SAN such as `*.org` for
 * `https-listener.org` (one label under the wildcard, any number of labels after it), which node
 * refuses, and Go never falls back to the subject CN. The harness must judge a Gateway's
 * certificate the way upstream's suite would.
 */
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { dnsNameMatches, parseSubjectAltName } from '../../dataplane/upstream/identity.ts';

/** undefined when `cert` is valid for `host`, else the error Go's client would report. */
export function goCheckServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  const name = host.replace(/^\[|\]$/g, '');
  const sans = parseSubjectAltName(cert.subjectaltname);
  const ok = isIP(name)
    ? sans.some((s) => s.kind === 'IP Address' && s.value === name)
    : sans.some((s) => s.kind === 'DNS' && dnsNameMatches(s.value, name));
  if (ok) return undefined;
  return new Error(`x509: certificate is not valid for ${name}; it is valid for ${cert.subjectaltname ?? 'no names'}`);
}
