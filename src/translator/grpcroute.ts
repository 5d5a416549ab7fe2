/**
 * GRPCRoute pass. A GRPCRoute attaches exactly like an HTTPRoute (parentRefs, sectionName/port,
 * allowedRoutes kinds and namespaces, hostname intersection, ReferenceGrant for backends), so it goes
 * through the same attachment pass and rule compiler in its own dialect:
 *
 * - matches: service/method become "/service/method" path matches (grpcmatches.ts); headers as HTTPRoute;
 * - filters: RequestHeaderModifier, ResponseHeaderModifier, RequestMirror and ExtensionRef are
 *   HTTPRoute's filters of the same name (the schema admits no others);
 * - backends: gRPC is HTTP/2, so every backend (mirrors too) speaks h2c whatever its appProtocol says;
 *   an invalid backend's share is answered UNAVAILABLE (HTTP 503 in the IR, grpc-status 14 on the wire),
 *   and a rule without backends UNIMPLEMENTED (IRRoute.grpc).
 *
 * Precedence needs nothing of its own: see grpcmatches.ts. Cross serving with HTTPRoutes on one
 * hostname is settled afterwards by crossserving.ts.
 */
import type { K8sObject } from '../api/object.ts';
import type { IRBackend, IRFilter } from '../ir/types.ts';
import { convertGRPCMatch } from './grpcmatches.ts';
import { processRoutes } from './httproute.ts';
import type { Ctx, GatewayState, RouteEntry } from './model.ts';
import { compileRoute } from './routerules.ts';
import type { CompileResult, RouteDialect } from './routerules.ts';

/** The HTTP status an invalid GRPCRoute backend's share gets: 503, i.e. gRPC UNAVAILABLE. */
export const GRPC_INVALID_BACKEND_STATUS = 503;

function grpcBackend(b: IRBackend): IRBackend {
  const invalid = b.invalid && { ...b.invalid, status: GRPC_INVALID_BACKEND_STATUS };
  return { ...b, protocol: 'h2c', filters: b.filters.map(grpcFilter), ...(invalid && { invalid }) };
}

function grpcFilter(f: IRFilter): IRFilter {
  return f.type === 'RequestMirror' ? { ...f, backend: grpcBackend(f.backend) } : f;
}

function finishEntry(e: RouteEntry): RouteEntry {
  return { ...e, filters: e.filters.map(grpcFilter), backends: e.backends.map(grpcBackend), grpc: true };
}

/** GRPCRoute's dialect of the shared rule compiler. */
export const GRPC_DIALECT: RouteDialect = { convertMatch: convertGRPCMatch, finish: finishEntry };

/** Compiles every rule of a GRPCRoute. */
export function compileGRPCRoute(ctx: Ctx, obj: K8sObject): CompileResult {
  return compileRoute(ctx, obj, GRPC_DIALECT);
}

/** Attaches every GRPCRoute to the listeners of our Gateways and reports route status. */
export function processGRPCRoutes(ctx: Ctx, gateways: readonly GatewayState[]): void {
  processRoutes(ctx, gateways, 'GRPCRoute', compileGRPCRoute);
}
