/**
 * Listener TLS certificate references: each must name a core Secret (cross-namespace only with a
 * ReferenceGrant) of type kubernetes.io/tls that exists and holds a PEM certificate chain and the
 * private key of its leaf. Resolved references become the IR certificates of the listener.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { IRCertificate } from '../ir/types.ts';
import { ListenerReason } from '../status/conditions.ts';
import { keyPairProblem } from './keypair.ts';
import type { Ctx } from './model.ts';

/** Why a listener's certificate references do not resolve. */
export interface CertProblem {
  reason: typeof ListenerReason.InvalidCertificateRef | typeof ListenerReason.RefNotPermitted;
  message: string;
}

/** The outcome of checking a listener's certificateRefs: the certificates, or the first problem. */
export type CertCheck = { readonly ok: true; readonly certificates: readonly IRCertificate[] } | ({ readonly ok: false } & CertProblem);

/** The Secret type the specification gives Core support for. */
const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/**
 * Checks every certificateRef of a listener's tls block, in order; the first problem wins.
 * `gateway` is the object declaring the listener (a Gateway or a ListenerSet): grants are per kind.
 */
export function checkCertificateRefs(ctx: Ctx, gateway: K8sObject, tls: any): CertCheck {
  const gwNs = gateway.metadata.namespace ?? '';
  const refs: any[] = Array.isArray(tls?.certificateRefs) ? tls.certificateRefs : [];
  if ((tls?.mode ?? 'Terminate') === 'Terminate' && refs.length === 0) {
    return problem(ListenerReason.InvalidCertificateRef, 'TLS termination needs at least one certificateRef');
  }
  const certificates: IRCertificate[] = [];
  for (const ref of refs) {
    const group = ref?.group ?? '';
    const kind = ref?.kind ?? 'Secret';
    const ns = ref?.namespace ?? gwNs;
    const name = String(ref?.name ?? '');
    if (group !== '' || kind !== 'Secret') {
      return problem(ListenerReason.InvalidCertificateRef, `certificateRef ${group || 'core'}/${kind} ${name}: only core Secrets are supported`);
    }
    const from = { group: GATEWAY_GROUP, kind: gateway.kind, namespace: gwNs };
    if (!ctx.grants.allows(from, { group: '', kind: 'Secret', namespace: ns, name })) {
      return problem(ListenerReason.RefNotPermitted, `certificateRef to Secret ${ns}/${name} is not permitted by any ReferenceGrant`);
    }
    const secret = ctx.snap.get('', 'Secret', ns, name);
    if (!secret) return problem(ListenerReason.InvalidCertificateRef, `Secret ${ns}/${name} not found`);
    const loaded = loadSecret(secret);
    if (typeof loaded === 'string') return problem(ListenerReason.InvalidCertificateRef, `Secret ${ns}/${name}: ${loaded}`);
    certificates.push({ secret: `${ns}/${name}`, ...loaded });
  }
  return { ok: true, certificates };
}

function problem(reason: CertProblem['reason'], message: string): CertCheck {
  return { ok: false, reason, message };
}

/** A Secret's value for `key`: base64 `data` first, then plain `stringData` (as the API server merges them). */
function decoded(secret: K8sObject, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' ? plain : undefined;
}

/**
 * Parsing keys costs far more than the rest of a translation, and a snapshot hands out the same
 * (immutable) Secret object until the Secret changes: remember each object's outcome.
 */
const loadedSecrets = new WeakMap<K8sObject, { certPem: string; keyPem: string } | string>();

/** The PEM pair of a TLS Secret, or why it cannot serve. */
function loadSecret(secret: K8sObject): { certPem: string; keyPem: string } | string {
  let out = loadedSecrets.get(secret);
  if (out === undefined) {
    out = parseSecret(secret);
    loadedSecrets.set(secret, out);
  }
  return out;
}

function parseSecret(secret: K8sObject): { certPem: string; keyPem: string } | string {
  // An absent type is accepted: hand-written standalone YAML often omits it.
  const type = secret.type;
  if (type !== undefined && type !== TLS_SECRET_TYPE) return `type is "${String(type)}", expected "${TLS_SECRET_TYPE}"`;
  const certPem = decoded(secret, 'tls.crt');
  const keyPem = decoded(secret, 'tls.key');
  if (certPem === undefined || keyPem === undefined) return 'tls.crt and tls.key are required';
  return keyPairProblem(certPem, keyPem) ?? { certPem, keyPem };
}
