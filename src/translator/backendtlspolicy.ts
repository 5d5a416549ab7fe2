/**
 * BackendTLSPolicy pass (GEP-1897). A policy targets Services (optionally one port, by sectionName) and
 * says: connect to them with TLS, send `hostname` as SNI, and trust these CAs (caCertificateRefs, or the
 * well-known system set); subjectAltNames, when given, replace the hostname as the identity checked.
 *
 * Three moments in one translation:
 *   1. Lazily, on the first backend resolved: every policy is validated once and conflicts between
 *      policies naming the same Service and sectionName are settled (oldest creationTimestamp, then
 *      "namespace/name", wins; the others are Conflicted).
 *   2. For each Service backend (applyBackendTLS, called by resolveBackendRef): the winning policy of the
 *      port (a policy with its sectionName beats one for the whole Service) turns the backend into a TLS
 *      backend, or, when that policy cannot be used, into an invalid one (fail closed: 5xx, never
 *      plaintext). Which route used which Service port is remembered.
 *   3. After every route pass (reportBackendTLSPolicies): each Gateway whose attached routes use a Service
 *      port a policy targets is an ancestor of that policy and gets an entry with Accepted and ResolvedRefs.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import type { IRBackend, IRBackendTLS } from '../ir/types.ts';
import { CondType, PolicyReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import { MAX_ANCESTORS } from '../status/policy.ts';
import { validatePolicy, type PolicyCheck } from './backendtlsvalidate.ts';
import { DepRecorder, recordingCtx } from './deps.ts';
import type { Ctx, GatewayState } from './model.ts';
import { everyListener } from './parents.ts';
import { compareCreated } from './precedence.ts';

/** One policy with what the pass decided about it. */
interface PolicyState {
  readonly obj: K8sObject;
  /** "namespace/name". */
  readonly key: string;
  readonly check: PolicyCheck;
  /** Targets as "namespace/service" + section ("" = the whole Service). */
  readonly targets: readonly { readonly svc: string; readonly section: string }[];
  /** The older policy that took one of this policy's targets. */
  lostTo?: string;
}

/** Per-translation state of the pass. */
interface PolicyIndex {
  readonly policies: readonly PolicyState[];
  /** "namespace/service" → section ("" = whole Service) → the policy that takes precedence there. */
  readonly winners: ReadonlyMap<string, ReadonlyMap<string, PolicyState>>;
  /** Route ("Kind/namespace/name") → Service ports it sends to ("namespace/service" NUL port name). */
  readonly usage: Map<string, Set<string>>;
  /** With a memo: what building the index read; every backend the index decides about depends on it. */
  readonly deps?: DepRecorder;
}

/** One index per translation (the StatusReport is per translation and shared by every derived ctx). */
const indexes = new WeakMap<object, PolicyIndex>();

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function indexOf(ctx: Ctx): PolicyIndex {
  let idx = indexes.get(ctx.report);
  if (idx === undefined) {
    if (ctx.memo) {
      const deps = new DepRecorder(ctx.memo.stamps);
      idx = { ...buildIndex(recordingCtx(ctx, deps)), deps };
    } else idx = buildIndex(ctx);
    indexes.set(ctx.report, idx);
  }
  return idx;
}

function usageKey(route: K8sObject): string {
  return `${route.kind}/${route.metadata.namespace ?? ''}/${route.metadata.name}`;
}

/** The Service ports `route` was recorded using in this translation (for the memo to replay). */
export function backendTLSUsage(ctx: Ctx, route: K8sObject): ReadonlySet<string> | undefined {
  return indexes.get(ctx.report)?.usage.get(usageKey(route));
}

/** Records again the Service ports a memoised route uses, as if its backends had been resolved now. */
export function replayBackendTLSUsage(ctx: Ctx, route: K8sObject, ports: ReadonlySet<string>): void {
  const idx = indexOf(ctx);
  if (idx.policies.length > 0) idx.usage.set(usageKey(route), new Set(ports));
}

/** Validates every policy and settles conflicts, oldest first. */
function buildIndex(ctx: Ctx): PolicyIndex {
  const policies: PolicyState[] = ctx.snap.list(GATEWAY_GROUP, 'BackendTLSPolicy').map((obj) => {
    const ns = obj.metadata.namespace ?? '';
    const refs: any[] = Array.isArray(obj.spec?.targetRefs) ? obj.spec.targetRefs : [];
    const targets = refs
      .filter((r) => (r?.group ?? '') === '' && r?.kind === 'Service' && typeof r?.name === 'string')
      .map((r) => ({ svc: `${ns}/${r.name}`, section: typeof r.sectionName === 'string' ? r.sectionName : '' }));
    return { obj, key: `${ns}/${obj.metadata.name}`, check: validatePolicy(ctx, obj), targets };
  });
  policies.sort((a, b) => compareCreated(a.obj.metadata.creationTimestamp, b.obj.metadata.creationTimestamp) || cmp(a.key, b.key));
  const winners = new Map<string, Map<string, PolicyState>>();
  for (const p of policies) {
    for (const t of p.targets) {
      const bySection = winners.get(t.svc) ?? new Map<string, PolicyState>();
      winners.set(t.svc, bySection);
      const winner = bySection.get(t.section);
      if (winner === undefined) bySection.set(t.section, p);
      else if (winner !== p) p.lostTo ??= winner.key;
    }
  }
  return { policies, winners, usage: new Map() };
}

/** The policy that applies to one Service port: one naming the port beats one naming the whole Service. */
function policyFor(idx: PolicyIndex, svc: string, portName: string): PolicyState | undefined {
  const bySection = idx.winners.get(svc);
  if (bySection === undefined) return undefined;
  return (portName !== '' ? bySection.get(portName) : undefined) ?? bySection.get('');
}

/** Why a policy cannot be used for traffic; undefined when it can. */
function unusable(p: PolicyState): string | undefined {
  const c = p.check;
  if (c.invalid !== undefined) return c.invalid;
  if (c.tls === undefined) return c.refsProblem?.message ?? 'no valid CA certificate';
  // Some references are broken: connections relying on them must fail, so none is made at all.
  if (c.refsProblem !== undefined) return c.refsProblem.message;
  return undefined;
}

/**
 * Applies the BackendTLSPolicy of a Service port to a resolved backend of `route`: the backend gets its
 * TLS settings, or becomes invalid (500) when the policy that applies cannot be used. Records the use.
 */
export function applyBackendTLS(ctx: Ctx, route: K8sObject, svc: K8sObject, svcPort: any, backend: IRBackend): IRBackend {
  const idx = indexOf(ctx);
  if (idx.deps) ctx.deps?.merge(idx.deps);
  const svcKey = `${svc.metadata.namespace ?? ''}/${svc.metadata.name}`;
  const portName = typeof svcPort?.name === 'string' ? svcPort.name : '';
  // Usage only matters to policies; with none there is nothing to record (adding one changes the deps).
  if (idx.policies.length === 0) return backend;
  const routeKey = usageKey(route);
  const used = idx.usage.get(routeKey) ?? new Set<string>();
  used.add(`${svcKey}\0${portName}`);
  idx.usage.set(routeKey, used);
  const p = policyFor(idx, svcKey, portName);
  if (p === undefined) return backend;
  const why = unusable(p);
  if (why === undefined) return { ...backend, tls: p.check.tls as IRBackendTLS };
  const reason = `BackendTLSPolicy ${p.key} cannot be used: ${why}`;
  return { ...backend, endpoints: [], invalid: { status: 500, reason } };
}

/** The conditions every ancestor entry of a policy carries. */
function conditionsOf(p: PolicyState): DraftCondition[] {
  const c = p.check;
  let accepted: DraftCondition;
  if (p.lostTo !== undefined) {
    accepted = cond(CondType.Accepted, false, PolicyReason.Conflicted, `an older BackendTLSPolicy ${p.lostTo} targets the same Service and sectionName`);
  } else if (c.invalid !== undefined) {
    accepted = cond(CondType.Accepted, false, PolicyReason.Invalid, c.invalid);
  } else if (c.tls === undefined) {
    accepted = cond(CondType.Accepted, false, PolicyReason.NoValidCACertificate, `no valid CA certificate: ${c.refsProblem?.message ?? 'none given'}`);
  } else {
    accepted = cond(CondType.Accepted, true, PolicyReason.Accepted, 'policy is accepted');
  }
  const resolved = c.refsProblem !== undefined
    ? cond(CondType.ResolvedRefs, false, c.refsProblem.reason, c.refsProblem.message)
    : cond(CondType.ResolvedRefs, true, PolicyReason.ResolvedRefs, 'all references are resolved');
  return [accepted, resolved];
}

/** Service ports ("namespace/service" NUL port name) used by the routes attached to a Gateway. */
function portsUsedBy(idx: PolicyIndex, gw: GatewayState): Set<string> {
  const out = new Set<string>();
  for (const l of everyListener(gw)) {
    for (const a of l.routes) {
      for (const u of idx.usage.get(`${a.route.kind}/${a.route.key}`) ?? []) out.add(u);
    }
  }
  return out;
}

function targetsAny(p: PolicyState, ports: ReadonlySet<string>): boolean {
  for (const u of ports) {
    const [svc, port] = u.split('\0');
    if (p.targets.some((t) => t.svc === svc && (t.section === '' || t.section === port))) return true;
  }
  return false;
}

/** Reports every policy's status: one ancestor entry per Gateway of ours whose routes use a target. */
export function reportBackendTLSPolicies(ctx: Ctx, gateways: readonly GatewayState[]): void {
  const idx = indexOf(ctx);
  if (idx.policies.length === 0) return;
  const used = gateways.map((gw) => ({ gw, ports: portsUsedBy(idx, gw) }));
  for (const p of idx.policies) {
    const ancestors = used.filter((u) => targetsAny(p, u.ports)).map((u) => u.gw).sort((a, b) => cmp(a.key, b.key)).slice(0, MAX_ANCESTORS);
    const hadOurs = Array.isArray(p.obj.status?.ancestors) && p.obj.status.ancestors.some((a: any) => a?.controllerName === ctx.env.controllerName);
    if (ancestors.length === 0 && !hadOurs) continue;
    const conditions = conditionsOf(p);
    ctx.report.policies.set(keyString(keyOf(p.obj)), {
      obj: p.obj,
      ancestors: ancestors.map((gw) => ({
        ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.obj.metadata.namespace ?? '', name: gw.obj.metadata.name },
        conditions,
      })),
    });
  }
}
