/**
 * Backend references → IR backends. A Service reference resolves to endpoints through
 * EndpointSlices (label kubernetes.io/service-name, port by the Service port's name, ready
 * endpoints only), legacy Endpoints as a fallback, or the external name of an ExternalName Service.
 * An unusable reference still yields a backend, marked invalid (its share of traffic gets 500), plus
 * the ResolvedRefs problem for the route's status.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { IRBackend, IREndpoint, IRFilter } from '../ir/types.ts';
import { RouteReason } from '../status/conditions.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { applyBackendTLS } from './backendtlspolicy.ts';
import type { Ctx } from './model.ts';

/** Why a reference does not resolve (a ResolvedRefs reason). */
export interface RefProblem {
  reason: typeof RouteReason.BackendNotFound | typeof RouteReason.InvalidKind | typeof RouteReason.RefNotPermitted;
  message: string;
}

/** A resolved backend and, when it is invalid, why. */
export interface BackendResult {
  backend: IRBackend;
  problem?: RefProblem;
}

/** The EndpointSlice label naming its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const APP_PROTOCOLS: Readonly<Record<string, IRBackend['protocol']>> = {
  'kubernetes.io/h2c': 'h2c',
  'kubernetes.io/ws': 'ws',
};

/** Resolves one backendRef of `route` (weight defaults to 1; 0 is kept). */
export function resolveBackendRef(ctx: Ctx, route: K8sObject, ref: any, filters: readonly IRFilter[]): BackendResult {
  const group = ref?.group ?? '';
  const kind = ref?.kind ?? 'Service';
  const ns = ref?.namespace ?? route.metadata.namespace ?? '';
  const name = String(ref?.name ?? '');
  const port = typeof ref?.port === 'number' ? ref.port : undefined;
  const weight = typeof ref?.weight === 'number' ? ref.weight : 1;
  const label = port === undefined ? `${ns}/${name}` : `${ns}/${name}:${port}`;
  const invalid = (problem: RefProblem): BackendResult => ({
    backend: { name: label, weight, invalid: { status: 500, reason: problem.message }, endpoints: [], protocol: 'http1', filters },
    problem,
  });
  if (group !== '' || kind !== 'Service') {
    return invalid({ reason: RouteReason.InvalidKind, message: `backendRef ${group || 'core'}/${kind} ${name}: only core Services are supported` });
  }
  const from = { group: GATEWAY_GROUP, kind: route.kind, namespace: route.metadata.namespace ?? '' };
  if (!ctx.grants.allows(from, { group: '', kind: 'Service', namespace: ns, name })) {
    return invalid({ reason: RouteReason.RefNotPermitted, message: `backendRef to Service ${ns}/${name} is not permitted by any ReferenceGrant` });
  }
  const svc = ctx.snap.get('', 'Service', ns, name);
  if (!svc) return invalid({ reason: RouteReason.BackendNotFound, message: `Service ${ns}/${name} not found` });
  if (port === undefined) return invalid({ reason: RouteReason.BackendNotFound, message: `backendRef to Service ${ns}/${name} needs a port` });
  const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  const svcPort = ports.find((p) => p?.port === port);
  if (svc.spec?.type === 'ExternalName') {
    const host = String(svc.spec?.externalName ?? '');
    const backend: IRBackend = { name: label, weight, endpoints: host ? [{ address: host, port }] : [], protocol: 'http1', filters };
    return { backend: applyBackendTLS(ctx, route, svc, svcPort, backend) };
  }
  if (!svcPort) return invalid({ reason: RouteReason.BackendNotFound, message: `Service ${ns}/${name} has no port ${port}` });
  const protocol = APP_PROTOCOLS[svcPort.appProtocol ?? ''] ?? 'http1';
  const backend: IRBackend = { name: label, weight, endpoints: endpointsOf(ctx.snap, svc, svcPort), protocol, filters };
  return { backend: applyBackendTLS(ctx, route, svc, svcPort, backend) }; // BackendTLSPolicy (backendtlspolicy.ts)
}

/** The port an endpoint listens on when the slice has no port of the Service port's name. */
function fallbackPort(svcPort: any): number | undefined {
  const t = svcPort.targetPort;
  if (typeof t === 'number') return t;
  return t === undefined ? svcPort.port : undefined; // a named targetPort cannot be resolved without Pods
}

/** Keyed by the snapshot's list of slices (the same array for every view of one snapshot, see deps.ts). */
const sliceIndex = new WeakMap<readonly K8sObject[], Map<string, K8sObject[]>>();
/** The last list indexed: a new snapshot with the very same slices (the common case) reuses its index. */
let lastSlices: { readonly all: readonly K8sObject[]; readonly idx: Map<string, K8sObject[]> } | undefined;

/** EndpointSlices by "namespace/service", built once per set of slices. */
function slicesOf(snap: Snapshot, ns: string, name: string): K8sObject[] {
  const all = snap.list('discovery.k8s.io', 'EndpointSlice');
  let idx = sliceIndex.get(all);
  if (!idx && lastSlices !== undefined && sameObjects(lastSlices.all, all)) {
    sliceIndex.set(all, (idx = lastSlices.idx));
    lastSlices = { all, idx };
  }
  if (!idx) {
    idx = new Map();
    for (const s of all) {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!svc) continue;
      const k = `${s.metadata.namespace ?? ''}/${svc}`;
      const l = idx.get(k) ?? [];
      l.push(s);
      idx.set(k, l);
    }
    sliceIndex.set(all, idx);
    lastSlices = { all, idx };
  }
  return idx.get(`${ns}/${name}`) ?? [];
}

/** True when two lists hold the same objects in the same order. */
function sameObjects(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function endpointsOf(snap: Snapshot, svc: K8sObject, svcPort: any): IREndpoint[] {
  const ns = svc.metadata.namespace ?? '';
  const portName = svcPort.name ?? '';
  const out: IREndpoint[] = [];
  const slices = slicesOf(snap, ns, svc.metadata.name);
  if (slices.length > 0) {
    for (const s of slices) {
      const sp = (Array.isArray(s.ports) ? s.ports : []).find((p: any) => (p?.name ?? '') === portName);
      const port = typeof sp?.port === 'number' ? sp.port : fallbackPort(svcPort);
      if (port === undefined) continue;
      for (const e of Array.isArray(s.endpoints) ? s.endpoints : []) {
        if (e?.conditions?.ready === false) continue;
        for (const address of Array.isArray(e?.addresses) ? e.addresses : []) out.push({ address: String(address), port });
      }
    }
  } else {
    const eps = snap.get('', 'Endpoints', ns, svc.metadata.name);
    for (const sub of Array.isArray(eps?.subsets) ? eps.subsets : []) {
      const sp = (Array.isArray(sub?.ports) ? sub.ports : []).find((p: any) => (p?.name ?? '') === portName);
      const port = typeof sp?.port === 'number' ? sp.port : fallbackPort(svcPort);
      if (port === undefined) continue;
      for (const a of Array.isArray(sub?.addresses) ? sub.addresses : []) {
        if (a?.ip) out.push({ address: String(a.ip), port });
      }
    }
  }
  return dedupeSorted(out);
}

function dedupeSorted(eps: IREndpoint[]): IREndpoint[] {
  const seen = new Map<string, IREndpoint>();
  for (const e of eps) seen.set(`${e.address}:${e.port}`, e);
  return [...seen.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
