/**
 * TLSRoute, TCPRoute and UDPRoute pass. These routes carry no matches or filters: a route is its
 * parentRefs, (TLSRoute) its SNI hostnames, and weighted backendRefs. Attachment, allowedRoutes, hostname
 * intersection and the parent conditions are the shared route pass (processRoutes); backend references
 * resolve exactly as HTTPRoute ones do (resolveBackendRef, ReferenceGrant included).
 */
import type { K8sObject } from '../api/object.ts';
import type { IRBackend } from '../ir/types.ts';
import type { RefProblem } from './backends.ts';
import { resolveBackendRef } from './backends.ts';
import { processRoutes } from './httproute.ts';
import type { Ctx, GatewayState } from './model.ts';
import type { CompileResult } from './routerules.ts';

/** The route kinds served by TLS, TCP and UDP listeners, in the order their passes run. */
export const L4_ROUTE_KINDS = ['TLSRoute', 'TCPRoute', 'UDPRoute'] as const;

/** Attaches every TLSRoute, TCPRoute and UDPRoute and reports their status. */
export function processL4Routes(ctx: Ctx, gateways: readonly GatewayState[]): void {
  for (const kind of L4_ROUTE_KINDS) processRoutes(ctx, gateways, kind, compileL4Route);
}

/**
 * Compiles an L4 route: the backends of every rule (TLSRoute and TCPRoute allow one rule, UDPRoute
 * is treated alike), each resolved once. The first unresolved reference becomes ResolvedRefs=False;
 * the route stays Accepted and the invalid backend's share of connections is refused.
 */
export function compileL4Route(ctx: Ctx, obj: K8sObject): CompileResult {
  const backends: IRBackend[] = [];
  let refProblem: RefProblem | undefined;
  const rules: any[] = Array.isArray(obj.spec?.rules) ? obj.spec.rules : [];
  for (const rule of rules) {
    const refs: any[] = Array.isArray(rule?.backendRefs) ? rule.backendRefs : [];
    for (const ref of refs) {
      const r = resolveBackendRef(ctx, obj, ref, []);
      backends.push(r.backend);
      refProblem ??= r.problem;
    }
  }
  const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
  return {
    route: { obj, kind: obj.kind, key, creationTimestamp: obj.metadata.creationTimestamp, entries: [], l4Backends: backends },
    ...(refProblem && { refProblem }),
  };
}
