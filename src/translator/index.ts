/**
 * The translator: a pure function from a store snapshot to the IR and the statuses this controller
 * owns. It runs fixed passes in order, each in its own file:
 *
 *   referencegrant → gatewayclass → gateway (+ listeners, conflicts, addresses) → listenerset → httproute
 *   (attachment, hostnames, backends, filters) → grpcroute → crossserving (HTTPRoute/GRPCRoute
 *   hostname conflicts) → IR assembly (precedence sort) → status updates
 *
 * No I/O, no clock (env.now), and the input objects are never written to: status is collected in a
 * StatusReport and converted at the end.
 */
import type { Snapshot } from '../store/snapshot.ts';
import { StatusReport } from '../status/report.ts';
import { toStatusUpdates } from '../status/updates.ts';
import { processBackendClientCerts } from './backendclientcert.ts';
import { reportBackendTLSPolicies } from './backendtlspolicy.ts';
import { processGateways } from './gateway.ts';
import { processGatewayClasses } from './gatewayclass.ts';
import { processGRPCRoutes } from './grpcroute.ts';
import { resolveCrossServing } from './crossserving.ts';
import { processHTTPRoutes } from './httproute.ts';
import { buildIR } from './ir.ts';
import { processL4Routes } from './l4route.ts';
import { processListenerSets } from './listenerset.ts';
import type { Ctx } from './model.ts';
import { ReferenceGrants } from './referencegrant.ts';
import type { TranslateEnv, TranslateResult } from './types.ts';

export type { TranslateEnv, TranslateResult } from './types.ts';
export { SUPPORTED_FEATURES } from './features.ts';

/** Translates one snapshot. Deterministic: the same snapshot and env give the same result. */
export function translate(snap: Snapshot, env: TranslateEnv): TranslateResult {
  const ctx: Ctx = { snap, env, report: new StatusReport(), grants: new ReferenceGrants(snap) };
  const classes = processGatewayClasses(ctx);
  const gateways = processGateways(ctx, classes);
  processListenerSets(ctx, gateways);
  processHTTPRoutes(ctx, gateways);
  processGRPCRoutes(ctx, gateways);
  resolveCrossServing(ctx, gateways); // after every HTTPRoute and GRPCRoute is attached
  processL4Routes(ctx, gateways);
  processBackendClientCerts(ctx, gateways); // Gateway spec.tls.backend (before IR assembly, which uses it)
  reportBackendTLSPolicies(ctx, gateways); // after every route pass: ancestors are the Gateways routes attach to
  return {
    ir: buildIR(env.version, gateways),
    statuses: toStatusUpdates(ctx.report, env),
    gateways: gateways.map((g) => g.key),
  };
}
