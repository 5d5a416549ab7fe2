/**
 * The Gateway's backend client certificate (spec.tls.backend.clientCertificateRef, GEP-3155): the
 * certificate a Gateway presents to backends it connects to with TLS (those a BackendTLSPolicy covers).
 *
 * The reference must name a core Secret (another namespace only through a ReferenceGrant) holding
 * tls.crt and tls.key that parse and belong together; the Gateway's ResolvedRefs condition says whether
 * it does (InvalidClientCertificateRef, RefNotPermitted). The Gateway stays Accepted either way, and a
 * broken reference simply means no certificate is presented.
 *
 * Routes are compiled once for every Gateway they attach to, so the certificate cannot be part of the
 * compiled backends: IR assembly asks `withClientCert` / `l4BackendsFor` per Gateway, which copy only
 * the TLS backends, and only when the Gateway has a certificate.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { IRBackend, IRCertificate, IRFilter, IRRoute } from '../ir/types.ts';
import { CondType, GatewayBackendTLSReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { GatewayReport } from '../status/report.ts';
import { keyPairProblem } from './keypair.ts';
import type { Ctx, GatewayState } from './model.ts';

/** The resolved client certificate of each Gateway that has a valid one. */
const clientCerts = new WeakMap<GatewayState, IRCertificate>();

/** A Secret's value for `key`: base64 `data` first, then plain `stringData`. */
function secretValue(secret: K8sObject, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  return typeof plain === 'string' ? plain : undefined;
}

type Resolved = { ok: true; cert: IRCertificate } | { ok: false; reason: typeof GatewayBackendTLSReason.InvalidClientCertificateRef | typeof GatewayBackendTLSReason.RefNotPermitted; message: string };

/** Resolves a clientCertificateRef of Gateway `gw`. */
function resolveRef(ctx: Ctx, gw: K8sObject, ref: any): Resolved {
  const gwNs = gw.metadata.namespace ?? '';
  const group = String(ref?.group ?? '');
  const kind = String(ref?.kind ?? 'Secret');
  const ns = String(ref?.namespace ?? gwNs);
  const name = String(ref?.name ?? '');
  const bad = (message: string): Resolved => ({ ok: false, reason: GatewayBackendTLSReason.InvalidClientCertificateRef, message });
  if (group !== '' || kind !== 'Secret') return bad(`clientCertificateRef ${group || 'core'}/${kind} ${name}: only core Secrets are supported`);
  if (!ctx.grants.allows({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNs }, { group: '', kind: 'Secret', namespace: ns, name })) {
    return { ok: false, reason: GatewayBackendTLSReason.RefNotPermitted, message: `clientCertificateRef to Secret ${ns}/${name} is not permitted by any ReferenceGrant` };
  }
  const secret = ctx.snap.get('', 'Secret', ns, name);
  if (secret === undefined) return bad(`clientCertificateRef: Secret ${ns}/${name} not found`);
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (certPem === undefined || keyPem === undefined) return bad(`clientCertificateRef: Secret ${ns}/${name} needs tls.crt and tls.key`);
  const problem = keyPairProblem(certPem, keyPem);
  if (problem !== undefined) return bad(`clientCertificateRef: Secret ${ns}/${name}: ${problem}`);
  return { ok: true, cert: { secret: `${ns}/${name}`, certPem, keyPem } };
}

/**
 * Sets a Gateway-level ResolvedRefs condition without undoing another pass's: a False one already there
 * (say, from frontend TLS validation) stays; otherwise ours replaces or joins the list.
 */
function mergeResolvedRefs(report: GatewayReport, c: DraftCondition): void {
  const i = report.conditions.findIndex((x) => x.type === CondType.ResolvedRefs);
  if (i < 0) report.conditions = [...report.conditions, c];
  else if (report.conditions[i].status === 'True') report.conditions = report.conditions.map((x, j) => (j === i ? c : x));
}

/** Resolves every Gateway's backend client certificate and reports it in the Gateway's conditions. */
export function processBackendClientCerts(ctx: Ctx, gateways: readonly GatewayState[]): void {
  for (const gw of gateways) {
    const ref = gw.obj.spec?.tls?.backend?.clientCertificateRef;
    if (ref === undefined || ref === null) continue;
    const r = resolveRef(ctx, gw.obj, ref);
    if (r.ok) {
      clientCerts.set(gw, r.cert);
      mergeResolvedRefs(gw.report, cond(CondType.ResolvedRefs, true, GatewayBackendTLSReason.ResolvedRefs, 'all references are resolved'));
    } else {
      mergeResolvedRefs(gw.report, cond(CondType.ResolvedRefs, false, r.reason, r.message));
    }
  }
}

function withCert(b: IRBackend, cert: IRCertificate): IRBackend {
  const filters = filtersWithCert(b.filters, cert);
  if (b.tls === undefined && filters === b.filters) return b;
  return { ...b, filters, ...(b.tls && { tls: { ...b.tls, clientCert: cert } }) };
}

/** Mirror filters send to backends too; returns the same array when nothing changes. */
function filtersWithCert(filters: readonly IRFilter[], cert: IRCertificate): readonly IRFilter[] {
  if (!filters.some((f) => f.type === 'RequestMirror' && f.backend.tls !== undefined)) return filters;
  return filters.map((f) => (f.type === 'RequestMirror' && f.backend.tls !== undefined ? { ...f, backend: withCert(f.backend, cert) } : f));
}

function backendsWithCert(backends: readonly IRBackend[], cert: IRCertificate): readonly IRBackend[] {
  const out = backends.map((b) => withCert(b, cert));
  return out.every((b, i) => b === backends[i]) ? backends : out;
}

/** True when Gateway `gw` has a backend client certificate (withClientCert may then change routes). */
export function hasClientCert(gw: GatewayState): boolean {
  return clientCerts.has(gw);
}

/** The route as Gateway `gw` serves it: TLS backends (and mirrors) carry the Gateway's client certificate. */
export function withClientCert(route: IRRoute, gw: GatewayState): IRRoute {
  const cert = clientCerts.get(gw);
  if (cert === undefined) return route;
  const backends = backendsWithCert(route.backends, cert);
  const filters = filtersWithCert(route.filters, cert);
  return backends === route.backends && filters === route.filters ? route : { ...route, backends, filters };
}

/** The backends of an L4 route as Gateway `gw` connects to them (see withClientCert). */
export function l4BackendsFor(backends: readonly IRBackend[], gw: GatewayState): readonly IRBackend[] {
  const cert = clientCerts.get(gw);
  return cert === undefined ? backends : backendsWithCert(backends, cert);
}
