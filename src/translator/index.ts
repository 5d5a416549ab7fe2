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
import { parentsSignature, TranslatorMemo } from './memo.ts';
import { captureWorld, foreignListeners, translateDelta, type World } from './delta.ts';
import { ReferenceGrants } from './referencegrant.ts';
import { ReadRecorder } from './reads.ts';
import type { ChangeSet, TranslateEnv, TranslateResult } from './types.ts';

export type { ChangeSet, TranslateEnv, TranslateResult } from './types.ts';
export { SUPPORTED_FEATURES } from './features.ts';

/** Translates one snapshot from scratch. Deterministic: the same snapshot and env give the same result. */
export function translate(snap: Snapshot, env: TranslateEnv): TranslateResult {
  return run(snap, env, undefined);
}

/** An incremental translator's signature: `translate`'s, plus what changed since its previous call. */
export type IncrementalTranslate = (snap: Snapshot, env: TranslateEnv, changes?: ChangeSet) => TranslateResult;

/**
 * An incremental translator: a function with the results of `translate` that keeps per-route work
 * between calls and redoes only what a change touched (memo.ts). Given the change set since its
 * previous call, it patches the previous result when the change allows (delta.ts: then `partial` is set
 * and only touched statuses are listed); without one it checks everything. One per controller.
 */
export function createTranslator(): IncrementalTranslate {
  const memo = new TranslatorMemo();
  let world: World | undefined;
  return (snap, env, changes) => {
    memo.begin(snap);
    try {
      if (world !== undefined && changes !== undefined) {
        const patched = translateDelta(world, snap, env, changes, memo);
        if (patched !== undefined) {
          memo.endPartial();
          return patched;
        }
      }
      world = undefined; // a delta that gave up may have half-patched it
      const result = run(snap, env, memo, (w) => (world = w));
      memo.end();
      return result;
    } catch (err) {
      world = undefined;
      memo.endPartial();
      throw err;
    }
  };
}

function run(snap: Snapshot, env: TranslateEnv, memo: TranslatorMemo | undefined, capture?: (w: World) => void): TranslateResult {
  // A translation whose world is kept notes which Secrets and ConfigMaps it read (reads.ts).
  const reads = capture && new ReadRecorder();
  const grants = new ReferenceGrants(snap);
  const ctx: Ctx = { snap: reads ? reads.view(snap) : snap, env, report: new StatusReport(), grants, ...(memo && { memo }) };
  const classes = processGatewayClasses(ctx);
  const gateways = processGateways(ctx, classes);
  processListenerSets(ctx, gateways);
  processHTTPRoutes(ctx, gateways);
  processGRPCRoutes(ctx, gateways);
  const foreign = capture && foreignListeners(gateways);
  resolveCrossServing(ctx, gateways); // after every HTTPRoute and GRPCRoute is attached
  processL4Routes(ctx, gateways);
  processBackendClientCerts(ctx, gateways); // Gateway spec.tls.backend (before IR assembly, which uses it)
  reportBackendTLSPolicies(ctx, gateways); // after every route pass: ancestors are the Gateways routes attach to
  const ir = buildIR(env.version, gateways, memo?.listeners);
  if (capture !== undefined) capture(captureWorld({ ...ctx, snap }, gateways, parentsSignature(ctx, gateways), ir, foreign!, reads!, grants.crossCheckedBeyondRoutes));
  return {
    ir,
    statuses: toStatusUpdates(ctx.report, env, memo?.statuses),
    gateways: gateways.map((g) => g.key),
  };
}
