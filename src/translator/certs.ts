/**
 * Listener TLS certificate references: each must name a core Secret (cross-namespace only with a
 * ReferenceGrant) that exists and holds a PEM certificate and private key.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import { ListenerReason } from '../status/conditions.ts';
import type { Ctx } from './model.ts';

/** Why a listener's certificate references do not resolve. */
export interface CertProblem {
  reason: typeof ListenerReason.InvalidCertificateRef | typeof ListenerReason.RefNotPermitted;
  message: string;
}

/** Checks every certificateRef of a listener's tls block; undefined when all resolve. */
export function checkCertificateRefs(ctx: Ctx, gateway: K8sObject, tls: any): CertProblem | undefined {
  const gwNs = gateway.metadata.namespace ?? '';
  const refs: any[] = Array.isArray(tls?.certificateRefs) ? tls.certificateRefs : [];
  if ((tls?.mode ?? 'Terminate') === 'Terminate' && refs.length === 0) {
    return { reason: ListenerReason.InvalidCertificateRef, message: 'TLS termination needs at least one certificateRef' };
  }
  for (const ref of refs) {
    const group = ref?.group ?? '';
    const kind = ref?.kind ?? 'Secret';
    const ns = ref?.namespace ?? gwNs;
    const name = String(ref?.name ?? '');
    if (group !== '' || kind !== 'Secret') {
      return { reason: ListenerReason.InvalidCertificateRef, message: `certificateRef ${group || 'core'}/${kind} ${name}: only core Secrets are supported` };
    }
    const from = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNs };
    if (!ctx.grants.allows(from, { group: '', kind: 'Secret', namespace: ns, name })) {
      return { reason: ListenerReason.RefNotPermitted, message: `certificateRef to Secret ${ns}/${name} is not permitted by any ReferenceGrant` };
    }
    const secret = ctx.snap.get('', 'Secret', ns, name);
    if (!secret) return { reason: ListenerReason.InvalidCertificateRef, message: `Secret ${ns}/${name} not found` };
    const bad = secretProblem(secret);
    if (bad) return { reason: ListenerReason.InvalidCertificateRef, message: `Secret ${ns}/${name}: ${bad}` };
  }
  return undefined;
}

function decoded(secret: K8sObject, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' ? plain : undefined;
}

/** Structural check of a TLS Secret: PEM blocks present. Full parsing happens where keys are loaded. */
function secretProblem(secret: K8sObject): string | undefined {
  const crt = decoded(secret, 'tls.crt');
  const key = decoded(secret, 'tls.key');
  if (crt === undefined || key === undefined) return 'tls.crt and tls.key are required';
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(crt)) return 'tls.crt holds no PEM certificate';
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/.test(key)) return 'tls.key holds no PEM private key';
  return undefined;
}
