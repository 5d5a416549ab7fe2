/**
 * The certificate the HTTPS cells of scenario 1 terminate TLS with: self-signed (ECDSA P-256, the kind
 * src/dataplane/tls/testing.ts makes for the tests), written once per run as the files nginx and HAProxy
 * read, and kept as PEM for Gatehouse's Secret and the plain Node https proxy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selfSigned } from '../../src/dataplane/tls/testing.ts';
import { runDir } from './procs.ts';

/** One certificate and its key, as PEM and as files. */
export interface BenchCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Certificate then key in one file (HAProxy's `crt`). */
  readonly bundleFile: string;
}

let cert: Promise<BenchCert> | undefined;

/** The run's certificate (made on first use). */
export function benchCert(): Promise<BenchCert> {
  cert ??= (async () => {
    const c = await selfSigned(['bench.example']);
    const dir = runDir();
    const certFile = join(dir, 'bench-cert.pem');
    const keyFile = join(dir, 'bench-key.pem');
    const bundleFile = join(dir, 'bench-bundle.pem');
    writeFileSync(certFile, c.certPem);
    writeFileSync(keyFile, c.keyPem);
    writeFileSync(bundleFile, c.certPem + c.keyPem);
    return { certPem: c.certPem, keyPem: c.keyPem, certFile, keyFile, bundleFile };
  })();
  return cert;
}
