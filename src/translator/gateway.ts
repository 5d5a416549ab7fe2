/**
 * Gateway pass: for each Gateway of an accepted class of ours, builds its listeners, detects
 * conflicts, asks the allocator for an address, applies bind errors, and reports the Gateway and
 * listener conditions. Gateways are processed in "namespace/name" order so address allocation
 * is deterministic.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { CondType, GatewayReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { GatewayReport } from '../status/report.ts';
import { findConflicts } from './conflicts.ts';
import { applyFrontendValidation, insecureFrontendCondition } from './frontendtls.ts';
import { addressesOf, bindErrorOf } from './gatewayaddresses.ts';
import type { ClassState } from './gatewayclass.ts';
import { parametersProblem } from './gatewayclass.ts';
import { buildListener, finishListener, listenerClean, listenerProgrammed } from './listener.ts';
import type { ListenerCheck } from './listener.ts';
import type { Ctx, GatewayState } from './model.ts';

/** Our Gateways (class ours and accepted), sorted by "namespace/name". */
export function processGateways(ctx: Ctx, classes: ReadonlyMap<string, ClassState>): GatewayState[] {
  const gateways = [...ctx.snap.list(GATEWAY_GROUP, 'Gateway')].sort((a, b) => cmp(nn(a), nn(b)));
  const out: GatewayState[] = [];
  for (const obj of gateways) {
    const cls = classes.get(String(obj.spec?.gatewayClassName ?? ''));
    if (!cls) continue; // not ours: no status at all
    const report: GatewayReport = { obj, addresses: [], conditions: [], listeners: [] };
    ctx.report.gateways.set(keyString(keyOf(obj)), report);
    if (!cls.accepted) {
      const msg = `GatewayClass ${cls.obj.metadata.name} is not accepted: ${cls.message}`;
      report.conditions = [
        cond(CondType.Accepted, false, GatewayReason.Pending, msg),
        cond(CondType.Programmed, false, GatewayReason.Pending, msg),
      ];
      continue;
    }
    out.push(processGateway(ctx, obj, report));
  }
  return out;
}

function nn(o: K8sObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function processGateway(ctx: Ctx, obj: K8sObject, report: GatewayReport): GatewayState {
  const gw: GatewayState = { obj, key: nn(obj), listeners: [], report };
  const specs: any[] = Array.isArray(obj.spec?.listeners) ? obj.spec.listeners : [];
  const checks = specs.map((s) => buildListener(ctx, gw, s));
  applyFrontendValidation(ctx, obj, checks);
  const conflicts = findConflicts(checks.filter((c) => c.protocolKnown).map((c) => c.state));
  for (const c of checks) c.conflict = conflicts.get(c.state.name);

  const params = parametersProblem(ctx, obj.spec?.infrastructure?.parametersRef, obj.metadata.namespace ?? '');
  let addressFailure: { reason: string; message: string } | undefined;
  if (params === undefined) {
    const requested: any[] = Array.isArray(obj.spec?.addresses) ? obj.spec.addresses : [];
    const a = ctx.env.addresses.assign(gw.key, requested.map((r) => ({ type: r?.type ?? 'IPAddress', value: String(r?.value ?? '') })));
    if (a.ok) {
      gw.address = a.address;
      if (a.addresses !== undefined) gw.addresses = a.addresses;
      report.addresses = addressesOf(gw).map((value) => ({ type: 'IPAddress', value }));
    } else {
      addressFailure = { reason: a.reason, message: a.message };
    }
  }
  const usable = params === undefined && gw.address !== undefined;
  const message = params ?? addressFailure?.message ?? 'Gateway is programmed';
  for (const c of checks) {
    const bindError = bindErrorOf(ctx.env.bindErrors, gw, c.state.port, c.state.protocol);
    finishListener(c, { usable, message, bindError });
    gw.listeners.push(c.state);
    report.listeners.push(c.state.report);
  }
  report.conditions = gatewayConditions(checks, params, addressFailure);
  const insecure = insecureFrontendCondition(ctx, obj);
  if (insecure !== undefined) report.conditions.push(insecure);
  return gw;
}

/** Accepted and Programmed of the Gateway itself. */
function gatewayConditions(
  checks: readonly ListenerCheck[],
  params: string | undefined,
  address: { reason: string; message: string } | undefined,
): DraftCondition[] {
  if (params !== undefined) {
    return [
      cond(CondType.Accepted, false, GatewayReason.InvalidParameters, params),
      cond(CondType.Programmed, false, GatewayReason.Invalid, params),
    ];
  }
  if (address?.reason === GatewayReason.UnsupportedAddress) {
    return [
      cond(CondType.Accepted, false, GatewayReason.UnsupportedAddress, address.message),
      cond(CondType.Programmed, false, GatewayReason.Invalid, address.message),
    ];
  }
  // A listener with a problem makes the Gateway ListenersNotValid; the Gateway stays Accepted
  // while at least one listener is accepted (partial acceptance, as the specification allows).
  const invalid = checks.filter((c) => !listenerClean(c)).map((c) => c.state.name);
  const acceptedCount = checks.filter((c) => c.state.accepted).length;
  let accepted: DraftCondition;
  if (invalid.length === 0) accepted = cond(CondType.Accepted, true, GatewayReason.Accepted, 'Gateway is accepted');
  else {
    const msg = `listeners with problems: ${invalid.join(', ')}; ${acceptedCount} of ${checks.length} listeners accepted`;
    accepted = cond(CondType.Accepted, acceptedCount > 0, GatewayReason.ListenersNotValid, msg);
  }
  const programmedStates = checks.map(listenerProgrammed);
  let programmed: DraftCondition;
  if (address) {
    const reason = address.reason === GatewayReason.AddressNotUsable ? GatewayReason.AddressNotUsable : GatewayReason.AddressNotAssigned;
    programmed = cond(CondType.Programmed, false, reason, address.message);
  } else if (programmedStates.includes('True')) {
    programmed = cond(CondType.Programmed, true, GatewayReason.Programmed, 'Gateway is programmed');
  } else if (programmedStates.includes('Pending')) {
    programmed = cond(CondType.Programmed, false, GatewayReason.Pending, 'no listener is served by this data plane yet');
  } else {
    programmed = cond(CondType.Programmed, false, GatewayReason.Invalid, 'no listener can be programmed');
  }
  return [accepted, programmed];
}
