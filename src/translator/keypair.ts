/**
 * Full check of a TLS Secret's contents: the certificate chain parses, the private key parses, and
 * the key belongs to the leaf certificate. Done in the translator so that a listener whose Secret
 * the data plane could not load is reported (ResolvedRefs=False InvalidCertificateRef) instead of
 * failing handshakes later. Parsing is deterministic and does no I/O, so the translator stays pure.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Why a PEM certificate/key pair cannot be used for TLS termination; undefined when it can. */
export function keyPairProblem(certPem: string, keyPem: string): string | undefined {
  const blocks = certPem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return 'tls.crt holds no PEM certificate';
  let leaf: X509Certificate | undefined;
  for (let i = 0; i < blocks.length; i++) {
    try {
      const c = new X509Certificate(blocks[i]);
      leaf ??= c;
    } catch (err) {
      const which = i === 0 ? 'the certificate' : `certificate ${i + 1} of the chain`;
      return `tls.crt: ${which} cannot be parsed (${errorText(err)})`;
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    return `tls.key holds no usable PEM private key (${errorText(err)})`;
  }
  let matches = false;
  try {
    matches = leaf!.checkPrivateKey(key);
  } catch {
    matches = false; // e.g. key type differs from the certificate's: not a match either
  }
  return matches ? undefined : 'tls.key does not match the certificate in tls.crt';
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : String(e?.message ?? err);
}
